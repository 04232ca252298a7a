// Decides how a position answers one request: execute due stages now, or answer at once.
// This is the rule that replaces the original project's lock table and 30-second window: the
// position actor applies it to every request, one at a time.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <vector>

#include "core/decision.hpp"
#include "core/outcome.hpp"

namespace ptp::core {

using Clock = std::chrono::system_clock;

// The stages recorded for one position (executed or skipped) and when, and the attempt number the
// next execution of each stage takes (one more than its last failed attempt).
class StageBook {
 public:
  void record(StageId id, Clock::time_point at) { times_[id] = at; done_.insert(id); }
  void record_failure(StageId id, std::uint32_t attempt) { next_attempt_[id] = attempt + 1; }
  std::uint32_t next_attempt(StageId id) const {
    auto it = next_attempt_.find(id);
    return it == next_attempt_.end() ? 0 : it->second;
  }
  bool contains(StageId id) const { return done_.contains(id); }
  std::optional<Clock::time_point> recorded_at(StageId id) const;
  ExecutedStages executed() const { return done_; }
  std::size_t size() const { return times_.size(); }

 private:
  std::map<StageId, Clock::time_point> times_;
  ExecutedStages done_;
  std::map<StageId, std::uint32_t> next_attempt_;
};

// The answer to a request for a stage recorded at `at`: recently_executed within the dedupe
// window, already_executed after it.
Outcome recorded_outcome(Clock::time_point at, Clock::time_point now, std::chrono::milliseconds dedupe_window);

struct Request {
  Caller caller = Caller::market;
  std::optional<StageId> stage;  // a specific stage (agent tool, operator), or whatever is due
  Price mark;                    // the price the request is evaluated at
};

struct Arbitration {
  std::optional<Outcome> answer;       // set: reply this now, execute nothing
  std::vector<StageAction> execute;    // otherwise: these stages, in order
  Decision decision;                   // the full decision at the mark (trailing moves, R for logs)
};

// Rules, in order: a stage in flight -> in_progress. A requested stage already recorded ->
// recently_executed within `dedupe_window`, else already_executed. Due stages -> execute them in
// plan order (up to the requested stage, if one was named). Nothing due but a reached stage is
// recorded -> recently_/already_executed as above. Otherwise not_due. Observe mode turns
// "execute" into observe_only.
Arbitration arbitrate(const Position& position, const StageBook& book, const Request& request, bool in_flight,
                      bool observe, Clock::time_point now, std::chrono::milliseconds dedupe_window,
                      const InstrumentFilters& filters, const StagePlan& plan);

}  // namespace ptp::core
