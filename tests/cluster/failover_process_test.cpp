// Active/standby end to end: real ptp-node processes in one group on a real 3-member etcd cluster,
// against the simulator served over Binance's protocol (tests/cluster/cluster_rig.hpp). Every order
// request the exchange receives is checked against who owned the account in etcd when it arrived. The
// scenarios that also run over Gate.io's protocol live in failover_steps.hpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "tests/support/http_client.hpp"
#include "tests/support/run_command.hpp"
#include "tests/cluster/cluster_rig.hpp"
#include "tests/cluster/failover_steps.hpp"

using namespace ptp;
using namespace std::chrono_literals;
using test::cluster_rig::Rig;
using test::cluster_rig::wait_until;
using test::cluster_rig::check_orders;
using test::cluster_rig::failover_figures;
using test::cluster_rig::owner_loses_its_etcd_member;
using test::cluster_rig::started_together_20_times;
using test::cluster_rig::owner_killed_after_stage_1;
using test::cluster_rig::paused_owner_run;
using test::cluster_rig::start_pair;

TEST_CASE("the owner is killed after stage 1 and the standby takes over and executes stage 2 exactly once", "[cluster][process]") {
  Rig rig({"a", "b"});
  start_pair(rig);
  // The owner's API shows the group: itself as owner, since when, its lease's time left, b as standby.
  {
    const std::string url = rig.api_url("a");
    REQUIRE_FALSE(url.empty());
    const std::vector<std::string> auth{std::string("Authorization: Bearer ") + test::cluster_rig::kApiToken};
    const auto status = nlohmann::json::parse(test::http_request("GET", url + "/v1/status", "", auth).body);
    INFO(status.dump());
    CHECK(status["cluster"]["node_id"] == "a");
    CHECK(status["cluster"]["role"] == "owner");
    CHECK(status["cluster"]["owner"] == "a");
    CHECK(status["cluster"]["owner_since_ms"].get<std::int64_t>() > 0);
    CHECK(status["cluster"]["lease_left_ms"].get<std::int64_t>() > 0);
    CHECK(status["cluster"]["lease_left_ms"].get<std::int64_t>() <= 3000);
    CHECK(status["cluster"]["standbys"] == nlohmann::json::array({"b"}));
    const std::string metrics = test::http_request("GET", url + "/metrics", "", auth).body;
    CHECK_THAT(metrics, Catch::Contains("ptp_cluster_owner{node=\"a\",owner=\"a\"} 1"));
    CHECK_THAT(metrics, Catch::Contains("ptp_cluster_standbys 1"));
    CHECK_THAT(metrics, Catch::Contains("ptp_cluster_lease_left_seconds "));
    const auto ctl = test::run_command(std::string("PTP_API_TOKEN=") + test::cluster_rig::kApiToken + " " +
                                       PTP_CTL_BINARY + " --url " + url + " status");
    CHECK(ctl.exit_code == 0);
    CHECK_THAT(ctl.output, Catch::Contains("cluster      node a is owner; owner a since "));
    CHECK_THAT(ctl.output, Catch::Contains("standbys: b"));
  }
  owner_killed_after_stage_1(rig);
}

namespace {

nlohmann::json api_get(Rig& rig, const std::string& id, const std::string& path) {
  const std::vector<std::string> auth{std::string("Authorization: Bearer ") + test::cluster_rig::kApiToken};
  const auto r = test::http_request("GET", rig.api_url(id) + path, "", auth);
  INFO(path << " -> " << r.status << " " << r.body);
  REQUIRE(r.status == 200);
  return nlohmann::json::parse(r.body);
}

}  // namespace

TEST_CASE("over TLS to etcd with client certificates the standby takes over from a killed owner and executes stage 2 once", "[cluster][process]") {
  Rig rig({"a", "b"}, 3s, test::EtcdCluster::Tls::client_certs);
  REQUIRE(rig.etcd().client_url(0).rfind("https://", 0) == 0);
  start_pair(rig);
  owner_killed_after_stage_1(rig);
}

TEST_CASE("a standby keeps its stream and the group's history warm and answers its API but refuses to act", "[cluster][process]") {
  Rig rig({"a", "b"});
  start_pair(rig);
  rig.server().set_mark(test::cluster_rig::kEth, core::Price::parse("2050"));
  {
    INFO(rig.describe());
    REQUIRE(wait_until([&] { return rig.stage_done(1); }, 30s));
  }
  const std::string b_url = rig.api_url("b");
  REQUIRE_FALSE(b_url.empty());
  // b's stream is connected and carries the marks; its LMDB holds stage 1 as a recorded it (the
  // history followed from etcd), though b has never owned the account.
  REQUIRE(wait_until([&] {
    const auto positions = api_get(rig, "b", "/v1/positions")["positions"];
    return positions.size() == 1 && positions[0]["stages_done"].size() == 1 && positions[0]["mark"] == "2050";
  }, 20s));
  const auto position = api_get(rig, "b", "/v1/positions")["positions"][0];
  CHECK(position["stages_done"][0]["stage"] == 1);
  CHECK(position["stages_done"][0]["closed_qty"] == "0.5");
  CHECK(position["size"] == "1");
  CHECK(position["current_stop"] == "2000");
  const auto status = api_get(rig, "b", "/v1/status");
  INFO(status.dump());
  CHECK(status["cluster"]["role"] == "standby");
  CHECK(status["cluster"]["owner"] == "a");
  CHECK(status["stream"]["ticks"].get<std::int64_t>() > 0);
  CHECK(status["stream"]["age_ms"].get<std::int64_t>() >= 0);
  CHECK(status["positions"] == 1);
  const auto history = api_get(rig, "b", "/v1/history");
  // The event log as a recorded it: stage 1's intent and its result.
  bool stage1_intent = false, stage1_done = false;
  for (const auto& e : history["events"]) {
    stage1_intent = stage1_intent || (e["stage"] == 1 && e["state"] == "pending");
    stage1_done = stage1_done || (e["stage"] == 1 && e["state"] == "done");
  }
  CHECK(stage1_intent);
  CHECK(stage1_done);
  const std::string metrics =
      test::http_request("GET", b_url + "/metrics", "",
                         {std::string("Authorization: Bearer ") + test::cluster_rig::kApiToken})
          .body;
  CHECK_THAT(metrics, Catch::Contains("ptp_cluster_owner{node=\"b\",owner=\"a\"} 0"));

  // Whatever would act is refused, naming the owner; nothing reaches the exchange from b.
  const std::vector<std::string> auth{std::string("Authorization: Bearer ") + test::cluster_rig::kApiToken};
  const std::string key = position["key"];
  std::string encoded_key;
  for (char ch : key) encoded_key += ch == '#' ? std::string("%23") : std::string(1, ch);
  const auto execute = test::http_request("POST", b_url + "/v1/positions/" + encoded_key + "/stages/2/execute", "", auth);
  CHECK(execute.status == 503);
  CHECK_THAT(execute.body, Catch::Contains("node b does not act for binance/group") && Catch::Contains("owner: a"));
  const auto mode = test::http_request("PUT", b_url + "/v1/mode", R"({"mode":"observe","reason":"test"})", auth);
  CHECK(mode.status == 503);
  CHECK_THAT(mode.body, Catch::Contains("owner: a"));
  const auto ctl = test::run_command(std::string("PTP_API_TOKEN=") + test::cluster_rig::kApiToken + " " +
                                     PTP_CTL_BINARY + " --url " + b_url + " status");
  CHECK(ctl.exit_code == 0);
  CHECK_THAT(ctl.output, Catch::Contains("cluster      node b is standby; owner a since "));
  CHECK_THAT(ctl.output, !Catch::Contains("lease left"));  // the owner's figure, not a standby's

  // When a goes, the same API answers as the owner's and b acts on the history it already had.
  rig.node("a").process->kill_now();
  REQUIRE(rig.wait_owner("b", 30s));
  REQUIRE(wait_until([&] { return api_get(rig, "b", "/v1/status")["cluster"]["role"] == "owner"; }, 20s));
  CHECK(rig.api_url("b") == b_url);
  rig.server().set_mark(test::cluster_rig::kEth, core::Price::parse("2100"));
  {
    INFO(rig.describe());
    REQUIRE(wait_until([&] { return rig.stage_done(2); }, 30s));
  }
  const auto closes = rig.closes();
  REQUIRE(closes.size() == 2);
  CHECK(closes[1].first == "b");
  check_orders(rig);
}

TEST_CASE("an owner paused just after committing a stage intent sends nothing when it resumes and steps down saying why", "[cluster][process]") {
  int held_back = 0;
  for (int attempt = 0; attempt < 4 && held_back == 0; ++attempt) held_back += paused_owner_run<test::BinanceProtocol>() ? 1 : 0;
  CHECK(held_back == 1);  // at least one run paused the owner with its close still to send
}

TEST_CASE("an owner that loses its etcd member stops acting and the group goes on through the other members", "[cluster][process]") {
  owner_loses_its_etcd_member<test::BinanceProtocol>();
}

TEST_CASE("two nodes started at the same moment 20 times never both own the account", "[cluster][process]") {
  started_together_20_times<test::BinanceProtocol>();
}

// The figures for the README and the closing note (not a timing assertion: run it by hand,
// `ptp_cluster_process_tests "[.figures]"`; PTP_FAILOVER_KILLS sets the number of kills, 20 by default).
TEST_CASE("failover figures: the owner killed again and again", "[.figures]") {
  failover_figures<test::BinanceProtocol>();
}
