// Gate.io futures (settle usdt) REST answers -> the core's types (simdjson). A body that does not
// have the documented shape throws ExchangeError(unavailable) naming the endpoint and the field:
// never a half-read value.
//
// Sizes on the wire are whole signed contracts; the core counts base units, so reading an order or
// a position needs the contract's multiplier (quanto_multiplier): base = |contracts| x multiplier.
// Whole numbers (sizes, ids, trigger rules, order size limits, user ids) are read as JSON integers
// or as strings of one ("size":"-50", "rule":"1": some Gate answers quote them).
// Decimals are read as JSON strings ("2000.5") or JSON numbers (2000.5, 2.5e-3), exactly to 1e-8:
// sizes, multipliers, ticks and trigger prices must fit 1e-8 or the answer is malformed. Averaged
// prices (an order's fill_price, a position's entry_price) may carry more digits than any tick
// ("40000.36666661111" in Gate's own position example): they are rounded half-up to 1e-8.
// (Websocket frames never come here: tickers go through exchange/frame_reader.hpp, the private
// channels through account_events.hpp.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/filters.hpp"
#include "core/order.hpp"
#include "exchange/exchange.hpp"

namespace ptp::exchange::gateio {

struct ApiErrorBody {
  std::string label;    // "ORDER_NOT_FOUND"
  std::string message;  // "Order not found"
};
// {"label":..,"message":..}; nullopt when the body is not such an object.
std::optional<ApiErrorBody> parse_error(std::string_view body);

std::int64_t parse_server_time(std::string_view body);  // GET /spot/time: unix milliseconds

struct Account {
  std::string user_id;  // "10001": private websocket channels subscribe with it
  bool in_dual_mode = false;
};
Account parse_account(std::string_view body);  // GET /futures/usdt/accounts

struct ContractFilters {
  std::string name;                 // "ETH_USDT"
  core::InstrumentFilters filters;  // in contracts of quanto_multiplier; max_qty = order_size_max contracts
};
// GET /futures/usdt/contracts (an array) or /futures/usdt/contracts/{contract} (one object).
std::vector<ContractFilters> parse_contracts(std::string_view body);

// A contract's filters by Gate's name ("ETH_USDT"); may throw (an unknown contract).
using FiltersLookup = std::function<core::InstrumentFilters(const std::string& contract)>;

// GET /futures/usdt/positions: rows with size 0 are skipped; the side is the sign of size (single
// mode) or the row's mode (dual_long, dual_short).
std::vector<ExchangePosition> parse_positions(std::string_view body, const FiltersLookup& filters);

// FuturesOrder (POST/GET/DELETE /futures/usdt/orders[/{id}]): a market close; ref.client_id is the
// node id its text carries (client_id_of), position_side the position it reduces (a sell, negative
// size, reduces a long). open -> open (partially_filled once something filled), finished with
// finish_as filled -> filled, any other finish_as -> canceled (filled_qty tells a partial).
core::OrderState parse_order(std::string_view body, const FiltersLookup& filters);
std::vector<core::OrderState> parse_orders(std::string_view body, const FiltersLookup& filters);

// FuturesPriceTriggeredOrder (/futures/usdt/price_orders[/{id}]): kind stop or take_profit from the
// side and trigger rule (a long's stop fires at mark <= trigger, rule 2; its take-profit at mark >=
// trigger, rule 1; a short's the other way round); qty zero when initial.size is 0 (the whole
// position). open -> open, finished with finish_as succeeded -> filled (it fired), else canceled.
// ref.client_id is empty: Gate keeps no client id on these.
core::OrderState parse_price_order(std::string_view body, const FiltersLookup& filters);

// The lists below hold only the price orders that close (reduce) a position: order_type
// close-long-*, close-short-* or plan-close-*, or a reduce-only initial order (reduce_only or
// is_reduce_only true). Any other price order opens or adds to a position: it is nobody's stop or
// take-profit, so they leave it out.

// A list of price orders (GET /futures/usdt/price_orders): the closing ones, every one read or the
// whole answer throws.
std::vector<core::OrderState> parse_price_orders(std::string_view body, const FiltersLookup& filters);

// A row of a list that could not be read: Gate's id ("?" when even that is unreadable), its
// contract (empty when unreadable) and why.
struct UnreadableRow {
  std::string id;
  std::string contract;
  std::string reason;
};

// One page of a price order list, read row by row: a closing row that cannot be read (its own
// fields, or its contract's filters: Gate does not know the contract, or describes it in a shape
// that cannot be traded) goes to `unreadable` instead of failing the page. The filters lookup
// failing for any other reason (Gate unreachable, rate limited) still throws: that says nothing
// about the row. Opening rows are left out (counted in `rows` only).
struct PriceOrderPage {
  std::vector<core::OrderState> orders;
  std::vector<UnreadableRow> unreadable;
  std::size_t rows = 0;  // every row of the page: a full page means older rows may follow
};
PriceOrderPage parse_price_order_page(std::string_view body, const FiltersLookup& filters);

std::string parse_created_id(std::string_view body);  // POST /futures/usdt/price_orders: {"id":5678}

// GET /futures/usdt/tickers?contract=: the mark price of `contract`'s row.
core::Price parse_mark_price(std::string_view body, std::string_view contract);

}  // namespace ptp::exchange::gateio
