#include "tests/fault/crash_harness.hpp"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>

#include "exchange/loopback/binance_server.hpp"
#include "storage/history_store.hpp"
#include "tests/support/binance_loopback.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

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
const StageTarget kStages[] = {
    {Price::parse("2050"), Qty::parse("1.0"), Price::parse("2000")},
    {Price::parse("2100"), Qty::parse("0.5"), Price::parse("2050")},
};
const Price kTakeProfit = Price::parse("2250");

std::string node_config(const std::string& data_dir, const std::string& rest_url, const std::string& ws_url) {
  return fmt::format(R"(
[node]
exchange = "binance"
account = "crash"
mode = "execute"
storage_path = "{}"
log_level = "info"
symbols = ["ETH"]
[schedule]
health_check_interval = "1s"
agent_interval = "1h"
dedupe_window = "30s"
metrics_interval = "1h"
[plan]
fraction_of = "original"
extreme_tp_r = 5
[[plan.stage]]
trigger_r = 1
close_fraction = "1/3"
move_stop_to_r = 0
[[plan.stage]]
trigger_r = 2
close_fraction = "1/3"
move_stop_to_r = 1
[exchange]
rest_url = "{}"
ws_url = "{}"
api_key_env = "PTP_FAULT_API_KEY"
api_secret_env = "PTP_FAULT_API_SECRET"
)",
                     data_dir, rest_url, ws_url);
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

std::string describe(exchange::SimExchange& sim) {
  std::string out = "size " + position_size(sim).str();
  for (const auto& o : sim.open_orders())
    out += fmt::format("; open {} {} x {} ({})", core::to_string(o.kind), o.trigger_price.str(), o.qty.str(),
                       o.ref.client_id);
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
  std::optional<int> drop_request;  // stage 1's n-th request answered 503
  int stage1_seen = -1;             // -1: stage 1 not started
  bool unprotected_now = false;
  int unprotected = 0;
};

}  // namespace

Result run_scenario(const Scenario& scenario, const std::string& node_binary) {
  const auto started = std::chrono::steady_clock::now();
  Result result;
  result.name = scenario.name;
  result.faults = static_cast<int>(scenario.kills.size()) + (scenario.sim_fault ? 1 : 0) +
                  (scenario.drop_request ? 1 : 0) + (scenario.after_stage1 ? 1 : 0);

  TempDir dir;
  auto sim = binance_sim();
  exchange::loopback::BinanceServer server(sim);
  const std::string config_path = dir.sub("node.toml");
  std::ofstream(config_path) << node_config(dir.sub("data"), server.rest_url(), server.ws_url());
  const std::string log_path = dir.sub("node.log");

  Watch w;
  auto start_node = [&] {
    std::lock_guard lock(w.mu);
    w.node = std::make_unique<ChildProcess>(
        std::vector<std::string>{node_binary, "--config", config_path},
        std::vector<std::string>{"PTP_FAULT_API_KEY=ptp-sim-api-key", "PTP_FAULT_API_SECRET=ptp-sim-api-secret"},
        log_path);
  };
  server.set_order_hook([&](const exchange::loopback::OrderRequestEvent& e) {
    std::lock_guard lock(w.mu);
    bool serve = true;
    if (!e.served) {
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
  const bool adopted = wait_until([&] {
    return open_of(*sim, OrderKind::take_profit).size() == 1 && open_of(*sim, OrderKind::stop).size() == 1;
  });
  if (!adopted) fail("the position was not adopted");
  // The node's history, read as it is written (LMDB serves readers in other processes): a stage
  // counts as finished when the exchange shows it and the node has recorded it done.
  std::unique_ptr<storage::HistoryStore> history;
  const core::PositionKey key{core::Exchange::binance, "crash", kEth, core::Side::long_, 1};
  auto recorded_done = [&](int stage) {
    if (!history) history = std::make_unique<storage::HistoryStore>(dir.sub("data"));
    auto s = history->stage(key, core::StageId{static_cast<std::uint8_t>(stage)});
    return s && s->state == storage::StageState::done;
  };

  if (adopted) {
    if (scenario.sim_fault) sim->inject(*scenario.sim_fault);
    for (int stage = 1; stage <= 2 && result.failure.empty(); ++stage) {
      const StageTarget& target = kStages[stage - 1];
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
      server.set_mark(kEth, target.mark);
      while (true) {
        int kills_before = 0;
        {
          std::lock_guard lock(w.mu);
          kills_before = w.kills;
        }
        // A kill point still armed for this stage is still due, even when the exchange already looks done
        // (a kill after the last request of the stage, before the node recorded the result).
        const bool ok = wait_until([&] {
          return w.kills > kills_before || (!(w.armed && w.armed->stage == stage) && stage_reached(*sim, target) && recorded_done(stage));
        });
        if (!ok) {
          fail(fmt::format("stage {} did not finish within {} s", stage, kStageDeadline.count()));
          break;
        }
        bool killed = false;
        {
          std::lock_guard lock(w.mu);
          killed = w.kills > kills_before;
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
  result.duplicates = std::max(0, result.closes - 2) + (closed > Qty::parse("1.0") ? 1 : 0);
  result.stops_at_end = static_cast<int>(open_of(*sim, OrderKind::stop).size());
  if (result.failure.empty() && !stage_reached(*sim, kStages[1])) fail("the exchange does not look like stage 2 done");

  // The node's own record agrees after a clean stop: both stages done, nothing pending.
  if (result.failure.empty()) {
    if (!history) history = std::make_unique<storage::HistoryStore>(dir.sub("data"));
    int done = 0;
    for (const auto& s : history->stages(key)) done += s.state == storage::StageState::done ? 1 : 0;
    if (done != 2) fail(fmt::format("the node's history has {} stage(s) done, 2 expected", done));
  }
  {
    std::lock_guard lock(w.mu);
    result.kills = w.kills;
    result.unprotected = w.unprotected;
  }
  if (result.failure.empty() && result.kills != static_cast<int>(scenario.kills.size()))
    fail(fmt::format("{} of {} kill points were reached", result.kills, scenario.kills.size()));
  if (!result.survived()) {
    std::ifstream in(log_path);
    result.log.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

std::string result_table(const std::vector<Result>& results) {
  std::string out = fmt::format("{:<72} {:>6} {:>5} {:>6} {:>6} {:>5} {:>11} {:>10} {:>6}  {}\n", "scenario", "faults",
                                "kills", "closes", "closed", "stops", "unprotected", "duplicates", "secs", "result");
  int faults = 0, survived = 0, duplicates = 0, unprotected = 0;
  for (const auto& r : results) {
    out += fmt::format("{:<72} {:>6} {:>5} {:>6} {:>6} {:>5} {:>11} {:>10} {:>6.1f}  {}\n", r.name, r.faults, r.kills,
                       r.closes, r.closed, r.stops_at_end, r.unprotected, r.duplicates, r.seconds,
                       r.survived() ? "survived" : "FAILED: " + r.failure);
    faults += r.faults;
    survived += r.survived() ? r.faults : 0;
    duplicates += r.duplicates;
    unprotected += r.unprotected;
  }
  out += fmt::format("faults injected {}, survived {}, duplicates found {}, unprotected intervals found {}\n", faults,
                     survived, duplicates, unprotected);
  return out;
}

}  // namespace ptp::test::fault
