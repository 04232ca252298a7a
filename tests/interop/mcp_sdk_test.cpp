// The node's MCP endpoint as an AI agent reaches it through the official MCP TypeScript SDK
// (@modelcontextprotocol/sdk, locked in interop/mcp/package-lock.json): the real node on the
// embedded simulator with its HTTP API on loopback, the SDK's Streamable HTTP client in Node.js.
// Without Node.js or the installed packages the test reports itself skipped, except in CI.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "../api/api_fixture.hpp"
#include "../support/ccxt_runtime.hpp"
#include "../support/run_command.hpp"
#include "../support/temp_dir.hpp"

using namespace ptp;
using test::Json;

namespace {

// Runs the SDK client against `url`; one parsed JSON object per line it printed.
std::vector<Json> run_sdk_client(const std::string& node, const std::string& url) {
  const auto run = test::run_command(node + " " PTP_MCP_DIR "/sdk_client.mjs " + url + " " + test::kToken);
  const std::string& out = run.output;
  INFO(out);
  REQUIRE(run.exit_code == 0);
  std::vector<Json> steps;
  for (std::size_t at = 0; at < out.size();) {
    const auto end = out.find('\n', at);
    const std::string line = out.substr(at, end - at);
    if (!line.empty()) steps.push_back(Json::parse(line));
    at = end == std::string::npos ? out.size() : end + 1;
  }
  return steps;
}

const Json& step(const std::vector<Json>& steps, const std::string& name) {
  for (const auto& s : steps)
    if (s["step"] == name) return s["value"];
  FAIL("the SDK client printed no step " << name);
  static const Json none;
  return none;
}

}  // namespace

TEST_CASE("the official MCP SDK lists the tools and executes stage 1 once", "[interop][mcp]") {
  const std::string node =
      test::node_for_package_or_skip(PTP_MCP_DIR, "@modelcontextprotocol/sdk", "MCP SDK interop test");
  test::TempDir dir;
  const auto cfg = test::node_config("execute", test::kEthLong);
  auto sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
  test::ApiNode api(cfg, sim, dir.path());
  REQUIRE(api.node().reconcile().adopted == 1);
  // Stage 1 (2050) is due at the exchange's mark; no tick reaches the node, so the agent is the one
  // that executes it (the node prices its request with the exchange's mark).
  sim->set_mark(test::kEth, core::Price::parse("2060"));
  const auto from = sim->journal_size();

  const auto steps = run_sdk_client(node, api.url("/mcp"));
  CHECK(step(steps, "connected")["server"]["name"] == "ptp-node");
  CHECK(step(steps, "connected")["protocol"] == "2025-11-25");
  const auto tools = step(steps, "tools");
  for (const char* name : {"list_positions", "check_partial_take_profit", "execute_partial_take_profit", "get_history",
                           "get_status"})
    CHECK(std::find(tools.begin(), tools.end(), name) != tools.end());
  const Json& check = step(steps, "check");
  INFO(check.dump());
  CHECK(check["isError"] == false);
  const Json& positions = check["structuredContent"]["positions"];
  REQUIRE(positions.size() == 1);
  REQUIRE(positions[0]["due"].size() == 1);
  CHECK(positions[0]["due"][0]["stage"] == 1);
  CHECK(positions[0]["due"][0]["close_qty"] == "0.5");
  CHECK(positions[0]["due"][0]["new_stop"] == "2000");

  const Json& executed = step(steps, "execute");
  INFO(executed.dump());
  CHECK(executed["isError"] == false);
  CHECK(executed["structuredContent"]["kind"] == "success");
  const Json& retry = step(steps, "retry");
  INFO(retry.dump());
  CHECK(retry["isError"] == true);  // the retry executed nothing
  CHECK(retry["structuredContent"]["kind"] == "recently_executed");

  int closes = 0;
  for (const auto& e : sim->journal(from))
    closes += e.type == exchange::SimEvent::Type::place && e.kind == core::OrderKind::market_close ? 1 : 0;
  CHECK(closes == 1);
  CHECK(sim->position(test::kEth, core::Side::long_)->size.str() == "1");
}
