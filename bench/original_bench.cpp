// 5. The original design side by side: its SQLite dedupe query and its 5-minute poll, against
// this node's LMDB point lookup and its measured tick-to-decision latency.
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "bench/clock.hpp"
#include "bench/report.hpp"
#include "storage/history_store.hpp"
#include "storage/lmdb_env.hpp"

namespace ptp::bench {
namespace {

const char* kBases[] = {"ETH", "ETHFI", "ETHW", "WETH", "BTC", "SOL", "XRP", "DOGE", "ADA", "AVAX"};

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error("sqlite: " + msg);
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The original's table and query (src/database/schema.ts, takeProfitManagement.ts).
double sqlite_query_us(long rows, int reps, const std::string& path) {
  sqlite3* db = nullptr;
  std::filesystem::remove(path);
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("sqlite open");
  exec(db, "CREATE TABLE partial_take_profit_history (id INTEGER PRIMARY KEY, symbol TEXT, side TEXT, stage INTEGER, "
           "r_multiple REAL, trigger_price REAL, close_percent REAL, closed_quantity REAL, remaining_quantity REAL, "
           "pnl REAL, new_stop_loss_price REAL, status TEXT, timestamp TEXT)");
  exec(db, "BEGIN");
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO partial_take_profit_history (symbol, side, stage, r_multiple, trigger_price, "
                     "close_percent, closed_quantity, remaining_quantity, pnl, new_stop_loss_price, status, timestamp) "
                     "VALUES (?, 'long', ?, 1.0, 100.0, 33.33, 1.0, 2.0, 5.0, 99.0, 'completed', ?)",
                     -1, &ins, nullptr);
  for (long i = 0; i < rows; ++i) {
    const std::string sym = std::string(kBases[i % 10]) + "_USDT";
    // spread over the past 30 days, all older than the 30-second window
    const long secs = 60 + (i * 2591) % (30L * 86400);
    const std::string ts = fmt::format("2026-10-{:02}T{:02}:{:02}:{:02}.000Z", 1 + (secs / 86400) % 28,
                                       (secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    sqlite3_bind_text(ins, 1, sym.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(ins, 2, static_cast<int>(1 + i % 3));
    sqlite3_bind_text(ins, 3, ts.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(ins);
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  exec(db, "COMMIT");
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db, "SELECT COUNT(*) as count FROM partial_take_profit_history WHERE symbol LIKE ? AND stage = ? AND timestamp > ?",
                     -1, &q, nullptr);
  std::vector<double> times;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = now_ns();
    sqlite3_bind_text(q, 1, "%ETH%", -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, 1);
    sqlite3_bind_text(q, 3, "2026-10-29T00:00:00.000Z", -1, SQLITE_STATIC);
    sqlite3_step(q);
    sqlite3_reset(q);
    times.push_back(static_cast<double>(now_ns() - t0) / 1e3);
  }
  sqlite3_finalize(q);
  sqlite3_close(db);
  std::filesystem::remove(path);
  return median(times);
}

struct LookupFigures {
  double status_us = 0;  // the dedupe's lookup: the stage's state and attempt
  double record_us = 0;  // the whole record, for comparison
  double floor_us = 0;   // a bare mdb_get of the same keys on a reused read transaction, keys prebuilt
};

// The median of 20 000 timed lookups of random keys (`lookup` returns whether it found the key),
// after one untimed pass over every key: the steady state of a running node, whose map is warm
// (the SQLite query, repeated, runs on a warm page cache too).
template <class Key, class Lookup>
double median_lookup_us(const std::vector<Key>& keys, Lookup&& lookup) {
  for (const auto& key : keys) lookup(key);
  std::mt19937 rng(7);
  std::vector<double> times;
  long found = 0;
  for (int r = 0; r < 20'000; ++r) {
    const auto& key = keys[rng() % keys.size()];
    const auto t0 = now_ns();
    found += lookup(key);
    times.push_back(static_cast<double>(now_ns() - t0) / 1e3);
  }
  if (found != 20'000) fmt::print("  unexpected: {} of 20000 lookups found\n", found);
  return median(times);
}

LookupFigures lmdb_lookup_us(long rows, const std::string& dir) {
  std::filesystem::remove_all(dir);
  std::vector<core::PositionKey> keys;
  LookupFigures f;
  {
    storage::HistoryStore store(dir);
    std::vector<storage::StageRecord> stages;
    const long positions = std::max(1L, rows / 3);
    for (long i = 0; i < rows; ++i) {
      storage::StageRecord s;
      s.key = core::PositionKey{core::Exchange::binance, "main",
                                core::Symbol(fmt::format("{}{}", kBases[i % 10], (i / 3) % positions), "USDT"),
                                core::Side::long_, 1};
      s.stage = core::StageId{static_cast<std::uint8_t>(1 + i % 3)};
      s.at = core::Clock::now();
      s.state = storage::StageState::done;
      if (s.stage.value == 1) keys.push_back(s.key);
      stages.push_back(std::move(s));
      if (stages.size() == 100'000) {
        store.import({}, stages);
        stages.clear();
      }
    }
    store.import({}, stages);
    f.status_us = median_lookup_us(keys, [&](const core::PositionKey& k) {
      return store.stage_status(k, core::StageId{1}).has_value();
    });
    f.record_us = median_lookup_us(keys, [&](const core::PositionKey& k) {
      return store.stage(k, core::StageId{1}).has_value();
    });
  }
  {
    // The floor: the same environment opened bare (the store is closed: one open per process),
    // the keys' bytes built beforehand, only the B-tree lookup timed.
    storage::LmdbEnv env(dir, storage::HistoryStore::kDefaultMapSize, {"positions", "stages", "events", "meta"});
    std::vector<std::string> raw;
    for (const auto& k : keys) raw.push_back(k.str() + "/001");
    const MDB_dbi db = env.db("stages");
    f.floor_us = median_lookup_us(raw, [&](const std::string& k) {
      storage::Txn txn = storage::Txn::reading(env);
      return txn.view(db, k).has_value();
    });
  }
  std::filesystem::remove_all(dir);
  return f;
}

}  // namespace

void run_original_side_by_side(Report& r, const Options& o) {
  fmt::print("\n5. The original design side by side\n");
  fmt::print("{:>10} {:>22} {:>24} {:>10} {:>24} {:>20}\n", "rows", "SQLite LIKE query (us)", "LMDB stage status (us)",
             "ratio", "LMDB whole record (us)", "bare mdb_get (us)");
  const auto tmp = std::filesystem::temp_directory_path();
  const std::vector<long> sizes = o.quick ? std::vector<long>{1'000, 100'000} : std::vector<long>{1'000, 100'000, 1'000'000};
  for (long rows : sizes) {
    const double sq = sqlite_query_us(rows, o.quick ? 5 : 21, (tmp / fmt::format("ptp-bench-{}.sqlite", ::getpid())).string());
    const auto lm = lmdb_lookup_us(rows, (tmp / fmt::format("ptp-bench-lmdb-{}", ::getpid())).string());
    fmt::print("{:>10} {:>22.1f} {:>24.3f} {:>9.0f}x {:>24.3f} {:>20.3f}\n", rows, sq, lm.status_us, sq / lm.status_us,
               lm.record_us, lm.floor_us);
    const std::string row = fmt::format("{}_rows", rows);
    r.add("dedupe", row, "sqlite_us", sq);
    r.add("dedupe", row, "lmdb_us", lm.status_us);
    r.add("dedupe", row, "ratio", sq / lm.status_us);
    r.add("dedupe", row, "lmdb_whole_record_us", lm.record_us);
    r.add("dedupe", row, "bare_mdb_get_us", lm.floor_us);
  }
  // The original reacted on a 5-minute poll: a crossing at a uniformly random moment waits for the next poll.
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.0, 300.0);
  double sum = 0, worst = 0;
  const int samples = 1'000'000;
  for (int i = 0; i < samples; ++i) {
    const double wait = 300.0 - u(rng);
    sum += wait;
    worst = std::max(worst, wait);
  }
  const double mean = sum / samples;
  fmt::print("5-minute poll: a crossing waits {:.1f} s on average, {:.1f} s at worst (1e6 uniformly timed crossings)\n",
             mean, worst);
  r.add("reaction", "original_5min_poll", "mean_s", mean);
  r.add("reaction", "original_5min_poll", "worst_s", worst);
}

}  // namespace ptp::bench
