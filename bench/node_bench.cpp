// 2. Tick -> decision in process (the real actors), and 4. scale (start-up, RSS, LMDB size).
#include <caf/all.hpp>
#include <fmt/format.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "actors/node.hpp"
#include "bench/clock.hpp"
#include "bench/fixtures.hpp"
#include "bench/report.hpp"
#include "sim/sim_exchange.hpp"
#include "storage/history_store.hpp"

namespace ptp::bench {
namespace {


std::vector<core::Symbol> symbols(int n) {
  std::vector<core::Symbol> out;
  for (int i = 0; i < n; ++i) out.push_back(core::Symbol(fmt::format("S{:06}", i), "USDT"));
  return out;
}

config::SimSettings sim_settings(const std::vector<core::Symbol>& syms, bool with_positions) {
  config::SimSettings s;
  for (const auto& sym : syms) {
    s.instruments.push_back(config::SimInstrument{sym, filters(), core::Price::parse("100"), std::nullopt, std::nullopt});
    if (with_positions)
      s.positions.push_back(config::SimPosition{sym, core::Side::long_, core::Price::parse("100"), core::Qty::parse("1"),
                                                core::Price::parse("99"), std::nullopt});
  }
  return s;
}

storage::PositionRecord record_for(const core::Symbol& sym, std::uint32_t generation) {
  core::PositionKey key{core::Exchange::sim, "bench", sym, core::Side::long_, generation};
  auto a = core::adopt(key, core::Price::parse("100"), core::Qty::parse("1"), core::Price::parse("99"), std::nullopt,
                       filters());
  storage::PositionRecord r;
  r.position = *a.position;
  r.adopted_at = core::Clock::now();
  return r;
}

std::shared_ptr<actors::NodeSettings> observe_settings() {
  auto s = std::make_shared<actors::NodeSettings>();
  s->exchange = core::Exchange::sim;
  s->account = "bench";
  s->observe = true;  // crossing ticks are decided, never traded: the book stays the same all run
  s->metrics_interval = std::chrono::hours(24);
  // The bench measures the node's own path: adopting 1 000 positions in execute mode would otherwise
  // wait for the account's order budget (its figures are in the README's order-rate section).
  s->order_budget = {{1'000'000'000, std::chrono::seconds(1)}};
  return s;
}

struct LatencyRun {
  int positions, symbols;
  double rate;  // ticks/s offered; 0 = as fast as the sender can
  long ticks;
  bool spin = false;  // latency_mode = "spin" for this row
};

void tick_to_decision(Report& r, const Options& o, const LatencyRun& run) {
  const auto syms = symbols(run.symbols);
  const std::string dir = temp_dir("latency");
  auto settings = observe_settings();
  settings->set_symbols(syms);
  auto sim = std::make_shared<exchange::SimExchange>(sim_settings(syms, false));
  auto store = std::make_shared<storage::HistoryStore>(dir);
  caf::actor_system_config cfg;
  const bool spin = o.spin || run.spin;
  configure_bench_scheduler(cfg, o, spin);
  caf::actor_system sys{cfg};
  actors::NodeOptions options;
  options.with_scheduler = false;
  auto node = actors::start_node(sys, settings, sim, store, options);
  caf::scoped_actor self{sys};
  actors::PositionDeps deps{settings, node.exchange, node.persistence, node.metrics, node.market_data};
  std::vector<actors::position_actor> positions;
  for (int p = 0; p < run.positions; ++p) {
    const auto& sym = syms[static_cast<std::size_t>(p % run.symbols)];
    auto a = actors::spawn_position(sys, deps, record_for(sym, static_cast<std::uint32_t>(1 + p / run.symbols)), {}, filters());
    node.gate->hold(sym);
    self->send(node.market_data, actors::subscribe_atom_v, sym, a);
    positions.push_back(a);
  }
  for (auto& a : positions) self->request(a, caf::infinite, actors::idle_atom_v).receive([](bool) {}, [](caf::error&) {});

  // Ticks inside every band (99.50..100.49), and 1 in 100 above stage 1's trigger (101).
  const auto interval = run.rate > 0 ? static_cast<std::int64_t>(1e9 / run.rate) : 0;
  std::vector<core::PriceTick> prepared;
  for (long i = 0; i < 4096; ++i)
    prepared.push_back(core::PriceTick{syms[static_cast<std::size_t>(i % run.symbols)],
                                       i % 100 == 99 ? core::Price::parse("101.5")
                                                     : core::Price::from_units(9'950'000'000 + (i * 7919 % 100) * 1'000'000),
                                       0});
  // The driver thread feeds the node through the entry point a websocket thread uses
  // (actors::tick_sink), stamping each tick as it hands it over. It paces in bursts of what is due,
  // sleeping between them, as a socket read hands over what arrived (a spinning driver would take
  // one of this machine's two cores from the actors it measures).
  const auto sink = actors::tick_sink(node);
  const auto t0 = now_ns();
  long i = 0;
  while (i < run.ticks) {
    const long due = interval ? std::min(run.ticks, (now_ns() - t0) / interval + 1) : run.ticks;
    for (; i < due; ++i) {
      core::PriceTick t = prepared[static_cast<std::size_t>(i % 4096)];
      t.received_ns = now_ns();
      sink(t);
    }
    if (interval) std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  const auto sent_ns = now_ns() - t0;
  self->request(node.market_data, caf::infinite, actors::flush_atom_v).receive([](bool) {}, [](caf::error&) {});
  const auto done_ns = now_ns() - t0;
  actors::MetricsSnapshot m;
  self->request(node.metrics, caf::infinite, actors::get_atom_v)
      .receive([&](const actors::MetricsSnapshot& s) { m = s; }, [](caf::error&) {});
  const double offered = static_cast<double>(run.ticks) * 1e9 / static_cast<double>(sent_ns);
  const double processed = static_cast<double>(run.ticks) * 1e9 / static_cast<double>(done_ns);
  const auto& rt = m.routing_ns;
  const auto& d = m.decision_ns;
  const std::string row = fmt::format("{}pos_{}sym_{}{}", run.positions, run.symbols,
                                      run.rate > 0 ? fmt::format("{:.0f}tps", run.rate) : "max", spin ? "_spin" : "");
  fmt::print("{:>6} {:>6} {:>10} {:>10.0f} | {:>7.1f} {:>7.1f} {:>8.1f} {:>8.1f} | {:>7} {:>7.1f} {:>7.1f} {:>8.1f} {:>8.1f}{}\n",
             run.positions, run.symbols, run.rate > 0 ? fmt::format("{:.0f}", run.rate) : "max", processed,
             static_cast<double>(rt.percentile(0.5)) / 1e3, static_cast<double>(rt.percentile(0.99)) / 1e3,
             static_cast<double>(rt.percentile(0.999)) / 1e3, static_cast<double>(rt.max()) / 1e3, d.count(),
             static_cast<double>(d.percentile(0.5)) / 1e3, static_cast<double>(d.percentile(0.99)) / 1e3,
             static_cast<double>(d.percentile(0.999)) / 1e3, static_cast<double>(d.max()) / 1e3, spin ? "  spin" : "");
  r.add("tick_to_decision", row, "offered_ticks_per_s", offered);
  r.add("tick_to_decision", row, "processed_ticks_per_s", processed);
  r.add("tick_to_decision", row, "all_ticks_p50_us", static_cast<double>(rt.percentile(0.5)) / 1e3);
  r.add("tick_to_decision", row, "all_ticks_p99_us", static_cast<double>(rt.percentile(0.99)) / 1e3);
  r.add("tick_to_decision", row, "all_ticks_p999_us", static_cast<double>(rt.percentile(0.999)) / 1e3);
  r.add("tick_to_decision", row, "routed_decisions", static_cast<double>(d.count()));
  r.add("tick_to_decision", row, "routed_p50_us", static_cast<double>(d.percentile(0.5)) / 1e3);
  r.add("tick_to_decision", row, "routed_p99_us", static_cast<double>(d.percentile(0.99)) / 1e3);
  r.add("tick_to_decision", row, "routed_p999_us", static_cast<double>(d.percentile(0.999)) / 1e3);
  r.add("tick_to_decision", row, "routed_max_us", static_cast<double>(d.max()) / 1e3);
  for (auto& a : positions) self->send_exit(a, caf::exit_reason::user_shutdown);
  actors::stop_node(sys, node);
  std::filesystem::remove_all(dir);
}

// The floor under "reaching a position" in the sleep mode: how long the OS takes to run a thread
// that sleeps on a condition variable once another thread notifies it (every tick that reaches a
// position wakes a worker at least once at this rate). Measured in the same run, so a loaded
// machine shows in both.
void wake_up_floor(Report& r, int wakes) {
  std::mutex m;
  std::condition_variable cv;
  std::int64_t stamped = 0;  // guarded by m; 0 = nothing to take
  bool done = false;
  core::LatencyHistogram h;
  std::thread sleeper([&] {
    std::unique_lock lock(m);
    for (;;) {
      cv.wait(lock, [&] { return stamped != 0 || done; });
      if (stamped == 0) return;
      h.record(now_ns() - stamped);
      stamped = 0;
    }
  });
  for (int i = 0; i < wakes; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));  // the sleeper is asleep again
    {
      std::lock_guard lock(m);
      stamped = now_ns();
    }
    cv.notify_one();
  }
  {
    std::lock_guard lock(m);
    done = true;
  }
  cv.notify_one();
  sleeper.join();
  fmt::print("floor: a thread woken through a condition variable ({} wakes): p50 {:.1f} / p99 {:.1f} / p99.9 {:.1f} us\n",
             h.count(), static_cast<double>(h.percentile(0.5)) / 1e3, static_cast<double>(h.percentile(0.99)) / 1e3,
             static_cast<double>(h.percentile(0.999)) / 1e3);
  r.add("tick_to_decision", "wake_up_floor", "p50_us", static_cast<double>(h.percentile(0.5)) / 1e3);
  r.add("tick_to_decision", "wake_up_floor", "p99_us", static_cast<double>(h.percentile(0.99)) / 1e3);
  r.add("tick_to_decision", "wake_up_floor", "p999_us", static_cast<double>(h.percentile(0.999)) / 1e3);
}

struct StartupFigures {
  double ms = 0;
  double rss_mb = 0;
};

// A restart with n open positions in storage (n symbols, one each): from opening the store to the
// first reconcile's answer, every position resumed and its actor spawned.
StartupFigures scale_run(Report& r, const Options& o, int n) {
  const auto syms = symbols(n);
  const std::string dir = temp_dir("scale");
  auto settings = observe_settings();
  settings->set_symbols(syms);
  settings->plan.extreme_tp_r.reset();
  auto sim = std::make_shared<exchange::SimExchange>(sim_settings(syms, true));
  std::vector<storage::PositionRecord> records;
  for (const auto& s : syms) records.push_back(record_for(s, 1));
  double import_ms = 0;
  {
    storage::HistoryStore store(dir);
    const auto t0 = now_ns();
    store.import(records, {});
    import_ms = static_cast<double>(now_ns() - t0) / 1e6;
  }
  records.clear();
  records.shrink_to_fit();
  const auto rss0 = rss_bytes();
  const auto t0 = now_ns();
  auto store = std::make_shared<storage::HistoryStore>(dir);
  caf::actor_system_config cfg;
  configure_bench_scheduler(cfg, o);
  caf::actor_system sys{cfg};
  actors::NodeOptions options;
  options.with_scheduler = false;
  auto node = actors::start_node(sys, settings, sim, store, options);
  caf::scoped_actor self{sys};
  actors::ReconcileReport rep;
  self->request(node.registry, caf::infinite, actors::reconcile_atom_v)
      .receive([&](const actors::ReconcileReport& x) { rep = x; }, [](caf::error&) {});
  StartupFigures f;
  f.ms = static_cast<double>(now_ns() - t0) / 1e6;
  f.rss_mb = static_cast<double>(rss_bytes() - rss0) / 1048576.0;
  fmt::print("{:>8} positions: resumed {} from LMDB and spawned their actors in {:.2f} s ({:.3f} ms per position), "
             "+{:.1f} MB RSS (import of the records: {:.0f} ms, one transaction)\n",
             n, rep.resumed, f.ms / 1e3, f.ms / n, f.rss_mb, import_ms);
  const std::string row = fmt::format("{}_positions", n);
  r.add("scale", row, "startup_ms", f.ms);
  r.add("scale", row, "startup_ms_per_position", f.ms / n);
  r.add("scale", row, "rss_mb", f.rss_mb);
  r.add("scale", row, "resumed", rep.resumed);
  if (rep.resumed != n) fmt::print("  unexpected: {} of {} positions resumed\n", rep.resumed, n);
  actors::stop_node(sys, node);
  std::filesystem::remove_all(dir);
  return f;
}

void first_adoption(Report& r, const Options& o, int n) {
  const auto syms = symbols(n);
  const std::string dir = temp_dir("adopt");
  auto settings = observe_settings();
  settings->observe = false;  // places the extreme take-profit and writes each record synced
  settings->set_symbols(syms);
  auto sim = std::make_shared<exchange::SimExchange>(sim_settings(syms, true));
  auto store = std::make_shared<storage::HistoryStore>(dir);
  caf::actor_system_config cfg;
  configure_bench_scheduler(cfg, o);
  caf::actor_system sys{cfg};
  actors::NodeOptions options;
  options.with_scheduler = false;
  auto node = actors::start_node(sys, settings, sim, store, options);
  caf::scoped_actor self{sys};
  const auto t0 = now_ns();
  actors::ReconcileReport rep;
  self->request(node.registry, caf::infinite, actors::reconcile_atom_v)
      .receive([&](const actors::ReconcileReport& x) { rep = x; }, [](caf::error&) {});
  const double ms = static_cast<double>(now_ns() - t0) / 1e6;
  fmt::print("{:>8} positions adopted for the first time (take-profit placed, record synced each): {:.0f} ms, "
             "{:.2f} ms per position\n",
             rep.adopted, ms, ms / std::max(1, rep.adopted));
  r.add("scale", fmt::format("{}_first_adoption", n), "ms", ms);
  r.add("scale", fmt::format("{}_first_adoption", n), "ms_per_position", ms / std::max(1, rep.adopted));
  actors::stop_node(sys, node);
  std::filesystem::remove_all(dir);
}

void lmdb_size(Report& r) {
  const std::string dir = temp_dir("size");
  storage::HistoryStore store(dir);
  const auto before = store.bytes_used();
  std::vector<storage::StageRecord> stages;
  for (int i = 0; i < 1000; ++i) {
    storage::StageRecord s;
    s.key = record_for(core::Symbol(fmt::format("S{:06}", i / 3), "USDT"), 1).position.key;
    s.stage = core::StageId{static_cast<std::uint8_t>(1 + i % 3)};
    s.at = core::Clock::now();
    s.mark = core::Price::parse("101.25");
    s.planned_qty = s.closed_qty = core::Qty::parse("0.333");
    s.fill_price = core::Price::parse("101.24");
    s.close_client_id = "ptp-0123456789abcdef-1-c";
    s.stop_client_id = "ptp-0123456789abcdef-1-s";
    s.tp_client_id = "ptp-0123456789abcdef-1-t";
    s.state = storage::StageState::done;
    stages.push_back(s);
  }
  store.import({}, stages);
  const double kb = static_cast<double>(store.bytes_used() - before) / 1024.0;
  fmt::print("LMDB: {:.0f} KiB per 1 000 stage records (the dedupe record plus its history event)\n", kb);
  r.add("scale", "lmdb_per_1000_stage_records", "kib", kb);
  std::filesystem::remove_all(dir);
}

}  // namespace

void configure_bench_scheduler(caf::actor_system_config& cfg, const Options& o, bool spin) {
  actors::configure_scheduler(cfg, spin ? config::LatencyMode::spin : config::LatencyMode::sleep);
  for (const auto& [key, value] : o.caf_settings) {
    const auto unit = value.size() > 2 ? value.substr(value.size() - 2) : std::string{};
    if (unit == "us" || unit == "ms") {
      const auto n = std::stoll(value.substr(0, value.size() - 2));
      cfg.set(key, caf::timespan{unit == "us" ? std::chrono::microseconds(n) : std::chrono::milliseconds(n)});
    } else {
      cfg.set(key, static_cast<std::size_t>(std::stoull(value)));
    }
  }
}

void run_tick_to_decision(Report& r, const Options& o) {
  std::vector<LatencyRun> runs;
  const long n = o.quick ? 20'000 : 300'000;
  if (o.focus) {
    runs = {{1000, 100, 100'000, n}};
  } else if (o.quick) {
    runs = {{1, 1, 100'000, n}, {1000, 100, 100'000, n}, {1000, 100, 0, n}};
  } else {
    runs = {{1, 1, 100'000, n},         {100, 10, 100'000, n},     {100, 100, 100'000, n},
            {1000, 10, 100'000, n},     {1000, 100, 100'000, n},   {1000, 1000, 100'000, n},
            {10000, 100, 100'000, n},   {10000, 1000, 100'000, n}, {1000, 100, 0, 1'000'000},
            {1000, 100, 100'000, n, true}};
  }
  fmt::print("\n2. Tick -> decision in process (real actors, fed through tick_sink as a websocket thread feeds "
             "them; 1 tick in 100 crosses stage 1's trigger)\n");
  fmt::print("{:>6} {:>6} {:>10} {:>10} | {:^33} | {:^42}\n", "pos", "syms", "offered/s", "handled/s",
             "every tick: to its routing (us)", "ticks reaching a position actor (us)");
  fmt::print("{:>6} {:>6} {:>10} {:>10} | {:>7} {:>7} {:>8} {:>8} | {:>7} {:>7} {:>7} {:>8} {:>8}\n", "", "", "", "", "p50",
             "p99", "p99.9", "max", "count", "p50", "p99", "p99.9", "max");
  for (const auto& run : runs) tick_to_decision(r, o, run);
  wake_up_floor(r, o.quick ? 2'000 : 10'000);
}

void run_scale(Report& r, const Options& o) {
  fmt::print("\n4. Scale\n");
  // Two sizes ten times apart: linear start-up shows as a ratio near 10.
  const int small = o.quick ? 1'000 : 10'000, large = small * 10;
  const auto a = scale_run(r, o, small);
  const auto b = scale_run(r, o, large);
  fmt::print("start-up {} / {} positions: {:.1f}x the time for 10x the positions (10 = linear)\n", large, small,
             b.ms / a.ms);
  r.add("scale", "startup_ratio", fmt::format("{}_over_{}", large, small), b.ms / a.ms);
  first_adoption(r, o, o.quick ? 100 : 1'000);
  lmdb_size(r);
}

}  // namespace ptp::bench
