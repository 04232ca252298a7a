// The Binance face's websockets: where each stream is served (since 2026 mark prices on /market,
// book tickers on /public, user data on /private by listenKey; the retired routes /ws and /stream
// shake hands and stay silent), the live-subscription protocol, and the frames each connection gets.
#include <fmt/format.h>

#include <set>

#include "core/text.hpp"
#include "exchange/binance/symbols.hpp"
#include "sim/binance/face.hpp"

namespace ptp::exchange::loopback {
namespace {

namespace shapes = binance_shapes;

enum class WsRoute : unsigned char { market, public_, user, retired };

// "Connections exceeding this limit [10 incoming messages per second] will be disconnected."
constexpr int kMessagesPerSecond = 10;
// "A single connection can listen to a maximum of 1024 streams."
constexpr std::size_t kMaxStreams = 1024;

struct BinanceSession final : WsSession {
  WsRoute route = WsRoute::retired;
  bool combined = false;          // frames wrapped as {"stream":..,"data":..} (/stream URLs, SET_PROPERTY)
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

std::variant<std::unique_ptr<WsSession>, int> BinanceFace::open_ws(const std::string& path, const std::string& query) {
  const auto params = decode_query(query);
  auto param = [&](const std::string& name) {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  };
  auto c = std::make_unique<BinanceSession>();
  // Streams named in the URL ("/market/ws/ethusdt@markPrice@1s", "/market/stream?streams=a/b");
  // a name that is no stream ("/market/ws/0", as ccxt opens them) subscribes by message later.
  auto add_streams = [&](const std::string& list) {
    for (std::size_t start = 0; start <= list.size();) {
      const auto slash = list.find('/', start);
      const std::string name = list.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      if (name.find('@') != std::string::npos) {
        if (!serves(c->route, name)) return false;  // e.g. markPrice asked of /public
        c->streams.insert(name);
      }
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    return c->streams.size() <= kMaxStreams;
  };
  const bool market = path.rfind("/market/", 0) == 0, public_ = path.rfind("/public/", 0) == 0;
  if (market || public_) {
    c->route = market ? WsRoute::market : WsRoute::public_;
    const std::string rest = path.substr(8);  // after "/market/" or "/public/"
    if (rest == "stream") {
      c->combined = true;
      if (!add_streams(param("streams"))) return 400;
    } else if (rest == "ws" || rest.rfind("ws/", 0) == 0) {
      if (rest.size() > 3 && !add_streams(rest.substr(3))) return 400;
    } else {
      return 404;
    }
  } else if (path == "/private/ws") {
    if (!listen_key_valid(param("listenKey"))) return 400;
    c->route = WsRoute::user;
    c->counts_as_user = true;
  } else if (path == "/stream" || path.rfind("/ws", 0) == 0) {
    c->route = WsRoute::retired;
  } else {
    return 404;
  }
  return std::unique_ptr<WsSession>(std::move(c));
}

// The live-subscription protocol: SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY and
// GET_PROPERTY ("combined"), with Binance's answers and error codes.
void BinanceFace::ws_message(WsSession& session, const std::string& text, const WsReply& reply) {
  auto& c = static_cast<BinanceSession&>(session);
  const std::int64_t second = now_ms() / 1000;
  if (second != c.window_second) {
    c.window_second = second;
    c.window_messages = 0;
  }
  if (++c.window_messages > kMessagesPerSecond) return reply.close(1008, "Too many requests");  // policy violation
  if (c.route != WsRoute::market && c.route != WsRoute::public_) return;  // nothing to ask of these
  const auto& send = reply.send;
  simdjson::dom::element doc;
  if (json_.parse(text).get(doc) || !doc.is_object())
    return send(ws_error(3, "Invalid JSON: expected value at line 1 column 1", std::nullopt));
  std::uint64_t id = 0;
  if (doc["id"].get(id)) return send(ws_error(2, "Invalid request: request ID must be an unsigned integer", std::nullopt));
  std::string_view method;
  if (doc["method"].get(method)) return send(ws_error(2, "Invalid request: missing field `method`", id));
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
    if (!names(list)) return send(ws_error(2, "Invalid request: params must be a list of stream names", id));
    for (const auto& n : list)
      if (!serves(c.route, n))
        return send(ws_error(2, fmt::format("Invalid request: stream {} is not served on /{}", n,
                                            c.route == WsRoute::market ? "market" : "public"),
                             id));
    std::set<std::string> after = c.streams;
    for (const auto& n : list) {
      if (method == "SUBSCRIBE") after.insert(n);
      else after.erase(n);
    }
    if (after.size() > kMaxStreams) return send(ws_error(2, "Invalid request: too many streams", id));
    c.streams = std::move(after);
    return send(fmt::format(R"({{"result":null,"id":{}}})", id));
  }
  if (method == "LIST_SUBSCRIPTIONS") {
    std::string list;
    for (const auto& n : c.streams) list += (list.empty() ? "\"" : ",\"") + n + "\"";
    return send(fmt::format(R"({{"result":[{}],"id":{}}})", list, id));
  }
  if (method == "SET_PROPERTY" || method == "GET_PROPERTY") {
    std::string_view property;
    if (!has_params || params.size() < 1 || params.at(0).get(property))
      return send(ws_error(2, "Invalid request: property name must be a string", id));
    if (property != "combined") return send(ws_error(0, "Unknown property", id));
    if (method == "GET_PROPERTY") return send(fmt::format(R"({{"result":{},"id":{}}})", c.combined, id));
    bool value = false;
    if (params.size() < 2 || params.at(1).get(value)) return send(ws_error(1, "Invalid value type: expected Boolean", id));
    c.combined = value;
    return send(fmt::format(R"({{"result":null,"id":{}}})", id));
  }
  send(ws_error(2,
                fmt::format("Invalid request: unknown variant {}, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, "
                            "`LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`",
                            method),
                id));
}

std::vector<std::string> BinanceFace::mark_frames(WsSession& session, const core::PriceTick& t) {
  const auto& c = static_cast<const BinanceSession&>(session);
  const std::string key = binance::stream_symbol(t.symbol);
  const std::int64_t now = now_ms();
  std::vector<std::string> out;
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
    out.push_back(c.combined ? fmt::format(R"({{"stream":"{}","data":{}}})", name, data) : data);
  }
  return out;
}

std::vector<std::string> BinanceFace::user_frames(WsSession& session) {
  return static_cast<const BinanceSession&>(session).route == WsRoute::user ? account_frames_
                                                                             : std::vector<std::string>{};
}

}  // namespace ptp::exchange::loopback
