#include "app/node_run.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <ctime>

#include "actors/error_text.hpp"
#include "actors/node.hpp"
#include "api/node_gateway.hpp"
#include "api/server.hpp"
#include "app/summary.hpp"
#include "sim/sim_exchange.hpp"
#include "exchange/venue.hpp"
#include "storage/data_dir_lock.hpp"
#include "replay/tick_recorder.hpp"
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

}  // namespace

int run_node(const config::Config& cfg, std::optional<config::Millis> run_for, std::optional<std::string> record) {
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
  std::unique_ptr<exchange::Venue> venue;
  try {
    venue = exchange::make_venue(cfg);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
  const std::shared_ptr<exchange::SimExchange> sim = venue->simulator();
  std::string api_token;  // never logged
  if (cfg.api.enabled) {
    try {
      api_token = api::token_from_env(cfg.api);
    } catch (const api::ApiStartError& e) {
      spdlog::critical("cannot start: {}", e.what());
      return 1;
    }
  }

  std::shared_ptr<replay::TickRecorder> recorder;
  if (record) {
    try {
      recorder = std::make_shared<replay::TickRecorder>(*record);
    } catch (const std::exception& e) {
      spdlog::critical("cannot start: {}", e.what());
      return 1;
    }
    spdlog::info("recording every received tick to {}", *record);
  }

  const auto settings = std::make_shared<const actors::NodeSettings>(actors::NodeSettings::from(cfg));
  const auto started = core::Clock::now();
  spdlog::info("ptp-node starting: exchange={} account={} mode={} latency_mode={} data={} symbols={} health-check "
               "every {}, agent every {}, dedupe window {}",
               core::to_string(cfg.exchange), cfg.account, config::to_string(cfg.mode),
               config::to_string(cfg.latency_mode), cfg.storage_path,
               cfg.symbols.size(), config::format_duration(cfg.health_check_interval),
               config::format_duration(cfg.agent_interval), config::format_duration(cfg.dedupe_window));
  std::string stop_reason;
  {
    caf::actor_system_config sys_cfg;
    actors::configure_scheduler(sys_cfg, cfg.latency_mode);
    caf::actor_system sys{sys_cfg};
    actors::NodeOptions options;
    options.feed = sim;
    if (cfg.sim) options.feed_interval = cfg.sim->tick_interval;
    if (recorder) options.observe_feed = [recorder](const core::PriceTick& t) { recorder->record(t); };
    auto node = actors::start_node(sys, settings, venue->exchange(), store, options);
    auto sink = actors::tick_sink(node);
    if (recorder)
      sink = [recorder, inner = std::move(sink)](const core::PriceTick& t) {
        recorder->record(t);
        inner(t);
      };
    venue->start_feeds({sink, actors::reconcile_trigger(node)});
    std::unique_ptr<api::NodeGateway> gateway;
    std::unique_ptr<api::ApiServer> api_server;
    if (cfg.api.enabled) {
      gateway = std::make_unique<api::NodeGateway>(sys, node, settings);
      try {
        api_server = std::make_unique<api::ApiServer>(cfg.api, api_token, *gateway);
      } catch (const api::ApiStartError& e) {
        spdlog::critical("cannot start: {}", e.what());
        venue->stop_feeds();
        actors::stop_node(sys, node);
        return 1;
      }
    }
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
    if (api_server) api_server->stop();  // no new request reaches the actors from here on
    {
      caf::scoped_actor self{sys};
      self->request(node.metrics, std::chrono::seconds(5), actors::get_atom_v)
          .receive([](const actors::MetricsSnapshot& m) { actors::log_metrics(m); }, [](caf::error&) {});
    }
    venue->stop_feeds();
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
