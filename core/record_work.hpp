// The position's order workflows outside a stage (a reconcile's repair, a trailing stop move) as
// state machines with one command set: a repeated order's number saved before the order goes out
// (as a stage's intent is), orders sent one at a time, the record saved at the end. A driver
// carries each command out and answers with the matching event; it knows no workflow.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/order_call.hpp"
#include "core/records.hpp"

namespace ptp::core {

class RecordWork {
 public:
  struct Reserve {  // save the record with the next order number -> reserved(), reserve_failed()
    PositionRecord record;
  };
  struct Send {  // -> order_answered()
    OrderCommand order;
  };
  struct Save {  // the record as the work leaves it -> saved(), save_failed()
    PositionRecord record;
  };
  struct Done {  // the work is over; `record` is the position as it now stands
    PositionRecord record;
    std::optional<OrderAnswer> refused = {};  // the exchange's answer when it refused the work's order
  };
  using Command = std::variant<Reserve, Send, Save, Done>;
  struct Step {
    Command command;
    std::vector<Note> notes;
  };

  virtual ~RecordWork() = default;
  virtual Step begin() = 0;
  virtual Step reserved() = 0;
  virtual Step reserve_failed(const std::string& why) = 0;
  virtual Step order_answered(const OrderAnswer& answer) = 0;
  virtual Step saved() = 0;
  virtual Step save_failed(const std::string& why) = 0;
};

}  // namespace ptp::core
