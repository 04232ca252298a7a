// A cluster standby's state, kept warm while another node owns the account: the venue it will act
// on (filters and clock known, streams connected into a FeedRelay), and the group's history, which
// cluster::HistoryFollower keeps copying into its LMDB. Its API answers from here (api::StandbyView)
// and refuses whatever would act, naming the owner. It never calls the exchange: the venue's REST
// client is the node's once this node owns the account.
#pragma once

#include <map>
#include <memory>

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
  using Filters = std::map<core::Symbol, core::InstrumentFilters>;

  StandbyState(const config::Config& cfg, std::shared_ptr<storage::HistoryStore> store,
               std::shared_ptr<exchange::FeedRelay> relay, Filters filters,
               std::shared_ptr<cluster::Ownership> ownership);

  // The filters of the config's symbols, asked once when the standby starts (one that cannot be had
  // is logged and left out: its positions are shown without filters).
  static Filters load_filters(const config::Config& cfg, exchange::Exchange& exchange);

  std::string why() const override;
  std::vector<actors::PositionStatus> positions() override;
  actors::HistoryPage history(const actors::HistoryQuery& query) override;
  actors::MetricsSnapshot metrics() override;
  std::optional<core::Price> last_price(const core::Symbol& symbol) override;
  bool observing() override;

 private:
  const bool config_observes_;
  const std::shared_ptr<storage::HistoryStore> store_;
  const std::shared_ptr<exchange::FeedRelay> relay_;
  const Filters filters_;
  const std::shared_ptr<cluster::Ownership> ownership_;
};

}  // namespace ptp::app
