#include "app/node_run.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <ctime>

#include "actors/error_text.hpp"
#include "actors/node.hpp"
#include "app/summary.hpp"
#include "exchange/binance/binance_exchange.hpp"
#include "exchange/binance/streams.hpp"
#include "exchange/sim_exchange.hpp"
#include "storage/data_dir_lock.hpp"
#include "storage/history_store.hpp"

namespace ptp::app {
namespace {

// Blocks SIGINT and SIGTERM in every thread (set before any thread starts); main waits for them.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Waits for SIGINT/SIGTERM, or until `run_for` has passed. Returns the signal's name or "run-for".
std::string wait_for_stop(const sigset_t& set, std::optional<config::Millis> run_for) {
  const auto deadline = std::chrono::steady_clock::now() + run_for.value_or(config::Millis::zero());
  for (;;) {
    timespec ts{1, 0};
    if (run_for) {
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return "--run-for elapsed";
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
      ts = timespec{static_cast<std::time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    }
    const int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig == SIGINT) return "SIGINT";
    if (sig == SIGTERM) return "SIGTERM";
  }
}

// The exchange's websocket streams, when the exchange is a real one (the simulator feeds itself).
struct Streams {
  std::unique_ptr<exchange::binance::MarketStream> market;
  std::unique_ptr<exchange::binance::UserStream> user;
  void stop() {
    if (market) market->stop();
    if (user) user->stop();
  }
};

Streams start_streams(const config::Config& cfg, const actors::NodeActors& node) {
  Streams s;
  if (cfg.exchange != core::Exchange::binance) return s;
  namespace bn = exchange::binance;
  const auto& ep = *cfg.endpoints;
  s.market = std::make_unique<bn::MarketStream>(ep.ws_url, cfg.symbols, ep.price_stream, actors::tick_sink(node));
  exchange::WsOptions user_options;
  user_options.no_data_timeout = std::chrono::minutes(10);  // Binance pings every 3 minutes
  s.user = std::make_unique<bn::UserStream>(
      ep.ws_url, std::make_unique<bn::RestClient>(ep.rest_url, bn::Credentials::from_env(ep)),
      [reconcile = actors::reconcile_trigger(node)](const bn::UserEvent& e) {
        if (!bn::is_external_change(e)) return;
        spdlog::info("[ws] binance user data: {} {} {} -> reconciling now", e.symbol, e.client_id, e.status);
        reconcile();
      },
      user_options);
  s.market->start();
  s.user->start();
  return s;
}

}  // namespace

int run_node(const config::Config& cfg, std::optional<config::Millis> run_for) {
  const sigset_t stop_signals = block_stop_signals();
  std::unique_ptr<storage::DataDirLock> lock;
  std::shared_ptr<storage::HistoryStore> store;
  try {
    lock = std::make_unique<storage::DataDirLock>(cfg.storage_path);
    store = std::make_shared<storage::HistoryStore>(cfg.storage_path);
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return 1;
  }
  std::shared_ptr<exchange::SimExchange> sim;
  std::shared_ptr<exchange::Exchange> ex;
  if (cfg.exchange == core::Exchange::sim) {
    try {
      sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
    } catch (const std::exception& e) {
      spdlog::critical("cannot start the simulator: {}", e.what());
      return 1;
    }
    ex = sim;
  } else if (cfg.exchange == core::Exchange::binance) {
    try {
      auto binance = std::make_shared<exchange::binance::BinanceExchange>(std::make_unique<exchange::binance::RestClient>(
          cfg.endpoints->rest_url, exchange::binance::Credentials::from_env(*cfg.endpoints)));
      binance->rest().sync_time();  // reachable, and the clock offset known before any order
      ex = binance;
    } catch (const std::exception& e) {
      spdlog::critical("cannot reach Binance at {}: {}", cfg.endpoints->rest_url, e.what());
      return 1;
    }
  } else {
    spdlog::critical("the {} adapter is not built yet; use node.exchange = \"sim\" or \"binance\"",
                     core::to_string(cfg.exchange));
    return 1;
  }

  const auto settings = std::make_shared<const actors::NodeSettings>(actors::NodeSettings::from(cfg));
  const auto started = core::Clock::now();
  spdlog::info("ptp-node starting: exchange={} account={} mode={} data={} symbols={} health-check every {}, agent "
               "every {}, dedupe window {}",
               core::to_string(cfg.exchange), cfg.account, config::to_string(cfg.mode), cfg.storage_path,
               cfg.symbols.size(), config::format_duration(cfg.health_check_interval),
               config::format_duration(cfg.agent_interval), config::format_duration(cfg.dedupe_window));
  std::string stop_reason;
  {
    caf::actor_system_config sys_cfg;
    actors::configure_scheduler(sys_cfg);
    caf::actor_system sys{sys_cfg};
    actors::NodeOptions options;
    options.feed = sim;
    if (cfg.sim) options.feed_interval = cfg.sim->tick_interval;
    auto node = actors::start_node(sys, settings, ex, store, options);
    auto streams = start_streams(cfg, node);
    {
      caf::scoped_actor self{sys};
      self->request(node.registry, std::chrono::seconds(30), actors::reconcile_atom_v)
          .receive(
              [](const actors::ReconcileReport& r) {
                spdlog::info("[registry] start-up reconcile: {} open, {} adopted, {} resumed from storage, {} left alone",
                             r.open, r.adopted, r.resumed, r.left_alone);
              },
              [](caf::error& e) { spdlog::error("[registry] start-up reconcile failed: {}", actors::describe(e)); });
    }
    stop_reason = wait_for_stop(stop_signals, run_for);
    spdlog::info("ptp-node stopping ({}): waiting for stages in flight", stop_reason);
    {
      caf::scoped_actor self{sys};
      self->request(node.metrics, std::chrono::seconds(5), actors::get_atom_v)
          .receive([](const actors::MetricsSnapshot& m) { actors::log_metrics(m); }, [](caf::error&) {});
    }
    streams.stop();
    actors::stop_node(sys, node);
  }  // the actor system joins its threads here

  try {
    std::vector<SummaryRow> rows;
    for (auto& rec : store->positions()) {
      if (!rec.open && rec.closed_at < started) continue;  // an earlier run's closed positions
      rows.push_back(SummaryRow{rec, store->stages(rec.position.key)});
    }
    std::fputs(summary_table(rows, sim.get(), cfg.plan).c_str(), stdout);
  } catch (const std::exception& e) {
    spdlog::error("no summary: {}", e.what());
  }
  spdlog::info("ptp-node stopped cleanly");
  return 0;
}

}  // namespace ptp::app
