// One node's place in an in-process test's group: its election (cluster::Ownership) with a way to
// wait for its role (on_change wakes the waiter), and the records the history tests write.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../core/test_positions.hpp"
#include "cluster/ownership.hpp"
#include "storage/history_store.hpp"

namespace ptp::test {

inline const cluster::GroupKeys kGroupKeys{"binance", "main"};

struct GroupNode {
  std::mutex mu;
  std::condition_variable cv;
  std::unique_ptr<cluster::Ownership> own;

  GroupNode(std::vector<std::string> etcd, std::string id,
            std::chrono::milliseconds ttl = std::chrono::seconds(3), exchange::TlsFiles tls = {}) {
    own = std::make_unique<cluster::Ownership>(
        cluster::OwnershipSettings{std::move(etcd), ttl, std::move(id), kGroupKeys, std::move(tls)}, [this] {
          std::lock_guard lock(mu);
          cv.notify_all();
        });
  }
  bool wait_role(cluster::Role r, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, limit, [&] { return own->role() == r; });
  }
};

// ETH long 1.5 @ 2000, stop 1950, adopted now.
inline storage::PositionRecord position_record(const char* symbol = "ETHUSDT") {
  storage::PositionRecord r;
  r.position = adopted(symbol, core::Side::long_, "2000", "1950", "1.5");
  r.adopted_at = core::Clock::now();
  return r;
}

// A stage's record (an intent unless `state` says otherwise): 0.5 at 2050, close id ptp-close-<stage>.
inline storage::StageRecord stage_record(const core::PositionKey& key, std::uint8_t stage,
                                         storage::StageState state = storage::StageState::pending) {
  storage::StageRecord r;
  r.key = key;
  r.stage = core::StageId{stage};
  r.state = state;
  r.at = core::Clock::now();
  r.mark = core::Price::parse("2050");
  r.planned_qty = core::Qty::parse("0.5");
  r.close_client_id = "ptp-close-" + std::to_string(stage);
  return r;
}

}  // namespace ptp::test
