// Drives the embedded simulator's price path: one step per interval, each new mark sent to the
// market-data actor exactly as a websocket source would send it.
#include <caf/all.hpp>

#include "actors/spawn.hpp"
#include "sim/sim_exchange.hpp"

namespace ptp::actors {
namespace {

struct sim_feed_state {
  std::shared_ptr<exchange::SimExchange> sim;
  market_data_actor market_data;
  std::chrono::milliseconds interval{100};
  std::function<void(const core::PriceTick&)> observe;
  static inline const char* name = "sim-feed";
};

caf::behavior sim_feed(caf::stateful_actor<sim_feed_state>* self, std::shared_ptr<exchange::SimExchange> sim,
                       market_data_actor market_data, std::chrono::milliseconds interval,
                       std::function<void(const core::PriceTick&)> observe) {
  self->state.sim = std::move(sim);
  self->state.observe = std::move(observe);
  self->state.market_data = std::move(market_data);
  self->state.interval = interval;
  self->send(self, step_atom_v);
  return {
      [=](step_atom) {
        for (const auto& tick : self->state.sim->step()) {
          if (self->state.observe) self->state.observe(tick);
          self->send(self->state.market_data, tick_atom_v, tick);
        }
        self->delayed_send(self, self->state.interval, step_atom_v);
      },
  };
}

}  // namespace

caf::actor spawn_sim_feed(caf::actor_system& sys, std::shared_ptr<exchange::SimExchange> sim,
                          market_data_actor market_data, std::chrono::milliseconds interval,
                          std::function<void(const core::PriceTick&)> observe) {
  return sys.spawn(sim_feed, std::move(sim), std::move(market_data), interval, std::move(observe));
}

}  // namespace ptp::actors
