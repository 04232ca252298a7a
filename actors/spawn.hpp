// Spawning the node's actors. Each function's actor lives in actors/<role>_actor.cpp.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"
#include "actors/node_settings.hpp"

namespace ptp::core {
class TickGate;
}
namespace ptp::storage {
class HistoryStore;
class Replica;
}  // namespace ptp::storage
namespace ptp::exchange {
class Exchange;
class SimExchange;
class OrderFence;
}  // namespace ptp::exchange

namespace ptp::actors {

using SettingsPtr = std::shared_ptr<const NodeSettings>;

// Detached (own thread): LMDB synced commits block for milliseconds.
// `replica` (a cluster's etcd history): every write goes there first, and only then to LMDB.
persistence_actor spawn_persistence(caf::actor_system& sys, std::shared_ptr<storage::HistoryStore> store,
                                    std::shared_ptr<storage::Replica> replica = nullptr);
// Detached: exchange calls block (REST round trips).
// `budget`: the order limits the node keeps to (core/order_budget.hpp), `budget_pct` of the exchange's
// (0: a budget the settings set).
// `fence` (a cluster's ownership): asked right before every order request leaves; none: a single node.
exchange_actor spawn_exchange(caf::actor_system& sys, std::shared_ptr<exchange::Exchange> ex,
                              std::vector<core::RateWindow> budget, int budget_pct, metrics_actor metrics,
                              std::shared_ptr<exchange::OrderFence> fence = nullptr);
// The gate is the quiet-band check the feeding threads run before a tick becomes a message: market
// data publishes each symbol's band to it, metrics adds the ticks it decided to the totals.
market_data_actor spawn_market_data(caf::actor_system& sys, metrics_actor metrics, std::shared_ptr<core::TickGate> gate);
// `persistence`: where the rollout guard records its switch to observe (none: not recorded).
metrics_actor spawn_metrics(caf::actor_system& sys, SettingsPtr settings, std::shared_ptr<core::TickGate> gate,
                            std::optional<persistence_actor> persistence = std::nullopt);
// Writes the JSON metrics line and the human summary line to the log.
void log_metrics(const MetricsSnapshot& m);

struct PositionDeps {
  SettingsPtr settings;
  exchange_actor exchange;
  persistence_actor persistence;
  metrics_actor metrics;
  market_data_actor market_data;  // told the position's quiet band after every change
  // The registry, asked for a reconcile when the exchange says a position is gone or smaller. Weak:
  // the registry holds its positions, and a strong handle back would keep both alive forever.
  caf::weak_actor_ptr registry = {};
  // Held open for the position's symbol before each band or subscription is sent to market data.
  std::shared_ptr<core::TickGate> gate = {};
};

position_actor spawn_position(caf::actor_system& sys, PositionDeps deps, storage::PositionRecord record,
                              std::vector<storage::StageRecord> stages, core::InstrumentFilters filters);

registry_actor spawn_registry(caf::actor_system& sys, PositionDeps deps, market_data_actor market_data);
scheduler_actor spawn_scheduler(caf::actor_system& sys, SettingsPtr settings, registry_actor registry);
// Drives the simulator's price path: one step every `interval`, ticks sent to market data (and
// shown to `observe` first, when set: ptp-node --record).
caf::actor spawn_sim_feed(caf::actor_system& sys, std::shared_ptr<exchange::SimExchange> sim,
                          market_data_actor market_data, std::chrono::milliseconds interval,
                          std::function<void(const core::PriceTick&)> observe = {});

}  // namespace ptp::actors
