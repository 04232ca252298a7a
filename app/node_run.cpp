#include "app/node_run.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <fmt/ranges.h>
#include <unistd.h>

#include <csignal>
#include <ctime>
#include <functional>

#include "actors/error_text.hpp"
#include "actors/node.hpp"
#include "api/node_gateway.hpp"
#include "api/server.hpp"
#include "app/summary.hpp"
#include "app/standby_state.hpp"
#include "cluster/etcd_history.hpp"
#include "cluster/history_follower.hpp"
#include "cluster/ownership.hpp"
#include "sim/sim_exchange.hpp"
#include "exchange/feed_relay.hpp"
#include "exchange/venue.hpp"
#include "storage/data_dir_lock.hpp"
#include "replay/tick_recorder.hpp"
#include "storage/history_store.hpp"

namespace ptp::app {
namespace {

// Blocks SIGINT, SIGTERM and SIGUSR1 in every thread (set before any thread starts); main waits for
// them. SIGUSR1 is the cluster's "this node's role changed" (cluster::Ownership's on_change).
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

using Deadline = std::optional<std::chrono::steady_clock::time_point>;

// Waits for SIGINT/SIGTERM, the deadline (--run-for), or a SIGUSR1 after which `done()` holds.
// Returns the signal's name, "run-for", or "" when `done()` became true.
std::string wait_for(const sigset_t& set, Deadline deadline, const std::function<bool()>& done = {}) {
  for (;;) {
    if (done && done()) return {};
    timespec ts{1, 0};
    if (deadline) {
      const auto left = *deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return "--run-for elapsed";
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
      ts = timespec{static_cast<std::time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    }
    const int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig == SIGINT) return "SIGINT";
    if (sig == SIGTERM) return "SIGTERM";
  }
}

api::GroupView group_view(const cluster::GroupStatus& s) {
  return api::GroupView{s.node_id, cluster::to_string(s.role), s.owner, s.owner_since_ms, s.lease_left.count(), s.standbys};
}

struct Run {
  int exit_code = 0;
  std::string stop_reason;  // a signal, "--run-for elapsed", or "" (the cluster took ownership away)
};

// How the node gets its venue's feeds: a single node starts and stops them with it; a cluster node
// attaches to feeds that stay connected while it is a standby (exchange::FeedRelay).
struct FeedHookup {
  std::function<void(exchange::VenueSinks)> attach;
  std::function<void()> detach;  // returns when no call into the sinks is in progress
};

// The API, when the config enables it, for the process's lifetime: the gateway is attached to the
// node while it runs. Null when the API is off; throws api::ApiStartError when it cannot listen.
struct Api {
  std::unique_ptr<api::NodeGateway> gateway;
  std::unique_ptr<api::ApiServer> server;
  void start(const config::Config& cfg, const std::string& token) {
    if (gateway) server = std::make_unique<api::ApiServer>(cfg.api, token, *gateway);
  }
  ~Api() {
    if (server) server->stop();  // before the gateway goes
  }
};

// The actor system against one venue until `wait` returns. In a cluster, `options` carries the
// owner's fence and the replicated history.
Run run_actors(const config::Config& cfg, const std::shared_ptr<const actors::NodeSettings>& settings,
               exchange::Venue& venue, std::shared_ptr<storage::HistoryStore> store, actors::NodeOptions options,
               const FeedHookup& feeds, api::NodeGateway* gateway, const std::function<std::string()>& wait) {
  Run run;
  caf::actor_system_config sys_cfg;
  actors::configure_scheduler(sys_cfg, cfg.latency_mode);
  caf::actor_system sys{sys_cfg};
  options.feed = venue.simulator();
  if (cfg.sim) options.feed_interval = cfg.sim->tick_interval;
  auto node = actors::start_node(sys, settings, venue.exchange(), store, options);
  auto sink = actors::tick_sink(node);
  if (options.observe_feed)  // --record: every tick the venue's feeds deliver, first
    sink = [observe = options.observe_feed, inner = std::move(sink)](const core::PriceTick& t) {
      observe(t);
      inner(t);
    };
  feeds.attach({sink, actors::reconcile_trigger(node)});
  if (gateway) gateway->attach(sys, node);
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
  run.stop_reason = wait();
  spdlog::info("ptp-node stopping ({}): waiting for stages in flight",
               run.stop_reason.empty() ? "this node no longer owns the account" : run.stop_reason);
  if (gateway) gateway->detach();  // no new request reaches the actors from here on
  {
    caf::scoped_actor self{sys};
    self->request(node.metrics, std::chrono::seconds(5), actors::get_atom_v)
        .receive([](const actors::MetricsSnapshot& m) { actors::log_metrics(m); }, [](caf::error&) {});
  }
  feeds.detach();
  actors::stop_node(sys, node);
  return run;  // the actor system joins its threads here
}

// A cluster node. From the start it keeps warm what it needs to act: its venue (filters, clock,
// streams connected into a relay), the group's history followed into LMDB, and its API, which
// answers from that state and refuses to act while another node owns the account. When it owns
// the account it copies the whole history once more (the copy is what it relies on), attaches its
// node to the running feeds and acts; when it steps down it detaches and is a standby again.
Run run_cluster(const config::Config& cfg, const std::shared_ptr<const actors::NodeSettings>& settings,
                exchange::Venue& venue, std::shared_ptr<storage::HistoryStore> store, Api& api,
                const std::string& api_token, const sigset_t& signals, Deadline deadline,
                const actors::NodeOptions& base) {
  const auto& c = *cfg.cluster;
  const pid_t self_pid = ::getpid();
  cluster::OwnershipSettings os{c.etcd, c.lease_ttl, c.node_id,
                                cluster::GroupKeys{std::string(core::to_string(cfg.exchange)), cfg.account},
                                exchange::TlsFiles{c.tls_ca, c.tls_cert, c.tls_key}};
  auto relay = std::make_shared<exchange::FeedRelay>();
  venue.start_feeds(relay->sinks());
  struct StopFeeds {  // before the relay goes, on every way out
    exchange::Venue& v;
    ~StopFeeds() { v.stop_feeds(); }
  } stop_feeds{venue};

  auto ownership = std::make_shared<cluster::Ownership>(os, [self_pid] { ::kill(self_pid, SIGUSR1); });
  auto history = std::make_shared<cluster::EtcdHistory>(*ownership, os.keys, c.etcd);
  auto standby = std::make_shared<StandbyState>(cfg, store, relay, StandbyState::load_filters(cfg, *venue.exchange()),
                                                ownership);
  struct StopApi {  // the API asks the cluster's parts: it stops first, and lets go of them
    Api& api;
    ~StopApi() {
      if (api.server) api.server->stop();
      if (api.gateway) {
        api.gateway->set_standby(nullptr);
        api.gateway->set_group({});
      }
    }
  } stop_api{api};
  if (api.gateway) {
    api.gateway->set_group([ownership] { return group_view(ownership->status()); });
    api.gateway->set_standby(standby);
    try {
      api.start(cfg, api_token);
    } catch (const api::ApiStartError& e) {
      spdlog::critical("cannot start: {}", e.what());
      return {1, {}};
    }
  }
  spdlog::info("[cluster] {} joins the group for {}/{} on etcd {} (lease {})", c.node_id, os.keys.exchange,
               os.keys.account, fmt::join(c.etcd, ","), config::format_duration(c.lease_ttl));
  const FeedHookup feeds{[&](exchange::VenueSinks s) { relay->attach(std::move(s)); }, [&] { relay->detach(); }};
  for (;;) {
    const auto owner = [&] { return ownership->role() == cluster::Role::owner; };
    // Lives until the end of the owner's term: stopping is at once, its stream's end can wait.
    cluster::HistoryFollower follower(os.keys, c.etcd, store, os.tls);
    if (auto reason = wait_for(signals, deadline, owner); !reason.empty()) return {0, reason};
    follower.stop();  // the node writes the store from here on
    try {
      const auto loaded = history->load_into(*store);
      spdlog::info("[cluster] {} loaded the group's history from etcd: {} position(s), {} stage record(s), {} event(s){}",
                   c.node_id, loaded.positions, loaded.stages, loaded.events,
                   loaded.modes ? fmt::format(", {} mode switch(es)", loaded.modes) : std::string());
    } catch (const std::exception& e) {
      ownership->lost(std::string("the history could not be loaded from etcd: ") + e.what());
    }
    if (owner()) {
      actors::NodeOptions options = base;
      options.fence = ownership;
      options.replica = history;
      const auto wait = [&] { return wait_for(signals, deadline, [&] { return !owner(); }); };
      Run run = run_actors(cfg, settings, venue, store, options, feeds, api.gateway.get(), wait);
      if (run.exit_code != 0 || !run.stop_reason.empty()) return run;
    }
    spdlog::info("[cluster] {} is a standby again: {}", c.node_id, ownership->why_not());
    ownership->rejoin();
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
  // One venue for the process: a cluster node keeps it warm while it is a standby.
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
  const auto started = core::Clock::now();
  const Deadline deadline =
      run_for ? Deadline(std::chrono::steady_clock::now() + *run_for) : std::nullopt;
  spdlog::info("ptp-node starting: exchange={} account={} mode={} latency_mode={} data={} symbols={} health-check "
               "every {}, agent every {}, dedupe window {}{}",
               core::to_string(cfg.exchange), cfg.account, config::to_string(cfg.mode),
               config::to_string(cfg.latency_mode), cfg.storage_path,
               cfg.symbols.size(), config::format_duration(cfg.health_check_interval),
               config::format_duration(cfg.agent_interval), config::format_duration(cfg.dedupe_window),
               cfg.cluster ? ", cluster node " + cfg.cluster->node_id : std::string());
  actors::NodeOptions options;
  if (recorder) options.observe_feed = [recorder](const core::PriceTick& t) { recorder->record(t); };
  const auto settings = std::make_shared<const actors::NodeSettings>(actors::NodeSettings::from(cfg));
  Api api;
  if (cfg.api.enabled) api.gateway = std::make_unique<api::NodeGateway>(settings);
  Run run;
  if (cfg.cluster) {
    run = run_cluster(cfg, settings, *venue, store, api, api_token, stop_signals, deadline, options);
  } else {
    try {
      api.start(cfg, api_token);
    } catch (const api::ApiStartError& e) {
      spdlog::critical("cannot start: {}", e.what());
      return 1;
    }
    const FeedHookup feeds{[&](exchange::VenueSinks s) { venue->start_feeds(std::move(s)); }, [&] { venue->stop_feeds(); }};
    run = run_actors(cfg, settings, *venue, store, options, feeds, api.gateway.get(),
                     [&] { return wait_for(stop_signals, deadline); });
  }
  if (run.exit_code != 0) return run.exit_code;

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
