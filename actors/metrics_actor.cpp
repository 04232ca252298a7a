// The metrics actor: outcome counts per caller, ticks, tick-to-decision latency; one JSON line and
// one human summary line to the log every metrics interval. It also runs the rollout guard: past the
// configured executions or failures in an hour, it records a switch to observe (by "guard") and
// switches the node, with one alert line.
#include <caf/all.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "actors/error_text.hpp"
#include "actors/spawn.hpp"
#include "core/rollout_guard.hpp"
#include "core/tick_gate.hpp"

namespace ptp::actors {
namespace {

struct metrics_state {
  SettingsPtr settings;
  std::shared_ptr<core::TickGate> gate;  // ticks decided quiet on the feeding threads
  std::optional<persistence_actor> persistence;  // where the guard records its switch
  core::RolloutGuard guard{core::GuardLimits{}};
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
  s.guard_executions = st.guard.executions(core::RolloutGuard::Clock::now());
  s.guard_failures = st.guard.failures(core::RolloutGuard::Clock::now());
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

using self_ptr = metrics_actor::stateful_pointer<metrics_state>;

// The guard tripped: the node observes at once, and the switch is recorded so that it outlives a
// restart (a record that fails leaves the node observing until then).
void trip_guard(self_ptr self, const std::string& why) {
  const bool was_observing = self->state.settings->observe;
  self->state.settings->observe.set(true);
  self->state.totals.guard_trip = why;
  spdlog::critical("[guard] ALERT {}: the node switched to observe mode until an operator switches it back{}", why,
                   was_observing ? " (it was observing already)" : "");
  if (!self->state.persistence) return;
  core::ModeChange change{true, "guard", "rollout guard: " + why, core::Clock::now()};
  self->request(*self->state.persistence, caf::infinite, mode_atom_v, change)
      .then([](bool) {},
            [](caf::error& e) {
              spdlog::error("[guard] the switch to observe could not be recorded (it holds until a restart): {}",
                            describe(e));
            });
}

metrics_actor::behavior_type metrics(self_ptr self, SettingsPtr settings, std::shared_ptr<core::TickGate> gate,
                                     std::optional<persistence_actor> persistence) {
  self->state.settings = settings;
  self->state.gate = std::move(gate);
  self->state.persistence = std::move(persistence);
  self->state.guard = core::RolloutGuard(settings->guard);
  self->delayed_send(self, settings->metrics_interval, flush_atom_v);
  return {
      [=](outcome_atom, core::Caller c, core::OutcomeKind k) {
        ++self->state.totals.counts[static_cast<int>(c)][static_cast<int>(k)];
        if (auto why = self->state.guard.record(k, core::RolloutGuard::Clock::now())) trip_guard(self, *why);
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

metrics_actor spawn_metrics(caf::actor_system& sys, SettingsPtr settings, std::shared_ptr<core::TickGate> gate,
                            std::optional<persistence_actor> persistence) {
  return sys.spawn(metrics, std::move(settings), std::move(gate), std::move(persistence));
}

}  // namespace ptp::actors
