// Gate.io's private futures channels (futures.orders, futures.autoorders, futures.positions) read
// into events, and the policy saying which of them the node did not cause. Kept apart from the
// websocket (streams.hpp) so the fuzz build, which has no sockets, drives the parser too.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ptp::exchange::gateio {

struct AccountEvent {
  enum class Kind : unsigned char { order, autoorder, position, other };
  Kind kind = Kind::other;
  std::string contract;   // "ETH_USDT" (an autoorder's initial.contract)
  std::string text;       // the order's `text` as Gate sends it: "t-p..." for the node's, "web", "liquidation", ...
  std::string status;     // "open" | "finished" (orders and autoorders)
  std::string finish_as;  // "filled", "cancelled", "ioc", ... (orders); "succeeded", "cancelled", ... (autoorders)
  std::int64_t id = 0;    // Gate's order or price-triggered order id
  std::int64_t size = 0;  // signed contracts: an order's, an autoorder's initial.size, a position's
  std::int64_t left = 0;  // contracts an order has not filled (same sign as size)
};

// One update frame of a private channel: one event per element of its `result` array. Empty for
// anything that is not such an update (acks, pongs, errors, other channels, not JSON); an element
// that is not an object is a Kind::other event; a missing or mistyped field keeps its default.
// Never throws.
std::vector<AccountEvent> parse_account_events(std::string_view frame);

// True when the event is the exchange acting on its own or the user acting by hand, so the node
// reconciles at once: a price-triggered order that fired (a stop or take-profit, the node's or the
// user's), or a fill of an order whose text is not the node's (a manual trade, "liquidation",
// "auto_deleveraging"). The node's own closes are not; position updates are not either (the
// node's own closes make them too).
bool is_external_change(const AccountEvent& e);

}  // namespace ptp::exchange::gateio
