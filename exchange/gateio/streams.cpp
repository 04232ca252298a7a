#include "exchange/gateio/streams.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "exchange/gateio/signing.hpp"
#include "exchange/gateio/symbols.hpp"
#include "exchange/failure_log.hpp"

namespace ptp::exchange::gateio {
namespace {

bool is_tls(const std::string& url) { return url.rfind("wss://", 0) == 0; }

// A JSON string literal: contract names and ids are plain ASCII, but a key or user id from a
// config file is escaped rather than trusted.
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
  return out + '"';
}

ServerClock or_local_clock(ServerClock now_s) { return now_s ? std::move(now_s) : server_clock(0); }

}  // namespace

ServerClock server_clock(std::int64_t offset_ms) {
  return [offset_ms] { return (core::wall_now_ms() + offset_ms) / 1000; };
}

std::string subscribe_frame(std::string_view channel, const std::vector<std::string>& payload, std::int64_t time_s,
                            const WsCredentials* auth) {
  std::string items;
  for (const auto& p : payload) items += (items.empty() ? "" : ",") + json_string(p);
  std::string out = fmt::format(R"({{"time":{},"channel":{},"event":"subscribe","payload":[{}])", time_s,
                                json_string(channel), items);
  if (auth) {
    out += fmt::format(R"(,"auth":{{"method":"api_key","KEY":{},"SIGN":{}}})", json_string(auth->key),
                       json_string(ws_signature(auth->secret, channel, "subscribe", time_s)));
  }
  return out + '}';
}

std::string ping_frame(std::int64_t time_s) { return fmt::format(R"({{"time":{},"channel":"futures.ping"}})", time_s); }

std::optional<WsError> parse_ws_error(std::string_view frame) {
  namespace dom = simdjson::dom;
  dom::parser parser;
  dom::element root;
  dom::object error;
  if (parser.parse(frame.data(), frame.size()).get(root) || root["error"].get(error)) return std::nullopt;
  WsError out;
  std::string_view s;
  if (!root["channel"].get(s)) out.channel = std::string(s);
  if (!error["message"].get(s)) out.message = std::string(s);
  std::int64_t code = 0;
  if (!error["code"].get(code)) out.code = code;
  return out;
}

// Runs `beat` (the application ping, and what is checked as often) every `interval` on its own
// thread until stopped. WsClient::send drops a ping while the connection is down, so a beat needs
// no knowledge of the connection's state to ping.
class Heartbeat {
 public:
  Heartbeat(std::chrono::milliseconds interval, std::function<void()> beat)
      : interval_(interval), beat_(std::move(beat)) {}
  ~Heartbeat() { stop(); }

  void start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] {
      std::unique_lock lock(mu_);
      while (!cv_.wait_for(lock, interval_, [this] { return stopping_; })) beat_();
    });
  }

  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::chrono::milliseconds interval_;
  std::function<void()> beat_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

namespace {

// Once per connection: Gate answers each refused channel on its own, and a wrong key refuses them all.
void log_refusal(const std::string& stream, const WsError& e) {
  if (e.code == 4) {
    spdlog::error("[ws] {}: {} refused the API key's signature (code 4: {}); check the key, the secret and the "
                  "clock",
                  stream, e.channel, e.message);
  } else {
    spdlog::error("[ws] {}: subscribing {} failed (code {}: {})", stream, e.channel, e.code, e.message);
  }
}

}  // namespace

MarketStream::MarketStream(const std::string& ws_url, const std::vector<core::Symbol>& symbols, TickSink sink,
                           WsOptions options, std::chrono::milliseconds ping_interval,
                           std::chrono::milliseconds tick_timeout, ServerClock now_s)
    : table_(symbol_table(symbols)),
      parser_(table_),
      sink_(std::move(sink)),
      tick_timeout_(tick_timeout),
      now_s_(or_local_clock(std::move(now_s))) {
  for (const auto& s : symbols) contracts_.push_back(contract_name(s));
  ws_ = std::make_unique<WsClient>(
      "gateio market", is_tls(ws_url), [ws_url] { return ws_url; },
      [this](std::string_view frame) { on_frame(frame); }, [this] { on_connect(); }, std::move(options));
  heartbeat_ = std::make_unique<Heartbeat>(ping_interval, [this] { on_heartbeat(); });
}

MarketStream::~MarketStream() { stop(); }

void MarketStream::on_connect() {
  error_logged_ = false;
  last_tick_ns_ = core::steady_now_ns();  // the silence is counted from the connect
  ++connects_seen_;                       // after the reset: see on_heartbeat
  ws_->send(subscribe_frame("futures.tickers", contracts_, now_s_()));
}

void MarketStream::on_heartbeat() {
  ws_->send(ping_frame(now_s_()));
  const WsStats s = ws_->stats();
  // Down, or up but not yet through on_connect (its silence would be the previous connection's),
  // or already dropped: nothing to judge.
  if (!s.connected || connects_seen_ != s.connects || dropped_connection_ == s.connects) return;
  const auto silent_ms = (core::steady_now_ns() - last_tick_ns_) / 1'000'000;
  if (silent_ms < tick_timeout_.count()) return;
  dropped_connection_ = s.connects;
  ++silence_drops_;
  log_repeated(spdlog::level::warn, "[ws] {}: no futures.tickers update for {} ms (the subscription is silent or was refused): "
               "reconnecting",
               ws_->name(), silent_ms);
  ws_->drop();
}

void MarketStream::on_frame(std::string_view frame) {
  ticks_.clear();
  const FrameResult r = parser_.parse(frame, ticks_);
  // A frame that is not well-formed is dropped whole; one with an unknown contract or a bad price
  // still delivers its good ticks.
  if (r != FrameResult::malformed && !ticks_.empty()) {
    const auto now = core::steady_now_ns();
    last_tick_ns_ = now;
    for (const auto& t : ticks_) {
      ++counters_.ticks;
      sink_(core::PriceTick{table_.symbol(t.symbol), t.price, now});
    }
  }
  switch (r) {
    case FrameResult::tick: return;
    case FrameResult::ignored:
      ++counters_.ignored;
      if (!error_logged_) {
        if (const auto e = parse_ws_error(frame)) {
          error_logged_ = true;
          log_refusal(ws_->name(), *e);
        }
      }
      return;
    case FrameResult::malformed: ++counters_.malformed; break;
    case FrameResult::unknown_symbol: ++counters_.unknown_symbol; break;
    case FrameResult::bad_price: ++counters_.bad_price; break;
  }
  // Rate-limited: the 1st, 2nd, 4th, 8th... bad frame is logged (then every 1000th), never every one.
  const std::uint64_t bad = counters_.malformed + counters_.unknown_symbol + counters_.bad_price;
  if ((bad & (bad - 1)) == 0 || bad % 1000 == 0)
    spdlog::warn("[ws] {}: {} frame ({} bad frames so far): {:.120}", ws_->name(), to_string(r), bad, frame);
}

void MarketStream::start() {
  ws_->start();
  heartbeat_->start();
}

void MarketStream::stop() {
  heartbeat_->stop();
  ws_->stop();
}

WsStats MarketStream::stats() const { return ws_->stats(); }

AccountStream::AccountStream(const std::string& ws_url, std::string user_id, std::string key, std::string secret,
                             EventSink sink, WsOptions options, std::chrono::milliseconds ping_interval,
                             ServerClock now_s)
    : user_id_(std::move(user_id)),
      credentials_{std::move(key), std::move(secret)},
      sink_(std::move(sink)),
      now_s_(or_local_clock(std::move(now_s))) {
  ws_ = std::make_unique<WsClient>(
      "gateio account", is_tls(ws_url), [ws_url] { return ws_url; },
      [this](std::string_view frame) { on_frame(frame); }, [this] { on_connect(); }, std::move(options));
  heartbeat_ = std::make_unique<Heartbeat>(ping_interval, [this] { ws_->send(ping_frame(now_s_())); });
}

AccountStream::~AccountStream() { stop(); }

void AccountStream::on_connect() {
  error_logged_ = false;
  const std::int64_t now = now_s_();
  for (const char* channel : {"futures.orders", "futures.autoorders", "futures.positions"})
    ws_->send(subscribe_frame(channel, {user_id_, "!all"}, now, &credentials_));
}

void AccountStream::on_frame(std::string_view frame) {
  const auto events = parse_account_events(frame);
  for (const auto& e : events) sink_(e);
  if (!events.empty() || error_logged_) return;
  if (const auto e = parse_ws_error(frame)) {
    error_logged_ = true;
    log_refusal(ws_->name(), *e);
  }
}

void AccountStream::start() {
  ws_->start();
  heartbeat_->start();
}

void AccountStream::stop() {
  heartbeat_->stop();
  ws_->stop();
}

WsStats AccountStream::stats() const { return ws_->stats(); }

}  // namespace ptp::exchange::gateio
