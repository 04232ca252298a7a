// The simulator served on 127.0.0.1 over one exchange's wire protocol: the transport (HTTP and
// websockets, plain, port chosen by the OS unless given) under a ProtocolFace, which gives it the
// exchange's shape. Everything the face does runs on the server's one I/O thread; the calls below
// run there too and wait, so a test's calls stay ordered with the frames the clients get. Used by
// the tests and by the ptp-sim executable.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/tick.hpp"
#include "sim/face.hpp"
#include "sim/sim_exchange.hpp"

namespace ptp::exchange::loopback {

struct ServerCounters {
  std::uint64_t requests = 0;
  std::uint64_t bad_signatures = 0;
  std::uint64_t stale_timestamps = 0;
  std::uint64_t order_posts = 0;         // order placements that reached the matching engine
  std::uint64_t market_connections = 0;  // open websockets without account data, now
  std::uint64_t user_connections = 0;    // open websockets with account data, now
  std::uint64_t frames_sent = 0;
};

class LoopbackServer {
 public:
  // `tick_interval` > 0: the server steps the price path itself.
  LoopbackServer(std::shared_ptr<SimExchange> sim, std::unique_ptr<ProtocolFace> face,
                 std::chrono::milliseconds tick_interval, std::uint16_t port);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::uint16_t port() const;
  std::string rest_url() const;  // http://127.0.0.1:PORT
  std::string ws_url() const;    // ws://127.0.0.1:PORT

  // Moves a mark (through the simulator: crossed stops fire) and streams it, then the account events.
  // The tick's received_ns is when its first frame was handed to the websocket (steady clock), when
  // a connection follows it.
  core::PriceTick set_mark(const core::Symbol& symbol, core::Price price);
  void step();
  void inject(HttpFault fault);
  void set_order_hook(OrderHook hook);  // runs on the server's I/O thread
  void set_clock_skew(std::chrono::milliseconds skew);  // the server's clock runs this far ahead
  void drop_streams();                                  // closes every websocket (1001 going away)
  void send_market_frame(const std::string& frame);     // raw text to every connection without account data
  ServerCounters counters() const;
  SimExchange& sim();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ptp::exchange::loopback
