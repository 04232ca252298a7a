// Fuzz target: the config loader (TOML text -> a validated Config). Property: a config is either
// accepted or refused with ConfigError ("FILE:LINE:COL: KEY: ...") -- no other exception, no crash.
#include <cstdint>
#include <string_view>

#include "core/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)ptp::config::parse_config(text, "fuzz.toml");
  } catch (const ptp::config::ConfigError&) {
  }
  return 0;
}
