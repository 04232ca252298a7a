// A standby's follower keeps its LMDB a copy of the group's history while the owner writes it, on a
// real 3-member etcd cluster; a stream that ends (its member stopped) is followed by a fresh read.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

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

// One etcd member as a standby's follower sees it, on a loopback port: a range answers an empty
// history at revision 7 (or fails, when told to), and every watch stream ends as soon as it starts,
// as a member does whose watches cannot be set up (a proxy that does not stream, a TLS mismatch on
// the stream only). It counts the reads.
class WatchlessMember {
 public:
  std::atomic<int> ranges{0};
  std::atomic<int> watches{0};
  std::atomic<bool> fail_ranges{false};

  WatchlessMember() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(fd_ >= 0);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 64) == 0);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~WatchlessMember() {
    stopping_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void serve() {
    while (!stopping_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      answer(c);
      ::close(c);
    }
  }
  void answer(int c) {
    std::string req;
    char buf[4096];
    std::size_t head_end;
    while ((head_end = req.find("\r\n\r\n")) == std::string::npos) {
      const auto n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      req.append(buf, static_cast<std::size_t>(n));
    }
    std::size_t body_len = 0;
    if (const auto at = req.find("Content-Length: "); at != std::string::npos && at < head_end)
      body_len = std::stoul(req.substr(at + 16));
    while (req.size() < head_end + 4 + body_len) {
      const auto n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      req.append(buf, static_cast<std::size_t>(n));
    }
    std::string status = "200 OK", body;
    if (req.rfind("POST /v3/watch ", 0) == 0) {
      ++watches;  // an empty answer: the stream ends at once
    } else if (req.rfind("POST /v3/kv/range ", 0) == 0) {
      ++ranges;
      if (fail_ranges) {
        status = "500 Internal Server Error";
        body = R"({"error":"injected","code":2})";
      } else {
        body = R"({"header":{"revision":"7"},"kvs":[]})";
      }
    } else {
      status = "404 Not Found";
      body = "{}";
    }
    const std::string out = "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    (void)::send(c, out.data(), out.size(), MSG_NOSIGNAL);
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// True when `pred` held before `limit` passed (polled every 10 ms).
template <class Pred>
bool holds_within(Pred pred, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

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

TEST_CASE("a standby whose history watch ends at once or whose read fails reads etcd again about once a second not in a loop", "[cluster]") {
  WatchlessMember member;
  test::TempDir dir;
  auto store = std::make_shared<storage::HistoryStore>(dir.sub("b"));
  cluster::HistoryFollower follower(kKeys, {member.url()}, store);
  REQUIRE(follower.wait_applied(7, 10s));
  REQUIRE(holds_within([&] { return member.watches.load() >= 1; }, 10s));

  // Every watch ends at once: the history is read again, but not more than about once a second.
  const int reads_before = member.ranges.load();
  const bool looped = holds_within([&] { return member.ranges.load() - reads_before > 5; }, 3000ms);
  INFO("reads in 3 s while each watch ended at once: " << member.ranges.load() - reads_before);
  CHECK_FALSE(looped);
  CHECK(member.ranges.load() - reads_before >= 1);  // it does read again

  // A read that fails after a stream ended is tried again in a second too.
  member.fail_ranges = true;
  const int failed_before = member.ranges.load();
  const bool retried_in_a_loop = holds_within([&] { return member.ranges.load() - failed_before > 5; }, 3000ms);
  INFO("failed reads in 3 s: " << member.ranges.load() - failed_before);
  CHECK_FALSE(retried_in_a_loop);
  CHECK(member.ranges.load() - failed_before >= 1);
}
