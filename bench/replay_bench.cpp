// ptp-replay's goal: one month of 1-second prices (2.6 M ticks) for 10 positions and 3 plans in
// under 10 s; and what ptp-node --record costs a tick.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "bench/fixtures.hpp"
#include "bench/report.hpp"
#include "replay/run.hpp"
#include "replay/tick_recorder.hpp"

namespace ptp::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// A month of prices, one a second, as ptp-node records them. calm: a seeded walk of 0.005 % a
// second (about 1.5 % a day), stops 2 % to 8 % away: trades of days to weeks, few events. busy:
// 0.003 % a second on a steady rise (about +1.7 % a day), stops 0.5 % to 2 % away: the longs ride
// the rise for weeks, their trailing stops moving hundreds of times.
struct Case {
  const char* name;
  double volatility;   // per second
  double drift;        // per second
  double stop_bp;      // the first position's stop distance in basis points; the others 2x, 3x, 4x
};

// Writes the path; returns the price at each hour (the positions enter at the market price).
std::vector<double> write_prices(const std::string& path, std::size_t n, std::int64_t start_ms, const Case& c) {
  std::ofstream out(path);
  out << "ts_ms,symbol,price\n";
  std::mt19937_64 rng(42);
  std::normal_distribution<double> step(c.drift, c.volatility);
  double price = 2000;
  std::vector<double> hourly;
  for (std::size_t i = 0; i < n; ++i) {
    price *= 1.0 + step(rng);
    const auto cents = static_cast<long long>(std::llround(price * 100));
    if (i % 3600 == 0) hourly.push_back(static_cast<double>(cents) / 100);
    out << start_ms + static_cast<std::int64_t>(i) * 1000 << ",ETH_USDT," << cents / 100 << '.' << (cents % 100) / 10
        << cents % 10 << '\n';
  }
  return hourly;
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

// 10 positions: 5 long, 5 short, one an hour from the start at the price of that hour.
std::string positions_csv(std::int64_t start_ms, const std::vector<double>& hourly, const Case& c) {
  std::string out = "symbol,side,entry_time,entry,size,stop\n";
  for (int i = 0; i < 10; ++i) {
    const bool is_long = i % 2 == 0;
    const double entry = hourly.at(static_cast<std::size_t>(i));
    const double distance = entry * c.stop_bp * (1 + i % 4) / 10'000;
    out += fmt::format("ETH,{},{},{:.2f},3,{:.2f}\n", is_long ? "long" : "short",
                       start_ms + static_cast<std::int64_t>(i) * 3600'000, entry,
                       is_long ? entry - distance : entry + distance);
  }
  return out;
}

// The plan compared with the config's: the one shipped for ptp-replay --plan.
const std::string kOtherPlan = std::string(PTP_SOURCE_DIR) + "/configs/plans/half-at-1.5R.toml";

}  // namespace

void run_replay(Report& r, const Options& o) {
  std::printf("\n== replay: a month of 1-second prices, 10 positions, 3 plans (the config's, another, no partial take-profit) ==\n");
  const std::size_t n = o.quick ? 86'400 : 2'592'000;  // a day or 30 days of seconds
  const std::string dir = temp_dir("replay");
  std::filesystem::create_directories(dir);
  const std::int64_t start_ms = 1'704'067'200'000;
  const std::string cfg = dir + "/replay.toml", plan = kOtherPlan;
  std::ofstream(cfg) << kConfig;
  for (const Case& c : {Case{"calm", 0.00005, 0.0, 200}, Case{"busy", 0.00003, 0.0000002, 50}}) {
    const std::string prices = dir + "/ETHUSDT-1s-" + c.name + ".csv", positions = dir + "/positions-" + c.name + ".csv";
    const auto hourly = write_prices(prices, n, start_ms, c);
    std::ofstream(positions) << positions_csv(start_ms, hourly, c);
    replay::RunOptions opt;
    opt.config_path = cfg;
    opt.price_files = {prices};
    opt.plan_files = {plan};
    opt.positions_file = positions;
    const auto t0 = Clock::now();
    const replay::Report report = replay::run_replay(opt);
    const double total = seconds_since(t0);
    std::size_t trade_ticks = 0, evaluated = 0, stops = 0, stages = 0;
    for (const auto& p : report.positions)
      for (const auto& t : p.trades) {
        trade_ticks += t.ticks;
        evaluated += t.evaluated;
        stops += t.stops.size() - 1;
        stages += t.stages.size();
      }
    // The file's read and parse alone.
    const auto t1 = Clock::now();
    replay::PriceSet set;
    replay::load_prices(prices, std::nullopt, set);
    const double read_s = seconds_since(t1);
    std::printf("  %s: %zu prices, %zu positions x %zu plans: %.2f s in all (reading the file %.2f s: %.1f M prices/s)\n",
                c.name, n, report.positions.size(), report.plans.size(), total, read_s,
                static_cast<double>(n) / read_s / 1e6);
    std::printf("    %zu trade-ticks (prices inside a trade), %.1f M/s; %zu left the quiet band; %zu stages, %zu stop moves\n",
                trade_ticks, static_cast<double>(trade_ticks) / (total - read_s) / 1e6, evaluated, stages, stops);
    std::printf("    goal: a month (2.6 M ticks) x 10 positions x 3 plans < 10 s: %s\n",
                o.quick ? "(quick: one day only)" : total < 10 ? "met" : "NOT met");
    const std::string row = std::string(c.name) + "_month_10_positions_3_plans";
    r.add("replay", row, "prices", static_cast<double>(n));
    r.add("replay", row, "seconds", total);
    r.add("replay", row, "read_seconds", read_s);
    r.add("replay", row, "trade_ticks", static_cast<double>(trade_ticks));
    r.add("replay", row, "trade_ticks_per_s", static_cast<double>(trade_ticks) / (total - read_s));
    r.add("replay", row, "evaluated", static_cast<double>(evaluated));
    r.add("replay", row, "stop_moves", static_cast<double>(stops));
  }

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
