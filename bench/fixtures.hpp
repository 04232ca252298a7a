// What the benches share: a scratch directory and the instrument filters of their made-up symbols.
#pragma once

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/filters.hpp"

namespace ptp::bench {

// An empty directory under the system's temp dir, named for the bench and this process.
inline std::string temp_dir(const char* name) {
  auto p = std::filesystem::temp_directory_path() / fmt::format("ptp-bench-{}-{}", name, ::getpid());
  std::filesystem::remove_all(p);
  return p.string();
}

// Tick 0.01, step and minimum 0.001, no minimum notional.
inline core::InstrumentFilters filters() {
  return core::InstrumentFilters::in_base_units(core::Price::parse("0.01"), core::Qty::parse("0.001"),
                                                core::Qty::parse("0.001"), core::Notional{});
}

}  // namespace ptp::bench
