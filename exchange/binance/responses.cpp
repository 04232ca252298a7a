#include "exchange/binance/responses.hpp"

#include <simdjson.h>

#include "core/symbol.hpp"
#include "exchange/json_fields.hpp"

namespace ptp::exchange::binance {
namespace dom = simdjson::dom;
namespace {

struct BinanceVenue {
  static constexpr std::string_view name = "Binance";
};
using Json = JsonFields<BinanceVenue>;

// Decimals come as JSON strings ("11794.15000000"); a signed one only where Binance signs it.
template <class T>
T signed_decimal(dom::element e, std::string_view key, std::string_view what) {
  const std::string_view t = Json::text(e, key, what);
  if (t.empty()) return T{};
  auto units = core::parse_decimal_units(t.front() == '-' ? t.substr(1) : t);
  if (!units) Json::malformed(what, "field \"" + std::string(key) + "\" is not a decimal: \"" + std::string(t) + "\"");
  return T::from_units(t.front() == '-' ? -*units : *units);
}

// Every decimal Binance does not sign (quantities, prices, filters): a negative one is malformed.
template <class T>
T decimal(dom::element e, std::string_view key, std::string_view what) {
  const T v = signed_decimal<T>(e, key, what);
  if (v.is_negative())
    Json::malformed(what, "field \"" + std::string(key) + "\" is negative: \"" + v.str() + "\"");
  return v;
}

core::Symbol symbol_of(dom::element e, std::string_view what) {
  try {
    return core::Symbol::parse(Json::text(e, "symbol", what));
  } catch (const std::invalid_argument& ex) {
    Json::malformed(what, ex.what());
  }
}

core::OrderStatus order_status(std::string_view s) {
  using S = core::OrderStatus;
  if (s == "NEW") return S::open;
  if (s == "PARTIALLY_FILLED") return S::partially_filled;
  if (s == "FILLED") return S::filled;
  if (s == "REJECTED") return S::rejected;
  return S::canceled;  // CANCELED, EXPIRED, EXPIRED_IN_MATCH
}

core::OrderStatus algo_status(std::string_view s) {
  using S = core::OrderStatus;
  if (s == "NEW") return S::open;
  if (s == "TRIGGERING" || s == "TRIGGERED") return S::triggered;
  if (s == "FINISHED") return S::filled;
  if (s == "REJECTED") return S::rejected;
  return S::canceled;  // CANCELED, EXPIRED
}

core::OrderKind conditional_kind(std::string_view type) {
  return type.rfind("TAKE_PROFIT", 0) == 0 ? core::OrderKind::take_profit : core::OrderKind::stop;
}

core::OrderState algo_from(dom::element o) {
  constexpr std::string_view what = "algo order";
  core::OrderState s;
  s.ref.client_id = std::string(Json::text(o, "clientAlgoId", what));
  s.ref.exchange_id = std::to_string(Json::integer(o, "algoId", what));
  s.kind = conditional_kind(Json::text(o, "orderType", what));
  s.symbol = symbol_of(o, what);
  s.position_side = reduced_side(Json::text(o, "positionSide", what), Json::text(o, "side", what));
  s.qty = decimal<core::Qty>(o, "quantity", what);
  s.trigger_price = decimal<core::Price>(o, "triggerPrice", what);
  s.status = algo_status(Json::text(o, "algoStatus", what));
  return s;
}

}  // namespace

core::Side reduced_side(std::string_view position_side, std::string_view order_side) {
  if (position_side == "LONG") return core::Side::long_;
  if (position_side == "SHORT") return core::Side::short_;
  return order_side == "SELL" ? core::Side::long_ : core::Side::short_;
}

std::optional<ApiErrorBody> parse_error(std::string_view body) {
  dom::parser parser;
  dom::element root;
  if (parser.parse(body.data(), body.size()).get(root)) return std::nullopt;
  std::int64_t code = 0;
  std::string_view msg;
  if (root["code"].get(code) || root["msg"].get(msg)) return std::nullopt;
  return ApiErrorBody{static_cast<int>(code), std::string(msg)};
}

std::int64_t parse_server_time(std::string_view body) {
  dom::parser parser;
  return Json::integer(Json::parse(parser, body, "time"), "serverTime", "time");
}

bool parse_dual_side(std::string_view body) {
  dom::parser parser;
  bool dual = false;
  if (Json::parse(parser, body, "positionSide/dual")["dualSidePosition"].get(dual))
    Json::malformed("positionSide/dual", "no boolean field \"dualSidePosition\"");
  return dual;
}

std::vector<SymbolFilters> parse_exchange_info(std::string_view body) {
  constexpr std::string_view what = "exchangeInfo";
  dom::parser parser;
  dom::array symbols;
  if (Json::parse(parser, body, what)["symbols"].get(symbols)) Json::malformed(what, "no array \"symbols\"");
  std::vector<SymbolFilters> out;
  for (dom::element s : symbols) {
    core::Price tick;
    core::Qty step, min_qty, market_max;
    core::Notional min_notional;
    dom::array filters;
    if (s["filters"].get(filters)) Json::malformed(what, "a symbol has no \"filters\"");
    for (dom::element f : filters) {
      const std::string_view type = Json::text(f, "filterType", what);
      if (type == "PRICE_FILTER") {
        tick = decimal<core::Price>(f, "tickSize", what);
      } else if (type == "LOT_SIZE") {
        step = decimal<core::Qty>(f, "stepSize", what);
        min_qty = decimal<core::Qty>(f, "minQty", what);
      } else if (type == "MARKET_LOT_SIZE") {
        market_max = decimal<core::Qty>(f, "maxQty", what);
      } else if (type == "MIN_NOTIONAL") {
        min_notional = decimal<core::Notional>(f, "notional", what);
      }
    }
    const std::string symbol(Json::text(s, "symbol", what));
    // Rounding divides by these: a symbol without them cannot be traded safely (found by fuzzing).
    if (!tick.is_positive()) Json::malformed(what, symbol + ": no positive PRICE_FILTER tickSize");
    if (!step.is_positive()) Json::malformed(what, symbol + ": no positive LOT_SIZE stepSize");
    auto instrument = core::InstrumentFilters::in_base_units(tick, step, min_qty, min_notional);
    instrument.max_qty = market_max;
    out.push_back(SymbolFilters{symbol, instrument});
  }
  return out;
}

std::vector<ExchangePosition> parse_position_risk(std::string_view body) {
  constexpr std::string_view what = "positionRisk";
  dom::parser parser;
  std::vector<ExchangePosition> out;
  for (dom::element r : Json::rows(Json::parse(parser, body, what), what)) {
    const auto amount = signed_decimal<core::Qty>(r, "positionAmt", what);  // negative: a short
    if (amount.is_zero()) continue;
    const std::string_view ps = Json::text(r, "positionSide", what);
    const core::Side side = ps == "LONG"    ? core::Side::long_
                            : ps == "SHORT" ? core::Side::short_
                            : amount.is_negative() ? core::Side::short_ : core::Side::long_;
    out.push_back(ExchangePosition{symbol_of(r, what), side, decimal<core::Price>(r, "entryPrice", what), amount.abs()});
  }
  return out;
}

core::Price parse_mark_price(std::string_view body) {
  dom::parser parser;
  return decimal<core::Price>(Json::parse(parser, body, "premiumIndex"), "markPrice", "premiumIndex");
}

core::OrderState parse_order(std::string_view body) {
  constexpr std::string_view what = "order";
  dom::parser parser;
  const dom::element o = Json::parse(parser, body, what);
  core::OrderState s;
  s.ref.client_id = std::string(Json::text(o, "clientOrderId", what));
  s.ref.exchange_id = std::to_string(Json::integer(o, "orderId", what));
  const std::string_view type = Json::text(o, "type", what);
  s.kind = type == "MARKET" ? core::OrderKind::market_close : conditional_kind(type);
  s.symbol = symbol_of(o, what);
  s.position_side = reduced_side(Json::text(o, "positionSide", what), Json::text(o, "side", what));
  s.qty = decimal<core::Qty>(o, "origQty", what);
  s.filled_qty = decimal<core::Qty>(o, "executedQty", what);
  s.avg_fill_price = decimal<core::Price>(o, "avgPrice", what);
  s.status = order_status(Json::text(o, "status", what));
  return s;
}

core::OrderState parse_algo_order(std::string_view body) {
  dom::parser parser;
  return algo_from(Json::parse(parser, body, "algo order"));
}

std::vector<core::OrderState> parse_algo_orders(std::string_view body) {
  dom::parser parser;
  std::vector<core::OrderState> out;
  for (dom::element r : Json::rows(Json::parse(parser, body, "openAlgoOrders"), "openAlgoOrders"))
    out.push_back(algo_from(r));
  return out;
}

std::string parse_listen_key(std::string_view body) {
  dom::parser parser;
  return std::string(Json::text(Json::parse(parser, body, "listenKey"), "listenKey", "listenKey"));
}

}  // namespace ptp::exchange::binance
