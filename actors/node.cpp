#include "actors/node.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "storage/history_store.hpp"

namespace ptp::actors {

void configure_scheduler(caf::actor_system_config& cfg) {
  // Measured with ptp-bench on 2 cores: p99 tick-to-decision fell from ~1-5 ms (defaults: 50 us
  // then 10 ms sleeps) to ~0.2 ms, for a little more idle polling.
  cfg.set("work-stealing.moderate-sleep-duration", caf::timespan{std::chrono::microseconds(20)});
  cfg.set("work-stealing.relaxed-sleep-duration", caf::timespan{std::chrono::microseconds(500)});
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
  auto persistence = spawn_persistence(sys, std::move(store));
  NodeActors n{persistence, spawn_exchange(sys, std::move(ex)), spawn_metrics(sys, settings, persistence), {}, {},
               std::nullopt, std::nullopt};
  n.market_data = spawn_market_data(sys, n.metrics);
  n.registry =
      spawn_registry(sys, PositionDeps{settings, n.exchange, n.persistence, n.metrics, n.market_data}, n.market_data);
  if (options.with_scheduler) n.scheduler = spawn_scheduler(sys, settings, n.registry);
  if (options.feed) n.sim_feed = spawn_sim_feed(sys, options.feed, n.market_data, options.feed_interval);
  return n;
}

std::function<void(const core::PriceTick&)> tick_sink(const NodeActors& node) {
  return [md = node.market_data](const core::PriceTick& t) { caf::anon_send(md, tick_atom_v, t); };
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
