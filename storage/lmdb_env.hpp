// A thin RAII layer over LMDB. All LMDB return codes become storage::StorageError (with the
// operation and path) in one place; MDB_NOTFOUND becomes an empty optional.
//
// Caveats (from lmdb.h):
// - one write transaction at a time per environment; keep transactions short;
// - data returned by get() is copied before the transaction ends (MDB_val is only valid inside it);
//   view() returns it in place: valid only until the transaction ends;
// - a reused read transaction (Txn::reading) keeps its reader slot between uses (mdb_txn_reset /
//   mdb_txn_renew), one per thread and environment, at most kCachedReaders of them;
// - open an environment once per process; never use it after fork();
// - commits are synced to disk (no MDB_NOSYNC): a committed write survives a crash or power loss.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace ptp::storage {

class StorageError : public std::runtime_error {
 public:
  StorageError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

class LmdbEnv;

// A read handle kept for one thread between uses (reset while idle: it holds a reader slot, not a
// snapshot). Only its thread uses it; the environment owns it and aborts it before closing.
struct CachedReader {
  MDB_txn* txn = nullptr;
  std::thread::id thread;
  bool busy = false;  // a transaction runs on it now: a nested read on this thread gets a fresh one
};

class Txn {
 public:
  Txn(LmdbEnv& env, bool read_only);
  // A read transaction on this thread's reusable handle: renewed here and reset when it ends,
  // which skips the reader-table lock and slot search a fresh one costs (a fresh one when this
  // thread's handle is already in use, or every cached slot is taken).
  static Txn reading(LmdbEnv& env);
  ~Txn();
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  std::optional<std::string> get(MDB_dbi db, std::string_view key);
  // The stored bytes in place, without a copy: valid only until this transaction ends.
  std::optional<std::string_view> view(MDB_dbi db, std::string_view key);
  void put(MDB_dbi db, std::string_view key, std::string_view value);
  // Visits every key starting with `prefix`, in key order; the visitor returns false to stop.
  void scan_prefix(MDB_dbi db, std::string_view prefix,
                   const std::function<bool(std::string_view key, std::string_view value)>& visit);
  void commit();  // synced; a transaction not committed is aborted by the destructor

 private:
  Txn(LmdbEnv& env, CachedReader* reader);
  LmdbEnv& env_;
  MDB_txn* txn_ = nullptr;
  CachedReader* reader_ = nullptr;  // the reused handle this transaction runs on, reset at its end
};

class LmdbEnv {
 public:
  // Creates `dir` if needed and opens (or creates) the named databases.
  LmdbEnv(const std::string& dir, std::size_t map_size_bytes, std::initializer_list<const char*> db_names);
  ~LmdbEnv();
  LmdbEnv(const LmdbEnv&) = delete;
  LmdbEnv& operator=(const LmdbEnv&) = delete;

  MDB_dbi db(std::string_view name) const;
  const std::string& dir() const { return dir_; }
  MDB_env* raw() { return env_; }

  [[noreturn]] void fail(const std::string& op, int rc) const;

 private:
  friend class Txn;
  static constexpr std::size_t kCachedReaders = 32;  // of LMDB's 126 reader slots
  CachedReader* renew_reader();  // this thread's handle, renewed; nullptr: use a fresh transaction

  std::string dir_;
  MDB_env* env_ = nullptr;
  std::vector<std::pair<std::string, MDB_dbi>> dbs_;
  std::uint64_t id_;  // unique per environment opened in this process: tells a thread's cached handle apart
  std::mutex readers_mu_;
  std::vector<std::unique_ptr<CachedReader>> readers_;  // one per thread, aborted before the environment closes
};

}  // namespace ptp::storage
