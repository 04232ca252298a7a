#include "core/tick_gate.hpp"

#include <utility>

namespace ptp::core {

TickGate::TickGate(const std::vector<Symbol>& symbols) {
  for (const auto& s : symbols) index_.emplace(s, index_.size());
  slots_ = std::make_unique<Slot[]>(index_.size());
}

TickGate::Slot* TickGate::slot(const Symbol& symbol) const {
  auto it = index_.find(symbol);
  return it == index_.end() ? nullptr : &slots_[it->second];
}

// A sequence lock: retried while publish() is writing, so the two bounds always belong together.
QuietBand TickGate::read_band(const Slot& s) {
  for (;;) {
    const auto before = s.seq.load(std::memory_order_acquire);
    if (before & 1) continue;
    const auto lower = s.lower.load(std::memory_order_relaxed);
    const auto upper = s.upper.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (s.seq.load(std::memory_order_relaxed) == before) return {Price::from_units(lower), Price::from_units(upper)};
  }
}

void TickGate::publish(const Symbol& symbol, QuietBand band) {
  Slot* s = slot(symbol);
  if (!s) return;
  const auto seq = s->seq.load(std::memory_order_relaxed);
  s->seq.store(seq + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  s->lower.store(band.lower.units(), std::memory_order_relaxed);
  s->upper.store(band.upper.units(), std::memory_order_relaxed);
  s->seq.store(seq + 2, std::memory_order_release);
}

bool TickGate::admit(const PriceTick& tick) {
  Slot* s = slot(tick.symbol);
  if (!s) return true;
  const std::int64_t received = tick.received_ns != 0 ? tick.received_ns : steady_now_ns();
  s->last_price.store(tick.price.units(), std::memory_order_relaxed);
  s->last_ns.store(received, std::memory_order_release);
  // seq_cst against hold(): a tick that sees no hold either came before the change was sent (and is
  // routed as if it reached market data before it), or after it was published (the new band).
  if (s->holds.load() > 0) return true;
  if (!read_band(*s).contains(tick.price)) return true;
  const std::int64_t decided = steady_now_ns();
  std::lock_guard lock(quiet_mutex_);
  ++quiet_.ticks;
  quiet_.decide_ns.record(decided - received);
  if (received > quiet_.newest_ns) quiet_.newest_ns = received;
  return false;
}

void TickGate::hold(const Symbol& symbol) {
  if (Slot* s = slot(symbol)) s->holds.fetch_add(1);
}

void TickGate::release(const Symbol& symbol) {
  Slot* s = slot(symbol);
  if (!s) return;
  std::int64_t n = s->holds.load();
  while (n > 0 && !s->holds.compare_exchange_weak(n, n - 1)) {
  }
}

TickGate::Last TickGate::last(const Symbol& symbol) const {
  const Slot* s = slot(symbol);
  if (!s) return {};
  const auto ns = s->last_ns.load(std::memory_order_acquire);
  if (ns == 0) return {};
  return {true, Price::from_units(s->last_price.load(std::memory_order_relaxed)), ns};
}

TickGate::Quiet TickGate::take_quiet() {
  std::lock_guard lock(quiet_mutex_);
  return std::exchange(quiet_, Quiet{});
}

}  // namespace ptp::core
