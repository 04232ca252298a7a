// Runs the node: the actor system against the configured exchange, until a signal or --run-for.
#pragma once

#include <optional>

#include "core/config/config.hpp"

namespace ptp::app {

// Returns the process exit code: 0 after a clean stop, 1 when the node could not start.
// `record`: a file every received tick is appended to (ptp-node --record).
int run_node(const config::Config& cfg, std::optional<config::Millis> run_for,
             std::optional<std::string> record = std::nullopt);

}  // namespace ptp::app
