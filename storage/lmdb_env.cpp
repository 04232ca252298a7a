#include "storage/lmdb_env.hpp"

#include <atomic>
#include <filesystem>
#include <system_error>

namespace ptp::storage {
namespace {

std::atomic<std::uint64_t> next_env_id{1};

// This thread's last reused handle and the environment it belongs to (ids are never reused, so a
// handle of a closed environment never matches again and is never touched).
struct ThreadReader {
  std::uint64_t env_id = 0;
  CachedReader* reader = nullptr;
};
thread_local ThreadReader this_thread_reader;

}  // namespace

void LmdbEnv::fail(const std::string& op, int rc) const {
  std::string hint;
  if (rc == MDB_MAP_FULL) hint = " (the LMDB map is full)";
  if (rc == EACCES || rc == EROFS) hint = " (is the directory read-only?)";
  if (rc == ENOSPC) hint = " (is the disk full?)";
  throw StorageError("LMDB " + op + " in " + dir_ + ": " + mdb_strerror(rc) + hint, rc);
}

LmdbEnv::LmdbEnv(const std::string& dir, std::size_t map_size_bytes, std::initializer_list<const char*> db_names)
    : dir_(dir), id_(next_env_id.fetch_add(1)) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw StorageError("cannot create the data directory " + dir + ": " + ec.message(), ec.value());
  int rc = mdb_env_create(&env_);
  if (rc) fail("env_create", rc);
  if ((rc = mdb_env_set_maxdbs(env_, static_cast<MDB_dbi>(db_names.size())))) fail("set_maxdbs", rc);
  if ((rc = mdb_env_set_mapsize(env_, map_size_bytes))) fail("set_mapsize", rc);
  if ((rc = mdb_env_open(env_, dir.c_str(), MDB_NOTLS, 0640))) {
    mdb_env_close(env_);
    env_ = nullptr;
    fail("env_open", rc);
  }
  for (const char* name : db_names) dbs_.emplace_back(name, 0);
  // Named databases are opened once, in their own write transaction, and stay valid for the env.
  MDB_txn* t = nullptr;
  rc = mdb_txn_begin(env_, nullptr, 0, &t);
  std::string op = "txn_begin";
  for (auto it = dbs_.begin(); rc == 0 && it != dbs_.end(); ++it) {
    op = "dbi_open " + it->first;
    rc = mdb_dbi_open(t, it->first.c_str(), MDB_CREATE, &it->second);
  }
  if (rc == 0) {
    op = "txn_commit";
    rc = mdb_txn_commit(t);
  } else if (t) {
    mdb_txn_abort(t);
  }
  if (rc) {
    mdb_env_close(env_);  // the destructor does not run when the constructor throws
    env_ = nullptr;
    fail(op, rc);
  }
}

LmdbEnv::~LmdbEnv() {
  for (auto& r : readers_) mdb_txn_abort(r->txn);
  if (env_) mdb_env_close(env_);
}

CachedReader* LmdbEnv::renew_reader() {
  CachedReader* r = nullptr;
  if (this_thread_reader.env_id == id_) {
    r = this_thread_reader.reader;
  } else {
    std::lock_guard lock(readers_mu_);
    const auto me = std::this_thread::get_id();
    for (auto& c : readers_)
      if (c->thread == me) r = c.get();
    if (!r) {
      if (readers_.size() >= kCachedReaders) return nullptr;
      MDB_txn* txn = nullptr;
      if (int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn)) fail("txn_begin", rc);
      mdb_txn_reset(txn);
      readers_.push_back(std::make_unique<CachedReader>(CachedReader{txn, me, false}));
      r = readers_.back().get();
    }
    this_thread_reader = {id_, r};
  }
  if (r->busy) return nullptr;
  if (int rc = mdb_txn_renew(r->txn)) fail("txn_renew", rc);
  r->busy = true;
  return r;
}

MDB_dbi LmdbEnv::db(std::string_view name) const {
  for (const auto& [n, dbi] : dbs_)
    if (n == name) return dbi;
  throw std::logic_error("unknown LMDB database " + std::string(name));
}

Txn::Txn(LmdbEnv& env, bool read_only) : env_(env) {
  int rc = mdb_txn_begin(env.raw(), nullptr, read_only ? MDB_RDONLY : 0, &txn_);
  if (rc) env.fail("txn_begin", rc);
}

Txn::Txn(LmdbEnv& env, CachedReader* reader) : env_(env), txn_(reader->txn), reader_(reader) {}

Txn Txn::reading(LmdbEnv& env) {
  if (CachedReader* r = env.renew_reader()) return Txn(env, r);
  return Txn(env, true);
}

Txn::~Txn() {
  if (reader_) {
    mdb_txn_reset(txn_);
    reader_->busy = false;
  } else if (txn_) {
    mdb_txn_abort(txn_);
  }
}

std::optional<std::string> Txn::get(MDB_dbi db, std::string_view key) {
  if (auto v = view(db, key)) return std::string(*v);
  return std::nullopt;
}

std::optional<std::string_view> Txn::view(MDB_dbi db, std::string_view key) {
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  MDB_val v;
  int rc = mdb_get(txn_, db, &k, &v);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  if (rc) env_.fail("get", rc);
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

void Txn::put(MDB_dbi db, std::string_view key, std::string_view value) {
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  MDB_val v{value.size(), const_cast<char*>(value.data())};
  int rc = mdb_put(txn_, db, &k, &v, 0);
  if (rc) env_.fail("put", rc);
}

void Txn::scan_prefix(MDB_dbi db, std::string_view prefix,
                      const std::function<bool(std::string_view, std::string_view)>& visit) {
  MDB_cursor* cur = nullptr;
  int rc = mdb_cursor_open(txn_, db, &cur);
  if (rc) env_.fail("cursor_open", rc);
  MDB_val k{prefix.size(), const_cast<char*>(prefix.data())};
  MDB_val v;
  rc = mdb_cursor_get(cur, &k, &v, prefix.empty() ? MDB_FIRST : MDB_SET_RANGE);  // LMDB rejects empty keys
  while (rc == 0) {
    std::string_view key(static_cast<const char*>(k.mv_data), k.mv_size);
    if (key.substr(0, prefix.size()) != prefix) break;
    if (!visit(key, std::string_view(static_cast<const char*>(v.mv_data), v.mv_size))) break;
    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
  }
  mdb_cursor_close(cur);
  if (rc != 0 && rc != MDB_NOTFOUND) env_.fail("cursor_get", rc);
}

void Txn::commit() {
  if (reader_) throw std::logic_error("a reused read transaction is never committed");
  int rc = mdb_txn_commit(txn_);
  txn_ = nullptr;
  if (rc) env_.fail("commit", rc);
}

}  // namespace ptp::storage
