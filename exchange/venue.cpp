#include "exchange/venue.hpp"

#include <stdexcept>

#include "exchange/binance/symbols.hpp"
#include "exchange/binance/venue.hpp"
#include "exchange/gateio/symbols.hpp"
#include "exchange/sim_exchange.hpp"

namespace ptp::exchange {
namespace {

// The embedded simulator: no feeds of its own (the node's feed actor steps its price path).
class SimVenue final : public Venue {
 public:
  explicit SimVenue(const config::SimSettings& settings) : sim_(std::make_shared<SimExchange>(settings)) {}
  std::shared_ptr<Exchange> exchange() override { return sim_; }
  void start_feeds(VenueSinks) override {}
  void stop_feeds() override {}
  std::shared_ptr<SimExchange> simulator() override { return sim_; }

 private:
  std::shared_ptr<SimExchange> sim_;
};

}  // namespace

std::string symbol_name(core::Exchange venue, const core::Symbol& symbol) {
  switch (venue) {
    case core::Exchange::binance: return binance::symbol_name(symbol);
    case core::Exchange::gateio: return gateio::contract_name(symbol);
    case core::Exchange::sim: break;
  }
  return symbol.canonical();
}

std::unique_ptr<Venue> make_venue(const config::Config& cfg) {
  switch (cfg.exchange) {
    case core::Exchange::sim:
      try {
        return std::make_unique<SimVenue>(*cfg.sim);
      } catch (const std::exception& e) {
        throw std::runtime_error(std::string("cannot start the simulator: ") + e.what());
      }
    case core::Exchange::binance: return binance::make_venue(cfg);
    case core::Exchange::gateio: break;
  }
  throw std::runtime_error("the " + std::string(core::to_string(cfg.exchange)) +
                           " adapter is not built yet; use node.exchange = \"sim\" or \"binance\"");
}

}  // namespace ptp::exchange
