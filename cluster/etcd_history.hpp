// The group's history in etcd: each position's record and each stage's current record (its intent,
// then its result), the same bytes LMDB keeps (storage::record_bytes). Every write is a txn fenced on
// the owner key's create revision: a node that no longer owns the account, even one that does not
// know it yet, commits nothing, so it never gets to send the stage's orders (the intent comes first).
// A new owner copies the history into its LMDB before it adopts any position. Run-time mode switches
// are kept the same way, so a switch to observe (an operator's, the rollout guard's) holds for the
// whole group, across failovers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cluster/etcd_client.hpp"
#include "storage/replica.hpp"

namespace ptp::storage {
class HistoryStore;
}

namespace ptp::cluster {

class Ownership;

// Copies history key-values (as etcd holds them under GroupKeys::history()) into `store`: the one
// decoding of the replicated history, for a new owner's copy and a standby's follower alike.
struct LoadedHistory {
  std::size_t positions = 0;
  std::size_t stages = 0;
  std::size_t events = 0;  // every intent and result of every stage (the event log)
  std::size_t modes = 0;   // mode switches the store did not have yet
};
LoadedHistory import_history(const GroupKeys& keys, const std::vector<KeyValue>& kvs, storage::HistoryStore& store);

class EtcdHistory : public storage::Replica {
 public:
  EtcdHistory(Ownership& ownership, GroupKeys keys, std::vector<std::string> etcd);

  // Throw storage::NotOwner when this node is not the owner (or the fenced compare fails: it then
  // steps down), EtcdError when etcd cannot be asked.
  void put_position(const storage::PositionRecord& record) override;
  void put_stage(const storage::StageRecord& stage, const storage::PositionRecord* position) override;
  void put_mode(const core::ModeChange& change) override;

  using Loaded = LoadedHistory;
  // Copies every record etcd holds for the group into `store` (one LMDB transaction). Throws.
  // `revision` (when given) gets the etcd revision the copy reflects.
  Loaded load_into(storage::HistoryStore& store, std::int64_t* revision = nullptr);

 private:
  void fenced_put(std::vector<std::pair<std::string, std::string>> puts, const char* what);

  Ownership& ownership_;
  GroupKeys keys_;
  EtcdClient client_;  // used by one thread at a time: the persistence actor, or start-up before it
};

}  // namespace ptp::cluster
