#include <catch2/catch.hpp>

#include "core/band_router.hpp"
#include "core/tick_gate.hpp"

using namespace ptp::core;

namespace {

const Symbol kEth("ETH", "USDT");
const Symbol kBtc("BTC", "USDT");

PriceTick tick(const Symbol& s, const char* price, std::int64_t at = 1) { return PriceTick{s, Price::parse(price), at}; }

}  // namespace

TEST_CASE("the tick gate keeps ticks inside the published band and admits the rest", "[tick_gate]") {
  TickGate gate({kEth});
  CHECK(gate.admit(tick(kEth, "100")));  // no band published yet: market data decides
  gate.publish(kEth, QuietBand{Price::parse("99"), Price::parse("101")});
  CHECK_FALSE(gate.admit(tick(kEth, "100", 5)));
  CHECK_FALSE(gate.admit(tick(kEth, "100.99", 7)));
  CHECK(gate.admit(tick(kEth, "101")));   // the bounds themselves may need a position
  CHECK(gate.admit(tick(kEth, "99")));
  CHECK(gate.admit(tick(kBtc, "100")));   // not a configured symbol: always admitted
  gate.publish(kEth, QuietBand::everything_crosses());
  CHECK(gate.admit(tick(kEth, "100")));

  const auto quiet = gate.take_quiet();
  CHECK(quiet.ticks == 2);
  CHECK(quiet.decide_ns.count() == 2);
  CHECK(quiet.newest_ns == 7);
  CHECK(gate.take_quiet().ticks == 0);
}

TEST_CASE("the tick gate remembers the latest price of every tick it sees", "[tick_gate]") {
  TickGate gate({kEth});
  CHECK_FALSE(gate.last(kEth).known);
  gate.publish(kEth, QuietBand{Price::parse("99"), Price::parse("101")});
  gate.admit(tick(kEth, "100.5", 42));  // quiet, still the latest price
  auto last = gate.last(kEth);
  REQUIRE(last.known);
  CHECK(last.price == Price::parse("100.5"));
  CHECK(last.received_ns == 42);
  gate.admit(tick(kEth, "105", 43));
  CHECK(gate.last(kEth).price == Price::parse("105"));
  CHECK_FALSE(gate.last(kBtc).known);
}

TEST_CASE("the router's quiet band is what the gate is given", "[tick_gate]") {
  BandRouter<int> router;
  CHECK(router.quiet(kEth).contains(Price::parse("1")));  // no subscriber: nothing needs a tick
  router.subscribe(kEth, 1);
  CHECK_FALSE(router.quiet(kEth).contains(Price::parse("100")));  // a new subscriber wants every tick
  router.set_band(kEth, 1, QuietBand{Price::parse("99"), Price::parse("101")}, [](int, const PriceTick&) {});
  router.subscribe(kEth, 2);
  router.set_band(kEth, 2, QuietBand{Price::parse("98"), Price::parse("100.5")}, [](int, const PriceTick&) {});
  const QuietBand q = router.quiet(kEth);
  CHECK(q.lower == Price::parse("99"));
  CHECK(q.upper == Price::parse("100.5"));
}

TEST_CASE("a band change on its way to market data holds the gate open until it is published", "[tick_gate]") {
  TickGate gate({kEth});
  gate.publish(kEth, QuietBand{Price::parse("99"), Price::parse("101")});
  // A new position with a trigger at 100 subscribes: until market data has published the band that
  // includes it, a tick at 100 must reach market data (queued behind the subscription).
  gate.hold(kEth);
  gate.hold(kEth);  // and a band update from another position
  CHECK(gate.admit(tick(kEth, "100")));
  gate.publish(kEth, QuietBand{Price::parse("99"), Price::parse("100")});
  gate.release(kEth);
  CHECK(gate.admit(tick(kEth, "99.5")));  // the second change is not published yet
  gate.release(kEth);
  CHECK_FALSE(gate.admit(tick(kEth, "99.5")));
  gate.release(kEth);  // an unmatched release does not open the gate below zero
  CHECK_FALSE(gate.admit(tick(kEth, "99.5")));
  gate.hold(kEth);
  CHECK(gate.admit(tick(kEth, "99.5")));
}
