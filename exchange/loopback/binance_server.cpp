#include "exchange/loopback/binance_server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

#include <algorithm>
#include <cctype>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <thread>

#include "core/text.hpp"
#include "exchange/hmac.hpp"

namespace ptp::exchange::loopback {
namespace {

using WsServer = websocketpp::server<websocketpp::config::asio>;
using Hdl = websocketpp::connection_hdl;
using core::OrderKind;
using core::OrderStatus;

std::string percent_decode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += in[i] == '+' ? ' ' : in[i];
    }
  }
  return out;
}

using Params = std::map<std::string, std::string>;

void parse_params(std::string_view text, Params& out) {
  while (!text.empty()) {
    const auto amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos) out[percent_decode(pair.substr(0, eq))] = percent_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp + 1);
  }
}

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

std::string order_type_of(const core::OrderState& o) {
  switch (o.kind) {
    case OrderKind::market_close: return "MARKET";
    case OrderKind::stop: return "STOP_MARKET";
    case OrderKind::take_profit: return "TAKE_PROFIT_MARKET";
  }
  return "MARKET";
}

std::string order_status_of(OrderStatus s) {
  switch (s) {
    case OrderStatus::open: return "NEW";
    case OrderStatus::partially_filled: return "PARTIALLY_FILLED";
    case OrderStatus::filled: return "FILLED";
    case OrderStatus::canceled: return "CANCELED";
    case OrderStatus::rejected: return "REJECTED";
    case OrderStatus::triggered: return "FILLED";
  }
  return "NEW";
}

std::string algo_status_of(OrderStatus s) {
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

std::string side_of(const core::OrderState& o) { return o.position_side == core::Side::long_ ? "SELL" : "BUY"; }

}  // namespace

struct BinanceServer::Impl {
  enum class StreamKind : unsigned char { mark_price, book_ticker, silent, user };
  struct Subscription {
    StreamKind kind = StreamKind::silent;
    bool combined = false;
    bool open = false;
    std::set<std::string> symbols;  // lower case "ethusdt"
  };

  std::shared_ptr<SimExchange> sim;
  BinanceServerOptions options;
  WsServer server;
  std::thread thread;
  std::uint16_t port = 0;
  std::map<Hdl, Subscription, std::owner_less<Hdl>> subscriptions;  // io thread only
  std::set<std::string> listen_keys;
  std::deque<HttpFault> faults;
  OrderHook order_hook;
  std::map<std::string, OrderStatus> known;  // client id -> last status pushed to the user stream
  std::int64_t skew_ms = 0;
  std::int64_t weight_minute = 0;
  int weight = 0;
  std::uint64_t next_listen_key = 1;
  std::shared_ptr<asio::steady_timer> ticker;
  mutable std::mutex counters_mu;
  ServerCounters counters;

  Impl(std::shared_ptr<SimExchange> s, BinanceServerOptions o) : sim(std::move(s)), options(std::move(o)) {
    server.clear_access_channels(websocketpp::log::alevel::all);
    server.clear_error_channels(websocketpp::log::elevel::all);
    server.init_asio();
    server.set_reuse_addr(true);
    server.set_http_handler([this](Hdl h) { on_http(h); });
    server.set_validate_handler([this](Hdl h) { return on_validate(h); });
    server.set_open_handler([this](Hdl h) { count_connection(h, +1); });
    server.set_close_handler([this](Hdl h) { forget(h); });
    server.set_fail_handler([this](Hdl h) { forget(h); });
    server.listen(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), options.port));
    server.start_accept();
    websocketpp::lib::error_code ec;
    port = server.get_local_endpoint(ec).port();
    for (const auto& order : sim->order_log()) known[order.ref.client_id] = order.status;
    if (options.tick_interval.count() > 0) {
      ticker = std::make_shared<asio::steady_timer>(server.get_io_service());
      arm_ticker();
    }
    thread = std::thread([this] { server.run(); });
  }

  ~Impl() {
    run_on_io([this] {
      if (ticker) ticker->cancel();
      server.stop_listening();
      for (auto& [h, sub] : subscriptions) {
        websocketpp::lib::error_code ec;
        server.close(h, websocketpp::close::status::going_away, "server stopping", ec);
      }
    });
    server.stop();
    thread.join();
  }

  // Runs `f` on the server's I/O thread and waits: test calls stay ordered with the frames.
  template <class F>
  auto run_on_io(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto done = task.get_future();
    asio::post(server.get_io_service(), [&task] { task(); });
    return done.get();
  }

  void arm_ticker() {
    ticker->expires_after(options.tick_interval);
    ticker->async_wait([this](const asio::error_code& ec) {
      if (ec) return;
      for (const auto& t : sim->step()) push_mark(t);
      push_order_events();
      arm_ticker();
    });
  }

  // ---- websockets ----

  bool on_validate(Hdl h) {
    auto con = server.get_con_from_hdl(h);
    const std::string resource = con->get_resource();
    const auto q = resource.find('?');
    const std::string path = resource.substr(0, q);
    Params params;
    if (q != std::string::npos) parse_params(std::string_view(resource).substr(q + 1), params);
    Subscription sub;
    auto add_streams = [&](const std::string& list) {
      std::size_t start = 0;
      while (start <= list.size()) {
        const auto slash = list.find('/', start);
        const std::string name = list.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        const auto at = name.find('@');
        if (at != std::string::npos) {
          const std::string stream = name.substr(at);
          if (stream == "@markPrice" || stream == "@markPrice@1s") {
            if (path.rfind("/market", 0) != 0) return false;  // markPrice lives on /market only
            sub.kind = StreamKind::mark_price;
          } else if (stream == "@bookTicker") {
            if (path.rfind("/public", 0) != 0) return false;
            sub.kind = StreamKind::book_ticker;
          } else {
            return false;
          }
          sub.symbols.insert(name.substr(0, at));
        }
        if (slash == std::string::npos) break;
        start = slash + 1;
      }
      return true;
    };
    if (path == "/market/stream" || path == "/public/stream") {
      sub.combined = true;
      if (!add_streams(params["streams"]) || sub.symbols.size() > 1024) return reject_ws(con, 400);
    } else if (path.rfind("/market/ws/", 0) == 0 || path.rfind("/public/ws/", 0) == 0) {
      if (!add_streams(path.substr(path.find("/ws/") + 4))) return reject_ws(con, 400);
    } else if (path == "/private/ws") {
      if (!listen_keys.count(params["listenKey"])) return reject_ws(con, 400);
      sub.kind = StreamKind::user;
    } else if (path == "/stream" || path.rfind("/ws", 0) == 0) {
      sub.kind = StreamKind::silent;  // the retired pre-2026 routes: a handshake, then nothing
    } else {
      return reject_ws(con, 404);
    }
    subscriptions[h] = std::move(sub);
    return true;
  }

  bool reject_ws(const WsServer::connection_ptr& con, int status) {
    con->set_status(static_cast<websocketpp::http::status_code::value>(status));
    return false;
  }

  void count_connection(Hdl h, int delta) {
    auto it = subscriptions.find(h);
    if (it == subscriptions.end() || it->second.open == (delta > 0)) return;
    it->second.open = delta > 0;
    std::lock_guard lock(counters_mu);
    auto& n = it->second.kind == StreamKind::user ? counters.user_connections : counters.market_connections;
    n = static_cast<std::uint64_t>(static_cast<std::int64_t>(n) + delta);
  }

  void forget(Hdl h) {
    count_connection(h, -1);
    subscriptions.erase(h);
  }

  void send(Hdl h, const std::string& text) {
    websocketpp::lib::error_code ec;
    server.send(h, text, websocketpp::frame::opcode::text, ec);
    if (!ec) {
      std::lock_guard lock(counters_mu);
      ++counters.frames_sent;
    }
  }

  void push_mark(const core::PriceTick& t) {
    const std::string sym = t.symbol.binance();
    const std::string key = core::ascii_lower(sym);
    const std::int64_t now = server_ms();
    for (auto& [h, sub] : subscriptions) {
      if (!sub.symbols.count(key)) continue;
      std::string data, stream;
      if (sub.kind == StreamKind::mark_price) {
        stream = key + "@markPrice@1s";
        data = fmt::format(R"({{"e":"markPriceUpdate","E":{},"s":"{}","p":"{}","i":"{}","P":"{}","r":"0.00010000","T":{}}})",
                           now, sym, t.price.str(), t.price.str(), t.price.str(), now + 3'600'000);
      } else if (sub.kind == StreamKind::book_ticker) {
        stream = key + "@bookTicker";
        data = fmt::format(R"({{"e":"bookTicker","u":{},"s":"{}","b":"{}","B":"10","a":"{}","A":"10","T":{},"E":{}}})", now,
                           sym, t.price.str(), t.price.str(), now, now);
      } else {
        continue;
      }
      send(h, sub.combined ? fmt::format(R"({{"stream":"{}","data":{}}})", stream, data) : data);
    }
  }

  void push_user(const std::string& frame) {
    for (auto& [h, sub] : subscriptions)
      if (sub.kind == StreamKind::user) send(h, frame);
  }

  // Every order whose status changed since the last push becomes an ORDER_TRADE_UPDATE (market
  // orders) or ALGO_UPDATE (conditional orders), then one ACCOUNT_UPDATE if anything filled.
  void push_order_events() {
    bool filled = false;
    const std::int64_t now = server_ms();
    for (const auto& o : sim->order_log()) {
      auto [it, fresh] = known.try_emplace(o.ref.client_id, o.status);
      if (!fresh && it->second == o.status) continue;
      it->second = o.status;
      const std::string ps = options.hedge_mode ? (o.position_side == core::Side::long_ ? "LONG" : "SHORT") : "BOTH";
      if (o.kind == OrderKind::market_close) {
        filled = filled || o.status == OrderStatus::filled;
        push_user(fmt::format(
            R"({{"e":"ORDER_TRADE_UPDATE","E":{},"T":{},"o":{{"s":"{}","c":"{}","S":"{}","o":"MARKET","f":"GTC","q":"{}","p":"0","ap":"{}","sp":"0","x":"{}","X":"{}","i":{},"l":"{}","z":"{}","L":"{}","T":{},"R":true,"ps":"{}","ot":"MARKET","rp":"0"}}}})",
            now, now, o.symbol.binance(), o.ref.client_id, side_of(o), o.qty.str(), o.avg_fill_price.str(),
            o.status == OrderStatus::filled ? "TRADE" : "NEW", order_status_of(o.status), o.ref.exchange_id,
            o.filled_qty.str(), o.filled_qty.str(), o.avg_fill_price.str(), now, ps));
      } else {
        filled = filled || o.status == OrderStatus::filled || o.status == OrderStatus::triggered;
        push_user(fmt::format(
            R"({{"e":"ALGO_UPDATE","T":{},"E":{},"o":{{"caid":"{}","aid":{},"at":"CONDITIONAL","o":"{}","s":"{}","S":"{}","ps":"{}","f":"GTC","q":"{}","X":"{}","tp":"{}","wt":"MARK_PRICE","R":true}}}})",
            now, now, o.ref.client_id, o.ref.exchange_id, order_type_of(o), o.symbol.binance(), side_of(o), ps,
            o.qty.str(), algo_status_of(o.status), o.trigger_price.str()));
      }
    }
    if (filled) push_user(fmt::format(R"({{"e":"ACCOUNT_UPDATE","E":{},"T":{},"a":{{"m":"ORDER","B":[],"P":[]}}}})", now, now));
  }

  // ---- REST ----

  std::int64_t server_ms() const { return core::wall_now_ms() + skew_ms; }

  void answer(const WsServer::connection_ptr& con, int status, const std::string& body) {
    con->set_status(static_cast<websocketpp::http::status_code::value>(status));
    con->append_header("Content-Type", "application/json");
    const std::int64_t minute = server_ms() / 60'000;
    if (minute != weight_minute) {
      weight_minute = minute;
      weight = 0;
    }
    con->append_header("X-MBX-USED-WEIGHT-1M", std::to_string(++weight));
    con->set_body(body);
  }

  void error(const WsServer::connection_ptr& con, const ApiError& e) {
    answer(con, e.status, fmt::format(R"({{"code":{},"msg":"{}"}})", e.code, e.msg));
  }

  void on_http(Hdl h) {
    auto con = server.get_con_from_hdl(h);
    {
      std::lock_guard lock(counters_mu);
      ++counters.requests;
    }
    const std::string& resource = con->get_resource();
    const std::string method = con->get_request().get_method();
    const auto q = resource.find('?');
    const std::string path = resource.substr(0, q);
    const std::string query = q == std::string::npos ? "" : resource.substr(q + 1);
    const std::string& body = con->get_request_body();
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (it->path != "*" && it->path != path) continue;
      if (it->method != "*" && it->method != method) continue;
      if (it->retry_after_s >= 0) con->append_header("Retry-After", std::to_string(it->retry_after_s));
      error(con, {it->status, it->code, it->msg});
      if (--it->count <= 0) faults.erase(it);
      return;
    }
    Params params;
    parse_params(query, params);
    parse_params(body, params);
    std::optional<OrderRequestEvent> event;
    if (order_hook && (method == "POST" || method == "DELETE") &&
        (path == "/fapi/v1/order" || path == "/fapi/v1/algoOrder")) {
      const std::string client = opt(params, path == "/fapi/v1/order" ? "newClientOrderId" : "clientAlgoId");
      event = OrderRequestEvent{method, path, client, false};
      if (!order_hook(*event)) {
        error(con, {503, -1001, "Internal error; unable to process your request. Please try again."});
        return;
      }
    }
    try {
      route(con, method, path, query, body, params);
    } catch (const ApiError& e) {
      error(con, e);
    } catch (const ExchangeError& e) {
      error(con, from_exchange_error(e));
    } catch (const std::exception& e) {
      error(con, {400, -1102, std::string("A mandatory parameter was not sent, was empty/null, or malformed: ") + e.what()});
    }
    if (event) {
      event->served = true;
      order_hook(*event);
    }
    push_order_events();
  }

  static std::string need(const Params& p, const std::string& key) {
    auto it = p.find(key);
    if (it == p.end() || it->second.empty())
      throw ApiError{400, -1102, "Mandatory parameter '" + key + "' was not sent, was empty/null, or malformed."};
    return it->second;
  }

  static std::string opt(const Params& p, const std::string& key) {
    auto it = p.find(key);
    return it == p.end() ? std::string() : it->second;
  }

  void check_key(const WsServer::connection_ptr& con) const {
    if (con->get_request_header("X-MBX-APIKEY") != options.api_key)
      throw ApiError{401, -2015, "Invalid API-key, IP, or permissions for action."};
  }

  // totalParams = query string + body, the signature last (Binance's rules, section 1.6).
  void check_signature(const WsServer::connection_ptr& con, const std::string& query, const std::string& body,
                       const Params& params) {
    check_key(con);
    std::string total = query + body;
    const auto at = total.rfind("signature=");
    if (at == std::string::npos) throw ApiError{400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed."};
    const std::string given = core::ascii_lower(total.substr(at + 10));
    std::string signed_part = total.substr(0, at);
    if (!signed_part.empty() && signed_part.back() == '&') signed_part.pop_back();
    if (given != hmac_sha256_hex(options.secret, signed_part)) {
      std::lock_guard lock(counters_mu);
      ++counters.bad_signatures;
      throw ApiError{400, -1022, "Signature for this request is not valid."};
    }
    const std::int64_t ts = std::stoll(need(params, "timestamp"));
    const std::string rw = opt(params, "recvWindow");
    const std::int64_t recv_window = rw.empty() ? 5000 : std::stoll(rw);
    const std::int64_t now = server_ms();
    if (!(ts < now + 1000 && now - ts <= recv_window)) {
      std::lock_guard lock(counters_mu);
      ++counters.stale_timestamps;
      throw ApiError{400, -1021, "Timestamp for this request is outside of the recvWindow."};
    }
  }

  core::Symbol symbol_param(const Params& p) {
    const std::string s = need(p, "symbol");
    for (const auto& sym : sim->symbols())
      if (sym.binance() == s) return sym;
    throw ApiError{400, -1121, "Invalid symbol."};
  }

  // The position an order reduces, checked against the account's mode like Binance does.
  core::Side reduced_side(const Params& p) {
    const std::string side = need(p, "side");
    if (side != "BUY" && side != "SELL") throw ApiError{400, -1102, "Invalid side."};
    const std::string ps = opt(p, "positionSide");
    if (options.hedge_mode) {
      if (ps != "LONG" && ps != "SHORT") throw ApiError{400, -4061, "Order's position side does not match user's setting."};
      if (!opt(p, "reduceOnly").empty()) throw ApiError{400, -1106, "Parameter 'reduceOnly' sent when not required."};
      const core::Side s = ps == "LONG" ? core::Side::long_ : core::Side::short_;
      if ((s == core::Side::long_) != (side == "SELL")) throw ApiError{400, -2022, "ReduceOnly Order is rejected."};
      return s;
    }
    if (!ps.empty() && ps != "BOTH") throw ApiError{400, -4061, "Order's position side does not match user's setting."};
    if (opt(p, "reduceOnly") != "true") throw ApiError{400, -4062, "Invalid or improper reduceOnly value."};
    return side == "SELL" ? core::Side::long_ : core::Side::short_;
  }

  static void check_client_id(const std::string& id) {
    static const std::regex pattern(R"(^[\.A-Z\:/a-z0-9_-]{1,36}$)");
    if (!std::regex_match(id, pattern)) throw ApiError{400, -4015, "Client order id is not valid."};
  }

  std::string position_side_text(core::Side s) const {
    return options.hedge_mode ? (s == core::Side::long_ ? "LONG" : "SHORT") : "BOTH";
  }

  std::string order_json(const core::OrderState& o) const {
    return fmt::format(
        R"({{"clientOrderId":"{}","cumQty":"{}","cumQuote":"0","executedQty":"{}","orderId":{},"avgPrice":"{}","origQty":"{}","price":"0","reduceOnly":true,"side":"{}","positionSide":"{}","status":"{}","stopPrice":"0","closePosition":false,"symbol":"{}","timeInForce":"GTC","type":"MARKET","origType":"MARKET","updateTime":{},"workingType":"CONTRACT_PRICE","priceProtect":false}})",
        o.ref.client_id, o.filled_qty.str(), o.filled_qty.str(), o.ref.exchange_id, o.avg_fill_price.str(), o.qty.str(),
        side_of(o), position_side_text(o.position_side), order_status_of(o.status), o.symbol.binance(), server_ms());
  }

  std::string algo_json(const core::OrderState& o) const {
    return fmt::format(
        R"({{"algoId":{},"clientAlgoId":"{}","algoType":"CONDITIONAL","orderType":"{}","symbol":"{}","side":"{}","positionSide":"{}","timeInForce":"GTC","quantity":"{}","algoStatus":"{}","triggerPrice":"{}","price":"0","workingType":"MARK_PRICE","closePosition":false,"priceProtect":false,"reduceOnly":true,"createTime":{},"updateTime":{},"triggerTime":0}})",
        o.ref.exchange_id, o.ref.client_id, order_type_of(o), o.symbol.binance(), side_of(o),
        position_side_text(o.position_side), o.qty.str(), algo_status_of(o.status), o.trigger_price.str(), server_ms(),
        server_ms());
  }

  std::optional<core::OrderState> find_order(const core::Symbol& symbol, const Params& p, bool algo) {
    const std::string client = opt(p, algo ? "clientAlgoId" : "origClientOrderId");
    const std::string id = opt(p, algo ? "algoId" : "orderId");
    if (client.empty() && id.empty())
      throw ApiError{400, -1102, algo ? "Either algoId or clientAlgoId must be sent." : "Either orderId or origClientOrderId must be sent."};
    if (!client.empty()) {
      auto o = sim->query(symbol, client);  // advances a delayed fill, like a real query would see it fill
      if (o && (o->kind == OrderKind::market_close) != algo) return o;
      return std::nullopt;
    }
    for (const auto& o : sim->order_log())
      if (o.symbol == symbol && o.ref.exchange_id == id && (o.kind == OrderKind::market_close) != algo) return o;
    return std::nullopt;
  }

  void route(const WsServer::connection_ptr& con, const std::string& method, const std::string& path,
             const std::string& query, const std::string& body, const Params& p) {
    auto ok = [&](const std::string& json) { answer(con, 200, json); };
    auto is = [&](const char* m, const char* pth) { return method == m && path == pth; };
    if (is("GET", "/fapi/v1/time")) return ok(fmt::format(R"({{"serverTime":{}}})", server_ms()));
    if (is("GET", "/fapi/v1/ping")) return ok("{}");
    if (is("GET", "/fapi/v1/exchangeInfo")) return ok(exchange_info());
    if (is("GET", "/fapi/v1/premiumIndex")) {
      const core::Symbol s = symbol_param(p);
      const std::string m = sim->mark_price(s).str();
      return ok(fmt::format(
          R"({{"symbol":"{}","markPrice":"{}","indexPrice":"{}","estimatedSettlePrice":"{}","lastFundingRate":"0.00010000","interestRate":"0.00010000","nextFundingTime":{},"time":{}}})",
          s.binance(), m, m, m, server_ms() + 3'600'000, server_ms()));
    }
    if (path == "/fapi/v1/listenKey") {
      check_key(con);
      if (method == "POST") {
        if (listen_keys.empty()) listen_keys.insert(fmt::format("ptpSimListenKey{:016d}", next_listen_key++));
        return ok(fmt::format(R"({{"listenKey":"{}"}})", *listen_keys.begin()));
      }
      if (listen_keys.empty()) throw ApiError{400, -1125, "This listenKey does not exist."};
      if (method == "DELETE") listen_keys.clear();
      return ok("{}");
    }
    // Everything below is signed.
    check_signature(con, query, body, p);
    if (is("GET", "/fapi/v1/positionSide/dual"))
      return ok(fmt::format(R"({{"dualSidePosition":{}}})", options.hedge_mode ? "true" : "false"));
    if (is("GET", "/fapi/v2/positionRisk") || is("GET", "/fapi/v3/positionRisk")) return ok(position_risk());
    if (is("POST", "/fapi/v1/order")) {
      const std::string type = need(p, "type");
      if (type == "STOP" || type == "STOP_MARKET" || type == "TAKE_PROFIT" || type == "TAKE_PROFIT_MARKET" ||
          type == "TRAILING_STOP_MARKET")
        throw ApiError{400, -4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead."};
      if (type != "MARKET") throw ApiError{400, -1116, "Invalid orderType."};
      const core::Symbol s = symbol_param(p);
      const core::Side side = reduced_side(p);
      const std::string client = need(p, "newClientOrderId");
      check_client_id(client);
      {
        std::lock_guard lock(counters_mu);
        ++counters.order_posts;
      }
      return ok(order_json(sim->close_market(s, side, core::Qty::parse(need(p, "quantity")), client)));
    }
    if (is("GET", "/fapi/v1/order")) {
      const core::Symbol s = symbol_param(p);
      if (auto o = find_order(s, p, false)) return ok(order_json(*o));
      throw ApiError{400, -2013, "Order does not exist."};
    }
    if (is("POST", "/fapi/v1/algoOrder")) {
      if (need(p, "algoType") != "CONDITIONAL") throw ApiError{400, -1102, "algoType must be CONDITIONAL."};
      const std::string type = need(p, "type");
      if (type != "STOP_MARKET" && type != "TAKE_PROFIT_MARKET") throw ApiError{400, -1116, "Invalid orderType."};
      const core::Symbol s = symbol_param(p);
      const core::Side side = reduced_side(p);
      const std::string client = need(p, "clientAlgoId");
      check_client_id(client);
      const OrderKind kind = type == "STOP_MARKET" ? OrderKind::stop : OrderKind::take_profit;
      return ok(algo_json(sim->place_conditional(kind, s, side, core::Price::parse(need(p, "triggerPrice")),
                                                 core::Qty::parse(need(p, "quantity")), client)));
    }
    if (is("GET", "/fapi/v1/algoOrder")) {
      const core::Symbol s = symbol_param(p);
      if (auto o = find_order(s, p, true)) return ok(algo_json(*o));
      throw ApiError{400, -2013, "Order does not exist."};
    }
    if (is("DELETE", "/fapi/v1/algoOrder")) {
      const core::Symbol s = symbol_param(p);
      auto o = find_order(s, p, true);
      if (!o) throw ApiError{400, -2011, "Unknown order sent."};
      sim->cancel(s, o->ref);
      return ok(fmt::format(R"({{"algoId":{},"clientAlgoId":"{}","code":"200","msg":"success"}})", o->ref.exchange_id,
                            o->ref.client_id));
    }
    if (is("GET", "/fapi/v1/openAlgoOrders")) {
      std::string out = "[";
      for (const auto& o : sim->open_orders()) {
        if (o.kind == OrderKind::market_close) continue;
        if (out.size() > 1) out += ',';
        out += algo_json(o);
      }
      return ok(out + "]");
    }
    throw ApiError{404, -1000, "No such endpoint: " + method + " " + path};
  }

  std::string exchange_info() {
    std::string symbols;
    for (const auto& s : sim->symbols()) {
      const auto f = sim->filters(s);
      if (!symbols.empty()) symbols += ',';
      symbols += fmt::format(
          R"({{"symbol":"{}","pair":"{}","contractType":"PERPETUAL","status":"TRADING","baseAsset":"{}","quoteAsset":"{}","marginAsset":"USDT","pricePrecision":8,"quantityPrecision":8,"filters":[{{"filterType":"PRICE_FILTER","minPrice":"{}","maxPrice":"1000000","tickSize":"{}"}},{{"filterType":"LOT_SIZE","minQty":"{}","maxQty":"100000","stepSize":"{}"}},{{"filterType":"MARKET_LOT_SIZE","minQty":"{}","maxQty":"10000","stepSize":"{}"}},{{"filterType":"MAX_NUM_ORDERS","limit":200}},{{"filterType":"MIN_NOTIONAL","notional":"{}"}}],"orderTypes":["LIMIT","MARKET","STOP","STOP_MARKET","TAKE_PROFIT","TAKE_PROFIT_MARKET","TRAILING_STOP_MARKET"]}})",
          s.binance(), s.binance(), s.base(), s.quote(), f.tick_size.str(), f.tick_size.str(), f.min_qty.str(),
          f.step_size.str(), f.min_qty.str(), f.step_size.str(), f.min_notional.str());
    }
    return fmt::format(R"({{"timezone":"UTC","serverTime":{},"rateLimits":[{{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":2400}}],"assets":[],"symbols":[{}]}})",
                       server_ms(), symbols);
  }

  std::string position_risk() {
    std::string out = "[";
    for (const auto& pos : sim->open_positions()) {
      if (out.size() > 1) out += ',';
      // A short's positionAmt is negative in both modes; hedge mode also names the side.
      const std::string ps = position_side_text(pos.side);
      const std::string amt = (pos.side == core::Side::short_ ? "-" : "") + pos.size.str();
      out += fmt::format(
          R"({{"symbol":"{}","positionAmt":"{}","entryPrice":"{}","breakEvenPrice":"{}","markPrice":"{}","unRealizedProfit":"0","liquidationPrice":"0","leverage":"10","maxNotionalValue":"1000000","marginType":"cross","isolatedMargin":"0","isAutoAddMargin":"false","positionSide":"{}","notional":"0","isolatedWallet":"0","updateTime":{}}})",
          pos.symbol.binance(), amt, pos.entry.str(), pos.entry.str(), sim->mark_price(pos.symbol).str(), ps, server_ms());
    }
    return out + "]";
  }
};

BinanceServer::BinanceServer(std::shared_ptr<SimExchange> sim, BinanceServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(sim), std::move(options))) {}
BinanceServer::~BinanceServer() = default;

std::uint16_t BinanceServer::port() const { return impl_->port; }
std::string BinanceServer::rest_url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }
std::string BinanceServer::ws_url() const { return "ws://127.0.0.1:" + std::to_string(impl_->port); }

core::PriceTick BinanceServer::set_mark(const core::Symbol& symbol, core::Price price) {
  return impl_->run_on_io([&] {
    const auto t = impl_->sim->set_mark(symbol, price);
    impl_->push_mark(t);
    impl_->push_order_events();
    return t;
  });
}

void BinanceServer::step() {
  impl_->run_on_io([&] {
    for (const auto& t : impl_->sim->step()) impl_->push_mark(t);
    impl_->push_order_events();
  });
}

void BinanceServer::inject(HttpFault fault) { impl_->run_on_io([&] { impl_->faults.push_back(std::move(fault)); }); }

void BinanceServer::set_order_hook(OrderHook hook) {
  impl_->run_on_io([&] { impl_->order_hook = std::move(hook); });
}

void BinanceServer::set_clock_skew(std::chrono::milliseconds skew) {
  impl_->run_on_io([&] { impl_->skew_ms = skew.count(); });
}

void BinanceServer::drop_streams() {
  impl_->run_on_io([&] {
    for (auto& [h, sub] : impl_->subscriptions) {
      websocketpp::lib::error_code ec;
      impl_->server.close(h, websocketpp::close::status::going_away, "dropped by the simulator", ec);
    }
  });
}

void BinanceServer::send_market_frame(const std::string& frame) {
  impl_->run_on_io([&] {
    for (auto& [h, sub] : impl_->subscriptions)
      if (sub.kind == Impl::StreamKind::mark_price || sub.kind == Impl::StreamKind::book_ticker) impl_->send(h, frame);
  });
}

ServerCounters BinanceServer::counters() const {
  std::lock_guard lock(impl_->counters_mu);
  return impl_->counters;
}

SimExchange& BinanceServer::sim() { return *impl_->sim; }

}  // namespace ptp::exchange::loopback
