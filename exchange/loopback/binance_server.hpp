// The embedded simulator served over Binance's USDT-M wire protocol on 127.0.0.1: REST (the
// endpoints the adapter uses, with Binance's parameters, HMAC signature and recvWindow checks,
// error codes and JSON shapes) and websockets (/market and /public combined streams, /private user
// data by listenKey; the retired pre-2026 /stream URL accepts and then stays silent, like the real
// one). Plain HTTP/WS, port chosen by the OS. Used by the tests and by the ptp-sim executable.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/tick.hpp"
#include "exchange/sim_exchange.hpp"

namespace ptp::exchange::loopback {

struct BinanceServerOptions {
  std::string api_key = "ptp-sim-api-key";
  std::string secret = "ptp-sim-api-secret";
  bool hedge_mode = true;                 // false: one-way mode (positionSide BOTH)
  std::chrono::milliseconds tick_interval{0};  // > 0: the server steps the price path itself
  std::uint16_t port = 0;                 // 0: the OS picks
};

// The next `count` requests to `path` ("*": any) with `method` ("*": any) get this answer instead
// of being served.
struct HttpFault {
  std::string path = "*";
  int status = 429;
  int code = -1003;
  std::string msg = "Too many requests; current limit is 2400 requests per minute.";
  int retry_after_s = -1;  // -1: no Retry-After header
  int count = 1;
  std::string method = "*";
};

// A request that changes orders (POST/DELETE on /fapi/v1/order or /fapi/v1/algoOrder), seen by the
// order hook twice: before it is served (`served` false) and after, before the answer is written.
struct OrderRequestEvent {
  std::string method;
  std::string path;
  std::string client_id;  // newClientOrderId / clientAlgoId, when sent
  bool served = false;
};
// Crash tests kill the client inside the hook. Returning false from the `served == false` call drops
// the request unserved (as if the client died before it left); the answer is then a 503.
using OrderHook = std::function<bool(const OrderRequestEvent&)>;

struct ServerCounters {
  std::uint64_t requests = 0;
  std::uint64_t bad_signatures = 0;
  std::uint64_t stale_timestamps = 0;
  std::uint64_t order_posts = 0;      // POST /fapi/v1/order that reached the matching engine
  std::uint64_t market_connections = 0;  // open market-data websockets now
  std::uint64_t user_connections = 0;
  std::uint64_t frames_sent = 0;
};

class BinanceServer {
 public:
  BinanceServer(std::shared_ptr<SimExchange> sim, BinanceServerOptions options = {});
  ~BinanceServer();
  BinanceServer(const BinanceServer&) = delete;
  BinanceServer& operator=(const BinanceServer&) = delete;

  std::uint16_t port() const;
  std::string rest_url() const;  // http://127.0.0.1:PORT
  std::string ws_url() const;    // ws://127.0.0.1:PORT

  // Moves a mark (through the simulator: crossed stops fire) and streams it, then the user events.
  core::PriceTick set_mark(const core::Symbol& symbol, core::Price price);
  void step();
  void inject(HttpFault fault);
  void set_order_hook(OrderHook hook);  // runs on the server's I/O thread
  void set_clock_skew(std::chrono::milliseconds skew);  // the server's clock runs this far ahead
  void drop_streams();                                  // closes every websocket (1001 going away)
  void send_market_frame(const std::string& frame);     // raw text to every market connection
  ServerCounters counters() const;
  SimExchange& sim();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ptp::exchange::loopback
