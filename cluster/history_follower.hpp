// A standby's copy of the group's history, kept current while the owner writes it: one read of the
// history prefix, then a watch from the revision after it, each event written into the local LMDB
// as it arrives. A standby therefore holds the positions and their stage records before it ever owns
// the account (its API shows them), and a stream that ends is followed by a fresh read and watch.
//
// Only a standby follows: stop() before the node acts on the store (the owner writes it itself, and
// a late event must not overwrite a newer record). A new owner still copies the whole history once
// before it adopts anything (EtcdHistory::load_into): following makes the state warm, the copy makes
// it complete.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cluster/etcd_requests.hpp"
#include "exchange/tls_files.hpp"

namespace ptp::storage {
class HistoryStore;
}

namespace ptp::cluster {

class EtcdWatch;

class HistoryFollower {
 public:
  HistoryFollower(GroupKeys keys, std::vector<std::string> etcd, std::shared_ptr<storage::HistoryStore> store,
                  exchange::TlsFiles tls = {});
  ~HistoryFollower();  // stops
  HistoryFollower(const HistoryFollower&) = delete;
  HistoryFollower& operator=(const HistoryFollower&) = delete;

  // Returns once nothing more is written to the store (a write in progress has finished).
  void stop();

  // The etcd revision the store reflects (0 before the first read).
  std::int64_t applied_revision() const;
  // Waits until the store reflects `revision` or later; false after `timeout`.
  bool wait_applied(std::int64_t revision, std::chrono::milliseconds timeout) const;

 private:
  void run();
  bool read_all();  // false: etcd could not be read (logged)

  const GroupKeys keys_;
  const std::vector<std::string> etcd_;
  const std::shared_ptr<storage::HistoryStore> store_;
  const exchange::TlsFiles tls_;

  mutable std::mutex mu_;  // held while the store is written
  mutable std::condition_variable cv_;
  bool stopping_ = false;
  bool stream_ended_ = false;
  std::int64_t applied_ = 0;
  std::size_t restarts_ = 0;
  std::uint64_t stream_ = 0;  // which read (and its watch) is current
  std::unique_ptr<EtcdWatch> watch_;
  std::thread thread_;
};

}  // namespace ptp::cluster
