#include "sim/binance/face.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "core/text.hpp"
#include "core/tick.hpp"
#include "exchange/binance/symbols.hpp"
#include "exchange/hmac.hpp"
#include "sim/json_array.hpp"
#include "sim/query_params.hpp"

namespace ptp::exchange::loopback {
namespace {

using core::OrderKind;
using core::OrderStatus;
using Params = BinanceFace::Params;
namespace shapes = binance_shapes;

// A Binance error answer: HTTP status, {"code":..,"msg":..}.
struct ApiError {
  int status;
  int code;
  std::string msg;
};

ApiError from_exchange_error(const ExchangeError& e) {
  using K = ExchangeError::Kind;
  switch (e.kind()) {
    case K::duplicate_client_id: return {400, -4116, "ClientOrderId is duplicated."};
    case K::timeout:
      return {503, -1007, "Timeout waiting for response from backend server. Send status unknown; execution status unknown."};
    case K::not_found: return {400, -2011, "Unknown order sent."};
    case K::unavailable: return {503, -1001, "Internal error; unable to process your request. Please try again."};
    case K::rejected: break;
  }
  int code = -1000;
  try {
    code = std::stoi(e.code());
  } catch (const std::exception&) {
  }
  return {400, code, e.what()};
}


// "If a parameter is in both places, the query-string value wins" (Binance's general rules).
Params params_of(const HttpRequest& r) {
  Params p;
  decode_query(r.body, p);
  decode_query(r.query, p);
  return p;
}

std::string need(const Params& p, const std::string& key) {
  auto it = p.find(key);
  if (it == p.end() || it->second.empty())
    throw ApiError{400, -1102, "Mandatory parameter '" + key + "' was not sent, was empty/null, or malformed."};
  return it->second;
}

std::string opt(const Params& p, const std::string& key) {
  auto it = p.find(key);
  return it == p.end() ? std::string() : it->second;
}

bool flag(const Params& p, const std::string& key) {
  const std::string v = core::ascii_lower(opt(p, key));
  if (v.empty() || v == "false") return false;
  if (v == "true") return true;
  throw ApiError{400, -1102, "Mandatory parameter '" + key + "' was not sent, was empty/null, or malformed."};
}

void check_client_id(const std::string& id) {
  static const std::regex pattern(R"(^[\.A-Z\:/a-z0-9_-]{1,36}$)");
  if (!std::regex_match(id, pattern)) throw ApiError{400, -4015, "Client order id is not valid."};
}

bool is_plain(const core::OrderState& o) {
  return o.kind == OrderKind::market_close || o.kind == OrderKind::market_open;
}

constexpr const char* kAllCancelled = R"({"code":200,"msg":"The operation of cancel all open order is done."})";

// Starting balance of the simulated account: the wallet is this plus every profit booked.
const core::Notional kDeposit = core::Notional::from_int(10'000);
constexpr std::int64_t kListenKeyLifetimeMs = 60 * 60 * 1000;

// Who may call a route: anyone, a known API key, or a signed request.
enum class Auth : unsigned char { none, key, signature };

}  // namespace

struct BinanceFace::Route {
  const char* method;
  const char* path;
  Auth auth;
  HttpAnswer (BinanceFace::*handler)(const Params&);
};

// Everything the face serves. Any other method and path gets Binance's answer to a path it does
// not have: 404 with an HTML page, before any key or signature is looked at.
const std::vector<BinanceFace::Route>& BinanceFace::routes() {
  static const std::vector<Route> table{
      {"GET", "/fapi/v1/time", Auth::none, &BinanceFace::server_time},
      {"GET", "/fapi/v1/ping", Auth::none, &BinanceFace::ping},
      {"GET", "/fapi/v1/exchangeInfo", Auth::none, &BinanceFace::exchange_info},
      {"GET", "/fapi/v1/premiumIndex", Auth::none, &BinanceFace::premium_index},
      {"GET", "/fapi/v1/ticker/24hr", Auth::none, &BinanceFace::ticker_24h},
      {"POST", "/fapi/v1/listenKey", Auth::key, &BinanceFace::new_listen_key},
      {"PUT", "/fapi/v1/listenKey", Auth::key, &BinanceFace::keep_listen_key},
      {"DELETE", "/fapi/v1/listenKey", Auth::key, &BinanceFace::close_listen_key},
      {"GET", "/fapi/v1/positionSide/dual", Auth::signature, &BinanceFace::position_mode},
      {"GET", "/fapi/v2/positionRisk", Auth::signature, &BinanceFace::position_risk_v2},
      {"GET", "/fapi/v3/positionRisk", Auth::signature, &BinanceFace::position_risk_v3},
      {"GET", "/fapi/v2/account", Auth::signature, &BinanceFace::account_v2},
      {"GET", "/fapi/v3/account", Auth::signature, &BinanceFace::account_v3},
      {"GET", "/fapi/v2/balance", Auth::signature, &BinanceFace::balance},
      {"GET", "/fapi/v3/balance", Auth::signature, &BinanceFace::balance},
      {"GET", "/fapi/v1/leverageBracket", Auth::signature, &BinanceFace::leverage_bracket},
      {"POST", "/fapi/v1/order", Auth::signature, &BinanceFace::new_order},
      {"GET", "/fapi/v1/order", Auth::signature, &BinanceFace::query_order},
      {"DELETE", "/fapi/v1/order", Auth::signature, &BinanceFace::cancel_order},
      {"GET", "/fapi/v1/openOrders", Auth::signature, &BinanceFace::open_orders},
      {"DELETE", "/fapi/v1/allOpenOrders", Auth::signature, &BinanceFace::cancel_all_orders},
      {"POST", "/fapi/v1/algoOrder", Auth::signature, &BinanceFace::new_algo_order},
      {"GET", "/fapi/v1/algoOrder", Auth::signature, &BinanceFace::query_algo_order},
      {"DELETE", "/fapi/v1/algoOrder", Auth::signature, &BinanceFace::cancel_algo_order},
      {"GET", "/fapi/v1/openAlgoOrders", Auth::signature, &BinanceFace::open_algo_orders},
      {"GET", "/fapi/v1/allAlgoOrders", Auth::signature, &BinanceFace::all_algo_orders},
      {"DELETE", "/fapi/v1/algoOpenOrders", Auth::signature, &BinanceFace::cancel_all_algo_orders},
  };
  return table;
}

BinanceFace::BinanceFace(std::shared_ptr<SimExchange> sim, const BinanceServerOptions& options)
    : sim_(std::move(sim)), options_(options), journal_seen_(sim_->journal().size()) {}

std::int64_t BinanceFace::now_ms() const { return core::wall_now_ms() + skew_ms_; }

HttpAnswer BinanceFace::handle(const HttpRequest& request) {
  const Route* route = nullptr;
  for (const auto& r : routes())
    if (request.method == r.method && request.path == r.path) route = &r;
  if (!route)
    return HttpAnswer{404, "<html><body><h1>404 Not Found</h1><p>" + request.method + " " + request.path + "</p></body></html>",
                      "text/html"};
  const Params p = params_of(request);
  // An order request the face refuses (its key, signature, parameters, an unknown order to cancel)
  // never reaches the engine, which journals the rest: it is journaled here, so a client that
  // resends is seen whatever the answer was.
  const auto order = order_request(request);
  const std::size_t journaled = sim_->journal_size();
  auto refuse = [&](const ApiError& e) {
    if (order && sim_->journal_size() == journaled) {
      const std::string type = opt(p, "type");
      const OrderKind kind = request.path != "/fapi/v1/algoOrder" ? OrderKind::market_close
                             : type == "TAKE_PROFIT_MARKET"        ? OrderKind::take_profit
                                                                   : OrderKind::stop;
      // In the words the engine uses for its own refusals (ExchangeError::reason()).
      const bool unknown = e.code == -2011 || e.code == -2013;
      sim_->refused(request.method == "POST" ? SimEvent::Type::place : SimEvent::Type::cancel, kind, order->client_id,
                    fmt::format("{} {} {}", unknown ? "not_found" : "rejected", e.code, e.msg));
    }
    return error_answer(e.status, e.code, e.msg);
  };
  try {
    if (route->auth == Auth::key) check_key(request);
    if (route->auth == Auth::signature) check_signature(request, p);
    return (this->*(route->handler))(p);
  } catch (const ApiError& e) {
    return refuse(e);
  } catch (const ExchangeError& e) {
    return refuse(from_exchange_error(e));
  } catch (const std::exception&) {
    return refuse({400, -1102, "A mandatory parameter was not sent, was empty/null, or malformed."});
  }
}

HttpAnswer BinanceFace::ok(std::string body) { return HttpAnswer{200, std::move(body)}; }

HttpAnswer BinanceFace::error_answer(int status, int code, const std::string& msg) {
  return HttpAnswer{status, shapes::error(code, msg)};
}

HttpAnswer BinanceFace::fault_answer(const HttpFault& fault) {
  HttpAnswer a = error_answer(fault.status, fault.code, fault.msg);
  if (fault.retry_after_s >= 0) a.headers.emplace_back("Retry-After", std::to_string(fault.retry_after_s));
  return a;
}

HttpAnswer BinanceFace::unserved_answer() {
  return error_answer(503, -1001, "Internal error; unable to process your request. Please try again.");
}

std::vector<std::pair<std::string, std::string>> BinanceFace::answer_headers() {
  const std::int64_t minute = now_ms() / 60'000;
  if (minute != weight_minute_) {
    weight_minute_ = minute;
    weight_ = 0;
  }
  return {{"X-MBX-USED-WEIGHT-1M", std::to_string(++weight_)}};
}


std::optional<OrderRequestEvent> BinanceFace::order_request(const HttpRequest& request) const {
  const bool order = request.path == "/fapi/v1/order", algo = request.path == "/fapi/v1/algoOrder";
  if ((!order && !algo) || (request.method != "POST" && request.method != "DELETE")) return std::nullopt;
  const Params p = params_of(request);
  const std::string name = algo ? "clientAlgoId" : request.method == "POST" ? "newClientOrderId" : "origClientOrderId";
  OrderRequestEvent event{request.method, request.path, opt(p, name), false};
  event.api_key = request.header("x-mbx-apikey");
  return event;
}

void BinanceFace::check_key(const HttpRequest& r) const {
  const std::string key = r.header("x-mbx-apikey");
  if (key != options_.api_key &&
      std::find(options_.more_api_keys.begin(), options_.more_api_keys.end(), key) == options_.more_api_keys.end())
    throw ApiError{401, -2015, "Invalid API-key, IP, or permissions for action."};
}

// totalParams = query string + body, the signature last (Binance's rules, section 1.6).
void BinanceFace::check_signature(const HttpRequest& r, const Params& params) {
  check_key(r);
  std::string total = r.query + r.body;
  const auto at = total.rfind("signature=");
  if (at == std::string::npos)
    throw ApiError{400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed."};
  const std::string given = core::ascii_lower(total.substr(at + 10));
  std::string signed_part = total.substr(0, at);
  if (!signed_part.empty() && signed_part.back() == '&') signed_part.pop_back();
  if (given != hmac_sha256_hex(options_.secret, signed_part)) {
    ++bad_signatures_;
    throw ApiError{400, -1022, "Signature for this request is not valid."};
  }
  const std::int64_t ts = std::stoll(need(params, "timestamp"));
  const std::string rw = opt(params, "recvWindow");
  const std::int64_t recv_window = rw.empty() ? 5000 : std::stoll(rw);
  const std::int64_t now = now_ms();
  if (!(ts < now + 1000 && now - ts <= recv_window)) {
    ++stale_timestamps_;
    throw ApiError{400, -1021, "Timestamp for this request is outside of the recvWindow."};
  }
}

core::Symbol BinanceFace::symbol_param(const Params& p) const {
  const std::string s = need(p, "symbol");
  for (const auto& sym : sim_->symbols())
    if (binance::symbol_name(sym) == s) return sym;
  throw ApiError{400, -1121, "Invalid symbol."};
}

std::optional<core::Symbol> BinanceFace::optional_symbol(const Params& p) const {
  if (opt(p, "symbol").empty()) return std::nullopt;
  return symbol_param(p);
}

std::string BinanceFace::position_side_text(core::Side s) const {
  return options_.hedge_mode ? (s == core::Side::long_ ? "LONG" : "SHORT") : "BOTH";
}

// The client's id, or one Binance-style made up for it ("Automatically generated if not sent").
std::string BinanceFace::new_client_id(const Params& p, const char* name) {
  std::string id = opt(p, name);
  if (id.empty()) id = fmt::format("ptpsim{:016d}", next_client_id_++);
  check_client_id(id);
  return id;
}

const shapes::OrderWire& BinanceFace::wire(const std::string& exchange_id) const {
  static const shapes::OrderWire defaults;
  auto it = wires_.find(exchange_id);
  return it == wires_.end() ? defaults : it->second;
}

std::string BinanceFace::plain_json(const SimOrder& o, shapes::OrderView view) const {
  return shapes::order(o, wire(o.ref.exchange_id), position_side_text(o.position_side), view);
}

std::string BinanceFace::algo_json(const SimOrder& o) const {
  return shapes::algo_order(o, wire(o.ref.exchange_id), position_side_text(o.position_side));
}

// ---- market data ----

HttpAnswer BinanceFace::server_time(const Params&) { return ok(fmt::format(R"({{"serverTime":{}}})", now_ms())); }

HttpAnswer BinanceFace::ping(const Params&) { return ok("{}"); }

HttpAnswer BinanceFace::exchange_info(const Params&) {
  std::vector<std::pair<core::Symbol, core::InstrumentFilters>> symbols;
  for (const auto& s : sim_->symbols()) symbols.emplace_back(s, sim_->filters(s));
  return ok(shapes::exchange_info(symbols, now_ms()));
}

// With a symbol: its object; without: an array of every symbol's (the same for ticker/24hr and
// leverageBracket).
HttpAnswer BinanceFace::premium_index(const Params& p) {
  auto one = [&](const core::Symbol& s) { return shapes::premium_index(s, sim_->mark_price(s), now_ms()); };
  if (auto s = optional_symbol(p)) return ok(one(*s));
  return ok(json_array(sim_->symbols(), one));
}

HttpAnswer BinanceFace::ticker_24h(const Params& p) {
  const auto log = sim_->order_log();
  auto one = [&](const core::Symbol& s) {
    std::vector<SimOrder> fills;
    for (const auto& o : log)
      if (o.symbol == s && o.filled_qty.is_positive()) fills.push_back(o);
    return shapes::ticker_24h(s, sim_->price_path(s), fills, now_ms());
  };
  if (auto s = optional_symbol(p)) return ok(one(*s));
  return ok(json_array(sim_->symbols(), one));
}

// ---- user data ----

HttpAnswer BinanceFace::new_listen_key(const Params&) {
  // "Doing a POST on an account with an active listenKey will return the currently active
  // listenKey and extend its validity for 60 minutes."
  if (!listen_key_ || listen_key_->second < now_ms())
    listen_key_ = std::make_pair(fmt::format("ptpSimListenKey{:016d}", next_listen_key_++), std::int64_t{0});
  listen_key_->second = now_ms() + kListenKeyLifetimeMs;
  return ok(fmt::format(R"({{"listenKey":"{}"}})", listen_key_->first));
}

HttpAnswer BinanceFace::keep_listen_key(const Params&) {
  if (!listen_key_ || listen_key_->second < now_ms()) throw ApiError{400, -1125, "This listenKey does not exist."};
  listen_key_->second = now_ms() + kListenKeyLifetimeMs;
  return ok("{}");
}

HttpAnswer BinanceFace::close_listen_key(const Params&) {
  if (!listen_key_) throw ApiError{400, -1125, "This listenKey does not exist."};
  listen_key_.reset();
  return ok("{}");
}

bool BinanceFace::listen_key_valid(const std::string& key) const {
  return listen_key_ && listen_key_->first == key && listen_key_->second >= now_ms();
}

// ---- account ----

HttpAnswer BinanceFace::position_mode(const Params&) {
  return ok(fmt::format(R"({{"dualSidePosition":{}}})", options_.hedge_mode ? "true" : "false"));
}

// Hedge mode: a LONG and a SHORT row per symbol; one-way mode: one BOTH row (a short's amount is
// negative in both). v2 lists every symbol; v3 ("only symbol that has position or open orders")
// only those.
std::vector<shapes::PositionRow> BinanceFace::position_rows(bool every_symbol) const {
  std::set<std::pair<core::Symbol, core::Side>> with_orders;
  for (const auto& o : sim_->open_orders()) with_orders.emplace(o.symbol, o.position_side);
  std::vector<shapes::PositionRow> rows;
  for (const auto& s : sim_->symbols()) {
    const core::Price mark = sim_->mark_price(s);
    auto row_of = [&](core::Side side) {
      shapes::PositionRow r{s, position_side_text(side), {}, {}, mark};
      if (auto pos = sim_->position(s, side)) {
        r.amount = side == core::Side::long_ ? pos->size : -pos->size;
        r.entry = pos->entry;
      }
      return r;
    };
    auto wanted = [&](const shapes::PositionRow& r, bool orders) { return every_symbol || !r.amount.is_zero() || orders; };
    if (options_.hedge_mode) {
      for (core::Side side : {core::Side::long_, core::Side::short_}) {
        auto r = row_of(side);
        if (wanted(r, with_orders.count({s, side}) > 0)) rows.push_back(r);
      }
    } else {
      const auto long_row = row_of(core::Side::long_), short_row = row_of(core::Side::short_);
      auto r = long_row.amount.is_zero() ? short_row : long_row;
      if (wanted(r, with_orders.count({s, core::Side::long_}) + with_orders.count({s, core::Side::short_}) > 0))
        rows.push_back(r);
    }
  }
  return rows;
}

shapes::Account BinanceFace::account() const {
  shapes::Account a;
  a.wallet = kDeposit;
  for (const auto& s : sim_->symbols())
    for (core::Side side : {core::Side::long_, core::Side::short_}) a.wallet += sim_->realized_pnl(s, side);
  for (const auto& r : position_rows(false)) {
    a.unrealized += r.unrealized();
    a.initial_margin += r.initial_margin();
    a.maint_margin += r.maint_margin();
  }
  return a;
}

HttpAnswer BinanceFace::position_risk_v2(const Params& p) {
  auto rows = position_rows(true);
  if (auto s = optional_symbol(p)) std::erase_if(rows, [&](const auto& r) { return r.symbol != *s; });
  return ok(json_array(rows, [&](const shapes::PositionRow& r) { return shapes::position_v2(r, now_ms()); }));
}

HttpAnswer BinanceFace::position_risk_v3(const Params& p) {
  auto rows = position_rows(false);
  if (auto s = optional_symbol(p)) std::erase_if(rows, [&](const auto& r) { return r.symbol != *s; });
  return ok(json_array(rows, [&](const shapes::PositionRow& r) { return shapes::position_v3(r, now_ms()); }));
}

HttpAnswer BinanceFace::account_v2(const Params&) {
  return ok(shapes::account_v2(account(), position_rows(true), now_ms()));
}

HttpAnswer BinanceFace::account_v3(const Params&) {
  return ok(shapes::account_v3(account(), position_rows(false), now_ms()));
}

HttpAnswer BinanceFace::balance(const Params&) { return ok(shapes::balance(account(), now_ms())); }

HttpAnswer BinanceFace::leverage_bracket(const Params& p) {
  if (auto s = optional_symbol(p)) return ok(shapes::leverage_bracket(*s));
  return ok(json_array(sim_->symbols(), [](const core::Symbol& s) { return shapes::leverage_bracket(s); }));
}

// ---- plain orders ----

// MARKET orders only. Hedge mode: positionSide LONG or SHORT; the side that reduces it closes,
// the other opens or adds. One-way mode: reduceOnly=true closes (never more than is open),
// otherwise the order nets against the symbol's position and may flip it.
HttpAnswer BinanceFace::new_order(const Params& p) {
  const std::string type = need(p, "type");
  if (type == "STOP" || type == "STOP_MARKET" || type == "TAKE_PROFIT" || type == "TAKE_PROFIT_MARKET" ||
      type == "TRAILING_STOP_MARKET")
    throw ApiError{400, -4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead."};
  if (type != "MARKET") throw ApiError{400, -1116, "Invalid orderType."};  // LIMIT: not simulated
  const core::Symbol s = symbol_param(p);
  const std::string side = need(p, "side");
  if (side != "BUY" && side != "SELL") throw ApiError{400, -1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed."};
  const std::string ps = opt(p, "positionSide");
  const bool reduce_only = flag(p, "reduceOnly");
  const core::Qty qty = core::Qty::parse(need(p, "quantity"));
  const std::string client = new_client_id(p, "newClientOrderId");
  const std::string resp_type = opt(p, "newOrderRespType").empty() ? "ACK" : opt(p, "newOrderRespType");
  if (resp_type != "ACK" && resp_type != "RESULT") throw ApiError{400, -1102, "Invalid newOrderRespType."};
  ++order_posts_;
  core::OrderState placed;
  if (options_.hedge_mode) {
    if (ps != "LONG" && ps != "SHORT") throw ApiError{400, -4061, "Order's position side does not match user's setting."};
    if (!opt(p, "reduceOnly").empty()) throw ApiError{400, -1106, "Parameter 'reduceOnly' sent when not required."};
    const core::Side position = ps == "LONG" ? core::Side::long_ : core::Side::short_;
    const bool closes = (position == core::Side::long_) == (side == "SELL");
    placed = closes ? sim_->close_market(s, position, qty, client) : sim_->market_order(s, position, qty, false, client);
  } else {
    if (!ps.empty() && ps != "BOTH") throw ApiError{400, -4061, "Order's position side does not match user's setting."};
    placed = reduce_only ? sim_->close_market(s, side == "SELL" ? core::Side::long_ : core::Side::short_, qty, client)
                         : sim_->market_order(s, side == "BUY" ? core::Side::long_ : core::Side::short_, qty, true, client);
  }
  shapes::OrderWire& w = wires_[placed.ref.exchange_id];
  if (!opt(p, "workingType").empty()) w.working_type = opt(p, "workingType");
  w.price_protect = flag(p, "priceProtect");
  return ok(plain_json(*sim_->order(placed.ref.exchange_id), resp_type == "ACK" ? shapes::OrderView::ack
                                                                                  : shapes::OrderView::result));
}

std::optional<SimOrder> BinanceFace::find_plain(const core::Symbol& symbol, const Params& p) {
  const std::string client = opt(p, "origClientOrderId");
  const std::string id = opt(p, "orderId");
  if (client.empty() && id.empty())
    throw ApiError{400, -1102, "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!"};
  std::optional<SimOrder> o;
  if (!client.empty()) {
    if (auto found = sim_->query(symbol, client))  // advances a delayed fill, like a real query would see it fill
      o = sim_->order(found->ref.exchange_id);
    if (o && !is_plain(*o)) {  // the latest with the id is an algo order: the latest plain one, if any
      o.reset();
      for (const auto& order : sim_->order_log())
        if (order.symbol == symbol && order.ref.client_id == client && is_plain(order)) o = order;
    }
  } else {
    o = sim_->order(id);
  }
  if (o && (o->symbol != symbol || !is_plain(*o))) o.reset();
  return o;
}

HttpAnswer BinanceFace::query_order(const Params& p) {
  if (auto o = find_plain(symbol_param(p), p)) return ok(plain_json(*o, shapes::OrderView::query));
  throw ApiError{400, -2013, "Order does not exist."};
}

HttpAnswer BinanceFace::cancel_order(const Params& p) {
  const core::Symbol s = symbol_param(p);
  auto o = find_plain(s, p);
  if (!o || o->status != OrderStatus::open) throw ApiError{400, -2011, "Unknown order sent."};
  sim_->cancel(s, core::OrderRef{{}, o->ref.exchange_id});
  return ok(plain_json(*sim_->order(o->ref.exchange_id), shapes::OrderView::result));
}

HttpAnswer BinanceFace::open_orders(const Params& p) {
  const auto symbol = optional_symbol(p);
  std::vector<SimOrder> out;
  for (const auto& o : sim_->order_log())
    if (is_plain(o) && o.status == OrderStatus::open && (!symbol || o.symbol == *symbol)) out.push_back(o);
  return ok(json_array(out, [&](const SimOrder& o) { return plain_json(o, shapes::OrderView::query); }));
}

HttpAnswer BinanceFace::cancel_all_orders(const Params& p) {
  const core::Symbol s = symbol_param(p);
  for (const auto& o : sim_->order_log())
    if (is_plain(o) && o.status == OrderStatus::open && o.symbol == s) sim_->cancel(s, core::OrderRef{{}, o.ref.exchange_id});
  return ok(kAllCancelled);
}

// ---- conditional (algo) orders ----

// STOP_MARKET and TAKE_PROFIT_MARKET that reduce a position (reduceOnly or closePosition in
// one-way mode; the closing side in hedge mode), triggered by the simulator's one price.
HttpAnswer BinanceFace::new_algo_order(const Params& p) {
  if (need(p, "algoType") != "CONDITIONAL") throw ApiError{400, -1102, "Mandatory parameter 'algoType' was not sent, was empty/null, or malformed."};
  const std::string type = need(p, "type");
  if (type != "STOP_MARKET" && type != "TAKE_PROFIT_MARKET") throw ApiError{400, -1116, "Invalid orderType."};
  const core::Symbol s = symbol_param(p);
  const std::string side = need(p, "side");
  if (side != "BUY" && side != "SELL") throw ApiError{400, -1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed."};
  const std::string ps = opt(p, "positionSide");
  const bool close_position = flag(p, "closePosition");
  if (close_position && !opt(p, "quantity").empty())
    throw ApiError{400, -1106, "Parameter 'quantity' sent when not required."};
  const core::Qty qty = close_position ? core::Qty{} : core::Qty::parse(need(p, "quantity"));
  const core::Price trigger = core::Price::parse(need(p, "triggerPrice"));
  const std::string working_type = opt(p, "workingType").empty() ? "CONTRACT_PRICE" : opt(p, "workingType");
  if (working_type != "CONTRACT_PRICE" && working_type != "MARK_PRICE")
    throw ApiError{400, -1102, "Mandatory parameter 'workingType' was not sent, was empty/null, or malformed."};
  core::Side position = side == "SELL" ? core::Side::long_ : core::Side::short_;
  if (options_.hedge_mode) {
    if (ps != "LONG" && ps != "SHORT") throw ApiError{400, -4061, "Order's position side does not match user's setting."};
    if (!opt(p, "reduceOnly").empty()) throw ApiError{400, -1106, "Parameter 'reduceOnly' sent when not required."};
    const core::Side named = ps == "LONG" ? core::Side::long_ : core::Side::short_;
    if (named != position) throw ApiError{400, -2022, "ReduceOnly Order is rejected."};  // opening: not simulated
  } else {
    if (!ps.empty() && ps != "BOTH") throw ApiError{400, -4061, "Order's position side does not match user's setting."};
    if (!flag(p, "reduceOnly") && !close_position)
      throw ApiError{400, -4062, "Invalid or improper reduceOnly value."};  // opening: not simulated
  }
  const std::string client = new_client_id(p, "clientAlgoId");
  const OrderKind kind = type == "STOP_MARKET" ? OrderKind::stop : OrderKind::take_profit;
  const auto placed = sim_->place_conditional(kind, s, position, trigger, qty, client);
  shapes::OrderWire& w = wires_[placed.ref.exchange_id];
  w.working_type = working_type;
  w.price_protect = flag(p, "priceProtect");
  w.close_position = close_position;
  return ok(algo_json(*sim_->order(placed.ref.exchange_id)));
}

// By algoId or clientAlgoId (the latest order with it); no symbol needed.
std::optional<SimOrder> BinanceFace::find_algo(const Params& p) {
  const std::string client = opt(p, "clientAlgoId");
  const std::string id = opt(p, "algoId");
  if (client.empty() && id.empty())
    throw ApiError{400, -1102, "Param 'algoId' or 'clientAlgoId' must be sent, but both were empty/null!"};
  std::optional<SimOrder> found;
  for (const auto& o : sim_->order_log())
    if (!is_plain(o) && (client.empty() ? o.ref.exchange_id == id : o.ref.client_id == client)) found = o;
  if (found && !opt(p, "symbol").empty() && found->symbol != symbol_param(p)) found.reset();
  return found;
}

HttpAnswer BinanceFace::query_algo_order(const Params& p) {
  if (auto o = find_algo(p)) return ok(algo_json(*o));
  throw ApiError{400, -2013, "Order does not exist."};
}

HttpAnswer BinanceFace::cancel_algo_order(const Params& p) {
  auto o = find_algo(p);
  if (!o || o->status != OrderStatus::open) throw ApiError{400, -2011, "Unknown order sent."};
  sim_->cancel(o->symbol, core::OrderRef{{}, o->ref.exchange_id});
  return ok(fmt::format(R"({{"algoId":{},"clientAlgoId":"{}","code":"200","msg":"success"}})", o->ref.exchange_id,
                        o->ref.client_id));
}

HttpAnswer BinanceFace::open_algo_orders(const Params& p) {
  const auto symbol = optional_symbol(p);
  std::vector<SimOrder> out;
  for (const auto& o : sim_->order_log())
    if (!is_plain(o) && o.status == OrderStatus::open && (!symbol || o.symbol == *symbol)) out.push_back(o);
  return ok(json_array(out, [&](const SimOrder& o) { return algo_json(o); }));
}

HttpAnswer BinanceFace::all_algo_orders(const Params& p) {
  const core::Symbol s = symbol_param(p);
  std::vector<SimOrder> out;
  for (const auto& o : sim_->order_log())
    if (!is_plain(o) && o.symbol == s) out.push_back(o);
  return ok(json_array(out, [&](const SimOrder& o) { return algo_json(o); }));
}

HttpAnswer BinanceFace::cancel_all_algo_orders(const Params& p) {
  const core::Symbol s = symbol_param(p);
  for (const auto& o : sim_->order_log())
    if (!is_plain(o) && o.status == OrderStatus::open && o.symbol == s) sim_->cancel(s, core::OrderRef{{}, o.ref.exchange_id});
  return ok(kAllCancelled);
}

// ---- the user-data stream ----

void BinanceFace::collect_account_changes() {
  const auto events = sim_->journal(journal_seen_);
  journal_seen_ += events.size();
  std::vector<std::string>& frames = account_frames_;
  frames.clear();
  std::set<std::pair<core::Symbol, std::string>> changed;  // symbol, position side text
  const std::int64_t now = now_ms();
  for (const auto& e : events) {
    // A cancel request is followed by the order's own update, which carries it.
    if (e.type == SimEvent::Type::cancel || !e.accepted || e.exchange_id.empty()) continue;
    const auto o = sim_->order(e.exchange_id);
    if (!o) continue;
    const auto& w = wire(o->ref.exchange_id);
    const std::string ps = position_side_text(o->position_side);
    const bool placed = e.type == SimEvent::Type::place;
    if (is_plain(*o)) {
      if (placed) frames.push_back(shapes::order_trade_update(*o, w, ps, "NEW", "NEW", now));
      if (e.status == OrderStatus::filled || (e.status == OrderStatus::canceled && o->filled_qty.is_positive())) {
        frames.push_back(shapes::order_trade_update(*o, w, ps, "TRADE", e.status == OrderStatus::filled ? "FILLED" : "PARTIALLY_FILLED", now));
        changed.emplace(o->symbol, ps);
      }
      if (e.status == OrderStatus::canceled)
        frames.push_back(shapes::order_trade_update(*o, w, ps, o->filled_qty.is_positive() ? "EXPIRED" : "CANCELED",
                                                    shapes::order_status(*o), now));
    } else {
      if (placed) frames.push_back(shapes::algo_update(*o, w, ps, "NEW", now));
      if (!placed || e.status != OrderStatus::open) frames.push_back(shapes::algo_update(*o, w, ps, shapes::algo_status(e.status), now));
      if (e.status == OrderStatus::filled) changed.emplace(o->symbol, ps);
    }
  }
  if (!changed.empty()) {
    auto rows = position_rows(true);
    std::erase_if(rows, [&](const auto& r) { return !changed.count({r.symbol, r.position_side}); });
    frames.push_back(shapes::account_update(account(), rows, now));
  }
}

}  // namespace ptp::exchange::loopback
