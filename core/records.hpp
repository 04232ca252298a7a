// What the node knows of a position and its stages, as the state machines use it and storage keeps
// it: the adopted position with its orders, and one record per stage execution (the dedupe).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/arbiter.hpp"
#include "core/order.hpp"
#include "core/position.hpp"

namespace ptp::core {

struct PositionRecord {
  Position position;         // entry, initial stop (kept for life), sizes, current stop
  OrderRef stop_order;       // the protective stop on the exchange
  OrderRef tp_order;         // the extreme take-profit on the exchange
  std::uint32_t order_seq = 0;  // numbers repeated orders of one step (trailing moves, repairs)
  bool open = true;
  Clock::time_point adopted_at;
  Clock::time_point closed_at;

  // The position is flat: closed by the last stage, or gone from the exchange.
  void mark_closed(Clock::time_point at) {
    open = false;
    closed_at = at;
  }

  // A stop order the exchange accepted now protects the position.
  void stop_placed(Price stop, OrderRef order) {
    position.stop_moved(stop);
    stop_order = std::move(order);
  }
};

enum class StageState : unsigned char { pending, done, failed };
std::string_view to_string(StageState s);

// One stage execution: written as `pending` (the intent) before any order goes out, then `done`
// (success or skipped) or `failed` (retryable) once the exchange has answered.
struct StageRecord {
  PositionKey key;
  StageId stage;
  Caller caller = Caller::market;
  Clock::time_point at;
  Price mark;
  Qty planned_qty;
  Qty closed_qty;
  Price fill_price;
  std::optional<Price> new_stop;
  std::string close_client_id;
  std::string stop_client_id;
  std::string tp_client_id;
  StageState state = StageState::pending;
  Outcome outcome;
  // 0 for the first execution of the stage; one more each time it is run again after it failed.
  // Part of the order ids, so no id is ever sent for two attempts.
  std::uint32_t attempt = 0;
};

}  // namespace ptp::core
