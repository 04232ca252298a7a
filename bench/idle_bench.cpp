// 6. Idle cost: what a node costs while prices are quiet. The node is the real actor system with the
// settings ptp-node uses (configure_scheduler, the health-check scheduler, the metrics actor), four
// symbols with one position each, fed 20 ticks/s inside every quiet band from a plain thread, as a
// websocket thread feeds it.
#include <caf/all.hpp>
#include <fmt/format.h>
#include <sys/resource.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "actors/node.hpp"
#include "bench/clock.hpp"
#include "bench/fixtures.hpp"
#include "bench/report.hpp"
#include "sim/sim_exchange.hpp"
#include "storage/history_store.hpp"

namespace ptp::bench {
namespace {

double cpu_seconds(int who) {
  rusage u{};
  ::getrusage(who, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

config::SimSettings idle_sim(const std::vector<core::Symbol>& syms) {
  config::SimSettings s;
  const auto f = core::InstrumentFilters::in_base_units(core::Price::parse("0.01"), core::Qty::parse("0.001"),
                                                        core::Qty::parse("0.001"), core::Notional{});
  for (const auto& sym : syms) {
    s.instruments.push_back(config::SimInstrument{sym, f, core::Price::parse("100"), std::nullopt, std::nullopt});
    s.positions.push_back(config::SimPosition{sym, core::Side::long_, core::Price::parse("100"), core::Qty::parse("1"),
                                              core::Price::parse("99"), std::nullopt});
  }
  return s;
}

struct IdleFigures {
  double process_pct;  // every thread of the process, the feeding thread included
  double feeder_pct;   // the feeding thread alone (a websocket thread's share, minus its parsing)
  std::size_t workers;
};

IdleFigures idle_run(const Options& o, bool spin, double seconds, double ticks_per_s) {
  std::vector<core::Symbol> syms;
  for (const char* b : {"BTC", "ETH", "SOL", "XRP"}) syms.emplace_back(b, "USDT");
  const std::string dir = temp_dir("idle");
  auto settings = std::make_shared<actors::NodeSettings>();
  settings->exchange = core::Exchange::sim;
  settings->account = "bench";
  settings->set_symbols(syms);
  auto sim = std::make_shared<exchange::SimExchange>(idle_sim(syms));
  auto store = std::make_shared<storage::HistoryStore>(dir);
  IdleFigures out{};
  {
    caf::actor_system_config cfg;
    configure_bench_scheduler(cfg, o, spin);
    caf::actor_system sys{cfg};
    auto node = actors::start_node(sys, settings, sim, store, actors::NodeOptions{});
    {
      caf::scoped_actor self{sys};
      self->request(node.registry, caf::infinite, actors::reconcile_atom_v).receive([](const actors::ReconcileReport&) {},
                                                                                  [](caf::error&) {});
    }
    const auto sink = actors::tick_sink(node);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // start-up work has settled
    std::atomic<double> feeder_cpu{0};
    const double cpu0 = cpu_seconds(RUSAGE_SELF);
    const auto t0 = now_ns();
    std::thread feeder([&] {
      const double f0 = cpu_seconds(RUSAGE_THREAD);
      const auto interval = static_cast<std::int64_t>(1e9 / ticks_per_s);
      const auto end = t0 + static_cast<std::int64_t>(seconds * 1e9);
      for (long i = 0;; ++i) {
        const auto due = t0 + i * interval;
        if (due >= end) break;
        std::this_thread::sleep_for(std::chrono::nanoseconds(std::max<std::int64_t>(0, due - now_ns())));
        // inside every band: 99.50 .. 100.49 (stage 1 triggers at 101, the stop is at 99)
        sink(core::PriceTick{syms[static_cast<std::size_t>(i) % syms.size()],
                             core::Price::from_units(9'950'000'000 + (i * 7919 % 100) * 1'000'000), now_ns()});
      }
      feeder_cpu = cpu_seconds(RUSAGE_THREAD) - f0;
    });
    feeder.join();
    const double wall = static_cast<double>(now_ns() - t0) / 1e9;
    const double cpu = cpu_seconds(RUSAGE_SELF) - cpu0;
    out = IdleFigures{100.0 * cpu / wall, 100.0 * feeder_cpu.load() / wall, sys.scheduler().num_workers()};
    actors::stop_node(sys, node);
  }
  std::filesystem::remove_all(dir);
  return out;
}

}  // namespace

void run_idle(Report& r, const Options& o) {
  const double seconds = o.quick ? 1.5 : 10.0;
  fmt::print("\n6. Idle cost: 4 symbols, one position each, 20 ticks/s inside every band, {:.1f} s "
             "(CPU seconds per wall second, getrusage)\n",
             seconds);
  for (const bool spin : {false, true}) {
    const auto f = idle_run(o, spin, seconds, 20.0);
    const char* mode = spin ? "spin" : "sleep";
    fmt::print("latency_mode {:<5}: process {:.2f} % of a core (of which the feeding thread {:.2f} %); node without the "
               "feeder: {:.2f} % ({} scheduler workers)\n",
               mode, f.process_pct, f.feeder_pct, f.process_pct - f.feeder_pct, f.workers);
    const std::string row = fmt::format("4sym_20tps_{}", mode);
    r.add("idle", row, "process_cpu_pct", f.process_pct);
    r.add("idle", row, "feeder_cpu_pct", f.feeder_pct);
    r.add("idle", row, "node_cpu_pct", f.process_pct - f.feeder_pct);
  }
}

}  // namespace ptp::bench
