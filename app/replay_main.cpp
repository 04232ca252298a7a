// ptp-replay: each plan over recorded prices, through the node's own position logic, on a
// virtual clock; writes DIR/report.json and DIR/report.html.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "replay/run.hpp"

namespace {

const char* kUsage =
    "usage: ptp-replay --config FILE --prices FILE... [--plan OTHER.toml ...] [--positions FILE.csv]\n"
    "                  [--symbol SYMBOL] [--bar-path worst|best] [--progress] --out DIR\n"
    "\n"
    "  --config FILE      the node's TOML config: its [plan], [[sim.instrument]] filters and [[sim.position]]s\n"
    "  --prices FILE...   ptp-node --record files (ts_ms,symbol,price) and Binance public-data CSV files\n"
    "                     (klines, mark-price klines, aggTrades; with or without their header)\n"
    "  --plan FILE        another plan to compare (a TOML file with a [plan] table); repeatable\n"
    "  --positions FILE   positions to replay instead of the config's: CSV symbol,side,entry_time,entry,size,stop\n"
    "  --symbol SYMBOL    the instrument of the Binance files (default: from the file name, BTCUSDT-1m-...)\n"
    "  --bar-path P       how a bar is walked: worst (default: against the position first) or best\n"
    "  --progress         a progress bar on stderr even when it is not a terminal\n"
    "  --out DIR          where report.json and report.html go (replaced as a whole)\n"
    "\n"
    "Always replayed beside the plans: \"no partial take-profit\" (initial stop and extreme take-profit only).\n"
    "Exit codes: 0 done, 1 bad input (the message names file and line), 2 usage.\n";

struct Usage {
  std::string what;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace ptp;
  replay::RunOptions o;
  std::string out;
  bool progress = isatty(STDERR_FILENO) != 0;
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    auto value = [&](std::size_t& i) -> const std::string& {
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0) throw Usage{args[i] + " needs a value"};
      return args[++i];
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a == "--help" || a == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
      } else if (a == "--config") {
        o.config_path = value(i);
      } else if (a == "--prices") {
        o.price_files.push_back(value(i));
        while (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) o.price_files.push_back(args[++i]);
      } else if (a == "--plan") {
        o.plan_files.push_back(value(i));
      } else if (a == "--positions") {
        o.positions_file = value(i);
      } else if (a == "--symbol") {
        try {
          o.symbol = core::Symbol::parse(value(i));
        } catch (const core::SymbolError& e) {
          throw Usage{std::string("--symbol: ") + e.what()};
        }
      } else if (a == "--bar-path") {
        const std::string& v = value(i);
        if (v == "worst") o.bar_path = replay::BarPath::worst;
        else if (v == "best") o.bar_path = replay::BarPath::best;
        else throw Usage{"--bar-path: expected worst or best, got \"" + v + "\""};
      } else if (a == "--progress") {
        progress = true;
      } else if (a == "--out") {
        out = value(i);
      } else {
        throw Usage{"unknown argument \"" + a + "\""};
      }
    }
    if (o.config_path.empty()) throw Usage{"--config FILE is required"};
    if (o.price_files.empty()) throw Usage{"--prices FILE... is required"};
    if (out.empty()) throw Usage{"--out DIR is required"};
  } catch (const Usage& u) {
    std::fprintf(stderr, "ptp-replay: %s\n\n%s", u.what.c_str(), kUsage);
    return 2;
  }
  if (progress)
    o.progress = [](std::size_t done, std::size_t total) {
      constexpr int kWidth = 40;
      const int filled = static_cast<int>(kWidth * done / (total ? total : 1));
      std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu trades", filled, "########################################",
                   kWidth - filled, "", done, total);
      if (done == total) std::fputc('\n', stderr);
      std::fflush(stderr);
    };
  try {
    replay::check_out_dir(out);  // before the replay's work, not after it
    const replay::Report report = replay::run_replay(o);
    replay::write_report(report, out);
    for (const auto& s : replay::summarize(report))
      std::printf("%-32s trades %zu  total %+.2fR  average %+.2fR  win rate %.0f%%  worst %+.2fR  vs no partial %+.2fR\n",
                  s.plan.c_str(), s.trades, s.total_r, s.average_r, s.win_rate * 100, s.worst_r, s.vs_baseline_r);
    std::printf("%zu prices, %zu position(s) x %zu plan(s) in %.2f s; report in %s/report.html\n", report.ticks,
                report.positions.size(), report.plans.size(), report.seconds, out.c_str());
    return 0;
  } catch (const replay::InputError& e) {
    std::fprintf(stderr, "ptp-replay: %s\n", e.what());
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "ptp-replay: %s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ptp-replay: %s\n", e.what());
  }
  return 1;
}
