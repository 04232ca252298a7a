#include "sim/binance/shapes.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "exchange/binance/symbols.hpp"
#include "sim/json_array.hpp"

#include "core/int128.hpp"

namespace ptp::exchange::loopback::binance_shapes {
namespace {

using core::OrderKind;
using core::OrderStatus;

const char* b(bool v) { return v ? "true" : "false"; }

std::string type_of(const core::OrderState& o) {
  switch (o.kind) {
    case OrderKind::market_close:
    case OrderKind::market_open: return "MARKET";
    case OrderKind::stop: return "STOP_MARKET";
    case OrderKind::take_profit: return "TAKE_PROFIT_MARKET";
  }
  return "MARKET";
}

// Hedge mode closes by positionSide and refuses reduceOnly: its orders read reduceOnly false.
bool reduce_only(const core::OrderState& o, const std::string& position_side) {
  return o.kind != OrderKind::market_open && position_side == "BOTH";
}

// Decimals a step or tick has ("0.001" -> 3), for Binance's precision fields.
int decimals(const std::string& step) {
  const auto dot = step.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(step.size() - dot - 1);
}

core::Notional cost_of(const core::OrderState& o) { return core::notional(o.avg_fill_price, o.filled_qty); }

}  // namespace

core::Notional PositionRow::notional() const { return core::notional(mark, amount); }
core::Notional PositionRow::unrealized() const { return core::notional(mark - entry, amount); }
core::Notional PositionRow::initial_margin() const {
  return core::Notional::from_units(notional().abs().units() / kLeverage);
}
core::Notional PositionRow::maint_margin() const {  // the first bracket's ratio, 0.4 %
  return core::Notional::from_units(notional().abs().units() * 4 / 1000);
}

std::string side_of(const core::OrderState& o) {
  const bool long_side = o.position_side == core::Side::long_;
  return (o.kind == OrderKind::market_open) == long_side ? "BUY" : "SELL";
}

std::string order_status(const core::OrderState& o) {
  switch (o.status) {
    case OrderStatus::open: return "NEW";
    case OrderStatus::partially_filled: return "PARTIALLY_FILLED";
    case OrderStatus::filled:
    case OrderStatus::triggered: return "FILLED";
    case OrderStatus::rejected: return "REJECTED";
    case OrderStatus::canceled:
      // A market order that ends unfilled (the book ran out) expires; only a resting one is cancelled.
      return o.filled_qty.is_positive() ? "EXPIRED" : "CANCELED";
  }
  return "NEW";
}

std::string algo_status(OrderStatus s) {
  switch (s) {
    case OrderStatus::open: return "NEW";
    case OrderStatus::filled:
    case OrderStatus::partially_filled: return "FINISHED";
    case OrderStatus::triggered: return "TRIGGERED";
    case OrderStatus::canceled: return "CANCELED";
    case OrderStatus::rejected: return "REJECTED";
  }
  return "NEW";
}

std::string order(const SimOrder& o, const OrderWire& w, const std::string& position_side, OrderView view) {
  const bool ack = view == OrderView::ack;
  const std::string filled = ack ? "0" : o.filled_qty.str();
  std::string out = fmt::format(
      R"({{"orderId":{},"symbol":"{}","status":"{}","clientOrderId":"{}","price":"0","avgPrice":"{}","origQty":"{}","executedQty":"{}",)",
      o.ref.exchange_id, binance::symbol_name(o.symbol), ack ? "NEW" : order_status(o), o.ref.client_id,
      ack ? "0" : o.avg_fill_price.str(), o.qty.str(), filled);
  if (view != OrderView::query) out += fmt::format(R"("cumQty":"{}",)", filled);
  out += fmt::format(
      R"("cumQuote":"{}","timeInForce":"{}","type":"MARKET","reduceOnly":{},"closePosition":false,"side":"{}","positionSide":"{}","stopPrice":"0","workingType":"{}","priceProtect":{},"origType":"MARKET","priceMatch":"NONE","selfTradePreventionMode":"EXPIRE_MAKER","goodTillDate":0,)",
      ack ? "0" : cost_of(o).str(), w.time_in_force, b(reduce_only(o, position_side)), side_of(o), position_side, w.working_type,
      b(w.price_protect));
  if (view == OrderView::query) out += fmt::format(R"("time":{},)", o.created_ms);
  out += fmt::format(R"("updateTime":{}}})", ack ? o.created_ms : o.updated_ms);
  return out;
}

std::string algo_order(const SimOrder& o, const OrderWire& w, const std::string& position_side) {
  const bool done = o.status == OrderStatus::filled;
  return fmt::format(
      R"({{"algoId":{},"clientAlgoId":"{}","algoType":"CONDITIONAL","orderType":"{}","symbol":"{}","side":"{}","positionSide":"{}","timeInForce":"{}","quantity":"{}","algoStatus":"{}","actualOrderId":"","actualPrice":"{}","triggerPrice":"{}","price":"0","icebergQuantity":"null","tpOrderType":"","selfTradePreventionMode":"EXPIRE_MAKER","workingType":"{}","priceMatch":"NONE","closePosition":{},"priceProtect":{},"reduceOnly":{},"activatePrice":"","callbackRate":"","createTime":{},"updateTime":{},"triggerTime":{},"goodTillDate":0}})",
      o.ref.exchange_id, o.ref.client_id, type_of(o), binance::symbol_name(o.symbol), side_of(o), position_side, w.time_in_force,
      o.qty.str(), algo_status(o.status), done ? o.avg_fill_price.str() : "0", o.trigger_price.str(), w.working_type,
      b(w.close_position), b(w.price_protect), b(reduce_only(o, position_side)), o.created_ms, o.updated_ms,
      done ? o.updated_ms : 0);
}

std::string position_v2(const PositionRow& p, std::int64_t now_ms) {
  const bool flat = p.amount.is_zero();
  return fmt::format(
      R"({{"symbol":"{}","positionAmt":"{}","entryPrice":"{}","breakEvenPrice":"{}","markPrice":"{}","unRealizedProfit":"{}","liquidationPrice":"0","leverage":"{}","maxNotionalValue":"1000000000","marginType":"cross","isolatedMargin":"0","isAutoAddMargin":"false","positionSide":"{}","notional":"{}","isolatedWallet":"0","updateTime":{}}})",
      binance::symbol_name(p.symbol), p.amount.str(), flat ? "0" : p.entry.str(), flat ? "0" : p.entry.str(), p.mark.str(),
      p.unrealized().str(), kLeverage, p.position_side, p.notional().str(), flat ? 0 : now_ms);
}

std::string position_v3(const PositionRow& p, std::int64_t now_ms) {
  const bool flat = p.amount.is_zero();
  return fmt::format(
      R"({{"symbol":"{}","positionSide":"{}","positionAmt":"{}","entryPrice":"{}","breakEvenPrice":"{}","markPrice":"{}","unRealizedProfit":"{}","liquidationPrice":"0","isolatedMargin":"0","notional":"{}","marginAsset":"USDT","isolatedWallet":"0","initialMargin":"{}","maintMargin":"{}","positionInitialMargin":"{}","openOrderInitialMargin":"0","adl":0,"bidNotional":"0","askNotional":"0","updateTime":{}}})",
      binance::symbol_name(p.symbol), p.position_side, p.amount.str(), flat ? "0" : p.entry.str(), flat ? "0" : p.entry.str(),
      p.mark.str(), p.unrealized().str(), p.notional().str(), p.initial_margin().str(), p.maint_margin().str(),
      p.initial_margin().str(), flat ? 0 : now_ms);
}

namespace {

core::Notional margin_balance(const Account& a) { return a.wallet + a.unrealized; }
core::Notional available(const Account& a) { return margin_balance(a) - a.initial_margin; }

std::string totals(const Account& a) {
  return fmt::format(
      R"("totalInitialMargin":"{0}","totalMaintMargin":"{1}","totalWalletBalance":"{2}","totalUnrealizedProfit":"{3}","totalMarginBalance":"{4}","totalPositionInitialMargin":"{0}","totalOpenOrderInitialMargin":"0","totalCrossWalletBalance":"{2}","totalCrossUnPnl":"{3}","availableBalance":"{5}","maxWithdrawAmount":"{5}")",
      a.initial_margin.str(), a.maint_margin.str(), a.wallet.str(), a.unrealized.str(), margin_balance(a).str(),
      available(a).str());
}

std::string usdt_asset(const Account& a, bool v2, std::int64_t now_ms) {
  return fmt::format(
      R"({{"asset":"USDT","walletBalance":"{}","unrealizedProfit":"{}","marginBalance":"{}","maintMargin":"{}","initialMargin":"{}","positionInitialMargin":"{}","openOrderInitialMargin":"0","crossWalletBalance":"{}","crossUnPnl":"{}","availableBalance":"{}","maxWithdrawAmount":"{}",{}"updateTime":{}}})",
      a.wallet.str(), a.unrealized.str(), margin_balance(a).str(), a.maint_margin.str(), a.initial_margin.str(),
      a.initial_margin.str(), a.wallet.str(), a.unrealized.str(), available(a).str(), available(a).str(),
      v2 ? R"("marginAvailable":true,)" : "", now_ms);
}

}  // namespace

std::string account_v2(const Account& a, const std::vector<PositionRow>& rows, std::int64_t now_ms) {
  const std::string positions = json_array(rows, [&](const PositionRow& p) {
    return fmt::format(
        R"({{"symbol":"{}","initialMargin":"{}","maintMargin":"{}","unrealizedProfit":"{}","positionInitialMargin":"{}","openOrderInitialMargin":"0","leverage":"{}","isolated":false,"entryPrice":"{}","breakEvenPrice":"{}","maxNotional":"1000000000","bidNotional":"0","askNotional":"0","positionSide":"{}","positionAmt":"{}","updateTime":{}}})",
        binance::symbol_name(p.symbol), p.initial_margin().str(), p.maint_margin().str(), p.unrealized().str(),
        p.initial_margin().str(), kLeverage, p.entry.str(), p.entry.str(), p.position_side, p.amount.str(), now_ms);
  });
  return fmt::format(
      R"({{"feeTier":0,"feeBurn":false,"canTrade":true,"canDeposit":true,"canWithdraw":true,"updateTime":0,"multiAssetsMargin":false,"tradeGroupId":-1,{},"assets":[{}],"positions":{}}})",
      totals(a), usdt_asset(a, true, now_ms), positions);
}

std::string account_v3(const Account& a, const std::vector<PositionRow>& rows, std::int64_t now_ms) {
  const std::string positions = json_array(rows, [&](const PositionRow& p) {
    return fmt::format(
        R"({{"symbol":"{}","positionSide":"{}","positionAmt":"{}","unrealizedProfit":"{}","isolatedMargin":"0","notional":"{}","isolatedWallet":"0","initialMargin":"{}","maintMargin":"{}","updateTime":{}}})",
        binance::symbol_name(p.symbol), p.position_side, p.amount.str(), p.unrealized().str(), p.notional().str(),
        p.initial_margin().str(), p.maint_margin().str(), now_ms);
  });
  return fmt::format(R"({{{},"assets":[{}],"positions":{}}})", totals(a), usdt_asset(a, false, now_ms), positions);
}

std::string balance(const Account& a, std::int64_t now_ms) {
  return fmt::format(
      R"([{{"accountAlias":"ptpSim","asset":"USDT","balance":"{}","crossWalletBalance":"{}","crossUnPnl":"{}","availableBalance":"{}","maxWithdrawAmount":"{}","marginAvailable":true,"updateTime":{}}}])",
      a.wallet.str(), a.wallet.str(), a.unrealized.str(), available(a).str(), available(a).str(), now_ms);
}

std::string exchange_info(const std::vector<std::pair<core::Symbol, core::InstrumentFilters>>& symbols,
                          std::int64_t now_ms) {
  std::string list;
  for (const auto& [s, f] : symbols) {
    if (!list.empty()) list += ',';
    // Only the order types the simulator executes: clients that check orderTypes (ccxt does)
    // refuse the others before sending them.
    list += fmt::format(
        R"({{"symbol":"{0}","pair":"{0}","contractType":"PERPETUAL","deliveryDate":4133404800000,"onboardDate":1569398400000,"status":"TRADING","baseAsset":"{1}","quoteAsset":"{2}","marginAsset":"{2}","pricePrecision":{3},"quantityPrecision":{4},"baseAssetPrecision":8,"quotePrecision":8,"underlyingType":"COIN","settlePlan":0,"triggerProtect":"0.0500","filters":[{{"filterType":"PRICE_FILTER","minPrice":"{5}","maxPrice":"10000000","tickSize":"{5}"}},{{"filterType":"LOT_SIZE","minQty":"{6}","maxQty":"{7}","stepSize":"{8}"}},{{"filterType":"MARKET_LOT_SIZE","minQty":"{6}","maxQty":"{7}","stepSize":"{8}"}},{{"filterType":"MAX_NUM_ORDERS","limit":200}},{{"filterType":"MIN_NOTIONAL","notional":"{9}"}}],"orderTypes":["MARKET","STOP_MARKET","TAKE_PROFIT_MARKET"],"timeInForce":["GTC"]}})",
        binance::symbol_name(s), s.base(), s.quote(), decimals(f.tick_size.str()), decimals(f.step_size.str()), f.tick_size.str(),
        f.min_qty.str(), f.max_qty.str(), f.step_size.str(), f.min_notional.str());
  }
  return fmt::format(
      R"({{"timezone":"UTC","serverTime":{},"futuresType":"U_MARGINED","rateLimits":[{{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":2400}},{{"rateLimitType":"ORDERS","interval":"MINUTE","intervalNum":1,"limit":1200}},{{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":300}}],"exchangeFilters":[],"assets":[{{"asset":"USDT","marginAvailable":true,"autoAssetExchange":"0"}}],"symbols":[{}]}})",
      now_ms, list);
}

std::string premium_index(const core::Symbol& symbol, core::Price mark, std::int64_t now_ms) {
  const std::string m = mark.str();
  return fmt::format(
      R"({{"symbol":"{}","markPrice":"{}","indexPrice":"{}","estimatedSettlePrice":"{}","lastFundingRate":"0.00010000","interestRate":"0.00010000","nextFundingTime":{},"time":{}}})",
      binance::symbol_name(symbol), m, m, m, (now_ms / 28'800'000 + 1) * 28'800'000, now_ms);
}

std::string ticker_24h(const core::Symbol& symbol, const std::vector<core::Price>& path, const std::vector<SimOrder>& fills,
                       std::int64_t now_ms) {
  // The simulator's whole price path counts as the last 24 hours; its fills are the trades.
  const core::Price open = path.empty() ? core::Price{} : path.front();
  const core::Price last = path.empty() ? core::Price{} : path.back();
  core::Price high = open, low = open;
  for (const auto& p : path) {
    high = std::max(high, p);
    low = std::min(low, p);
  }
  core::Qty volume;
  core::Notional quote_volume;
  for (const auto& f : fills) {
    volume += f.filled_qty;
    quote_volume += cost_of(f);
  }
  const core::Price change = last - open;
  const core::Ratio percent = open.is_zero() ? core::Ratio{} : core::ratio_of(core::scale(change, core::Ratio::from_int(100), false), open);
  const core::Price weighted =
      volume.is_zero() ? last
                       : core::Price::from_units(static_cast<std::int64_t>(
                             static_cast<core::Int128>(quote_volume.units()) * core::kDecimalOne / volume.units()));
  return fmt::format(
      R"({{"symbol":"{}","priceChange":"{}","priceChangePercent":"{}","weightedAvgPrice":"{}","lastPrice":"{}","lastQty":"{}","openPrice":"{}","highPrice":"{}","lowPrice":"{}","volume":"{}","quoteVolume":"{}","openTime":{},"closeTime":{},"firstId":{},"lastId":{},"count":{}}})",
      binance::symbol_name(symbol), change.str(), percent.str(3), weighted.str(), last.str(),
      fills.empty() ? "0" : fills.back().filled_qty.str(), open.str(), high.str(), low.str(), volume.str(),
      quote_volume.str(), now_ms - 86'400'000, now_ms, fills.empty() ? 0 : 1, fills.size(), fills.size());
}

std::string leverage_bracket(const core::Symbol& symbol) {
  return fmt::format(
      R"({{"symbol":"{}","brackets":[{{"bracket":1,"initialLeverage":125,"notionalCap":1000000000,"notionalFloor":0,"maintMarginRatio":0.004,"cum":0.0}}]}})",
      binance::symbol_name(symbol));
}

std::string mark_price_update(const core::Symbol& symbol, core::Price mark, std::int64_t now_ms) {
  const std::string m = mark.str();
  return fmt::format(R"({{"e":"markPriceUpdate","E":{},"s":"{}","p":"{}","i":"{}","P":"{}","r":"0.00010000","T":{}}})",
                     now_ms, binance::symbol_name(symbol), m, m, m, (now_ms / 28'800'000 + 1) * 28'800'000);
}

std::string book_ticker(const core::Symbol& symbol, core::Price mark, std::int64_t now_ms) {
  return fmt::format(R"({{"e":"bookTicker","u":{},"s":"{}","b":"{}","B":"10","a":"{}","A":"10","T":{},"E":{}}})", now_ms,
                     binance::symbol_name(symbol), mark.str(), mark.str(), now_ms, now_ms);
}

std::string order_trade_update(const SimOrder& o, const OrderWire& w, const std::string& position_side,
                               const std::string& execution, const std::string& status, std::int64_t now_ms) {
  const bool trade = execution == "TRADE";
  return fmt::format(
      R"({{"e":"ORDER_TRADE_UPDATE","E":{},"T":{},"o":{{"s":"{}","c":"{}","S":"{}","o":"MARKET","f":"{}","q":"{}","p":"0","ap":"{}","sp":"0","x":"{}","X":"{}","i":{},"l":"{}","z":"{}","L":"{}","T":{},"t":{},"b":"0","a":"0","m":false,"R":{},"wt":"{}","ot":"MARKET","ps":"{}","cp":false,"rp":"{}","pP":false,"si":0,"ss":0,"V":"EXPIRE_MAKER","pm":"NONE","gtd":0}}}})",
      now_ms, o.updated_ms, binance::symbol_name(o.symbol), o.ref.client_id, side_of(o), w.time_in_force, o.qty.str(),
      trade ? o.avg_fill_price.str() : "0", execution, status,
      o.ref.exchange_id, trade ? o.filled_qty.str() : "0", trade ? o.filled_qty.str() : "0",
      trade ? o.avg_fill_price.str() : "0", o.updated_ms, trade ? o.ref.exchange_id : "0", b(reduce_only(o, position_side)),
      w.working_type, position_side, trade ? o.realized.str() : "0");
}

std::string algo_update(const SimOrder& o, const OrderWire& w, const std::string& position_side,
                        const std::string& status, std::int64_t now_ms) {
  const bool done = status == "FINISHED" || status == "TRIGGERED";
  return fmt::format(
      R"({{"e":"ALGO_UPDATE","T":{},"E":{},"o":{{"caid":"{}","aid":{},"at":"CONDITIONAL","o":"{}","s":"{}","S":"{}","ps":"{}","f":"{}","q":"{}","X":"{}","ai":"","ap":"{}","aq":"{}","act":"{}","tp":"{}","p":"0","V":"EXPIRE_MAKER","wt":"{}","pm":"NONE","cp":{},"pP":{},"R":{},"tt":{},"gtd":0,"rm":""}}}})",
      o.updated_ms, now_ms, o.ref.client_id, o.ref.exchange_id, type_of(o), binance::symbol_name(o.symbol), side_of(o),
      position_side, w.time_in_force, o.qty.str(), status, done ? o.avg_fill_price.str() : "0",
      done ? o.filled_qty.str() : "0", done ? "MARKET" : "0", o.trigger_price.str(), w.working_type,
      b(w.close_position), b(w.price_protect), b(reduce_only(o, position_side)), done ? o.updated_ms : 0);
}

std::string account_update(const Account& a, const std::vector<PositionRow>& changed, std::int64_t now_ms) {
  const std::string positions = json_array(changed, [&](const PositionRow& p) {
    return fmt::format(R"({{"s":"{}","pa":"{}","ep":"{}","bep":"{}","cr":"0","up":"{}","mt":"cross","iw":"0","ps":"{}"}})",
                       binance::symbol_name(p.symbol), p.amount.str(), p.entry.str(), p.entry.str(), p.unrealized().str(),
                       p.position_side);
  });
  return fmt::format(
      R"({{"e":"ACCOUNT_UPDATE","E":{},"T":{},"a":{{"m":"ORDER","B":[{{"a":"USDT","wb":"{}","cw":"{}","bc":"0"}}],"P":{}}}}})",
      now_ms, now_ms, a.wallet.str(), a.wallet.str(), positions);
}

std::string error(int code, const std::string& msg) {
  std::string escaped;
  for (char c : msg) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return fmt::format(R"({{"code":{},"msg":"{}"}})", code, escaped);
}

}  // namespace ptp::exchange::loopback::binance_shapes
