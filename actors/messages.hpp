// The node's messages: every atom and every message type, in one CAF type-ID block.
// Message types are plain values (no borrowed views); they stay inside one process, so they are
// allowed as unsafe (non-serializable) message types.
#pragma once

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/type_id.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/arbiter.hpp"
#include "core/latency_histogram.hpp"
#include "core/mode_change.hpp"
#include "core/order.hpp"
#include "core/order_call.hpp"
#include "core/tick.hpp"
#include "exchange/exchange.hpp"
#include "storage/records.hpp"

namespace ptp::actors {

// A request to execute what is due (or one named stage) for one position.
struct ExecuteRequest {
  core::Caller caller = core::Caller::health_check;
  std::optional<core::StageId> stage;  // none: whatever the price makes due
  std::optional<core::Price> price;    // none: the position's latest mark
};

// The one answer every request gets.
struct ExecuteReply {
  core::PositionKey key;
  core::Caller caller = core::Caller::health_check;
  core::Outcome outcome;
  std::optional<core::StageId> stage;  // the stage the outcome is about, when there is one
  core::Ratio r;                       // R at the evaluated price
};

struct PositionStatus {
  storage::PositionRecord record;
  std::vector<storage::StageRecord> stages;  // recorded stages, by stage
  core::Price last_mark;
  core::InstrumentFilters filters;  // the instrument's, as the decisions use them
};

// One call into the exchange, answered with OrderReply; failures are values, not exceptions
// (core/order_call.hpp).
using OrderRequest = core::OrderCommand;
using OrderReply = core::OrderAnswer;

struct ExchangeSnapshot {
  std::vector<exchange::ExchangePosition> positions;
  std::vector<core::OrderState> orders;  // resting stops and take-profits
};

// What the exchange showed for one position's slot (symbol and side) at a reconcile: the position
// actor compares it with what it believes and repairs the difference.
struct SlotSnapshot {
  core::Qty size;
  std::vector<core::OrderState> orders;  // the slot's resting stops and take-profits
  std::int64_t taken_ns = 0;             // steady clock when the snapshot was asked for
};

// One symbol's trading filters, or why the exchange could not give them.
struct SymbolFilters {
  core::Symbol symbol;
  std::optional<core::InstrumentFilters> filters;
  std::string error;  // when there are none
};

struct BeginReply {
  bool started = false;
  std::optional<storage::StageRecord> existing;
};

struct LastPrice {
  bool known = false;
  core::Price price;
  std::int64_t received_ns = 0;  // steady clock
};

struct ReconcileReport {
  int open = 0;
  int adopted = 0;
  int resumed = 0;  // known from storage (a restart)
  int stopped = 0;
  int left_alone = 0;
};

struct SweepReport {
  core::Caller caller = core::Caller::health_check;
  std::vector<ExecuteReply> replies;
  int rest_prices = 0;  // positions priced by REST because the stream was stale
};

struct MetricsSnapshot {
  std::uint64_t counts[4][core::kOutcomeKinds] = {};  // [caller][outcome]
  std::uint64_t ticks = 0;
  std::uint64_t decisions = 0;
  core::LatencyHistogram decision_ns;  // tick entering market data -> a position actor's decision
  core::LatencyHistogram routing_ns;   // tick handed to the node -> routed or filtered (every tick)
  std::int64_t stream_age_ms = -1;  // since the last tick; -1 before the first
  std::uint64_t stream_reconnects = 0;
  std::uint64_t budget_waits = 0;      // orders that waited for the account's order budget
  std::int64_t budget_wait_max_ms = 0;  // the longest such wait
  std::uint32_t guard_executions = 0;  // in the last hour, as the rollout guard counts them
  std::uint32_t guard_failures = 0;
  std::string guard_trip;              // why the guard switched the node to observe in this run ("": it did not)
};

// What the history holds for one position, one symbol, or the whole node (no filter), from `since`:
// the stage events and, for the whole node, the mode switches. At most `limit` of each, the newest.
struct HistoryQuery {
  std::optional<core::PositionKey> key;
  std::optional<core::Symbol> symbol;
  core::Clock::time_point since;
  std::size_t limit = 100;
  bool with_events = true;  // false: the mode switches only
};

struct HistoryPage {
  std::vector<storage::StageRecord> events;  // oldest first
  std::vector<core::ModeChange> modes;       // oldest first
};

}  // namespace ptp::actors

CAF_BEGIN_TYPE_ID_BLOCK(ptp, caf::first_custom_type_id)
  CAF_ADD_ATOM(ptp, ptp::actors, tick_atom, "tick")
  CAF_ADD_ATOM(ptp, ptp::actors, execute_atom, "execute")
  CAF_ADD_ATOM(ptp, ptp::actors, status_atom, "status")
  CAF_ADD_ATOM(ptp, ptp::actors, check_atom, "check")
  CAF_ADD_ATOM(ptp, ptp::actors, subscribe_atom, "subscribe")
  CAF_ADD_ATOM(ptp, ptp::actors, unsub_atom, "unsub")
  CAF_ADD_ATOM(ptp, ptp::actors, last_atom, "last")
  CAF_ADD_ATOM(ptp, ptp::actors, snapshot_atom, "snapshot")
  CAF_ADD_ATOM(ptp, ptp::actors, mark_atom, "mark")
  CAF_ADD_ATOM(ptp, ptp::actors, filters_atom, "filters")
  CAF_ADD_ATOM(ptp, ptp::actors, order_atom, "order")
  CAF_ADD_ATOM(ptp, ptp::actors, load_atom, "load")
  CAF_ADD_ATOM(ptp, ptp::actors, adopt_atom, "adopt")
  CAF_ADD_ATOM(ptp, ptp::actors, save_atom, "save")
  CAF_ADD_ATOM(ptp, ptp::actors, begin_atom, "begin")
  CAF_ADD_ATOM(ptp, ptp::actors, finish_atom, "finish")
  CAF_ADD_ATOM(ptp, ptp::actors, list_atom, "list")
  CAF_ADD_ATOM(ptp, ptp::actors, reconcile_atom, "reconcile")
  CAF_ADD_ATOM(ptp, ptp::actors, sweep_atom, "sweep")
  CAF_ADD_ATOM(ptp, ptp::actors, health_atom, "health")
  CAF_ADD_ATOM(ptp, ptp::actors, agent_atom, "agent")
  CAF_ADD_ATOM(ptp, ptp::actors, outcome_atom, "outcome")
  CAF_ADD_ATOM(ptp, ptp::actors, latency_atom, "latency")
  CAF_ADD_ATOM(ptp, ptp::actors, flush_atom, "flush")
  CAF_ADD_ATOM(ptp, ptp::actors, get_atom, "get")
  CAF_ADD_ATOM(ptp, ptp::actors, step_atom, "step")
  CAF_ADD_ATOM(ptp, ptp::actors, drain_atom, "drain")
  CAF_ADD_ATOM(ptp, ptp::actors, idle_atom, "idle")
  CAF_ADD_ATOM(ptp, ptp::actors, band_atom, "band")
  CAF_ADD_ATOM(ptp, ptp::actors, poll_atom, "poll")
  CAF_ADD_ATOM(ptp, ptp::actors, recover_atom, "recover")
  CAF_ADD_ATOM(ptp, ptp::actors, gathered_atom, "gathered")
  CAF_ADD_ATOM(ptp, ptp::actors, budget_atom, "budget")
  CAF_ADD_ATOM(ptp, ptp::actors, history_atom, "history")
  CAF_ADD_ATOM(ptp, ptp::actors, mode_atom, "mode")
CAF_END_TYPE_ID_BLOCK(ptp)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::actors::ExecuteRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::actors::ExecuteReply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::actors::PositionStatus)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::actors::OrderRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::actors::OrderReply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::actors::ExchangeSnapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::actors::SlotSnapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::actors::BeginReply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<ptp::actors::SymbolFilters>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<ptp::core::Symbol>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<ptp::core::PositionKey>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<ptp::storage::StoredPosition>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::actors::LastPrice)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::actors::ReconcileReport)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::actors::SweepReport)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::actors::MetricsSnapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::actors::HistoryQuery)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::actors::HistoryPage)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::core::ModeChange)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::core::LatencyHistogram)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::core::PriceTick)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::core::PositionKey)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::core::Symbol)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::core::Price)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::core::Qty)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::core::Caller)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::core::OutcomeKind)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::core::InstrumentFilters)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::storage::PositionRecord)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ptp::storage::StageRecord)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<ptp::storage::PositionRecord>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<ptp::storage::StageRecord>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<ptp::actors::PositionStatus>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<ptp::storage::PositionRecord>)
