// A second home for the history, written BEFORE the local LMDB commit: a cluster's replicated
// history (cluster/etcd_history.hpp). The persistence actor calls it on its own thread; every
// method either commits or throws (NotOwner when this node may no longer write: nothing is then
// written locally either, so no stage's orders follow).
#pragma once

#include <stdexcept>
#include <vector>

#include "core/mode_change.hpp"
#include "storage/records.hpp"

namespace ptp::storage {

class NotOwner : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Replica {
 public:
  virtual ~Replica() = default;
  virtual void put_position(const PositionRecord& record) = 0;
  // A stage's intent, or its result together with the position it left.
  virtual void put_stage(const StageRecord& stage, const PositionRecord* position) = 0;
  // A run-time mode switch (an operator's, the rollout guard's): the group's mode follows it.
  virtual void put_mode(const core::ModeChange& change) = 0;
};

}  // namespace ptp::storage
