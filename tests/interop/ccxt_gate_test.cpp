// ccxt's `gate` class, a client nobody on this project wrote, drives the simulator's Gate.io face
// over real sockets (tests/interop/ccxt/gate_conformance.mjs, Node.js with the locked ccxt); then
// the exchange's own records are checked: what ccxt saw must be what the simulator did.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "../support/ccxt_runtime.hpp"
#include "../support/child_process.hpp"
#include "../support/temp_dir.hpp"
#include "../support/venue_loopback.hpp"

using namespace ptp;
using core::OrderKind;
using core::Price;
using core::Side;

namespace {

const core::Symbol kEth = core::Symbol::parse("ETH");
const std::string kDir = PTP_CCXT_DIR;

}  // namespace

TEST_CASE("ccxt gate drives the Gate.io face: swap markets and positions and orders by id and text and trigger "
          "orders and errors and websockets",
          "[interop][ccxt][gateio]") {
  const std::string node = test::node_for_ccxt_or_skip(kDir, "ccxt gate conformance test");
  // The account gate_conformance.mjs expects (single mode): ETH_USDT contracts of 0.01, long 150
  // of them @ 2000 with the user's stop at 1950; BTC_USDT flat at 60000.
  test::VenueLoopback<test::GateioProtocol> venue;
  auto& sim = venue.sim;
  auto& server = *venue.server;
  server.set_mark(kEth, Price::parse("2100"));

  // futures.tickers frames for watchTicker, at a constant price so every other check stays exact.
  test::TempDir dir;
  const auto run = test::run_script_with_feed(node, kDir + "/gate_conformance.mjs", server.port(),
                                              dir.sub("ccxt-gate.log"),
                                              [&] { server.set_mark(kEth, Price::parse("2100")); });
  const std::string& log = run.log;
  INFO(log);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(log, Catch::Contains(R"({"done":true,"failures":0})"));

  // The exchange's side of the story. ccxt's clientOrderId travels as Gate's text with ccxt's t-.
  CHECK(sim->placements("t-cc-close-1") == 1);
  CHECK(sim->placements("t-cc-ws") == 1);
  int trigger_places = 0, trigger_cancels = 0;
  for (const auto& e : sim->journal()) {
    const bool trigger = e.kind == OrderKind::stop || e.kind == OrderKind::take_profit;
    trigger_places += trigger && e.type == exchange::SimEvent::Type::place ? 1 : 0;
    trigger_cancels += trigger && e.type == exchange::SimEvent::Type::cancel && e.accepted ? 1 : 0;
  }
  CHECK(trigger_places == 4);   // stop, take-profit, trigger, and the one refused on the wrong side
  CHECK(trigger_cancels == 1);  // the second cancel found nothing open
  const auto position = sim->position(kEth, Side::long_);
  REQUIRE(position);
  CHECK(position->size.str() == "0.9");  // 150 - 50 - 10 contracts of 0.01
  std::vector<std::string> resting;
  for (const auto& o : sim->open_orders())
    resting.push_back(std::string(o.kind == OrderKind::stop ? "stop" : "tp") + " " + o.qty.str() + "@" +
                      o.trigger_price.str());
  std::sort(resting.begin(), resting.end());
  // ccxt's stopLossPrice and triggerPrice sells are stops of the long, beside the user's own stop.
  CHECK(resting == std::vector<std::string>{"stop 0.2@1800", "stop 0.4@1900", "stop 1.5@1950"});
  CHECK(server.counters().bad_signatures >= 1);
}
