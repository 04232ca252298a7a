// The group on etcd members that serve TLS and require client certificates (etcd
// --client-cert-auth), as across machines: the election, the fenced history writes and a
// standby's follower all go through https with the node's certificate; without one, etcd refuses.
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
using cluster::Role;

const cluster::GroupKeys& kKeys = test::kGroupKeys;

TEST_CASE("over TLS with client certificates the group elects writes and follows its history and etcd refuses a node without a certificate", "[cluster]") {
  test::EtcdCluster etcd(3, test::EtcdCluster::Tls::client_certs);
  REQUIRE(etcd.client_url(0).rfind("https://", 0) == 0);

  // Without the CA the members' certificate is not trusted; with the CA but no certificate of its
  // own, etcd ends the handshake.
  cluster::EtcdClient untrusting({etcd.client_url(0)}, 2000ms);
  CHECK_THROWS_AS(untrusting.range("/ptp/"), cluster::EtcdError);
  exchange::TlsFiles ca_only = etcd.tls_files();
  ca_only.cert_file.clear();
  ca_only.key_file.clear();
  cluster::EtcdClient anonymous({etcd.client_url(0)}, 2000ms, ca_only);
  CHECK_THROWS_AS(anonymous.range("/ptp/"), cluster::EtcdError);

  auto a = std::make_unique<test::GroupNode>(etcd.client_urls(), "a", 3s, etcd.tls_files());
  REQUIRE(a->wait_role(Role::owner, 15s));
  test::GroupNode b(etcd.client_urls(), "b", 3s, etcd.tls_files());
  REQUIRE(b.wait_role(Role::standby, 15s));
  cluster::EtcdHistory history(*a->own, kKeys, etcd.client_urls());
  const auto rec = test::position_record();
  history.put_position(rec);

  test::TempDir dir;
  auto store = std::make_shared<storage::HistoryStore>(dir.sub("b"));
  cluster::HistoryFollower follower(kKeys, etcd.client_urls(), store, etcd.tls_files());
  cluster::EtcdClient reader(etcd.client_urls(), 2000ms, etcd.tls_files());
  std::int64_t newest = 0;
  for (const auto& kv : reader.range(kKeys.history(), /*prefix=*/true)) newest = std::max(newest, kv.mod_revision);
  REQUIRE(follower.wait_applied(newest, 10s));
  CHECK(store->position(rec.position.key));

  // The standby's watch of the owner key runs over TLS too: a's clean stop hands over at once.
  a.reset();
  REQUIRE(b.wait_role(Role::owner, 15s));
  CHECK(b.own->may_send());
}

TEST_CASE("over TLS with client certificates a watch stream delivers the puts made after it started", "[cluster]") {
  // The election and a standby's follower both fall back to reading etcd again when their watch
  // cannot be set up, so their own tests pass without a working stream: this one needs it.
  test::EtcdCluster etcd(3, test::EtcdCluster::Tls::client_certs);
  cluster::EtcdClient client(etcd.client_urls(), 2000ms, etcd.tls_files());
  const std::int64_t revision = client.txn(nlohmann::json::object()).revision;  // the store's revision now
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> values;
  std::string ended;
  cluster::EtcdWatch watch(
      etcd.client_url(0), cluster::watch_request("/ptp/tls-watch", revision + 1),
      [&](const cluster::WatchMessage& m) {
        std::lock_guard lock(mu);
        for (const auto& ev : m.events) values.push_back(ev.kv.value);
        cv.notify_all();
      },
      [&](const std::string& why) {
        std::lock_guard lock(mu);
        ended = why;
        cv.notify_all();
      },
      etcd.tls_files());
  client.put("/ptp/tls-watch", "one");
  client.put("/ptp/tls-watch", "two");
  std::unique_lock lock(mu);
  const bool both = cv.wait_for(lock, 10s, [&] { return values.size() >= 2 || !ended.empty(); }) && values.size() >= 2;
  INFO("the stream ended: " << ended);
  REQUIRE(both);
  CHECK(values == std::vector<std::string>{"one", "two"});
}
