#include "exchange/binance/venue.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "exchange/binance/binance_exchange.hpp"
#include "exchange/binance/streams.hpp"

namespace ptp::exchange::binance {
namespace {

class BinanceVenue final : public Venue {
 public:
  explicit BinanceVenue(const config::Config& cfg) : cfg_(cfg), endpoints_(*cfg.endpoints) {
    try {
      exchange_ = std::make_shared<BinanceExchange>(
          std::make_unique<RestClient>(endpoints_.rest_url, Credentials::from_env(endpoints_)));
      exchange_->rest().sync_time();  // reachable, and the clock offset known before any order
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot reach Binance at " + endpoints_.rest_url + ": " + e.what());
    }
  }
  ~BinanceVenue() override { stop_feeds(); }

  std::shared_ptr<Exchange> exchange() override { return exchange_; }

  void start_feeds(VenueSinks sinks) override {
    market_ = std::make_unique<MarketStream>(endpoints_.ws_url, cfg_.symbols, endpoints_.price_source, sinks.tick);
    WsOptions user_options;
    user_options.no_data_timeout = std::chrono::minutes(10);  // Binance pings every 3 minutes
    user_ = std::make_unique<UserStream>(
        endpoints_.ws_url, std::make_unique<RestClient>(endpoints_.rest_url, Credentials::from_env(endpoints_)),
        [changed = sinks.account_changed](const UserEvent& e) {
          if (!is_external_change(e)) return;
          spdlog::info("[ws] binance user data: {} {} {} -> reconciling now", e.symbol, e.client_id, e.status);
          changed();
        },
        user_options);
    market_->start();
    user_->start();
  }

  // The feeds go with their sinks, which hold the node's actors: released here, inside the actor
  // system's life, never after it.
  void stop_feeds() override {
    if (market_) market_->stop();
    if (user_) user_->stop();
    market_.reset();
    user_.reset();
  }

 private:
  config::Config cfg_;
  config::ExchangeEndpoints endpoints_;
  std::shared_ptr<BinanceExchange> exchange_;
  std::unique_ptr<MarketStream> market_;
  std::unique_ptr<UserStream> user_;
};

}  // namespace

std::unique_ptr<Venue> make_venue(const config::Config& cfg) { return std::make_unique<BinanceVenue>(cfg); }

}  // namespace ptp::exchange::binance
