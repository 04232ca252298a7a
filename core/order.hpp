// Orders as the node sees them on any exchange.
#pragma once

#include <string>
#include <string_view>

#include "core/decimal.hpp"
#include "core/side.hpp"
#include "core/symbol.hpp"

namespace ptp::core {

// How an exchange knows an order: our deterministic client id and/or its own id.
struct OrderRef {
  std::string client_id;
  std::string exchange_id;
  bool empty() const { return client_id.empty() && exchange_id.empty(); }
  std::string str() const { return client_id.empty() ? exchange_id : client_id; }
  bool operator==(const OrderRef&) const = default;
};

// market_open: a market order that opens or adds to the position on its side; the node never
// sends one (the simulator takes them from traders and clients).
enum class OrderKind : unsigned char { market_close, stop, take_profit, market_open };
std::string_view to_string(OrderKind k);

enum class OrderStatus : unsigned char { open, filled, partially_filled, canceled, rejected, triggered };
std::string_view to_string(OrderStatus s);

// An order the node asks the exchange about again: its client id, and what it was sent as. An
// exchange finds most orders by the client id alone; one that keeps no client id on some orders
// (Gate.io's price-triggered stops and take-profits) recognises the order by what it was.
struct OrderLookup {
  Symbol symbol{"BTC", "USDT"};
  std::string client_id;
  OrderKind kind = OrderKind::market_close;
  Side position_side = Side::long_;
  Qty qty;
  Price trigger;  // stops and take-profits
};

struct OrderState {
  OrderRef ref;
  OrderKind kind = OrderKind::market_close;
  Symbol symbol{"BTC", "USDT"};
  Side position_side = Side::long_;  // the position this order reduces (market_open: opens)
  Qty qty;
  Qty filled_qty;
  Price avg_fill_price;
  Price trigger_price;                // stops and take-profits
  OrderStatus status = OrderStatus::open;
};

}  // namespace ptp::core
