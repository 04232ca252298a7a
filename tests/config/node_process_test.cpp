// Runs the real ptp-node binary as a user would.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "../support/child_process.hpp"
#include "../support/run_command.hpp"
#include "../support/temp_dir.hpp"
#include "storage/data_dir_lock.hpp"

namespace {

using Run = ptp::test::CommandRun;

Run run_node(const std::string& args, const std::string& env = "") {
  return ptp::test::run_command(env + " " + PTP_NODE_BINARY + " " + args);
}

const std::string kConfigs = std::string(PTP_SOURCE_DIR) + "/configs/";


}  // namespace

TEST_CASE("ptp-node --check on the demo config prints each position's stage prices and exits 0", "[node]") {
  Run r = run_node("--check --config " + kConfigs + "demo.toml");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("demo.toml: OK"));
  CHECK_THAT(r.output, Catch::Contains("health_check_interval=10s"));
  CHECK_THAT(r.output, Catch::Contains("api:        off"));  // scripts/demo.sh turns it on
  CHECK_THAT(r.output, Catch::Contains("cluster:    off (a single node)"));
  // ETH short @ 3000, stop 3045: 1R = 45, stage 1 at 2955, stage 2 at 2910, TP at 5R = 2775
  CHECK_THAT(r.output, Catch::Contains("ETH_USDT short 2.4 @ 3000, initial stop 3045"));
  CHECK_THAT(r.output, Catch::Contains("trigger           2955  close 0.8"));
  CHECK_THAT(r.output, Catch::Contains("trigger           2910  close 0.8"));
  CHECK_THAT(r.output, Catch::Contains("extreme take-profit at 2775 for the remaining 0.8"));
  // SOL has no stop in the config: 2% default below 150
  CHECK_THAT(r.output, Catch::Contains("SOL_USDT long 10 @ 150, initial stop 147 (from default_stop_pct)"));
}

TEST_CASE("ptp-node --check reports whether key variables are set, never their values", "[node]") {
  Run unset = run_node("--check --config " + kConfigs + "binance.toml", "env -u BINANCE_API_KEY -u BINANCE_API_SECRET");
  CHECK(unset.exit_code == 0);
  CHECK_THAT(unset.output, Catch::Contains("$BINANCE_API_KEY (NOT SET)"));
  Run set = run_node("--check --config " + kConfigs + "binance.toml",
                     "env BINANCE_API_KEY=key-value-123 BINANCE_API_SECRET=secret-value-456");
  CHECK(set.exit_code == 0);
  CHECK_THAT(set.output, Catch::Contains("$BINANCE_API_KEY (set)"));
  CHECK_THAT(set.output, !Catch::Contains("key-value-123") && !Catch::Contains("secret-value-456"));
}

TEST_CASE("ptp-node --check names the cluster: node and etcd members and lease", "[node][cluster]") {
  ptp::test::TempDir dir;
  std::ifstream base(kConfigs + "binance-loopback.toml");
  std::stringstream text;
  text << base.rdbuf()
       << "\n[cluster]\netcd = [\"http://127.0.0.1:12379\", \"http://127.0.0.1:22379\"]\nlease_ttl = \"5s\"\nnode_id = \"node-a\"\n";
  std::ofstream(dir.sub("a.toml")) << text.str();
  Run r = run_node("--check --config " + dir.sub("a.toml"));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("cluster:    node node-a on etcd http://127.0.0.1:12379, http://127.0.0.1:22379, "
                                       "lease 5s (acts until 4s after each keep-alive"));
}

TEST_CASE("ptp-node --check exits 2 with file, line and key on a config error", "[node]") {
  Run r = run_node("--check --config " + std::string(PTP_SOURCE_DIR) + "/tests/config/fixtures/typo.toml");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("typo.toml:9:1: plan.stage[1].triger_r: unknown key"));
  Run missing = run_node("--check --config /nonexistent.toml");
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.output, Catch::Contains("cannot open"));
  Run usage = run_node("--check");
  CHECK(usage.exit_code == 2);
  CHECK_THAT(usage.output, Catch::Contains("--config FILE is required") && Catch::Contains("usage:"));
}

TEST_CASE("the demo config runs the actor node: stages 1 and 2 fire and a summary is printed", "[node]") {
  // The demo's price path, ten times faster: the same seeded walk, 10 ms per tick. The node runs
  // until its log shows both stages of the ETH short, then gets SIGTERM: nothing waits on a clock.
  ptp::test::TempDir dir;
  std::ifstream in(kConfigs + "demo.toml");
  std::stringstream text;
  text << in.rdbuf();
  std::string cfg = text.str();
  const std::string from = "tick_interval = \"100ms\"";
  REQUIRE(cfg.find(from) != std::string::npos);
  cfg.replace(cfg.find(from), from.size(), "tick_interval = \"10ms\"");
  std::ofstream(dir.sub("demo.toml")) << cfg;
  ptp::test::ChildProcess node({PTP_NODE_BINARY, "--config", dir.sub("demo.toml"), "--data-dir", dir.sub("data")}, {},
                              ptp::test::ChildProcess::Piped{});
  // A generous deadline only ends a node that never prints what the test waits for.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  // One line each: "[<caller>] sim:demo:ETH_USDT:short#1 R=1.02 stage 1 success: closed 0.8 of 2.4 ..."
  const std::regex stage1(R"(\] sim:demo:ETH_USDT:short#1 R=\S+ stage 1 success: closed 0\.8 of 2\.4 )");
  const std::regex stage2(R"(\] sim:demo:ETH_USDT:short#1 R=\S+ stage 2 success: closed 0\.8 of 2\.4 )");
  std::string log;
  bool saw1 = false, saw2 = false;
  while (!(saw1 && saw2)) {
    auto line = node.next_line(deadline);
    if (!line) break;  // the node ended, or the deadline passed, before both stages
    log += *line;
    saw1 = saw1 || std::regex_search(*line, stage1);
    saw2 = saw2 || (saw1 && std::regex_search(*line, stage2));
  }
  INFO(log);
  REQUIRE(saw1);
  REQUIRE(saw2);
  // SIGTERM: the node stops cleanly and prints the rest until it closes its output.
  std::string rest;
  std::thread reader([&] {
    while (auto line = node.next_line(deadline)) rest += *line;
  });
  const int code = node.stop();
  reader.join();
  INFO(rest);
  CHECK(code == 0);
  CHECK(std::regex_search(rest, std::regex(R"(metrics \{"ticks":\d+)")));
  CHECK(std::regex_search(rest, std::regex(R"(no-partial-TP)")));
  CHECK(std::regex_search(rest, std::regex(R"(\n[^\n]*ptp-node stopped cleanly\n)")));
}

TEST_CASE("a second node on the same data directory refuses to run", "[node]") {
  ptp::test::TempDir dir;
  ptp::storage::DataDirLock held(dir.sub("data"));
  Run r = run_node("--config " + kConfigs + "demo.toml --data-dir " + dir.sub("data") + " --run-for 1s");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("another ptp-node (pid"));
}

TEST_CASE("ptp-node --record appends every tick it receives as ts_ms symbol price lines", "[node]") {
  ptp::test::TempDir dir;
  const std::string file = dir.sub("ticks.csv");
  for (int run = 0; run < 2; ++run) {  // the second run appends
    Run r = run_node("--config " + kConfigs + "demo.toml --data-dir " + dir.sub("data") + " --run-for 1s --record " + file);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("recording every received tick to " + file));
  }
  std::ifstream in(file);
  std::string line;
  REQUIRE(std::getline(in, line));
  CHECK(line == "ts_ms,symbol,price");
  const std::regex tick(R"(\d{13},(BTC|ETH|SOL)_USDT,\d+(\.\d+)?)");
  std::size_t n = 0;
  long long last = 0;
  while (std::getline(in, line)) {
    INFO(line);
    REQUIRE(std::regex_match(line, tick));
    const long long ms = std::stoll(line.substr(0, 13));
    CHECK(ms >= last);
    last = ms;
    ++n;
  }
  // The demo steps its three symbols every 100 ms: two runs of a second are dozens of ticks.
  CHECK(n >= 30);
}
