// The whole node in one process: spawns and wires every actor. Used by ptp-node and by the tests.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "actors/spawn.hpp"
#include "core/tick_gate.hpp"

namespace ptp::actors {

struct NodeActors {
  persistence_actor persistence;
  exchange_actor exchange;
  metrics_actor metrics;
  market_data_actor market_data;
  registry_actor registry;
  std::optional<scheduler_actor> scheduler;  // absent in tests that drive every caller themselves
  std::optional<caf::actor> sim_feed;        // the simulator's price path, when it runs by itself
  std::shared_ptr<core::TickGate> gate;      // the quiet-band check tick_sink runs on the feeding thread
};

struct NodeOptions {
  bool with_scheduler = true;
  std::shared_ptr<exchange::SimExchange> feed;  // set: drive this simulator's price path
  std::chrono::milliseconds feed_interval{100};
  std::function<void(const core::PriceTick&)> observe_feed;  // each simulated tick, first (--record)
  // A cluster (cluster/): the owner's fence in front of every order, and the replicated history.
  std::shared_ptr<exchange::OrderFence> fence;
  std::shared_ptr<storage::Replica> replica;
};

// Scheduler settings (node.latency_mode). sleep: an idle worker spins briefly, then sleeps on its
// condition variable until a job is queued to it (no timed polling: a quiet node costs almost
// nothing). spin: the same, except that one worker never sleeps and takes every job from outside
// the actor system (actors/spinning_scheduler.hpp).
void configure_scheduler(caf::actor_system_config& cfg, config::LatencyMode mode = config::LatencyMode::sleep);

// The last mode switch recorded in the history (an operator's, the rollout guard's) wins over the
// config's mode; start_node applies it before any actor runs.
void resume_mode(const NodeSettings& settings, storage::HistoryStore& store);

NodeActors start_node(caf::actor_system& sys, SettingsPtr settings, std::shared_ptr<exchange::Exchange> ex,
                      std::shared_ptr<storage::HistoryStore> store, const NodeOptions& options);

// Entry points for threads outside the actor system (websocket I/O threads): a tick is checked
// against its symbol's quiet band on the calling thread and goes to market data only when some
// position may act on it; an account change the node did not make asks the registry to reconcile now.
std::function<void(const core::PriceTick&)> tick_sink(const NodeActors& node);
std::function<void()> reconcile_trigger(const NodeActors& node);

// Stops the price feed and the scheduler, waits until no stage is in flight, then stops the rest.
void stop_node(caf::actor_system& sys, NodeActors& node);

}  // namespace ptp::actors
