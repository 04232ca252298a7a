// The typed contracts between the node's actors; the compiler checks every message against them.
#pragma once

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/messages.hpp"

namespace ptp::actors {

// Owns one open position; the only place its stages execute, one at a time. `drain` answers once
// no stage is in flight and starts no new one (a clean shutdown); `idle` answers once no stage is
// in flight (tests and tools await it instead of sleeping). `check` compares the exchange's view of
// the slot with the position's record: an outside size change is adopted, a missing or outdated
// stop or take-profit is replaced, a leftover one the node placed is cancelled.
using position_actor = caf::typed_actor<
    caf::reacts_to<tick_atom, core::PriceTick>,
    caf::replies_to<execute_atom, ExecuteRequest>::with<ExecuteReply>,
    caf::replies_to<status_atom>::with<PositionStatus>,
    caf::reacts_to<check_atom, SlotSnapshot>,
    caf::replies_to<drain_atom>::with<bool>,
    caf::replies_to<idle_atom>::with<bool>,
    caf::reacts_to<poll_atom>,      // the waiting stage's timer: a fill to ask about, a record to retry
    caf::reacts_to<recover_atom>>;  // resolves the intents a previous run left pending

// Streams prices to the position actors of each symbol; remembers the last price per symbol. A
// tick reaches a position only when it leaves the position's quiet band (`band`: lower, upper),
// and a position that has not yet answered the last tick it got is sent only the latest one.
using market_data_actor = caf::typed_actor<
    caf::reacts_to<tick_atom, core::PriceTick>,
    caf::reacts_to<subscribe_atom, core::Symbol, position_actor>,
    caf::reacts_to<band_atom, core::Symbol, position_actor, core::Price, core::Price>,
    caf::reacts_to<unsub_atom, core::Symbol, position_actor>,
    caf::replies_to<last_atom, core::Symbol>::with<LastPrice>,
    caf::replies_to<flush_atom>::with<bool>>;  // sends the pending tick counts to metrics now

// The only door to the exchange (blocking calls run on its own thread).
using exchange_actor = caf::typed_actor<
    caf::replies_to<snapshot_atom>::with<ExchangeSnapshot>,
    caf::replies_to<mark_atom, core::Symbol>::with<core::Price>,
    caf::replies_to<filters_atom, std::vector<core::Symbol>>::with<std::vector<SymbolFilters>>,  // one per symbol, in order
    caf::replies_to<order_atom, OrderRequest>::with<OrderReply>,
    caf::reacts_to<budget_atom>>;  // orders waiting for the order budget may go

// Owns the LMDB environment; every write is synced before it answers.
using persistence_actor = caf::typed_actor<
    caf::replies_to<load_atom, core::PositionKey>::with<std::optional<storage::PositionRecord>,
                                                        std::vector<storage::StageRecord>>,
    // many positions in one read transaction (start-up), one answer per key, in order
    caf::replies_to<load_atom, std::vector<core::PositionKey>>::with<std::vector<storage::StoredPosition>>,
    caf::replies_to<adopt_atom, storage::PositionRecord>::with<storage::PositionRecord>,
    caf::replies_to<save_atom, storage::PositionRecord>::with<bool>,
    caf::replies_to<begin_atom, storage::StageRecord>::with<BeginReply>,
    caf::replies_to<finish_atom, storage::StageRecord, storage::PositionRecord>::with<bool>,
    caf::replies_to<list_atom>::with<std::vector<storage::PositionRecord>>,
    caf::replies_to<history_atom, HistoryQuery>::with<HistoryPage>,
    caf::replies_to<mode_atom, core::ModeChange>::with<bool>>;  // records a mode switch (synced)

// Counts outcomes per caller, ticks and latencies; logs a JSON line and a summary periodically.
using metrics_actor = caf::typed_actor<
    caf::reacts_to<outcome_atom, core::Caller, core::OutcomeKind>,
    caf::reacts_to<latency_atom, std::int64_t>,
    caf::reacts_to<tick_atom, std::int64_t, core::LatencyHistogram>,
    caf::reacts_to<budget_atom, std::int64_t>,  // an order waited this long (ns) for the order budget
    caf::reacts_to<flush_atom>,
    caf::replies_to<get_atom>::with<MetricsSnapshot>>;

// Adopts the exchange's open positions into position actors and routes requests to them.
using registry_actor = caf::typed_actor<
    caf::replies_to<reconcile_atom>::with<ReconcileReport>,
    // A position that stopped acting at `asked_ns` (steady clock) until a reconcile has looked at it.
    caf::reacts_to<reconcile_atom, std::int64_t>,
    caf::reacts_to<gathered_atom>,  // the positions' asks of the last moments are answered together
    caf::replies_to<sweep_atom, core::Caller>::with<SweepReport>,
    caf::replies_to<execute_atom, core::Symbol, core::Side, ExecuteRequest>::with<ExecuteReply>,
    caf::replies_to<status_atom>::with<std::vector<PositionStatus>>,
    caf::replies_to<mark_atom, core::Symbol>::with<core::Price>,  // the price a request would be evaluated at
    caf::replies_to<drain_atom>::with<bool>,
    caf::replies_to<idle_atom>::with<bool>>;

// Emits the health-check and agent ticks.
using scheduler_actor = caf::typed_actor<caf::reacts_to<health_atom>, caf::reacts_to<agent_atom>>;

}  // namespace ptp::actors
