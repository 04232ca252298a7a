// Binance websocket streams. Market: `<symbol>@markPrice@1s` on /market (or `@bookTicker` on
// /public), combined streams split over connections so none carries more than
// `streams_per_connection`; every frame parsed straight into a tick. User data: a listenKey
// (created, kept alive every 30 min, recreated when Binance expires it) on /private, whose events
// say when something happened on the account that the node did not do.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/tick.hpp"
#include "exchange/binance/rest_client.hpp"
#include "exchange/binance/frames.hpp"
#include "exchange/ws_client.hpp"

namespace ptp::exchange::binance {

using PriceSource = config::ExchangeEndpoints::PriceSource;

struct FrameCounters {
  std::atomic<std::uint64_t> ticks{0}, ignored{0}, malformed{0}, unknown_symbol{0}, bad_price{0};
};

// "wss://fstream.binance.com" + ["ethusdt@markPrice@1s", ...] -> one URL per connection.
std::vector<std::string> market_stream_urls(const std::string& ws_base, const std::vector<core::Symbol>& symbols,
                                            PriceSource kind, std::size_t streams_per_connection);

class MarketStream {
 public:
  using TickSink = std::function<void(const core::PriceTick&)>;
  MarketStream(const std::string& ws_base, const std::vector<core::Symbol>& symbols, PriceSource kind,
               TickSink sink, WsOptions options = {}, std::size_t streams_per_connection = 200);
  ~MarketStream();
  void start();
  void stop();
  std::vector<WsStats> stats() const;
  const FrameCounters& counters() const { return counters_; }

 private:
  struct Connection;
  SymbolTable table_;
  TickSink sink_;
  FrameCounters counters_;
  std::vector<std::unique_ptr<Connection>> connections_;
};

struct UserEvent {
  enum class Kind : unsigned char { order, algo, account, listen_key_expired, other };
  Kind kind = Kind::other;
  std::string symbol;     // "ETHUSDT"
  std::string client_id;  // c / caid
  std::string status;     // X
};
// One user-data frame; Kind::other for anything unknown or malformed.
UserEvent parse_user_event(std::string_view frame);
// True when the event is the exchange acting on its own or the user acting by hand (a stop or
// take-profit that fired, a fill of an order the node did not send): the node reconciles at once.
bool is_external_change(const UserEvent& e);

class UserStream {
 public:
  using EventSink = std::function<void(const UserEvent&)>;
  // `rest` is this stream's own client (its keep-alive runs on its own thread).
  UserStream(const std::string& ws_base, std::unique_ptr<RestClient> rest, EventSink sink, WsOptions options = {},
             std::chrono::milliseconds keep_alive = std::chrono::minutes(30));
  ~UserStream();
  void start();
  void stop();
  WsStats stats() const;

 private:
  std::string url();
  void keep_alive_loop();

  std::string ws_base_;
  std::unique_ptr<RestClient> rest_;
  std::mutex rest_mu_;  // the ws thread (new key) and the keep-alive thread share the client
  std::string listen_key_;
  EventSink sink_;
  std::chrono::milliseconds keep_alive_;
  std::unique_ptr<WsClient> ws_;
  std::thread keeper_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace ptp::exchange::binance
