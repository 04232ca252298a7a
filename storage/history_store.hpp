// The durable record of adopted positions and stage executions, on LMDB. Every write is a synced
// commit: when a method returns, the record survives a crash.
//
// Databases:  positions  key.str()                      -> PositionRecord
//             stages     key.str() "/" stage             -> StageRecord   (the latest per stage: the dedupe)
//             events     key.str() "/" time "/" stage    -> StageRecord   (every outcome, append-only)
//             meta       name                           -> marks of one-time upgrades done to the data
//             modes      time                           -> ModeChange (every run-time mode switch; mode_log.cpp)
#pragma once

#include <memory>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/mode_change.hpp"
#include "storage/records.hpp"

namespace ptp::storage {

class LmdbEnv;

class HistoryStore {
 public:
  static constexpr std::size_t kDefaultMapSize = std::size_t{1} << 30;  // 1 GiB of address space, sparse on disk

  explicit HistoryStore(const std::string& dir, std::size_t map_size = kDefaultMapSize);
  ~HistoryStore();

  std::optional<PositionRecord> position(const core::PositionKey& key);
  void put_position(const PositionRecord& record);
  std::vector<PositionRecord> positions();  // open and closed, in key order

  enum class BeginResult { started, already_recorded };
  struct Begin {
    BeginResult result;
    std::optional<StageRecord> existing;  // the record that blocks a second execution
  };
  // Writes the intent (state pending) unless the stage already has a pending or done record; the
  // check and the write are one transaction, so two callers can never both start a stage. After a
  // failed attempt the intent must carry a higher attempt number (StorageError otherwise).
  // `before_commit` runs once the intent is accepted, inside the transaction, before its commit: a
  // cluster's replica writes the intent there (its failure aborts the transaction, no intent).
  Begin begin_stage(const StageRecord& intent, const std::function<void()>& before_commit = {});

  // Records the outcome and the position it left, in one transaction: it becomes the stage's record
  // (done blocks the stage for good; failed leaves it retryable, under the next attempt number) and
  // joins the event history.
  void finish_stage(const StageRecord& result, const PositionRecord& position);

  std::vector<StageRecord> stages(const core::PositionKey& key);  // current records, by stage
  // What storage holds for each key (in the same order), read in one transaction: the start-up
  // of many positions at once.
  std::vector<StoredPosition> load(const std::vector<core::PositionKey>& keys);
  // The one record of a stage, if any.
  std::optional<StageRecord> stage(const core::PositionKey& key, core::StageId stage);
  // The stage's state and attempt, if it has a record: the point lookup behind begin_stage's
  // dedupe. Decoded in place on this thread's reused read transaction; allocates nothing.
  std::optional<StageStatus> stage_status(const core::PositionKey& key, core::StageId stage);

  // Bulk writes in one synced transaction (imports, benchmarks). Stage records go to both the
  // stage table and the event history, exactly as begin_stage/finish_stage would leave them;
  // `events` (earlier outcomes, a cluster's replicated log) to the event history only.
  void import(const std::vector<PositionRecord>& positions, const std::vector<StageRecord>& stages,
              const std::vector<StageRecord>& events = {});

  // Bytes of the map in use (pages written), for size measurements.
  std::size_t bytes_used();
  // Every event of one position between two times (inclusive), oldest first.
  std::vector<StageRecord> history(const core::PositionKey& key, core::Clock::time_point from,
                                   core::Clock::time_point to);

  const std::string& dir() const;

  // Run-time mode switches (an operator, the rollout guard), oldest first: the last one is the mode
  // in force, whatever the config says (storage/mode_log.cpp).
  void record_mode(const core::ModeChange& change);
  std::vector<core::ModeChange> mode_changes();

  // After a fatal LMDB error (MDB_PANIC: a commit's meta-page write failed, as when the disk fills
  // up or turns read-only mid-commit) the environment refuses every transaction until it is
  // closed and opened again. Committed data is intact. Throws StorageError if it cannot be opened.
  void reopen();
  static bool is_fatal(const std::exception& e);  // an error only reopen() gets past

 private:
  std::unique_ptr<LmdbEnv> env_;
  std::size_t map_size_;
  unsigned int stages_db_;  // MDB_dbi of "stages", looked up once per environment
};

// A record's bytes exactly as LMDB keeps them: the cluster replicates the same bytes to etcd
// (cluster/etcd_history.hpp). Decoding throws StorageError on corrupt or unknown bytes.
std::string record_bytes(const PositionRecord& record);
std::string record_bytes(const StageRecord& record);
PositionRecord position_from_bytes(std::string_view bytes);
StageRecord stage_from_bytes(std::string_view bytes);
std::string record_bytes(const core::ModeChange& change);  // storage/mode_log.cpp
core::ModeChange mode_from_bytes(std::string_view bytes);

}  // namespace ptp::storage
