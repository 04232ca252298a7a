// The mode switches part of HistoryStore (declared in history_store.hpp): an append-only table
// `modes`, keyed by the switch's time (zero-padded nanoseconds, so key order is time order).
#include <cstdio>

#include "storage/codec.hpp"
#include "storage/history_store.hpp"
#include "storage/lmdb_env.hpp"

namespace ptp::storage {
namespace {

constexpr std::uint8_t kModeVersion = 1;

std::int64_t ns_of(core::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

std::string encode(const core::ModeChange& m) {
  Encoder e;
  e.u8(kModeVersion);
  e.u8(m.observe);
  e.str(m.by);
  e.str(m.reason);
  e.i64(ns_of(m.at));
  return e.take();
}

core::ModeChange decode_mode(std::string_view bytes) {
  Decoder d(bytes, "mode");
  if (d.u8() != kModeVersion) throw StorageError("mode record has an unknown version", 0);
  core::ModeChange m;
  m.observe = d.u8() != 0;
  m.by = d.str();
  m.reason = d.str();
  m.at = core::Clock::time_point(
      std::chrono::duration_cast<core::Clock::duration>(std::chrono::nanoseconds(d.i64())));
  d.finish();
  return m;
}

}  // namespace

std::string record_bytes(const core::ModeChange& change) { return encode(change); }
core::ModeChange mode_from_bytes(std::string_view bytes) { return decode_mode(bytes); }

void HistoryStore::record_mode(const core::ModeChange& change) {
  char key[24];
  std::snprintf(key, sizeof key, "%020lld", static_cast<long long>(ns_of(change.at)));
  Txn txn(*env_, false);
  // Two switches in the same nanosecond keep both: the later write gets the next free key.
  std::string k = key;
  while (txn.get(env_->db("modes"), k)) k += "+";
  txn.put(env_->db("modes"), k, encode(change));
  txn.commit();
}

std::vector<core::ModeChange> HistoryStore::mode_changes() {
  std::vector<core::ModeChange> out;
  Txn txn(*env_, true);
  txn.scan_prefix(env_->db("modes"), "", [&](std::string_view, std::string_view v) {
    out.push_back(decode_mode(v));
    return true;
  });
  return out;
}

}  // namespace ptp::storage
