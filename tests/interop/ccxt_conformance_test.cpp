// ccxt, a client nobody on this project wrote, drives the simulator's Binance face over real
// sockets (tests/interop/ccxt/conformance.mjs, Node.js with a locked ccxt); then the exchange's own
// records are checked: what ccxt saw must be what the simulator did.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "../support/binance_loopback.hpp"
#include "../support/ccxt_runtime.hpp"
#include "../support/child_process.hpp"
#include "../support/temp_dir.hpp"

using namespace ptp;
using core::OrderKind;
using core::Price;
using core::Side;

namespace {

const core::Symbol kEth = core::Symbol::parse("ETH");
const std::string kDir = PTP_CCXT_DIR;

}  // namespace

TEST_CASE("ccxt binanceusdm drives the simulator: markets, positions, orders by id and client id, algo orders, errors, "
          "websockets",
          "[interop][ccxt]") {
  const std::string node = test::node_for_ccxt_or_skip(kDir, "ccxt conformance test");
  // The account conformance.mjs expects: ETH long 1.5 @ 2000 with the user's stop at 1950,
  // MARKET_LOT_SIZE maxQty 100; BTC flat at 60000.
  auto sim = test::binance_sim();
  exchange::loopback::BinanceServerOptions options;
  options.hedge_mode = false;
  exchange::loopback::BinanceServer server(sim, options);
  server.set_mark(kEth, Price::parse("2100"));

  // Mark-price frames for watchMarkPrice, at a constant price so every other check stays exact.
  test::TempDir dir;
  const auto run = test::run_script_with_feed(node, kDir + "/conformance.mjs", server.port(), dir.sub("ccxt.log"),
                                              [&] { server.set_mark(kEth, Price::parse("2100")); });
  const std::string& log = run.log;
  INFO(log);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(log, Catch::Contains(R"({"done":true,"failures":0})"));

  // The exchange's side of the story.
  CHECK(sim->placements("cc-close-1") == 2);  // a filled order's id made a second order
  CHECK(sim->placements("cc-stop-1") == 2);   // refused while the first was open
  CHECK(sim->placements("cc-tp-1") == 1);
  CHECK(sim->placements("cc-close-ws") == 1);
  int tp_cancels = 0;
  for (const auto& e : sim->journal())
    tp_cancels += e.type == exchange::SimEvent::Type::cancel && e.client_id == "cc-tp-1" && e.accepted ? 1 : 0;
  CHECK(tp_cancels == 1);
  const auto position = sim->position(kEth, Side::long_);
  REQUIRE(position);
  CHECK(position->size.str() == "1");  // 1.5 - 0.5 - 0.1 + 0.2 - 0.1
  std::vector<std::string> resting;
  for (const auto& o : sim->open_orders()) resting.push_back(o.ref.client_id + "@" + o.trigger_price.str());
  std::sort(resting.begin(), resting.end());
  CHECK(resting == std::vector<std::string>{"cc-stop-1@1900", "user-stop-ETH_USDT-long@1950"});
  CHECK(server.counters().bad_signatures >= 1);
}
