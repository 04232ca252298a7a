#include "api/metrics_text.hpp"

#include <fmt/format.h>

#include <map>

namespace ptp::api {
namespace {

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

// Seconds from nanoseconds, exactly enough for a scrape.
std::string seconds(std::uint64_t ns) { return fmt::format("{:.9f}", static_cast<double>(ns) / 1e9); }

}  // namespace

std::string prometheus_text(const MetricsView& view) {
  const auto& m = view.counters;
  std::string out;
  header(out, "ptp_outcomes_total", "counter", "Answers to stage requests, by caller and outcome.");
  for (core::Caller c : core::kAllCallers)
    for (int k = 0; k < core::kOutcomeKinds; ++k)
      out += fmt::format("ptp_outcomes_total{{caller=\"{}\",outcome=\"{}\"}} {}\n", core::to_string(c),
                         core::to_string(static_cast<core::OutcomeKind>(k)), m.counts[static_cast<int>(c)][k]);
  // Stages recorded as done (success or skipped) on the positions the node manages now.
  std::map<int, std::uint64_t> by_stage;
  for (const auto& p : view.positions)
    for (const auto& r : p.stages)
      if (r.state == core::StageState::done) ++by_stage[r.stage.value];
  header(out, "ptp_stages_done", "gauge", "Stages recorded as done on the managed positions, by stage.");
  for (const auto& [stage, n] : by_stage) out += fmt::format("ptp_stages_done{{stage=\"{}\"}} {}\n", stage, n);
  header(out, "ptp_tick_to_decision_seconds", "histogram",
         "From a tick entering market data to a position actor's decision.");
  static constexpr std::int64_t kBucketsNs[] = {10'000,    25'000,    50'000,     100'000,    250'000,    500'000,
                                                1'000'000, 2'500'000, 5'000'000, 10'000'000, 50'000'000, 250'000'000};
  for (std::int64_t le : kBucketsNs)
    out += fmt::format("ptp_tick_to_decision_seconds_bucket{{le=\"{}\"}} {}\n", seconds(static_cast<std::uint64_t>(le)),
                       m.decision_ns.count_at_most(le));
  out += fmt::format("ptp_tick_to_decision_seconds_bucket{{le=\"+Inf\"}} {}\n", m.decision_ns.count());
  out += fmt::format("ptp_tick_to_decision_seconds_sum {}\n", seconds(m.decision_ns.sum()));
  out += fmt::format("ptp_tick_to_decision_seconds_count {}\n", m.decision_ns.count());
  header(out, "ptp_ticks_total", "counter", "Price ticks received.");
  out += fmt::format("ptp_ticks_total {}\n", m.ticks);
  header(out, "ptp_stream_age_seconds", "gauge", "Seconds since the last price tick (-1 before the first).");
  out += fmt::format("ptp_stream_age_seconds {}\n",
                     m.stream_age_ms < 0 ? std::string("-1") : fmt::format("{:.3f}", static_cast<double>(m.stream_age_ms) / 1e3));
  header(out, "ptp_stream_reconnects_total", "counter", "Price stream reconnects.");
  out += fmt::format("ptp_stream_reconnects_total {}\n", m.stream_reconnects);
  header(out, "ptp_order_budget_waits_total", "counter", "Order placements that waited for the account's order budget.");
  out += fmt::format("ptp_order_budget_waits_total {}\n", m.budget_waits);
  header(out, "ptp_order_budget_wait_max_seconds", "gauge", "The longest wait for the order budget so far.");
  out += fmt::format("ptp_order_budget_wait_max_seconds {}\n", static_cast<double>(m.budget_wait_max_ms) / 1000.0);
  header(out, "ptp_positions_managed", "gauge", "Open positions the node manages.");
  out += fmt::format("ptp_positions_managed {}\n", view.positions.size());
  header(out, "ptp_mode", "gauge", "The mode in force (1 for the current one).");
  out += fmt::format("ptp_mode{{mode=\"observe\"}} {}\nptp_mode{{mode=\"execute\"}} {}\n", view.observe ? 1 : 0,
                     view.observe ? 0 : 1);
  header(out, "ptp_guard_tripped", "gauge", "1 while the rollout guard's switch to observe is in force.");
  out += fmt::format("ptp_guard_tripped {}\n", view.guard_tripped ? 1 : 0);
  if (view.guard_configured) {
    header(out, "ptp_guard_executions_last_hour", "gauge", "Stage executions the rollout guard counts in the last hour.");
    out += fmt::format("ptp_guard_executions_last_hour {}\n", m.guard_executions);
    header(out, "ptp_guard_failures_last_hour", "gauge", "Failed stage requests the rollout guard counts in the last hour.");
    out += fmt::format("ptp_guard_failures_last_hour {}\n", m.guard_failures);
  }
  if (const auto& g = view.group) {
    header(out, "ptp_cluster_owner", "gauge", "1 while this node owns the account in its group, with the owner's id.");
    out += fmt::format("ptp_cluster_owner{{node=\"{}\",owner=\"{}\"}} {}\n", g->node_id, g->owner, g->role == "owner" ? 1 : 0);
    header(out, "ptp_cluster_owner_since_seconds", "gauge", "When the owner took the account (Unix time).");
    out += fmt::format("ptp_cluster_owner_since_seconds {:.3f}\n", static_cast<double>(g->owner_since_ms) / 1000.0);
    header(out, "ptp_cluster_lease_left_seconds", "gauge", "Time left before this owner stops acting unless its lease is kept alive.");
    out += fmt::format("ptp_cluster_lease_left_seconds {:.3f}\n", static_cast<double>(g->lease_left_ms) / 1000.0);
    header(out, "ptp_cluster_standbys", "gauge", "The group's standbys registered in etcd.");
    out += fmt::format("ptp_cluster_standbys {}\n", g->standbys.size());
  }
  return out;
}

}  // namespace ptp::api
