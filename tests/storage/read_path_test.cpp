// The store's read path: the dedupe's stage-status lookup (in place, on a reused read transaction,
// no allocation) and the batched load behind start-up.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

#include "../core/test_positions.hpp"
#include "../support/temp_dir.hpp"
#include "storage/codec.hpp"
#include "storage/history_store.hpp"
#include "storage/lmdb_env.hpp"

// Counts this process's heap allocations, so a test can show a lookup makes none. Under ASan its
// allocator's hook counts (replacing operator new there breaks ASan's new/delete pairing checks);
// otherwise every form of operator new is replaced.
namespace {
std::atomic<long> allocations{0};
}  // namespace
#if defined(__SANITIZE_ADDRESS__)
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*)(const volatile void*, std::size_t),
                                                         void (*)(const volatile void*));  // libasan
namespace {
void count_malloc(const volatile void*, std::size_t) { allocations.fetch_add(1, std::memory_order_relaxed); }
void no_free(const volatile void*) {}
const int hooks_installed = __sanitizer_install_malloc_and_free_hooks(count_malloc, no_free);
}  // namespace
#else
namespace {
void* counted(std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
}  // namespace
void* operator new(std::size_t n) { return counted(n); }
void* operator new[](std::size_t n) { return counted(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#endif

using namespace ptp;
using storage::HistoryStore;
using storage::StageRecord;
using storage::StageState;

namespace {

storage::PositionRecord record_of(const char* symbol, std::uint32_t generation = 1) {
  storage::PositionRecord r;
  r.position = test::adopted(symbol, core::Side::long_, "2000", "1950", "1.5");
  r.position.key.generation = generation;
  r.adopted_at = core::Clock::now();
  return r;
}

StageRecord intent(const core::PositionKey& key, std::uint8_t stage, std::uint32_t attempt = 0) {
  StageRecord r;
  r.key = key;
  r.stage = core::StageId{stage};
  r.at = core::Clock::now();
  r.planned_qty = core::Qty::parse("0.5");
  r.close_client_id = "ptp-x-" + std::to_string(attempt) + "-c";
  r.attempt = attempt;
  return r;
}

}  // namespace

TEST_CASE("the stage status follows every commit: pending then failed then a retry done", "[storage]") {
  test::TempDir dir;
  HistoryStore store(dir.path());
  auto rec = record_of("ETH");
  const auto key = rec.position.key;
  CHECK_FALSE(store.stage_status(key, core::StageId{1}));
  REQUIRE(store.begin_stage(intent(key, 1)).result == HistoryStore::BeginResult::started);
  REQUIRE(store.stage_status(key, core::StageId{1}));
  CHECK(store.stage_status(key, core::StageId{1})->state == StageState::pending);
  StageRecord failed = intent(key, 1);
  failed.state = StageState::failed;
  failed.outcome = core::Outcome{core::OutcomeKind::failed, core::Reason::rejected, "-2022", "ReduceOnly Order is rejected."};
  store.finish_stage(failed, rec);
  CHECK(store.stage_status(key, core::StageId{1})->state == StageState::failed);
  CHECK(store.stage_status(key, core::StageId{1})->attempt == 0);
  REQUIRE(store.begin_stage(intent(key, 1, 3)).result == HistoryStore::BeginResult::started);
  StageRecord done = intent(key, 1, 3);
  done.state = StageState::done;
  store.finish_stage(done, rec);
  const auto status = store.stage_status(key, core::StageId{1});
  CHECK(status->state == StageState::done);
  CHECK(status->attempt == 3);
  CHECK(status->state == store.stage(key, core::StageId{1})->state);  // the full record agrees
  CHECK_FALSE(store.stage_status(key, core::StageId{2}));
  CHECK_FALSE(store.stage_status(record_of("ETH", 10).position.key, core::StageId{1}));  // #1/ never matches #10/
}

TEST_CASE("the stage status of version 1 and 2 records: read as the full decode reads them", "[storage]") {
  test::TempDir dir;
  const auto key = record_of("ETH").position.key;
  // Versions 1 and 2's layouts as old data directories hold them (version 2 added the attempt).
  auto old = [&](std::uint8_t version, std::uint8_t stage, StageState state, std::uint32_t attempt) {
    storage::Encoder e;
    e.u8(version);
    e.u8(static_cast<std::uint8_t>(key.exchange));
    e.str(key.account);
    e.str(key.symbol.base());
    e.str(key.symbol.quote());
    e.u8(static_cast<std::uint8_t>(key.side));
    e.i64(key.generation);
    e.u8(stage);
    e.u8(static_cast<std::uint8_t>(core::Caller::market));
    e.i64(1'700'000'000'000'000'000);
    for (int i = 0; i < 4; ++i) e.i64(0);
    e.u8(0);
    e.i64(0);
    for (int i = 0; i < 3; ++i) e.str("ptp-x");
    e.u8(static_cast<std::uint8_t>(state));
    e.u8(static_cast<std::uint8_t>(core::OutcomeKind::failed));
    e.str("rejected -2022 ReduceOnly Order is rejected.");
    if (version == 2) e.i64(attempt);
    return e.take();
  };
  {
    storage::LmdbEnv env(dir.path(), HistoryStore::kDefaultMapSize, {"positions", "stages", "events", "meta"});
    storage::Txn txn(env, false);
    txn.put(env.db("stages"), key.str() + "/001", old(1, 1, StageState::done, 0));
    txn.put(env.db("stages"), key.str() + "/002", old(2, 2, StageState::failed, 4));
    txn.put(env.db("meta"), "failed_stage_records", "1");
    txn.commit();
  }
  HistoryStore store(dir.path());
  for (std::uint8_t s = 1; s <= 2; ++s) {
    const auto full = store.stage(key, core::StageId{s});
    const auto status = store.stage_status(key, core::StageId{s});
    REQUIRE(full);
    REQUIRE(status);
    CHECK(status->state == full->state);
    CHECK(status->attempt == full->attempt);
  }
  CHECK(store.stage_status(key, core::StageId{2})->attempt == 4);
  CHECK(store.stage_status(key, core::StageId{2})->state == StageState::failed);
}

TEST_CASE("the stage status lookup allocates nothing once its thread has a read handle", "[storage]") {
  test::TempDir dir;
  HistoryStore store(dir.path());
  const auto key = record_of("ETH").position.key;
  store.begin_stage(intent(key, 1));
  REQUIRE(store.stage_status(key, core::StageId{1}));  // the first lookup opens this thread's handle
  const long before = allocations.load();
  bool found = true;
  for (int i = 0; i < 100; ++i) found = found && store.stage_status(key, core::StageId{1}).has_value();
  found = found && !store.stage_status(key, core::StageId{2}).has_value();
  CHECK(allocations.load() - before == 0);
  CHECK(found);
  std::vector<std::string> probe(1, std::string(64, 'x'));  // the counter does count
  CHECK(allocations.load() - before >= 2);
  CHECK(probe[0].size() == 64);
}

TEST_CASE("reads from more threads than cached handles: each sees the data", "[storage]") {
  test::TempDir dir;
  HistoryStore store(dir.path());
  const auto key = record_of("ETH").position.key;
  store.begin_stage(intent(key, 1));
  std::atomic<int> seen{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 48; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i)
        if (store.stage_status(key, core::StageId{1}) && store.stages(key).size() == 1) ++seen;
    });
  for (auto& t : threads) t.join();
  CHECK(seen == 48 * 20);
  store.reopen();  // closes the environment with every thread's handle in it
  CHECK(store.stage_status(key, core::StageId{1})->state == StageState::pending);
}

TEST_CASE("a read inside a read on one thread gets a transaction of its own", "[storage]") {
  test::TempDir dir;
  storage::LmdbEnv env(dir.path(), HistoryStore::kDefaultMapSize, {"stages"});
  {
    storage::Txn w(env, false);
    w.put(env.db("stages"), "a", "1");
    w.put(env.db("stages"), "b", "2");
    w.commit();
  }
  std::string both;
  for (int round = 0; round < 2; ++round) {  // the second round runs on the handles the first left
    storage::Txn outer = storage::Txn::reading(env);
    outer.scan_prefix(env.db("stages"), "", [&](std::string_view k, std::string_view v) {
      storage::Txn inner = storage::Txn::reading(env);
      both += std::string(k) + std::string(v) + std::string(*inner.view(env.db("stages"), k == "a" ? "b" : "a"));
      return true;
    });
  }
  CHECK(both == "a12b21a12b21");
}

TEST_CASE("load reads many positions at once in the order asked: record and stages, or nothing", "[storage]") {
  test::TempDir dir;
  HistoryStore store(dir.path());
  std::vector<storage::PositionRecord> records;
  std::vector<StageRecord> stages;
  for (const char* s : {"BTC", "ETH", "SOL"}) {
    records.push_back(record_of(s));
    stages.push_back(intent(records.back().position.key, 1));
  }
  stages.push_back(intent(records[1].position.key, 2));
  store.import(records, stages);
  const auto never = record_of("XRP").position.key;
  const auto loaded = store.load({records[2].position.key, never, records[1].position.key, records[1].position.key});
  REQUIRE(loaded.size() == 4);
  REQUIRE(loaded[0].record);
  CHECK(loaded[0].record->position.key == records[2].position.key);
  CHECK(loaded[0].stages.size() == 1);
  CHECK_FALSE(loaded[1].record);
  CHECK(loaded[1].stages.empty());
  REQUIRE(loaded[2].record);
  CHECK(loaded[2].record->position.key.symbol.base() == "ETH");
  REQUIRE(loaded[2].stages.size() == 2);
  CHECK(loaded[2].stages[1].stage.value == 2);
  CHECK(loaded[3].stages.size() == 2);
  CHECK(store.load({}).empty());
}
