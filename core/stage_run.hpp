// One stage's execution as a state machine with no I/O: events in (a stored intent, an exchange's
// answer, a timer, a stored result), the next command out. The position actor carries each
// command to the persistence or exchange actor and feeds the answer back; everything the stage
// decides is here, and tested without actors (tests/core/stage_run_test.cpp).
//
// The order of a stage: durable intent -> reduce-only close (polled until it ends; a close above the
// venue's largest market order goes out as pieces, one after another, each under its own id) -> new stop ->
// cancel the old stop -> resize the extreme take-profit -> durable result with the position it left.
// The new stop is placed before the old one is cancelled, so the position is never unprotected.
// A run can also start from an intent an interrupted run left pending: every order is then looked
// up by its client id before it is sent.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <variant>
#include <vector>

#include "core/decision.hpp"
#include "core/int128.hpp"
#include "core/order_call.hpp"
#include "core/records.hpp"

namespace ptp::core {

class StageRun {
 public:
  // Commands, each answered by the event named beside it.
  struct StoreIntent {  // -> intent_stored(), intent_exists(), storage_failed()
    StageRecord record;
  };
  struct Send {  // -> order_answered()
    OrderCommand order;
  };
  struct Wait {  // -> timer()
    std::chrono::milliseconds delay;
  };
  struct StoreResult {  // -> result_stored(), storage_failed()
    StageRecord record;
    PositionRecord position;
  };
  // The run is over. When the stage is recorded (done or failed), `record` is what was stored and
  // `position` the position it left; the actor takes both over and answers with `outcome`.
  struct Done {
    Outcome outcome;
    std::optional<StageRecord> record;
    std::optional<PositionRecord> position;
    std::vector<std::string> notes;  // what went wrong without failing the stage (a kept stop, ...)
  };
  using Command = std::variant<StoreIntent, Send, Wait, StoreResult, Done>;
  struct Step {
    Command command;
    std::vector<Note> notes;  // log lines, in order
  };

  static constexpr std::chrono::milliseconds kFillPoll{100};
  static constexpr int kFastFillPolls = 100;  // then the close is asked about every kSlowFillPoll
  static constexpr std::chrono::milliseconds kSlowFillPoll{2000};
  static constexpr std::chrono::milliseconds kStorageRetry{2000};  // a result storage refused
  static constexpr std::chrono::milliseconds kRecoveryRetry{2000};  // an exchange recovery could not ask

  using Now = std::function<Clock::time_point()>;

  // A new execution of `action`, attempt `attempt` (StageBook::next_attempt), for `position`;
  // `filters` size the close's pieces (close_piece).
  static StageRun start(const StageAction& action, std::uint32_t attempt, Caller caller, Price mark,
                        const PositionRecord& position, const InstrumentFilters& filters,
                        std::chrono::milliseconds dedupe_window, Now now = Clock::now);
  // The execution an interrupted run left at `intent`; `take_profit` is where the extreme
  // take-profit belongs now (nullopt: the plan has none). The close's pieces are looked up one by
  // one: each found filled was sent, the first never seen and those after it were not.
  static StageRun resume(const StageRecord& intent, const PositionRecord& position,
                         std::optional<Price> take_profit, const InstrumentFilters& filters, Now now = Clock::now);

  Step begin();  // the first command
  Step intent_stored();
  Step intent_exists(const StageRecord& existing);
  Step order_answered(const OrderAnswer& answer);
  Step timer();
  Step result_stored();
  Step storage_failed(const std::string& why);

  const StageAction& action() const { return action_; }

 private:
  enum class Phase : unsigned char { intent, recovery_query, closing, polling, stop, take_profit, result, done };

  StageRun() = default;
  Step send_close(std::vector<Note> notes = {});
  Step next_piece(std::vector<Note> notes);
  Step close_ended(const OrderState& close, std::vector<Note> notes);
  Step close_stopped_early(const std::string& why, std::vector<Note> notes);
  Step after_close(std::vector<Note> notes);
  Step place_stop(std::vector<Note> notes);
  Step place_take_profit(std::vector<Note> notes);
  Step finish(Outcome outcome, std::vector<Note> notes);
  Step store_result(std::vector<Note> notes);
  Outcome completed() const;
  Qty piece_qty() const;  // the current piece's size
  std::string piece_id() const;
  OrderCommand query_close() const;
  Step send(OrderCommand order, std::vector<Note> notes);

  StageAction action_;
  StageRecord record_;         // the intent, completed step by step
  PositionRecord before_;      // the position when the stage began
  PositionRecord after_;       // the position as it will be when the stage is done
  std::chrono::milliseconds dedupe_window_{0};
  Now now_;
  bool resumed_ = false;
  Phase phase_ = Phase::intent;
  std::optional<ReplaceCall> replace_;  // the stop's or take-profit's replacement in progress
  std::optional<OrderCall> call_;       // the close, or a query of it
  InstrumentFilters filters_;
  std::uint32_t piece_ = 0;             // the close's piece in progress
  Qty closed_;                          // filled by the pieces that ended
  std::uint32_t pieces_filled_ = 0;
  Int128 fill_value_ = 0;               // sum of fill price x quantity over them, in 1e-16 units
  int fill_polls_ = 0;
  int storage_failures_ = 0;
  Outcome outcome_;
  std::vector<std::string> notes_;
};

// What a finished run leaves to its position, as the position actor and ptp-replay take it over:
// a stage that went through is recorded in the book and its position record replaces `record`; a
// failed one counts an attempt; one found recorded by another intent is recorded. Returns how the
// run ended for the position.
enum class StageTakeOver : unsigned char { nothing, went_through, failed, found_recorded };
StageTakeOver take_over(const StageRun::Done& done, PositionRecord& record, StageBook& book);

}  // namespace ptp::core
