// Deterministic client order ids: the same (position, stage, step) can only ever be one order, so a
// retried or recovered request never creates a second one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/position.hpp"
#include "core/stage_plan.hpp"

namespace ptp::core {

enum class OrderStep : unsigned char { close, stop, take_profit };

// "ptp-<16 hex of the key's hash>-<stage>[r<attempt>]-<step>[-<seq>]", at most 36 characters of
// [A-Za-z0-9-] (Binance's newClientOrderId pattern; Gate.io's "t-" text accepts it after the prefix).
// `seq` tells apart repeated orders of one step (trailing stop moves, the pieces of a close split by
// the venue's max_qty); stage 0 is adoption.
std::string client_order_id(const PositionKey& key, StageId stage, OrderStep step, std::uint32_t seq = 0);

// A repeated order of a step outside any stage execution (a reconcile's repair): stage 0, its
// number `seq` saved before it is sent.
inline std::string repair_order_id(const PositionKey& key, OrderStep step, std::uint32_t seq) {
  return client_order_id(key, StageId{0}, step, seq);
}

// The orders of one execution of a stage. A stage run again after it failed is a new attempt with
// ids of its own: an exchange lets a finished order's id be sent again (Binance: "unique among open
// orders") and would make a second order of it, and a lookup by that id could then find either.
// `piece` numbers the market orders of a close the venue's max_qty splits (0: the first, which has
// no suffix; a close sent whole is only piece 0).
std::string stage_order_id(const PositionKey& key, StageId stage, std::uint32_t attempt, OrderStep step,
                           std::uint32_t piece = 0);

// What an id the node made says: whose it is (a hash of the position key), for which stage,
// attempt and step, and which repeat.
struct ClientOrderId {
  std::uint64_t position_hash = 0;
  StageId stage;
  std::uint32_t attempt = 0;
  OrderStep step = OrderStep::close;
  std::uint32_t seq = 0;
  bool operator==(const ClientOrderId&) const = default;
};

// The one reader of the format above: nullopt for any id the node did not make (the user's, a
// liquidation's, another program's).
std::optional<ClientOrderId> parse_client_order_id(std::string_view id);
bool is_node_order(std::string_view id);

// `id` is one of the ids client_order_id() gives this position (any stage, step or seq): an order
// the node placed for it, which reconciliation may cancel when it is no longer the current one.
bool placed_for(const PositionKey& key, std::string_view id);

}  // namespace ptp::core
