#include <catch2/catch.hpp>

#include "core/config/config.hpp"
#include "exchange/sim_exchange.hpp"

using namespace ptp;
using core::OrderKind;
using core::OrderStatus;
using core::Price;
using core::Qty;
using core::Side;
using exchange::ExchangeError;
using exchange::SimExchange;
using exchange::SimFault;

namespace {

const core::Symbol kEth = core::Symbol::parse("ETH");

std::shared_ptr<SimExchange> make_sim(const std::string& extra = "") {
  const auto cfg = config::parse_config(R"(
[node]
exchange = "sim"
mode = "execute"
storage_path = "unused"
symbols = ["ETH"]
[sim]
seed = 5
[[sim.instrument]]
symbol = "ETH"
tick_size = "0.01"
step_size = "0.001"
[[sim.position]]
symbol = "ETH"
side = "long"
entry = "2000"
size = "1.5"
stop = "1950"
)" + extra,
                                        "sim.toml");
  return std::make_shared<SimExchange>(*cfg.sim);
}

}  // namespace

TEST_CASE("the simulator starts with the configured position and its user stop", "[sim]") {
  auto sim = make_sim();
  auto positions = sim->open_positions();
  REQUIRE(positions.size() == 1);
  CHECK(positions[0].size.str() == "1.5");
  auto orders = sim->open_orders();
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].kind == OrderKind::stop);
  CHECK(orders[0].trigger_price.str() == "1950");
  CHECK(sim->mark_price(kEth).str() == "2000");
}

TEST_CASE("a reduce-only market close fills at the mark and books the PnL", "[sim]") {
  auto sim = make_sim();
  sim->set_mark(kEth, Price::parse("2050"));
  auto o = sim->close_market(kEth, Side::long_, Qty::parse("0.5"), "c1");
  CHECK(o.status == OrderStatus::filled);
  CHECK(o.filled_qty.str() == "0.5");
  CHECK(o.avg_fill_price.str() == "2050");
  CHECK(sim->position(kEth, Side::long_)->size.str() == "1");
  CHECK(sim->realized_pnl(kEth, Side::long_).str() == "25");
  CHECK_THROWS_AS(sim->close_market(kEth, Side::short_, Qty::parse("0.5"), "c2"), ExchangeError);  // no short
  CHECK_THROWS_WITH(sim->close_market(kEth, Side::long_, Qty::parse("0.0005"), "c3"), Catch::Contains("Precision"));
}

TEST_CASE("a client order id can only ever be one order", "[sim]") {
  auto sim = make_sim();
  sim->close_market(kEth, Side::long_, Qty::parse("0.1"), "same");
  try {
    sim->close_market(kEth, Side::long_, Qty::parse("0.1"), "same");
    FAIL("a duplicate client id was accepted");
  } catch (const ExchangeError& e) {
    CHECK(e.kind() == ExchangeError::Kind::duplicate_client_id);
    CHECK(e.code() == "-4116");
  }
  CHECK(sim->position(kEth, Side::long_)->size.str() == "1.4");
  CHECK(sim->query(kEth, "same")->filled_qty.str() == "0.1");
}

TEST_CASE("stops and take-profits fire when the mark crosses them", "[sim]") {
  auto sim = make_sim();
  sim->place_conditional(OrderKind::take_profit, kEth, Side::long_, Price::parse("2250"), Qty::parse("0.5"), "tp");
  CHECK_THROWS_WITH(sim->place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("2001"), Qty::parse("1"), "bad"),
                    Catch::Contains("immediately trigger"));
  sim->set_mark(kEth, Price::parse("2260"));
  CHECK(sim->query(kEth, "tp")->status == OrderStatus::filled);
  CHECK(sim->position(kEth, Side::long_)->size.str() == "1");
  sim->set_mark(kEth, Price::parse("1949"));
  CHECK_FALSE(sim->position(kEth, Side::long_));
  CHECK(sim->open_orders().empty());
}

TEST_CASE("injected faults reject, or time out before or after the exchange accepted", "[sim]") {
  auto sim = make_sim();
  sim->inject(SimFault{OrderKind::market_close, SimFault::Type::reject, "-2022", "ReduceOnly Order is rejected.", 1});
  CHECK_THROWS_WITH(sim->close_market(kEth, Side::long_, Qty::parse("0.5"), "a"), Catch::Contains("ReduceOnly"));
  CHECK_FALSE(sim->query(kEth, "a"));
  sim->inject(SimFault{OrderKind::market_close, SimFault::Type::timeout_after_accept, "", "", 1});
  try {
    sim->close_market(kEth, Side::long_, Qty::parse("0.5"), "b");
    FAIL("no timeout");
  } catch (const ExchangeError& e) {
    CHECK(e.kind() == ExchangeError::Kind::timeout);
  }
  CHECK(sim->query(kEth, "b")->status == OrderStatus::filled);  // the unknown outcome was a fill
  CHECK(sim->rejected_count() == 1);
}

TEST_CASE("the random walk is seeded and tick-rounded", "[sim]") {
  auto a = make_sim();
  auto b = make_sim();
  for (int i = 0; i < 50; ++i) {
    auto ta = a->step();
    auto tb = b->step();
    REQUIRE(ta.size() == 1);
    CHECK(ta[0].price == tb[0].price);
    CHECK(ta[0].price.is_multiple_of(Price::parse("0.01")));
  }
  CHECK(a->price_path(kEth).size() == 51);
}

TEST_CASE("a delayed fill leaves the close open until the next price move", "[sim]") {
  auto sim = make_sim();
  sim->inject(SimFault{OrderKind::market_close, SimFault::Type::delay_fill, "", "", 1});
  auto o = sim->close_market(kEth, Side::long_, Qty::parse("0.5"), "late");
  CHECK(o.status == OrderStatus::open);
  CHECK(sim->position(kEth, Side::long_)->size.str() == "1.5");
  sim->set_mark(kEth, Price::parse("2010"));
  auto filled = sim->query(kEth, "late");
  CHECK(filled->status == OrderStatus::filled);
  CHECK(filled->avg_fill_price.str() == "2010");
  CHECK(sim->position(kEth, Side::long_)->size.str() == "1");
  sim->inject(SimFault{OrderKind::market_close, SimFault::Type::delay_fill, "", "", 1, 2});
  sim->close_market(kEth, Side::long_, Qty::parse("0.5"), "slow");
  CHECK(sim->query(kEth, "slow")->status == OrderStatus::open);
  CHECK(sim->query(kEth, "slow")->status == OrderStatus::filled);  // filled on the second query
}
