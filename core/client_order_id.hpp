// Deterministic client order ids: the same (position, stage, step) can only ever be one order, so a
// retried or recovered request never creates a second one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/position.hpp"
#include "core/stage_plan.hpp"

namespace ptp::core {

enum class OrderStep : unsigned char { close, stop, take_profit };

// "ptp-<16 hex of the key's hash>-<stage>-<step>[-<seq>]", at most 36 characters of
// [A-Za-z0-9-] (Binance's newClientOrderId pattern; Gate.io's "t-" text accepts it after the prefix).
// `seq` tells apart repeated orders of one step (trailing stop moves); stage 0 is adoption.
std::string client_order_id(const PositionKey& key, StageId stage, OrderStep step, std::uint32_t seq = 0);

// `id` is one of the ids client_order_id() gives this position (any stage, step or seq): an order
// the node placed for it, which reconciliation may cancel when it is no longer the current one.
bool placed_for(const PositionKey& key, std::string_view id);

}  // namespace ptp::core
