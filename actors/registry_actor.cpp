// The position registry: reconciles the node with the exchange's open positions. It adopts each
// new position (capturing its initial stop once), resumes positions it already knows after a
// restart, stops the actor of a position that is gone, and gives a position that reopens on the
// same symbol and side a new generation. It also routes health-check, agent and operator requests.
//
// Reconciliation uses `await`: one reconcile runs to its end before the registry reads its next
// message, so two health checks can never adopt the same position twice.
#include <caf/all.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/registry_parts.hpp"
#include "core/tick_gate.hpp"

namespace ptp::actors {
namespace registry_parts {

void begin(const JobPtr& job) { ++job->outstanding; }
void end(const JobPtr& job) {
  if (--job->outstanding > 0) return;
  if (!job->queue.empty() || !job->adopting.empty()) {
    job->start_next();
    return;
  }
  if (job->promise) {
    job->promise->deliver(job->report);
    return;
  }
  const auto& r = job->report;
  spdlog::info("[registry] reconcile a position asked for: {} open, {} adopted, {} stopped", r.open, r.adopted,
               r.stopped);
}

void fail_answers_due(self_ptr self, const caf::actor_addr& addr) {
  auto [from, to] = self->state.answers_due.equal_range(addr);
  std::vector<std::shared_ptr<AnswerDue>> due;
  for (auto it = from; it != to; ++it) due.push_back(it->second);
  self->state.answers_due.erase(from, to);
  for (auto& d : due)
    if (!std::exchange(d->settled, true)) d->fail(caf::make_error(caf::sec::request_receiver_down));
}

core::PositionKey slot_key(self_ptr self, const core::Symbol& symbol, core::Side side) {
  const auto& s = *self->state.deps.settings;
  return core::PositionKey{s.exchange, s.account, symbol, side, 0};
}

void forget(self_ptr self, const core::PositionKey& key) {
  self->state.actors.erase(key);
  if (auto it = self->state.by_slot.find(slot_of(key)); it != self->state.by_slot.end() && it->second == key)
    self->state.by_slot.erase(it);
}

void warn_once(self_ptr self, const std::string& slot, const std::string& message) {
  if (self->state.warned.insert(slot).second) spdlog::warn("[registry] {}", message);
}

void spawn_for(self_ptr self, const storage::PositionRecord& rec, std::vector<storage::StageRecord> stages,
               const core::InstrumentFilters& filters) {
  auto& st = self->state;
  auto actor = spawn_position(self->system(), st.deps, rec, std::move(stages), filters);
  self->monitor(actor);
  st.actors[rec.position.key] = actor;
  st.by_slot[slot_of(rec.position.key)] = rec.position.key;
  if (st.deps.gate) st.deps.gate->hold(rec.position.key.symbol);
  self->send(st.market_data, subscribe_atom_v, rec.position.key.symbol, actor);
}

}  // namespace registry_parts

namespace {

using namespace registry_parts;

// drain / idle: true once every position actor has answered.
template <class Atom>
caf::typed_response_promise<bool> ask_all(self_ptr self, Atom atom) {
  auto promise = self->make_response_promise<bool>();
  fan_in<bool>(self, atom, [=](const std::vector<bool>&) mutable { promise.deliver(true); });
  return promise;
}

registry_actor::behavior_type registry(self_ptr self, PositionDeps deps, market_data_actor market_data) {
  self->state.deps = std::move(deps);
  self->state.deps.registry = caf::weak_actor_ptr{caf::actor_cast<caf::strong_actor_ptr>(self).get()};
  self->state.market_data = std::move(market_data);
  // The position actors are the registry's children: they stop with it.
  self->set_exit_handler([=](const caf::exit_msg& msg) {
    for (const auto& [key, actor] : self->state.actors) self->send_exit(actor, msg.reason);
    self->state.actors.clear();
    self->state.by_slot.clear();
    self->quit(msg.reason);
  });
  self->set_down_handler([=](const caf::down_msg& msg) {
    auto& actors = self->state.actors;
    for (auto it = actors.begin(); it != actors.end(); ++it) {
      if (it->second.address() != msg.source) continue;
      spdlog::error("[registry] the actor of {} stopped unexpectedly ({}); it is re-adopted at the next health check",
                    it->first.str(), to_string(msg.reason));
      fail_answers_due(self, msg.source);
      self->state.generations.observe_flat(it->first);
      forget(self, it->first);
      return;
    }
  });
  return {
      [=](reconcile_atom) {
        auto job = std::make_shared<ReconcileJob>();
        job->promise = self->make_response_promise<ReconcileReport>();
        run_reconcile(self, job);
        return *job->promise;
      },
      [=](reconcile_atom, std::int64_t asked_ns) {
        auto& st = self->state;
        if (st.last_snapshot_ns >= asked_ns || st.gathering) return;  // a reconcile has looked, or will
        // The first ask is answered at once; asks soon after a reconcile wait for one more that
        // answers them all together.
        const std::int64_t now = core::steady_now_ns();
        const auto since = std::chrono::nanoseconds(now - st.last_asked_reconcile_ns);
        const auto gather = std::chrono::duration_cast<std::chrono::nanoseconds>(st.deps.settings->reconcile_gather);
        if (st.last_asked_reconcile_ns == 0 || since >= gather) {
          st.last_asked_reconcile_ns = now;
          run_reconcile(self, std::make_shared<ReconcileJob>());
          return;
        }
        st.gathering = true;
        self->delayed_send(self, gather - since, gathered_atom_v);
      },
      [=](gathered_atom) {
        self->state.gathering = false;
        self->state.last_asked_reconcile_ns = core::steady_now_ns();
        run_reconcile(self, std::make_shared<ReconcileJob>());
      },
      [=](sweep_atom, core::Caller caller) { return sweep(self, caller); },
      [=](execute_atom, const core::Symbol& symbol, core::Side side, const ExecuteRequest& req) -> caf::result<ExecuteReply> {
        auto slot = self->state.by_slot.find({symbol, side});
        if (slot == self->state.by_slot.end())
          return ExecuteReply{slot_key(self, symbol, side), req.caller,
                              core::Outcome{core::OutcomeKind::failed, core::Reason::no_open_position}, req.stage, {}};
        const core::PositionKey key = slot->second;
        const position_actor actor = self->state.actors.at(key);
        auto promise = self->make_response_promise<ExecuteReply>();
        auto forward = [=](ExecuteRequest priced) mutable {
          ask_position<ExecuteReply>(
              self, actor, [=](ExecuteReply r) mutable { promise.deliver(r); },
              [=](caf::error e) mutable { promise.deliver(e); }, execute_atom_v, priced);
        };
        if (req.price) {
          forward(req);
        } else {
          // The agent tool and the operator name no price: they get the same fresh price as the health check.
          with_fresh_price(
              self, symbol,
              [=](core::Price p, bool) mutable {
                ExecuteRequest priced = req;
                priced.price = p;
                forward(priced);
              },
              [=](core::Outcome why) mutable { promise.deliver(ExecuteReply{key, req.caller, why, req.stage, {}}); });
        }
        return promise;
      },
      [=](mark_atom, const core::Symbol& symbol) {
        // The fresh price every caller's request is evaluated at (the API's check states what is due at it).
        auto promise = self->make_response_promise<core::Price>();
        with_fresh_price(
            self, symbol, [=](core::Price p, bool) mutable { promise.deliver(p); },
            [=](core::Outcome why) mutable { promise.deliver(caf::make_error(caf::sec::runtime_error, why.str())); });
        return promise;
      },
      [=](drain_atom) { return ask_all(self, drain_atom_v); },
      [=](idle_atom) { return ask_all(self, idle_atom_v); },
      [=](status_atom) {
        auto promise = self->make_response_promise<std::vector<PositionStatus>>();
        fan_in<PositionStatus>(self, status_atom_v,
                               [=](const std::vector<PositionStatus>& all) mutable { promise.deliver(all); });
        return promise;
      },
  };
}

}  // namespace

registry_actor spawn_registry(caf::actor_system& sys, PositionDeps deps, market_data_actor market_data) {
  return sys.spawn(registry, std::move(deps), std::move(market_data));
}

}  // namespace ptp::actors
