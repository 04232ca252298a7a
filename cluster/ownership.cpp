#include "cluster/ownership.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "cluster/etcd_client.hpp"
#include "exchange/failure_log.hpp"

namespace ptp::cluster {

using Clock = core::OwnershipLease::Clock;
using nlohmann::json;

namespace {

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// An owner or member key's value: {"node_id": ..., "since_ms": ...}; a foreign value reads as itself.
std::pair<std::string, std::int64_t> member_of(const std::string& value) {
  const json j = json::parse(value, nullptr, false);
  if (j.is_object() && j.contains("node_id") && j["node_id"].is_string())
    return {j["node_id"].get<std::string>(), j.value("since_ms", std::int64_t{0})};
  return {value, 0};
}

// Requests to etcd never take longer than the margin the fencing deadline leaves.
std::chrono::milliseconds request_timeout(std::chrono::milliseconds ttl) {
  return std::max(std::chrono::milliseconds(500), ttl / 5);
}

constexpr auto kRetry = std::chrono::milliseconds(500);  // etcd unreachable: the next try

}  // namespace

const char* to_string(Role r) {
  switch (r) {
    case Role::joining: return "joining";
    case Role::standby: return "standby";
    case Role::owner: return "owner";
    case Role::stepped_down: return "stepped-down";
  }
  return "?";
}

Ownership::Ownership(OwnershipSettings settings, std::function<void()> on_change)
    : settings_(std::move(settings)),
      on_change_(std::move(on_change)),
      started_ms_(unix_ms()),
      lease_(settings_.lease_ttl) {
  thread_ = std::thread([this] { run(); });
}

Ownership::~Ownership() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    wake_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool Ownership::may_send() {
  std::lock_guard lock(mu_);
  if (role_ != Role::owner) return false;
  if (lease_.may_act(Clock::now())) return true;
  step_down_locked("the lease deadline passed before an order could be sent (no keep-alive acknowledged for " +
                   std::to_string(settings_.lease_ttl.count() - lease_.margin().count()) + " ms)");
  cv_.notify_all();
  return false;
}

std::string Ownership::why_not() const {
  std::lock_guard lock(mu_);
  switch (role_) {
    case Role::joining: return "this node has not joined its group yet";
    case Role::standby: return "this node is a standby (" + (owner_id_.empty() ? std::string("no owner known") : "owner: " + owner_id_) + ")";
    case Role::owner: return "this node owns the account";
    case Role::stepped_down: return "this node stepped down: " + lease_.why();
  }
  return {};
}

void Ownership::lost(const std::string& why) {
  {
    std::lock_guard lock(mu_);
    if (role_ == Role::owner) step_down_locked(why);
    wake_ = true;
  }
  cv_.notify_all();
}

void Ownership::rejoin() {
  {
    std::lock_guard lock(mu_);
    rejoin_ = true;
    wake_ = true;
  }
  cv_.notify_all();
}

Role Ownership::role() const {
  std::lock_guard lock(mu_);
  return role_;
}

std::int64_t Ownership::owner_revision() const {
  std::lock_guard lock(mu_);
  return role_ == Role::owner ? owner_revision_ : 0;
}

GroupStatus Ownership::status() const {
  GroupStatus out;
  out.node_id = settings_.node_id;
  {
    std::lock_guard lock(mu_);
    out.role = role_;
    out.owner = owner_id_;
    out.owner_since_ms = owner_since_ms_;
    out.lease_left = role_ == Role::owner
                         ? std::chrono::duration_cast<std::chrono::milliseconds>(lease_.left(Clock::now()))
                         : std::chrono::milliseconds(0);
    out.why = lease_.stepped_down() ? lease_.why() : std::string();
  }
  try {
    EtcdClient client(settings_.etcd, request_timeout(settings_.lease_ttl), settings_.tls);
    for (const auto& kv : client.range(settings_.keys.members(), /*prefix=*/true)) {
      const auto id = member_of(kv.value).first;
      if (id != out.owner) out.standbys.push_back(id);
    }
  } catch (const std::exception& e) {
    spdlog::debug("[cluster] status: the members could not be read: {}", e.what());
  }
  return out;
}

std::string Ownership::owner_value() const {
  return json{{"node_id", settings_.node_id}, {"since_ms", unix_ms()}, {"started_ms", started_ms_}}.dump();
}

void Ownership::set_role_locked(Role r) {
  if (role_ == r) return;
  role_ = r;
  changed_ = true;
  wake_ = true;
}

bool Ownership::step_down_locked(const std::string& why) {
  if (!lease_.step_down(why)) return false;
  const bool was_owner = role_ == Role::owner;
  set_role_locked(Role::stepped_down);
  owner_revision_ = 0;
  if (was_owner) spdlog::warn("[cluster] {} steps down as owner of {}/{}: {}; it sends nothing more", settings_.node_id,
                              settings_.keys.exchange, settings_.keys.account, why);
  return true;
}

void Ownership::start_watch(EtcdClient& client, std::int64_t from_revision) {
  watch_.reset();  // joins the old stream's thread
  const auto& eps = client.endpoints();
  // The member that answered last, else the next one each time a stream ends.
  const std::string endpoint = watch_restarts_ == 0 ? client.endpoint() : eps[watch_restarts_ % eps.size()];
  ++watch_restarts_;
  watch_ = std::make_unique<EtcdWatch>(
      endpoint, watch_request(settings_.keys.owner(), from_revision),
      [this](const WatchMessage& m) {
        std::lock_guard lock(mu_);
        seen_revision_ = std::max(seen_revision_, m.revision);
        for (const auto& ev : m.events) {
          seen_revision_ = std::max(seen_revision_, ev.kv.mod_revision);
          if (ev.deleted) {
            owner_gone_ = true;
          } else if (ev.kv.create_revision != owner_revision_ || role_ != Role::owner) {
            const auto [id, since] = member_of(ev.kv.value);
            owner_id_ = id;
            owner_since_ms_ = since;
            if (role_ == Role::owner) taken_by_ = id;
          }
        }
        if (!m.error.empty() || m.canceled) watch_ended_ = true;
        wake_ = true;
        cv_.notify_all();
      },
      [this](const std::string& why) {
        std::lock_guard lock(mu_);
        spdlog::debug("[cluster] {}", why);
        watch_ended_ = true;
        wake_ = true;
        cv_.notify_all();
      },
      settings_.tls);
}

bool Ownership::campaign(EtcdClient& client) {
  std::int64_t lease_id = 0;
  {
    std::lock_guard lock(mu_);
    lease_id = lease_id_;
  }
  const TxnResult r = client.txn(campaign_txn(settings_.keys.owner(), owner_value(), lease_id));
  const std::int64_t created_at = campaign_won_at(r.succeeded, r.revision, r.responses, lease_id);
  {
    std::lock_guard lock(mu_);
    seen_revision_ = std::max(seen_revision_, r.revision);
    if (created_at != 0) {
      owner_revision_ = created_at;
      owner_id_ = settings_.node_id;
      owner_since_ms_ = unix_ms();
      set_role_locked(Role::owner);
      spdlog::info("[cluster] {} owns {}/{} now (etcd revision {}, lease {} of {} ms; it acts until {} ms after each "
                   "acknowledged keep-alive)",
                   settings_.node_id, settings_.keys.exchange, settings_.keys.account, created_at, lease_id,
                   settings_.lease_ttl.count(), (settings_.lease_ttl - lease_.margin()).count());
    } else {
      const auto& kvs = r.responses.at(0).at("response_range").value("kvs", json::array());
      if (!kvs.empty()) {
        const auto [id, since] = member_of(key_value_of(kvs[0]).value);
        owner_id_ = id;
        owner_since_ms_ = since;
      }
      if (role_ != Role::standby)
        spdlog::info("[cluster] {} is a standby for {}/{}: {} owns it", settings_.node_id, settings_.keys.exchange,
                     settings_.keys.account, owner_id_);
      set_role_locked(Role::standby);
    }
  }
  start_watch(client, r.revision + 1);
  return created_at != 0;
}

bool Ownership::join_and_campaign(EtcdClient& client) {
  try {
    const auto sent = Clock::now();
    const auto granted = client.grant(settings_.lease_ttl);
    {
      std::lock_guard lock(mu_);
      lease_ = core::OwnershipLease(settings_.lease_ttl);
      lease_.acknowledged(sent);
      lease_id_ = granted.id;
    }
    client.put(settings_.keys.member(settings_.node_id), owner_value(), granted.id);
    campaign(client);
    return true;
  } catch (const std::exception& e) {
    log_repeated(spdlog::level::warn, "[cluster] {} cannot join its group yet: {}", settings_.node_id, e.what());
    return false;
  }
}

void Ownership::serve(EtcdClient& client) {
  const auto interval = lease_.keepalive_interval();
  auto next_keepalive = Clock::now() + interval;
  auto watch_retry = Clock::time_point::min();
  std::unique_lock lock(mu_);
  for (;;) {
    wake_ = false;
    if (stopping_) return;
    if (changed_) {
      changed_ = false;
      lock.unlock();
      if (on_change_) on_change_();
      lock.lock();
      continue;
    }
    if (role_ == Role::stepped_down) return;
    const auto now = Clock::now();
    if (role_ == Role::owner && !lease_.may_act(now)) {
      step_down_locked("no keep-alive was acknowledged in time (the lease deadline passed; etcd at " +
                       client.endpoint() + " may be unreachable)");
      continue;
    }
    if (!taken_by_.empty()) {
      const std::string by = std::exchange(taken_by_, std::string());
      if (role_ == Role::owner) step_down_locked("node " + by + " owns the account now (seen on the owner key)");
      continue;
    }
    if (owner_gone_ || (watch_ended_ && now >= watch_retry)) {
      const bool gone = std::exchange(owner_gone_, false);
      watch_ended_ = false;
      if (gone && role_ == Role::owner) {
        step_down_locked("the owner key was deleted in etcd (the lease expired or was revoked there)");
        continue;
      }
      watch_retry = now + kRetry;
      const Role role = role_;
      const std::int64_t from = seen_revision_ + 1;
      lock.unlock();
      try {
        if (role == Role::owner) start_watch(client, from);
        else campaign(client);  // the owner may be gone: try to take over, and watch again
      } catch (const std::exception& e) {
        log_repeated(spdlog::level::warn, "[cluster] {} cannot campaign or watch yet: {}", settings_.node_id, e.what());
        lock.lock();
        watch_ended_ = true;
        continue;
      }
      lock.lock();
      continue;
    }
    if (now >= next_keepalive) {
      const std::int64_t id = lease_id_;
      lock.unlock();
      const auto sent = Clock::now();
      std::int64_t ttl = -1;
      std::string failure;
      try {
        ttl = client.keepalive(id);
      } catch (const std::exception& e) {
        failure = e.what();
      }
      lock.lock();
      if (ttl > 0) {
        lease_.acknowledged(sent);
        next_keepalive = sent + interval;
      } else if (ttl == 0) {
        if (role_ == Role::owner) {
          step_down_locked("etcd says this node's lease has expired");
          continue;
        }
        spdlog::info("[cluster] {}: its lease expired at etcd; joining again with a new one", settings_.node_id);
        return;
      } else {
        log_repeated(spdlog::level::warn, "[cluster] {}: keep-alive failed ({} ms left to act): {}", settings_.node_id,
                     std::chrono::duration_cast<std::chrono::milliseconds>(lease_.left(Clock::now())).count(), failure);
        next_keepalive = Clock::now() + interval / 4;  // try again soon, within the deadline
      }
      continue;
    }
    auto wake = next_keepalive;
    if (role_ == Role::owner && lease_.deadline()) wake = std::min(wake, *lease_.deadline());
    if (watch_ended_) wake = std::min(wake, watch_retry);
    cv_.wait_until(lock, wake, [this] { return wake_; });
  }
}

void Ownership::run() {
  EtcdClient client(settings_.etcd, request_timeout(settings_.lease_ttl), settings_.tls);
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    if (!join_and_campaign(client)) {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, kRetry, [this] { return stopping_; });
      continue;
    }
    serve(client);
    std::int64_t id = 0;
    bool again = false;
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
      again = role_ != Role::stepped_down;  // a standby whose lease expired: join again
      id = lease_id_;
    }
    if (again) {
      watch_.reset();  // outside the lock: the stream's thread takes it for every line
      continue;
    }
    // Stepped down: the lease goes at once (a standby need not wait for it to expire), then the stream.
    try {
      client.revoke(id);
    } catch (const std::exception& e) {
      spdlog::debug("[cluster] revoking the lease failed: {}", e.what());
    }
    watch_.reset();
    std::unique_lock lock(mu_);
    if (changed_) {
      changed_ = false;
      lock.unlock();
      if (on_change_) on_change_();
      lock.lock();
    }
    cv_.wait(lock, [this] { return stopping_ || rejoin_; });
    if (stopping_) break;
    rejoin_ = false;
    role_ = Role::joining;
    owner_id_.clear();
    owner_gone_ = false;  // news of the last term's stream, not of the next one
    taken_by_.clear();
    watch_ended_ = false;
  }
  std::int64_t id = 0;
  {
    std::lock_guard lock(mu_);
    // A clean stop: the lease goes now (an owner's key and a standby's member key with it), so a
    // standby takes over at once instead of after the TTL; the stream after it.
    if (role_ != Role::stepped_down) id = lease_id_;
    role_ = Role::stepped_down;
  }
  if (id != 0) {
    try {
      client.revoke(id);
    } catch (const std::exception&) {
    }
  }
  watch_.reset();
}

}  // namespace ptp::cluster
