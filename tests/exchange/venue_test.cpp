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
  SECTION("Gate.io without its key in the environment: nothing is contacted") {
    ::unsetenv("PTP_VENUE_TEST_KEY");
    ::unsetenv("PTP_VENUE_TEST_SECRET");
    cfg.exchange = core::Exchange::gateio;
    cfg.endpoints = config::ExchangeEndpoints{"http://127.0.0.1:9/api/v4", "ws://127.0.0.1:9/v4/ws/usdt",
                                              "PTP_VENUE_TEST_KEY", "PTP_VENUE_TEST_SECRET"};
    CHECK_THROWS_WITH(exchange::make_venue(cfg),
                      Catch::StartsWith("cannot reach Gate.io at http://127.0.0.1:9/api/v4: environment variable "
                                        "PTP_VENUE_TEST_KEY is not set"));
  }
  SECTION("Gate.io with keys but nothing listening") {
    ::setenv("PTP_VENUE_TEST_KEY", "k", 1);
    ::setenv("PTP_VENUE_TEST_SECRET", "s", 1);
    cfg.exchange = core::Exchange::gateio;
    cfg.endpoints = config::ExchangeEndpoints{"http://127.0.0.1:9/api/v4", "ws://127.0.0.1:9/v4/ws/usdt",
                                              "PTP_VENUE_TEST_KEY", "PTP_VENUE_TEST_SECRET"};
    CHECK_THROWS_WITH(exchange::make_venue(cfg), Catch::StartsWith("cannot reach Gate.io at http://127.0.0.1:9/api/v4: "));
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
