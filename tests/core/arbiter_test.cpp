#include <catch2/catch.hpp>

#include "core/arbiter.hpp"
#include "core/client_order_id.hpp"
#include "core/hold_tracker.hpp"
#include "test_positions.hpp"

using namespace ptp::core;
using ptp::test::adopted;
using ptp::test::eth_filters;

namespace {
const StagePlan kPlan = StagePlan::default_plan();
const auto kWindow = std::chrono::milliseconds(30'000);

Arbitration ask(const Position& p, const StageBook& book, std::optional<StageId> stage, const char* mark,
                bool in_flight = false, bool observe = false, Clock::time_point now = Clock::now()) {
  return arbitrate(p, book, Request{Caller::health_check, stage, Price::parse(mark)}, in_flight, observe, now, kWindow,
                   eth_filters(), kPlan);
}
}  // namespace

TEST_CASE("a stage in flight answers in_progress at once", "[arbiter]") {
  auto a = ask(adopted("ETH", Side::long_, "2000", "1950", "1.5"), {}, StageId{1}, "2060", /*in_flight=*/true);
  REQUIRE(a.answer);
  CHECK(a.answer->str() == "in_progress");
  CHECK(a.execute.empty());
}

TEST_CASE("a recorded stage is recently_executed inside the window, already_executed after", "[arbiter]") {
  Position p = adopted("ETH", Side::long_, "2000", "1950", "1.5");
  StageBook book;
  const auto t0 = Clock::now();
  book.record(StageId{1}, t0);
  CHECK(ask(p, book, StageId{1}, "2060", false, false, t0 + std::chrono::seconds(10)).answer->str() == "recently_executed");
  CHECK(ask(p, book, StageId{1}, "2060", false, false, t0 + std::chrono::seconds(31)).answer->str() == "already_executed");
  // "whatever is due" at a price that reached only the recorded stage answers the same way
  CHECK(ask(p, book, std::nullopt, "2060", false, false, t0 + std::chrono::seconds(10)).answer->str() == "recently_executed");
}

TEST_CASE("due stages execute in order, up to the requested one", "[arbiter]") {
  Position p = adopted("ETH", Side::long_, "2000", "1950", "1.5");
  auto all = ask(p, {}, std::nullopt, "2120");
  CHECK_FALSE(all.answer);
  REQUIRE(all.execute.size() == 2);
  CHECK(all.execute[0].stage == StageId{1});
  CHECK(all.execute[1].stage == StageId{2});
  auto only_one = ask(p, {}, StageId{1}, "2120");
  REQUIRE(only_one.execute.size() == 1);
  auto second_needs_first = ask(p, {}, StageId{2}, "2120");
  REQUIRE(second_needs_first.execute.size() == 2);  // stage 1 is due too and goes first
}

TEST_CASE("not_due, unknown stages and observe mode", "[arbiter]") {
  Position p = adopted("ETH", Side::long_, "2000", "1950", "1.5");
  CHECK(ask(p, {}, std::nullopt, "2040").answer->str() == "not_due");
  CHECK(ask(p, {}, StageId{2}, "2060").answer->str() == "not_due");
  CHECK(ask(p, {}, StageId{9}, "2060").answer->str() == "failed:unknown_stage");
  auto observed = ask(p, {}, std::nullopt, "2060", false, /*observe=*/true);
  CHECK(observed.answer->str() == "observe_only");
  CHECK(observed.execute.size() == 1);  // what it would have done, for the log
}

TEST_CASE("client order ids are deterministic, distinct per step and within Binance's limits", "[arbiter]") {
  const auto key = adopted("ETH", Side::long_, "2000", "1950", "1").key;
  const std::string c1 = client_order_id(key, StageId{1}, OrderStep::close);
  CHECK(c1 == client_order_id(key, StageId{1}, OrderStep::close));
  CHECK(c1 != client_order_id(key, StageId{2}, OrderStep::close));
  CHECK(c1 != client_order_id(key, StageId{1}, OrderStep::stop));
  auto gen2 = key;
  gen2.generation = 2;
  CHECK(c1 != client_order_id(gen2, StageId{1}, OrderStep::close));
  const std::string longest = client_order_id(key, StageId{32}, OrderStep::take_profit, 4'000'000'000u);
  CHECK(longest.size() <= 36);
  for (char c : longest) CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '-'));
  // A stage run again: its attempts' ids differ from each other and from every other order's.
  const std::string retry = stage_order_id(key, StageId{1}, 1, OrderStep::close);
  CHECK(stage_order_id(key, StageId{1}, 0, OrderStep::close) == c1);
  CHECK(retry != c1);
  CHECK(retry != stage_order_id(key, StageId{1}, 2, OrderStep::close));
  CHECK(retry != client_order_id(key, StageId{1}, OrderStep::close, 1));
  const std::string longest_attempt = stage_order_id(key, StageId{32}, 4'000'000'000u, OrderStep::take_profit);
  CHECK(longest_attempt.size() <= 36);
  for (char c : longest_attempt) CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '-'));
  CHECK(placed_for(key, c1));
  CHECK(placed_for(key, longest));
  CHECK(placed_for(key, retry));
  // One reader of the format: every id the node makes reads back as what it was made from.
  const auto parsed = parse_client_order_id(retry);
  REQUIRE(parsed);
  CHECK(parsed->stage == StageId{1});
  CHECK(parsed->attempt == 1);
  CHECK(parsed->step == OrderStep::close);
  CHECK(parsed->seq == 0);
  const auto trail = parse_client_order_id(client_order_id(key, StageId{3}, OrderStep::stop, 17));
  REQUIRE(trail);
  CHECK((trail->stage == StageId{3} && trail->step == OrderStep::stop && trail->seq == 17 && trail->attempt == 0));
  CHECK(parse_client_order_id(longest_attempt)->attempt == 4'000'000'000u);
  // The pieces of a split close: the first keeps the close's id, each later one has its number.
  CHECK(stage_order_id(key, StageId{1}, 3, OrderStep::close, 0) == stage_order_id(key, StageId{1}, 3, OrderStep::close));
  const auto piece = parse_client_order_id(stage_order_id(key, StageId{1}, 3, OrderStep::close, 2));
  REQUIRE(piece);
  CHECK((piece->stage == StageId{1} && piece->attempt == 3 && piece->step == OrderStep::close && piece->seq == 2));
  CHECK(stage_order_id(key, StageId{1}, 0, OrderStep::close, 1) != stage_order_id(key, StageId{1}, 1, OrderStep::close));
  CHECK(parse_client_order_id(c1)->position_hash == parsed->position_hash);
  for (const char* other : {"user-stop-ETH_USDT-long", "autoclose-123", "ptp-probe-0-t-1", "ptp-0123456789abcdef-1-x",
                            "ptp-0123456789abcdef-1-c-", "ptp-0123456789abcdef-1-cc", "ptp-0123456789abcdef-999-c", ""})
    CHECK_FALSE(is_node_order(other));
  CHECK_FALSE(placed_for(gen2, c1));
  CHECK_FALSE(placed_for(key, "user-stop-ETH_USDT-long"));
  CHECK_FALSE(placed_for(key, ""));
}

TEST_CASE("holding without partial take-profits exits at the initial stop or the extreme take-profit", "[arbiter]") {
  Position p = adopted("ETH", Side::long_, "2000", "1950", "1.5");
  HoldTracker stopped(p, Price::parse("2250"));
  for (const char* m : {"2050", "2100", "1949", "2300"}) stopped.observe(Price::parse(m));
  CHECK(stopped.closed());
  CHECK(stopped.pnl(Price::parse("2300")).str() == "-75");
  HoldTracker tp(p, Price::parse("2250"));
  for (const char* m : {"2050", "2260", "1900"}) tp.observe(Price::parse(m));
  CHECK(tp.pnl(Price::parse("1900")).str() == "375");
  HoldTracker open(p, std::nullopt);
  open.observe(Price::parse("2100"));
  CHECK_FALSE(open.closed());
  CHECK(open.pnl(Price::parse("2100")).str() == "150");
}
