// A thin RAII layer over LMDB. All LMDB return codes become storage::StorageError (with the
// operation and path) in one place; MDB_NOTFOUND becomes an empty optional.
//
// Caveats (from lmdb.h):
// - one write transaction at a time per environment; keep transactions short;
// - data returned by get() is copied before the transaction ends (MDB_val is only valid inside it);
// - open an environment once per process; never use it after fork();
// - commits are synced to disk (no MDB_NOSYNC): a committed write survives a crash or power loss.
#pragma once

#include <lmdb.h>

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
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

class Txn {
 public:
  Txn(LmdbEnv& env, bool read_only);
  ~Txn();
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  std::optional<std::string> get(MDB_dbi db, std::string_view key);
  void put(MDB_dbi db, std::string_view key, std::string_view value);
  // Visits every key starting with `prefix`, in key order; the visitor returns false to stop.
  void scan_prefix(MDB_dbi db, std::string_view prefix,
                   const std::function<bool(std::string_view key, std::string_view value)>& visit);
  void commit();  // synced; a transaction not committed is aborted by the destructor

 private:
  LmdbEnv& env_;
  MDB_txn* txn_ = nullptr;
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
  std::string dir_;
  MDB_env* env_ = nullptr;
  std::vector<std::pair<std::string, MDB_dbi>> dbs_;
};

}  // namespace ptp::storage
