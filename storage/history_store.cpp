#include "storage/history_store.hpp"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <map>

#include "storage/codec.hpp"
#include "storage/lmdb_env.hpp"

namespace ptp::storage {
namespace {

constexpr std::uint8_t kPositionVersion = 1;
// Version 2 added the attempt (version 1 records read as attempt 0); version 3 typed the outcome's
// reason (earlier records' one line of text is read back into reason, code and message).
constexpr std::uint8_t kStageVersion = 3;

std::int64_t to_ns(core::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
core::Clock::time_point from_ns(std::int64_t ns) {
  return core::Clock::time_point(std::chrono::duration_cast<core::Clock::duration>(std::chrono::nanoseconds(ns)));
}

void put_key(Encoder& e, const core::PositionKey& k) {
  e.u8(static_cast<std::uint8_t>(k.exchange));
  e.str(k.account);
  e.str(k.symbol.base());
  e.str(k.symbol.quote());
  e.u8(static_cast<std::uint8_t>(k.side));
  e.i64(k.generation);
}

core::PositionKey get_key(Decoder& d) {
  core::PositionKey k;
  k.exchange = static_cast<core::Exchange>(d.u8());
  k.account = d.str();
  std::string base = d.str();
  k.symbol = core::Symbol(base, d.str());
  k.side = static_cast<core::Side>(d.u8());
  k.generation = static_cast<std::uint32_t>(d.i64());
  return k;
}

void put_ref(Encoder& e, const core::OrderRef& r) {
  e.str(r.client_id);
  e.str(r.exchange_id);
}
core::OrderRef get_ref(Decoder& d) {
  core::OrderRef r;
  r.client_id = d.str();
  r.exchange_id = d.str();
  return r;
}

std::string encode(const PositionRecord& r) {
  Encoder e;
  e.u8(kPositionVersion);
  const core::Position& p = r.position;
  put_key(e, p.key);
  e.i64(p.entry.units());
  e.i64(p.initial_stop.units());
  e.i64(p.original_size.units());
  e.i64(p.remaining_size.units());
  e.i64(p.current_stop.units());
  e.u8(p.trail_best.has_value());
  e.i64(p.trail_best ? p.trail_best->units() : 0);
  put_ref(e, r.stop_order);
  put_ref(e, r.tp_order);
  e.i64(r.order_seq);
  e.u8(r.open);
  e.i64(to_ns(r.adopted_at));
  e.i64(to_ns(r.closed_at));
  return e.take();
}

PositionRecord decode_position(std::string_view bytes) {
  Decoder d(bytes, "position");
  if (d.u8() != kPositionVersion) throw StorageError("position record has an unknown version", 0);
  PositionRecord r;
  core::Position& p = r.position;
  p.key = get_key(d);
  p.entry = core::Price::from_units(d.i64());
  p.initial_stop = core::Price::from_units(d.i64());
  p.original_size = core::Qty::from_units(d.i64());
  p.remaining_size = core::Qty::from_units(d.i64());
  p.current_stop = core::Price::from_units(d.i64());
  const bool has_best = d.u8() != 0;
  const std::int64_t best = d.i64();
  if (has_best) p.trail_best = core::Price::from_units(best);
  r.stop_order = get_ref(d);
  r.tp_order = get_ref(d);
  r.order_seq = static_cast<std::uint32_t>(d.i64());
  r.open = d.u8() != 0;
  r.adopted_at = from_ns(d.i64());
  r.closed_at = from_ns(d.i64());
  d.finish();
  return r;
}

std::string encode(const StageRecord& r) {
  Encoder e;
  e.u8(kStageVersion);
  put_key(e, r.key);
  e.u8(r.stage.value);
  e.u8(static_cast<std::uint8_t>(r.caller));
  e.i64(to_ns(r.at));
  e.i64(r.mark.units());
  e.i64(r.planned_qty.units());
  e.i64(r.closed_qty.units());
  e.i64(r.fill_price.units());
  e.u8(r.new_stop.has_value());
  e.i64(r.new_stop ? r.new_stop->units() : 0);
  e.str(r.close_client_id);
  e.str(r.stop_client_id);
  e.str(r.tp_client_id);
  e.u8(static_cast<std::uint8_t>(r.state));
  e.u8(static_cast<std::uint8_t>(r.outcome.kind));
  e.i64(r.attempt);
  e.u8(static_cast<std::uint8_t>(r.outcome.reason));
  e.str(r.outcome.venue_code);
  e.str(r.outcome.detail);
  return e.take();
}

StageRecord decode_stage(std::string_view bytes) {
  Decoder d(bytes, "stage");
  const std::uint8_t version = d.u8();
  if (version < 1 || version > kStageVersion) throw StorageError("stage record has an unknown version", 0);
  StageRecord r;
  r.key = get_key(d);
  r.stage = core::StageId{d.u8()};
  r.caller = static_cast<core::Caller>(d.u8());
  r.at = from_ns(d.i64());
  r.mark = core::Price::from_units(d.i64());
  r.planned_qty = core::Qty::from_units(d.i64());
  r.closed_qty = core::Qty::from_units(d.i64());
  r.fill_price = core::Price::from_units(d.i64());
  const bool has_stop = d.u8() != 0;
  const std::int64_t stop = d.i64();
  if (has_stop) r.new_stop = core::Price::from_units(stop);
  r.close_client_id = d.str();
  r.stop_client_id = d.str();
  r.tp_client_id = d.str();
  r.state = static_cast<StageState>(d.u8());
  const auto kind = static_cast<core::OutcomeKind>(d.u8());
  if (version < 3) {
    r.outcome = core::Outcome::from_text(kind, d.str());
    if (version == 2) r.attempt = static_cast<std::uint32_t>(d.i64());
  } else {
    r.attempt = static_cast<std::uint32_t>(d.i64());
    r.outcome.kind = kind;
    const std::uint8_t reason = d.u8();
    if (reason > static_cast<std::uint8_t>(core::kLastReason)) throw StorageError("stage record has an unknown reason", 0);
    r.outcome.reason = static_cast<core::Reason>(reason);
    r.outcome.venue_code = d.str();
    r.outcome.detail = d.str();
  }
  d.finish();
  return r;
}

// Only what the dedupe decides on, read in place: the same layout as decode_stage, its strings
// passed over, nothing allocated.
StageStatus decode_stage_status(std::string_view bytes) {
  Decoder d(bytes, "stage");
  const std::uint8_t version = d.u8();
  if (version < 1 || version > kStageVersion) throw StorageError("stage record has an unknown version", 0);
  d.u8();  // key: exchange, account, base, quote, side, generation
  d.skip_str();
  d.skip_str();
  d.skip_str();
  d.u8();
  d.i64();
  d.u8();  // stage, caller, at, mark, planned, closed, fill price, new stop
  d.u8();
  for (int i = 0; i < 5; ++i) d.i64();
  d.u8();
  d.i64();
  d.skip_str();  // close, stop and take-profit client ids
  d.skip_str();
  d.skip_str();
  StageStatus out;
  out.state = static_cast<StageState>(d.u8());
  d.u8();  // outcome kind
  if (version < 3) {
    d.skip_str();
    if (version == 2) out.attempt = static_cast<std::uint32_t>(d.i64());
  } else {
    out.attempt = static_cast<std::uint32_t>(d.i64());
    if (d.u8() > static_cast<std::uint8_t>(core::kLastReason)) throw StorageError("stage record has an unknown reason", 0);
    d.skip_str();
    d.skip_str();
  }
  d.finish();
  return out;
}

// "/" ends the position part so that "...#1/" never prefixes "...#10/".
std::string prefix_of(const core::PositionKey& k) { return k.str() + "/"; }

// A stage's key, written into a buffer on the stack (the dedupe lookup allocates nothing):
// key.str() "/" stage as three digits, e.g. "binance:main:ETH_USDT:long#3/001".
class StageKey {
 public:
  StageKey(const core::PositionKey& k, core::StageId s) {
    add(core::to_string(k.exchange));
    add(":");
    add(k.account);
    add(":");
    add(k.symbol.base());
    add("_");
    add(k.symbol.quote());
    add(":");
    add(core::to_string(k.side));
    add("#");
    char digits[16];
    auto end = std::to_chars(digits, digits + sizeof digits, k.generation).ptr;
    add(std::string_view(digits, static_cast<std::size_t>(end - digits)));
    const unsigned v = s.value;
    const char stage[] = {'/', static_cast<char>('0' + v / 100), static_cast<char>('0' + v / 10 % 10),
                          static_cast<char>('0' + v % 10)};
    add(std::string_view(stage, sizeof stage));
    if (n_ > kMax) throw StorageError("position key " + k.str() + " is longer than LMDB's key limit", MDB_BAD_VALSIZE);
  }
  std::string_view view() const { return {buf_, n_}; }
  std::string str() const { return std::string(view()); }

 private:
  static constexpr std::size_t kMax = 511;  // LMDB's default maximum key size
  void add(std::string_view part) {
    if (n_ + part.size() <= kMax) std::memcpy(buf_ + n_, part.data(), part.size());
    n_ += part.size();
  }
  char buf_[kMax];
  std::size_t n_ = 0;
};

std::string event_key(const StageRecord& r, std::int64_t ns) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%020lld/%03u/%u", static_cast<long long>(ns), static_cast<unsigned>(r.stage.value),
                static_cast<unsigned>(r.state));
  return prefix_of(r.key) + buf;
}

}  // namespace

namespace {

// Version 1 deleted a failed stage's record (the failure stayed only in the event history), so
// nothing told the stage's next attempt which order ids the failed ones had used. Once per data
// directory, each such stage gets its failed record back, numbered by the intents its history
// holds: no attempt ever sends an id an earlier one sent.
void restore_failed_stage_records(LmdbEnv& env) {
  Txn txn(env, false);
  constexpr std::string_view kDone = "failed_stage_records";
  if (txn.get(env.db("meta"), kDone)) return;
  struct Seen {
    StageRecord last;
    std::uint32_t intents = 0;
  };
  std::map<std::string, Seen> by_stage;  // event keys sort by position, then time
  txn.scan_prefix(env.db("events"), "", [&](std::string_view, std::string_view value) {
    StageRecord r = decode_stage(value);
    Seen& seen = by_stage[StageKey(r.key, r.stage).str()];
    if (r.state == StageState::pending) ++seen.intents;
    seen.last = std::move(r);
    return true;
  });
  for (auto& [key, seen] : by_stage) {
    if (seen.last.state != StageState::failed || seen.intents == 0 || txn.get(env.db("stages"), key)) continue;
    seen.last.attempt = seen.intents - 1;
    txn.put(env.db("stages"), key, encode(seen.last));
  }
  txn.put(env.db("meta"), kDone, "1");
  txn.commit();
}

std::unique_ptr<LmdbEnv> open_env(const std::string& dir, std::size_t map_size) {
  auto env = std::make_unique<LmdbEnv>(dir, map_size,
                                       std::initializer_list<const char*>{"positions", "stages", "events", "meta", "modes"});
  restore_failed_stage_records(*env);
  return env;
}

}  // namespace

HistoryStore::HistoryStore(const std::string& dir, std::size_t map_size)
    : env_(open_env(dir, map_size)), map_size_(map_size), stages_db_(env_->db("stages")) {}

void HistoryStore::reopen() {
  const std::string dir = env_->dir();
  env_.reset();
  env_ = open_env(dir, map_size_);
  stages_db_ = env_->db("stages");
}

bool HistoryStore::is_fatal(const std::exception& e) {
  auto* s = dynamic_cast<const StorageError*>(&e);
  return s && s->code() == MDB_PANIC;
}

HistoryStore::~HistoryStore() = default;

const std::string& HistoryStore::dir() const { return env_->dir(); }

std::optional<PositionRecord> HistoryStore::position(const core::PositionKey& key) {
  Txn txn = Txn::reading(*env_);
  auto bytes = txn.get(env_->db("positions"), key.str());
  if (!bytes) return std::nullopt;
  return decode_position(*bytes);
}

void HistoryStore::put_position(const PositionRecord& record) {
  Txn txn(*env_, false);
  txn.put(env_->db("positions"), record.position.key.str(), encode(record));
  txn.commit();
}

std::vector<PositionRecord> HistoryStore::positions() {
  std::vector<PositionRecord> out;
  Txn txn = Txn::reading(*env_);
  txn.scan_prefix(env_->db("positions"), "", [&](std::string_view, std::string_view v) {
    out.push_back(decode_position(v));
    return true;
  });
  return out;
}

HistoryStore::Begin HistoryStore::begin_stage(const StageRecord& intent, const std::function<void()>& before_commit) {
  Txn txn(*env_, false);
  const StageKey key(intent.key, intent.stage);
  if (auto existing = txn.view(env_->db("stages"), key.view())) {
    const StageStatus status = decode_stage_status(*existing);
    if (status.state != StageState::failed) return {BeginResult::already_recorded, decode_stage(*existing)};
    // The failed attempt's orders may exist on the exchange: reusing its client ids would make
    // a later lookup ambiguous, so a new attempt must carry a higher number (and fresh ids).
    if (intent.attempt <= status.attempt)
      throw StorageError(intent.key.str() + " " + intent.stage.str() + ": intent for attempt " +
                             std::to_string(intent.attempt) + ", but attempt " + std::to_string(status.attempt) +
                             " already failed",
                         0);
  }
  StageRecord pending = intent;
  pending.state = StageState::pending;
  const std::string bytes = encode(pending);
  txn.put(env_->db("stages"), key.view(), bytes);
  txn.put(env_->db("events"), event_key(pending, to_ns(pending.at)), bytes);
  if (before_commit) before_commit();
  txn.commit();
  return {BeginResult::started, std::nullopt};
}

void HistoryStore::finish_stage(const StageRecord& result, const PositionRecord& position) {
  Txn txn(*env_, false);
  txn.put(env_->db("positions"), position.position.key.str(), encode(position));
  const std::string bytes = encode(result);
  txn.put(env_->db("stages"), StageKey(result.key, result.stage).view(), bytes);
  txn.put(env_->db("events"), event_key(result, to_ns(result.at)), bytes);
  txn.commit();
}

namespace {

std::vector<StageRecord> stages_in(Txn& txn, MDB_dbi db, const core::PositionKey& key) {
  std::vector<StageRecord> out;
  txn.scan_prefix(db, prefix_of(key), [&](std::string_view, std::string_view v) {
    out.push_back(decode_stage(v));
    return true;
  });
  return out;
}

}  // namespace

std::vector<StageRecord> HistoryStore::stages(const core::PositionKey& key) {
  Txn txn = Txn::reading(*env_);
  return stages_in(txn, env_->db("stages"), key);
}

std::vector<StoredPosition> HistoryStore::load(const std::vector<core::PositionKey>& keys) {
  std::vector<StoredPosition> out;
  out.reserve(keys.size());
  Txn txn = Txn::reading(*env_);
  const MDB_dbi positions = env_->db("positions"), stages = env_->db("stages");
  for (const auto& key : keys) {
    StoredPosition& p = out.emplace_back();
    if (auto bytes = txn.view(positions, key.str())) p.record = decode_position(*bytes);
    p.stages = stages_in(txn, stages, key);
  }
  return out;
}

std::optional<StageRecord> HistoryStore::stage(const core::PositionKey& key, core::StageId stage) {
  Txn txn = Txn::reading(*env_);
  auto bytes = txn.view(env_->db("stages"), StageKey(key, stage).view());
  if (!bytes) return std::nullopt;
  return decode_stage(*bytes);
}

std::optional<StageStatus> HistoryStore::stage_status(const core::PositionKey& key, core::StageId stage) {
  Txn txn = Txn::reading(*env_);
  auto bytes = txn.view(stages_db_, StageKey(key, stage).view());
  if (!bytes) return std::nullopt;
  return decode_stage_status(*bytes);
}

void HistoryStore::import(const std::vector<PositionRecord>& positions, const std::vector<StageRecord>& stages,
                          const std::vector<StageRecord>& events) {
  Txn txn(*env_, false);
  for (const auto& r : events) txn.put(env_->db("events"), event_key(r, to_ns(r.at)), encode(r));
  for (const auto& p : positions) txn.put(env_->db("positions"), p.position.key.str(), encode(p));
  for (const auto& r : stages) {
    const std::string bytes = encode(r);
    txn.put(env_->db("stages"), StageKey(r.key, r.stage).view(), bytes);
    txn.put(env_->db("events"), event_key(r, to_ns(r.at)), bytes);
  }
  txn.commit();
}

std::size_t HistoryStore::bytes_used() {
  MDB_envinfo info;
  MDB_stat stat;
  mdb_env_info(env_->raw(), &info);
  mdb_env_stat(env_->raw(), &stat);
  return (info.me_last_pgno + 1) * stat.ms_psize;
}

std::vector<StageRecord> HistoryStore::history(const core::PositionKey& key, core::Clock::time_point from,
                                               core::Clock::time_point to) {
  std::vector<StageRecord> out;
  Txn txn = Txn::reading(*env_);
  const std::string prefix = prefix_of(key);
  char start[24];
  std::snprintf(start, sizeof start, "%020lld", static_cast<long long>(to_ns(from)));
  const std::int64_t to_ns_value = to_ns(to);
  txn.scan_prefix(env_->db("events"), prefix, [&](std::string_view k, std::string_view v) {
    std::string_view time = k.substr(prefix.size(), 20);
    if (time < std::string_view(start)) return true;
    StageRecord r = decode_stage(v);
    if (to_ns(r.at) > to_ns_value) return false;
    out.push_back(std::move(r));
    return true;
  });
  return out;
}

std::string record_bytes(const PositionRecord& record) { return encode(record); }
std::string record_bytes(const StageRecord& record) { return encode(record); }
PositionRecord position_from_bytes(std::string_view bytes) { return decode_position(bytes); }
StageRecord stage_from_bytes(std::string_view bytes) { return decode_stage(bytes); }

}  // namespace ptp::storage
