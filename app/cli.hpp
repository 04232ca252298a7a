// Command-line options of ptp-node.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/config/config.hpp"

namespace ptp::app {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CliOptions {
  std::string config_path;
  bool check = false;                          // validate, print the resolved settings, exit
  bool help = false;
  std::optional<config::Mode> mode;            // overrides node.mode
  std::optional<std::string> data_dir;         // overrides node.storage_path
  std::optional<std::string> log_level;        // overrides node.log_level
  std::optional<config::Millis> run_for;       // stop by itself after this long
  std::optional<std::string> record;           // append every received tick to this file (ptp-replay reads it)
};

// Throws UsageError with a message naming the bad argument.
CliOptions parse_cli(const std::vector<std::string>& args);

// Applies --mode, --data-dir and --log-level to a loaded config.
void apply_overrides(const CliOptions& cli, config::Config& cfg);

const char* usage_text();

}  // namespace ptp::app
