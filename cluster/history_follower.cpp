#include "cluster/history_follower.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "cluster/etcd_client.hpp"
#include "cluster/etcd_history.hpp"
#include "exchange/failure_log.hpp"
#include "storage/history_store.hpp"

namespace ptp::cluster {

HistoryFollower::HistoryFollower(GroupKeys keys, std::vector<std::string> etcd,
                                 std::shared_ptr<storage::HistoryStore> store, exchange::TlsFiles tls)
    : keys_(std::move(keys)), etcd_(std::move(etcd)), store_(std::move(store)), tls_(std::move(tls)) {
  thread_ = std::thread([this] { run(); });
}

HistoryFollower::~HistoryFollower() {
  stop();
  if (thread_.joinable()) thread_.join();
  watch_.reset();  // joins the stream's thread (its callbacks write nothing once stopping)
}

void HistoryFollower::stop() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  cv_.notify_all();
}

std::int64_t HistoryFollower::applied_revision() const {
  std::lock_guard lock(mu_);
  return applied_;
}

bool HistoryFollower::wait_applied(std::int64_t revision, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return applied_ >= revision; });
}

bool HistoryFollower::read_all() {
  std::vector<KeyValue> kvs;
  std::int64_t revision = 0;
  try {
    EtcdClient client(etcd_, std::chrono::milliseconds(2000), tls_);
    kvs = client.range_all(keys_.history(), &revision);
  } catch (const std::exception& e) {
    log_repeated(spdlog::level::warn, "[cluster] the standby cannot read the group's history yet: {}", e.what());
    return false;
  }
  std::unique_lock lock(mu_);
  if (stopping_) return true;
  try {
    const auto loaded = import_history(keys_, kvs, *store_);
    spdlog::info("[cluster] standby: the group's history is here ({} position(s), {} stage record(s), {} event(s) at "
                 "etcd revision {}); following it",
                 loaded.positions, loaded.stages, loaded.events, revision);
  } catch (const std::exception& e) {
    spdlog::error("[cluster] standby: the group's history could not be written to LMDB: {}", e.what());
    return false;
  }
  applied_ = std::max(applied_, revision);
  stream_ended_ = false;
  const std::uint64_t stream = ++stream_;  // an older stream's late lines are not this read's followers
  cv_.notify_all();
  lock.unlock();

  watch_.reset();  // the ended stream's thread
  const std::string endpoint = etcd_[restarts_++ % etcd_.size()];
  watch_ = std::make_unique<EtcdWatch>(
      endpoint, watch_request(keys_.history(), revision + 1, /*prefix=*/true),
      [this, stream](const WatchMessage& m) {
        std::lock_guard guard(mu_);
        // Once this stream has failed (an error line, a lost batch) nothing more of it is applied: a
        // later batch would move applied_ past the lost one; the fresh read brings both.
        if (stopping_ || stream != stream_ || stream_ended_) return;
        if (!m.error.empty() || m.canceled) {
          stream_ended_ = true;  // e.g. compacted past our revision: read everything again
          cv_.notify_all();
          return;
        }
        std::vector<KeyValue> puts;
        for (const auto& ev : m.events)
          if (!ev.deleted) puts.push_back(ev.kv);  // the history is never deleted
        try {
          if (!puts.empty()) import_history(keys_, puts, *store_);
        } catch (const std::exception& e) {
          spdlog::error("[cluster] standby: a history record could not be written to LMDB ({}); reading everything again",
                        e.what());
          stream_ended_ = true;
          cv_.notify_all();
          return;
        }
        // The events' own revisions: a header's may run ahead of events still to come.
        for (const auto& ev : m.events) applied_ = std::max(applied_, ev.kv.mod_revision);
        cv_.notify_all();
      },
      [this, stream](const std::string& why) {
        std::lock_guard guard(mu_);
        if (stream != stream_) return;
        spdlog::debug("[cluster] standby history watch: {}", why);
        stream_ended_ = true;
        cv_.notify_all();
      },
      tls_);
  return true;
}

void HistoryFollower::run() {
  constexpr auto kRetry = std::chrono::seconds(1);
  for (;;) {
    const bool ok = read_all();
    const auto read_at = std::chrono::steady_clock::now();
    std::unique_lock lock(mu_);
    // A failed read is tried again in a second, even when the stream before it had ended (that
    // flag would otherwise end the wait at once); a stream that ended, at once (on the next member),
    // unless it ended within a second of the read: a member that ends every watch at once (a TLS or
    // proxy problem, a member refusing watches) must not turn following into reading the whole
    // history from etcd in a loop.
    if (!ok) stream_ended_ = false;
    cv_.wait_for(lock, ok ? std::chrono::hours(24 * 365) : kRetry, [&] { return stopping_ || stream_ended_; });
    if (ok && !stopping_) cv_.wait_until(lock, read_at + kRetry, [&] { return stopping_; });
    if (stopping_) return;
  }
}

}  // namespace ptp::cluster
