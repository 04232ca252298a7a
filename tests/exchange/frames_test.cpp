#include <catch2/catch.hpp>

#include "exchange/binance/frames.hpp"
#include "exchange/gateio/frames.hpp"

using namespace ptp;
using exchange::FrameResult;
using exchange::FrameTick;
using exchange::SymbolTable;

namespace {
// Binance's documented markPriceUpdate payload, verbatim (../shared/exchange-apis.md section 1.8).
const char* kMarkPrice =
    R"({"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000","i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000})";

SymbolTable binance_table() {
  return exchange::binance::symbol_table({core::Symbol::parse("BTC"), core::Symbol::parse("ETH")});
}
}  // namespace

TEST_CASE("Binance markPriceUpdate parses into an exact price", "[frames]") {
  auto table = binance_table();
  exchange::binance::FrameParser p(table);
  FrameTick t;
  REQUIRE(p.parse(kMarkPrice, t) == FrameResult::tick);
  CHECK(table.symbol(t.symbol).canonical() == "BTC_USDT");
  CHECK(t.price.str() == "11794.15");
  CHECK(t.event_time_ms == 1562305380000);
}

TEST_CASE("Binance combined-stream wrappers and bookTicker frames parse", "[frames]") {
  auto table = binance_table();
  exchange::binance::FrameParser p(table);
  FrameTick t;
  const std::string wrapped = std::string(R"({"stream":"btcusdt@markPrice@1s","data":)") + kMarkPrice + "}";
  REQUIRE(p.parse(wrapped, t) == FrameResult::tick);
  CHECK(t.price.str() == "11794.15");
  const char* book =
      R"({"e":"bookTicker","u":400900217,"E":1568014460893,"T":1568014460891,"s":"ETHUSDT","b":"2000.10","B":"31.21","a":"2000.30","A":"40.66"})";
  REQUIRE(p.parse(book, t) == FrameResult::tick);
  CHECK(table.symbol(t.symbol).canonical() == "ETH_USDT");
  CHECK(t.price.str() == "2000.2");
}

TEST_CASE("acks and other events are ignored, unknown symbols reported", "[frames]") {
  auto table = binance_table();
  exchange::binance::FrameParser p(table);
  FrameTick t;
  CHECK(p.parse(R"({"result":null,"id":1})", t) == FrameResult::ignored);
  CHECK(p.parse(R"({"e":"aggTrade","E":1,"s":"BTCUSDT","p":"1","q":"1"})", t) == FrameResult::ignored);
  CHECK(p.parse(R"({"e":"markPriceUpdate","E":1,"s":"ETHFIUSDT","p":"1.5"})", t) == FrameResult::unknown_symbol);
  CHECK(p.parse(R"({"e":"markPriceUpdate","E":1,"s":"btcusdt","p":"1.5"})", t) == FrameResult::unknown_symbol);
}

TEST_CASE("malformed and hostile frames are result codes, never ticks or crashes", "[frames]") {
  auto table = binance_table();
  exchange::binance::FrameParser p(table);
  FrameTick t;
  struct Case {
    const char* frame;
    FrameResult expected;
  };
  const Case cases[] = {
      {"", FrameResult::malformed},
      {"[1,2,3]", FrameResult::malformed},
      {R"({"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"1179)", FrameResult::malformed},  // truncated
      {R"({"e":"markPriceUpdate","E":"soon","s":"BTCUSDT","p":"1"})", FrameResult::malformed},
      {R"({"e":"markPriceUpdate","E":1,"s":42,"p":"1"})", FrameResult::malformed},
      {R"({"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"NaN"})", FrameResult::bad_price},
      {R"({"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"-5"})", FrameResult::bad_price},
      {R"({"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"0"})", FrameResult::bad_price},
      {R"({"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":11794.15})", FrameResult::bad_price},
      {R"({"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"999999999999999999999999999"})", FrameResult::bad_price},
      {R"({"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"1e400"})", FrameResult::bad_price},
      {R"({"e":"markPriceUpdate","E":1,"s":"BTCUSDT"})", FrameResult::malformed},
      {R"({"stream":"x","data":[1]})", FrameResult::malformed},
      {R"({"e":"bookTicker","E":1,"s":"BTCUSDT","b":"1","a":null})", FrameResult::bad_price},
  };
  for (const auto& c : cases) {
    INFO(c.frame);
    CHECK(p.parse(c.frame, t) == c.expected);
  }
  // a frame larger than the parser's initial buffer
  std::string big = R"({"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"1.5","x":")" + std::string(100'000, 'a') + "\"}";
  CHECK(p.parse(big, t) == FrameResult::tick);
}

TEST_CASE("Gate.io futures.tickers updates carry one tick per contract", "[frames]") {
  const SymbolTable table = exchange::gateio::symbol_table({core::Symbol::parse("BTC"), core::Symbol::parse("ETH")});
  exchange::gateio::FrameParser p(table);
  std::vector<FrameTick> ticks;
  // Gate's documented update, verbatim except the contract (BTC_USD -> BTC_USDT on the USDT channel).
  const char* update = R"({"time":1541659086,"time_ms":1541659086123,"channel":"futures.tickers","event":"update","result":[{"contract":"BTC_USDT","last":"118.4","change_percentage":"0.77","funding_rate":"-0.000114","funding_rate_indicative":"0.01875","mark_price":"118.35","index_price":"118.36","total_size":"73648","volume_24h":"745487577","volume_24h_btc":"117","volume_24h_usd":"419950","quanto_base_rate":"","volume_24h_quote":"1665006","volume_24h_settle":"178","volume_24h_base":"5526","low_24h":"99.2","high_24h":"132.5"},{"contract":"ETH_USDT","mark_price":"2000.5"}]})";
  REQUIRE(p.parse(update, ticks) == FrameResult::tick);
  REQUIRE(ticks.size() == 2);
  CHECK(ticks[0].price.str() == "118.35");
  CHECK(ticks[0].event_time_ms == 1541659086123);
  CHECK(table.symbol(ticks[1].symbol).canonical() == "ETH_USDT");
  ticks.clear();
  CHECK(p.parse(R"({"time":1,"time_ms":1,"channel":"futures.tickers","event":"subscribe","result":{"status":"success"}})", ticks) == FrameResult::ignored);
  CHECK(p.parse(R"({"time":1,"channel":"futures.tickers","event":"update","result":[{"contract":"BTC_USDT","mark_price":"abc"}]})", ticks) == FrameResult::bad_price);
  CHECK(p.parse(R"({"channel":"futures.tickers","event":"update","result":[{"contract":"ETHFI_USDT","mark_price":"1"}]})", ticks) == FrameResult::unknown_symbol);
  CHECK(p.parse(R"({"channel":"futures.tickers","event":"update","result":[{"contract":"BTC_USDT"}]})", ticks) == FrameResult::malformed);
  CHECK(ticks.empty());
}
