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

struct registry_state {
  PositionDeps deps;
  market_data_actor market_data;
  core::GenerationTracker generations;
  bool restored = false;
  std::map<core::PositionKey, position_actor> actors;
  std::map<Slot, core::PositionKey> by_slot;  // the running actor of each slot, for routing
  std::map<core::Symbol, core::InstrumentFilters> filters;
  std::set<std::string> warned;  // slots already warned about (left alone), so the log is not flooded
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
  caf::typed_response_promise<ReconcileReport> promise;
  ReconcileReport report;
  int outstanding = 0;
  std::vector<Pending> queue;     // not running yet: consumed from the back, in batches
  std::deque<Adoption> adopting;  // new positions of a loaded batch, adopted front first
  std::int64_t taken_ns = 0;      // when the exchange snapshot was asked for (steady clock)
  std::function<void()> start_next;  // holds the job weakly (no cycle)
};
using JobPtr = std::shared_ptr<ReconcileJob>;

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
    self->request(actor, caf::infinite, atom)
        .then([=](T reply) mutable {
                out->push_back(std::move(reply));
                done();
              },
              [=](caf::error&) mutable { done(); });
}

}  // namespace ptp::actors::registry_parts
