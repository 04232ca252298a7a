// A tick sink the tests can wait on (a condition variable, not a sleep: a websocket frame has no
// reply to await).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include "core/tick.hpp"
#include "sim/loopback_server.hpp"

namespace ptp::test {

class TickWaiter {
 public:
  void operator()(const core::PriceTick& t) {
    {
      std::lock_guard lock(mu_);
      last_[t.symbol] = t.price;
      ++count_;
    }
    cv_.notify_all();
  }
  // True once `symbol` has been seen at `price` (within `timeout`).
  bool wait_for(const core::Symbol& symbol, core::Price price, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
      auto it = last_.find(symbol);
      return it != last_.end() && it->second == price;
    });
  }
  std::uint64_t count() {
    std::lock_guard lock(mu_);
    return count_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<core::Symbol, core::Price> last_;
  std::uint64_t count_ = 0;
};

// A websocket subscription is live some time after the handshake, with no message to await:
// moves the mark one tick at a time until a move comes through the stream (at most ~10 s).
inline bool move_until_streamed(exchange::loopback::LoopbackServer& server, TickWaiter& ticks, const core::Symbol& s) {
  core::Price p = server.sim().mark_price(s);
  const core::Price tick = server.sim().filters(s).tick_size;
  for (int i = 0; i < 200; ++i) {
    p = p + tick;
    server.set_mark(s, p);
    if (ticks.wait_for(s, p, std::chrono::milliseconds(50))) return true;
  }
  return false;
}

}  // namespace ptp::test
