// The price files ptp-replay reads: the node's recording and Binance's public-data CSV files, as
// downloaded (with or without the header line), and the errors that name file and line.
#include <catch2/catch.hpp>

#include <fstream>

#include "../support/temp_dir.hpp"
#include "replay/prices.hpp"
#include "replay/tick_recorder.hpp"

namespace ptp::replay {
namespace {

using core::Price;

std::string write(const test::TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.sub(name);
  std::ofstream(path) << text;
  return path;
}

const core::Symbol kBtc = core::Symbol::parse("BTCUSDT");

}  // namespace

TEST_CASE("prices: a Binance kline file with its header names its symbol by the file name", "[replay]") {
  test::TempDir dir;
  const auto path = write(dir, "BTCUSDT-1m-2024-01.csv",
                          "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,"
                          "taker_buy_quote_volume,ignore\n"
                          "1704067200000,42283.58,42554.57,42261.02,42475.23,1271.68,1704067259999,53957742.39,10165,"
                          "767.99,32597768.11,0\n"
                          "1704067260000,42475.23,42475.23,42400.00,42410.10,1.0,1704067319999,1,1,1,1,0\n");
  PriceSet set;
  load_prices(path, std::nullopt, set);
  REQUIRE(set.count(kBtc));
  const auto& s = set.at(kBtc);
  REQUIRE(s.bars.size() == 2);
  // Worst for a long: open, low, high, close; for a short: open, high, low, close.
  const auto long_path = s.path(core::Side::long_, BarPath::worst);
  REQUIRE(long_path.size() == 8);
  CHECK(long_path[0].price == Price::parse("42283.58"));
  CHECK(long_path[1].price == Price::parse("42261.02"));
  CHECK(long_path[2].price == Price::parse("42554.57"));
  CHECK(long_path[3].price == Price::parse("42475.23"));
  CHECK(long_path[0].ms == 1704067200000);
  CHECK(long_path[3].ms == 1704067259999);
  const auto short_path = s.path(core::Side::short_, BarPath::worst);
  CHECK(short_path[1].price == Price::parse("42554.57"));
  CHECK(short_path[2].price == Price::parse("42261.02"));
  // best reverses it.
  CHECK(s.path(core::Side::long_, BarPath::best)[1].price == Price::parse("42554.57"));
}

TEST_CASE("prices: klines without a header and in microseconds are read in milliseconds", "[replay]") {
  test::TempDir dir;
  // Binance's 2025 spot files count microseconds.
  const auto path = write(dir, "data.csv", "1735689600000000,100.5,101,100,100.7,1,1735689600999999,1,1,1,1,0\n");
  PriceSet set;
  load_prices(path, core::Symbol::parse("SOL"), set);
  const auto p = set.at(core::Symbol::parse("SOLUSDT")).path(core::Side::long_, BarPath::worst);
  REQUIRE(p.size() == 4);
  CHECK(p[0].ms == 1735689600000);
  CHECK(p[3].ms == 1735689600999);
}

TEST_CASE("prices: aggTrades with and without header and the node's recording", "[replay]") {
  test::TempDir dir;
  const auto with_header = write(dir, "ETHUSDT-aggTrades-2024-01-01.csv",
                                 "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n"
                                 "1,2281.50,0.5,10,11,1704067200100,true\n"
                                 "2,2281.60,0.1,12,12,1704067200200,false\n");
  const auto bare = write(dir, "ETHUSDT-aggTrades-2024-01-02.csv", "3,2290.00,1,13,13,1704153600000,true\n");
  const auto recording = write(dir, "rec.csv", "ts_ms,symbol,price\n1704067200150,BTC_USDT,42000.1\n"
                                               "1704067200250,ETH_USDT,2281.7\n");
  PriceSet set;
  load_prices(bare, std::nullopt, set);  // a later day first: the files come in any order
  load_prices(with_header, std::nullopt, set);
  load_prices(recording, std::nullopt, set);
  const auto& eth = set.at(core::Symbol::parse("ETH")).ticks;
  REQUIRE(eth.size() == 4);
  CHECK(eth[0].price == Price::parse("2281.5"));
  CHECK(eth[1].ms == 1704067200200);
  CHECK(eth[2].price == Price::parse("2281.7"));
  CHECK(eth[3].price == Price::parse("2290"));
  CHECK(set.at(kBtc).ticks.at(0).price == Price::parse("42000.1"));
  // Spot aggTrades files add an eighth column (is_best_match).
  const auto spot = write(dir, "BTCUSDT-aggTrades-2025-01-01.csv", "7,94000.5,0.1,1,1,1735689600000000,true,true\n");
  load_prices(spot, std::nullopt, set);
  CHECK(set.at(kBtc).ticks.back().price == Price::parse("94000.5"));
  CHECK(set.at(kBtc).ticks.back().ms == 1735689600000);
}

TEST_CASE("prices: bad files name the file and the line", "[replay]") {
  test::TempDir dir;
  PriceSet set;
  const auto malformed = write(dir, "rec.csv", "ts_ms,symbol,price\n1000,BTC_USDT,42000\n2000,BTC_USDT,4x2\n");
  CHECK_THROWS_WITH(load_prices(malformed, std::nullopt, set), Catch::Contains("rec.csv:3: price \"4x2\""));
  const auto backwards = write(dir, "back.csv", "1000,BTC_USDT,42000\n3000,BTC_USDT,42001\n2000,BTC_USDT,42002\n");
  CHECK_THROWS_WITH(load_prices(backwards, std::nullopt, set),
                    Catch::Contains("back.csv:3: timestamps go backwards"));
  const auto columns = write(dir, "BTCUSDT-1m.csv", "1704067200000,1,2,0.5,1.5,1,1704067259999,1,1,1,1,0\n1,2,3\n");
  CHECK_THROWS_WITH(load_prices(columns, std::nullopt, set), Catch::Contains("BTCUSDT-1m.csv:2: expected 12 columns"));
  const auto empty = write(dir, "empty.csv", "ts_ms,symbol,price\n");
  CHECK_THROWS_WITH(load_prices(empty, std::nullopt, set), Catch::Contains("empty.csv: no prices"));
  const auto unnamed = write(dir, "prices.csv", "1,2281.50,0.5,10,11,1704067200100,true\n");
  CHECK_THROWS_WITH(load_prices(unnamed, std::nullopt, set), Catch::Contains("give --symbol"));
}

TEST_CASE("prices: what the node records is what the replay reads", "[replay]") {
  test::TempDir dir;
  const std::string path = dir.sub("ticks.csv");
  {
    TickRecorder rec(path);
    rec.record({kBtc, Price::parse("42000.12345678"), 0}, 1704067200000);
    rec.record({core::Symbol::parse("ETH"), Price::parse("2281"), 0}, 1704067200001);
    rec.flush();
    rec.record({kBtc, Price::parse("42001"), 0}, 1704067200002);
  }  // the rest is written as the recorder ends
  {
    TickRecorder again(path);  // appends, no second header
    again.record({kBtc, Price::parse("0.5"), 0}, 1704067200003);
  }
  PriceSet set;
  load_prices(path, std::nullopt, set);
  const auto& btc = set.at(kBtc).ticks;
  REQUIRE(btc.size() == 3);
  CHECK(btc[0].price == Price::parse("42000.12345678"));
  CHECK(btc[1].price == Price::parse("42001"));
  CHECK(btc[2].price == Price::parse("0.5"));
  CHECK(set.at(core::Symbol::parse("ETH")).ticks.at(0).ms == 1704067200001);
}

TEST_CASE("prices: a wall clock that steps back never makes a recording unreadable", "[replay]") {
  test::TempDir dir;
  const std::string path = dir.sub("ticks.csv");
  {
    TickRecorder rec(path);
    rec.record({kBtc, Price::parse("42000"), 0}, 1704067205000);
    rec.record({kBtc, Price::parse("42001"), 0}, 1704067200000);  // NTP stepped the clock back 5 s
    rec.record({kBtc, Price::parse("42002"), 0}, 1704067206000);
  }
  PriceSet set;
  load_prices(path, std::nullopt, set);
  const auto& btc = set.at(kBtc).ticks;
  REQUIRE(btc.size() == 3);
  CHECK(btc[1].ms == 1704067205000);  // stamped no earlier than the line before it
  CHECK(btc[1].price == Price::parse("42001"));
  CHECK(btc[2].ms == 1704067206000);
}

}  // namespace ptp::replay
