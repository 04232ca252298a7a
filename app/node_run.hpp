// Runs the node: the actor system against the configured exchange, until a signal or --run-for.
#pragma once

#include <optional>

#include "core/config/config.hpp"

namespace ptp::app {

// Returns the process exit code: 0 after a clean stop, 1 when the node could not start.
int run_node(const config::Config& cfg, std::optional<config::Millis> run_for);

}  // namespace ptp::app
