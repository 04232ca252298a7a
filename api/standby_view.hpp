// What a cluster standby's API answers from while no node acts here (app/standby_state.cpp): the
// group's history as the standby follows it into LMDB, its warm feed's prices and stream figures.
// Anything that would act (execute, a mode switch) is refused with why(), which names the owner.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "actors/messages.hpp"

namespace ptp::api {

class StandbyView {
 public:
  virtual ~StandbyView() = default;
  // "node b is a standby: node a owns binance/group; ask it" (the refusal's text).
  virtual std::string why() const = 0;
  // The open positions and their stage records as the followed history has them; marks from the feed.
  virtual std::vector<actors::PositionStatus> positions() = 0;
  virtual actors::HistoryPage history(const actors::HistoryQuery& query) = 0;
  // The stream's figures (ticks, age); nothing is decided or executed on a standby.
  virtual actors::MetricsSnapshot metrics() = 0;
  // The feed's last price for `symbol` (none yet: the position's own last mark is shown).
  virtual std::optional<core::Price> last_price(const core::Symbol& symbol) = 0;
  // The group's mode: its last recorded switch, else the config's.
  virtual bool observing() = 0;
};

}  // namespace ptp::api
