// The election, the fencing lease and the replicated history against a real 3-member etcd cluster
// (started and stopped by each test), in one process: each node is a cluster::Ownership.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <set>

#include "cluster/etcd_history.hpp"
#include "cluster/ownership.hpp"
#include "tests/cluster/group_node.hpp"
#include "storage/history_store.hpp"
#include "tests/support/etcd_cluster.hpp"

using namespace ptp;
using namespace std::chrono_literals;
using cluster::Role;

using Node = test::GroupNode;

TEST_CASE("of two nodes exactly one owns the account and the standby takes over when the owner leaves", "[cluster]") {
  test::EtcdCluster etcd;
  // A long lease: a takeover well within it is the revoke's doing, not an expiry.
  auto a = std::make_unique<Node>(etcd.client_urls(), "a", 20s);
  REQUIRE(a->wait_role(Role::owner));
  Node b(etcd.client_urls(), "b", 20s);
  REQUIRE(b.wait_role(Role::standby));
  CHECK(a->own->may_send());
  CHECK_FALSE(b.own->may_send());
  CHECK(b.own->why_not() == "this node is a standby (owner: a)");
  const auto status = a->own->status();
  CHECK(status.owner == "a");
  CHECK(status.standbys == std::vector<std::string>{"b"});
  CHECK(status.lease_left > 1s);
  CHECK(status.lease_left <= 20s - 4s);  // the TTL less its fifth
  const auto left_at = std::chrono::steady_clock::now();
  a.reset();  // a clean stop revokes the lease: the owner key goes with it
  REQUIRE(b.wait_role(Role::owner, 10s));
  CHECK(std::chrono::steady_clock::now() - left_at < 10s);  // not a lease expiry: the watch saw the delete
  CHECK(b.own->may_send());
  CHECK(b.own->status().owner == "b");
}

TEST_CASE("an owner cut off from etcd stops sending before its lease can expire and a standby takes over", "[cluster]") {
  test::EtcdCluster etcd;
  Node a({etcd.client_url(0)}, "a");  // a talks to member 1 only
  REQUIRE(a.wait_role(Role::owner));
  Node b({etcd.client_url(1), etcd.client_url(2)}, "b");
  REQUIRE(b.wait_role(Role::standby));
  etcd.kill_member(0);
  // b can own the account only once a's lease expired at etcd; by then a must have stopped.
  REQUIRE(b.wait_role(Role::owner, 15s));
  CHECK_FALSE(a.own->may_send());
  CHECK(a.own->role() == Role::stepped_down);
  CHECK_THAT(a.own->why_not(), Catch::Contains("no keep-alive was acknowledged in time") ||
                                   Catch::Contains("the lease deadline passed"));
}

TEST_CASE("history writes are fenced on ownership and a new owner loads them into its LMDB", "[cluster]") {
  test::EtcdCluster etcd;
  test::TempDir dir;
  auto a = std::make_unique<Node>(etcd.client_urls(), "a");
  REQUIRE(a->wait_role(Role::owner));
  Node b(etcd.client_urls(), "b");
  REQUIRE(b.wait_role(Role::standby));
  cluster::EtcdHistory a_history(*a->own, cluster::GroupKeys{"binance", "main"}, etcd.client_urls());
  cluster::EtcdHistory b_history(*b.own, cluster::GroupKeys{"binance", "main"}, etcd.client_urls());

  auto rec = test::position_record();
  a_history.put_position(rec);
  auto stage1 = test::stage_record(rec.position.key, 1);
  a_history.put_stage(stage1, nullptr);
  stage1.state = storage::StageState::done;
  stage1.closed_qty = core::Qty::parse("0.5");
  rec.position.remaining_size = core::Qty::parse("1.0");
  a_history.put_stage(stage1, &rec);
  auto stage2 = test::stage_record(rec.position.key, 2);
  a_history.put_stage(stage2, nullptr);  // a pending intent: the new owner resumes it
  CHECK_THROWS_AS(b_history.put_position(rec), storage::NotOwner);  // a standby writes nothing
  core::ModeChange to_observe{true, "operator", "looking into a fill", std::chrono::system_clock::now()};
  a_history.put_mode(to_observe);
  CHECK_THROWS_AS(b_history.put_mode(to_observe), storage::NotOwner);

  a.reset();
  REQUIRE(b.wait_role(Role::owner, 5s));
  storage::HistoryStore store(dir.sub("b"));
  const auto loaded = b_history.load_into(store);
  CHECK(loaded.positions == 1);
  CHECK(loaded.stages == 2);
  // The full stage history, not only each stage's latest record: stage 1's intent and result, stage 2's intent.
  CHECK(loaded.events == 3);
  const auto events = store.history(rec.position.key, core::Clock::time_point{}, core::Clock::time_point::max());
  std::set<std::pair<unsigned, storage::StageState>> seen;
  for (const auto& e : events) seen.emplace(e.stage.value, e.state);
  CHECK(seen == std::set<std::pair<unsigned, storage::StageState>>{{1, storage::StageState::pending},
                                                                  {1, storage::StageState::done},
                                                                  {2, storage::StageState::pending}});
  const auto pos = store.position(rec.position.key);
  REQUIRE(pos);
  CHECK(pos->position.remaining_size == core::Qty::parse("1.0"));
  const auto s1 = store.stage(rec.position.key, core::StageId{1});
  REQUIRE(s1);
  CHECK(s1->state == storage::StageState::done);
  const auto s2 = store.stage(rec.position.key, core::StageId{2});
  REQUIRE(s2);
  CHECK(s2->state == storage::StageState::pending);
  CHECK(s2->close_client_id == "ptp-close-2");
  // The operator's switch to observe holds for the new owner too (start_node resumes the last one).
  CHECK(loaded.modes == 1);
  const auto modes = store.mode_changes();
  REQUIRE(modes.size() == 1);
  CHECK(modes[0].observe);
  CHECK(modes[0].by == "operator");
  CHECK(modes[0].reason == "looking into a fill");
  CHECK(b_history.load_into(store).modes == 0);  // loaded twice: the log keeps it once
}

TEST_CASE("an owner whose key was taken over fails its next fenced write and steps down saying why", "[cluster]") {
  test::EtcdCluster etcd;
  Node a(etcd.client_urls(), "a");
  REQUIRE(a.wait_role(Role::owner));
  cluster::EtcdHistory history(*a.own, cluster::GroupKeys{"binance", "main"}, etcd.client_urls());
  const auto rec = test::position_record();
  history.put_position(rec);
  // Another writer replaces the owner key behind a's back (as if a's lease had expired and another
  // node won), before a's watch can tell it.
  cluster::EtcdClient other(etcd.client_urls());
  other.remove("/ptp/owner/binance/main");
  other.put("/ptp/owner/binance/main", R"({"node_id":"z"})");
  // Whichever comes first, the watch or the fenced write, a steps down and sends nothing more.
  try {
    history.put_position(rec);
  } catch (const storage::NotOwner&) {
  }
  REQUIRE(a.wait_role(Role::stepped_down, 5s));
  CHECK_FALSE(a.own->may_send());
  CHECK_THROWS_AS(history.put_position(rec), storage::NotOwner);
}
