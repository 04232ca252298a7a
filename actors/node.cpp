#include "actors/node.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/scheduler_policy.hpp"
#include "storage/history_store.hpp"

namespace ptp::actors {

void configure_scheduler(caf::actor_system_config& cfg, config::LatencyMode mode) {
  // An idle worker spins this many polls (a few tens of microseconds: a burst of ticks keeps it
  // awake), then sleeps until woken (actors/scheduler_policy.hpp); the timed wake-up is only a
  // safety net, so it can be long: a quiet node's workers wake ~20 times a second each.
  cfg.set("work-stealing.aggressive-poll-attempts", std::size_t{1000});
  cfg.set("work-stealing.relaxed-sleep-duration", caf::timespan{std::chrono::milliseconds(50)});
  if (mode == config::LatencyMode::spin)
    cfg.load<spinning_coordinator>();
  else
    cfg.load<sleeping_coordinator>();
}

void resume_mode(const NodeSettings& settings, storage::HistoryStore& store) {
  const auto changes = store.mode_changes();
  if (changes.empty()) return;
  const auto& last = changes.back();
  if (static_cast<bool>(settings.observe) != last.observe)
    spdlog::warn("[mode] {} as switched by {} ({}), not the config's mode: a switch lasts until the next one",
                 last.mode(), last.by, last.reason);
  settings.observe.set(last.observe);
}

NodeActors start_node(caf::actor_system& sys, SettingsPtr settings, std::shared_ptr<exchange::Exchange> ex,
                      std::shared_ptr<storage::HistoryStore> store, const NodeOptions& options) {
  resume_mode(*settings, *store);
  auto persistence = spawn_persistence(sys, std::move(store), options.replica);
  auto gate = std::make_shared<core::TickGate>(settings->symbols);
  auto metrics = spawn_metrics(sys, settings, gate, persistence);
  // The node's share of the exchange's order limits, unless the settings name a budget of their own.
  auto budget = settings->order_budget.empty() ? core::share_of(ex->order_limits(), settings->order_budget_pct)
                                               : settings->order_budget;
  for (const auto& w : budget) spdlog::debug("[exchange] order budget {}", w.str());
  NodeActors n{persistence,
               spawn_exchange(sys, std::move(ex), std::move(budget),
                              settings->order_budget.empty() ? settings->order_budget_pct : 0, metrics,
                              options.fence),
               metrics, {}, {}, std::nullopt, std::nullopt, gate};
  n.market_data = spawn_market_data(sys, n.metrics, gate);
  n.registry =
      spawn_registry(sys, PositionDeps{settings, n.exchange, n.persistence, n.metrics, n.market_data, {}, gate},
                     n.market_data);
  if (options.with_scheduler) n.scheduler = spawn_scheduler(sys, settings, n.registry);
  if (options.feed) n.sim_feed = spawn_sim_feed(sys, options.feed, n.market_data, options.feed_interval, options.observe_feed);
  return n;
}

std::function<void(const core::PriceTick&)> tick_sink(const NodeActors& node) {
  return [md = node.market_data, gate = node.gate](const core::PriceTick& t) {
    if (gate->admit(t)) caf::anon_send(md, tick_atom_v, t);
  };
}

std::function<void()> reconcile_trigger(const NodeActors& node) {
  // The report is not needed: the registry logs what it adopted, closed or resized.
  return [reg = node.registry] { caf::anon_send(reg, reconcile_atom_v); };
}

void stop_node(caf::actor_system& sys, NodeActors& node) {
  caf::scoped_actor self{sys};
  if (node.sim_feed) self->send_exit(*node.sim_feed, caf::exit_reason::user_shutdown);
  if (node.scheduler) self->send_exit(*node.scheduler, caf::exit_reason::user_shutdown);
  // Let every stage in flight finish and record its result: nothing is left half-done.
  self->request(node.registry, std::chrono::seconds(30), drain_atom_v)
      .receive([](bool) {},
               [](caf::error& e) { spdlog::error("shutdown: positions did not drain: {}", describe(e)); });
  self->send_exit(node.registry, caf::exit_reason::user_shutdown);
  self->send_exit(node.market_data, caf::exit_reason::user_shutdown);
  self->send_exit(node.metrics, caf::exit_reason::user_shutdown);
  self->send_exit(node.exchange, caf::exit_reason::user_shutdown);
  self->send_exit(node.persistence, caf::exit_reason::user_shutdown);
}

}  // namespace ptp::actors
