// The fault-injection harness: the real ptp-node process against the simulator served over a venue's
// protocol, Binance's or Gate.io's (in this process, so it survives every crash of the node), killed
// with SIGKILL at chosen order requests, restarted, and checked against the simulator's order log.
//
// The position: ETH long 1.5 @ 2000, user's stop 1950 (1R = 50). Stage 1 at 2050 closes 0.5 and
// moves the stop to 2000; stage 2 at 2100 closes 0.5 and moves it to 2050; the take-profit for the
// remainder sits at 5R = 2250. Each stage sends, in order: (1) the close, (2) the new stop,
// (3) the cancel of the old stop, (4) the resized take-profit, (5) the cancel of the old one.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/symbol.hpp"
#include "sim/loopback_server.hpp"
#include "sim/sim_exchange.hpp"

namespace ptp::test::fault {

// Where a run of the node dies: at the n-th order request after the kill point is armed (a stage's
// first kill is armed when its trigger price is set, a later one when the node restarts), before
// the exchange serves it (it never arrives) or after (the exchange acted, the answer never arrives).
struct KillPoint {
  int stage = 1;
  int request = 1;
  bool served = false;
};

struct Scenario {
  std::string name;
  core::Exchange venue = core::Exchange::binance;    // whose protocol the node and the simulator speak
  std::vector<KillPoint> kills = {};                 // kills[i] ends run i + 1 of the node
  std::optional<exchange::SimFault> sim_fault = {};  // injected before stage 1
  std::optional<int> drop_request = {};              // stage 1's n-th order request is answered 503, unserved
  std::optional<exchange::loopback::HttpFault> http_fault = {};  // injected before stage 1
  std::string stage1_unfilled = "0";  // of stage 1's 0.5, what the exchange never fills (it stays open)
  // Done to the exchange behind the node's back once stage 1 is finished (a user cancelling the
  // stop); the health check must bring back stage 1's state before stage 2 is asked for.
  std::function<void(exchange::SimExchange&)> after_stage1 = {};
  // "ENOSPC" or "EROFS": LMDB's disk fails when stage 1 comes due (until the node has said so),
  // then recovers; nothing may be sent meanwhile.
  std::string disk_error = {};
  bool meta_only = false;  // only the commit's last write (the meta page) fails: LMDB panics
  // The disk fails only once stage 1's n-th order request has been served (so the result, not the
  // intent, is refused), and is back once the node has said so.
  std::optional<int> disk_fails_after_request = {};
  // Done to the exchange after a kill, before the node is started again (the exchange's clock moved
  // on: Gate.io finds a close by its text only for 60 s after it ended).
  std::function<void(exchange::loopback::LoopbackServer&)> before_restart = {};
};

// Where the harness finds the node and the preloadable failing disk.
struct Binaries {
  std::string node;
  std::string failing_disk;
};

struct Result {
  std::string name;
  int faults = 0;       // kills plus exchange faults injected
  int kills = 0;        // kills that happened
  int closes = 0;       // filled closes in the exchange's order log (2 expected)
  std::string closed;   // total closed quantity (1 expected)
  int stops_at_end = 0; // open stops at the end (1 expected, at 2050 for 0.5)
  int unprotected = 0;  // times the open position had less stop quantity than its size
  // Order requests sent again under a client id the exchange had already received (accepted or
  // not: a resend of a finished order's id makes a second order), plus orders placed while an
  // identical one was open (Gate.io keeps no client id on stops and take-profits), plus closes
  // beyond one per stage, plus a closed quantity above the plan's.
  int duplicates = 0;
  int resends = 0;      // the first two parts alone, for the table
  double seconds = 0;
  std::string failure;  // empty when the scenario survived
  std::string log;      // the node's output (every run, appended)

  bool survived() const { return failure.empty() && duplicates == 0 && unprotected == 0; }
};

Result run_scenario(const Scenario& scenario, const Binaries& bin);

// A node started on a data directory whose disk fails ("ENOSPC", "EROFS") from the start: it must
// exit 1 naming the cause, and send nothing to the exchange.
Result run_start_on_failing_disk(const std::string& disk_error, const Binaries& bin,
                                 core::Exchange venue = core::Exchange::binance);

// The table the closing note quotes: one row per scenario, then the totals.
std::string result_table(const std::vector<Result>& results);

}  // namespace ptp::test::fault
