// Two or more real ptp-node processes in one group on a real 3-member etcd cluster, against the
// simulator served over one venue's protocol in this process (so it outlives every node):
// VenueRig<BinanceProtocol> (`Rig`) or VenueRig<GateioProtocol> (tests/support/venue_loopback.hpp).
// Each node signs with its own API key, so every order request the exchange receives is attributed
// to the node that sent it; the order hook also reads, at that moment, who owns the account in etcd.
//
// The position (tests/support/venue_loopback.hpp): ETH long 1.5 @ 2000, user's stop 1950 (1R = 50).
// Stage 1 at 2050 closes 0.5, stop to 2000; stage 2 at 2100 closes 0.5, stop to 2050.
#pragma once

#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cluster/etcd_client.hpp"
#include "core/config/config.hpp"
#include "core/symbol.hpp"
#include "sim/sim_exchange.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/etcd_cluster.hpp"
#include "tests/support/loopback_node_toml.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/venue_loopback.hpp"

namespace ptp::test::cluster_rig {

inline const core::Symbol kEth{"ETH", "USDT"};
inline constexpr const char* kAccount = "group";

inline std::string api_key_of(const std::string& node_id) { return "key-" + node_id; }
inline constexpr const char* kApiToken = "cluster-test-api-token-0123456789";

// One order request as the exchange saw it arrive.
struct OrderSeen {
  std::string sender;  // node id (from the API key)
  std::string owner;   // who owned the account in etcd when it arrived ("" : nobody)
  std::string method, path, client_id;
  std::chrono::steady_clock::time_point at;
};

inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition with a deadline
  }
  return true;
}

inline std::string file_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Node {
  std::string id;
  std::string log_path;
  std::unique_ptr<ChildProcess> process;
  pid_t pid() const { return process ? process->pid() : 0; }
  std::string log() const { return file_text(log_path); }
};

template <class Protocol>
class VenueRig {
 public:
  using Server = typename Protocol::Server;

  // `tls`: etcd serves https and wants client certificates; each node's config names the files.
  explicit VenueRig(std::vector<std::string> node_ids, std::chrono::milliseconds lease_ttl = std::chrono::seconds(3),
                    EtcdCluster::Tls tls = EtcdCluster::Tls::none)
      : etcd_(3, tls), lease_ttl_(lease_ttl) {
    const auto cfg = config::parse_config(venue_sim_toml(Protocol::eth_sizes), "cluster-sim.toml");
    sim_ = std::make_shared<exchange::SimExchange>(*cfg.sim);
    std::vector<std::string> keys;
    for (const auto& id : node_ids) keys.push_back(api_key_of(id));
    server_ = Protocol::serve(sim_, keys);
    for (const auto& id : node_ids) nodes_[id] = Node{id, dir_.sub(id + ".log"), nullptr};
    owner_reader_ =
        std::make_unique<cluster::EtcdClient>(etcd_.client_urls(), std::chrono::milliseconds(1000), etcd_.tls_files());
    server_->set_order_hook([this](const exchange::loopback::OrderRequestEvent& e) {
      if (e.served) return true;
      OrderSeen seen{sender_of(e.api_key), owner_now(), e.method, e.path, e.client_id, std::chrono::steady_clock::now()};
      std::lock_guard lock(mu_);
      orders_.push_back(std::move(seen));
      return true;
    });
  }
  ~VenueRig() {
    for (auto& [id, n] : nodes_)
      if (n.process && n.pid() > 0) {  // never kill(0, ...): that signals this whole process group
        ::kill(n.pid(), SIGCONT);
        n.process->kill_now();
      }
    server_->set_order_hook({});
  }

  EtcdCluster& etcd() { return etcd_; }
  exchange::SimExchange& sim() { return *sim_; }
  Server& server() { return *server_; }
  Node& node(const std::string& id) { return nodes_.at(id); }
  // Where the group keeps its owner key and history in etcd (as the nodes derive them).
  static cluster::GroupKeys keys() { return {std::string(core::to_string(Protocol::venue)), kAccount}; }
  // How the node's close ids travel on this venue (Binance's newClientOrderId, Gate.io's text).
  static std::string close_id_prefix() { return Protocol::close_id_prefix; }

  // Starts a node; `etcd_members`: which members its config lists (all when empty).
  void start(const std::string& id, std::vector<int> etcd_members = {}) {
    std::vector<std::string> urls;
    if (etcd_members.empty()) urls = etcd_.client_urls();
    for (int m : etcd_members) urls.push_back(etcd_.client_url(m));
    std::string etcd_list = "[";
    for (const auto& u : urls) etcd_list += (etcd_list.size() > 1 ? ", \"" : "\"") + u + "\"";
    etcd_list += "]";
    const std::string config_path = dir_.sub(id + ".toml");
    std::ofstream(config_path) << node_config(id, etcd_list);
    Node& n = nodes_.at(id);
    n.process = std::make_unique<ChildProcess>(
        std::vector<std::string>{PTP_NODE_BINARY, "--config", config_path},
        std::vector<std::string>{"PTP_NODE_KEY=" + api_key_of(id), "PTP_NODE_SECRET=ptp-sim-api-secret",
                                 "PTP_NODE_API_TOKEN=" + std::string(kApiToken)},
        n.log_path);
  }

  // The node's API URL (http://127.0.0.1:PORT), from its log once it serves it; "" until then.
  std::string api_url(const std::string& id) {
    const std::string log = node(id).log();
    const std::string mark = "[api] MCP on ";
    const auto at = log.rfind(mark);
    if (at == std::string::npos) return {};
    const auto start = at + mark.size();
    return log.substr(start, log.find("/mcp", start) - start);
  }

  // The owner's node id as etcd has it now ("" when nobody owns the account).
  std::string owner_now() {
    std::lock_guard lock(etcd_mu_);
    try {
      const auto kvs = owner_reader_->range(keys().owner());
      if (kvs.empty()) return {};
      const auto j = nlohmann::json::parse(kvs[0].value, nullptr, false);
      return j.is_object() ? j.value("node_id", std::string("?")) : std::string("?");
    } catch (const std::exception& e) {
      return "unreadable: " + std::string(e.what());
    }
  }
  // Generous bounds: on a loaded machine etcd's members can lose and re-elect their leader, and each
  // new leader renews every lease once, which puts an expiry off by up to a TTL.
  bool wait_owner(const std::string& id, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    return wait_until([&] { return owner_now() == id; }, limit);
  }
  bool wait_log(const std::string& id, const std::string& text, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    return wait_until([&] { return node(id).log().find(text) != std::string::npos; }, limit);
  }

  std::vector<OrderSeen> orders() {
    std::lock_guard lock(mu_);
    return orders_;
  }
  // Order requests whose sender did not own the account when they arrived.
  std::vector<OrderSeen> by_non_owner() {
    std::vector<OrderSeen> out;
    for (const auto& o : orders())
      if (o.sender != o.owner) out.push_back(o);
    return out;
  }

  std::vector<core::OrderState> open_of(core::OrderKind kind) {
    std::vector<core::OrderState> out;
    for (const auto& o : sim_->open_orders())
      if (o.symbol == kEth && o.position_side == core::Side::long_ && o.kind == kind) out.push_back(o);
    return out;
  }
  core::Qty size() {
    auto p = sim_->position(kEth, core::Side::long_);
    return p ? p->size : core::Qty{};
  }
  // The exchange shows a finished stage: the remaining size, one stop at its level for all of it.
  bool stage_done(int stage) {
    const core::Qty remaining = core::Qty::parse(stage == 1 ? "1.0" : "0.5");
    const core::Price stop = core::Price::parse(stage == 1 ? "2000" : "2050");
    const auto stops = open_of(core::OrderKind::stop);
    const auto tps = open_of(core::OrderKind::take_profit);
    return size() == remaining && stops.size() == 1 && stops[0].trigger_price == stop && stops[0].qty == remaining &&
           tps.size() == 1 && tps[0].qty == remaining;
  }
  bool adopted() { return open_of(core::OrderKind::take_profit).size() == 1 && open_of(core::OrderKind::stop).size() == 1; }

  // Filled closes in the exchange's order log, with the node that sent each (by client id).
  std::vector<std::pair<std::string, core::OrderState>> closes() {
    std::map<std::string, std::string> sender_of_id;
    for (const auto& o : orders())
      if (o.method == "POST" && !o.client_id.empty() && !sender_of_id.count(o.client_id)) sender_of_id[o.client_id] = o.sender;
    std::vector<std::pair<std::string, core::OrderState>> out;
    for (const auto& o : sim_->order_log())
      if (o.kind == core::OrderKind::market_close && o.filled_qty.is_positive())
        out.emplace_back(sender_of_id[o.ref.client_id], o);
    return out;
  }
  // Client ids the exchange was asked to place more than once (a doubled order).
  int resends() {
    std::map<std::string, int> n;
    for (const auto& o : orders())
      if (o.method == "POST" && !o.client_id.empty()) ++n[o.client_id];
    int out = 0;
    for (const auto& [id, count] : n) out += count - 1;
    return out;
  }

  std::string describe() {
    std::string out = "size " + size().str() + "; owner " + owner_now() + "; requests:";
    for (const auto& o : orders()) out += fmt::format(" {}:{} {} (owner {});", o.sender, o.method, o.client_id, o.owner);
    for (auto& [id, n] : nodes_) out += "\n--- node " + id + " ---\n" + n.log();
    return out;
  }

 private:
  std::string sender_of(const std::string& key) const {
    for (const auto& [id, n] : nodes_)
      if (api_key_of(id) == key) return id;
    return "unknown key " + key;
  }

  std::string node_config(const std::string& id, const std::string& etcd_list) const {
    return loopback_node_toml({keys().exchange, kAccount, dir_.sub("data-" + id), Protocol::rest_url(*server_),
                               Protocol::ws_url(*server_), "PTP_NODE_KEY", "PTP_NODE_SECRET"}) +
           fmt::format(R"([api]
listen = "127.0.0.1:0"
token_env = "PTP_NODE_API_TOKEN"
[cluster]
etcd = {}
lease_ttl = "{}ms"
node_id = "{}"
{})",
                       etcd_list, lease_ttl_.count(), id, tls_lines());
  }

  std::string tls_lines() const {
    const auto tls = etcd_.tls_files();
    if (tls.ca_file.empty()) return {};
    return fmt::format("tls_ca = \"{}\"\ntls_cert = \"{}\"\ntls_key = \"{}\"\n", tls.ca_file, tls.cert_file, tls.key_file);
  }

  EtcdCluster etcd_;
  TempDir dir_;
  std::chrono::milliseconds lease_ttl_;
  std::shared_ptr<exchange::SimExchange> sim_;
  std::unique_ptr<Server> server_;
  std::map<std::string, Node> nodes_;
  std::mutex etcd_mu_;
  std::unique_ptr<cluster::EtcdClient> owner_reader_;
  std::mutex mu_;
  std::vector<OrderSeen> orders_;
};

// The rig the Binance tests were written against.
using Rig = VenueRig<BinanceProtocol>;

}  // namespace ptp::test::cluster_rig
