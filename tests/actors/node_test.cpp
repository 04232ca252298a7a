// The actor node end to end: the real actor system, a real LMDB file in a temp dir, the simulator.
#include <catch2/catch.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <map>
#include <sstream>

#include "../support/resends.hpp"
#include "../support/temp_dir.hpp"
#include "core/client_order_id.hpp"
#include "node_harness.hpp"

using namespace ptp;
using core::Caller;
using core::OutcomeKind;
using core::Side;
using test::NodeHarness;

namespace {

std::shared_ptr<exchange::SimExchange> sim_for(const config::Config& cfg) {
  return std::make_shared<exchange::SimExchange>(*cfg.sim);
}

core::PositionKey eth_key(std::uint32_t generation = 1) {
  return core::PositionKey{core::Exchange::sim, "t", core::Symbol::parse("ETH"), Side::long_, generation};
}

// An ETH long (1.5 @ 2000, stop 1950) adopted by a node in execute mode: where most tests start.
config::Config eth_config(config::LatencyMode mode) {
  auto cfg = test::node_config("execute", test::kEthLong);
  cfg.latency_mode = mode;
  return cfg;
}

struct EthNode {
  explicit EthNode(config::LatencyMode mode = config::LatencyMode::sleep) : cfg(eth_config(mode)) {}
  test::TempDir dir;
  config::Config cfg;
  std::shared_ptr<exchange::SimExchange> sim = sim_for(cfg);
  NodeHarness n{cfg, sim, dir.path()};
  actors::ReconcileReport adopted = n.reconcile();
};

// Captures what the node logs while it is alive.
struct LogCapture {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  LogCapture() {
    auto logger = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous); }
  std::string text() {
    spdlog::default_logger()->flush();
    return out.str();
  }
};

}  // namespace

TEST_CASE("tick, health check and agent asking for stage 1 at once send exactly one close", "[node]") {
  // with both schedulers (node.latency_mode): the one that sleeps and the one with a spinning worker
  const auto mode = GENERATE(config::LatencyMode::sleep, config::LatencyMode::spin);
  INFO("latency_mode " << config::to_string(mode));
  EthNode f{mode};
  NodeHarness& n = f.n;
  auto& sim = f.sim;
  REQUIRE(f.adopted.adopted == 1);
  sim->set_mark(core::Symbol::parse("ETH"), core::Price::parse("2060"));  // 1.2R

  // Many rounds of all three callers at the same instant, from three threads at once.
  constexpr int kRounds = 40;
  std::map<std::string, int> outcomes;
  std::mutex mu;
  auto caller_thread = [&](Caller caller) {
    caf::scoped_actor self{n.system()};
    for (int i = 0; i < kRounds; ++i) {
      if (caller == Caller::market) {
        self->send(n.node().market_data, actors::tick_atom_v,
                   core::PriceTick{core::Symbol::parse("ETH"), core::Price::parse("2060"), 0});
        continue;
      }
      actors::ExecuteRequest req{caller, core::StageId{1}, core::Price::parse("2060")};
      self->request(n.node().registry, caf::infinite, actors::execute_atom_v, core::Symbol::parse("ETH"), Side::long_, req)
          .receive(
              [&](const actors::ExecuteReply& r) {
                std::lock_guard lock(mu);
                ++outcomes[r.outcome.str()];
              },
              [](caf::error&) {});
    }
  };
  std::thread market(caller_thread, Caller::market);
  std::thread health(caller_thread, Caller::health_check);
  std::thread agent(caller_thread, Caller::ai_agent);
  market.join();
  health.join();
  agent.join();
  n.settle();

  const auto closes = n.closes("ETH");
  REQUIRE(closes.size() == 1);
  CHECK(closes[0].ref.client_id == core::client_order_id(eth_key(), core::StageId{1}, core::OrderStep::close));
  CHECK(closes[0].filled_qty.str() == "0.5");
  CHECK(test::resends(*sim).empty());  // one request per order: none was even sent twice and refused
  int answered = 0;
  for (const auto& [outcome, count] : outcomes) {
    INFO(outcome);
    CHECK((outcome == "success" || outcome == "in_progress" || outcome == "recently_executed" ||
           outcome == "already_executed"));
    answered += count;
  }
  CHECK(answered == 2 * kRounds);
  CHECK(outcomes["success"] <= 1);
  auto stages = n.store().stages(eth_key());
  REQUIRE(stages.size() == 1);
  CHECK(stages[0].state == storage::StageState::done);
  // the position is protected at breakeven by exactly one stop
  int stops = 0;
  for (const auto& o : sim->open_orders())
    if (o.kind == core::OrderKind::stop) {
      ++stops;
      CHECK(o.trigger_price.str() == "2000");
      CHECK(o.qty.str() == "1");
    }
  CHECK(stops == 1);
}

TEST_CASE("a restart on the same LMDB directory never executes a stage again and keeps the initial stop", "[node]") {
  test::TempDir dir;
  const auto cfg = test::node_config("execute", test::kEthLong);
  auto sim = sim_for(cfg);  // the exchange outlives the node
  {
    NodeHarness n(cfg, sim, dir.path());
    n.reconcile();
    CHECK(n.execute("ETH", Side::long_, Caller::health_check, 1, "2055").outcome.kind == OutcomeKind::success);
  }
  NodeHarness again(cfg, sim, dir.path());
  auto report = again.reconcile();
  CHECK(report.resumed == 1);  // from storage, not adopted anew
  CHECK(report.adopted == 0);
  auto status = again.status();
  REQUIRE(status.size() == 1);
  CHECK(status[0].record.position.key == eth_key());
  CHECK(status[0].record.position.initial_stop.str() == "1950");  // not the exchange's stop (now 2000)
  CHECK(status[0].record.position.current_stop.str() == "2000");
  const auto replay = again.execute("ETH", Side::long_, Caller::ai_agent, 1, "2055");
  CHECK(replay.outcome.kind == OutcomeKind::recently_executed);
  CHECK(again.closes("ETH").size() == 1);
  // R is still measured from the initial stop: stage 2 fires at 2100, not at some breakeven-based level
  CHECK(again.execute("ETH", Side::long_, Caller::health_check, 2, "2099.99").outcome.kind == OutcomeKind::not_due);
  CHECK(again.execute("ETH", Side::long_, Caller::health_check, 2, "2100").outcome.kind == OutcomeKind::success);
  CHECK(again.closes("ETH").size() == 2);
}

TEST_CASE("ETH and ETHFI side by side: one's history never blocks the other", "[node]") {
  test::TempDir dir;
  const auto cfg = test::node_config("execute", test::kEthLong + test::kEthfiLong);
  auto sim = sim_for(cfg);
  NodeHarness n(cfg, sim, dir.path());
  REQUIRE(n.reconcile().adopted == 2);
  CHECK(n.execute("ETH", Side::long_, Caller::health_check, 1, "2050").outcome.kind == OutcomeKind::success);
  const auto ethfi = n.execute("ETHFI", Side::long_, Caller::health_check, 1, "2.1");
  CHECK(ethfi.outcome.kind == OutcomeKind::success);
  CHECK(ethfi.key.symbol.canonical() == "ETHFI_USDT");
  REQUIRE(n.closes("ETHFI").size() == 1);
  CHECK(n.closes("ETHFI")[0].filled_qty.str() == "100");
  CHECK(n.closes("ETH").size() == 1);
}

TEST_CASE("observe mode sends nothing and logs what it would do", "[node]") {
  test::TempDir dir;
  LogCapture log;
  const auto cfg = test::node_config("observe", test::kEthLong);
  auto sim = sim_for(cfg);
  {
    NodeHarness n(cfg, sim, dir.path());
    n.reconcile();
    n.tick("ETH", "2120");
    n.settle();
    CHECK(n.execute("ETH", Side::long_, Caller::ai_agent, 1, "2120").outcome.kind == OutcomeKind::observe_only);
    CHECK(n.store().stages(eth_key()).empty());
  }
  CHECK(sim->journal().empty());  // no request at all: not even the adoption's take-profit, no cancel
  const std::string text = log.text();
  CHECK_THAT(text, Catch::Contains("[market] (observe) sim:t:ETH_USDT:long#1 R=2.4 stage 1 due: would close 0.5, "
                                   "move the stop to 2000 (breakeven); nothing sent"));
  CHECK_THAT(text, Catch::Contains("stage 2 due: would close 0.5"));
  CHECK_THAT(text, Catch::Contains("[ai-agent] (observe)"));
}

TEST_CASE("a position closed outside the node: its actor stops, history stays, a new one starts fresh", "[node]") {
  EthNode f;
  NodeHarness& n = f.n;
  auto& sim = f.sim;
  CHECK(n.execute("ETH", Side::long_, Caller::health_check, 1, "2050").outcome.kind == OutcomeKind::success);
  sim->close_position(core::Symbol::parse("ETH"), Side::long_);  // the user closes it on the exchange
  CHECK(n.reconcile().stopped == 1);
  CHECK(n.status().empty());
  CHECK(n.store().stages(eth_key(1)).size() == 1);  // history stays
  CHECK_FALSE(n.store().position(eth_key(1))->open);

  sim->open_position(core::Symbol::parse("ETH"), Side::long_, core::Price::parse("2100"), core::Qty::parse("3"),
                     core::Price::parse("2000"));
  CHECK(n.reconcile().adopted == 1);
  auto status = n.status();
  REQUIRE(status.size() == 1);
  CHECK(status[0].record.position.key == eth_key(2));
  const auto fresh = n.execute("ETH", Side::long_, Caller::health_check, 1, "2200");
  CHECK(fresh.outcome.kind == OutcomeKind::success);
  CHECK(fresh.key.generation == 2);
  CHECK(n.closes("ETH").back().filled_qty.str() == "1");
}

TEST_CASE("a gap from 0.5R to 2.4R executes stage 1 then stage 2, in order, each recorded", "[node]") {
  EthNode f;
  NodeHarness& n = f.n;
  auto& sim = f.sim;
  n.tick("ETH", "2025");
  n.settle();
  CHECK(n.closes("ETH").empty());
  n.tick("ETH", "2120");
  n.settle();
  const auto closes = n.closes("ETH");
  REQUIRE(closes.size() == 2);
  CHECK(closes[0].ref.client_id == core::client_order_id(eth_key(), core::StageId{1}, core::OrderStep::close));
  CHECK(closes[1].ref.client_id == core::client_order_id(eth_key(), core::StageId{2}, core::OrderStep::close));
  const auto stages = n.store().stages(eth_key());
  REQUIRE(stages.size() == 2);
  CHECK(stages[0].outcome.kind == OutcomeKind::success);
  CHECK(stages[1].outcome.kind == OutcomeKind::success);
  CHECK(stages[0].caller == Caller::market);
  CHECK(stages[0].at <= stages[1].at);
  CHECK(stages[1].new_stop->str() == "2050");
  auto status = n.status();
  REQUIRE(status.size() == 1);
  CHECK(status[0].record.position.remaining_size.str() == "0.5");
  CHECK(status[0].record.position.current_stop.str() == "2050");
  // the extreme take-profit now covers the remaining 0.5 only
  int tps = 0;
  for (const auto& o : sim->open_orders())
    if (o.kind == core::OrderKind::take_profit) {
      ++tps;
      CHECK(o.qty.str() == "0.5");
      CHECK(o.trigger_price.str() == "2250");
    }
  CHECK(tps == 1);
}

TEST_CASE("a rejected close leaves the stage not executed and retryable, with the reason recorded", "[node]") {
  EthNode f;
  NodeHarness& n = f.n;
  auto& sim = f.sim;
  sim->inject(exchange::SimFault{core::OrderKind::market_close, exchange::SimFault::Type::reject, "-2022",
                                 "ReduceOnly Order is rejected.", 1});
  const auto rejected = n.execute("ETH", Side::long_, Caller::health_check, 1, "2060");
  CHECK(rejected.outcome.str() == "failed:rejected -2022 ReduceOnly Order is rejected.");
  const auto stages = n.store().stages(eth_key());
  REQUIRE(stages.size() == 1);
  CHECK(stages[0].state == storage::StageState::failed);  // retryable
  const auto events = n.store().history(eth_key(), core::Clock::time_point::min(), core::Clock::time_point::max());
  REQUIRE(events.size() == 2);
  CHECK(events[1].state == storage::StageState::failed);
  CHECK(events[1].outcome.reason == core::Reason::rejected);  // typed, with the exchange's own words beside it
  CHECK(events[1].outcome.venue_code == "-2022");
  CHECK(events[1].outcome.detail == "ReduceOnly Order is rejected.");
  CHECK(n.closes("ETH").empty());
  // the stop did not move: the position is still protected by the initial stop
  CHECK(n.status()[0].record.position.current_stop.str() == "1950");

  const auto retry = n.execute("ETH", Side::long_, Caller::ai_agent, 1, "2060");
  CHECK(retry.outcome.kind == OutcomeKind::success);
  const auto closes = n.closes("ETH");
  REQUIRE(closes.size() == 1);
  // The retry is a new attempt with ids of its own: the rejected id is never sent again.
  const auto first = core::stage_order_id(eth_key(), core::StageId{1}, 0, core::OrderStep::close);
  const auto second = core::stage_order_id(eth_key(), core::StageId{1}, 1, core::OrderStep::close);
  CHECK(closes[0].ref.client_id == second);
  CHECK(sim->placements(first) == 1);
  CHECK(sim->placements(second) == 1);
}

TEST_CASE("a close that timed out after the exchange filled it is resolved by its client id, not resent",
          "[node]") {
  EthNode f;
  NodeHarness& n = f.n;
  auto& sim = f.sim;
  sim->inject(exchange::SimFault{core::OrderKind::market_close, exchange::SimFault::Type::timeout_after_accept, "", "", 1});
  CHECK(n.execute("ETH", Side::long_, Caller::health_check, 1, "2060").outcome.kind == OutcomeKind::success);
  CHECK(n.closes("ETH").size() == 1);
  CHECK(n.status()[0].record.position.remaining_size.str() == "1");
  // Asked about, never sent again (a second request would have made a second close).
  CHECK(sim->placements(core::stage_order_id(eth_key(), core::StageId{1}, 0, core::OrderStep::close)) == 1);
  CHECK(test::resends(*sim).empty());
}

TEST_CASE("the health-check sweep prices each position and executes what is due", "[node]") {
  EthNode f;
  NodeHarness& n = f.n;
  auto& sim = f.sim;
  sim->set_mark(core::Symbol::parse("ETH"), core::Price::parse("2051"));  // no tick: the stream is silent
  const auto sweep = n.sweep(Caller::health_check);
  CHECK(sweep.rest_prices == 1);
  REQUIRE(sweep.replies.size() == 1);
  CHECK(sweep.replies[0].outcome.kind == OutcomeKind::success);
  CHECK(n.store().stages(eth_key())[0].caller == Caller::health_check);
  const auto again = n.sweep(Caller::ai_agent);
  CHECK(again.replies[0].outcome.kind == OutcomeKind::recently_executed);
}

TEST_CASE("an agent tool call names no price: it gets the same fresh price as the health check", "[node]") {
  EthNode f;
  NodeHarness& n = f.n;
  auto& sim = f.sim;
  CHECK(n.execute("ETH", Side::long_, Caller::ai_agent, 1).outcome.kind == OutcomeKind::not_due);
  sim->set_mark(core::Symbol::parse("ETH"), core::Price::parse("2060"));  // the stream is silent: REST mark
  const auto reply = n.execute("ETH", Side::long_, Caller::ai_agent, 1);
  CHECK(reply.outcome.kind == OutcomeKind::success);
  CHECK(reply.r.str() == "1.2");
  CHECK(n.execute("BTC", Side::long_, Caller::operator_, 1).outcome.str() == "failed:no_open_position");
}

TEST_CASE("a delayed fill is awaited by querying its client id, the stop moves only after the fill", "[node]") {
  EthNode f;
  NodeHarness& n = f.n;
  auto& sim = f.sim;
  // the exchange fills the close only after it has been asked about it three times
  sim->inject(exchange::SimFault{core::OrderKind::market_close, exchange::SimFault::Type::delay_fill, "", "", 1, 3});
  sim->set_mark(core::Symbol::parse("ETH"), core::Price::parse("2060"));
  caf::scoped_actor caller{n.system()};
  caller->send(n.node().registry, actors::execute_atom_v, core::Symbol::parse("ETH"), Side::long_,
               actors::ExecuteRequest{Caller::health_check, core::StageId{1}, core::Price::parse("2060")});
  // While the close waits for its fill, the position answers in_progress to everyone else.
  CHECK(n.execute("ETH", Side::long_, Caller::ai_agent, 1, "2060").outcome.kind == OutcomeKind::in_progress);
  actors::ExecuteReply reply;
  caller->receive([&](const actors::ExecuteReply& r) { reply = r; });
  CHECK(reply.outcome.kind == OutcomeKind::success);
  const auto closes = n.closes("ETH");
  REQUIRE(closes.size() == 1);
  CHECK(closes[0].avg_fill_price.str() == "2060");
  CHECK(closes[0].filled_qty.str() == "0.5");
  CHECK(n.status()[0].record.position.current_stop.str() == "2000");
  // In the exchange's order of events: the close accepted, still open; filled; only then the new
  // stop placed (and the old one cancelled after it).
  const auto close_id = core::stage_order_id(eth_key(), core::StageId{1}, 0, core::OrderStep::close);
  const auto stop_id = core::stage_order_id(eth_key(), core::StageId{1}, 0, core::OrderStep::stop);
  std::vector<std::string> events;
  for (const auto& e : sim->journal()) {
    using T = exchange::SimEvent::Type;
    if (e.client_id == close_id && e.type == T::place) events.push_back("close placed " + std::string(core::to_string(e.status)));
    if (e.client_id == close_id && e.type == T::update) events.push_back("close " + std::string(core::to_string(e.status)));
    if (e.client_id == stop_id && e.type == T::place) events.push_back("stop placed");
    if (e.client_id == "user-stop-ETH_USDT-long" && e.type == T::cancel) events.push_back("old stop cancelled");
  }
  CHECK(events == std::vector<std::string>{"close placed open", "close filled", "stop placed", "old stop cancelled"});
}

TEST_CASE("a close that expires half filled: the stage goes on with what was closed and never closes it again",
          "[node]") {
  EthNode f;
  NodeHarness& n = f.n;
  auto& sim = f.sim;
  exchange::SimFault half;
  half.kind = core::OrderKind::market_close;
  half.type = exchange::SimFault::Type::partial_fill;  // 0.25 of the 0.5 fills, the rest expires
  sim->inject(half);
  const auto reply = n.execute("ETH", Side::long_, Caller::health_check, 1, "2060");
  CHECK(reply.outcome.kind == OutcomeKind::success);
  auto closes = n.closes("ETH");
  REQUIRE(closes.size() == 1);
  CHECK(closes[0].filled_qty.str() == "0.25");
  const auto rec = n.status()[0].record;
  CHECK(rec.position.remaining_size.str() == "1.25");
  CHECK(rec.position.current_stop.str() == "2000");
  // Every caller at the same level afterwards: no second close for stage 1.
  CHECK(n.execute("ETH", Side::long_, Caller::ai_agent, 1, "2061").outcome.kind == OutcomeKind::recently_executed);
  CHECK(n.sweep(Caller::health_check).replies.at(0).outcome.kind != OutcomeKind::success);
  CHECK(n.closes("ETH").size() == 1);
  CHECK(sim->position(core::Symbol::parse("ETH"), Side::long_)->size.str() == "1.25");
}

TEST_CASE("a trailing move the exchange rejects is tried again under a new order id, never the same one", "[node]") {
  test::TempDir dir;
  const auto cfg = test::node_config("execute", test::kEthLong);
  auto sim = sim_for(cfg);
  // No wait between tries here (order_safety_test.cpp tests the wait).
  NodeHarness n{cfg, sim, dir.path(), nullptr, [](actors::NodeSettings& s) { s.retry_first = s.retry_max = {}; }};
  REQUIRE(n.reconcile().adopted == 1);
  for (const char* price : {"2050", "2100", "2150"}) {  // stages 1 and 2, then 3R: the stop starts trailing
    n.tick("ETH", price);
    n.settle();
  }
  const auto seq_before = n.status()[0].record.order_seq;
  exchange::SimFault reject;
  reject.kind = core::OrderKind::stop;
  reject.code = "-4014";  // a refusal that says nothing about the position (-2022 would reconcile first)
  reject.message = "Price not increased by tick size.";
  sim->inject(reject);
  n.tick("ETH", "2200");  // a move, rejected: the stop stays
  n.settle();
  const auto stop_after_reject = n.status()[0].record.position.current_stop;
  n.tick("ETH", "2210");  // the next move goes out
  n.settle();
  const auto rec = n.status()[0].record;
  CHECK(rec.position.current_stop.str() == "2160");  // best 2210 - 1R
  CHECK(rec.position.current_stop != stop_after_reject);
  CHECK(rec.order_seq >= seq_before + 2);  // one number each, the rejected one's never used again
  CHECK(test::resends(*sim).empty());
  int rejected = 0;
  for (const auto& e : sim->journal()) rejected += e.type == exchange::SimEvent::Type::place && !e.accepted ? 1 : 0;
  CHECK(rejected == 1);
}
