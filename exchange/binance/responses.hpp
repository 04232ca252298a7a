// Binance REST answers -> the core's types (simdjson). A body that does not have the documented
// shape throws ExchangeError(unavailable) naming the endpoint and the missing field: never a
// half-read value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/filters.hpp"
#include "core/order.hpp"
#include "exchange/exchange.hpp"

namespace ptp::exchange::binance {

struct ApiErrorBody {
  int code = 0;
  std::string msg;
};
// {"code":-2022,"msg":"..."}; nullopt when the body is not an error object.
std::optional<ApiErrorBody> parse_error(std::string_view body);

std::int64_t parse_server_time(std::string_view body);            // GET /fapi/v1/time
bool parse_dual_side(std::string_view body);                      // GET /fapi/v1/positionSide/dual

struct SymbolFilters {
  std::string symbol;      // "ETHUSDT"
  core::InstrumentFilters filters;  // max_qty: MARKET_LOT_SIZE.maxQty (zero when absent)
};
std::vector<SymbolFilters> parse_exchange_info(std::string_view body);  // GET /fapi/v1/exchangeInfo

std::vector<ExchangePosition> parse_position_risk(std::string_view body);  // GET /fapi/v2/positionRisk
core::Price parse_mark_price(std::string_view body);                      // GET /fapi/v1/premiumIndex?symbol=

core::OrderState parse_order(std::string_view body);                      // /fapi/v1/order answers
core::OrderState parse_algo_order(std::string_view body);                 // /fapi/v1/algoOrder answers
std::vector<core::OrderState> parse_algo_orders(std::string_view body);   // GET /fapi/v1/openAlgoOrders
std::string parse_listen_key(std::string_view body);                      // POST /fapi/v1/listenKey

// The position an order reduces: positionSide LONG/SHORT in hedge mode, else from the order side
// (a SELL reduces a long).
core::Side reduced_side(std::string_view position_side, std::string_view order_side);

}  // namespace ptp::exchange::binance
