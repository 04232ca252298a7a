// ptp-replay's goal: one month of 1-second prices (2.6 M ticks) for 10 positions and 3 plans in
// under 10 s; and what ptp-node --record costs a tick.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "bench/fixtures.hpp"
#include "bench/report.hpp"
#include "replay/run.hpp"
#include "replay/tick_recorder.hpp"

namespace ptp::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// A seeded random walk from 2000 (0.005 % per second: about 1.5 % a day), one price a second, as
// ptp-node records.
void write_prices(const std::string& path, std::size_t n, std::int64_t start_ms) {
  std::ofstream out(path);
  out << "ts_ms,symbol,price\n";
  std::mt19937_64 rng(42);
  std::normal_distribution<double> step(0.0, 0.00005);
  double price = 2000;
  std::string line;
  for (std::size_t i = 0; i < n; ++i) {
    price *= 1.0 + step(rng);
    const auto cents = static_cast<long long>(std::llround(price * 100));
    out << start_ms + static_cast<std::int64_t>(i) * 1000 << ",ETH_USDT," << cents / 100 << '.' << (cents % 100) / 10
        << cents % 10 << '\n';
  }
}

// The instrument; the positions come as a file (a config holds one position per symbol and side).
const char* kConfig = R"([node]
exchange = "sim"
account = "bench"
mode = "execute"
storage_path = "unused"
symbols = ["ETH"]
[sim]
[[sim.instrument]]
symbol = "ETH"
tick_size = "0.01"
step_size = "0.001"
)";

// 10 positions: 5 long, 5 short, one an hour from the start, stops 2 % to 8 % away (trades of days
// to weeks: most of the month is inside a trade).
std::string positions_csv(std::int64_t start_ms) {
  std::string c = "symbol,side,entry_time,entry,size,stop\n";
  for (int i = 0; i < 10; ++i) {
    const bool is_long = i % 2 == 0;
    const int pct = 1 + i % 4;
    c += fmt::format("ETH,{},{},2000,3,{}\n", is_long ? "long" : "short",
                     start_ms + static_cast<std::int64_t>(i) * 3600'000,
                     is_long ? 2000 - 40 * pct : 2000 + 40 * pct);
  }
  return c;
}

const char* kOtherPlan = R"([plan]
extreme_tp_r = 4
[[plan.stage]]
trigger_r = "1.5"
close_fraction = "1/2"
move_stop_to_r = 0
trail_r = "0.5"
)";

}  // namespace

void run_replay(Report& r, const Options& o) {
  std::printf("\n== replay: a month of 1-second prices, 10 positions, 3 plans (the config's, another, no partial take-profit) ==\n");
  const std::size_t n = o.quick ? 86'400 : 2'592'000;  // a day or 30 days of seconds
  const std::string dir = temp_dir("replay");
  std::filesystem::create_directories(dir);
  const std::int64_t start_ms = 1'704'067'200'000;
  const std::string prices = dir + "/ETHUSDT-1s.csv", cfg = dir + "/replay.toml", plan = dir + "/other.toml",
                    positions = dir + "/positions.csv";
  write_prices(prices, n, start_ms);
  std::ofstream(cfg) << kConfig;
  std::ofstream(plan) << kOtherPlan;
  std::ofstream(positions) << positions_csv(start_ms);

  replay::RunOptions opt;
  opt.config_path = cfg;
  opt.price_files = {prices};
  opt.plan_files = {plan};
  opt.positions_file = positions;
  const auto t0 = Clock::now();
  const replay::Report report = replay::run_replay(opt);
  const double total = seconds_since(t0);
  const auto t1 = Clock::now();
  replay::write_report(report, dir + "/out");
  const double write_s = seconds_since(t1);
  std::size_t trade_ticks = 0, evaluated = 0;
  for (const auto& p : report.positions)
    for (const auto& t : p.trades) {
      trade_ticks += t.ticks;
      evaluated += t.evaluated;
    }
  // The file's read and parse alone.
  const auto t2 = Clock::now();
  replay::PriceSet set;
  replay::load_prices(prices, std::nullopt, set);
  const double read_s = seconds_since(t2);
  std::printf("  %zu prices, %zu positions x %zu plans: %.2f s in all (reading the file %.2f s), report written in %.2f s\n",
              n, report.positions.size(), report.plans.size(), total, read_s, write_s);
  std::printf("  %.1f M prices/s read; %.1f M trade-ticks/s replayed (%zu trade-ticks, %zu of them left the quiet band)\n",
              static_cast<double>(n) / read_s / 1e6, static_cast<double>(trade_ticks) / (total - read_s) / 1e6,
              trade_ticks, evaluated);
  std::printf("  goal: a month (2.6 M ticks) x 10 positions x 3 plans < 10 s: %s\n",
              o.quick ? "(quick: one day only)" : total < 10 ? "met" : "NOT met");
  r.add("replay", "month_10_positions_3_plans", "prices", static_cast<double>(n));
  r.add("replay", "month_10_positions_3_plans", "seconds", total);
  r.add("replay", "month_10_positions_3_plans", "read_seconds", read_s);
  r.add("replay", "month_10_positions_3_plans", "trade_ticks", static_cast<double>(trade_ticks));
  r.add("replay", "month_10_positions_3_plans", "trade_ticks_per_s", static_cast<double>(trade_ticks) / (total - read_s));
  r.add("replay", "month_10_positions_3_plans", "evaluated", static_cast<double>(evaluated));

  // ptp-node --record: what a tick costs the feeding thread (format into the buffer under a lock).
  const std::size_t m = o.quick ? 200'000 : 2'000'000;
  const core::PriceTick tick{core::Symbol::parse("ETH"), core::Price::parse("2281.57"), 0};
  {
    replay::TickRecorder rec(dir + "/record.csv");
    const auto t3 = Clock::now();
    for (std::size_t i = 0; i < m; ++i) rec.record(tick, start_ms + static_cast<std::int64_t>(i));
    const double ns = seconds_since(t3) * 1e9 / static_cast<double>(m);
    std::printf("  ptp-node --record: %.0f ns per tick on the feeding thread (%zu ticks; the file is written by its own thread)\n",
                ns, m);
    r.add("replay", "record", "ns_per_tick", ns);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace ptp::bench
