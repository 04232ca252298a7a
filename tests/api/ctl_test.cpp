// The real ptp-ctl binary against the real node's API on loopback.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "api_fixture.hpp"
#include "../support/run_command.hpp"

using namespace ptp;

namespace {

using Run = ptp::test::CommandRun;

Run ctl(const std::string& args, const std::string& env) {
  return ptp::test::run_command("env " + env + " " + PTP_CTL_BINARY + " " + args);
}

}  // namespace

TEST_CASE("ptp-ctl shows status positions and history and executes with exit codes", "[api][ctl]") {
  test::TempDir dir;
  const auto cfg = test::node_config("execute", test::kEthLong);
  auto sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
  test::ApiNode api(cfg, sim, dir.path());
  REQUIRE(api.node().reconcile().adopted == 1);
  const std::string env = "PTP_API_TOKEN=" + test::kToken + " PTP_API_URL=" + api.url("");
  auto run = [&](const std::string& args) {
    Run r = ctl(args, env);
    INFO(args << "\n" << r.output);
    return r;
  };

  Run status = run("status");
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.output, Catch::Contains("mode         execute"));
  Run positions = run("positions");
  CHECK(positions.exit_code == 0);
  CHECK_THAT(positions.output, Catch::Contains("POSITION") && Catch::Contains("sim:t:ETH_USDT:long#1"));
  CHECK(run("execute sim:t:ETH_USDT:long#1 1").exit_code == 1);  // not_due at the entry price
  sim->set_mark(test::kEth, core::Price::parse("2060"));
  Run exec = run("execute sim:t:ETH_USDT:long#1 1");
  CHECK(exec.exit_code == 0);
  CHECK_THAT(exec.output, Catch::Contains("operator sim:t:ETH_USDT:long#1 stage 1: success"));
  CHECK_THAT(run("execute sim:t:ETH_USDT:long#1 1").output, Catch::Contains("recently_executed"));
  Run history = run("history sim:t:ETH_USDT:long#1");
  CHECK(history.exit_code == 0);
  CHECK_THAT(history.output, Catch::Contains("operator") && Catch::Contains("success"));
  Run json = run("--json positions");
  CHECK(test::Json::parse(json.output)["positions"][0]["stages_done"][0]["caller"] == "operator");
  Run mode = run("mode observe --reason maintenance");
  CHECK(mode.exit_code == 0);
  CHECK_THAT(mode.output, Catch::Contains("mode execute -> observe (maintenance)"));
  CHECK(run("execute sim:t:ETH_USDT:short#1 1").exit_code == 1);  // unknown position: refused
  CHECK(run("mode observe").exit_code == 2);
  CHECK(run("execute sim:t:ETH_USDT:long#1 one").exit_code == 2);
  CHECK(run("frobnicate").exit_code == 2);
  CHECK(ctl("status", "PTP_API_TOKEN=wrong-token-0123456789 PTP_API_URL=" + api.url("")).exit_code == 3);
  CHECK(ctl("status", "-u PTP_API_TOKEN PTP_API_URL=" + api.url("")).exit_code == 3);
  CHECK(ctl("status", "PTP_API_TOKEN=" + test::kToken + " PTP_API_URL=http://127.0.0.1:1").exit_code == 3);
}
