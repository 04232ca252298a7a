#include "cluster/etcd_history.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "cluster/ownership.hpp"
#include "storage/history_store.hpp"

namespace ptp::cluster {

EtcdHistory::EtcdHistory(Ownership& ownership, GroupKeys keys, std::vector<std::string> etcd)
    : ownership_(ownership),
      keys_(std::move(keys)),
      client_(std::move(etcd), std::chrono::milliseconds(2000), ownership.settings().tls) {}

void EtcdHistory::fenced_put(std::vector<std::pair<std::string, std::string>> puts, const char* what) {
  const std::int64_t revision = ownership_.owner_revision();
  if (revision == 0) throw storage::NotOwner(std::string(what) + " not written: " + ownership_.why_not());
  const TxnResult r = client_.txn(fenced_put_txn(keys_.owner(), revision, puts));
  if (!r.succeeded) {
    const std::string why = std::string("a ") + what + " write found the owner key is no longer this node's (it was "
                            "created at etcd revision " + std::to_string(revision) + ")";
    ownership_.lost(why);
    throw storage::NotOwner(why);
  }
}

void EtcdHistory::put_position(const storage::PositionRecord& record) {
  fenced_put({{keys_.position(record.position.key.str()), storage::record_bytes(record)}}, "position");
}

void EtcdHistory::put_stage(const storage::StageRecord& stage, const storage::PositionRecord* position) {
  const std::string bytes = storage::record_bytes(stage);
  const auto at_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(stage.at.time_since_epoch()).count();
  std::vector<std::pair<std::string, std::string>> puts{
      {keys_.stage(stage.key.str(), stage.stage.value), bytes},
      {keys_.event(stage.key.str(), at_ns, stage.stage.value, static_cast<unsigned>(stage.state)), bytes}};
  if (position) puts.emplace_back(keys_.position(position->position.key.str()), storage::record_bytes(*position));
  fenced_put(std::move(puts), position ? "stage result" : "stage intent");
}

void EtcdHistory::put_mode(const core::ModeChange& change) {
  char at[24];
  std::snprintf(at, sizeof at, "%020lld",
                static_cast<long long>(
                    std::chrono::duration_cast<std::chrono::nanoseconds>(change.at.time_since_epoch()).count()));
  fenced_put({{keys_.history() + "mode/" + at, storage::record_bytes(change)}}, "mode switch");
}

LoadedHistory import_history(const GroupKeys& keys, const std::vector<KeyValue>& kvs, storage::HistoryStore& store) {
  std::vector<storage::PositionRecord> positions;
  std::vector<storage::StageRecord> stages, events;
  std::vector<core::ModeChange> modes;
  const std::string pos_prefix = keys.history() + "pos/", mode_prefix = keys.history() + "mode/",
                    event_prefix = keys.history() + "event/";
  for (const auto& kv : kvs) {
    if (kv.key.rfind(pos_prefix, 0) == 0) positions.push_back(storage::position_from_bytes(kv.value));
    else if (kv.key.rfind(mode_prefix, 0) == 0) modes.push_back(storage::mode_from_bytes(kv.value));
    else if (kv.key.rfind(event_prefix, 0) == 0) events.push_back(storage::stage_from_bytes(kv.value));
    else stages.push_back(storage::stage_from_bytes(kv.value));
  }
  if (!positions.empty() || !stages.empty() || !events.empty()) store.import(positions, stages, events);
  // The mode log is append-only: only the switches this store has not seen join it, oldest first.
  std::size_t added = 0;
  if (!modes.empty()) {
    const auto known = store.mode_changes();
    for (const auto& m : modes) {  // in key order: time order
      const bool have = std::any_of(known.begin(), known.end(), [&](const core::ModeChange& k) {
        return k.at == m.at && k.observe == m.observe && k.by == m.by;
      });
      if (!have) {
        store.record_mode(m);
        ++added;
      }
    }
  }
  return {positions.size(), stages.size(), events.size(), added};
}

EtcdHistory::Loaded EtcdHistory::load_into(storage::HistoryStore& store, std::int64_t* revision) {
  return import_history(keys_, client_.range_all(keys_.history(), revision), store);
}

}  // namespace ptp::cluster
