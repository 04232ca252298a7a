// 1. Parse: websocket frames into exact ticks with simdjson, and parse + route on one core.
#include <fmt/format.h>

#include <vector>

#include "bench/clock.hpp"
#include "bench/report.hpp"
#include "core/band_router.hpp"
#include "exchange/binance/frames.hpp"
#include "exchange/gateio/frames.hpp"

namespace ptp::bench {
namespace {

const char* kMark =
    R"({"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000","i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000})";
const char* kBook =
    R"({"e":"bookTicker","u":400900217,"E":1568014460893,"T":1568014460891,"s":"BTCUSDT","b":"11794.10","B":"31.21","a":"11794.30","A":"40.66"})";
const char* kGate =
    R"({"time":1541659086,"time_ms":1541659086123,"channel":"futures.tickers","event":"update","result":[{"contract":"BTC_USDT","last":"118.4","change_percentage":"0.77","funding_rate":"-0.000114","funding_rate_indicative":"0.01875","mark_price":"118.35","index_price":"118.36","total_size":"73648","volume_24h":"745487577","volume_24h_btc":"117","volume_24h_usd":"419950","quanto_base_rate":"","volume_24h_quote":"1665006","volume_24h_settle":"178","volume_24h_base":"5526","low_24h":"99.2","high_24h":"132.5"}]})";

template <class F>
double frames_per_second(long n, F&& parse_one) {
  for (long i = 0; i < n / 10; ++i) parse_one();  // warm-up
  const auto t0 = now_ns();
  for (long i = 0; i < n; ++i) parse_one();
  return static_cast<double>(n) * 1e9 / static_cast<double>(now_ns() - t0);
}

}  // namespace

void run_parse(Report& r, const Options& o) {
  const long n = o.quick ? 200'000 : 5'000'000;
  const std::vector<core::Symbol> symbols{core::Symbol::parse("BTC"), core::Symbol::parse("ETH")};
  const exchange::SymbolTable binance = exchange::binance::symbol_table(symbols);
  const exchange::SymbolTable gate = exchange::gateio::symbol_table(symbols);
  exchange::binance::FrameParser bp(binance);
  exchange::gateio::FrameParser gp(gate);
  exchange::FrameTick t;
  std::vector<exchange::FrameTick> ticks;
  const std::string combined = std::string(R"({"stream":"btcusdt@markPrice@1s","data":)") + kMark + "}";
  long bad = 0;

  struct Case {
    const char* name;
    std::string frame;
    bool gateio;
  };
  const Case cases[] = {{"binance_markPriceUpdate", kMark, false},
                        {"binance_bookTicker", kBook, false},
                        {"binance_combined_markPrice", combined, false},
                        {"gateio_futures_tickers", kGate, true}};
  fmt::print("\n1. Parse (simdjson On-Demand into exact decimals), {} frames each\n", n);
  fmt::print("{:<28} {:>14} {:>10} {:>12}\n", "frame", "frames/s", "MB/s", "ns/frame");
  for (const auto& c : cases) {
    const double fps = frames_per_second(n, [&] {
      if (c.gateio) {
        ticks.clear();
        bad += gp.parse(c.frame, ticks) != exchange::FrameResult::tick;
      } else {
        bad += bp.parse(c.frame, t) != exchange::FrameResult::tick;
      }
    });
    const double mbps = fps * static_cast<double>(c.frame.size()) / 1e6;
    fmt::print("{:<28} {:>14.0f} {:>10.1f} {:>12.1f}\n", c.name, fps, mbps, 1e9 / fps);
    r.add("parse", c.name, "frames_per_s", fps);
    r.add("parse", c.name, "mb_per_s", mbps);
  }

  // Parse and route on one core: the hot path of a market-data source without the actor hop.
  // 1 000 positions on 100 symbols; ticks move inside every position's quiet band.
  std::vector<core::Symbol> many;
  for (int i = 0; i < 100; ++i) many.push_back(core::Symbol(fmt::format("S{:03}", i), "USDT"));
  const exchange::SymbolTable table = exchange::binance::symbol_table(many);
  exchange::binance::FrameParser parser(table);
  core::BandRouter<int> router;
  for (int p = 0; p < 1000; ++p) {
    router.subscribe(many[static_cast<std::size_t>(p % 100)], p);
    router.set_band(many[static_cast<std::size_t>(p % 100)], p,
                    core::QuietBand{core::Price::parse("90"), core::Price::parse("110")}, [](int, const core::PriceTick&) {});
  }
  std::vector<std::string> frames;
  for (int i = 0; i < 1000; ++i)
    frames.push_back(fmt::format(R"({{"stream":"s{:03}usdt@markPrice@1s","data":{{"e":"markPriceUpdate","E":1562305380000,"s":"S{:03}USDT","p":"{}.{:02}000000","i":"100.1","P":"100.2","r":"0.0001","T":1562306400000}}}})",
                                 i % 100, i % 100, 95 + i % 10, i % 100));
  long routed = 0, k = 0;
  const double fps = frames_per_second(n, [&] {
    const std::string& f = frames[static_cast<std::size_t>(k++ % 1000)];
    if (parser.parse(f, t) != exchange::FrameResult::tick) {
      ++bad;
      return;
    }
    router.route(core::PriceTick{table.symbol(t.symbol), t.price, 0}, [&](int, const core::PriceTick&) { ++routed; });
  });
  fmt::print("{:<28} {:>14.0f} {:>10} {:>12.1f}   (1 000 positions / 100 symbols, one core)\n", "parse+route combined",
             fps, "", 1e9 / fps);
  r.add("parse", "parse_and_route_1000_positions", "frames_per_s", fps);
  if (bad || routed) fmt::print("  unexpected: {} bad frames, {} routed\n", bad, routed);
}

}  // namespace ptp::bench
