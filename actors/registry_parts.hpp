// The registry's parts, shared by its translation units and included by them only:
//   registry_actor.cpp      the behavior: reconcile, sweep, execute (routing by slot), status
//   registry_reconcile.cpp  the exchange's positions against the actors: stop, restore, dispatch
//   registry_adoption.cpp   a position the node does not run yet: resume it from storage or adopt it
//   registry_sweep.cpp      the health-check and agent sweeps, the fresh-price policy, fan-in
#pragma once

#include <caf/all.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "actors/spawn.hpp"
#include "core/generation.hpp"

namespace ptp::actors::registry_parts {

using Op = OrderRequest::Op;
using Slot = std::pair<core::Symbol, core::Side>;  // what the exchange holds one position of

// An answer the registry waits for from a position actor. CAF 0.17 drops the promises of an actor
// that is stopped without a word, so a request in progress there (a status, a stage) would never be
// answered: when the registry stops an actor, it fails the answers still due from it.
struct AnswerDue {
  std::function<void(caf::error)> fail;
  bool settled = false;
};

struct registry_state {
  PositionDeps deps;
  market_data_actor market_data;
  core::GenerationTracker generations;
  bool restored = false;
  std::map<core::PositionKey, position_actor> actors;
  std::map<Slot, core::PositionKey> by_slot;  // the running actor of each slot, for routing
  std::map<core::Symbol, core::InstrumentFilters> filters;
  std::set<std::string> warned;  // slots already warned about (left alone), so the log is not flooded
  // When the last reconcile asked the exchange for its snapshot (steady clock): a position asking
  // before that is answered by it, so many positions asking at once cost one snapshot.
  std::int64_t last_snapshot_ns = 0;
  std::int64_t last_asked_reconcile_ns = 0;  // the last reconcile a position's ask started
  bool gathering = false;  // a reconcile for the asks since the last one starts when reconcile_gather is over
  std::multimap<caf::actor_addr, std::shared_ptr<AnswerDue>> answers_due;
  static inline const char* name = "registry";
};

using self_ptr = registry_actor::stateful_pointer<registry_state>;

// One reconcile in progress: the report is delivered when the last nested step is done.
// Positions the node does not run yet are loaded in batches (one request for their filters, one
// read of their records); those storage knows resume at once, new ones are adopted one after the
// other (each is a synced write, then orders). CAF 0.17 keeps outstanding responses in lists it
// searches linearly, so thousands of requests in flight at once would cost O(n^2).
struct ReconcileJob {
  struct Pending {
    core::PositionKey key;
    exchange::ExchangePosition position;
    std::vector<core::OrderState> orders;
  };
  struct Adoption {
    Pending pending;
    core::InstrumentFilters filters;
  };
  static constexpr std::size_t kBatch = 1024;  // positions loaded per round trip
  std::optional<caf::typed_response_promise<ReconcileReport>> promise;  // none: a position asked; the report is logged
  ReconcileReport report;
  int outstanding = 0;
  std::vector<Pending> queue;     // not running yet: consumed from the back, in batches
  std::deque<Adoption> adopting;  // new positions of a loaded batch, adopted front first
  std::int64_t taken_ns = 0;      // when the exchange snapshot was asked for (steady clock)
  std::function<void()> start_next;  // holds the job weakly (no cycle)
};
using JobPtr = std::shared_ptr<ReconcileJob>;

// Compares the exchange's positions with the running actors; the job's report goes to whoever asked.
void run_reconcile(self_ptr self, const JobPtr& job);
void begin(const JobPtr& job);
void end(const JobPtr& job);

inline Slot slot_of(const core::PositionKey& k) { return {k.symbol, k.side}; }
core::PositionKey slot_key(self_ptr self, const core::Symbol& symbol, core::Side side);
void warn_once(self_ptr self, const std::string& slot, const std::string& message);
// The running actor of `key` (the registry's child, subscribed to its symbol's prices).
void spawn_for(self_ptr self, const storage::PositionRecord& rec, std::vector<storage::StageRecord> stages,
               const core::InstrumentFilters& filters);
void forget(self_ptr self, const core::PositionKey& key);

// registry_reconcile.cpp
void reconcile_with(self_ptr self, const ExchangeSnapshot& snap, const JobPtr& job);
void restore(self_ptr self, const std::vector<storage::PositionRecord>& records, const ExchangeSnapshot& snap,
             const JobPtr& job);

// registry_adoption.cpp
// The job's next step: adopt the next new position, or load the next batch of the queue.
void adopt_or_resume_next(self_ptr self, const JobPtr& job);

// registry_sweep.cpp
caf::typed_response_promise<SweepReport> sweep(self_ptr self, core::Caller caller);
void with_fresh_price(self_ptr self, const core::Symbol& symbol, std::function<void(core::Price, bool rest)> k,
                      std::function<void(core::Outcome)> fail);

// Asks a position actor; exactly one of on_reply and on_error runs, on_error also when the
// registry stops the actor before it answers (fail_answers_due).
template <class T, class OnReply, class OnError, class... Ts>
void ask_position(self_ptr self, const position_actor& actor, OnReply on_reply, OnError on_error, Ts... xs) {
  auto due = std::make_shared<AnswerDue>();
  due->fail = on_error;
  const caf::actor_addr addr = actor.address();
  self->state.answers_due.emplace(addr, due);
  auto settle = [self, addr, due]() {
    if (std::exchange(due->settled, true)) return false;
    auto [from, to] = self->state.answers_due.equal_range(addr);
    for (auto it = from; it != to; ++it)
      if (it->second == due) {
        self->state.answers_due.erase(it);
        break;
      }
    return true;
  };
  self->request(actor, caf::infinite, xs...)
      .then([=](T reply) mutable { if (settle()) on_reply(std::move(reply)); },
            [=](caf::error& e) mutable { if (settle()) on_error(e); });
}

// The actor at `addr` was stopped: the answers still due from it fail.
void fail_answers_due(self_ptr self, const caf::actor_addr& addr);

// Asks every position actor `atom` and hands `deliver` the replies (an actor that fails to
// answer is left out) once all have answered.
template <class T, class Atom, class Deliver>
void fan_in(self_ptr self, Atom atom, Deliver deliver) {
  auto out = std::make_shared<std::vector<T>>();
  auto remaining = std::make_shared<std::size_t>(self->state.actors.size());
  if (*remaining == 0) {
    deliver(*out);
    return;
  }
  auto done = [=]() mutable {
    if (--*remaining == 0) deliver(*out);
  };
  for (const auto& [key, actor] : self->state.actors)
    ask_position<T>(
        self, actor,
        [=](T reply) mutable {
          out->push_back(std::move(reply));
          done();
        },
        [=](caf::error) mutable { done(); }, atom);
}

}  // namespace ptp::actors::registry_parts
