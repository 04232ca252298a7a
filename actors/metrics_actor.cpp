// The metrics actor: outcome counts per caller, ticks, tick-to-decision latency; one JSON line and
// one human summary line to the log every metrics interval.
#include <caf/all.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "actors/spawn.hpp"

namespace ptp::actors {
namespace {

constexpr std::size_t kLatencySamples = 1 << 16;  // the most recent decisions, for percentiles

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct metrics_state {
  SettingsPtr settings;
  MetricsSnapshot totals;
  std::vector<std::int64_t> latencies;  // ring buffer
  std::size_t next_latency = 0;
  std::int64_t last_tick_ns = 0;
  static inline const char* name = "metrics";
};

MetricsSnapshot snapshot(metrics_state& st) {
  MetricsSnapshot s = st.totals;
  if (!st.latencies.empty()) {
    std::vector<std::int64_t> sorted = st.latencies;
    std::sort(sorted.begin(), sorted.end());
    auto pct = [&](double p) { return sorted[static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1))]; };
    s.latency_p50_ns = pct(0.50);
    s.latency_p99_ns = pct(0.99);
    s.latency_max_ns = sorted.back();
  }
  s.stream_age_ms = st.last_tick_ns == 0 ? -1 : (steady_ns() - st.last_tick_ns) / 1'000'000;
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
  spdlog::info(R"(metrics {{"ticks":{},"decisions":{},"latency_ns":{{"p50":{},"p99":{},"max":{}}},"stream_age_ms":{},"reconnects":{},"callers":{{{}}},"success_rate":{:.3f}}})",
               s.ticks, s.decisions, s.latency_p50_ns, s.latency_p99_ns, s.latency_max_ns, s.stream_age_ms,
               s.stream_reconnects, callers, rate);
  spdlog::info("summary: {} ticks, {} stages executed, {} failed, {} skipped as recently_executed/in_progress, "
               "tick-to-decision p50 {:.1f} us p99 {:.1f} us, stream age {} ms",
               s.ticks, executed, failed, skips, static_cast<double>(s.latency_p50_ns) / 1000.0,
               static_cast<double>(s.latency_p99_ns) / 1000.0, s.stream_age_ms);
}

namespace {

metrics_actor::behavior_type metrics(metrics_actor::stateful_pointer<metrics_state> self, SettingsPtr settings) {
  self->state.settings = settings;
  self->delayed_send(self, settings->metrics_interval, flush_atom_v);
  return {
      [=](outcome_atom, core::Caller c, core::OutcomeKind k) {
        ++self->state.totals.counts[static_cast<int>(c)][static_cast<int>(k)];
      },
      [=](latency_atom, std::int64_t ns) {
        auto& st = self->state;
        ++st.totals.decisions;
        if (st.latencies.size() < kLatencySamples) st.latencies.push_back(ns);
        else st.latencies[st.next_latency++ % kLatencySamples] = ns;
      },
      [=](tick_atom, std::int64_t count) {
        self->state.totals.ticks += static_cast<std::uint64_t>(count);
        self->state.last_tick_ns = steady_ns();
      },
      [=](flush_atom) {
        log_metrics(snapshot(self->state));
        self->delayed_send(self, self->state.settings->metrics_interval, flush_atom_v);
      },
      [=](get_atom) { return snapshot(self->state); },
  };
}

}  // namespace

metrics_actor spawn_metrics(caf::actor_system& sys, SettingsPtr settings) {
  return sys.spawn(metrics, std::move(settings));
}

}  // namespace ptp::actors
