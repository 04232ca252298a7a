// The human report printed by `ptp-node --check`: resolved settings and each position's ladder.
#pragma once

#include <string>

#include "core/config/config.hpp"

namespace ptp::app {

// `env_lookup` tells whether a variable is set (the value itself is never read into the report).
std::string check_report(const config::Config& cfg, bool (*env_is_set)(const char* name));

}  // namespace ptp::app
