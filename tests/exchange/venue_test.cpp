// The venue seam: the one table of venues spells symbols and builds each venue, and a venue that
// cannot start says which and why.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "exchange/venue.hpp"

using namespace ptp;

TEST_CASE("each venue spells a symbol its own way", "[venue]") {
  const auto pepe = core::Symbol::parse("1000PEPEUSDT");
  CHECK(exchange::symbol_name(core::Exchange::binance, pepe) == "1000PEPEUSDT");
  CHECK(exchange::symbol_name(core::Exchange::gateio, pepe) == "1000PEPE_USDT");
  CHECK(exchange::symbol_name(core::Exchange::sim, core::Symbol::parse("eth")) == core::Symbol::parse("ETH").canonical());
}

TEST_CASE("a venue that cannot start says which and why", "[venue]") {
  config::Config cfg;
  SECTION("Gate.io is not built yet") {
    cfg.exchange = core::Exchange::gateio;
    CHECK_THROWS_WITH(exchange::make_venue(cfg),
                      "the gateio adapter is not built yet; use node.exchange = \"sim\" or \"binance\"");
  }
  SECTION("Binance without its key in the environment: nothing is contacted") {
    ::unsetenv("PTP_VENUE_TEST_KEY");
    ::unsetenv("PTP_VENUE_TEST_SECRET");
    cfg.exchange = core::Exchange::binance;
    cfg.endpoints = config::ExchangeEndpoints{"http://127.0.0.1:9", "ws://127.0.0.1:9", "PTP_VENUE_TEST_KEY",
                                              "PTP_VENUE_TEST_SECRET"};
    CHECK_THROWS_WITH(exchange::make_venue(cfg),
                      Catch::StartsWith("cannot reach Binance at http://127.0.0.1:9: environment variable "
                                        "PTP_VENUE_TEST_KEY is not set"));
  }
}
