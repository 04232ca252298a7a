// The whole node trading through the Binance adapter against the loopback Binance simulator:
// prices over a real websocket, orders over signed HTTP, LMDB in a temp dir, the real actor system.
#include <catch2/catch.hpp>

#include "../support/binance_loopback.hpp"
#include "../support/resends.hpp"
#include "../support/temp_dir.hpp"
#include "exchange/binance/streams.hpp"
#include "node_harness.hpp"

using namespace ptp;
using core::OrderKind;
using core::OrderStatus;
using core::Price;
using core::Side;
namespace bn = exchange::binance;

namespace {

const core::Symbol kEth = core::Symbol::parse("ETH");

// The resting conditional orders of the ETH long, as the exchange has them.
std::vector<core::OrderState> resting(const test::BinanceLoopback& lb, OrderKind kind) {
  std::vector<core::OrderState> out;
  for (const auto& o : lb.sim->open_orders())
    if (o.kind == kind && o.symbol == kEth) out.push_back(o);
  return out;
}

struct BinanceNode {
  test::TempDir dir;
  test::BinanceLoopback lb;
  test::TickWaiter ticks;
  test::NodeHarness node;
  std::unique_ptr<bn::MarketStream> stream;

  BinanceNode()
      : node(config::parse_config(test::kBinanceSim, "binance-node.toml"), lb.sim, dir.path(), lb.adapter(),
             [](actors::NodeSettings& s) {
               s.exchange = core::Exchange::binance;
               s.stream_stale_after = std::chrono::milliseconds(0);  // health checks always ask REST
             }) {
    auto to_node = actors::tick_sink(node.node());
    stream = std::make_unique<bn::MarketStream>(lb.server.ws_url(), std::vector<core::Symbol>{kEth, core::Symbol::parse("BTC")},
                                                bn::PriceSource::mark, [this, to_node](const core::PriceTick& t) {
                                                  to_node(t);
                                                  ticks(t);
                                                });
    stream->start();
  }
  ~BinanceNode() { stream->stop(); }

  // Streams a mark and waits until the node has acted on it.
  void stream_mark(const char* price) {
    lb.server.set_mark(kEth, Price::parse(price));
    REQUIRE(ticks.wait_for(kEth, Price::parse(price)));
    node.settle();
  }
};

}  // namespace

TEST_CASE("over Binance's protocol: adoption, stage 1 and 2 once each, the stop moved, the take-profit resized",
          "[binance][node]") {
  BinanceNode n;
  const auto report = n.node.reconcile();
  CHECK(report.adopted == 1);
  REQUIRE(resting(n.lb, OrderKind::take_profit).size() == 1);
  CHECK(resting(n.lb, OrderKind::take_profit)[0].trigger_price.str() == "2250");  // 5R
  REQUIRE(test::move_until_streamed(n.lb.server, n.ticks, kEth));
  n.node.settle();
  CHECK(n.lb.closes().empty());

  n.stream_mark("2050");  // 1R
  auto closes = n.lb.closes();
  REQUIRE(closes.size() == 1);
  CHECK(closes[0].qty.str() == "0.5");
  auto stops = resting(n.lb, OrderKind::stop);
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].trigger_price.str() == "2000");  // breakeven
  CHECK(stops[0].qty.str() == "1");
  auto tps = resting(n.lb, OrderKind::take_profit);
  REQUIRE(tps.size() == 1);
  CHECK(tps[0].qty.str() == "1");

  // Every caller asks again at the same level: nothing more reaches the exchange.
  n.node.sweep(core::Caller::health_check);
  n.node.sweep(core::Caller::ai_agent);
  n.stream_mark("2051");
  CHECK(n.lb.closes().size() == 1);

  n.stream_mark("2100");  // 2R
  closes = n.lb.closes();
  REQUIRE(closes.size() == 2);
  CHECK(closes[1].qty.str() == "0.5");
  stops = resting(n.lb, OrderKind::stop);
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].trigger_price.str() == "2050");  // +1R
  tps = resting(n.lb, OrderKind::take_profit);
  REQUIRE(tps.size() == 1);
  CHECK(tps[0].qty.str() == "0.5");
  CHECK(n.lb.sim->position(kEth, Side::long_)->size.str() == "0.5");
  CHECK(n.lb.server.counters().bad_signatures == 0);
  CHECK(test::resends(*n.lb.sim).empty());
}

TEST_CASE("over Binance's protocol: a move while the stream is down is caught by the health check's REST mark, and the "
          "stream comes back by itself",
          "[binance][node]") {
  BinanceNode n;
  REQUIRE(n.node.reconcile().adopted == 1);
  REQUIRE(test::move_until_streamed(n.lb.server, n.ticks, kEth));
  n.node.settle();

  n.lb.server.drop_streams();                      // the exchange drops the stream...
  n.lb.sim->set_mark(kEth, Price::parse("2060"));  // ...and the price passes 1R before it is back
  const auto sweep = n.node.sweep(core::Caller::health_check);
  CHECK(sweep.rest_prices == 1);
  REQUIRE(n.lb.closes().size() == 1);
  CHECK(resting(n.lb, OrderKind::stop).at(0).trigger_price.str() == "2000");

  // Reconnected and resubscribed: stage 2 comes from the stream again, once.
  REQUIRE(test::move_until_streamed(n.lb.server, n.ticks, kEth));
  n.stream_mark("2100");
  CHECK(n.lb.closes().size() == 2);
  CHECK(n.stream->stats().at(0).connects == 2);
  CHECK(test::resends(*n.lb.sim).empty());
}
