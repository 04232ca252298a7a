#include "core/records.hpp"

namespace ptp::core {

std::string_view to_string(StageState s) {
  switch (s) {
    case StageState::pending: return "pending";
    case StageState::done: return "done";
    case StageState::failed: return "failed";
  }
  return "?";
}

}  // namespace ptp::core
