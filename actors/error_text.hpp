// A caf::error as a person reads it: the text an actor attached to it ("begin_stage: LMDB commit
// in /data: No space left on device"), or CAF's own rendering when there is none.
#pragma once

#include <caf/error.hpp>
#include <caf/message.hpp>

#include <string>

namespace ptp::actors {

inline std::string describe(const caf::error& e) {
  const caf::message& context = e.context();
  if (context.match_elements<std::string>()) return context.get_as<std::string>(0);
  return to_string(e);
}

}  // namespace ptp::actors
