#include "exchange/venue.hpp"

#include <stdexcept>

#include "exchange/binance/symbols.hpp"
#include "exchange/binance/venue.hpp"
#include "exchange/gateio/symbols.hpp"
#include "exchange/gateio/venue.hpp"
#include "sim/sim_exchange.hpp"

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

std::unique_ptr<Venue> make_sim(const config::Config& cfg) {
  try {
    return std::make_unique<SimVenue>(*cfg.sim);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("cannot start the simulator: ") + e.what());
  }
}

std::string canonical(const core::Symbol& symbol) { return symbol.canonical(); }

// Every venue the node knows, once: how it spells a symbol and how it is built.
struct VenueEntry {
  core::Exchange id;
  std::string (*spell)(const core::Symbol&);
  std::unique_ptr<Venue> (*make)(const config::Config&);
};

constexpr VenueEntry kVenues[] = {
    {core::Exchange::sim, canonical, make_sim},
    {core::Exchange::binance, binance::symbol_name, binance::make_venue},
    {core::Exchange::gateio, gateio::contract_name, gateio::make_venue},
};

const VenueEntry& entry(core::Exchange id) {
  for (const auto& v : kVenues)
    if (v.id == id) return v;
  throw std::logic_error("no venue entry for " + std::string(core::to_string(id)));
}

}  // namespace

std::string symbol_name(core::Exchange venue, const core::Symbol& symbol) { return entry(venue).spell(symbol); }

std::unique_ptr<Venue> make_venue(const config::Config& cfg) { return entry(cfg.exchange).make(cfg); }

}  // namespace ptp::exchange
