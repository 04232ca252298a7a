// Runs a blocking call for an actor handler and turns an exception into an error value with
// context (the handler's caller decides what to do; nothing is thrown across the actor).
// `on_failure` sees the exception first: to log it, or to recover (the persistence actor reopens
// an LMDB environment after a fatal error).
#pragma once

#include <caf/error.hpp>
#include <caf/result.hpp>
#include <caf/sec.hpp>

#include <exception>
#include <string>

namespace ptp::actors {

template <class F, class OnFailure>
auto guarded(const char* what, F&& f, OnFailure&& on_failure) -> caf::result<decltype(f())> {
  try {
    return f();
  } catch (const std::exception& e) {
    on_failure(what, e);
    return caf::make_error(caf::sec::runtime_error, std::string(what) + ": " + e.what());
  }
}

}  // namespace ptp::actors
