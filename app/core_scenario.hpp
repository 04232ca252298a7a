// A scripted walk of every configured position through the pure decision core. It stands in for
// the demo until the actor node runs the same decisions against the simulated exchange.
#pragma once

#include "core/config/config.hpp"

namespace ptp::app {

// Logs each decision in the node's log tone and prints a per-position summary. Returns the
// number of stage actions taken.
int run_core_scenario(const config::Config& cfg);

}  // namespace ptp::app
