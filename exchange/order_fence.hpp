// The gate in front of every order request (close, stop, take-profit, cancel): in a cluster only the
// owner of the account may send, and only until its lease deadline (cluster/ownership.hpp). The
// exchange actor asks it immediately before each request leaves; a single node has none.
#pragma once

#include <string>

namespace ptp::exchange {

class OrderFence {
 public:
  virtual ~OrderFence() = default;
  // True while this node may send. Checking past the lease deadline steps the node down (logged once).
  virtual bool may_send() = 0;
  // Why the last refusal happened ("this node is a standby", "the lease deadline passed ...").
  virtual std::string why_not() const = 0;
};

}  // namespace ptp::exchange
