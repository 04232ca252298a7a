#include <catch2/catch.hpp>

#include "core/side.hpp"
#include "core/symbol.hpp"

using namespace ptp::core;

TEST_CASE("every spelling of ETH parses to the same instrument", "[symbol]") {
  const Symbol eth{"ETH", "USDT"};
  for (const char* s : {"ETH", "eth", "ETHUSDT", "ethusdt", "ETH_USDT", "eth_usdt", "Eth_Usdt"}) {
    INFO(s);
    CHECK(Symbol::parse(s) == eth);
  }
  CHECK(eth.canonical() == "ETH_USDT");
}

TEST_CASE("ETH never matches ETHFI, ETHW or WETH", "[symbol]") {
  const Symbol eth = Symbol::parse("ETH");
  for (const char* other : {"ETHFI", "ETHFIUSDT", "ETHW_USDT", "WETH", "WETHUSDT", "ETHUSDC"}) {
    INFO(other);
    CHECK(Symbol::parse(other) != eth);
  }
  CHECK(Symbol::parse("ETHFIUSDT").base() == "ETHFI");
}

TEST_CASE("multiplier-prefixed contracts are different instruments", "[symbol]") {
  const Symbol binance_pepe = Symbol::parse("1000PEPEUSDT");
  const Symbol gate_pepe = Symbol::parse("PEPE_USDT");
  CHECK(binance_pepe.base() == "1000PEPE");
  CHECK(binance_pepe != gate_pepe);
}

TEST_CASE("unknown or malformed symbols are errors that quote the input", "[symbol]") {
  for (const char* bad : {"", "_USDT", "ETH_", "ETH__USDT", "ETH_USDT_X", "ETH-USDT", "ETH/USDT", "USDT", "ÉTH",
                          "ETH USDT", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}) {
    INFO(bad);
    CHECK_THROWS_AS(Symbol::parse(bad), SymbolError);
  }
  CHECK_THROWS_WITH(Symbol::parse("ETH-USDT"), Catch::Contains("\"ETH-USDT\""));
  CHECK_THROWS_AS(Symbol("USDT", "usdt"), SymbolError);
}

TEST_CASE("sides and exchanges parse from their names", "[symbol]") {
  CHECK(parse_side("LONG") == Side::long_);
  CHECK(parse_side("sell") == Side::short_);
  CHECK(direction(Side::short_) == -1);
  CHECK_THROWS_WITH(parse_side("up"), Catch::Contains("\"up\""));
  CHECK(parse_exchange("Gate.io") == Exchange::gateio);
  CHECK_THROWS_WITH(parse_exchange("bybit"), Catch::Contains("bybit"));
}
