// The JSON Binance USDⓈ-M answers with, built from the simulator's state: orders and algo orders,
// positions (v2 and v3), the account and balance, market data, and the user-data and market
// frames. Field sets and order follow Binance's documented examples and captured answers
// (../shared/exchange-apis.md); numbers are exact decimals without padding.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/sim_exchange.hpp"

namespace ptp::exchange::loopback::binance_shapes {

// How an order was sent, where the engine does not keep it.
struct OrderWire {
  std::string working_type = "CONTRACT_PRICE";  // Binance's default; the simulator has one price for both
  bool price_protect = false;
  bool close_position = false;
  std::string time_in_force = "GTC";
};

// Which of Binance's order shapes: POST /fapi/v1/order with RESULT (and DELETE: cumQty, no time),
// GET /fapi/v1/order and openOrders (time, no cumQty), or POST with ACK (the order as accepted).
enum class OrderView : unsigned char { result, query, ack };

// The account as the simulator keeps it: a wallet with a fixed deposit plus the profit booked.
struct Account {
  core::Notional wallet;
  core::Notional unrealized;
  core::Notional initial_margin;
  core::Notional maint_margin;
};

// One position row: `amount` is signed (a short's is negative), zero for a flat side.
struct PositionRow {
  core::Symbol symbol;
  std::string position_side;  // LONG, SHORT, or BOTH in one-way mode
  core::Qty amount;
  core::Price entry;
  core::Price mark;
  core::Notional notional() const;      // amount x mark, signed
  core::Notional unrealized() const;    // (mark - entry) x amount
  core::Notional initial_margin() const;
  core::Notional maint_margin() const;
};

inline constexpr int kLeverage = 10;  // the account's leverage on every symbol

std::string side_of(const core::OrderState& o);  // BUY or SELL
std::string order(const SimOrder& o, const OrderWire& w, const std::string& position_side, OrderView view);
std::string algo_order(const SimOrder& o, const OrderWire& w, const std::string& position_side);
std::string position_v2(const PositionRow& p, std::int64_t now_ms);
std::string position_v3(const PositionRow& p, std::int64_t now_ms);
std::string account_v2(const Account& a, const std::vector<PositionRow>& rows, std::int64_t now_ms);
std::string account_v3(const Account& a, const std::vector<PositionRow>& rows, std::int64_t now_ms);
std::string balance(const Account& a, std::int64_t now_ms);
std::string exchange_info(const std::vector<std::pair<core::Symbol, core::InstrumentFilters>>& symbols,
                          std::int64_t now_ms);
std::string premium_index(const core::Symbol& symbol, core::Price mark, std::int64_t now_ms);
std::string ticker_24h(const core::Symbol& symbol, const std::vector<core::Price>& path, const std::vector<SimOrder>& fills,
                       std::int64_t now_ms);
std::string leverage_bracket(const core::Symbol& symbol);

// Frames.
std::string mark_price_update(const core::Symbol& symbol, core::Price mark, std::int64_t now_ms);
std::string book_ticker(const core::Symbol& symbol, core::Price mark, std::int64_t now_ms);
// ORDER_TRADE_UPDATE for a plain order: execution type x (NEW, TRADE, CANCELED, EXPIRED) and
// status X; a TRADE carries the order's fill.
std::string order_trade_update(const SimOrder& o, const OrderWire& w, const std::string& position_side,
                               const std::string& execution, const std::string& status, std::int64_t now_ms);
// ALGO_UPDATE for a conditional order with its status X (NEW, TRIGGERED, FINISHED, CANCELED).
std::string algo_update(const SimOrder& o, const OrderWire& w, const std::string& position_side,
                        const std::string& status, std::int64_t now_ms);
std::string account_update(const Account& a, const std::vector<PositionRow>& changed, std::int64_t now_ms);

// Binance's error envelope.
std::string error(int code, const std::string& msg);
// Binance's status text of a plain order, and of an algo order.
std::string order_status(const core::OrderState& o);
std::string algo_status(core::OrderStatus s);

}  // namespace ptp::exchange::loopback::binance_shapes
