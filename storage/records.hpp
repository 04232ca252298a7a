// What the node keeps durably: adopted positions and the stage history that is the dedupe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/arbiter.hpp"
#include "core/order.hpp"
#include "core/position.hpp"

namespace ptp::storage {

struct PositionRecord {
  core::Position position;         // entry, initial stop (kept for life), sizes, current stop
  core::OrderRef stop_order;       // the protective stop on the exchange
  core::OrderRef tp_order;         // the extreme take-profit on the exchange
  std::uint32_t order_seq = 0;     // numbers repeated orders of one step (trailing moves)
  bool open = true;
  core::Clock::time_point adopted_at;
  core::Clock::time_point closed_at;
};

enum class StageState : unsigned char { pending, done, failed };

// One stage execution: written as `pending` (the intent) before any order goes out, then `done`
// (success or skipped) or `failed` (retryable) once the exchange has answered.
struct StageRecord {
  core::PositionKey key;
  core::StageId stage;
  core::Caller caller = core::Caller::market;
  core::Clock::time_point at;
  core::Price mark;
  core::Qty planned_qty;
  core::Qty closed_qty;
  core::Price fill_price;
  std::optional<core::Price> new_stop;
  std::string close_client_id;
  std::string stop_client_id;
  std::string tp_client_id;
  StageState state = StageState::pending;
  core::Outcome outcome;
  // 0 for the first execution of the stage; one more each time it is run again after it failed.
  // Part of the order ids, so no id is ever sent for two attempts.
  std::uint32_t attempt = 0;
};

std::string_view to_string(StageState s);

}  // namespace ptp::storage
