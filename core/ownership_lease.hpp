// Whether a node that won an account's election may still act on it: the fencing deadline of an
// etcd lease, kept on the monotonic clock. Pure: time is an argument.
//
// The lease is renewed at the server some time AFTER a keep-alive request is sent, never before, so
// the earliest moment it can expire is (send time of the last acknowledged keep-alive) + TTL. The node
// stops acting a margin before that: a stall between the check and the order leaving (a GC-like
// pause, SIGSTOP, a VM migration) must fit in the margin. Past the deadline the node steps down for
// good; a new lease is a new election.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace ptp::core {

class OwnershipLease {
 public:
  using Clock = std::chrono::steady_clock;

  // The smallest TTL the cluster accepts (etcd itself rounds shorter leases up to about 2 s) and
  // the largest that still fails over in reasonable time.
  static constexpr std::chrono::milliseconds kMinTtl{2000};
  static constexpr std::chrono::milliseconds kMaxTtl{60000};

  // Throws std::invalid_argument when ttl is outside [kMinTtl, kMaxTtl].
  explicit OwnershipLease(std::chrono::milliseconds ttl);

  std::chrono::milliseconds ttl() const { return ttl_; }
  // How much earlier than the lease's earliest expiry the node stops acting: a fifth of the TTL.
  std::chrono::milliseconds margin() const { return ttl_ / 5; }
  // How often the lease is kept alive: a third of the TTL, so two keep-alives can be lost.
  std::chrono::milliseconds keepalive_interval() const { return ttl_ / 3; }

  // The lease was granted, or a keep-alive acknowledged, for a request SENT at `sent_at`. An older
  // acknowledgement arriving late never moves the deadline back.
  void acknowledged(Clock::time_point sent_at);

  // True while the node owns the account: it was acknowledged at least once, has not stepped down,
  // and `now` is before the deadline.
  bool may_act(Clock::time_point now) const;
  // The deadline (none before the first acknowledgement).
  std::optional<Clock::time_point> deadline() const { return deadline_; }
  // Time left before the deadline (zero once past it, or after stepping down).
  Clock::duration left(Clock::time_point now) const;

  // Stops acting for good. Returns true the first time only, so the reason is logged once.
  bool step_down(std::string why);
  bool stepped_down() const { return stepped_down_; }
  const std::string& why() const { return why_; }

 private:
  std::chrono::milliseconds ttl_;
  std::optional<Clock::time_point> deadline_;
  bool stepped_down_ = false;
  std::string why_;
};

// Whether a configured lease TTL is usable: empty when it is, else what is wrong ("lease_ttl 1s is
// below the 2s etcd accepts"). The config loader reports it with the file position.
std::string check_lease_ttl(std::chrono::milliseconds ttl);

}  // namespace ptp::core
