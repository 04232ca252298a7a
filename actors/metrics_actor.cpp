// The metrics actor: outcome counts per caller, ticks, tick-to-decision latency; one JSON line and
// one human summary line to the log every metrics interval.
#include <caf/all.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "actors/spawn.hpp"
#include "core/tick_gate.hpp"

namespace ptp::actors {
namespace {

struct metrics_state {
  SettingsPtr settings;
  std::shared_ptr<core::TickGate> gate;  // ticks decided quiet on the feeding threads
  MetricsSnapshot totals;
  std::int64_t last_tick_ns = 0;
  static inline const char* name = "metrics";
};

MetricsSnapshot snapshot(metrics_state& st) {
  const auto quiet = st.gate->take_quiet();
  st.totals.ticks += quiet.ticks;
  st.totals.routing_ns.merge(quiet.decide_ns);
  st.last_tick_ns = std::max(st.last_tick_ns, quiet.newest_ns);
  MetricsSnapshot s = st.totals;
  s.stream_age_ms = st.last_tick_ns == 0 ? -1 : (core::steady_now_ns() - st.last_tick_ns) / 1'000'000;
  return s;
}

}  // namespace

void log_metrics(const MetricsSnapshot& s) {
  std::string callers;
  std::uint64_t executed = 0, failed = 0, skips = 0;
  for (core::Caller c : core::kAllCallers) {
    const auto& row = s.counts[static_cast<int>(c)];
    std::string fields;
    for (int k = 0; k < core::kOutcomeKinds; ++k)
      if (row[k]) fields += fmt::format("{}\"{}\":{}", fields.empty() ? "" : ",", core::to_string(static_cast<core::OutcomeKind>(k)), row[k]);
    callers += fmt::format("{}\"{}\":{{{}}}", callers.empty() ? "" : ",", core::to_string(c), fields);
    executed += row[static_cast<int>(core::OutcomeKind::success)] + row[static_cast<int>(core::OutcomeKind::skipped)];
    failed += row[static_cast<int>(core::OutcomeKind::failed)];
    skips += row[static_cast<int>(core::OutcomeKind::recently_executed)] + row[static_cast<int>(core::OutcomeKind::in_progress)];
  }
  const double rate = executed + failed == 0 ? 1.0 : static_cast<double>(executed) / static_cast<double>(executed + failed);
  const auto& d = s.decision_ns;
  const auto& r = s.routing_ns;
  spdlog::info(R"(metrics {{"ticks":{},"decisions":{},"decision_latency_ns":{{"p50":{},"p99":{},"p999":{},"max":{}}},"routing_latency_ns":{{"p50":{},"p99":{},"max":{}}},"stream_age_ms":{},"reconnects":{},"callers":{{{}}},"success_rate":{:.3f},"order_budget":{{"waits":{},"wait_max_ms":{}}}}})",
               s.ticks, s.decisions, d.percentile(0.5), d.percentile(0.99), d.percentile(0.999), d.max(),
               r.percentile(0.5), r.percentile(0.99), r.max(), s.stream_age_ms, s.stream_reconnects, callers, rate, s.budget_waits,
               s.budget_wait_max_ms);
  spdlog::info("summary: {} ticks ({} reached a position), {} stages executed, {} failed, {} answered "
               "recently_executed/in_progress, tick-to-decision p50 {:.1f} us p99 {:.1f} us, stream age {} ms",
               s.ticks, s.decisions, executed, failed, skips, static_cast<double>(d.percentile(0.5)) / 1000.0,
               static_cast<double>(d.percentile(0.99)) / 1000.0, s.stream_age_ms);
}

namespace {

metrics_actor::behavior_type metrics(metrics_actor::stateful_pointer<metrics_state> self, SettingsPtr settings,
                                     std::shared_ptr<core::TickGate> gate) {
  self->state.settings = settings;
  self->state.gate = std::move(gate);
  self->delayed_send(self, settings->metrics_interval, flush_atom_v);
  return {
      [=](outcome_atom, core::Caller c, core::OutcomeKind k) {
        ++self->state.totals.counts[static_cast<int>(c)][static_cast<int>(k)];
      },
      [=](latency_atom, std::int64_t ns) {
        ++self->state.totals.decisions;
        self->state.totals.decision_ns.record(ns);
      },
      [=](tick_atom, std::int64_t count, const core::LatencyHistogram& routing) {
        self->state.totals.ticks += static_cast<std::uint64_t>(count);
        self->state.totals.routing_ns.merge(routing);
        self->state.last_tick_ns = core::steady_now_ns();
      },
      [=](budget_atom, std::int64_t waited_ns) {
        ++self->state.totals.budget_waits;
        self->state.totals.budget_wait_max_ms = std::max(self->state.totals.budget_wait_max_ms, waited_ns / 1'000'000);
      },
      [=](flush_atom) {
        log_metrics(snapshot(self->state));
        self->delayed_send(self, self->state.settings->metrics_interval, flush_atom_v);
      },
      [=](get_atom) { return snapshot(self->state); },
  };
}

}  // namespace

metrics_actor spawn_metrics(caf::actor_system& sys, SettingsPtr settings, std::shared_ptr<core::TickGate> gate) {
  return sys.spawn(metrics, std::move(settings), std::move(gate));
}

}  // namespace ptp::actors
