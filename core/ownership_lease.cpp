#include "core/ownership_lease.hpp"

#include <stdexcept>
#include <utility>

namespace ptp::core {

std::string check_lease_ttl(std::chrono::milliseconds ttl) {
  if (ttl < OwnershipLease::kMinTtl)
    return "lease_ttl " + std::to_string(ttl.count()) + "ms is below the " +
           std::to_string(OwnershipLease::kMinTtl.count() / 1000) + "s etcd accepts";
  if (ttl > OwnershipLease::kMaxTtl)
    return "lease_ttl " + std::to_string(ttl.count()) + "ms is above " +
           std::to_string(OwnershipLease::kMaxTtl.count() / 1000) + "s (a failover would take that long)";
  return {};
}

OwnershipLease::OwnershipLease(std::chrono::milliseconds ttl) : ttl_(ttl) {
  if (auto problem = check_lease_ttl(ttl); !problem.empty()) throw std::invalid_argument(problem);
}

void OwnershipLease::acknowledged(Clock::time_point sent_at) {
  const auto candidate = sent_at + ttl_ - margin();
  if (!deadline_ || candidate > *deadline_) deadline_ = candidate;
}

bool OwnershipLease::may_act(Clock::time_point now) const {
  return !stepped_down_ && deadline_ && now < *deadline_;
}

OwnershipLease::Clock::duration OwnershipLease::left(Clock::time_point now) const {
  if (!may_act(now)) return Clock::duration::zero();
  return *deadline_ - now;
}

bool OwnershipLease::step_down(std::string why) {
  if (stepped_down_) return false;
  stepped_down_ = true;
  why_ = std::move(why);
  return true;
}

}  // namespace ptp::core
