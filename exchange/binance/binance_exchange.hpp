// The Exchange interface on Binance USDT-M futures (REST). Market reduce-only closes go to
// /fapi/v1/order; stops (STOP_MARKET) and the extreme take-profit (TAKE_PROFIT_MARKET) are algo
// orders on /fapi/v1/algoOrder (Binance rejects conditional types on /fapi/v1/order since
// 2025-12, -4120), triggered by the mark price. One-way and hedge mode both work: the account's
// mode is read once. Client ids go out as newClientOrderId / clientAlgoId, so a retried request
// can never make a second order. A placement whose 2xx answer cannot be read is an unknown outcome
// (Kind::timeout, exchange/placement_answer.hpp): the order is looked up, never placed again.
#pragma once

#include <map>
#include <memory>
#include <optional>

#include "exchange/binance/rest_client.hpp"
#include "exchange/binance/responses.hpp"
#include "exchange/exchange.hpp"

namespace ptp::exchange::binance {

class BinanceExchange final : public Exchange {
 public:
  explicit BinanceExchange(std::unique_ptr<RestClient> rest);

  std::vector<ExchangePosition> open_positions() override;
  // Binance USDT-M: 300 orders per 10 s and 1 200 per minute per account (exchangeInfo's ORDERS
  // rate limits; X-MBX-ORDER-COUNT-10S / -1M count them).
  std::vector<core::RateWindow> order_limits() const override {
    using std::chrono::seconds;
    return {{300, seconds(10)}, {1200, seconds(60)}};
  }
  std::vector<core::OrderState> open_orders() override;
  core::InstrumentFilters filters(const core::Symbol& symbol) override;
  core::Price mark_price(const core::Symbol& symbol) override;
  core::OrderState close_market(const core::Symbol& symbol, core::Side position_side, core::Qty qty,
                                const std::string& client_id) override;
  core::OrderState place_conditional(core::OrderKind kind, const core::Symbol& symbol, core::Side position_side,
                                     core::Price trigger, core::Qty qty, const std::string& client_id) override;
  // Only stops and take-profits are ever cancelled: they are algo orders.
  void cancel(const core::Symbol& symbol, const core::OrderRef& order) override;
  std::optional<core::OrderState> query(const core::OrderLookup& lookup) override;

  RestClient& rest() { return *rest_; }

 private:
  bool hedge_mode();
  // positionSide (hedge) or reduceOnly (one-way), and the order side that reduces the position.
  void add_reduce_params(Params& p, core::Side position_side);
  std::optional<core::OrderState> query_order(const core::Symbol& symbol, const std::string& client_id);
  std::optional<core::OrderState> query_algo(const core::Symbol& symbol, const std::string& client_id);

  std::unique_ptr<RestClient> rest_;
  std::optional<bool> hedge_;
  std::map<std::string, SymbolFilters> filters_;  // by Binance symbol, from exchangeInfo
};

}  // namespace ptp::exchange::binance
