// What the actors need from the config, resolved once.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/order_budget.hpp"
#include "core/stage_plan.hpp"

namespace ptp::actors {

// The mode in force, read by every position actor on every decision: the config's at start (or the
// last switch recorded in the history), switched at run time by an operator or the rollout guard.
// Copies share one flag: the settings are copied into the node once, and a switch must reach
// every actor that holds them.
class LiveMode {
 public:
  LiveMode(bool observe = true) : observe_(std::make_shared<std::atomic<bool>>(observe)) {}  // NOLINT: reads as a bool
  LiveMode& operator=(bool observe) {
    set(observe);
    return *this;
  }
  operator bool() const { return observe_->load(std::memory_order_acquire); }  // NOLINT: true = observe
  void set(bool observe) const { observe_->store(observe, std::memory_order_release); }

 private:
  std::shared_ptr<std::atomic<bool>> observe_;
};

struct NodeSettings {
  core::Exchange exchange = core::Exchange::sim;
  std::string account;
  LiveMode observe{true};  // true: observe mode (decide and log, send nothing)
  core::StagePlan plan = core::StagePlan::default_plan();
  std::optional<core::Ratio> default_stop_pct;
  std::vector<core::Symbol> symbols;     // in config order
  std::set<core::Symbol> symbol_set;      // the same, for lookups (nodes may manage thousands)
  std::chrono::milliseconds dedupe_window{30'000};
  std::chrono::milliseconds health_check_interval{300'000};
  std::chrono::milliseconds agent_interval{900'000};
  std::chrono::milliseconds metrics_interval{60'000};
  std::chrono::milliseconds stream_stale_after{5'000};  // older stream prices are replaced by REST marks
  // A refused trailing move waits this long before the next one, twice as long after each further
  // refusal, at most `retry_max` (core/retry_backoff.hpp).
  std::chrono::milliseconds retry_first{1'000};
  std::chrono::milliseconds retry_max{60'000};
  // Positions that ask for a reconcile within this long of the last one share one more snapshot (a
  // take-profit storm, a liquidation of many positions, a user closing everything at once): N asks
  // at once cost two snapshots, not N.
  std::chrono::milliseconds reconcile_gather{50};
  // The share of the exchange's order limits the node may use (core/order_budget.hpp); `order_budget`,
  // when set, replaces the share (tests).
  int order_budget_pct = 50;
  std::vector<core::RateWindow> order_budget;
  core::GuardLimits guard;  // past either limit in an hour, the node switches itself to observe

  static NodeSettings from(const config::Config& cfg) {
    NodeSettings s;
    s.exchange = cfg.exchange;
    s.account = cfg.account;
    s.observe = cfg.mode == config::Mode::observe;
    s.plan = cfg.plan;
    s.default_stop_pct = cfg.default_stop_pct;
    s.set_symbols(cfg.symbols);
    s.dedupe_window = cfg.dedupe_window;
    s.health_check_interval = cfg.health_check_interval;
    s.agent_interval = cfg.agent_interval;
    s.metrics_interval = cfg.metrics_interval;
    s.order_budget_pct = cfg.order_budget_pct;
    s.guard = cfg.guard;
    return s;
  }

  void set_symbols(std::vector<core::Symbol> list) {
    symbols = std::move(list);
    symbol_set = std::set<core::Symbol>(symbols.begin(), symbols.end());
  }
  bool manages(const core::Symbol& s) const { return symbol_set.count(s) > 0; }
};

}  // namespace ptp::actors
