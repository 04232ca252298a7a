#include "exchange/gateio/venue.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "exchange/gateio/gateio_exchange.hpp"
#include "exchange/gateio/streams.hpp"

namespace ptp::exchange::gateio {
namespace {

class GateioVenue final : public Venue {
 public:
  explicit GateioVenue(const config::Config& cfg) : cfg_(cfg), endpoints_(*cfg.endpoints) {
    if (endpoints_.price_source != config::ExchangeEndpoints::PriceSource::mark)
      throw std::runtime_error("price_stream = \"bookTicker\" is not supported on Gate.io yet; use \"markPrice\" "
                               "(futures.tickers' mark price)");
    try {
      credentials_ = Credentials::from_env(endpoints_);
      exchange_ = std::make_shared<GateioExchange>(std::make_unique<RestClient>(endpoints_.rest_url, credentials_));
      exchange_->rest().sync_time();  // reachable, and the clock offset known before any order
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot reach Gate.io at " + endpoints_.rest_url + ": " + e.what());
    }
    // Read here, before the exchange actor owns the client (one libcurl handle, one thread). The
    // streams sign and stamp their frames with Gate's time, as REST does (a later resync of the REST
    // clock is not followed). The private channels need the user id: without it (the key cannot read
    // the account) the node runs on the health check's reconciles alone, and says so.
    server_offset_ms_ = exchange_->rest().clock_offset_ms();
    try {
      user_id_ = exchange_->account().user_id;
    } catch (const std::exception& e) {
      spdlog::error("[gateio] cannot read the account ({}); the account stream will not start, and changes made "
                    "outside the node are seen at the next health check",
                    e.what());
    }
  }
  ~GateioVenue() override { stop_feeds(); }

  std::shared_ptr<Exchange> exchange() override { return exchange_; }

  void start_feeds(VenueSinks sinks) override {
    market_ = std::make_unique<MarketStream>(endpoints_.ws_url, cfg_.symbols, sinks.tick, WsOptions{}, kPingInterval,
                                             kTickTimeout, server_clock(server_offset_ms_));
    market_->start();
    if (user_id_.empty()) return;
    WsOptions account_options;
    account_options.no_data_timeout = std::chrono::seconds(30);  // pongs arrive every 5 s
    account_ = std::make_unique<AccountStream>(
        endpoints_.ws_url, user_id_, credentials_.api_key, credentials_.secret,
        [changed = sinks.account_changed](const AccountEvent& e) {
          if (!is_external_change(e)) return;
          spdlog::info("[ws] gateio account: {} {} {} {} -> reconciling now",
                       e.kind == AccountEvent::Kind::autoorder ? "price order" : "order", e.contract, e.text,
                       e.finish_as);
          changed();
        },
        account_options, kPingInterval, server_clock(server_offset_ms_));
    account_->start();
  }

  // The feeds go with their sinks, which hold the node's actors: released here, inside the actor
  // system's life, never after it.
  void stop_feeds() override {
    if (market_) market_->stop();
    if (account_) account_->stop();
    market_.reset();
    account_.reset();
  }

 private:
  config::Config cfg_;
  config::ExchangeEndpoints endpoints_;
  Credentials credentials_;
  std::shared_ptr<GateioExchange> exchange_;
  std::string user_id_;  // empty: the account could not be read
  std::int64_t server_offset_ms_ = 0;  // Gate's clock minus ours, at start
  std::unique_ptr<MarketStream> market_;
  std::unique_ptr<AccountStream> account_;
};

}  // namespace

std::unique_ptr<Venue> make_venue(const config::Config& cfg) { return std::make_unique<GateioVenue>(cfg); }

}  // namespace ptp::exchange::gateio
