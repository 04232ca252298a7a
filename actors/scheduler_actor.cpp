// The scheduler: emits the health-check tick (reconcile, then execute what is due with a fresh
// price) and the agent tick (the same through the agent's path), each on its own interval. A tick
// that comes while the previous one of its kind still runs is skipped, never stacked.
#include <caf/all.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/spawn.hpp"
#include "exchange/failure_log.hpp"

namespace ptp::actors {
namespace {

struct scheduler_state {
  SettingsPtr settings;
  registry_actor registry;
  bool health_running = false;
  bool agent_running = false;
  static inline const char* name = "scheduler";
};

using self_ptr = scheduler_actor::stateful_pointer<scheduler_state>;

void log_sweep(const SweepReport& r) {
  int executed = 0;
  std::string details;
  for (const auto& reply : r.replies) {
    const auto k = reply.outcome.kind;
    if (k == core::OutcomeKind::success || k == core::OutcomeKind::skipped) ++executed;
    if (k == core::OutcomeKind::not_due) continue;
    details += fmt::format("; {} {}{}", reply.key.str(), reply.stage ? reply.stage->str() + " " : "", reply.outcome.str());
  }
  spdlog::info("[{}] checked {} position(s){}, executed {}{}", core::to_string(r.caller), r.replies.size(),
               r.rest_prices ? fmt::format(" ({} priced by REST: stream stale)", r.rest_prices) : "", executed, details);
}

void run(self_ptr self, core::Caller caller, bool& running) {
  if (running) {
    log_repeated(spdlog::level::warn, "[{}] the previous run is still going; this tick is skipped", core::to_string(caller));
    return;
  }
  running = true;
  auto registry = self->state.registry;
  bool* flag = &running;  // state outlives the requests: both belong to this actor
  self->request(registry, caf::infinite, reconcile_atom_v)
      .then(
          [=](const ReconcileReport&) {
            self->request(registry, caf::infinite, sweep_atom_v, caller)
                .then(
                    [=](const SweepReport& r) {
                      log_sweep(r);
                      *flag = false;
                    },
                    [=](caf::error& e) {
                      log_repeated(spdlog::level::err, "[{}] sweep failed: {}", core::to_string(caller), describe(e));
                      *flag = false;
                    });
          },
          [=](caf::error& e) {
            log_repeated(spdlog::level::err, "[{}] reconcile failed: {}", core::to_string(caller), describe(e));
            *flag = false;
          });
}

scheduler_actor::behavior_type scheduler(self_ptr self, SettingsPtr settings, registry_actor registry) {
  self->state.settings = settings;
  self->state.registry = std::move(registry);
  self->delayed_send(self, settings->health_check_interval, health_atom_v);
  // A zero interval turns the internal agent off: a real agent reaches the node through the API.
  const bool agent_on = settings->agent_interval.count() > 0;
  if (agent_on) self->delayed_send(self, settings->agent_interval, agent_atom_v);
  return {
      [=](health_atom) {
        run(self, core::Caller::health_check, self->state.health_running);
        self->delayed_send(self, self->state.settings->health_check_interval, health_atom_v);
      },
      [=](agent_atom) {
        run(self, core::Caller::ai_agent, self->state.agent_running);
        self->delayed_send(self, self->state.settings->agent_interval, agent_atom_v);
      },
  };
}

}  // namespace

scheduler_actor spawn_scheduler(caf::actor_system& sys, SettingsPtr settings, registry_actor registry) {
  return sys.spawn(scheduler, std::move(settings), std::move(registry));
}

}  // namespace ptp::actors
