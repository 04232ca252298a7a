#pragma once

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>

#include "core/tick.hpp"

namespace ptp::bench {

inline std::int64_t now_ns() { return core::steady_now_ns(); }

// Resident memory of this process, in bytes (VmRSS).
inline std::int64_t rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      std::int64_t kb = 0;
      in >> kb;
      return kb * 1024;
    }
    std::getline(in, key);
  }
  return 0;
}

}  // namespace ptp::bench
