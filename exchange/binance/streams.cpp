#include "exchange/binance/streams.hpp"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "core/client_order_id.hpp"
#include "core/text.hpp"
#include "exchange/binance/responses.hpp"
#include "exchange/binance/symbols.hpp"

namespace ptp::exchange::binance {
namespace {

bool is_tls(const std::string& url) { return url.rfind("wss://", 0) == 0; }

}  // namespace

std::vector<std::string> market_stream_urls(const std::string& ws_base, const std::vector<core::Symbol>& symbols,
                                            PriceSource kind, std::size_t streams_per_connection) {
  const std::string route = kind == PriceSource::mark ? "/market" : "/public";
  const std::string suffix = kind == PriceSource::mark ? "@markPrice@1s" : "@bookTicker";
  std::vector<std::string> urls;
  std::string current;
  std::size_t in_current = 0;
  for (const auto& s : symbols) {
    if (in_current == streams_per_connection) {
      urls.push_back(current);
      current.clear();
      in_current = 0;
    }
    current += (in_current == 0 ? ws_base + route + "/stream?streams=" : "/") + stream_symbol(s) + suffix;
    ++in_current;
  }
  if (in_current > 0) urls.push_back(current);
  return urls;
}

// One websocket and its own parser (each connection has its own I/O thread).
struct MarketStream::Connection {
  FrameParser parser;
  std::unique_ptr<WsClient> ws;
  explicit Connection(const SymbolTable& t) : parser(t) {}
};

MarketStream::MarketStream(const std::string& ws_base, const std::vector<core::Symbol>& symbols, PriceSource kind,
                           TickSink sink, WsOptions options, std::size_t streams_per_connection)
    : table_(symbol_table(symbols)), sink_(std::move(sink)) {
  const auto urls = market_stream_urls(ws_base, symbols, kind, streams_per_connection);
  for (std::size_t i = 0; i < urls.size(); ++i) {
    auto c = std::make_unique<Connection>(table_);
    Connection* raw = c.get();
    const std::string name = "binance market #" + std::to_string(i + 1);
    c->ws = std::make_unique<WsClient>(
        name, is_tls(urls[i]), [url = urls[i]] { return url; },
        [this, raw, name](std::string_view frame) {
          FrameTick t;
          const FrameResult r = raw->parser.parse(frame, t);
          switch (r) {
            case FrameResult::tick:
              ++counters_.ticks;
              sink_(core::PriceTick{table_.symbol(t.symbol), t.price, core::steady_now_ns()});
              return;
            case FrameResult::ignored: ++counters_.ignored; return;
            case FrameResult::malformed: ++counters_.malformed; break;
            case FrameResult::unknown_symbol: ++counters_.unknown_symbol; break;
            case FrameResult::bad_price: ++counters_.bad_price; break;
          }
          // Rate-limited: the 1st, 10th, 100th... bad frame is logged, never every one.
          const std::uint64_t bad = counters_.malformed + counters_.unknown_symbol + counters_.bad_price;
          if ((bad & (bad - 1)) == 0 || bad % 1000 == 0)
            spdlog::warn("[ws] {}: {} frame dropped ({} bad frames so far): {:.120}", name, to_string(r), bad, frame);
        },
        WsClient::OnConnect{}, options);
    connections_.push_back(std::move(c));
  }
}

MarketStream::~MarketStream() { stop(); }
void MarketStream::start() {
  for (auto& c : connections_) c->ws->start();
}
void MarketStream::stop() {
  for (auto& c : connections_) c->ws->stop();
}
std::vector<WsStats> MarketStream::stats() const {
  std::vector<WsStats> out;
  for (const auto& c : connections_) out.push_back(c->ws->stats());
  return out;
}

UserEvent parse_user_event(std::string_view frame) {
  namespace dom = simdjson::dom;
  UserEvent out;
  dom::parser parser;
  dom::element root;
  if (parser.parse(frame.data(), frame.size()).get(root)) return out;
  std::string_view e;
  if (root["e"].get(e)) return out;
  auto field = [](dom::element o, std::string_view key) {
    std::string_view v;
    return o[key].get(v) ? std::string() : std::string(v);
  };
  dom::element o;
  if (e == "ORDER_TRADE_UPDATE" && !root["o"].get(o)) {
    out = UserEvent{UserEvent::Kind::order, field(o, "s"), field(o, "c"), field(o, "X")};
  } else if (e == "ALGO_UPDATE" && !root["o"].get(o)) {
    out = UserEvent{UserEvent::Kind::algo, field(o, "s"), field(o, "caid"), field(o, "X")};
  } else if (e == "ACCOUNT_UPDATE") {
    out.kind = UserEvent::Kind::account;
  } else if (e == "listenKeyExpired") {
    out.kind = UserEvent::Kind::listen_key_expired;
  }
  return out;
}

bool is_external_change(const UserEvent& e) {
  switch (e.kind) {
    case UserEvent::Kind::algo:
      // A conditional order that fired (ours or the user's) changed the position by itself.
      return e.status == "TRIGGERED" || e.status == "FINISHED";
    case UserEvent::Kind::order:
      // A fill the node did not send: a manual trade, a liquidation ("autoclose-"), an ADL.
      return (e.status == "FILLED" || e.status == "PARTIALLY_FILLED") && !core::is_node_order(e.client_id);
    default: return false;
  }
}

UserStream::UserStream(const std::string& ws_base, std::unique_ptr<RestClient> rest, EventSink sink,
                       WsOptions options, std::chrono::milliseconds keep_alive)
    : ws_base_(ws_base), rest_(std::move(rest)), sink_(std::move(sink)), keep_alive_(keep_alive) {
  ws_ = std::make_unique<WsClient>(
      "binance user data", is_tls(ws_base), [this] { return url(); },
      [this](std::string_view frame) {
        const UserEvent ev = parse_user_event(frame);
        if (ev.kind == UserEvent::Kind::listen_key_expired) {
          spdlog::warn("[ws] binance user data: listenKey expired; reconnecting with a new one");
          {
            std::lock_guard lock(rest_mu_);
            listen_key_.clear();
          }
          ws_->drop();
          return;
        }
        sink_(ev);
      },
      WsClient::OnConnect{}, options);
}

UserStream::~UserStream() { stop(); }

std::string UserStream::url() {
  std::lock_guard lock(rest_mu_);
  try {
    // POST answers the active key (extending it) or a new one.
    listen_key_ = parse_listen_key(rest_->keyed_call("POST", "/fapi/v1/listenKey"));
  } catch (const std::exception& e) {
    spdlog::error("[ws] binance user data: no listenKey: {}", e.what());
  }
  return ws_base_ + "/private/ws?listenKey=" + listen_key_;
}

void UserStream::keep_alive_loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, keep_alive_, [this] { return stopping_; })) {
    std::lock_guard rest_lock(rest_mu_);
    if (listen_key_.empty()) continue;
    try {
      rest_->keyed_call("PUT", "/fapi/v1/listenKey");
    } catch (const ExchangeError& e) {
      // -1125: the key is gone; the reconnect creates a new one.
      spdlog::warn("[ws] binance user data: keep-alive failed ({}); reconnecting", e.reason());
      listen_key_.clear();
      ws_->drop();
    }
  }
}

void UserStream::start() {
  ws_->start();
  keeper_ = std::thread([this] { keep_alive_loop(); });
}

void UserStream::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (keeper_.joinable()) keeper_.join();
  ws_->stop();
}

WsStats UserStream::stats() const { return ws_->stats(); }

}  // namespace ptp::exchange::binance
