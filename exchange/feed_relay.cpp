#include "exchange/feed_relay.hpp"

#include <algorithm>

namespace ptp::exchange {

VenueSinks FeedRelay::sinks() {
  return VenueSinks{[this](const core::PriceTick& t) { on_tick(t); }, [this] { on_account_changed(); }};
}

void FeedRelay::attach(VenueSinks node) {
  std::lock_guard lock(mu_);
  node_ = std::move(node);
}

void FeedRelay::detach() {
  std::lock_guard lock(mu_);
  node_ = VenueSinks{};
}

bool FeedRelay::attached() const {
  std::lock_guard lock(mu_);
  return static_cast<bool>(node_.tick);
}

FeedRelay::Stats FeedRelay::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::optional<core::Price> FeedRelay::last_price(const core::Symbol& symbol) const {
  std::lock_guard lock(mu_);
  const auto it = std::find_if(last_.begin(), last_.end(), [&](const auto& e) { return e.first == symbol; });
  if (it == last_.end()) return std::nullopt;
  return it->second;
}

void FeedRelay::on_tick(const core::PriceTick& tick) {
  std::lock_guard lock(mu_);
  ++stats_.ticks;
  stats_.last_tick_ns = tick.received_ns != 0 ? tick.received_ns : core::steady_now_ns();
  const auto it = std::find_if(last_.begin(), last_.end(), [&](const auto& e) { return e.first == tick.symbol; });
  if (it == last_.end()) last_.emplace_back(tick.symbol, tick.price);
  else it->second = tick.price;
  if (node_.tick) node_.tick(tick);
}

void FeedRelay::on_account_changed() {
  std::lock_guard lock(mu_);
  if (node_.account_changed) node_.account_changed();
  else ++stats_.ignored_account_changes;
}

}  // namespace ptp::exchange
