// The etcd client against a real 3-member etcd cluster on loopback (started and stopped here).
#include <catch2/catch.hpp>

#include <condition_variable>
#include <cstdio>
#include <mutex>

#include "cluster/etcd_client.hpp"
#include "tests/support/etcd_cluster.hpp"

using namespace ptp::cluster;
using namespace std::chrono_literals;

TEST_CASE("two campaigns on one owner key elect exactly one and a watch sees the owner go when its lease is revoked", "[etcd]") {
  ptp::test::EtcdCluster etcd;
  EtcdClient a(etcd.client_urls()), b(etcd.client_urls());
  const GroupKeys keys{"binance", "main"};
  const auto la = a.grant(5s), lb = b.grant(5s);
  CHECK(la.ttl_seconds == 5);
  const auto won = a.txn(campaign_txn(keys.owner(), "a", la.id));
  const auto lost = b.txn(campaign_txn(keys.owner(), "b", lb.id));
  CHECK(won.succeeded);
  CHECK_FALSE(lost.succeeded);
  // The loser's answer says who holds it.
  const auto holder = key_value_of(lost.responses[0]["response_range"]["kvs"][0]);
  CHECK(holder.value == "a");
  CHECK(holder.create_revision == won.revision);
  CHECK(a.keepalive(la.id) == 5);

  std::mutex mu;
  std::condition_variable cv;
  bool created = false, deleted = false;
  EtcdWatch watch(
      etcd.client_url(1), watch_request(keys.owner(), lost.revision + 1),
      [&](const WatchMessage& m) {
        std::lock_guard lock(mu);
        created = created || m.created;
        for (const auto& e : m.events) deleted = deleted || (e.deleted && e.kv.key == keys.owner());
        cv.notify_all();
      },
      [](const std::string&) {});
  {
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, 5s, [&] { return created; }));
  }
  a.revoke(la.id);
  {
    std::unique_lock lock(mu);
    CHECK(cv.wait_for(lock, 5s, [&] { return deleted; }));
  }
  CHECK(a.keepalive(la.id) == 0);  // the lease is gone
  CHECK(b.txn(campaign_txn(keys.owner(), "b", lb.id)).succeeded);
}

TEST_CASE("a campaign repeated after its answer was lost finds the key on its own lease and wins and no other lease does", "[etcd]") {
  ptp::test::EtcdCluster etcd;
  EtcdClient c(etcd.client_urls());
  const GroupKeys keys{"binance", "main"};
  const auto mine = c.grant(5s), theirs = c.grant(5s);
  const auto first = c.txn(campaign_txn(keys.owner(), "a", mine.id));  // its answer "never came"
  REQUIRE(first.succeeded);
  const auto again = c.txn(campaign_txn(keys.owner(), "a", mine.id));
  CHECK_FALSE(again.succeeded);
  const auto won_at = campaign_won_at(again.succeeded, again.revision, again.responses, mine.id);
  CHECK(won_at == first.revision);
  const auto other = c.txn(campaign_txn(keys.owner(), "b", theirs.id));
  CHECK(campaign_won_at(other.succeeded, other.revision, other.responses, theirs.id) == 0);
  // The fenced writes compare the revision found: the retried campaign's owner can write.
  CHECK(c.txn(fenced_put_txn(keys.owner(), won_at, {{keys.position("p"), "one"}})).succeeded);
}

TEST_CASE("a fenced write commits only while the owner key is the one the writer created", "[etcd]") {
  ptp::test::EtcdCluster etcd;
  EtcdClient c(etcd.client_urls());
  const GroupKeys keys{"binance", "main"};
  const auto lease = c.grant(5s);
  const auto won = c.txn(campaign_txn(keys.owner(), "a", lease.id));
  REQUIRE(won.succeeded);
  CHECK(c.txn(fenced_put_txn(keys.owner(), won.revision, {{keys.position("p"), "one"}})).succeeded);
  c.revoke(lease.id);  // the owner key goes with its lease; another node wins
  const auto other = c.grant(5s);
  REQUIRE(c.txn(campaign_txn(keys.owner(), "b", other.id)).succeeded);
  CHECK_FALSE(c.txn(fenced_put_txn(keys.owner(), won.revision, {{keys.position("p"), "two"}})).succeeded);
  const auto kvs = c.range(keys.history(), /*prefix=*/true);
  REQUIRE(kvs.size() == 1);
  CHECK(kvs[0].value == "one");
}

TEST_CASE("a prefix is read in pages of one snapshot and every key comes once in key order", "[etcd]") {
  ptp::test::EtcdCluster etcd;
  EtcdClient c(etcd.client_urls());
  for (int batch = 0; batch < 3; ++batch) {  // 3 x 84 puts (etcd takes at most 128 operations per txn)
    nlohmann::json puts = nlohmann::json::array();
    for (int i = 0; i < 84; ++i) {
      char key[32];
      std::snprintf(key, sizeof key, "/h/k%03d", batch * 84 + i);
      puts.push_back(nlohmann::json{{"request_put", put_request(key, "v")}});
    }
    REQUIRE(c.txn(nlohmann::json{{"success", puts}}).succeeded);
  }
  c.put("/h0", "outside");  // just past the prefix's end
  std::int64_t revision = 0;
  const auto all = c.range_all("/h/", &revision, 100);
  const std::int64_t now = c.txn(nlohmann::json::object()).revision;
  REQUIRE(all.size() == 252);
  for (int i = 0; i < 252; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "/h/k%03d", i);
    CHECK(all[static_cast<std::size_t>(i)].key == key);
  }
  CHECK(revision == now);
}

TEST_CASE("a client goes on through the next member when the one it used is stopped", "[etcd]") {
  ptp::test::EtcdCluster etcd;
  // Long enough for the others to elect a leader when the stopped member led (a read needs one).
  EtcdClient c({etcd.client_url(0), etcd.client_url(1), etcd.client_url(2)}, 5000ms);
  c.put("/k", "v");
  CHECK(c.endpoint() == etcd.client_url(0));
  etcd.kill_member(0);
  CHECK(c.range("/k").at(0).value == "v");
  CHECK(c.endpoint() != etcd.client_url(0));
  EtcdClient only_dead({etcd.client_url(0)}, 500ms);
  CHECK_THROWS_AS(only_dead.range("/k"), EtcdError);
}
