#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../core/test_positions.hpp"
#include "../support/temp_dir.hpp"
#include "storage/codec.hpp"
#include "storage/data_dir_lock.hpp"
#include "storage/history_store.hpp"
#include "storage/lmdb_env.hpp"

using namespace ptp;
using storage::HistoryStore;
using storage::StageRecord;
using storage::StageState;

namespace {

storage::PositionRecord record_of(const char* symbol, std::uint32_t generation = 1) {
  storage::PositionRecord r;
  r.position = test::adopted(symbol, core::Side::long_, "2000", "1950", "1.5");
  r.position.key.generation = generation;
  r.stop_order = core::OrderRef{"user-stop", "17"};
  r.adopted_at = core::Clock::now();
  return r;
}

StageRecord intent(const core::PositionKey& key, std::uint8_t stage, core::Caller caller = core::Caller::market) {
  StageRecord r;
  r.key = key;
  r.stage = core::StageId{stage};
  r.caller = caller;
  r.at = core::Clock::now();
  r.mark = core::Price::parse("2050.5");
  r.planned_qty = core::Qty::parse("0.5");
  r.close_client_id = "ptp-x-1-c";
  return r;
}

}  // namespace

TEST_CASE("positions round-trip through LMDB and survive reopening", "[storage]") {
  test::TempDir dir;
  auto rec = record_of("ETH");
  rec.position.trail_best = core::Price::parse("2100.25");
  {
    HistoryStore store(dir.path());
    store.put_position(rec);
  }
  HistoryStore reopened(dir.path());
  auto got = reopened.position(rec.position.key);
  REQUIRE(got);
  CHECK(got->position.key == rec.position.key);
  CHECK(got->position.initial_stop.str() == "1950");
  CHECK(got->position.trail_best->str() == "2100.25");
  CHECK(got->stop_order == rec.stop_order);
  CHECK(got->open);
  CHECK(reopened.positions().size() == 1);
  CHECK_FALSE(reopened.position(record_of("ETH", 2).position.key));
}

TEST_CASE("a stage can be started once: the second intent finds the first", "[storage]") {
  test::TempDir dir;
  HistoryStore store(dir.path());
  const auto key = record_of("ETH").position.key;
  CHECK(store.begin_stage(intent(key, 1)).result == HistoryStore::BeginResult::started);
  auto second = store.begin_stage(intent(key, 1, core::Caller::health_check));
  CHECK(second.result == HistoryStore::BeginResult::already_recorded);
  REQUIRE(second.existing);
  CHECK(second.existing->state == StageState::pending);
  CHECK(second.existing->caller == core::Caller::market);
  CHECK(store.begin_stage(intent(key, 2)).result == HistoryStore::BeginResult::started);
}

TEST_CASE("a done stage stays recorded, a failed one is retryable and kept in the history", "[storage]") {
  test::TempDir dir;
  HistoryStore store(dir.path());
  auto rec = record_of("ETH");
  const auto key = rec.position.key;
  REQUIRE(store.begin_stage(intent(key, 1)).result == HistoryStore::BeginResult::started);
  StageRecord failed = intent(key, 1);
  failed.state = StageState::failed;
  failed.outcome = core::Outcome{core::OutcomeKind::failed, core::Reason::rejected, "-2022", "ReduceOnly Order is rejected."};
  store.finish_stage(failed, rec);
  auto after_failure = store.stages(key);
  REQUIRE(after_failure.size() == 1);
  CHECK(after_failure[0].state == StageState::failed);
  CHECK(after_failure[0].attempt == 0);
  // Retryable, but only as a new attempt: the failed attempt's order ids are never reused.
  CHECK_THROWS_WITH(store.begin_stage(intent(key, 1)), Catch::Contains("attempt 0 already failed"));
  StageRecord retry = intent(key, 1);
  retry.attempt = 1;
  REQUIRE(store.begin_stage(retry).result == HistoryStore::BeginResult::started);
  StageRecord done = retry;
  done.state = StageState::done;
  done.closed_qty = core::Qty::parse("0.5");
  done.outcome = core::Outcome{core::OutcomeKind::success, {}};
  rec.position.remaining_size = core::Qty::parse("1");
  store.finish_stage(done, rec);
  auto stages = store.stages(key);
  REQUIRE(stages.size() == 1);
  CHECK(stages[0].state == StageState::done);
  CHECK(stages[0].closed_qty.str() == "0.5");
  CHECK(stages[0].attempt == 1);
  CHECK(store.position(key)->position.remaining_size.str() == "1");  // written in the same transaction
  CHECK(store.begin_stage(intent(key, 1)).result == HistoryStore::BeginResult::already_recorded);
  auto events = store.history(key, core::Clock::time_point::min(), core::Clock::time_point::max());
  REQUIRE(events.size() == 4);  // pending, failed, pending, done
  CHECK(events[1].outcome.str() == "failed:rejected -2022 ReduceOnly Order is rejected.");
  CHECK(events[3].outcome.kind == core::OutcomeKind::success);
  auto none = store.history(key, core::Clock::now() + std::chrono::hours(1), core::Clock::time_point::max());
  CHECK(none.empty());
}

TEST_CASE("a data directory written by version 1: reasons read back typed, a stage that failed twice goes on at "
          "attempt 2",
          "[storage]") {
  test::TempDir dir;
  const auto key = record_of("ETH").position.key;
  // Version 1's layout, frozen here as old data directories hold it: no attempt, the outcome's
  // reason one line of text, and a failed stage's record deleted (only the events kept it).
  auto v1 = [&](std::uint8_t stage, StageState state, core::OutcomeKind kind, const std::string& reason) {
    storage::Encoder e;
    e.u8(1);
    e.u8(static_cast<std::uint8_t>(key.exchange));
    e.str(key.account);
    e.str(key.symbol.base());
    e.str(key.symbol.quote());
    e.u8(static_cast<std::uint8_t>(key.side));
    e.i64(key.generation);
    e.u8(stage);
    e.u8(static_cast<std::uint8_t>(core::Caller::market));
    e.i64(1'700'000'000'000'000'000 + stage * 1000 + static_cast<int>(state));
    for (int i = 0; i < 4; ++i) e.i64(0);  // mark, planned, closed, fill price
    e.u8(0);
    e.i64(0);  // no new stop
    for (int i = 0; i < 3; ++i) e.str("ptp-x-" + std::to_string(stage));
    e.u8(static_cast<std::uint8_t>(state));
    e.u8(static_cast<std::uint8_t>(kind));
    e.str(reason);
    return e.take();
  };
  {
    storage::LmdbEnv env(dir.path(), HistoryStore::kDefaultMapSize, {"positions", "stages", "events", "meta"});
    storage::Txn txn(env, false);
    int n = 0;
    auto event = [&](const std::string& bytes) {
      char time[24];
      std::snprintf(time, sizeof time, "%020d", ++n);
      txn.put(env.db("events"), key.str() + "/" + time + "/x", bytes);
    };
    const std::string rejected = "rejected -2022 ReduceOnly Order is rejected.";
    for (int attempt = 0; attempt < 2; ++attempt) {
      event(v1(1, StageState::pending, core::OutcomeKind::not_due, ""));
      event(v1(1, StageState::failed, core::OutcomeKind::failed, rejected));
    }
    event(v1(2, StageState::pending, core::OutcomeKind::not_due, ""));
    const std::string done = v1(2, StageState::done, core::OutcomeKind::skipped, "below_min_qty");
    event(done);
    txn.put(env.db("stages"), key.str() + "/002", done);
    txn.commit();
  }
  HistoryStore store(dir.path());
  const auto stages = store.stages(key);
  REQUIRE(stages.size() == 2);
  CHECK(stages[0].state == StageState::failed);  // restored from the history
  CHECK(stages[0].attempt == 1);                 // two intents: attempts 0 and 1
  CHECK(stages[0].outcome.reason == core::Reason::rejected);
  CHECK(stages[0].outcome.venue_code == "-2022");
  CHECK(stages[0].outcome.detail == "ReduceOnly Order is rejected.");
  CHECK(stages[0].outcome.str() == "failed:rejected -2022 ReduceOnly Order is rejected.");
  CHECK(stages[1].state == StageState::done);  // version 1's record, read as attempt 0
  CHECK(stages[1].attempt == 0);
  CHECK(stages[1].outcome.reason == core::Reason::below_min_qty);
  StageRecord again = intent(key, 1);
  again.attempt = 1;
  CHECK_THROWS_WITH(store.begin_stage(again), Catch::Contains("attempt 1 already failed"));
  again.attempt = 2;
  CHECK(store.begin_stage(again).result == HistoryStore::BeginResult::started);
}

TEST_CASE("history is keyed by position: ETH never sees ETHFI's, generation 1 never sees 10's", "[storage]") {
  test::TempDir dir;
  HistoryStore store(dir.path());
  const auto eth = record_of("ETH").position.key;
  const auto ethfi = record_of("ETHFI").position.key;
  const auto eth10 = record_of("ETH", 10).position.key;
  store.begin_stage(intent(ethfi, 1));
  store.begin_stage(intent(eth10, 1));
  CHECK(store.stages(eth).empty());
  CHECK(store.begin_stage(intent(eth, 1)).result == HistoryStore::BeginResult::started);
  CHECK(store.stages(eth).size() == 1);
  CHECK(store.stages(ethfi).size() == 1);
  CHECK(store.history(eth, core::Clock::time_point::min(), core::Clock::time_point::max()).size() == 1);
}

TEST_CASE("a second node on the same data directory is refused with the holder's pid", "[storage]") {
  test::TempDir dir;
  storage::DataDirLock first(dir.path());
  CHECK_THROWS_WITH(storage::DataDirLock(dir.path()),
                    Catch::Contains("another ptp-node (pid " + std::to_string(::getpid()) + ")") &&
                        Catch::Contains(dir.path()));
}

TEST_CASE("a data directory that cannot be created is a clear storage error", "[storage]") {
  // A path below a regular file fails for everyone, root included (root ignores permissions).
  test::TempDir dir;
  std::ofstream(dir.sub("file")) << "not a directory\n";
  CHECK_THROWS_WITH(HistoryStore(dir.sub("file/data")),
                    Catch::Contains("cannot create the data directory") && Catch::Contains(dir.sub("file/data")));
}

// Runs only under the failing-disk library (tests/fault/failing_disk.cpp, preloaded by its own
// ctest entry): a disk that turns read-only under the store, as a remount does, whoever runs it.
TEST_CASE("a disk that turns read-only: every write is a clear storage error, reads go on, writes resume after",
          "[.failing-disk]") {
  test::TempDir dir;
  const std::string flag = dir.sub("disk-read-only");
  ::setenv("PTP_FAILING_DISK_FLAG", flag.c_str(), 1);
  ::setenv("PTP_FAILING_DISK_ERRNO", "EROFS", 1);
  {
    // The library is really there: with the flag set, a write to a data.mdb fails.
    std::ofstream(flag) << "on\n";
    const int fd = ::open(dir.sub("data.mdb").c_str(), O_CREAT | O_WRONLY, 0600);
    REQUIRE(fd >= 0);
    const bool refused = ::write(fd, "x", 1) < 0 && errno == EROFS;
    ::close(fd);
    std::filesystem::remove(dir.sub("data.mdb"));
    std::filesystem::remove(flag);
    REQUIRE(refused);  // else: not run under LD_PRELOAD=ptp_failing_disk
  }
  HistoryStore store(dir.sub("data"));
  auto rec = record_of("ETH");
  store.put_position(rec);

  std::ofstream(flag) << "on\n";
  rec.position.remaining_size = core::Qty::parse("1");
  CHECK_THROWS_WITH(store.put_position(rec), Catch::Contains("LMDB commit in " + dir.sub("data")) &&
                                                 Catch::Contains("Read-only file system") &&
                                                 Catch::Contains("is the directory read-only?"));
  CHECK_THROWS_AS(store.begin_stage(intent(rec.position.key, 1)), storage::StorageError);  // no intent, so no order
  CHECK(store.position(rec.position.key)->position.remaining_size.str() == "1.5");   // what was committed stays
  CHECK(store.stages(rec.position.key).empty());

  std::filesystem::remove(flag);
  store.put_position(rec);
  CHECK(store.position(rec.position.key)->position.remaining_size.str() == "1");
  CHECK(store.begin_stage(intent(rec.position.key, 1)).result == HistoryStore::BeginResult::started);
}

TEST_CASE("mode switches are kept in order with their reasons across reopening", "[storage]") {
  test::TempDir dir;
  const auto at = core::Clock::now();
  {
    HistoryStore store(dir.path());
    CHECK(store.mode_changes().empty());
    store.record_mode(core::ModeChange{true, "operator", "incident 7", at});
    store.record_mode(core::ModeChange{false, "operator", "same instant, later", at});
    store.record_mode(core::ModeChange{true, "guard", "rollout guard: 3 failures", at + std::chrono::seconds(1)});
  }
  HistoryStore store(dir.path());
  const auto modes = store.mode_changes();
  REQUIRE(modes.size() == 3);
  CHECK(modes[0].observe);
  CHECK(modes[0].reason == "incident 7");
  CHECK_FALSE(modes[1].observe);
  CHECK(modes[1].reason == "same instant, later");
  CHECK(modes[2].by == "guard");
  CHECK(modes[2].at == at + std::chrono::seconds(1));
}
