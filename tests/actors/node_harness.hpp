// The real node (actor system, LMDB in a temp dir, the simulated exchange) with every caller driven
// by the test. Nothing here sleeps: each step awaits a reply.
#pragma once

#include <caf/all.hpp>

#include <functional>
#include <memory>
#include <string>

#include "../support/temp_dir.hpp"
#include "actors/node.hpp"
#include "core/client_order_id.hpp"
#include "core/config/config.hpp"
#include "sim/sim_exchange.hpp"
#include "storage/history_store.hpp"

namespace ptp::test {

inline config::Config node_config(const std::string& mode = "execute", const std::string& positions = "") {
  return config::parse_config(R"(
[node]
exchange = "sim"
account = "t"
mode = ")" + mode + R"("
storage_path = "unused"
symbols = ["ETH", "ETHFI", "BTC"]
[sim]
seed = 1
[[sim.instrument]]
symbol = "ETH"
tick_size = "0.01"
step_size = "0.001"
[[sim.instrument]]
symbol = "ETHFI"
tick_size = "0.001"
step_size = "0.1"
start_price = "2"
[[sim.instrument]]
symbol = "BTC"
tick_size = "0.1"
step_size = "0.001"
start_price = "60000"
)" + positions,
                              "test.toml");
}

// ETH long 1.5 @ 2000, stop 1950: 1R = 50, stage 1 at 2050, stage 2 at 2100.
inline const std::string kEthLong = R"(
[[sim.position]]
symbol = "ETH"
side = "long"
entry = "2000"
size = "1.5"
stop = "1950"
)";

// The actor system's config with the node's scheduler (node.latency_mode), as ptp-node sets it up.
struct NodeSystemConfig : caf::actor_system_config {
  explicit NodeSystemConfig(config::LatencyMode mode) { actors::configure_scheduler(*this, mode); }
};

// ETHFI long 300 @ 2, stop 1.9: 1R = 0.1, stage 1 at 2.1.
inline const std::string kEthfiLong = R"(
[[sim.position]]
symbol = "ETHFI"
side = "long"
entry = "2"
size = "300"
stop = "1.9"
)";

class NodeHarness {
 public:
  // `ex`: the node's door to the simulator (default: the simulator itself; the Binance tests pass
  // the adapter talking to it over loopback). `tune` adjusts the settings before the node starts.
  NodeHarness(const config::Config& cfg, std::shared_ptr<exchange::SimExchange> sim, const std::string& data_dir,
              std::shared_ptr<exchange::Exchange> ex = nullptr,
              const std::function<void(actors::NodeSettings&)>& tune = {})
      : sim_(std::move(sim)),
        store_(std::make_shared<storage::HistoryStore>(data_dir)),
        sys_cfg_(cfg.latency_mode),
        sys_(sys_cfg_),
        self_(sys_) {
    auto settings = std::make_shared<actors::NodeSettings>(actors::NodeSettings::from(cfg));
    if (tune) tune(*settings);
    settings_ = settings;
    actors::NodeOptions options;
    options.with_scheduler = false;  // the test is every caller
    node_ = actors::start_node(sys_, settings, ex ? std::move(ex) : sim_, store_, options);
  }

  ~NodeHarness() { actors::stop_node(sys_, node_); }

  actors::ReconcileReport reconcile() {
    actors::ReconcileReport out;
    self_->request(node_.registry, caf::infinite, actors::reconcile_atom_v)
        .receive([&](const actors::ReconcileReport& r) { out = r; }, [](caf::error& e) { FAIL(to_string(e)); });
    return out;
  }

  actors::ExecuteReply execute(const char* symbol, core::Side side, core::Caller caller,
                               std::optional<std::uint8_t> stage = std::nullopt,
                               std::optional<const char*> price = std::nullopt) {
    actors::ExecuteRequest req{caller, std::nullopt, std::nullopt};
    if (stage) req.stage = core::StageId{*stage};
    if (price) {
      // The caller's fresh price is the exchange's mark (as a REST mark would be).
      req.price = core::Price::parse(*price);
      sim_->set_mark(core::Symbol::parse(symbol), *req.price);
    }
    actors::ExecuteReply out;
    self_->request(node_.registry, caf::infinite, actors::execute_atom_v, core::Symbol::parse(symbol), side, req)
        .receive([&](const actors::ExecuteReply& r) { out = r; }, [](caf::error& e) { FAIL(to_string(e)); });
    return out;
  }

  actors::SweepReport sweep(core::Caller caller) {
    actors::SweepReport out;
    self_->request(node_.registry, caf::infinite, actors::sweep_atom_v, caller)
        .receive([&](const actors::SweepReport& r) { out = r; }, [](caf::error& e) { FAIL(to_string(e)); });
    return out;
  }

  // A market tick as a websocket source hands it over: through the tick gate (a tick inside every
  // band is decided there), then to the market-data actor.
  void tick(const char* symbol, const char* price) {
    auto t = sim_->set_mark(core::Symbol::parse(symbol), core::Price::parse(price));
    if (node_.gate->admit(t)) self_->send(node_.market_data, actors::tick_atom_v, t);
  }

  // Waits until the ticks sent so far have reached the position actors and no stage is in flight.
  void settle() {
    self_->request(node_.market_data, caf::infinite, actors::last_atom_v, core::Symbol::parse("ETH"))
        .receive([](const actors::LastPrice&) {}, [](caf::error& e) { FAIL(to_string(e)); });
    self_->request(node_.registry, caf::infinite, actors::idle_atom_v)
        .receive([](bool) {}, [](caf::error& e) { FAIL(to_string(e)); });
  }

  std::vector<actors::PositionStatus> status() {
    std::vector<actors::PositionStatus> out;
    self_->request(node_.registry, caf::infinite, actors::status_atom_v)
        .receive([&](std::vector<actors::PositionStatus> s) { out = std::move(s); },
                 [](caf::error& e) { FAIL(to_string(e)); });
    return out;
  }

  // Closes filled by ptp for one symbol, in order (the simulator's order log).
  std::vector<core::OrderState> closes(const char* symbol) const {
    std::vector<core::OrderState> out;
    for (const auto& o : sim_->order_log())
      if (o.kind == core::OrderKind::market_close && o.symbol == core::Symbol::parse(symbol)) out.push_back(o);
    return out;
  }

  storage::HistoryStore& store() { return *store_; }
  exchange::SimExchange& sim() { return *sim_; }
  caf::actor_system& system() { return sys_; }
  actors::NodeActors& node() { return node_; }
  // What a position actor spawned by the test itself needs (the registry's are out of reach).
  actors::PositionDeps position_deps() const {
    return {settings_, node_.exchange, node_.persistence, node_.metrics, node_.market_data, {}, node_.gate};
  }

 private:
  std::shared_ptr<exchange::SimExchange> sim_;
  std::shared_ptr<storage::HistoryStore> store_;
  std::shared_ptr<const actors::NodeSettings> settings_;
  NodeSystemConfig sys_cfg_;
  caf::actor_system sys_;
  caf::scoped_actor self_;
  actors::NodeActors node_;
};

// ETH long 1.5 @ 2000, stop 1950 (1R = 50), adopted by a first node that has since stopped: the
// start of every test about what a later node does with a stored position.
inline const core::Symbol kEth = core::Symbol::parse("ETH");
inline const core::PositionKey kEthKey{core::Exchange::sim, "t", kEth, core::Side::long_, 1};

// Stage 1's intent for the ETH long (close 0.5 at 2050, stop to 2000), as a run writes it before any
// order goes out: what a run killed mid-stage leaves behind.
inline storage::StageRecord eth_stage1_intent(const core::PositionKey& key) {
  storage::StageRecord intent;
  intent.key = key;
  intent.stage = core::StageId{1};
  intent.caller = core::Caller::market;
  intent.at = core::Clock::now();
  intent.mark = core::Price::parse("2050");
  intent.planned_qty = core::Qty::parse("0.5");
  intent.new_stop = core::Price::parse("2000");
  intent.close_client_id = core::client_order_id(key, intent.stage, core::OrderStep::close);
  intent.stop_client_id = core::client_order_id(key, intent.stage, core::OrderStep::stop);
  intent.tp_client_id = core::client_order_id(key, intent.stage, core::OrderStep::take_profit);
  return intent;
}

struct AdoptedEthLong {
  TempDir dir;
  config::Config cfg = node_config("execute", kEthLong);
  std::shared_ptr<exchange::SimExchange> sim = std::make_shared<exchange::SimExchange>(*cfg.sim);

  AdoptedEthLong() {
    NodeHarness first{cfg, sim, dir.path()};
    REQUIRE(first.reconcile().adopted == 1);
  }
};

}  // namespace ptp::test
