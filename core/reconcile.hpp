// One reconcile of a position's record against the exchange's view of its slot, as a state
// machine with no I/O. plan() is the diff: an outside size change is adopted; a stop that is
// missing, at a level the done stages have moved past (a move that was rejected), or for another
// size is replaced; the same for the extreme take-profit (a user's own take-profit is left alone);
// a stop or take-profit the node placed that is no longer current, and any stop looser than the
// current one, is cancelled. The repair then runs: each replacement's order number saved, the new
// order placed before the old one is cancelled, the leftovers cancelled, the record saved.
#pragma once

#include <optional>
#include <vector>

#include "core/client_order_id.hpp"
#include "core/decision.hpp"
#include "core/record_work.hpp"

namespace ptp::core {

// The exchange's view of one slot: the position's size there and its resting orders.
struct SlotView {
  Qty size;
  std::vector<OrderState> orders;
};

class Reconcile final : public RecordWork {
 public:
  static Reconcile plan(const PositionRecord& record, ExecutedStages done, Price mark, const InstrumentFilters& filters,
                        const StagePlan& stage_plan, bool observe, const SlotView& slot);

  const std::vector<Note>& findings() const { return findings_; }  // what plan() found, to log
  bool resized() const { return resized_; }
  // Orders to send: the repair runs (in flight). Otherwise, when record_changed(), the record is
  // saved as record() and nothing else happens.
  bool needs_orders() const { return stop_ || take_profit_ || !leftovers_.empty(); }
  bool record_changed() const { return resized_ || found_stop_; }
  const PositionRecord& record() const { return after_; }

  Step begin() override;
  Step reserved() override;
  Step reserve_failed(const std::string& why) override;
  Step order_answered(const OrderAnswer& answer) override;
  Step saved() override;
  Step save_failed(const std::string& why) override;

 private:
  enum class Phase : unsigned char { stop, take_profit, leftovers };

  Reconcile() = default;
  Step replace(Phase phase, std::vector<Note> notes);  // the stop's or take-profit's, if it needs one
  Step placed(const OrderAnswer& placed, const std::string& cancel_error, std::vector<Note> notes);
  Step next_leftover(std::vector<Note> notes);

  PositionRecord after_;
  std::vector<Note> findings_;
  bool resized_ = false;
  bool found_stop_ = false;             // the record's stop was gone, but the node's was there: taken over
  std::optional<Price> stop_;           // replace the stop with one at this price
  std::optional<OrderState> old_stop_;  // the record's stop as the exchange has it (cancelled after)
  std::optional<Price> take_profit_;
  std::optional<OrderState> old_take_profit_;
  std::vector<OrderState> leftovers_;   // cancelled once the stop is right
  Phase phase_ = Phase::stop;
  std::optional<ReplaceCall> replace_;
  std::optional<OrderCall> cancel_;
  std::size_t next_leftover_ = 0;
};

}  // namespace ptp::core
