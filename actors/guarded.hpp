// Runs a blocking call for an actor handler and turns an exception into an error value with
// context (the handler's caller decides what to do; nothing is thrown across the actor).
#pragma once

#include <caf/error.hpp>
#include <caf/result.hpp>
#include <caf/sec.hpp>
#include <spdlog/spdlog.h>

#include <string>

namespace ptp::actors {

template <class F>
auto guarded(const char* actor, const char* what, F&& f) -> caf::result<decltype(f())> {
  try {
    return f();
  } catch (const std::exception& e) {
    spdlog::error("[{}] {} failed: {}", actor, what, e.what());
    return caf::make_error(caf::sec::runtime_error, std::string(what) + ": " + e.what());
  }
}

}  // namespace ptp::actors
