#include "cluster/etcd_history.hpp"

#include "cluster/ownership.hpp"
#include "storage/history_store.hpp"

namespace ptp::cluster {

EtcdHistory::EtcdHistory(Ownership& ownership, GroupKeys keys, std::vector<std::string> etcd)
    : ownership_(ownership), keys_(std::move(keys)), client_(std::move(etcd)) {}

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
  std::vector<std::pair<std::string, std::string>> puts{
      {keys_.stage(stage.key.str(), stage.stage.value), storage::record_bytes(stage)}};
  if (position) puts.emplace_back(keys_.position(position->position.key.str()), storage::record_bytes(*position));
  fenced_put(std::move(puts), position ? "stage result" : "stage intent");
}

EtcdHistory::Loaded EtcdHistory::load_into(storage::HistoryStore& store) {
  std::vector<storage::PositionRecord> positions;
  std::vector<storage::StageRecord> stages;
  const std::string pos_prefix = keys_.history() + "pos/";
  for (const auto& kv : client_.range(keys_.history(), /*prefix=*/true)) {
    if (kv.key.rfind(pos_prefix, 0) == 0) positions.push_back(storage::position_from_bytes(kv.value));
    else stages.push_back(storage::stage_from_bytes(kv.value));
  }
  store.import(positions, stages);
  return {positions.size(), stages.size()};
}

}  // namespace ptp::cluster
