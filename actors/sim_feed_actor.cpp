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
  static inline const char* name = "sim-feed";
};

caf::behavior sim_feed(caf::stateful_actor<sim_feed_state>* self, std::shared_ptr<exchange::SimExchange> sim,
                       market_data_actor market_data, std::chrono::milliseconds interval) {
  self->state.sim = std::move(sim);
  self->state.market_data = std::move(market_data);
  self->state.interval = interval;
  self->send(self, step_atom_v);
  return {
      [=](step_atom) {
        for (const auto& tick : self->state.sim->step()) self->send(self->state.market_data, tick_atom_v, tick);
        self->delayed_send(self, self->state.interval, step_atom_v);
      },
  };
}

}  // namespace

caf::actor spawn_sim_feed(caf::actor_system& sys, std::shared_ptr<exchange::SimExchange> sim,
                          market_data_actor market_data, std::chrono::milliseconds interval) {
  return sys.spawn(sim_feed, std::move(sim), std::move(market_data), interval);
}

}  // namespace ptp::actors
