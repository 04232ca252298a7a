// A standby's follower keeps its LMDB a copy of the group's history while the owner writes it, on a
// real 3-member etcd cluster; a stream that ends (its member stopped) is followed by a fresh read.
#include <catch2/catch.hpp>

#include "cluster/etcd_client.hpp"
#include "cluster/etcd_history.hpp"
#include "cluster/history_follower.hpp"
#include "cluster/ownership.hpp"
#include "storage/history_store.hpp"
#include "tests/cluster/group_node.hpp"
#include "tests/support/etcd_cluster.hpp"
#include "tests/support/temp_dir.hpp"

using namespace ptp;
using namespace std::chrono_literals;

namespace {

const cluster::GroupKeys& kKeys = test::kGroupKeys;

// The owner's side: its election (awaited) and its fenced history writes.
struct Owner {
  test::GroupNode node;
  std::unique_ptr<cluster::EtcdHistory> history;

  explicit Owner(const std::vector<std::string>& etcd) : node(etcd, "a", std::chrono::seconds(5)) {
    REQUIRE(node.wait_role(cluster::Role::owner));
    history = std::make_unique<cluster::EtcdHistory>(*node.own, kKeys, etcd);
  }
};

// The newest revision among the group's history keys: what a follower must reach to hold them all.
std::int64_t history_revision(const std::vector<std::string>& etcd) {
  cluster::EtcdClient client(etcd);
  std::int64_t newest = 0;
  for (const auto& kv : client.range(kKeys.history(), /*prefix=*/true)) newest = std::max(newest, kv.mod_revision);
  return newest;
}

using test::stage_record;

}  // namespace

TEST_CASE("a standby follows the group's history into its LMDB as the owner writes it", "[cluster]") {
  test::EtcdCluster etcd;
  test::TempDir dir;
  Owner a(etcd.client_urls());
  auto rec = test::position_record();
  const auto& key = rec.position.key;
  a.history->put_position(rec);
  a.history->put_stage(stage_record(key, 1, storage::StageState::pending), nullptr);

  // What was written before the standby started comes with its first read.
  auto store = std::make_shared<storage::HistoryStore>(dir.sub("b"));
  auto follower = std::make_unique<cluster::HistoryFollower>(kKeys, etcd.client_urls(), store);
  REQUIRE(follower->wait_applied(history_revision(etcd.client_urls()), 10s));
  REQUIRE(store->position(key));
  REQUIRE(store->stage(key, core::StageId{1}));
  CHECK(store->stage(key, core::StageId{1})->state == storage::StageState::pending);

  // What is written afterwards comes through the watch: a result, the next intent, a mode switch.
  rec.position.remaining_size = core::Qty::parse("1.0");
  a.history->put_stage(stage_record(key, 1, storage::StageState::done), &rec);
  a.history->put_stage(stage_record(key, 2, storage::StageState::pending), nullptr);
  a.history->put_mode(core::ModeChange{true, "operator", "looking into a fill", std::chrono::system_clock::now()});
  REQUIRE(follower->wait_applied(history_revision(etcd.client_urls()), 10s));
  CHECK(store->stage(key, core::StageId{1})->state == storage::StageState::done);
  CHECK(store->position(key)->position.remaining_size == core::Qty::parse("1.0"));
  REQUIRE(store->stage(key, core::StageId{2}));
  CHECK(store->stage(key, core::StageId{2})->close_client_id == "ptp-close-2");
  REQUIRE(store->mode_changes().size() == 1);
  CHECK(store->mode_changes()[0].by == "operator");

  // Stopped (the node is about to act on the store), it writes nothing more. A second follower
  // seeing the next write is the barrier: the stopped one's stream carried it at the same time.
  const auto before = follower->applied_revision();
  follower->stop();
  test::TempDir other_dir;
  auto other_store = std::make_shared<storage::HistoryStore>(other_dir.sub("c"));
  cluster::HistoryFollower other(kKeys, etcd.client_urls(), other_store);
  a.history->put_stage(stage_record(key, 2, storage::StageState::done), &rec);
  REQUIRE(other.wait_applied(history_revision(etcd.client_urls()), 10s));
  CHECK(other_store->stage(key, core::StageId{2})->state == storage::StageState::done);
  CHECK(follower->applied_revision() == before);
  CHECK(store->stage(key, core::StageId{2})->state == storage::StageState::pending);
}

TEST_CASE("a standby whose history stream ends reads the history again and follows it on another member", "[cluster]") {
  test::EtcdCluster etcd;
  test::TempDir dir;
  Owner a({etcd.client_url(1), etcd.client_url(2)});
  auto rec = test::position_record();
  a.history->put_position(rec);
  auto store = std::make_shared<storage::HistoryStore>(dir.sub("b"));
  // Its first stream is on member 1 (the first in its list).
  cluster::HistoryFollower follower(kKeys, etcd.client_urls(), store);
  REQUIRE(follower.wait_applied(history_revision({etcd.client_url(1)}), 10s));
  etcd.kill_member(0);
  a.history->put_stage(stage_record(rec.position.key, 1, storage::StageState::done), &rec);
  REQUIRE(follower.wait_applied(history_revision({etcd.client_url(1), etcd.client_url(2)}), 20s));
  REQUIRE(store->stage(rec.position.key, core::StageId{1}));
  CHECK(store->stage(rec.position.key, core::StageId{1})->state == storage::StageState::done);
}
