// The MCP endpoint over real HTTP on loopback, against the real node on the simulator.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "api_fixture.hpp"

using namespace ptp;
using test::ApiNode;
using test::Json;

namespace {

struct EthNode {
  test::TempDir dir;
  config::Config cfg = test::node_config("execute", test::kEthLong);
  std::shared_ptr<exchange::SimExchange> sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
  ApiNode api{cfg, sim, dir.path()};
  EthNode() { REQUIRE(api.node().reconcile().adopted == 1); }
};

Json error_of(const test::HttpResponse& r) {
  INFO(r.body);
  return Json::parse(r.body)["error"];
}

}  // namespace

TEST_CASE("mcp initialize negotiates the protocol version", "[api][mcp]") {
  EthNode n;
  for (const char* asked : {"2025-11-25", "2025-06-18", "2025-03-26"}) {
    const Json r = n.api.rpc("initialize", Json{{"protocolVersion", asked}, {"capabilities", Json::object()},
                                                 {"clientInfo", Json{{"name", "t"}, {"version", "1"}}}});
    CHECK(r["result"]["protocolVersion"] == asked);
    CHECK(r["result"]["serverInfo"]["name"] == "ptp-node");
    CHECK(r["result"]["capabilities"].contains("tools"));
  }
  CHECK(n.api.rpc("initialize", Json{{"protocolVersion", "2024-11-05"}})["result"]["protocolVersion"] == "2025-11-25");
  const auto note = n.api.post("/mcp", R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  CHECK(note.status == 202);
  CHECK(note.body.empty());
  CHECK(n.api.rpc("ping", Json::object(), 7) == Json{{"jsonrpc", "2.0"}, {"id", 7}, {"result", Json::object()}});
  CHECK(n.api.get("/mcp").status == 405);
  const auto old = n.api.post("/mcp", R"({"jsonrpc":"2.0","id":1,"method":"ping"})",
                              {test::kAuth, "MCP-Protocol-Version: 2024-11-05"});
  CHECK(old.status == 400);
}

TEST_CASE("mcp tools list every tool with a schema and annotations", "[api][mcp]") {
  EthNode n;
  const Json tools = n.api.rpc("tools/list")["result"]["tools"];
  std::map<std::string, Json> by_name;
  for (const auto& t : tools) by_name[t["name"]] = t;
  REQUIRE(by_name.size() == 5);
  for (const char* name : {"list_positions", "check_partial_take_profit", "execute_partial_take_profit", "get_history",
                           "get_status"}) {
    INFO(name);
    REQUIRE(by_name.count(name));
    CHECK(by_name[name]["inputSchema"]["type"] == "object");
    CHECK(by_name[name]["annotations"].contains("readOnlyHint"));
  }
  CHECK(by_name["check_partial_take_profit"]["annotations"]["readOnlyHint"] == true);
  CHECK(by_name["execute_partial_take_profit"]["annotations"]["readOnlyHint"] == false);
  CHECK(by_name["execute_partial_take_profit"]["annotations"]["destructiveHint"] == true);
  CHECK(by_name["execute_partial_take_profit"]["inputSchema"]["required"] == Json::array({"stage"}));
}

TEST_CASE("mcp list and check state the position and the exact due close", "[api][mcp]") {
  EthNode n;
  n.sim->set_mark(test::kEth, core::Price::parse("2060"));
  n.api.node().tick("ETH", "2060");
  n.api.node().settle();  // the tick executed stage 1 already: check at 2110 sees stage 2
  Json list = n.api.call("list_positions");
  CHECK(list["isError"] == false);
  CHECK(list["content"][0]["type"] == "text");
  const Json p = list["structuredContent"]["positions"][0];
  CHECK(p["key"] == "sim:t:ETH_USDT:long#1");
  CHECK(p["entry"] == "2000");
  CHECK(p["initial_stop"] == "1950");
  CHECK(p["current_stop"] == "2000");
  CHECK(p["size"] == "1");
  CHECK(p["r"] == "1.2");
  CHECK(p["stages_done"][0]["stage"] == 1);
  CHECK(p["stages_done"][0]["caller"] == "market");
  CHECK(p["next_stage"]["stage"] == 2);
  CHECK(p["next_stage"]["trigger_price"] == "2100");
  CHECK(p["take_profit"] == "2250");

  Json none = n.api.call("check_partial_take_profit", Json{{"symbol", "ETH"}});
  CHECK(none["structuredContent"]["positions"][0]["due"].empty());
  // The stream moves past stage 2 without the node trading it (observe the price only): the check
  // states the exact close (0.5 of the original 1.5) and the new stop (+1R = 2050).
  n.api.gateway().switch_mode(true, "operator", "test: hold still");
  n.api.node().tick("ETH", "2110");
  n.api.node().settle();
  Json due = n.api.call("check_partial_take_profit");
  INFO(due.dump());
  const Json d = due["structuredContent"]["positions"][0]["due"];
  REQUIRE(d.size() == 1);
  CHECK(d[0]["stage"] == 2);
  CHECK(d[0]["close_qty"] == "0.5");
  CHECK(d[0]["new_stop"] == "2050");
  CHECK(d[0]["remaining_after"] == "0.5");
  CHECK_THAT(due["content"][0]["text"].get<std::string>(), Catch::Contains("stage 2 due"));
}

TEST_CASE("mcp execute runs the stage as the agent and a retry is recently_executed", "[api][mcp]") {
  EthNode n;
  n.sim->set_mark(test::kEth, core::Price::parse("2060"));
  Json first = n.api.call("execute_partial_take_profit", Json{{"symbol", "ETH"}, {"side", "long"}, {"stage", 1}});
  INFO(first.dump());
  CHECK(first["isError"] == false);
  CHECK(first["structuredContent"]["outcome"] == "success");
  CHECK(first["structuredContent"]["caller"] == "ai-agent");
  CHECK(first["structuredContent"]["record"]["closed_qty"] == "0.5");
  CHECK(first["structuredContent"]["record"]["new_stop"] == "2000");
  CHECK_THAT(first["content"][0]["text"].get<std::string>(), Catch::Contains("stage 1: success"));
  Json again = n.api.call("execute_partial_take_profit", Json{{"position", "sim:t:ETH_USDT:long#1"}, {"stage", 1}});
  CHECK(again["isError"] == true);
  CHECK(again["structuredContent"]["outcome"] == "recently_executed");
  CHECK(n.api.node().closes("ETH").size() == 1);
  Json history = n.api.call("get_history", Json{{"symbol", "ETH_USDT"}, {"limit", 10}});
  const Json events = history["structuredContent"]["events"];
  REQUIRE(events.size() == 2);  // the intent and the outcome
  CHECK(events[1]["caller"] == "ai-agent");
  CHECK(events[1]["outcome"] == "success");
  Json status = n.api.call("get_status");
  CHECK(status["structuredContent"]["mode"] == "execute");
  CHECK(status["structuredContent"]["outcomes"]["ai-agent"]["success"] == 1);
  CHECK(status["structuredContent"]["outcomes"]["ai-agent"]["recently_executed"] == 1);
}

TEST_CASE("mcp execute the node does not answer in time says its outcome is unknown", "[api][mcp]") {
  test::TempDir dir;
  const auto cfg = test::node_config("execute", test::kEthLong);
  auto sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
  // The API waits 300 ms for an execute; the close fills after 8 queries, polled every 100 ms.
  ApiNode api{cfg, sim, dir.path(), test::api_settings(), std::chrono::milliseconds(100)};
  REQUIRE(api.node().reconcile().adopted == 1);
  sim->inject(exchange::SimFault{core::OrderKind::market_close, exchange::SimFault::Type::delay_fill, "", "", 1, 8});
  sim->set_mark(test::kEth, core::Price::parse("2060"));
  Json late = api.call("execute_partial_take_profit", Json{{"symbol", "ETH"}, {"side", "long"}, {"stage", 1}});
  INFO(late.dump());
  CHECK(late["isError"] == true);
  CHECK(late["structuredContent"]["outcome_unknown"] == true);
  CHECK_THAT(late["content"][0]["text"].get<std::string>(), Catch::Contains("the outcome is unknown"));
  api.node().settle();  // the stage goes on without the API: it finishes, once
  CHECK(api.node().closes("ETH").size() == 1);
  CHECK(sim->position(test::kEth, core::Side::long_)->size.str() == "1");
}

TEST_CASE("mcp refusals are tool errors and protocol faults are JSON-RPC errors", "[api][mcp]") {
  EthNode n;
  SECTION("not JSON") {
    const auto r = n.api.post("/mcp", "{\"jsonrpc\": \"2.0\", ");
    CHECK(r.status == 400);
    CHECK(error_of(r)["code"] == -32700);
  }
  SECTION("not a request object") {
    for (const char* body : {"[]", "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", "{\"id\":1,\"method\":\"ping\"}",
                             "{\"jsonrpc\":\"2.0\",\"id\":1}", "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"ping\"}",
                             "{\"jsonrpc\":2,\"id\":1,\"method\":\"ping\"}", "\"ping\""}) {
      INFO(body);
      const auto r = n.api.post("/mcp", body);
      CHECK(r.status == 400);
      CHECK(error_of(r)["code"] == -32600);
    }
  }
  SECTION("unknown method") { CHECK(n.api.rpc("tools/frobnicate")["error"]["code"] == -32601); }
  SECTION("unknown tool and malformed params") {
    CHECK(n.api.rpc("tools/call", Json{{"name", "sell_everything"}})["error"]["code"] == -32602);
    CHECK(n.api.rpc("tools/call", Json{{"name", 5}})["error"]["code"] == -32602);
    CHECK(n.api.rpc("tools/call", Json{{"name", "get_status"}, {"arguments", "x"}})["error"]["code"] == -32602);
    const auto r = n.api.post("/mcp", R"({"jsonrpc":"2.0","id":3,"method":"tools/list","params":[1]})");
    CHECK(error_of(r)["code"] == -32602);
  }
  SECTION("wrong argument types, unknown symbol, stage out of range") {
    struct Case {
      Json args;
      std::string says;
    };
    const std::vector<Case> cases = {
        {Json{{"symbol", "ETH"}, {"stage", "1"}}, "stage: expected an integer, got string"},
        {Json{{"symbol", "ETH"}, {"stage", 1.5}}, "stage: expected an integer"},
        {Json{{"symbol", 5}, {"stage", 1}}, "symbol: expected a string, got number"},
        {Json{{"symbol", "ETH"}}, "stage: required"},
        {Json{{"symbol", "ETH"}, {"stage", 1}, {"stgae", 2}}, "unknown argument \"stgae\""},
        {Json{{"symbol", "DOGE"}, {"stage", 1}}, "unknown symbol: DOGE_USDT"},
        {Json{{"symbol", "ETH-USD"}, {"stage", 1}}, "symbol: "},
        {Json{{"symbol", "ETH"}, {"side", "up"}, {"stage", 1}}, "side: "},
        {Json{{"position", "sim:t:ETH_USDT:long#9"}, {"stage", 1}}, "unknown position"},
        {Json{{"symbol", "ETH"}, {"stage", 0}}, "stage: expected a stage number from 1, got 0"},
        {Json{{"symbol", "ETH"}, {"stage", 300}}, "stage: the plan has 3 stages, got 300"},
        {Json{{"symbol", "ETH"}, {"stage", 9}}, "stage: the plan has 3 stages, got 9"},
        {Json{{"stage", 1}}, "name the position"},
    };
    for (const auto& c : cases) {
      INFO(c.args.dump());
      const Json r = n.api.call("execute_partial_take_profit", c.args);
      CHECK(r["isError"] == true);
      CHECK_THAT(r["content"][0]["text"].get<std::string>(), Catch::Contains(c.says));
    }
    CHECK(n.api.call("get_history", Json{{"limit", 0}})["isError"] == true);
    CHECK(n.api.call("get_history", Json{{"since", "yesterday"}})["isError"] == true);
    CHECK(n.api.node().closes("ETH").empty());
  }
  // The node keeps answering after every fault.
  CHECK(n.api.rpc("ping")["result"] == Json::object());
}

TEST_CASE("mcp check prices at the exchange mark when the stream has nothing fresh", "[api][mcp]") {
  EthNode n;
  n.sim->set_mark(test::kEth, core::Price::parse("2110"));  // no tick: the stream never sent a price
  const Json due = n.api.call("check_partial_take_profit", Json{{"symbol", "ETHUSDT"}});
  INFO(due.dump());
  const Json p = due["structuredContent"]["positions"][0];
  CHECK(p["mark"] == "2110");
  CHECK(p["r"] == "2.2");
  REQUIRE(p["due"].size() == 2);  // a gap past two triggers: both stages, in plan order
  CHECK(p["due"][0]["stage"] == 1);
  CHECK(p["due"][0]["close_qty"] == "0.5");
  CHECK(p["due"][0]["new_stop"] == "2000");
  CHECK(p["due"][1]["stage"] == 2);
  CHECK(p["due"][1]["new_stop"] == "2050");
  CHECK(p["due"][1]["remaining_after"] == "0.5");
  CHECK(n.api.node().closes("ETH").empty());  // checking sends nothing
}
