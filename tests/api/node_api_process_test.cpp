// The real ptp-node process with its API: refuses to start without the token, starts and stops
// cleanly with it.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "../support/temp_dir.hpp"
#include "../support/run_command.hpp"

namespace {

using Run = ptp::test::CommandRun;

Run run_node(const std::string& args, const std::string& env) {
  return ptp::test::run_command("env " + env + " " + PTP_NODE_BINARY + " " + args);
}

std::string write_config(const ptp::test::TempDir& dir, const std::string& api) {
  const std::string path = dir.sub("node.toml");
  std::ofstream(path) << "[node]\nexchange = \"sim\"\naccount = \"t\"\nmode = \"execute\"\nstorage_path = \""
                      << dir.sub("data") << "\"\nsymbols = [\"ETH\"]\n[sim]\n[[sim.instrument]]\nsymbol = \"ETH\"\n"
                      << "tick_size = \"0.01\"\nstep_size = \"0.001\"\nstart_price = \"2000\"\n" << api;
  return path;
}

}  // namespace

TEST_CASE("ptp-node refuses to start the api without its token and names the variable", "[api][node]") {
  ptp::test::TempDir dir;
  const std::string cfg = write_config(dir, "[api]\nlisten = \"127.0.0.1:0\"\ntoken_env = \"PTP_TEST_TOKEN\"\n");
  Run unset = run_node("--config " + cfg + " --run-for 1s", "-u PTP_TEST_TOKEN");
  CHECK(unset.exit_code == 1);
  CHECK_THAT(unset.output, Catch::Contains("environment variable PTP_TEST_TOKEN (api.token_env), which is not set"));
  Run short_token = run_node("--config " + cfg + " --run-for 1s", "PTP_TEST_TOKEN=abc");
  CHECK(short_token.exit_code == 1);
  CHECK_THAT(short_token.output, Catch::Contains("fewer than 16 characters"));
  CHECK_THAT(short_token.output, !Catch::Contains("=abc"));
  Run check = run_node("--check --config " + cfg, "-u PTP_TEST_TOKEN");
  CHECK(check.exit_code == 0);
  CHECK_THAT(check.output, Catch::Contains("api:        http://127.0.0.1:0 (MCP /mcp, REST /v1, /metrics), bearer token "
                                           "from $PTP_TEST_TOKEN (NOT SET)"));
}

TEST_CASE("ptp-node serves the api with its token and stops cleanly", "[api][node]") {
  ptp::test::TempDir dir;
  const std::string secret = "a-long-secret-token-value-123456";
  const std::string cfg = write_config(dir, "[api]\nlisten = \"127.0.0.1:0\"\ntoken_env = \"PTP_TEST_TOKEN\"\n");
  Run r = run_node("--config " + cfg + " --run-for 1s", "PTP_TEST_TOKEN=" + secret);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("[api] MCP on http://127.0.0.1:"));
  CHECK_THAT(r.output, Catch::Contains("ptp-node stopped cleanly"));
  CHECK_THAT(r.output, !Catch::Contains(secret));
}
