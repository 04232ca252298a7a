// Failure lines that may repeat (refusals, reconnects, rate limits, bad frames) go through the node's
// one RepeatThrottle: a storm is logged at its 1st, 2nd, 4th, ... occurrence with a count, not line
// by line. One-off events are logged with spdlog directly.
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <utility>

#include "core/repeat_throttle.hpp"

namespace ptp {

template <typename... Args>
void log_repeated(spdlog::level::level_enum level, fmt::format_string<Args...> format, Args&&... args) {
  const std::string line = fmt::format(format, std::forward<Args>(args)...);
  if (auto written = core::RepeatThrottle::failures().pass(line)) spdlog::log(level, "{}", *written);
}

// For a line whose text varies beyond its numbers (a bad frame's content): `shape` names the failure.
template <typename... Args>
void log_repeated_as(std::string shape, spdlog::level::level_enum level, fmt::format_string<Args...> format,
                     Args&&... args) {
  const std::string line = fmt::format(format, std::forward<Args>(args)...);
  if (auto written = core::RepeatThrottle::failures().pass_as(std::move(shape), line)) spdlog::log(level, "{}", *written);
}

}  // namespace ptp
