// Per-stage timestamps of a tick on its way to an order, for ptp-bench's tick -> wire breakdown.
// Compiled in everywhere and off unless a bench installs a sink: each point then costs one atomic
// load and a branch (no clock read, no lock, no log line). The sink is called on whatever thread
// reaches the point (a CAF worker, the persistence or exchange actor's own thread) and must be
// thread-safe and quick.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/symbol.hpp"
#include "core/tick.hpp"

namespace ptp::actors::trace {

enum class Point : std::uint8_t {
  tick_parsed,       // the websocket thread parsed the frame (the tick's received_ns)
  position_got_tick, // the position actor started evaluating the tick
  decided,           // it decided to run a stage: the intent goes to the persistence actor
  intent_committed,  // the intent's synced LMDB commit returned (persistence actor)
  order_call,        // the exchange actor starts the close (signing, then HTTP)
  count
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void mark(Point point, const core::Symbol& symbol, std::int64_t steady_ns) noexcept = 0;
};

inline std::atomic<Sink*> installed_sink{nullptr};

// The bench installs its sink before the node sees a tick and removes it (nullptr) after the
// node has stopped.
inline void install(Sink* sink) { installed_sink.store(sink, std::memory_order_release); }

inline Sink* sink() { return installed_sink.load(std::memory_order_acquire); }

// A point reached now (the clock is read only when a sink is installed).
inline void mark(Point point, const core::Symbol& symbol) {
  if (Sink* s = sink()) s->mark(point, symbol, core::steady_now_ns());
}

// A point reached earlier, at `steady_ns`.
inline void mark_at(Point point, const core::Symbol& symbol, std::int64_t steady_ns) {
  if (Sink* s = sink()) s->mark(point, symbol, steady_ns);
}

}  // namespace ptp::actors::trace
