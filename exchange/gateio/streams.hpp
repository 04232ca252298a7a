// Gate.io futures websocket streams, both on the settle's one URL (wss://fx-ws.gateio.ws/v4/ws/usdt)
// and subscribed by message on every (re)connect. Market: futures.tickers for every managed
// contract, each update parsed into ticks (the mark price). Account: futures.orders,
// futures.autoorders and futures.positions of the user, signed with the API key, whose events say
// when something happened on the account that the node did not do.
//
// Gate expects an application ping ({"channel":"futures.ping"}) from a client; each stream sends
// one every 5 s (the official SDK's default) from its own timer thread. Pongs and subscribe acks
// are ignored; a refused subscription (an error frame: a bad contract, a failed signature) is
// logged as an error once per connection.
//
// Gate answers every ping, so the websocket's own no-data watchdog never sees a silent
// connection: the market stream keeps its own, on ticks (see MarketStream). Every frame's `time`
// is on Gate's clock (ServerClock): the private channels sign it, and Gate refuses one far from
// its own, as REST does.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tick.hpp"
#include "exchange/gateio/account_events.hpp"
#include "exchange/gateio/frames.hpp"
#include "exchange/ws_client.hpp"

namespace ptp::exchange::gateio {

inline constexpr std::chrono::milliseconds kPingInterval{5'000};
// Gate pushes futures.tickers on change, so a quiet contract can be silent for a while: only a
// long silence of every contract says the subscription is dead.
inline constexpr std::chrono::milliseconds kTickTimeout{60'000};

// Unix seconds on Gate's clock: the `time` of every frame a stream sends.
using ServerClock = std::function<std::int64_t()>;
// The local wall clock moved by `offset_ms`, the server's clock minus ours (what
// RestClient::clock_offset_ms() measured). server_clock(0) is the local clock.
ServerClock server_clock(std::int64_t offset_ms);

// What signs a private channel's subscription; never logged.
struct WsCredentials {
  std::string key;
  std::string secret;
};

// {"time":T,"channel":C,"event":"subscribe","payload":[...]} and, with credentials,
// "auth":{"method":"api_key","KEY":key,"SIGN":ws_signature(secret, C, "subscribe", T)}.
std::string subscribe_frame(std::string_view channel, const std::vector<std::string>& payload, std::int64_t time_s,
                            const WsCredentials* auth = nullptr);
// {"time":T,"channel":"futures.ping"}
std::string ping_frame(std::int64_t time_s);

// An error frame: {"channel":..,"event":..,"error":{"code":2,"message":".."},"result":null}.
// Codes: 1 invalid argument struct, 2 invalid argument, 3 service error, 4 authentication fail.
struct WsError {
  std::string channel;
  std::int64_t code = 0;
  std::string message;
};
// nullopt for any frame that carries no error object (updates, acks, pongs, not JSON).
std::optional<WsError> parse_ws_error(std::string_view frame);

struct FrameCounters {
  std::atomic<std::uint64_t> ticks{0}, ignored{0}, malformed{0}, unknown_symbol{0}, bad_price{0};
};

class Heartbeat;  // the timer thread that pings

// futures.tickers of every managed contract. A connection on which no tick has arrived for
// `tick_timeout` (a refused subscription, or one Gate stopped serving) is dropped with a warning,
// then reconnected and subscribed again. Checked at each ping: the drop comes between
// tick_timeout and tick_timeout + ping_interval after the last tick (or the connect).
class MarketStream {
 public:
  using TickSink = std::function<void(const core::PriceTick&)>;
  // `ws_url`: the config's ws_url (".../v4/ws/usdt"), used as is. `now_s`: empty is the local clock.
  MarketStream(const std::string& ws_url, const std::vector<core::Symbol>& symbols, TickSink sink,
               WsOptions options = {}, std::chrono::milliseconds ping_interval = kPingInterval,
               std::chrono::milliseconds tick_timeout = kTickTimeout, ServerClock now_s = {});
  ~MarketStream();
  void start();
  void stop();
  WsStats stats() const;
  const FrameCounters& counters() const { return counters_; }
  std::uint64_t silence_drops() const { return silence_drops_; }  // connections dropped for want of ticks

 private:
  void on_frame(std::string_view frame);
  void on_connect();
  void on_heartbeat();  // the heartbeat thread: ping, then drop a connection silent too long

  SymbolTable table_;
  std::vector<std::string> contracts_;  // the subscription's payload
  FrameParser parser_;
  std::vector<FrameTick> ticks_;  // reused by every frame (the I/O thread's only)
  TickSink sink_;
  std::chrono::milliseconds tick_timeout_;
  ServerClock now_s_;
  FrameCounters counters_;
  bool error_logged_ = false;  // on this connection (I/O thread only)
  // Steady-clock ns of the last frame that delivered a tick, or of the connect: written by the
  // I/O thread, read by the heartbeat's.
  std::atomic<std::int64_t> last_tick_ns_{0};
  // on_connect calls so far. last_tick_ns_ belongs to the current connection only once this equals
  // its WsStats::connects: the handshake counts a connection just before on_connect resets the time.
  std::atomic<std::uint64_t> connects_seen_{0};
  std::uint64_t dropped_connection_ = 0;  // the connection (by count) already dropped (heartbeat thread only)
  std::atomic<std::uint64_t> silence_drops_{0};
  std::unique_ptr<WsClient> ws_;
  std::unique_ptr<Heartbeat> heartbeat_;
};

class AccountStream {
 public:
  using EventSink = std::function<void(const AccountEvent&)>;
  // `user_id`: the account's Gate user id (GET /futures/usdt/accounts "user"), as a string.
  // `now_s`: the subscriptions' signed time; empty is the local clock, which Gate refuses when this
  // host's clock is off (pass server_clock(the REST client's offset)).
  AccountStream(const std::string& ws_url, std::string user_id, std::string key, std::string secret, EventSink sink,
                WsOptions options = {}, std::chrono::milliseconds ping_interval = kPingInterval,
                ServerClock now_s = {});
  ~AccountStream();
  void start();
  void stop();
  WsStats stats() const;

 private:
  void on_frame(std::string_view frame);
  void on_connect();

  std::string user_id_;
  WsCredentials credentials_;
  EventSink sink_;
  ServerClock now_s_;
  bool error_logged_ = false;  // on this connection (I/O thread only)
  std::unique_ptr<WsClient> ws_;
  std::unique_ptr<Heartbeat> heartbeat_;
};

}  // namespace ptp::exchange::gateio
