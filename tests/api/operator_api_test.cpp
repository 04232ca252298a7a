// The operator API and the HTTP gate, over real HTTP on loopback against the real node.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <string>

#include "../support/resends.hpp"
#include "../support/run_command.hpp"
#include "api/guards.hpp"
#include "api_fixture.hpp"

using namespace ptp;
using test::ApiNode;
using test::Json;

namespace {

const std::string kEthKeyPath = "sim%3At%3AETH_USDT%3Along%231";  // sim:t:ETH_USDT:long#1

struct EthNode {
  test::TempDir dir;
  config::Config cfg = test::node_config("execute", test::kEthLong);
  std::shared_ptr<exchange::SimExchange> sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
  std::unique_ptr<ApiNode> api = std::make_unique<ApiNode>(cfg, sim, dir.path());
  EthNode() { REQUIRE(api->node().reconcile().adopted == 1); }
};

Json body_of(const test::HttpResponse& r) {
  INFO(r.body);
  return Json::parse(r.body);
}

// Close orders the node placed on the simulator (every placement request counts, accepted or not).
int close_placements(const exchange::SimExchange& sim) {
  int n = 0;
  for (const auto& e : sim.journal())
    if (e.type == exchange::SimEvent::Type::place && e.kind == core::OrderKind::market_close) ++n;
  return n;
}

}  // namespace

TEST_CASE("the api refuses a missing or wrong token and a foreign origin", "[api][http]") {
  EthNode n;
  auto& api = *n.api;
  const auto none = api.get("/v1/status", {});
  CHECK(none.status == 401);
  CHECK(none.header("www-authenticate") == "Bearer");
  CHECK(api.get("/v1/status", {"Authorization: Bearer wrong-token-0123456789abcdef"}).status == 401);
  CHECK(api.get("/v1/status", {"Authorization: Bearer " + test::kToken + "x"}).status == 401);
  CHECK(api.get("/v1/status", {"Authorization: Basic " + test::kToken}).status == 401);
  CHECK(api.post("/mcp", R"({"jsonrpc":"2.0","id":1,"method":"ping"})", {}).status == 401);
  CHECK(api.get("/v1/status", {"authorization: bearer " + test::kToken}).status == 200);
  CHECK(api.get("/v1/status", {test::kAuth, "Origin: http://evil.example"}).status == 403);
  CHECK(api.get("/v1/status", {test::kAuth, "Origin: http://127.0.0.1.evil.example"}).status == 403);
  CHECK(api.get("/v1/status", {test::kAuth, "Origin: null"}).status == 403);
  CHECK(api.get("/v1/status", {test::kAuth, "Origin: http://localhost:6274"}).status == 200);
  CHECK(api.get("/v1/status", {test::kAuth, "Origin: http://[::1]:3000"}).status == 200);
  CHECK(api.get("/v1/nothing").status == 404);
}

TEST_CASE("an oversized body gets 413 and malformed JSON 400 and the node keeps serving", "[api][http]") {
  EthNode n;
  auto& api = *n.api;
  const std::string big(api::kMaxBodyBytes + 1, ' ');
  CHECK(api.post("/mcp", big).status == 413);
  CHECK(api.put("/v1/mode", std::string(api::kMaxBodyBytes + 100, 'x')).status == 413);
  const auto bad = api.put("/v1/mode", "{\"mode\": ");
  CHECK(bad.status == 400);
  CHECK_THAT(body_of(bad)["error"].get<std::string>(), Catch::Contains("malformed JSON"));
  CHECK(api.put("/v1/mode", R"({"mode":"sleep","reason":"x"})").status == 400);
  CHECK(api.put("/v1/mode", R"({"mode":"observe"})").status == 400);
  CHECK(api.put("/v1/mode", R"({"mode":"observe","reason":""})").status == 400);
  CHECK(api.get("/v1/status").status == 200);
}

TEST_CASE("a request flood gets 429 past the server's rate", "[api][http]") {
  test::TempDir dir;
  const auto cfg = test::node_config("execute", test::kEthLong);
  ApiNode api(cfg, std::make_shared<exchange::SimExchange>(*cfg.sim), dir.path(), test::api_settings(5));
  int ok = 0, limited = 0;
  std::string retry_after;
  for (int i = 0; i < 30; ++i) {
    const auto r = api.get("/mcp");  // 405 once through the gate: no actor is asked, so the flood is quick
    if (r.status == 405) ++ok;
    if (r.status == 429) {
      ++limited;
      retry_after = r.header("retry-after");
    }
  }
  CHECK(limited > 0);
  CHECK(ok >= 5);
  CHECK(ok + limited == 30);
  CHECK(retry_after == "1");
  CHECK(api.node().reconcile().adopted == 1);  // the node itself is unaffected
}

TEST_CASE("the token bucket refills at its rate", "[api]") {
  api::TokenBucket bucket(2);
  const auto t0 = api::TokenBucket::Clock::now() + std::chrono::seconds(1);
  CHECK(bucket.take(t0));
  CHECK(bucket.take(t0));
  CHECK_FALSE(bucket.take(t0));
  CHECK(bucket.take(t0 + std::chrono::milliseconds(500)));
  CHECK_FALSE(bucket.take(t0 + std::chrono::milliseconds(500)));
  CHECK(bucket.take(t0 + std::chrono::seconds(10)));
  CHECK(bucket.take(t0 + std::chrono::seconds(10)));
  CHECK_FALSE(bucket.take(t0 + std::chrono::seconds(10)));  // the burst is capped at the rate
}

TEST_CASE("operator status positions history and execute over REST", "[api][http]") {
  EthNode n;
  auto& api = *n.api;
  const Json status = body_of(api.get("/v1/status"));
  CHECK(status["mode"] == "execute");
  CHECK(status["positions"] == 1);
  CHECK(status["mode_switch"].is_null());
  const Json positions = body_of(api.get("/v1/positions"));
  CHECK(positions["positions"][0]["key"] == "sim:t:ETH_USDT:long#1");
  n.sim->set_mark(test::kEth, core::Price::parse("2060"));
  const auto exec = api.post("/v1/positions/" + kEthKeyPath + "/stages/1/execute", "");
  const Json e = body_of(exec);
  CHECK(exec.status == 200);
  CHECK(e["outcome"] == "success");
  CHECK(e["caller"] == "operator");
  CHECK(e["record"]["closed_qty"] == "0.5");
  CHECK(body_of(api.post("/v1/positions/" + kEthKeyPath + "/stages/1/execute", ""))["outcome"] == "recently_executed");
  CHECK(body_of(api.post("/v1/positions/" + kEthKeyPath + "/stages/2/execute", ""))["outcome"] == "not_due");
  CHECK(api.post("/v1/positions/sim%3At%3AETH_USDT%3Ashort%231/stages/1/execute", "").status == 404);
  CHECK(api.post("/v1/positions/" + kEthKeyPath + "/stages/0/execute", "").status == 400);
  const Json history = body_of(api.get("/v1/positions/" + kEthKeyPath + "/history"));
  REQUIRE(history["events"].size() == 2);
  CHECK(history["events"][1]["caller"] == "operator");
  CHECK(history["events"][1]["orders"].contains("close"));
  CHECK(body_of(api.get("/v1/positions/" + kEthKeyPath + "/history?limit=1"))["events"].size() == 1);
  CHECK(api.get("/v1/positions/" + kEthKeyPath + "/history?limit=x").status == 400);
  CHECK(api.get("/v1/positions/nonsense/history").status == 400);
  CHECK(api.get("/v1/positions/sim%3At%3ABTC_USDT%3Along%231/history").status == 404);
  CHECK(n.api->node().closes("ETH").size() == 1);
}

TEST_CASE("agent operator and health check racing for one stage close once", "[api][race]") {
  EthNode n;
  auto& api = *n.api;
  n.sim->set_mark(test::kEth, core::Price::parse("2060"));
  std::promise<void> go;
  std::shared_future<void> start = go.get_future().share();
  auto agent = std::async(std::launch::async, [&] {
    start.wait();
    return api.call("execute_partial_take_profit", Json{{"symbol", "ETH"}, {"side", "long"}, {"stage", 1}});
  });
  auto op = std::async(std::launch::async, [&] {
    start.wait();
    return body_of(api.post("/v1/positions/" + kEthKeyPath + "/stages/1/execute", ""));
  });
  auto health = std::async(std::launch::async, [&] {
    start.wait();
    caf::scoped_actor self{api.node().system()};
    actors::SweepReport out;
    self->request(api.node().node().registry, caf::infinite, actors::sweep_atom_v, core::Caller::health_check)
        .receive([&](const actors::SweepReport& r) { out = r; }, [](caf::error&) {});
    return out;
  });
  go.set_value();
  const Json a = agent.get();
  const Json o = op.get();
  const actors::SweepReport h = health.get();
  REQUIRE(h.replies.size() == 1);
  std::vector<std::string> outcomes = {a["structuredContent"]["outcome"], o["outcome"], h.replies[0].outcome.str()};
  INFO(outcomes[0] << " / " << outcomes[1] << " / " << outcomes[2]);
  CHECK(std::count(outcomes.begin(), outcomes.end(), "success") == 1);
  for (const auto& x : outcomes) CHECK((x == "success" || x == "recently_executed" || x == "in_progress"));
  api.node().settle();
  CHECK(api.node().closes("ETH").size() == 1);
  CHECK(close_placements(*n.sim) == 1);
  CHECK(test::resends(*n.sim).empty());
}

TEST_CASE("a mode switch is recorded with its reason and survives a restart", "[api][mode]") {
  test::TempDir dir;
  const auto cfg = test::node_config("execute", test::kEthLong);
  auto sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
  {
    ApiNode api(cfg, sim, dir.path());
    REQUIRE(api.node().reconcile().adopted == 1);
    const auto r = api.put("/v1/mode", R"({"mode":"observe","reason":"incident 42: the exchange is flaky"})");
    const Json j = body_of(r);
    CHECK(r.status == 200);
    CHECK(j["mode"] == "observe");
    CHECK(j["previous"] == "execute");
    CHECK(j["by"] == "operator");
    sim->set_mark(test::kEth, core::Price::parse("2060"));
    CHECK(body_of(api.post("/v1/positions/" + kEthKeyPath + "/stages/1/execute", ""))["outcome"] == "observe_only");
  }
  {  // the same data directory, a new node: the config says execute, the switch says observe
    ApiNode api(cfg, sim, dir.path());
    REQUIRE(api.node().reconcile().resumed == 1);
    const Json status = body_of(api.get("/v1/status"));
    CHECK(status["mode"] == "observe");
    CHECK(status["mode_switch"]["reason"] == "incident 42: the exchange is flaky");
    CHECK(body_of(api.post("/v1/positions/" + kEthKeyPath + "/stages/1/execute", ""))["outcome"] == "observe_only");
    const Json history = body_of(api.get("/v1/history"));
    REQUIRE(history["mode_switches"].size() == 1);
    CHECK(history["mode_switches"][0]["mode"] == "observe");
    CHECK(body_of(api.put("/v1/mode", R"({"mode":"execute","reason":"resolved"})"))["previous"] == "observe");
    CHECK(body_of(api.post("/v1/positions/" + kEthKeyPath + "/stages/1/execute", ""))["outcome"] == "success");
  }
  CHECK(sim->order_log().size() >= 1);
}

TEST_CASE("metrics are Prometheus text that promtool accepts", "[api][metrics]") {
  EthNode n;
  n.sim->set_mark(test::kEth, core::Price::parse("2060"));
  n.api->node().tick("ETH", "2060");
  n.api->node().settle();
  const auto r = n.api->get("/metrics");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK_THAT(r.header("content-type"), Catch::StartsWith("text/plain; version=0.0.4"));
  CHECK_THAT(r.body, Catch::Contains("ptp_outcomes_total{caller=\"market\",outcome=\"success\"} 1\n"));
  CHECK_THAT(r.body, Catch::Contains("ptp_stages_done{stage=\"1\"} 1\n"));
  CHECK_THAT(r.body, Catch::Contains("ptp_tick_to_decision_seconds_count "));
  CHECK_THAT(r.body, Catch::Contains("ptp_tick_to_decision_seconds_bucket{le=\"+Inf\"} "));
  CHECK_THAT(r.body, Catch::Contains("ptp_positions_managed 1\n"));
  CHECK_THAT(r.body, Catch::Contains("ptp_order_budget_waits_total 0\n"));
  CHECK_THAT(r.body, Catch::Contains("ptp_mode{mode=\"execute\"} 1\n"));
  CHECK(n.api->get("/metrics", {}).status == 401);
  // promtool (Debian's prometheus package) parses and lints the exposition.
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    const char* required = std::getenv("PTP_REQUIRE_INTEROP");
    if (required && *required) FAIL("promtool is not installed and PTP_REQUIRE_INTEROP is set");
    WARN("promtool is not installed: the Prometheus parser check is skipped");
    return;
  }
  test::TempDir dir;
  const std::string path = dir.sub("metrics.txt");
  { std::ofstream(path) << r.body; }
  const auto run = test::run_command("promtool check metrics < " + path);
  INFO(run.output);
  CHECK(run.exit_code == 0);
}
