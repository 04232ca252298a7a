// The transport of the simulator's Binance face: HTTP requests handed to BinanceFace, and the
// websockets (market and public streams, named in the URL or subscribed by message, and the user
// data stream by listenKey). Everything runs on the server's one I/O thread.
#include "exchange/loopback/binance_server.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "core/text.hpp"
#include "exchange/binance/symbols.hpp"
#include "exchange/loopback/binance_face.hpp"

namespace ptp::exchange::loopback {
namespace {

using WsServer = websocketpp::server<websocketpp::config::asio>;
using Hdl = websocketpp::connection_hdl;
namespace shapes = binance_shapes;

// Where a websocket connected: since 2026 Binance serves mark prices on /market, book tickers on
// /public and user data on /private; the retired routes (/ws, /stream) shake hands and stay silent.
enum class WsRoute : unsigned char { market, public_, user, retired };

// "Connections exceeding this limit [10 incoming messages per second] will be disconnected."
constexpr int kMessagesPerSecond = 10;
// "A single connection can listen to a maximum of 1024 streams."
constexpr std::size_t kMaxStreams = 1024;

struct Connection {
  WsRoute route = WsRoute::retired;
  bool combined = false;          // frames wrapped as {"stream":..,"data":..} (/stream URLs, SET_PROPERTY)
  bool open = false;
  std::set<std::string> streams;  // as subscribed: "ethusdt@markPrice@1s", "!markPrice@arr"
  std::int64_t window_second = 0;
  int window_messages = 0;
};

// Whether `route` serves the stream named `name`, e.g. "ethusdt@markPrice@1s" on /market ("All
// symbols for streams are lowercase").
bool serves(WsRoute route, std::string_view name) {
  const auto at = name.find('@');
  if (at == std::string_view::npos || at == 0) return false;
  if (core::ascii_lower(name.substr(0, at)) != name.substr(0, at)) return false;
  const std::string_view stream = name.substr(at);
  const bool all = name[0] == '!';
  if (route == WsRoute::market)
    return all ? (name == "!markPrice@arr" || name == "!markPrice@arr@1s") : (stream == "@markPrice" || stream == "@markPrice@1s");
  if (route == WsRoute::public_) return all ? name == "!bookTicker" : stream == "@bookTicker";
  return false;
}

std::string ws_error(int code, const std::string& msg, std::optional<std::uint64_t> id) {
  return id ? fmt::format(R"({{"error":{{"code":{},"msg":"{}"}},"id":{}}})", code, msg, *id)
            : fmt::format(R"({{"error":{{"code":{},"msg":"{}"}}}})", code, msg);
}

}  // namespace

struct BinanceServer::Impl {
  std::shared_ptr<SimExchange> sim;
  BinanceServerOptions options;
  BinanceFace face;
  WsServer server;
  std::thread thread;
  std::uint16_t port = 0;
  std::map<Hdl, Connection, std::owner_less<Hdl>> connections;  // io thread only
  std::deque<HttpFault> faults;
  OrderHook order_hook;
  std::int64_t weight_minute = 0;
  int weight = 0;
  simdjson::dom::parser json;
  std::shared_ptr<asio::steady_timer> ticker;
  mutable std::mutex counters_mu;
  ServerCounters counters;

  Impl(std::shared_ptr<SimExchange> s, BinanceServerOptions o)
      : sim(std::move(s)), options(std::move(o)), face(sim, options) {
    server.clear_access_channels(websocketpp::log::alevel::all);
    server.clear_error_channels(websocketpp::log::elevel::all);
    server.init_asio();
    server.set_reuse_addr(true);
    server.set_http_handler([this](Hdl h) { on_http(h); });
    server.set_validate_handler([this](Hdl h) { return on_validate(h); });
    server.set_open_handler([this](Hdl h) { count_connection(h, +1); });
    server.set_close_handler([this](Hdl h) { forget(h); });
    server.set_fail_handler([this](Hdl h) { forget(h); });
    server.set_message_handler([this](Hdl h, WsServer::message_ptr m) { on_message(h, m->get_payload()); });
    server.listen(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), options.port));
    server.start_accept();
    websocketpp::lib::error_code ec;
    port = server.get_local_endpoint(ec).port();
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
      for (auto& [h, c] : connections) {
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
      push_user_frames();
      arm_ticker();
    });
  }

  // ---- websockets ----

  bool on_validate(Hdl h) {
    auto con = server.get_con_from_hdl(h);
    const std::string resource = con->get_resource();
    const auto q = resource.find('?');
    const std::string path = resource.substr(0, q);
    const auto params = BinanceFace::query_params(q == std::string::npos ? "" : resource.substr(q + 1));
    auto param = [&](const std::string& name) {
      auto it = params.find(name);
      return it == params.end() ? std::string() : it->second;
    };
    Connection c;
    // Streams named in the URL ("/market/ws/ethusdt@markPrice@1s", "/market/stream?streams=a/b");
    // a name that is no stream ("/market/ws/0", as ccxt opens them) subscribes by message later.
    auto add_streams = [&](const std::string& list) {
      for (std::size_t start = 0; start <= list.size();) {
        const auto slash = list.find('/', start);
        const std::string name = list.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (name.find('@') != std::string::npos) {
          if (!serves(c.route, name)) return false;  // e.g. markPrice asked of /public
          c.streams.insert(name);
        }
        if (slash == std::string::npos) break;
        start = slash + 1;
      }
      return c.streams.size() <= kMaxStreams;
    };
    const bool market = path.rfind("/market/", 0) == 0, public_ = path.rfind("/public/", 0) == 0;
    if (market || public_) {
      c.route = market ? WsRoute::market : WsRoute::public_;
      const std::string rest = path.substr(8);  // after "/market/" or "/public/"
      if (rest == "stream") {
        c.combined = true;
        if (!add_streams(param("streams"))) return reject_ws(con, 400);
      } else if (rest == "ws" || rest.rfind("ws/", 0) == 0) {
        if (rest.size() > 3 && !add_streams(rest.substr(3))) return reject_ws(con, 400);
      } else {
        return reject_ws(con, 404);
      }
    } else if (path == "/private/ws") {
      if (!face.listen_key_valid(param("listenKey"))) return reject_ws(con, 400);
      c.route = WsRoute::user;
    } else if (path == "/stream" || path.rfind("/ws", 0) == 0) {
      c.route = WsRoute::retired;
    } else {
      return reject_ws(con, 404);
    }
    connections[h] = std::move(c);
    return true;
  }

  bool reject_ws(const WsServer::connection_ptr& con, int status) {
    con->set_status(static_cast<websocketpp::http::status_code::value>(status));
    return false;
  }

  // The live-subscription protocol: SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY and
  // GET_PROPERTY ("combined"), with Binance's answers and error codes.
  void on_message(Hdl h, const std::string& text) {
    auto it = connections.find(h);
    if (it == connections.end()) return;
    Connection& c = it->second;
    const std::int64_t second = face.now_ms() / 1000;
    if (second != c.window_second) {
      c.window_second = second;
      c.window_messages = 0;
    }
    if (++c.window_messages > kMessagesPerSecond) {
      websocketpp::lib::error_code ec;
      server.close(h, websocketpp::close::status::policy_violation, "Too many requests", ec);
      return;
    }
    if (c.route != WsRoute::market && c.route != WsRoute::public_) return;  // nothing to ask of these
    simdjson::dom::element doc;
    if (json.parse(text).get(doc) || !doc.is_object())
      return send(h, ws_error(3, "Invalid JSON: expected value at line 1 column 1", std::nullopt));
    std::uint64_t id = 0;
    if (doc["id"].get(id)) return send(h, ws_error(2, "Invalid request: request ID must be an unsigned integer", std::nullopt));
    std::string_view method;
    if (doc["method"].get(method)) return send(h, ws_error(2, "Invalid request: missing field `method`", id));
    simdjson::dom::array params;
    const bool has_params = !doc["params"].get(params);
    auto names = [&](std::vector<std::string>& out) {
      if (!has_params) return false;
      for (auto v : params) {
        std::string_view name;
        if (v.get(name)) return false;
        out.emplace_back(name);
      }
      return true;
    };
    if (method == "SUBSCRIBE" || method == "UNSUBSCRIBE") {
      std::vector<std::string> list;
      if (!names(list)) return send(h, ws_error(2, "Invalid request: params must be a list of stream names", id));
      for (const auto& n : list)
        if (!serves(c.route, n))
          return send(h, ws_error(2, fmt::format("Invalid request: stream {} is not served on /{}", n,
                                                 c.route == WsRoute::market ? "market" : "public"),
                                  id));
      std::set<std::string> after = c.streams;
      for (const auto& n : list) {
        if (method == "SUBSCRIBE") after.insert(n);
        else after.erase(n);
      }
      if (after.size() > kMaxStreams) return send(h, ws_error(2, "Invalid request: too many streams", id));
      c.streams = std::move(after);
      return send(h, fmt::format(R"({{"result":null,"id":{}}})", id));
    }
    if (method == "LIST_SUBSCRIPTIONS") {
      std::string list;
      for (const auto& n : c.streams) list += (list.empty() ? "\"" : ",\"") + n + "\"";
      return send(h, fmt::format(R"({{"result":[{}],"id":{}}})", list, id));
    }
    if (method == "SET_PROPERTY" || method == "GET_PROPERTY") {
      std::string_view property;
      if (!has_params || params.size() < 1 || params.at(0).get(property))
        return send(h, ws_error(2, "Invalid request: property name must be a string", id));
      if (property != "combined") return send(h, ws_error(0, "Unknown property", id));
      if (method == "GET_PROPERTY") return send(h, fmt::format(R"({{"result":{},"id":{}}})", c.combined, id));
      bool value = false;
      if (params.size() < 2 || params.at(1).get(value)) return send(h, ws_error(1, "Invalid value type: expected Boolean", id));
      c.combined = value;
      return send(h, fmt::format(R"({{"result":null,"id":{}}})", id));
    }
    send(h, ws_error(2,
                     fmt::format("Invalid request: unknown variant {}, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, "
                                 "`LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`",
                                 method),
                     id));
  }

  void count_connection(Hdl h, int delta) {
    auto it = connections.find(h);
    if (it == connections.end() || it->second.open == (delta > 0)) return;
    it->second.open = delta > 0;
    std::lock_guard lock(counters_mu);
    auto& n = it->second.route == WsRoute::user ? counters.user_connections : counters.market_connections;
    n = static_cast<std::uint64_t>(static_cast<std::int64_t>(n) + delta);
  }

  void forget(Hdl h) {
    count_connection(h, -1);
    connections.erase(h);
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
    const std::string key = binance::stream_symbol(t.symbol);
    const std::int64_t now = face.now_ms();
    for (auto& [h, c] : connections) {
      for (const auto& name : c.streams) {
        std::string data;
        if (name == key + "@markPrice" || name == key + "@markPrice@1s")
          data = shapes::mark_price_update(t.symbol, t.price, now);
        else if (name.rfind("!markPrice@arr", 0) == 0)
          data = "[" + shapes::mark_price_update(t.symbol, t.price, now) + "]";
        else if (name == key + "@bookTicker" || name == "!bookTicker")
          data = shapes::book_ticker(t.symbol, t.price, now);
        else
          continue;
        send(h, c.combined ? fmt::format(R"({{"stream":"{}","data":{}}})", name, data) : data);
      }
    }
  }

  void push_user_frames() {
    for (const auto& frame : face.user_frames())
      for (auto& [h, c] : connections)
        if (c.route == WsRoute::user) send(h, frame);
  }

  // ---- REST ----

  void answer(const WsServer::connection_ptr& con, const HttpAnswer& a) {
    con->set_status(static_cast<websocketpp::http::status_code::value>(a.status));
    con->append_header("Content-Type", a.content_type);
    const std::int64_t minute = face.now_ms() / 60'000;
    if (minute != weight_minute) {
      weight_minute = minute;
      weight = 0;
    }
    con->append_header("X-MBX-USED-WEIGHT-1M", std::to_string(++weight));
    con->set_body(a.body);
  }

  void on_http(Hdl h) {
    auto con = server.get_con_from_hdl(h);
    {
      std::lock_guard lock(counters_mu);
      ++counters.requests;
    }
    const std::string& resource = con->get_resource();
    const auto q = resource.find('?');
    const HttpRequest request{con->get_request().get_method(), resource.substr(0, q),
                              q == std::string::npos ? "" : resource.substr(q + 1), con->get_request_body(),
                              con->get_request_header("X-MBX-APIKEY")};
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (it->path != "*" && it->path != request.path) continue;
      if (it->method != "*" && it->method != request.method) continue;
      if (it->retry_after_s >= 0) con->append_header("Retry-After", std::to_string(it->retry_after_s));
      answer(con, face.error_answer(it->status, it->code, it->msg));
      if (--it->count <= 0) faults.erase(it);
      return;
    }
    std::optional<OrderRequestEvent> event;
    if (order_hook) event = BinanceFace::order_request(request);
    if (event && !order_hook(*event)) {
      answer(con, face.error_answer(503, -1001, "Internal error; unable to process your request. Please try again."));
      return;
    }
    answer(con, face.handle(request));
    if (event) {
      event->served = true;
      order_hook(*event);
    }
    push_user_frames();
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
    impl_->push_user_frames();
    return t;
  });
}

void BinanceServer::step() {
  impl_->run_on_io([&] {
    for (const auto& t : impl_->sim->step()) impl_->push_mark(t);
    impl_->push_user_frames();
  });
}

void BinanceServer::inject(HttpFault fault) { impl_->run_on_io([&] { impl_->faults.push_back(std::move(fault)); }); }

void BinanceServer::set_order_hook(OrderHook hook) {
  impl_->run_on_io([&] { impl_->order_hook = std::move(hook); });
}

void BinanceServer::set_clock_skew(std::chrono::milliseconds skew) {
  impl_->run_on_io([&] { impl_->face.set_clock_skew(skew); });
}

void BinanceServer::drop_streams() {
  impl_->run_on_io([&] {
    for (auto& [h, c] : impl_->connections) {
      websocketpp::lib::error_code ec;
      impl_->server.close(h, websocketpp::close::status::going_away, "dropped by the simulator", ec);
    }
  });
}

void BinanceServer::send_market_frame(const std::string& frame) {
  impl_->run_on_io([&] {
    for (auto& [h, c] : impl_->connections)
      if (c.route == WsRoute::market || c.route == WsRoute::public_) impl_->send(h, frame);
  });
}

ServerCounters BinanceServer::counters() const {
  ServerCounters out;
  {
    std::lock_guard lock(impl_->counters_mu);
    out = impl_->counters;
  }
  out.bad_signatures = impl_->face.bad_signatures();
  out.stale_timestamps = impl_->face.stale_timestamps();
  out.order_posts = impl_->face.order_posts();
  return out;
}

SimExchange& BinanceServer::sim() { return *impl_->sim; }

}  // namespace ptp::exchange::loopback
