// The JSON Gate.io's USDT futures API v4 answers with, built from views the face fills in: contracts,
// tickers, positions, the account, orders (FuturesOrder) and price-triggered orders
// (FuturesPriceTriggeredOrder), the error envelope, and the websocket frames. Field names and types
// follow the agreed wire protocol and Gate's documented examples (../shared/exchange-apis.md §2):
// REST prices and amounts are decimal strings, sizes whole signed contracts; futures.orders frames
// carry prices as JSON numbers. Decimals are exact, without padding.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/decimal.hpp"
#include "core/symbol.hpp"

namespace ptp::exchange::loopback::gateio_shapes {

// REST writes prices as strings ("2000.5"); the futures.orders channel as numbers (2000.5).
enum class PriceStyle : unsigned char { string, number };

// A JSON string literal, quotes included.
std::string quoted(const std::string& text);
// Unix milliseconds as Gate's fractional seconds: 1700000000123 -> 1700000000.123.
std::string seconds(std::int64_t unix_ms);

// One contract: its quanto_multiplier (base quantity of a contract) and size limits in contracts.
struct ContractView {
  core::Symbol symbol{"BTC", "USDT"};
  core::Qty multiplier;
  core::Price tick;
  std::int64_t size_min = 1;
  std::int64_t size_max = 1'000'000;
  core::Price mark;
};
std::string contract(const ContractView& c);
std::string ticker(const core::Symbol& symbol, core::Price mark);

// One position row: size in signed contracts (a short's, or a dual_short row's, is negative).
struct PositionView {
  core::Symbol symbol{"BTC", "USDT"};
  std::string mode;  // single, dual_long, dual_short
  std::int64_t size = 0;
  core::Qty base;  // the same size in base units, signed (for value and profit)
  core::Price entry;
  core::Price mark;
  core::Notional realized;
  core::Notional unrealized() const;  // (mark - entry) x base
  core::Notional value() const;       // |base| x mark
  core::Notional margin() const;      // value / leverage
};
inline constexpr int kLeverage = 10;  // the account's leverage on every contract
std::string position(const PositionView& p, const std::string& user, std::int64_t now_ms);
std::string ws_position(const PositionView& p, const std::string& user, std::int64_t now_ms);

// The futures account: a fixed deposit plus every profit booked (Gate's `total` leaves out the
// unrealised profit).
struct AccountView {
  core::Notional total;
  core::Notional unrealized;
  core::Notional position_margin;
  bool dual_mode = false;
};
std::string account(const AccountView& a, const std::string& user);

// A FuturesOrder: a market order as Gate reports it. `finish_as` empty while open.
struct OrderView {
  std::string id;
  core::Symbol symbol{"BTC", "USDT"};
  std::int64_t create_ms = 0;
  std::int64_t finish_ms = 0;  // 0 while open
  std::string status;          // open, finished
  std::string finish_as;       // filled, cancelled, ioc, reduce_only, ...
  std::int64_t size = 0;       // signed contracts, as sent
  std::int64_t left = 0;       // signed like size: what did not trade
  core::Price fill_price;      // the average fill price, 0 when nothing traded
  std::string tif = "ioc";
  bool reduce_only = false;
  bool close = false;
  std::string text;
};
std::string order(const OrderView& o, const std::string& user, PriceStyle style);

// A FuturesPriceTriggeredOrder: a stop or take-profit that sends a market close when the mark
// crosses its trigger.
struct PriceOrderView {
  std::string id;
  core::Symbol symbol{"BTC", "USDT"};
  std::int64_t create_ms = 0;
  std::int64_t finish_ms = 0;  // 0 while open
  std::string status;          // open, finished
  std::string finish_as;       // succeeded, cancelled, failed, expired; empty while open
  std::string order_type;      // plan-close-long-position, plan-close-short-position
  std::int64_t size = 0;       // initial.size: signed contracts, 0 = the whole position
  std::string text;            // initial.text
  int strategy_type = 0;
  int price_type = 1;
  core::Price trigger;
  int rule = 1;
  std::int64_t expiration = 0;
};
std::string price_order(const PriceOrderView& o, const std::string& user);

// Gate's error envelope: {"label":"ORDER_NOT_FOUND","message":"Order not found"}.
std::string error(const std::string& label, const std::string& message);

// Websocket frames. `id` echoes the request's id when it had one.
std::string ws_ack(const std::string& channel, const std::string& event, std::int64_t now_ms,
                   std::optional<std::int64_t> id);
std::string ws_error(const std::string& channel, const std::string& event, int code, const std::string& message,
                     std::int64_t now_ms, std::optional<std::int64_t> id);
std::string ws_pong(std::int64_t now_ms, std::optional<std::int64_t> id);
// An update on `channel` whose result is `result_array` (JSON text of an array).
std::string ws_update(const std::string& channel, const std::string& result_array, std::int64_t now_ms);

}  // namespace ptp::exchange::loopback::gateio_shapes
