#include "tests/fault/crash_harness.hpp"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <condition_variable>
#include <fstream>
#include <map>
#include <functional>
#include <memory>
#include <mutex>

#include "storage/history_store.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/loopback_node_toml.hpp"
#include "tests/support/resends.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/venue_loopback.hpp"

namespace ptp::test::fault {
namespace {

using core::OrderKind;
using core::OrderStatus;
using core::Price;
using core::Qty;

const core::Symbol kEth{"ETH", "USDT"};
constexpr auto kStageDeadline = std::chrono::seconds(30);

struct StageTarget {
  Price mark;
  Qty remaining;
  Price stop;
};
// What each stage leaves when stage 1's close leaves `unfilled` open.
std::array<StageTarget, 2> stage_targets(Qty unfilled) {
  return {StageTarget{Price::parse("2050"), Qty::parse("1.0") + unfilled, Price::parse("2000")},
          StageTarget{Price::parse("2100"), Qty::parse("0.5") + unfilled, Price::parse("2050")}};
}
const Price kTakeProfit = Price::parse("2250");

std::string node_config(core::Exchange venue, const std::string& data_dir, const std::string& rest_url,
                        const std::string& ws_url) {
  return test::loopback_node_toml({std::string(core::to_string(venue)), "crash", data_dir, rest_url, ws_url,
                                   "PTP_FAULT_API_KEY", "PTP_FAULT_API_SECRET"});
}

std::vector<core::OrderState> open_of(exchange::SimExchange& sim, OrderKind kind) {
  std::vector<core::OrderState> out;
  for (const auto& o : sim.open_orders())
    if (o.symbol == kEth && o.position_side == core::Side::long_ && o.kind == kind) out.push_back(o);
  return out;
}

Qty position_size(exchange::SimExchange& sim) {
  auto p = sim.position(kEth, core::Side::long_);
  return p ? p->size : Qty{};
}

// The exchange looks exactly as a finished stage leaves it: the remaining size, one stop at the
// stage's level for all of it, one take-profit for all of it.
bool stage_reached(exchange::SimExchange& sim, const StageTarget& t) {
  if (position_size(sim) != t.remaining) return false;
  const auto stops = open_of(sim, OrderKind::stop);
  const auto tps = open_of(sim, OrderKind::take_profit);
  return stops.size() == 1 && stops[0].trigger_price == t.stop && stops[0].qty == t.remaining && tps.size() == 1 &&
         tps[0].trigger_price == kTakeProfit && tps[0].qty == t.remaining;
}

// The exchange as a failure message shows it: the position, the resting orders, and every request
// it received in order (which is how a kill point that landed elsewhere would show).
std::string describe(exchange::SimExchange& sim) {
  std::string out = "size " + position_size(sim).str();
  for (const auto& o : sim.open_orders())
    out += fmt::format("; open {} {} x {} ({})", core::to_string(o.kind), o.trigger_price.str(), o.qty.str(),
                       o.ref.client_id);
  out += "; requests:";
  for (const auto& e : sim.journal())
    if (e.type != exchange::SimEvent::Type::update)
      out += fmt::format(" {} {} {} {};", e.type == exchange::SimEvent::Type::place ? "place" : "cancel",
                         core::to_string(e.kind), e.client_id, e.accepted ? "ok" : e.answer);
  return out;
}

// Everything the server's order hook and the test thread share.
struct Watch {
  std::mutex mu;
  std::condition_variable cv;
  std::unique_ptr<ChildProcess> node;
  std::optional<KillPoint> armed;
  int seen = 0;  // order requests since the kill point was armed
  int kills = 0;
  int requests = 0;  // order requests in all
  std::optional<int> drop_request;  // stage 1's n-th request answered 503
  int stage1_seen = -1;             // -1: stage 1 not started
  bool unprotected_now = false;
  int unprotected = 0;
};

std::vector<std::string> node_env(const std::string& disk_error, const Binaries& bin, const std::string& flag,
                                  bool meta_only = false) {
  std::vector<std::string> env{"PTP_FAULT_API_KEY=ptp-sim-api-key", "PTP_FAULT_API_SECRET=ptp-sim-api-secret"};
  if (disk_error.empty()) return env;
  const char* asan = std::getenv("ASAN_OPTIONS");
  env.push_back("LD_PRELOAD=" + bin.failing_disk);
  env.push_back("PTP_FAILING_DISK_FLAG=" + flag);
  env.push_back("PTP_FAILING_DISK_ERRNO=" + disk_error);
  if (meta_only) env.push_back("PTP_FAILING_DISK_META_ONLY=1");
  // The preloaded library comes before the ASan runtime in the node built with sanitizers.
  env.push_back(std::string("ASAN_OPTIONS=") + (asan ? std::string(asan) + ":" : "") + "verify_asan_link_order=0");
  return env;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Orders placed while an identical one (kind, side, trigger, quantity) was still open: a client
// that places a stop or take-profit again without knowing it has one does this.
int identical_while_open(const exchange::SimExchange& sim) {
  std::map<std::string, core::OrderState> open;  // by exchange id
  int found = 0;
  for (const auto& e : sim.journal()) {
    if (e.exchange_id.empty() || e.kind == OrderKind::market_close) continue;
    const auto o = sim.order(e.exchange_id);
    if (!o) continue;
    if (e.type == exchange::SimEvent::Type::place && e.accepted) {
      for (const auto& [id, other] : open)
        if (other.kind == o->kind && other.position_side == o->position_side &&
            other.trigger_price == o->trigger_price && other.qty == o->qty)
          ++found;
      open[e.exchange_id] = *o;
    }
    if (e.status != OrderStatus::open) open.erase(e.exchange_id);
  }
  return found;
}

// One scenario's world: a temp dir, the simulator served over the venue's protocol, the node's
// config pointing at it, and where the node's output and the failing-disk flag go.
struct Rig {
  core::Exchange venue;
  TempDir dir;
  std::shared_ptr<exchange::SimExchange> sim;
  std::unique_ptr<exchange::loopback::LoopbackServer> server;
  std::string close_id_prefix;  // how the node's close ids travel on this venue
  std::string config_path = dir.sub("node.toml");
  std::string log_path = dir.sub("node.log");
  std::string disk_flag = dir.sub("disk-failing");

  explicit Rig(core::Exchange v) : venue(v) {
    if (venue == core::Exchange::gateio) {
      start<GateioProtocol>();
    } else {
      start<BinanceProtocol>();
    }
  }

  template <class Protocol>
  void start() {
    const auto cfg = config::parse_config(venue_sim_toml(Protocol::eth_sizes), "fault-sim.toml");
    sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
    auto s = Protocol::serve(sim);
    std::ofstream(config_path) << node_config(venue, dir.sub("data"), Protocol::rest_url(*s), Protocol::ws_url(*s));
    close_id_prefix = Protocol::close_id_prefix;
    server = std::move(s);
  }
};

}  // namespace

Result run_start_on_failing_disk(const std::string& disk_error, const Binaries& bin, core::Exchange venue) {
  const auto started = std::chrono::steady_clock::now();
  Result result;
  result.name = "storage fails from the start (" + disk_error + ")";
  result.faults = 1;
  Rig rig(venue);
  std::ofstream(rig.disk_flag) << "on\n";
  ChildProcess node({bin.node, "--config", rig.config_path}, node_env(disk_error, bin, rig.disk_flag), rig.log_path);
  const int code = node.wait_exit(std::chrono::seconds(30));
  result.log = file_text(rig.log_path);
  const char* cause = disk_error == "EROFS" ? "Read-only file system" : "No space left on device";
  const auto requests = rig.server->counters().requests;
  if (code != 1)
    result.failure = fmt::format("exit code {}, 1 expected", code);
  else if (result.log.find("cannot start") == std::string::npos || result.log.find(cause) == std::string::npos)
    result.failure = fmt::format("no \"cannot start ... {}\" in the node's output", cause);
  else if (requests != 0)
    result.failure = fmt::format("{} request(s) reached the exchange", requests);
  result.closed = "0";
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

Result run_scenario(const Scenario& scenario, const Binaries& bin) {
  const auto started = std::chrono::steady_clock::now();
  Result result;
  result.name = scenario.name;
  result.faults = static_cast<int>(scenario.kills.size()) + (scenario.sim_fault ? 1 : 0) + (scenario.http_fault ? 1 : 0) +
                  (scenario.drop_request ? 1 : 0) + (scenario.after_stage1 ? 1 : 0) +
                  (scenario.disk_error.empty() ? 0 : 1);

  Rig rig(scenario.venue);
  auto& dir = rig.dir;
  auto& sim = rig.sim;
  auto& server = *rig.server;
  const auto& config_path = rig.config_path;
  const auto& log_path = rig.log_path;
  const auto& disk_flag = rig.disk_flag;
  const Qty unfilled = Qty::parse(scenario.stage1_unfilled);
  const auto targets = stage_targets(unfilled);
  Watch w;
  auto start_node = [&] {
    std::lock_guard lock(w.mu);
    w.node = std::make_unique<ChildProcess>(std::vector<std::string>{bin.node, "--config", config_path},
                                            node_env(scenario.disk_error, bin, disk_flag, scenario.meta_only), log_path);
  };
  server.set_order_hook([&](const exchange::loopback::OrderRequestEvent& e) {
    std::lock_guard lock(w.mu);
    bool serve = true;
    if (!e.served) {
      ++w.requests;
      ++w.seen;
      if (w.stage1_seen >= 0) ++w.stage1_seen;
      if (w.drop_request && w.stage1_seen == *w.drop_request) {
        w.drop_request.reset();
        serve = false;
      }
    }
    if (w.armed && w.seen == w.armed->request && e.served == w.armed->served && w.node) {
      w.node->kill_now();
      ++w.kills;
      w.armed.reset();
      if (!e.served) serve = false;  // the node died before the request left it
    }
    if (e.served && scenario.disk_fails_after_request && w.stage1_seen == *scenario.disk_fails_after_request)
      std::ofstream(disk_flag) << "on\n";
    if (e.served) {
      // Protected: the open position has stop quantity for all of its size on the exchange.
      const Qty size = position_size(*sim);
      Qty stop_qty;
      for (const auto& s : open_of(*sim, OrderKind::stop)) stop_qty += s.qty;
      const bool unprotected = size.is_positive() && stop_qty < size;
      if (unprotected && !w.unprotected_now) ++w.unprotected;
      w.unprotected_now = unprotected;
    }
    w.cv.notify_all();
    return serve;
  });

  // Waits (on the hook's notifications, re-checking at least every 100 ms) until `done` holds.
  auto wait_until = [&](const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + kStageDeadline;
    std::unique_lock lock(w.mu);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      w.cv.wait_for(lock, std::chrono::milliseconds(100));
    }
    return true;
  };
  auto fail = [&](std::string why) {
    result.failure = std::move(why) + " [exchange: " + describe(*sim) + "]";
  };

  start_node();
  std::size_t next_kill = 0;
  // Kills the loop below has restarted the node after. Counted from here, not read after a price
  // move: the node can act on the move and be killed before the test thread is scheduled again.
  int kills_restarted = 0;
  // The node's history, read as it is written (LMDB serves readers in other processes): a stage
  // counts as finished when the exchange shows it and the node has recorded it done.
  std::unique_ptr<storage::HistoryStore> history;
  const core::PositionKey key{scenario.venue, "crash", kEth, core::Side::long_, 1};
  auto node_history = [&]() -> storage::HistoryStore& {  // opened once the node has created it
    if (!history) history = std::make_unique<storage::HistoryStore>(dir.sub("data"));
    return *history;
  };
  // Adopted: the take-profit is on the exchange and in the node's record.
  const bool adopted = wait_until([&] {
    if (open_of(*sim, OrderKind::take_profit).size() != 1 || open_of(*sim, OrderKind::stop).size() != 1) return false;
    const auto rec = node_history().position(key);
    return rec && !rec->tp_order.empty();
  });
  if (!adopted) fail("the position was not adopted");
  auto recorded_done = [&](int stage) {
    auto s = node_history().stage(key, core::StageId{static_cast<std::uint8_t>(stage)});
    return s && s->state == storage::StageState::done;
  };

  if (adopted) {
    if (scenario.sim_fault) sim->inject(*scenario.sim_fault);
    if (scenario.http_fault) server.inject(*scenario.http_fault);
    for (int stage = 1; stage <= 2 && result.failure.empty(); ++stage) {
      const StageTarget& target = targets[static_cast<std::size_t>(stage - 1)];
      {
        std::lock_guard lock(w.mu);
        if (stage == 1) {
          w.stage1_seen = 0;
          w.drop_request = scenario.drop_request;
        } else {
          w.stage1_seen = -1;
        }
        if (next_kill < scenario.kills.size() && scenario.kills[next_kill].stage == stage) {
          w.armed = scenario.kills[next_kill];
          w.seen = 0;
        }
      }
      if (stage == 1 && !scenario.disk_error.empty()) {
        // The disk fails when the stage comes due (or, with disk_fails_after_request, the hook fails it
        // mid-stage); the node must say so; then the disk is back. Failing before the intent, nothing
        // may have been sent meanwhile.
        const bool before_intent = !scenario.disk_fails_after_request;
        int requests_before = 0;
        {
          std::lock_guard lock(w.mu);
          requests_before = w.requests;
        }
        if (before_intent) std::ofstream(disk_flag) << "on\n";
        server.set_mark(kEth, target.mark);
        const bool said = wait_until([&] { return file_text(log_path).find("could not be recorded") != std::string::npos; });
        std::filesystem::remove(disk_flag);
        if (!said) fail("the node did not report the failing disk");
        std::lock_guard lock(w.mu);
        if (before_intent && w.requests != requests_before)
          fail(fmt::format("{} order request(s) sent while the disk failed", w.requests - requests_before));
        if (!result.failure.empty()) break;
      }
      server.set_mark(kEth, target.mark);
      while (true) {
        // A kill point still armed for this stage is still due, even when the exchange already looks done
        // (a kill after the last request of the stage, before the node recorded the result).
        const bool ok = wait_until([&] {
          return w.kills > kills_restarted || (!(w.armed && w.armed->stage == stage) && stage_reached(*sim, target) && recorded_done(stage));
        });
        if (!ok) {
          fail(fmt::format("stage {} did not finish within {} s", stage, kStageDeadline.count()));
          break;
        }
        bool killed = false;
        {
          std::lock_guard lock(w.mu);
          killed = w.kills > kills_restarted;
          kills_restarted = w.kills;
        }
        if (!killed) break;
        // The node died mid-stage: restart it, armed with the next kill point if it is for this stage.
        ++next_kill;
        {
          std::lock_guard lock(w.mu);
          if (next_kill < scenario.kills.size() && scenario.kills[next_kill].stage == stage) {
            w.armed = scenario.kills[next_kill];
            w.seen = 0;
          }
        }
        if (scenario.before_restart) scenario.before_restart(server);
        start_node();
      }
      if (stage == 1 && scenario.after_stage1 && result.failure.empty()) {
        scenario.after_stage1(*sim);
        if (!wait_until([&] { return stage_reached(*sim, target); }))
          fail("stage 1's stop and take-profit were not restored after the outside change");
      }
    }
  }

  int exit_code = -1;
  {
    std::unique_ptr<ChildProcess> node;
    {
      std::lock_guard lock(w.mu);
      node = std::move(w.node);
    }
    if (node) exit_code = node->stop();
  }
  server.set_order_hook({});
  if (result.failure.empty() && exit_code != 0) fail(fmt::format("the node did not stop cleanly (exit {})", exit_code));

  // The exchange's order log: one close per stage, the plan's quantity, one stop at the right level.
  Qty closed;
  for (const auto& o : sim->order_log()) {
    if (o.kind != OrderKind::market_close || o.filled_qty.is_zero()) continue;
    ++result.closes;
    closed += o.filled_qty;
  }
  result.closed = closed.str();
  for (const auto& [id, placements] : resends(*sim, rig.close_id_prefix)) result.resends += placements - 1;
  result.resends += identical_while_open(*sim);
  result.duplicates =
      result.resends + std::max(0, result.closes - 2) + (closed > Qty::parse("1.0") - unfilled ? 1 : 0);
  result.stops_at_end = static_cast<int>(open_of(*sim, OrderKind::stop).size());
  if (result.failure.empty() && !stage_reached(*sim, targets[1])) fail("the exchange does not look like stage 2 done");

  // The node's own record agrees after a clean stop: both stages done, nothing pending.
  if (result.failure.empty()) {
    int done = 0;
    for (const auto& s : node_history().stages(key)) done += s.state == storage::StageState::done ? 1 : 0;
    if (done != 2) fail(fmt::format("the node's history has {} stage(s) done, 2 expected", done));
  }
  {
    std::lock_guard lock(w.mu);
    result.kills = w.kills;
    result.unprotected = w.unprotected;
  }
  if (result.failure.empty() && result.kills != static_cast<int>(scenario.kills.size()))
    fail(fmt::format("{} of {} kill points were reached", result.kills, scenario.kills.size()));
  result.log = file_text(log_path);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

std::string result_table(const std::vector<Result>& results) {
  std::string out = fmt::format("{:<72} {:>6} {:>5} {:>6} {:>6} {:>5} {:>11} {:>7} {:>10} {:>6}  {}\n", "scenario",
                                "faults", "kills", "closes", "closed", "stops", "unprotected", "resends", "duplicates",
                                "secs", "result");
  int faults = 0, survived = 0, duplicates = 0, resent = 0, unprotected = 0;
  for (const auto& r : results) {
    out += fmt::format("{:<72} {:>6} {:>5} {:>6} {:>6} {:>5} {:>11} {:>7} {:>10} {:>6.1f}  {}\n", r.name, r.faults,
                       r.kills, r.closes, r.closed, r.stops_at_end, r.unprotected, r.resends, r.duplicates, r.seconds,
                       r.survived() ? "survived" : "FAILED: " + r.failure);
    faults += r.faults;
    survived += r.survived() ? r.faults : 0;
    duplicates += r.duplicates;
    resent += r.resends;
    unprotected += r.unprotected;
  }
  out += fmt::format(
      "faults injected {}, survived {}, duplicates found {} (requests resent {}), unprotected intervals found {}\n",
      faults, survived, duplicates, resent, unprotected);
  return out;
}

}  // namespace ptp::test::fault
