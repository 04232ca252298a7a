// The replay's report: report.json (every figure, for scripts) and report.html (one self-contained
// page: a chart per position in inline SVG, a table per position and plan, a summary per plan).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "replay/engine.hpp"

namespace ptp::replay {

struct PositionRun {
  PositionSpec spec;
  std::vector<Tick> chart;            // the price path to draw, already decimated
  std::vector<TradeResult> trades;    // one per plan, in the order of Report::plans
};

struct PlanSummary {
  std::string plan;
  std::size_t trades = 0;
  double total_r = 0, average_r = 0, win_rate = 0, worst_r = 0;
  double vs_baseline_r = 0;  // total R minus the "no partial take-profit" total
  core::Notional pnl;
};

struct Report {
  std::vector<std::string> plans;
  std::string bar_path;               // "worst" or "best": how bars were walked
  std::vector<std::string> price_files;
  std::vector<PositionRun> positions;
  std::size_t ticks = 0;              // prices read
  double seconds = 0;                 // the replay's wall time
};

std::vector<PlanSummary> summarize(const Report& report);

// At most about `points` points (each bucket keeps its first, lowest, highest and last price).
std::vector<Tick> decimate(std::span<const Tick> path, std::size_t points);

std::string report_json(const Report& report);
std::string report_html(const Report& report);

}  // namespace ptp::replay
