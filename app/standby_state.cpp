#include "app/standby_state.hpp"

#include <spdlog/spdlog.h>

#include "actors/history_page.hpp"
#include "cluster/ownership.hpp"
#include "exchange/exchange.hpp"
#include "exchange/feed_relay.hpp"
#include "storage/history_store.hpp"

namespace ptp::app {

StandbyState::StandbyState(const config::Config& cfg, std::shared_ptr<storage::HistoryStore> store,
                           std::shared_ptr<exchange::FeedRelay> relay, Filters filters,
                           std::shared_ptr<cluster::Ownership> ownership)
    : config_observes_(cfg.mode == config::Mode::observe),
      store_(std::move(store)),
      relay_(std::move(relay)),
      filters_(std::move(filters)),
      ownership_(std::move(ownership)) {}

StandbyState::Filters StandbyState::load_filters(const config::Config& cfg, exchange::Exchange& exchange) {
  Filters out;
  for (const auto& symbol : cfg.symbols) {
    try {
      out.emplace(symbol, exchange.filters(symbol));
    } catch (const std::exception& e) {
      spdlog::warn("[cluster] standby: the filters of {} could not be had ({}); its positions are shown without them",
                   symbol.canonical(), e.what());
    }
  }
  return out;
}

std::string StandbyState::why() const {
  return "node " + ownership_->settings().node_id + " does not act for " + ownership_->settings().keys.exchange + "/" +
         ownership_->settings().keys.account + ": " + ownership_->why_not();
}

std::vector<actors::PositionStatus> StandbyState::positions() {
  std::vector<actors::PositionStatus> out;
  for (auto& rec : store_->positions()) {
    if (!rec.open) continue;
    const core::Symbol symbol = rec.position.key.symbol;
    actors::PositionStatus s;
    s.stages = store_->stages(rec.position.key);
    s.last_mark = relay_->last_price(symbol).value_or(core::Price{});
    if (auto it = filters_.find(symbol); it != filters_.end()) s.filters = it->second;
    s.record = std::move(rec);
    out.push_back(std::move(s));
  }
  return out;
}

actors::HistoryPage StandbyState::history(const actors::HistoryQuery& query) { return actors::read_history(*store_, query); }

actors::MetricsSnapshot StandbyState::metrics() {
  const auto stats = relay_->stats();
  actors::MetricsSnapshot m;
  m.ticks = stats.ticks;
  m.stream_age_ms = stats.last_tick_ns == 0 ? -1 : (core::steady_now_ns() - stats.last_tick_ns) / 1'000'000;
  return m;
}

std::optional<core::Price> StandbyState::last_price(const core::Symbol& symbol) { return relay_->last_price(symbol); }

bool StandbyState::observing() {
  const auto modes = store_->mode_changes();
  return modes.empty() ? config_observes_ : modes.back().observe;
}

}  // namespace ptp::app
