#include "exchange/binance/binance_exchange.hpp"

#include <spdlog/spdlog.h>

#include "core/client_order_id.hpp"
#include "exchange/binance/symbols.hpp"
#include "exchange/placement_answer.hpp"

namespace ptp::exchange::binance {
namespace {

// Our own market closes are plain orders; stops and take-profits live in the algo service.
bool is_our_market_close(const std::string& client_id) {
  const auto id = core::parse_client_order_id(client_id);
  return id && id->step == core::OrderStep::close;
}

}  // namespace

BinanceExchange::BinanceExchange(std::unique_ptr<RestClient> rest) : rest_(std::move(rest)) {}

bool BinanceExchange::hedge_mode() {
  if (!hedge_) {
    hedge_ = parse_dual_side(rest_->signed_call("GET", "/fapi/v1/positionSide/dual", {}));
    spdlog::info("[binance] account position mode: {}", *hedge_ ? "hedge (LONG/SHORT)" : "one-way (BOTH)");
  }
  return *hedge_;
}

void BinanceExchange::add_reduce_params(Params& p, core::Side position_side) {
  p.emplace_back("side", position_side == core::Side::long_ ? "SELL" : "BUY");
  if (hedge_mode()) {
    // Hedge mode refuses reduceOnly; closing a LONG with SELL on positionSide LONG only reduces.
    p.emplace_back("positionSide", position_side == core::Side::long_ ? "LONG" : "SHORT");
  } else {
    p.emplace_back("reduceOnly", "true");
  }
}

std::vector<ExchangePosition> BinanceExchange::open_positions() {
  return parse_position_risk(rest_->signed_call("GET", "/fapi/v2/positionRisk", {}));
}

std::vector<core::OrderState> BinanceExchange::open_orders() {
  return parse_algo_orders(rest_->signed_call("GET", "/fapi/v1/openAlgoOrders", {}));
}

core::InstrumentFilters BinanceExchange::filters(const core::Symbol& symbol) {
  const std::string name = symbol_name(symbol);
  auto it = filters_.find(name);
  if (it == filters_.end()) {
    for (auto& f : parse_exchange_info(rest_->get("/fapi/v1/exchangeInfo"))) filters_[f.symbol] = std::move(f);
    it = filters_.find(name);
    if (it == filters_.end())
      throw ExchangeError(ExchangeError::Kind::rejected, "-1121", name + " is not listed in Binance's exchangeInfo");
  }
  return it->second.filters;
}

core::Price BinanceExchange::mark_price(const core::Symbol& symbol) {
  return parse_mark_price(rest_->get("/fapi/v1/premiumIndex", {{"symbol", symbol_name(symbol)}}));
}

core::OrderState BinanceExchange::close_market(const core::Symbol& symbol, core::Side position_side, core::Qty qty,
                                               const std::string& client_id) {
  Params p{{"symbol", symbol_name(symbol)}};
  add_reduce_params(p, position_side);
  p.emplace_back("type", "MARKET");
  p.emplace_back("quantity", qty.str());
  p.emplace_back("newClientOrderId", client_id);
  p.emplace_back("newOrderRespType", "RESULT");  // a MARKET order answers with its fill
  const std::string answer = rest_->signed_call("POST", "/fapi/v1/order", std::move(p));
  return read_placement_answer("Binance", "POST /fapi/v1/order", client_id, [&] { return parse_order(answer); });
}

core::OrderState BinanceExchange::place_conditional(core::OrderKind kind, const core::Symbol& symbol,
                                                    core::Side position_side, core::Price trigger, core::Qty qty,
                                                    const std::string& client_id) {
  Params p{{"algoType", "CONDITIONAL"}, {"symbol", symbol_name(symbol)}};
  add_reduce_params(p, position_side);
  p.emplace_back("type", kind == core::OrderKind::take_profit ? "TAKE_PROFIT_MARKET" : "STOP_MARKET");
  p.emplace_back("quantity", qty.str());
  p.emplace_back("triggerPrice", trigger.str());
  p.emplace_back("workingType", "MARK_PRICE");  // the node's R multiples are on the mark price
  p.emplace_back("clientAlgoId", client_id);
  const std::string answer = rest_->signed_call("POST", "/fapi/v1/algoOrder", std::move(p));
  return read_placement_answer("Binance", "POST /fapi/v1/algoOrder", client_id,
                               [&] { return parse_algo_order(answer); });
}

void BinanceExchange::cancel(const core::Symbol& symbol, const core::OrderRef& order) {
  Params p{{"symbol", symbol_name(symbol)}};
  if (!order.exchange_id.empty())
    p.emplace_back("algoId", order.exchange_id);
  else
    p.emplace_back("clientAlgoId", order.client_id);
  rest_->signed_call("DELETE", "/fapi/v1/algoOrder", std::move(p));
}

std::optional<core::OrderState> BinanceExchange::query_order(const core::Symbol& symbol,
                                                             const std::string& client_id) {
  try {
    return parse_order(rest_->signed_call("GET", "/fapi/v1/order",
                                          {{"symbol", symbol_name(symbol)}, {"origClientOrderId", client_id}}));
  } catch (const ExchangeError& e) {
    if (e.kind() == ExchangeError::Kind::not_found) return std::nullopt;
    throw;
  }
}

std::optional<core::OrderState> BinanceExchange::query_algo(const core::Symbol& symbol,
                                                            const std::string& client_id) {
  try {
    return parse_algo_order(rest_->signed_call("GET", "/fapi/v1/algoOrder",
                                               {{"symbol", symbol_name(symbol)}, {"clientAlgoId", client_id}}));
  } catch (const ExchangeError& e) {
    if (e.kind() == ExchangeError::Kind::not_found) return std::nullopt;
    throw;
  }
}

std::optional<core::OrderState> BinanceExchange::query(const core::OrderLookup& lookup) {
  const auto& [symbol, client_id] = std::tie(lookup.symbol, lookup.client_id);
  if (is_our_market_close(client_id)) return query_order(symbol, client_id);
  if (auto algo = query_algo(symbol, client_id)) return algo;
  return core::is_node_order(client_id) ? std::nullopt : query_order(symbol, client_id);
}

}  // namespace ptp::exchange::binance
