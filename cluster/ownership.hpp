// This node's place in its group (one exchange + account): an etcd lease, kept alive at TTL/3, and
// the election on /ptp/owner/<exchange>/<account> (create-if-absent, bound to the lease). The winner
// is the owner; the others are standbys that watch the owner key and campaign again the moment it is
// deleted (its owner's lease expired or was revoked). No polling: a watch stream and a keep-alive
// timer.
//
// Fencing: the owner acts only until its lease deadline (core/ownership_lease.hpp: the send time of
// the last acknowledged keep-alive + TTL - TTL/5). may_send() is checked right before each order
// request leaves; past the deadline, when the owner key is seen deleted or taken, or when a fenced
// history write fails, the node steps down for good (logged once, with why), revokes its lease so a
// standby takes over at once, and tells the process (on_change). After the node has stopped acting,
// rejoin() makes it a standby again with a new lease.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cluster/etcd_requests.hpp"
#include "core/ownership_lease.hpp"
#include "exchange/order_fence.hpp"
#include "exchange/tls_files.hpp"

namespace ptp::cluster {

class EtcdClient;
class EtcdWatch;

enum class Role : unsigned char { joining, standby, owner, stepped_down };
const char* to_string(Role r);

// What ptp-ctl status and the metrics show.
struct GroupStatus {
  std::string node_id;
  Role role = Role::joining;
  std::string owner;                      // the owner's node id (empty: none known)
  std::int64_t owner_since_ms = 0;        // when it became owner (Unix ms)
  std::chrono::milliseconds lease_left{0};  // this node's time left to act (owner only)
  std::vector<std::string> standbys;      // members other than the owner
  std::string why;                        // why this node stepped down
};

struct OwnershipSettings {
  std::vector<std::string> etcd;
  std::chrono::milliseconds lease_ttl{5000};
  std::string node_id;
  GroupKeys keys;
  exchange::TlsFiles tls;  // for https:// members
};

class Ownership : public exchange::OrderFence {
 public:
  // `on_change` runs on the election's thread whenever the role changes (it must not block).
  Ownership(OwnershipSettings settings, std::function<void()> on_change);
  ~Ownership() override;  // stops the threads; an owner revokes its lease (a standby takes over at once)

  bool may_send() override;
  std::string why_not() const override;

  // Ownership is gone as seen elsewhere (a fenced history write failed): step down now.
  void lost(const std::string& why);
  // After stepping down and stopping the node: campaign again as a standby, with a new lease.
  void rejoin();

  Role role() const;
  // The owner key's create revision while this node owns it (the fenced writes compare it); 0 otherwise.
  std::int64_t owner_revision() const;
  // Reads the members from etcd (a request of its own: for status, not the tick path).
  GroupStatus status() const;
  const OwnershipSettings& settings() const { return settings_; }

 private:
  void run();
  bool join_and_campaign(EtcdClient& client);
  bool campaign(EtcdClient& client);  // throws EtcdError
  void serve(EtcdClient& client);
  void start_watch(EtcdClient& client, std::int64_t from_revision);
  bool step_down_locked(const std::string& why);  // true the first time
  void set_role_locked(Role r);
  std::string owner_value() const;

  const OwnershipSettings settings_;
  const std::function<void()> on_change_;
  const std::int64_t started_ms_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool rejoin_ = false;
  bool changed_ = false;  // role changed: on_change_ is due (called outside the lock)
  Role role_ = Role::joining;
  core::OwnershipLease lease_;
  std::int64_t lease_id_ = 0;
  std::int64_t owner_revision_ = 0;
  std::string owner_id_;
  std::int64_t owner_since_ms_ = 0;
  std::int64_t seen_revision_ = 0;  // the newest revision the watch reported
  bool owner_gone_ = false;         // the watch saw the owner key deleted
  std::string taken_by_;            // the watch saw the owner key created by another node
  bool watch_ended_ = false;
  bool wake_ = false;               // something for the election's thread to look at
  std::size_t watch_restarts_ = 0;

  std::unique_ptr<EtcdWatch> watch_;
  std::thread thread_;
};

}  // namespace ptp::cluster
