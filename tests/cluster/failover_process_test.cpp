// Active/standby end to end: real ptp-node processes in one group on a real 3-member etcd cluster,
// against the simulator served over Binance's protocol (tests/cluster/cluster_rig.hpp). Every order
// request the exchange receives is checked against who owned the account in etcd when it arrived.
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "cluster/etcd_client.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/run_command.hpp"
#include "storage/history_store.hpp"
#include "tests/cluster/cluster_rig.hpp"

using namespace ptp;
using namespace std::chrono_literals;
using test::cluster_rig::Rig;
using test::cluster_rig::wait_until;

namespace {

// Every order request came from the owner of the moment, and no order id was sent twice.
void check_orders(Rig& rig) {
  INFO(rig.describe());
  CHECK(rig.by_non_owner().empty());
  CHECK(rig.resends() == 0);
}

void start_pair(Rig& rig) {
  rig.start("a");
  REQUIRE(rig.wait_owner("a"));
  rig.start("b");
  REQUIRE(rig.wait_log("b", "is a standby"));
  INFO(rig.describe());
  REQUIRE(wait_until([&] { return rig.adopted(); }, 20s));
}

}  // namespace

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
  rig.server().set_mark(test::cluster_rig::kEth, core::Price::parse("2050"));
  {
    INFO(rig.describe());
    REQUIRE(wait_until([&] { return rig.stage_done(1); }, 30s));
  }
  // Stage 1's result is in etcd (the new owner's source), then the owner dies without a word.
  cluster::EtcdClient etcd(rig.etcd().client_urls());
  REQUIRE(wait_until([&] {
    for (const auto& kv : etcd.range("/ptp/history/binance/group/stage/", true))
      if (storage::stage_from_bytes(kv.value).state == storage::StageState::done) return true;
    return false;
  }, 10s));
  rig.node("a").process->kill_now();
  REQUIRE(rig.wait_owner("b", 30s));
  // How long it took is a figure, not a test: see the [.figures] case below.
  REQUIRE(rig.wait_log("b", "start-up reconcile"));
  CHECK(rig.node("b").log().find("loaded the group's history from etcd: 1 position(s), 1 stage record(s)") !=
        std::string::npos);
  rig.server().set_mark(test::cluster_rig::kEth, core::Price::parse("2100"));
  {
    INFO(rig.describe());
    REQUIRE(wait_until([&] { return rig.stage_done(2); }, 30s));
  }
  const auto closes = rig.closes();
  REQUIRE(closes.size() == 2);
  CHECK(closes[0].first == "a");
  CHECK(closes[1].first == "b");
  CHECK(closes[0].second.filled_qty == core::Qty::parse("0.5"));
  CHECK(closes[1].second.filled_qty == core::Qty::parse("0.5"));
  check_orders(rig);
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

namespace {

// One run of the paused-owner scenario. Returns whether the pause landed before a's close left
// (the watch and a's own path race by a few milliseconds): only then is a's close still to be sent
// when it resumes, which is what the fence must stop.
bool paused_owner_run() {
  Rig rig({"a", "b"});
  start_pair(rig);
  // Pause a the moment its stage 1 intent is in etcd.
  std::atomic<bool> paused{false};
  const pid_t a_pid = rig.node("a").pid();
  REQUIRE(a_pid > 0);
  cluster::EtcdClient reader(rig.etcd().client_urls());
  const auto start_rev = reader.txn(nlohmann::json::object()).revision;
  cluster::EtcdWatch watch(
      rig.etcd().client_url(1),
      cluster::watch_request("/ptp/history/binance/group/stage/", start_rev + 1, /*prefix=*/true),
      [&](const cluster::WatchMessage& m) {
        for (const auto& e : m.events)
          if (!e.deleted && !paused && storage::stage_from_bytes(e.kv.value).state == storage::StageState::pending) {
            ::kill(a_pid, SIGSTOP);
            paused = true;
          }
      },
      [](const std::string&) {});
  rig.server().set_mark(test::cluster_rig::kEth, core::Price::parse("2050"));
  REQUIRE(wait_until([&] { return paused.load(); }, 20s));
  // The owner's lease expires at etcd; b takes over and finishes the stage (by the close's client id).
  {
    const bool b_owns = rig.wait_owner("b", 30s);
    INFO(rig.describe());
    REQUIRE(b_owns);
  }
  {
    INFO(rig.describe());
    REQUIRE(wait_until([&] { return rig.stage_done(1); }, 30s));
  }
  // (How soon b took over is no test: on a loaded machine a's last keep-alive may have come late, so
  // its lease may expire soon after the pause. What must hold is checked below: a sends nothing.)
  bool a_sent_before = false;
  for (const auto& o : rig.orders()) a_sent_before = a_sent_before || (o.sender == "a" && o.method == "POST");
  a_sent_before = a_sent_before && rig.closes().size() == 1 && rig.closes()[0].first == "a";
  const auto resumed_at = std::chrono::steady_clock::now();
  ::kill(a_pid, SIGCONT);
  const bool stepped_down = rig.wait_log("a", "steps down as owner", 10s) && rig.wait_log("a", "is a standby again", 20s);
  INFO(rig.describe());
  REQUIRE(stepped_down);
  for (const auto& o : rig.orders())
    if (o.at >= resumed_at) CHECK(o.sender != "a");
  const std::string a_log = rig.node("a").log();
  CHECK((a_log.find("the lease deadline passed") != std::string::npos ||
         a_log.find("no keep-alive was acknowledged in time") != std::string::npos ||
         a_log.find("owns the account now") != std::string::npos ||
         a_log.find("the owner key was deleted") != std::string::npos ||
         a_log.find("lease has expired") != std::string::npos));
  CHECK(rig.closes().size() == 1);
  check_orders(rig);
  return !a_sent_before;
}

}  // namespace

TEST_CASE("an owner paused just after committing a stage intent sends nothing when it resumes and steps down saying why", "[cluster][process]") {
  int held_back = 0;
  for (int attempt = 0; attempt < 4 && held_back == 0; ++attempt) held_back += paused_owner_run() ? 1 : 0;
  CHECK(held_back == 1);  // at least one run paused the owner with its close still to send
}

TEST_CASE("an owner that loses its etcd member stops acting and the group goes on through the other members", "[cluster][process]") {
  Rig rig({"a", "b"});
  rig.start("a", {0});  // a knows member 1 only
  REQUIRE(rig.wait_owner("a"));
  rig.start("b", {1, 2});
  REQUIRE(rig.wait_log("b", "is a standby"));
  REQUIRE(wait_until([&] { return rig.adopted(); }, 20s));
  rig.etcd().kill_member(0);
  REQUIRE(rig.wait_log("a", "steps down as owner", 10s));
  REQUIRE(rig.wait_owner("b", 30s));
  REQUIRE(rig.wait_log("b", "start-up reconcile"));
  rig.server().set_mark(test::cluster_rig::kEth, core::Price::parse("2050"));
  {
    INFO(rig.describe());
    REQUIRE(wait_until([&] { return rig.stage_done(1); }, 30s));
  }
  const auto closes = rig.closes();
  REQUIRE(closes.size() == 1);
  CHECK(closes[0].first == "b");
  check_orders(rig);
}

TEST_CASE("two nodes started at the same moment 20 times never both own the account", "[cluster][process]") {
  Rig rig({"a", "b"});
  int owners_a = 0, owners_b = 0;
  for (int round = 0; round < 20; ++round) {
    INFO("round " << round);
    rig.start("a");
    rig.start("b");
    REQUIRE(wait_until([&] { const auto o = rig.owner_now(); return o == "a" || o == "b"; }, 20s));
    const std::string owner = rig.owner_now();
    const std::string standby = owner == "a" ? "b" : "a";
    (owner == "a" ? owners_a : owners_b)++;
    REQUIRE(rig.wait_log(owner, "start-up reconcile"));
    REQUIRE(rig.wait_log(standby, "is a standby"));
    // Once in the run, a stage: the owner of that round executes it.
    if (round == 10) {
      rig.server().set_mark(test::cluster_rig::kEth, core::Price::parse("2050"));
      REQUIRE(wait_until([&] { return rig.stage_done(1); }, 30s));
    }
    CHECK(rig.node(standby).log().find(" owns binance/group now") == std::string::npos);
    CHECK(rig.node(standby).process->stop() == 0);
    CHECK(rig.node(owner).process->stop() == 0);
    std::filesystem::remove(rig.node("a").log_path);
    std::filesystem::remove(rig.node("b").log_path);
  }
  CHECK(owners_a + owners_b == 20);
  CHECK(rig.adopted());
  CHECK(rig.closes().size() == 1);
  check_orders(rig);
}

namespace {

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace

// The figures for the README and the closing note (not a timing assertion: run it by hand,
// `ptp_cluster_process_tests "[.figures]"`; PTP_FAILOVER_KILLS sets the number of kills, 20 by default).
TEST_CASE("failover figures: the owner killed again and again", "[.figures]") {
  const char* env = std::getenv("PTP_FAILOVER_KILLS");
  const int kills = env ? std::max(1, std::atoi(env)) : 20;
  Rig rig({"a", "b"});
  start_pair(rig);
  std::string owner = "a", standby = "b";
  std::vector<double> to_owner_ms, to_reconciled_ms;
  int failovers = 0;
  for (int i = 0; i < kills; ++i) {
    INFO("kill " << i + 1);
    const auto reconciles_before = occurrences(rig.node(standby).log(), "start-up reconcile");
    const auto t0 = std::chrono::steady_clock::now();
    rig.node(owner).process->kill_now();
    REQUIRE(rig.wait_owner(standby, 20s));
    const auto t1 = std::chrono::steady_clock::now();
    REQUIRE(wait_until([&] { return occurrences(rig.node(standby).log(), "start-up reconcile") > reconciles_before; }, 30s));
    const auto t2 = std::chrono::steady_clock::now();
    ++failovers;
    to_owner_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    to_reconciled_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
    // The stages run across the kills: stage 1 after the 5th, stage 2 after the 12th (or the last).
    if (i == std::min(4, kills - 1)) {
      rig.server().set_mark(test::cluster_rig::kEth, core::Price::parse("2050"));
      REQUIRE(wait_until([&] { return rig.stage_done(1); }, 30s));
    }
    if (i == std::min(11, kills - 1)) {
      rig.server().set_mark(test::cluster_rig::kEth, core::Price::parse("2100"));
      REQUIRE(wait_until([&] { return rig.stage_done(2); }, 30s));
    }
    std::filesystem::remove(rig.node(owner).log_path);
    rig.start(owner);  // the killed node comes back as a standby
    REQUIRE(rig.wait_log(owner, "is a standby"));
    std::swap(owner, standby);
  }
  const int closes = static_cast<int>(rig.closes().size());
  const int duplicates = rig.resends() + std::max(0, closes - 2);
  const auto non_owner = rig.by_non_owner().size();
  std::printf(
      "\n| figure | value |\n|---|---|\n| faults injected (SIGKILL of the owner) | %d |\n| failovers | %d |\n"
      "| kill -> standby owns (etcd) p50 / p99 / max | %.0f / %.0f / %.0f ms |\n"
      "| kill -> new owner reconciled p50 / p99 / max | %.0f / %.0f / %.0f ms |\n"
      "| stages executed (closes) | %d |\n| duplicates | %d |\n| orders sent by a non-owner | %zu |\n"
      "| order requests checked | %zu |\n",
      kills, failovers, percentile(to_owner_ms, 0.5), percentile(to_owner_ms, 0.99), percentile(to_owner_ms, 1.0),
      percentile(to_reconciled_ms, 0.5), percentile(to_reconciled_ms, 0.99), percentile(to_reconciled_ms, 1.0), closes,
      duplicates, non_owner, rig.orders().size());
  CHECK(duplicates == 0);
  CHECK(non_owner == 0);
  CHECK(closes == 2);
}
