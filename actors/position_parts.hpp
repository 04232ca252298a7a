// The position actor's parts, shared by its translation units and included by them only:
//   position_actor.cpp      the behavior, ticks, trailing stops, observe mode
//   position_orders.cpp     orders to the exchange actor; the driver of trailing moves and repairs
//   position_stage.cpp      a stage's execution, and the recovery of one a stopped run left pending
//   position_reconcile.cpp  the exchange's view of the slot against the record
#pragma once

#include <caf/all.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "actors/spawn.hpp"
#include "core/record_work.hpp"
#include "core/retry_backoff.hpp"
#include "core/stage_run.hpp"

namespace ptp::actors::position_parts {

using core::Outcome;
using core::OutcomeKind;

struct position_state {
  PositionDeps deps;
  storage::PositionRecord rec;
  core::StageBook book;
  core::InstrumentFilters filters;
  bool in_flight = false;
  std::optional<core::PriceTick> pending_tick;  // the latest tick that arrived while in flight
  core::Price last_mark;
  std::set<std::uint8_t> observed;  // observe mode: stages already logged as due
  bool draining = false;  // shutting down: no new stage starts
  std::shared_ptr<struct StageFlight> waiting;  // a stage waiting for its timer (a fill poll, a retry)
  std::vector<caf::typed_response_promise<bool>> drain_waiters;  // answered when the flight ends
  std::vector<caf::typed_response_promise<bool>> idle_waiters;   // answered when nothing is in flight
  std::deque<storage::StageRecord> pending_intents;  // left by a run that stopped mid-stage, resolved first
  // When the last flight ended (steady clock): an exchange snapshot asked for before it shows the
  // position as it was before that flight, so reconciling against it would undo the flight.
  std::int64_t changed_ns = 0;
  // The exchange said the position is gone or smaller than an order: nothing is sent until the
  // reconcile asked for then has compared the slot (check_slot) or stopped the actor.
  bool awaiting_reconcile = false;
  bool reconcile_due = false;           // ask the registry as the current flight ends
  std::int64_t reconcile_asked_ns = 0;  // when it was last asked (steady clock)
  core::RetryBackoff trailing_backoff;  // trailing moves the exchange keeps refusing wait longer each time
  core::RetryBackoff stage_backoff;     // so do stages the market keeps calling for that keep failing
  static inline const char* name = "position";
};

using self_ptr = position_actor::stateful_pointer<position_state>;
using Done = std::function<void(Outcome)>;

// A stage in flight: its state machine (core/stage_run.hpp) and who is waiting for its outcome.
struct StageFlight {
  core::StageRun run;
  Done done;
};

// The exchange said the position is gone or smaller: hold every order until a reconcile has looked.
void ask_reconcile(self_ptr self, const std::string& why);
void send_reconcile_request(self_ptr self);  // to the registry, as the flight that asked ends
void remind_reconcile(self_ptr self);        // asks again if the last request is 10 s old

const core::Position& pos(self_ptr self);
std::string who(self_ptr self);
std::string stop_label(self_ptr self, core::Price stop);  // "2000 (breakeven)", "2050 (+1R)"
void count(self_ptr self, core::Caller caller, OutcomeKind kind);
// Tells market data which prices can matter now; it also acknowledges the last tick received.
void publish_band(self_ptr self);
// Ends a flight: answers the waiters, evaluates the tick that came meanwhile, publishes the band.
void after_flight(self_ptr self);

// position_orders.cpp
void log_notes(self_ptr self, const std::vector<core::Note>& notes);
void ask_exchange(self_ptr self, const OrderRequest& command, std::function<void(const OrderReply&)> k);
// Runs a trailing move or a reconcile repair from `first` (its begin()) to its end; the caller set in_flight.
// `on_done` (optional) hears how the work ended, before the flight ends.
using WorkDone = std::function<void(const core::RecordWork::Done&)>;
void run_record_work(self_ptr self, std::shared_ptr<core::RecordWork> work, core::RecordWork::Step first,
                     WorkDone on_done = {});

// position_stage.cpp
void run_stages(self_ptr self, std::vector<core::StageAction> actions, std::size_t i, core::Caller caller,
                core::Price mark, Done done);
void recover_next(self_ptr self);
void stage_timer(self_ptr self);  // the waiting stage's timer fired

// position_reconcile.cpp
void check_slot(self_ptr self, const SlotSnapshot& snap);

}  // namespace ptp::actors::position_parts
