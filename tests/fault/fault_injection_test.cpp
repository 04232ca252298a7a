// The real ptp-node process killed with SIGKILL at every step of a stage, and exposed to exchange
// rejections, timeouts and delayed fills at every step; each scenario checks the simulator's order
// log (one close per stage, one stop at the right level for the right size, never unprotected) and
// the node's own history. Each test case prints its table (ctest -V, or run the binary).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "tests/fault/crash_harness.hpp"

namespace {

using ptp::exchange::SimFault;
using ptp::test::fault::KillPoint;
using ptp::test::fault::Result;
using ptp::test::fault::Scenario;

const ptp::test::fault::Binaries kBinaries{PTP_NODE_BINARY, PTP_FAILING_DISK};

const char* kStep[] = {"", "the close", "the new stop", "the old stop's cancel", "the resized take-profit",
                       "the old take-profit's cancel"};

using Venue = ptp::core::Exchange;

std::string over(Venue venue) { return venue == Venue::gateio ? "gateio: " : ""; }

std::vector<Scenario> kills_in_stage(int stage, Venue venue = Venue::binance) {
  std::vector<Scenario> out;
  for (int request = 1; request <= 5; ++request)
    for (bool served : {false, true})
      out.push_back({.name = over(venue) + "stage " + std::to_string(stage) + ": killed " +
                             (served ? "after the exchange served " : "before ") + kStep[request],
                     .venue = venue,
                     .kills = {KillPoint{stage, request, served}}});
  return out;
}

void run_all(const std::vector<Scenario>& scenarios, std::vector<Result> results = {}) {
  for (const auto& r : results) {
    INFO(r.name << ": " << r.failure << "\n--- node log ---\n" << r.log);
    CHECK(r.survived());
  }
  for (const auto& s : scenarios) {
    results.push_back(ptp::test::fault::run_scenario(s, kBinaries));
    const Result& r = results.back();
    INFO(r.name << ": " << r.failure << "\n--- node log ---\n" << r.log);
    CHECK(r.survived());
  }
  if (std::getenv("PTP_FAULT_SHOW_LOGS"))  // by hand: every node's output, scenario by scenario
    for (const auto& r : results) std::cout << "=== " << r.name << " ===\n" << r.log;
  std::cout << ptp::test::fault::result_table(results) << std::flush;
  int duplicates = 0, unprotected = 0;
  for (const auto& r : results) {
    duplicates += r.duplicates;
    unprotected += r.unprotected;
  }
  CHECK(duplicates == 0);
  CHECK(unprotected == 0);
}

SimFault fault(ptp::core::OrderKind kind, SimFault::Type type) {
  SimFault f;
  f.kind = kind;
  f.type = type;
  return f;
}

}  // namespace

TEST_CASE("SIGKILL before and after each order of stage 1: one close, one stop, after a restart", "[fault]") {
  run_all(kills_in_stage(1));
}

TEST_CASE("SIGKILL before and after each order of stage 2, and twice in a row", "[fault]") {
  auto scenarios = kills_in_stage(2);
  // Killed again while recovering: the restarted node dies at its first order too.
  scenarios.push_back({.name = "stage 1: killed after the close fills, then again at recovery's new stop",
                       .kills = {KillPoint{1, 2, false}, KillPoint{1, 1, true}}});
  scenarios.push_back({.name = "stage 1: killed after the new stop, then before recovery's cancel",
                       .kills = {KillPoint{1, 2, true}, KillPoint{1, 1, false}}});
  run_all(scenarios);
}

TEST_CASE("Exchange rejections, timeouts and delayed fills at each order of a stage", "[fault]") {
  using K = ptp::core::OrderKind;
  using T = SimFault::Type;
  std::vector<Scenario> s;
  const std::pair<K, const char*> kinds[] = {{K::market_close, "close"}, {K::stop, "new stop"}, {K::take_profit, "take-profit"}};
  const std::pair<T, const char*> types[] = {{T::reject, "rejected"},
                                             {T::timeout_before_accept, "times out before the exchange accepts it"},
                                             {T::timeout_after_accept, "times out after the exchange accepted it"}};
  for (const auto& [kind, kind_name] : kinds)
    for (const auto& [type, type_name] : types)
      s.push_back({.name = std::string("the ") + kind_name + " " + type_name, .sim_fault = fault(kind, type)});
  s.push_back({.name = "the close fills late (accepted, filled after 3 queries)",
               .sim_fault = fault(K::market_close, T::delay_fill)});
  s.push_back({.name = "the old stop's cancel is lost (503, unserved)", .drop_request = 3});
  s.push_back({.name = "the old take-profit's cancel is lost (503, unserved)", .drop_request = 5});
  ptp::exchange::loopback::HttpFault cancel_rejected{"/fapi/v1/algoOrder", 400, -2011, "Unknown order sent.", -1, 1, "DELETE"};
  s.push_back({.name = "the old stop's cancel is rejected (-2011)", .http_fault = cancel_rejected});
  s.push_back({.name = "the close fills half, the rest expires (the stage goes on with 0.25)",
               .sim_fault = fault(K::market_close, T::partial_fill),
               .stage1_unfilled = "0.25"});
  s.push_back({.name = "the close fills late and the node is killed meanwhile",
               .kills = {KillPoint{1, 1, true}},
               .sim_fault = fault(K::market_close, T::delay_fill)});
  s.push_back({.name = "the new stop times out after accept, then killed before the old stop's cancel",
               .kills = {KillPoint{1, 3, false}},
               .sim_fault = fault(K::stop, T::timeout_after_accept)});
  auto cancel_all = [](K kind) {
    return [kind](ptp::exchange::SimExchange& sim) {
      for (const auto& o : sim.open_orders())
        if (o.kind == kind) sim.cancel(o.symbol, o.ref);
    };
  };
  s.push_back({.name = "the user cancels the stop after stage 1 (restored by the health check)",
               .after_stage1 = cancel_all(K::stop)});
  s.push_back({.name = "the user cancels the take-profit after stage 1", .after_stage1 = cancel_all(K::take_profit)});
  run_all(s);
}

TEST_CASE("over Gate.io's protocol: SIGKILL before and after each order of stage 1 and 2", "[fault][gateio]") {
  auto scenarios = kills_in_stage(1, Venue::gateio);
  for (auto& s : kills_in_stage(2, Venue::gateio)) scenarios.push_back(std::move(s));
  run_all(scenarios);
}

TEST_CASE("over Gate.io's protocol: exchange faults, and where Gate.io gives less than Binance", "[fault][gateio]") {
  using K = ptp::core::OrderKind;
  using T = SimFault::Type;
  const auto g = Venue::gateio;
  std::vector<Scenario> s;
  const std::pair<K, const char*> kinds[] = {{K::market_close, "close"}, {K::stop, "new stop"}, {K::take_profit, "take-profit"}};
  const std::pair<T, const char*> types[] = {{T::reject, "rejected"},
                                             {T::timeout_before_accept, "times out before the exchange accepts it"},
                                             {T::timeout_after_accept, "times out after the exchange accepted it"}};
  for (const auto& [kind, kind_name] : kinds)
    for (const auto& [type, type_name] : types)
      s.push_back({.name = std::string("gateio: the ") + kind_name + " " + type_name, .venue = g,
                   .sim_fault = fault(kind, type)});
  s.push_back({.name = "gateio: the close fills late (accepted, filled after 3 queries)", .venue = g,
               .sim_fault = fault(K::market_close, T::delay_fill)});
  s.push_back({.name = "gateio: the close fills half, the rest expires (ioc)", .venue = g,
               .sim_fault = fault(K::market_close, T::partial_fill), .stage1_unfilled = "0.25"});
  s.push_back({.name = "gateio: the old stop's cancel is lost (503, unserved)", .venue = g, .drop_request = 3});
  s.push_back({.name = "gateio: the old stop's cancel is refused (404 ORDER_NOT_FOUND)", .venue = g,
               .http_fault = ptp::exchange::loopback::HttpFault{"/api/v4/futures/usdt/price_orders/*", 404, 0,
                                                                "Order not found", -1, 1, "DELETE", "ORDER_NOT_FOUND"}});
  s.push_back({.name = "gateio: a 429 (TOO_MANY_REQUESTS) on the close: nothing sent until the reset", .venue = g,
               .http_fault = ptp::exchange::loopback::HttpFault{"/api/v4/futures/usdt/orders", 429, 0,
                                                                "Too many requests", 1, 1, "POST", "TOO_MANY_REQUESTS"}});
  // Gate.io finds a close by its text only for 60 s after it ended: the restarted node must find it
  // in the contract's finished orders, never send it again.
  s.push_back({.name = "gateio: killed after the close, restarted 61 s later (text lookup expired)", .venue = g,
               .kills = {KillPoint{1, 1, true}},
               .before_restart = [](ptp::exchange::loopback::LoopbackServer& server) {
                 server.set_clock_skew(std::chrono::seconds(61));
               }});
  s.push_back({.name = "gateio: the user cancels the stop after stage 1 (restored by the health check)", .venue = g,
               .after_stage1 = [](ptp::exchange::SimExchange& sim) {
                 for (const auto& o : sim.open_orders())
                   if (o.kind == K::stop) sim.cancel(o.symbol, o.ref);
               }});
  run_all(s);
}

TEST_CASE("LMDB's disk full or read-only: a clear error, nothing sent, and the stage runs once the disk is back",
          "[fault]") {
  const std::vector<Scenario> s{
      {.name = "the disk is full (ENOSPC) when stage 1 comes due, then freed", .disk_error = "ENOSPC"},
      {.name = "the disk turns read-only (EROFS) when stage 1 comes due, then back", .disk_error = "EROFS"},
      {.name = "the intent's commit fails at its meta page (LMDB panics), then the disk is back",
       .disk_error = "ENOSPC",
       .meta_only = true},
      {.name = "the disk fills after the stage's last order: the result waits in flight",
       .disk_error = "ENOSPC",
       .disk_fails_after_request = 5}};
  std::vector<Result> at_start{ptp::test::fault::run_start_on_failing_disk("ENOSPC", kBinaries),
                               ptp::test::fault::run_start_on_failing_disk("EROFS", kBinaries)};
  run_all(s, at_start);
}
