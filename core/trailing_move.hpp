// A trailing stop move as a state machine with no I/O: its order number saved, the new stop
// placed, then the old one cancelled (the position is never without a stop), the record saved so
// the next move starts from the stop just placed. A move the exchange refuses leaves the old stop.
#pragma once

#include <optional>

#include "core/filters.hpp"
#include "core/record_work.hpp"

namespace ptp::core {

class TrailingMove final : public RecordWork {
 public:
  // `record`: the position as it stands; `best`: the most favourable mark since trailing began;
  // `stage`: the active trailing stage, whose id names the move's orders.
  TrailingMove(const PositionRecord& record, StopPrice stop, Price best, StageId stage);

  Step begin() override;
  Step reserved() override;
  Step reserve_failed(const std::string& why) override;
  Step order_answered(const OrderAnswer& answer) override;
  Step saved() override;
  Step save_failed(const std::string& why) override;

 private:
  PositionRecord after_;
  StopPrice stop_;
  Price best_;
  StageId stage_;
  std::optional<ReplaceCall> replace_;
};

}  // namespace ptp::core
