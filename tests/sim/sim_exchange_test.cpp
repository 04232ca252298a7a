#include <catch2/catch.hpp>

#include "core/config/config.hpp"
#include "sim/sim_exchange.hpp"

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

std::shared_ptr<SimExchange> make_sim(const std::string& instrument_extra = "") {
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
)" + instrument_extra + R"(
[[sim.position]]
symbol = "ETH"
side = "long"
entry = "2000"
size = "1.5"
stop = "1950"
)",
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

TEST_CASE("a client order id is unique among open orders: a finished order's id makes a new order", "[sim]") {
  auto sim = make_sim();
  // Open: a resting stop's id is refused while it rests.
  sim->place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("1900"), Qty::parse("1"), "resting");
  try {
    sim->place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("1910"), Qty::parse("1"), "resting");
    FAIL("a duplicate client id of an open order was accepted");
  } catch (const ExchangeError& e) {
    CHECK(e.kind() == ExchangeError::Kind::duplicate_client_id);
    CHECK(e.code() == "-4116");
  }
  sim->cancel(kEth, core::OrderRef{"resting", ""});
  CHECK(sim->place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("1920"), Qty::parse("1"), "resting")
            .status == OrderStatus::open);
  // Filled: the same id again is a second close, and the query finds the latest.
  sim->close_market(kEth, Side::long_, Qty::parse("0.1"), "same");
  sim->close_market(kEth, Side::long_, Qty::parse("0.2"), "same");
  CHECK(sim->position(kEth, Side::long_)->size.str() == "1.2");
  CHECK(sim->query(kEth, "same")->filled_qty.str() == "0.2");
  // Every request is counted, accepted or not.
  CHECK(sim->placements("resting") == 3);
  CHECK(sim->placements("same") == 2);
  CHECK(sim->placements("never") == 0);
}

TEST_CASE("the journal keeps every request and state change in order, cancels included", "[sim]") {
  auto sim = make_sim();
  sim->place_conditional(OrderKind::take_profit, kEth, Side::long_, Price::parse("2250"), Qty::parse("1.5"), "tp");
  sim->cancel(kEth, core::OrderRef{"tp", ""});
  CHECK_THROWS_AS(sim->cancel(kEth, core::OrderRef{"tp", ""}), ExchangeError);  // not open any more
  sim->close_market(kEth, Side::long_, Qty::parse("1.5"), "all");               // flat: the user's stop goes
  using T = exchange::SimEvent::Type;
  std::vector<std::string> seen;
  for (const auto& e : sim->journal())
    seen.push_back(std::string(e.type == T::place ? "place " : e.type == T::cancel ? "cancel " : "update ") + e.client_id +
                   (e.accepted ? " ok " : " refused ") + std::string(core::to_string(e.status)));
  // A request comes before the changes it causes.
  CHECK(seen == std::vector<std::string>{"place tp ok open", "cancel tp ok canceled", "update tp ok canceled",
                                         "cancel tp refused canceled", "place all ok filled",
                                         "update user-stop-ETH_USDT-long ok canceled"});
  const auto log = sim->order_log();
  REQUIRE(log.size() == 3);
  CHECK(log[1].created_ms > 0);
  CHECK(log[1].updated_ms >= log[1].created_ms);
}

TEST_CASE("market orders obey the lot size: positive, on the step, between min and max", "[sim]") {
  auto sim = make_sim("max_qty = \"1\"\nmin_qty = \"0.01\"\n");
  auto code = [&](const char* qty) {
    try {
      sim->close_market(kEth, Side::long_, Qty::parse(qty), std::string("q") + qty);
    } catch (const ExchangeError& e) {
      return e.code();
    }
    return std::string("accepted");
  };
  CHECK(code("0") == "-4003");
  CHECK(code("0.0005") == "-1111");
  CHECK(code("0.005") == "-4004");
  CHECK(code("20000") == "-4005");  // not "filled up to the position"
  CHECK(sim->position(kEth, Side::long_)->size.str() == "1.5");
  CHECK(code("1") == "accepted");
}

TEST_CASE("a reduce-only close larger than the position is cut to the position and fills", "[sim]") {
  auto sim = make_sim();
  const auto o = sim->close_market(kEth, Side::long_, Qty::parse("2"), "more");
  CHECK(o.qty.str() == "1.5");  // not "filled 1.5 of 2"
  CHECK(o.filled_qty.str() == "1.5");
  CHECK(o.status == OrderStatus::filled);
  CHECK_FALSE(sim->position(kEth, Side::long_));
}

TEST_CASE("a plain market order opens, adds to and, in one-way mode, flips a position", "[sim]") {
  auto sim = make_sim();
  sim->set_mark(kEth, Price::parse("2100"));
  sim->market_order(kEth, Side::long_, Qty::parse("0.5"), true, "add");
  auto pos = sim->position(kEth, Side::long_);
  REQUIRE(pos);
  CHECK(pos->size.str() == "2");
  CHECK(pos->entry.str() == "2025");  // (1.5 x 2000 + 0.5 x 2100) / 2
  sim->market_order(kEth, Side::short_, Qty::parse("2.5"), true, "flip");
  CHECK_FALSE(sim->position(kEth, Side::long_));
  pos = sim->position(kEth, Side::short_);
  REQUIRE(pos);
  CHECK(pos->size.str() == "0.5");
  CHECK(pos->entry.str() == "2100");
  CHECK(sim->realized_pnl(kEth, Side::long_).str() == "150");  // 2 x (2100 - 2025)
  // Hedge mode keeps both sides.
  sim->market_order(kEth, Side::long_, Qty::parse("1"), false, "hedge");
  CHECK(sim->position(kEth, Side::short_)->size.str() == "0.5");
  CHECK(sim->position(kEth, Side::long_)->size.str() == "1");
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
  // The user's stop (1.5) fired for the 1 left: it filled, and only the flat position's other
  // orders were cancelled.
  std::vector<OrderStatus> stop_updates;
  for (const auto& e : sim->journal())
    if (e.type == exchange::SimEvent::Type::update && e.client_id == "user-stop-ETH_USDT-long") stop_updates.push_back(e.status);
  CHECK(stop_updates == std::vector<OrderStatus>{OrderStatus::filled});
  CHECK(sim->query(kEth, "user-stop-ETH_USDT-long")->filled_qty.str() == "1");
}

TEST_CASE("injected faults reject, or time out before or after the exchange accepted", "[sim]") {
  auto sim = make_sim();
  sim->inject(SimFault{OrderKind::market_close, SimFault::Type::reject, "-2022", "ReduceOnly Order is rejected.", 1});
  CHECK_THROWS_WITH(sim->close_market(kEth, Side::long_, Qty::parse("0.5"), "a"), Catch::Contains("ReduceOnly"));
  CHECK_FALSE(sim->query(kEth, "a"));
  auto timeout_kind = [&](const char* id) {
    try {
      sim->close_market(kEth, Side::long_, Qty::parse("0.5"), id);
    } catch (const ExchangeError& e) {
      return e.kind();
    }
    FAIL("no timeout");
    return ExchangeError::Kind::rejected;
  };
  sim->inject(SimFault{OrderKind::market_close, SimFault::Type::timeout_before_accept, "-1007", "Timeout waiting.", 1});
  CHECK(timeout_kind("before") == ExchangeError::Kind::timeout);
  CHECK_FALSE(sim->query(kEth, "before"));  // the unknown outcome was nothing
  CHECK(sim->position(kEth, Side::long_)->size.str() == "1.5");
  sim->inject(SimFault{OrderKind::market_close, SimFault::Type::timeout_after_accept, "", "", 1});
  CHECK(timeout_kind("after") == ExchangeError::Kind::timeout);
  CHECK(sim->query(kEth, "after")->status == OrderStatus::filled);  // the unknown outcome was a fill
  CHECK(sim->position(kEth, Side::long_)->size.str() == "1");
  CHECK(sim->rejected_count() == 2);
  const auto journal = sim->journal();
  REQUIRE(journal.size() == 3);
  CHECK_FALSE(journal[1].accepted);
  CHECK(journal[2].accepted);
  CHECK_THAT(journal[2].answer, Catch::StartsWith("timeout"));
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
