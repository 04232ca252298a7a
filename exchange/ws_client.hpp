// A websocket client that stays connected: ws:// or wss:// (TLS through OpenSSL, peer and host
// name verified, SNI set), reconnect with exponential backoff and jitter, and a no-data watchdog
// (an endpoint can accept the handshake and then send nothing: Binance's retired URLs do). Pings
// are answered with pongs. Runs its own I/O thread; websocketpp and Asio stay inside the .cpp files.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace ptp::exchange {

struct WsOptions {
  std::chrono::milliseconds no_data_timeout{15'000};  // silent this long -> reconnect
  std::chrono::milliseconds reconnect_min{200};
  std::chrono::milliseconds reconnect_max{30'000};
  // Binance closes a connection at 24 h; reconnecting a little earlier keeps the gap ours.
  std::chrono::milliseconds max_connection_age{std::chrono::hours(23) + std::chrono::minutes(50)};
  std::string ca_file;  // extra CA bundle for wss (tests); empty: the system's
};

struct WsStats {
  std::uint64_t connects = 0;       // successful handshakes
  std::uint64_t disconnects = 0;    // closes, failures and watchdog drops
  std::uint64_t watchdog_drops = 0;
  std::uint64_t messages = 0;
  bool connected = false;
};

class WsClient {
 public:
  using UrlProvider = std::function<std::string()>;  // asked at every (re)connect
  using OnMessage = std::function<void(std::string_view)>;
  using OnConnect = std::function<void()>;            // after each handshake (resubscribe, resync)

  // `tls`: wss:// (true) or ws:// (false); every URL the provider returns has that scheme.
  WsClient(std::string name, bool tls, UrlProvider url, OnMessage on_message, OnConnect on_connect = {},
           WsOptions options = {});
  ~WsClient();  // stops and joins
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  void start();
  void stop();
  // Closes the current connection as if the server had dropped it; the client reconnects.
  void drop();
  // Sends a text frame on the current connection (subscriptions made by message); dropped when
  // there is none.
  void send(std::string text);
  WsStats stats() const;
  const std::string& name() const;

  struct Impl;  // one per transport (plain, TLS), each in its own translation unit

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ptp::exchange
