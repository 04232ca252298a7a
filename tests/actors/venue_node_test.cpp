// The whole node trading through each venue's real adapter against the simulator served over that
// venue's wire protocol: prices and account events over a real websocket, orders over signed HTTP,
// LMDB in a temp dir, the real actor system. One scenario, every venue (Binance USDT-M, Gate.io
// USDT futures): the venue is built by exchange::make_venue, as the node builds it.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>

#include "../support/resends.hpp"
#include "../support/temp_dir.hpp"
#include "../support/tick_waiter.hpp"
#include "../support/venue_loopback.hpp"
#include "node_harness.hpp"

using namespace ptp;
using core::OrderKind;
using core::Price;
using core::Side;
using test::BinanceProtocol;
using test::GateioDualProtocol;
using test::GateioProtocol;

namespace {

const core::Symbol kEth = core::Symbol::parse("ETH");

// The resting conditional orders of the ETH long, as the exchange has them.
std::vector<core::OrderState> resting(const exchange::SimExchange& sim, OrderKind kind) {
  std::vector<core::OrderState> out;
  for (const auto& o : const_cast<exchange::SimExchange&>(sim).open_orders())
    if (o.kind == kind && o.symbol == kEth) out.push_back(o);
  return out;
}

std::vector<core::OrderState> closes(const exchange::SimExchange& sim) {
  std::vector<core::OrderState> out;
  for (const auto& o : sim.order_log())
    if (o.kind == OrderKind::market_close) out.push_back(o);
  return out;
}

// Order placements of `kind` that reached the exchange, accepted or not: a venue without client ids
// on some orders (Gate.io's price orders) shows a second placement only here.
int placements(const exchange::SimExchange& sim, OrderKind kind) {
  int n = 0;
  for (const auto& e : sim.journal())
    if (e.type == exchange::SimEvent::Type::place && e.kind == kind) ++n;
  return n;
}

// Counts the venue's "the account changed outside the node" signals, and lets a test wait for one.
class AccountSignals {
 public:
  void operator()() {
    {
      std::lock_guard lock(mu_);
      ++count_;
    }
    cv_.notify_all();
  }
  int count() {
    std::lock_guard lock(mu_);
    return count_;
  }
  bool wait_for_more_than(int n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return count_ > n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

template <class Protocol>
struct VenueNode {
  test::TempDir dir;
  test::VenueLoopback<Protocol> lb;
  std::unique_ptr<exchange::Venue> venue = lb.venue();
  test::TickWaiter ticks;
  AccountSignals account_changes;
  test::NodeHarness node;

  VenueNode()
      : node(lb.node_config(), lb.sim, dir.path(), venue->exchange(), [](actors::NodeSettings& s) {
          s.stream_stale_after = std::chrono::milliseconds(0);  // health checks always ask REST
        }) {
    auto to_node = actors::tick_sink(node.node());
    venue->start_feeds({[this, to_node](const core::PriceTick& t) {
                          to_node(t);
                          ticks(t);
                        },
                        [this] { account_changes(); }});
  }
  ~VenueNode() { venue->stop_feeds(); }

  exchange::loopback::LoopbackServer& server() { return *lb.server; }
  exchange::SimExchange& sim() { return *lb.sim; }

  // Streams a mark and waits until the node has acted on it.
  void stream_mark(const char* price) {
    server().set_mark(kEth, Price::parse(price));
    REQUIRE(ticks.wait_for(kEth, Price::parse(price)));
    node.settle();
  }
};

}  // namespace

TEMPLATE_TEST_CASE("over each venue's protocol: adoption, stage 1 and 2 once each, the stop moved, the take-profit "
                   "resized, every caller at the same level sends nothing",
                   "[venue][node]", BinanceProtocol, GateioProtocol, GateioDualProtocol) {
  VenueNode<TestType> n;
  const auto report = n.node.reconcile();
  CHECK(report.adopted == 1);
  REQUIRE(resting(n.sim(), OrderKind::take_profit).size() == 1);
  CHECK(resting(n.sim(), OrderKind::take_profit)[0].trigger_price.str() == "2250");  // 5R
  REQUIRE(test::move_until_streamed(n.server(), n.ticks, kEth));
  n.node.settle();
  CHECK(closes(n.sim()).empty());

  n.stream_mark("2050");  // 1R
  auto done = closes(n.sim());
  REQUIRE(done.size() == 1);
  CHECK(done[0].qty.str() == "0.5");
  auto stops = resting(n.sim(), OrderKind::stop);
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].trigger_price.str() == "2000");  // breakeven
  CHECK(stops[0].qty.str() == "1");
  auto tps = resting(n.sim(), OrderKind::take_profit);
  REQUIRE(tps.size() == 1);
  CHECK(tps[0].qty.str() == "1");

  // Every caller asks again at the same level: nothing more reaches the exchange.
  const auto journal_before = n.sim().journal_size();
  n.node.sweep(core::Caller::health_check);
  n.node.sweep(core::Caller::ai_agent);
  n.stream_mark("2051");
  CHECK(closes(n.sim()).size() == 1);
  for (const auto& e : n.sim().journal(journal_before)) CHECK(e.type == exchange::SimEvent::Type::update);

  n.stream_mark("2100");  // 2R
  done = closes(n.sim());
  REQUIRE(done.size() == 2);
  CHECK(done[1].qty.str() == "0.5");
  stops = resting(n.sim(), OrderKind::stop);
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].trigger_price.str() == "2050");  // +1R
  tps = resting(n.sim(), OrderKind::take_profit);
  REQUIRE(tps.size() == 1);
  CHECK(tps[0].qty.str() == "0.5");
  CHECK(n.sim().position(kEth, Side::long_)->size.str() == "0.5");
  // One placement per order: two stops (the user's was adopted), the take-profit placed and resized twice.
  CHECK(placements(n.sim(), OrderKind::market_close) == 2);
  CHECK(placements(n.sim(), OrderKind::stop) == 2);
  CHECK(placements(n.sim(), OrderKind::take_profit) == 3);
  CHECK(n.server().counters().bad_signatures == 0);
  CHECK(test::resends(n.sim(), TestType::close_id_prefix).empty());
}

TEMPLATE_TEST_CASE("over each venue's protocol: from 3R the stop trails the best price by 1R, in steps, never back",
                   "[venue][node]", BinanceProtocol, GateioProtocol) {
  VenueNode<TestType> n;
  REQUIRE(n.node.reconcile().adopted == 1);
  REQUIRE(test::move_until_streamed(n.server(), n.ticks, kEth));
  n.stream_mark("2050");
  n.stream_mark("2100");
  n.stream_mark("2150");  // 3R: the trailing stage starts (it closes nothing, moves nothing yet)
  auto stops = resting(n.sim(), OrderKind::stop);
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].trigger_price.str() == "2050");
  n.stream_mark("2180");  // best 2180: the stop follows to 2130
  stops = resting(n.sim(), OrderKind::stop);
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].trigger_price.str() == "2130");
  n.stream_mark("2160");  // a pullback: the stop stays
  stops = resting(n.sim(), OrderKind::stop);
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].trigger_price.str() == "2130");
  CHECK(closes(n.sim()).size() == 2);
  CHECK(resting(n.sim(), OrderKind::take_profit).size() == 1);
}

TEMPLATE_TEST_CASE("over each venue's protocol: a move while the stream is down is caught by the health check's REST "
                   "mark, and the stream comes back by itself",
                   "[venue][node]", BinanceProtocol, GateioProtocol) {
  VenueNode<TestType> n;
  REQUIRE(n.node.reconcile().adopted == 1);
  REQUIRE(test::move_until_streamed(n.server(), n.ticks, kEth));
  n.node.settle();

  n.server().drop_streams();                     // the exchange drops the stream...
  n.sim().set_mark(kEth, Price::parse("2060"));  // ...and the price passes 1R before it is back
  const auto sweep = n.node.sweep(core::Caller::health_check);
  CHECK(sweep.rest_prices == 1);
  REQUIRE(closes(n.sim()).size() == 1);
  CHECK(resting(n.sim(), OrderKind::stop).at(0).trigger_price.str() == "2000");

  // Reconnected and resubscribed: stage 2 comes from the stream again, once.
  REQUIRE(test::move_until_streamed(n.server(), n.ticks, kEth));
  n.stream_mark("2100");
  CHECK(closes(n.sim()).size() == 2);
  CHECK(test::resends(n.sim(), TestType::close_id_prefix).empty());
}

TEMPLATE_TEST_CASE("over each venue's protocol: the account stream says at once when the take-profit fires, and "
                   "never for the node's own orders",
                   "[venue][node]", BinanceProtocol, GateioProtocol) {
  VenueNode<TestType> n;
  REQUIRE(n.node.reconcile().adopted == 1);
  REQUIRE(test::move_until_streamed(n.server(), n.ticks, kEth));
  n.stream_mark("2050");
  n.stream_mark("2100");
  REQUIRE(closes(n.sim()).size() == 2);
  // The node's closes, stops and take-profits made account events too; none of them is news (a
  // wrongly reported one may arrive late, but can never make this fail on a correct node).
  CHECK(n.account_changes.count() == 0);
  n.server().set_mark(kEth, Price::parse("2260"));  // past the 5R take-profit: the exchange closes the rest
  REQUIRE(n.account_changes.wait_for_more_than(0));
  CHECK_FALSE(n.sim().position(kEth, Side::long_).has_value());
}

TEMPLATE_TEST_CASE("over each venue's protocol: a wrong API secret is refused as a bad signature, and nothing is "
                   "placed",
                   "[venue][node]", BinanceProtocol, GateioProtocol) {
  test::TempDir dir;
  test::VenueLoopback<TestType> lb;
  std::unique_ptr<exchange::Venue> venue;
  try {
    venue = lb.venue("PTP_TEST_WRONG_SECRET");  // reachable: the clock is public
  } catch (const std::exception& e) {
    FAIL("the venue should start (its clock needs no key): " << e.what());
  }
  test::NodeHarness node(lb.node_config("PTP_TEST_WRONG_SECRET"), lb.sim, dir.path(), venue->exchange());
  const auto report = node.reconcile();
  CHECK(report.adopted == 0);
  CHECK(lb.server->counters().bad_signatures >= 1);
  CHECK(placements(*lb.sim, OrderKind::market_close) + placements(*lb.sim, OrderKind::stop) +
            placements(*lb.sim, OrderKind::take_profit) ==
        0);
}
