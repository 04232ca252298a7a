// A whole replay from the command line's inputs: read and check everything first (any bad input is
// an InputError or a config::ConfigError naming file and line, before anything is written), replay
// every position under every plan, then write the report into a fresh directory beside --out and
// rename it into place, so --out is never half-written.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "replay/report.hpp"

namespace ptp::replay {

struct RunOptions {
  std::string config_path;
  std::vector<std::string> price_files;
  std::vector<std::string> plan_files;
  std::optional<std::string> positions_file;
  std::optional<core::Symbol> symbol;   // names the instrument of Binance files
  BarPath bar_path = BarPath::worst;
  std::size_t chart_points = 2400;
  // Called as trades finish: (trades done, trades in all).
  std::function<void(std::size_t, std::size_t)> progress;
};

Report run_replay(const RunOptions& options);

// Throws InputError unless `out_dir` may receive a report: it does not exist, or it is a directory
// holding nothing but a report's own files (report.json, report.html, report.png). Anything else (a
// build tree, ".", a home directory) is never replaced.
void check_out_dir(const std::string& out_dir);

// Writes report.json and report.html into `out_dir` (created, or replaced as a whole; check_out_dir
// first).
void write_report(const Report& report, const std::string& out_dir);

}  // namespace ptp::replay
