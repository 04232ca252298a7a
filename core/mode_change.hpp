// A switch of the node's mode at run time (an operator, or the rollout guard), kept in the history
// with its reason: the last one recorded is the mode in force, across restarts.
#pragma once

#include <chrono>
#include <string>

namespace ptp::core {

struct ModeChange {
  bool observe = true;      // the mode switched to: observe, or execute
  std::string by;           // who switched it: "operator", "guard"
  std::string reason;       // free text, as given
  std::chrono::system_clock::time_point at;

  std::string_view mode() const { return observe ? "observe" : "execute"; }
};

}  // namespace ptp::core
