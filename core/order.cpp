#include "core/order.hpp"

namespace ptp::core {

std::string_view to_string(OrderKind k) {
  switch (k) {
    case OrderKind::market_close: return "market_close";
    case OrderKind::stop: return "stop";
    case OrderKind::take_profit: return "take_profit";
    case OrderKind::market_open: return "market_open";
  }
  return "?";
}

std::string_view to_string(OrderStatus s) {
  switch (s) {
    case OrderStatus::open: return "open";
    case OrderStatus::filled: return "filled";
    case OrderStatus::partially_filled: return "partially_filled";
    case OrderStatus::canceled: return "canceled";
    case OrderStatus::rejected: return "rejected";
    case OrderStatus::triggered: return "triggered";
  }
  return "?";
}

}  // namespace ptp::core
