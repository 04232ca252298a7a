// 3. Tick -> order on the wire: the simulator's Binance face on 127.0.0.1 and the real node (actor
// system, Binance adapter over websocketpp and libcurl, LMDB synced commits in a temp dir). Each
// position is crossed once, one at a time: from the price frame handed to the simulator's websocket
// to the close request read by its HTTP server (one process, one steady clock), broken down by the
// node's trace points (actors/latency_trace.hpp).
#include <caf/all.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "actors/latency_trace.hpp"
#include "actors/node.hpp"
#include "bench/clock.hpp"
#include "bench/fixtures.hpp"
#include "bench/report.hpp"
#include "core/client_order_id.hpp"
#include "exchange/venue.hpp"
#include "sim/binance/server.hpp"
#include "sim/sim_exchange.hpp"
#include "storage/history_store.hpp"

namespace ptp::bench {
namespace {

using actors::trace::Point;

const core::Price kEntry = core::Price::parse("100");
const core::Price kStop = core::Price::parse("99");        // 1R = 1: stage 1 at 101
const core::Price kCrossing = core::Price::parse("101.5");  // above stage 1, below stage 2


// One crossing's stamps: the node's trace points for the armed symbol (the first of each) and the
// server's frame write and request read.
struct Crossing {
  std::int64_t frame_sent_ns = 0;
  std::array<std::int64_t, static_cast<std::size_t>(Point::count)> at{};
  std::int64_t request_read_ns = 0;

  std::int64_t point(Point p) const { return at[static_cast<std::size_t>(p)]; }
  bool complete() const {
    return frame_sent_ns && request_read_ns && std::all_of(at.begin(), at.end(), [](std::int64_t t) { return t != 0; });
  }
};

// The trace sink and the server's order hook meet here. One crossing is in flight at a time, so
// a lock is cheap (uncontended) and keeps it simple.
class CrossingTrace final : public actors::trace::Sink {
 public:
  void arm(const core::Symbol& s) {
    std::lock_guard lock(mu_);
    armed_ = s;
    current_ = Crossing{};
  }
  void mark(Point p, const core::Symbol& s, std::int64_t ns) noexcept override {
    std::lock_guard lock(mu_);
    auto& slot = current_.at[static_cast<std::size_t>(p)];
    if (armed_ && s == *armed_ && slot == 0) slot = ns;
  }
  // The first close request read after arm() (the server's I/O thread).
  void close_read(std::int64_t ns) {
    {
      std::lock_guard lock(mu_);
      if (!armed_ || current_.request_read_ns) return;
      current_.request_read_ns = ns;
    }
    cv_.notify_all();
  }
  std::optional<Crossing> wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return current_.request_read_ns != 0; })) return std::nullopt;
    armed_.reset();
    return current_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<core::Symbol> armed_;
  Crossing current_;
};

// Nearest-rank percentile of durations in ns, in microseconds.
double pct_us(std::vector<std::int64_t> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  return static_cast<double>(v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)]) / 1e3;
}

// The LMDB synced commit the node makes before every close: begin_stage() of an intent of the
// same shape (the same client ids, quantities and stop), each on its own key, in a store of its own
// on the same disk. The bench interleaves them with the crossings, so both see the same disk.
class SyncedCommits {
 public:
  SyncedCommits() : dir_(temp_dir("wire-commit")), store_(std::make_unique<storage::HistoryStore>(dir_)) {}
  ~SyncedCommits() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void run(int n) {
    for (int i = 0; i < n; ++i) {
      core::StageRecord r;
      r.key = core::PositionKey{core::Exchange::binance, "bench",
                                core::Symbol(fmt::format("C{:05}", next_++), "USDT"), core::Side::long_, 1};
      r.stage = core::StageId{1};
      r.at = core::Clock::now();
      r.mark = kCrossing;
      r.planned_qty = core::Qty::parse("0.333");
      r.new_stop = kEntry;
      r.close_client_id = core::stage_order_id(r.key, r.stage, 0, core::OrderStep::close);
      r.stop_client_id = core::stage_order_id(r.key, r.stage, 0, core::OrderStep::stop);
      r.tp_client_id = core::stage_order_id(r.key, r.stage, 0, core::OrderStep::take_profit);
      const auto t0 = now_ns();
      (void)store_->begin_stage(r);
      ns_.push_back(now_ns() - t0);
    }
  }
  const std::vector<std::int64_t>& ns() const { return ns_; }

 private:
  std::string dir_;
  std::unique_ptr<storage::HistoryStore> store_;
  int next_ = 0;
  std::vector<std::int64_t> ns_;
};

// Waits (setup only, never inside a measurement) until `ready` holds, up to `timeout`.
template <class F>
bool wait_until(F ready, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!ready()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace

void run_tick_to_wire(Report& r, const Options& o) {
  const int n = o.quick ? 5 : 250;
  const int commits_per_crossing = 2;
  fmt::print("\n3. Tick -> order on the wire (simulator's Binance face on 127.0.0.1, the real node: actors, Binance "
             "adapter, LMDB synced)\n");

  std::vector<core::Symbol> syms;
  config::SimSettings sim_settings;
  for (int i = 0; i < n; ++i) {
    syms.push_back(core::Symbol(fmt::format("W{:03}", i), "USDT"));
    sim_settings.instruments.push_back(config::SimInstrument{syms.back(), filters(), kEntry, std::nullopt, std::nullopt});
    sim_settings.positions.push_back(config::SimPosition{syms.back(), core::Side::long_, kEntry, core::Qty::parse("1"), kStop, std::nullopt});
  }
  auto sim = std::make_shared<exchange::SimExchange>(sim_settings);
  exchange::loopback::BinanceServer server(sim);
  CrossingTrace trace;
  server.set_order_hook([&trace](const exchange::loopback::OrderRequestEvent& e) {
    if (!e.served && e.method == "POST" && e.path == "/fapi/v1/order") trace.close_read(e.read_ns);
    return true;
  });

  // The simulator's built-in key pair (loopback only, not a secret), named as a config names it.
  ::setenv("PTP_BENCH_API_KEY", "ptp-sim-api-key", 1);
  ::setenv("PTP_BENCH_API_SECRET", "ptp-sim-api-secret", 1);
  const std::string dir = temp_dir("wire");
  config::Config cfg;
  cfg.exchange = core::Exchange::binance;
  cfg.account = "bench";
  cfg.mode = config::Mode::execute;
  cfg.storage_path = dir;
  cfg.symbols = syms;
  cfg.endpoints = config::ExchangeEndpoints{server.rest_url(), server.ws_url(), "PTP_BENCH_API_KEY", "PTP_BENCH_API_SECRET"};
  auto venue = exchange::make_venue(cfg);
  auto store = std::make_shared<storage::HistoryStore>(dir);
  auto node_settings = actors::NodeSettings::from(cfg);
  // Hundreds of crossings back to back would wait for the account's order budget: the bench times
  // the path, not the budget.
  node_settings.order_budget = {{1'000'000'000, std::chrono::seconds(1)}};
  const auto settings = std::make_shared<const actors::NodeSettings>(std::move(node_settings));

  std::vector<Crossing> done;
  int missed = 0;
  SyncedCommits commits;
  double requests_per_crossing = 0;  // HTTP requests the node made per crossing, all told
  actors::trace::install(&trace);
  {
    caf::actor_system_config sys_cfg;
    actors::configure_scheduler(sys_cfg);
    caf::actor_system sys{sys_cfg};
    auto node = actors::start_node(sys, settings, venue->exchange(), store, actors::NodeOptions{});
    venue->start_feeds({actors::tick_sink(node), actors::reconcile_trigger(node)});
    caf::scoped_actor self{sys};
    int adopted = 0;
    self->request(node.registry, std::chrono::seconds(120), actors::reconcile_atom_v)
        .receive([&](const actors::ReconcileReport& rep) { adopted = rep.adopted; }, [](caf::error&) {});
    const auto streams = static_cast<std::uint64_t>((n + 199) / 200);  // at most 200 streams a connection
    const bool up = wait_until([&] {
      const auto c = server.counters();
      return c.market_connections >= streams && c.user_connections >= 1;
    }, std::chrono::seconds(10));
    if (adopted != n || !up) {
      fmt::print("  setup failed: {} of {} positions adopted, streams {}\n", adopted, n, up ? "up" : "not up");
    } else {
      auto settle = [&] {
        self->request(node.registry, std::chrono::seconds(30), actors::idle_atom_v).receive([](bool) {}, [](caf::error&) {});
      };
      const auto requests_before = server.counters().requests;
      for (const auto& s : syms) {
        trace.arm(s);
        const auto tick = server.set_mark(s, kCrossing);
        auto c = trace.wait(std::chrono::seconds(10));
        if (c) c->frame_sent_ns = tick.received_ns;
        if (c && c->complete()) done.push_back(*c);
        else ++missed;
        settle();  // the stage ends (stop moved, take-profit resized, result synced) before the next
        commits.run(commits_per_crossing);  // the node idle: nothing else writes meanwhile
      }
      requests_per_crossing = static_cast<double>(server.counters().requests - requests_before) / n;
    }
    venue->stop_feeds();
    actors::stop_node(sys, node);
  }
  actors::trace::install(nullptr);
  std::filesystem::remove_all(dir);

  // A crossing that never reached the wire, or lost a stamp, is a broken node or trace: fail loudly
  // (ctest runs --quick), never print a percentile of what is left.
  if (static_cast<int>(done.size()) != n)
    throw std::runtime_error(fmt::format("tick -> wire: {} of {} crossings reached the wire with every stamp",
                                         done.size(), n));
  const auto& commit_ns = commits.ns();
  auto span = [&](auto from, auto to) {
    std::vector<std::int64_t> v;
    for (const auto& c : done) v.push_back(to(c) - from(c));
    return v;
  };
  auto at = [](Point p) { return [p](const Crossing& c) { return c.point(p); }; };
  auto sent = [](const Crossing& c) { return c.frame_sent_ns; };
  auto read = [](const Crossing& c) { return c.request_read_ns; };
  struct Row {
    const char* key;
    const char* label;
    std::vector<std::int64_t> ns;
  };
  const std::vector<Row> rows{
      {"total", "frame written -> close request read", span(sent, read)},
      {"parse", "parse: frame written -> tick parsed (loopback, websocketpp, simdjson)",
       span(sent, at(Point::tick_parsed))},
      {"route", "route: -> the position actor has it (market data, 2 hops)",
       span(at(Point::tick_parsed), at(Point::position_got_tick))},
      {"decide", "decide: -> stage 1 decided", span(at(Point::position_got_tick), at(Point::decided))},
      {"intent_commit", "intent commit: -> LMDB synced commit returned (1 hop)",
       span(at(Point::decided), at(Point::intent_committed))},
      {"http_send", "HTTP send: -> close request read by the server", span(at(Point::intent_committed), read)},
      {"http_send_hops", "  of which: hops to the exchange actor (2 hops)",
       span(at(Point::intent_committed), at(Point::order_call))},
      {"http_send_wire", "  of which: sign, libcurl, loopback, server read", span(at(Point::order_call), read)},
  };
  std::vector<std::int64_t> without_commit;  // what the node adds to the disk's time, per crossing
  for (const auto& c : done)
    without_commit.push_back(c.request_read_ns - c.frame_sent_ns -
                             (c.point(Point::intent_committed) - c.point(Point::decided)));
  fmt::print("{} crossings of stage 1 ({} missed), one at a time; {:.1f} HTTP requests per crossing (the close, then "
             "the stop and the take-profit replaced)\n",
             done.size(), missed, requests_per_crossing);
  r.add("tick_to_wire", "crossings", "http_requests_each", requests_per_crossing);
  fmt::print("{:<72} {:>8} {:>8} {:>8}\n", "(us)", "p50", "p99", "max");
  for (const auto& row : rows) {
    fmt::print("{:<72} {:>8.1f} {:>8.1f} {:>8.1f}\n", row.label, pct_us(row.ns, 0.5), pct_us(row.ns, 0.99),
               pct_us(row.ns, 1.0));
    r.add("tick_to_wire", row.key, "p50_us", pct_us(row.ns, 0.5));
    r.add("tick_to_wire", row.key, "p99_us", pct_us(row.ns, 0.99));
    r.add("tick_to_wire", row.key, "max_us", pct_us(row.ns, 1.0));
  }
  fmt::print("{:<72} {:>8.1f} {:>8.1f} {:>8.1f}\n", "total without the intent commit", pct_us(without_commit, 0.5),
             pct_us(without_commit, 0.99), pct_us(without_commit, 1.0));
  r.add("tick_to_wire", "without_commit", "p50_us", pct_us(without_commit, 0.5));
  r.add("tick_to_wire", "without_commit", "p99_us", pct_us(without_commit, 0.99));
  fmt::print("{:<72} {:>8.1f} {:>8.1f} {:>8.1f}\n",
             fmt::format("LMDB synced commit alone (an intent's begin_stage, {} commits)", commit_ns.size()),
             pct_us(commit_ns, 0.5), pct_us(commit_ns, 0.99), pct_us(commit_ns, 1.0));
  r.add("tick_to_wire", "lmdb_synced_commit", "p50_us", pct_us(commit_ns, 0.5));
  r.add("tick_to_wire", "lmdb_synced_commit", "p99_us", pct_us(commit_ns, 0.99));
  r.add("tick_to_wire", "crossings", "count", static_cast<double>(done.size()));
  r.add("tick_to_wire", "crossings", "missed", missed);
  const double p99 = pct_us(rows[0].ns, 0.99);
  const double limit = pct_us(commit_ns, 0.99) + 300.0;
  const bool met = !done.empty() && missed == 0 && p99 <= limit;
  fmt::print("goal: p99 {:.1f} us <= synced commit p99 + 300 us = {:.1f} us: {} (margin {:+.1f} us){}\n", p99, limit,
             met ? "MET" : "NOT MET", limit - p99, o.quick ? " [quick: too few crossings for a p99]" : "");
  r.add("tick_to_wire", "goal", "p99_us", p99);
  r.add("tick_to_wire", "goal", "limit_us", limit);
  r.add("tick_to_wire", "goal", "margin_us", limit - p99);
  r.add("tick_to_wire", "goal", "met", met ? 1 : 0);
}

}  // namespace ptp::bench
