// A cluster standby's state, kept warm while another node owns the account: the venue it will act
// on (filters and clock known, streams connected into a FeedRelay), and the group's history, which
// cluster::HistoryFollower keeps copying into its LMDB. Its API answers from here (api::StandbyView)
// and refuses whatever would act, naming the owner.
#pragma once

#include <map>
#include <memory>
#include <mutex>

#include "api/standby_view.hpp"
#include "core/config/config.hpp"

namespace ptp::cluster {
class Ownership;
}
namespace ptp::exchange {
class Exchange;
class FeedRelay;
}
namespace ptp::storage {
class HistoryStore;
}

namespace ptp::app {

class StandbyState : public api::StandbyView {
 public:
  StandbyState(const config::Config& cfg, std::shared_ptr<storage::HistoryStore> store,
               std::shared_ptr<exchange::FeedRelay> relay, std::shared_ptr<exchange::Exchange> exchange,
               std::shared_ptr<cluster::Ownership> ownership);

  std::string why() const override;
  std::vector<actors::PositionStatus> positions() override;
  actors::HistoryPage history(const actors::HistoryQuery& query) override;
  actors::MetricsSnapshot metrics() override;
  std::optional<core::Price> last_price(const core::Symbol& symbol) override;
  bool observing() override;

  // The node is about to act on the exchange: from here the view asks it nothing (its REST client
  // is the node's), and returns once a request that was asking it has finished. resume() undoes it.
  void retire();
  void resume();

 private:
  core::InstrumentFilters filters_of(const core::Symbol& symbol);

  const bool config_observes_;
  const std::shared_ptr<storage::HistoryStore> store_;
  const std::shared_ptr<exchange::FeedRelay> relay_;
  const std::shared_ptr<exchange::Exchange> exchange_;
  const std::shared_ptr<cluster::Ownership> ownership_;

  std::mutex exchange_mu_;  // the exchange's REST client serves one caller at a time
  bool retired_ = false;
  std::map<core::Symbol, core::InstrumentFilters> filters_;  // asked once per symbol
};

}  // namespace ptp::app
