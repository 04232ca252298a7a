// The Exchange interface on Gate.io USDT-settled futures (REST API v4). Market reduce-only closes go
// to /futures/usdt/orders (price "0", tif ioc) with the node's id as the order's `text` (text_id.hpp);
// stops and take-profits are price-triggered orders on /futures/usdt/price_orders, triggered by the
// mark price. Sizes travel as whole contracts of the contract's quanto_multiplier.
//
// Caveats:
// - Gate keeps NO client id on a price-triggered order: the node's id -> Gate's id map lives in
//   this object. After a restart, or an unknown outcome, query() recognises the order among the
//   contract's open closing price orders by what it was (side, kind, size and trigger price).
// - A close's text finds the order only while it is open and for 60 s after it finished; later
//   query() reads the contract's open orders, then its newest 1000 finished ones. A close older
//   than that cannot be told from one never sent: query() throws Kind::unavailable (the stage stays
//   unresolved and is looked up again) rather than answer "never made" and have it resent.
// - Gate refuses nothing for a repeated text: never resend a close whose outcome is unknown before
//   query() has answered. An order placement whose 2xx answer cannot be read is such an unknown
//   outcome (Kind::timeout, exchange/placement_answer.hpp).
// - Price orders that do not close a position (a user's opening trigger order) are nobody's stop:
//   open_orders() leaves them out and query() never matches them.
// - Single and dual (hedge) position mode take the same reduce-only orders; the mode is read once
//   (and logged), positions are read per row mode.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "exchange/exchange.hpp"
#include "exchange/gateio/responses.hpp"
#include "exchange/gateio/rest_client.hpp"

namespace ptp::exchange::gateio {

class GateioExchange final : public Exchange {
 public:
  // Where the warnings about rows left out of open_orders() go; default: the log (spdlog::warn).
  using Warn = std::function<void(const std::string& message)>;
  explicit GateioExchange(std::unique_ptr<RestClient> rest, Warn warn = {});

  std::vector<ExchangePosition> open_positions() override;
  // Gate.io perpetual futures: "order placement and amend ... total of 100r/s" per account; price
  // orders are counted with them here (their own limit is not documented apart).
  std::vector<core::RateWindow> order_limits() const override { return {{100, std::chrono::seconds(1)}}; }
  // Every open price-triggered order that closes a position (any contract), with the node's ids
  // where this process knows them. Opening trigger orders are left out. A row that cannot be read
  // (a user's order on a contract whose filters cannot be read, a size that is not whole) is left
  // out with a warning naming it, once per order id; the rest are returned. More than 1000 open
  // price orders: Kind::unavailable (an incomplete list could hide one of the node's stops).
  std::vector<core::OrderState> open_orders() override;
  // Cached per contract; an unknown contract is rejected (CONTRACT_NOT_FOUND) naming it.
  core::InstrumentFilters filters(const core::Symbol& symbol) override;
  core::Price mark_price(const core::Symbol& symbol) override;
  // Rejected before sending when qty is not a positive whole number of contracts or the client id
  // cannot be a Gate text.
  core::OrderState close_market(const core::Symbol& symbol, core::Side position_side, core::Qty qty,
                                const std::string& client_id) override;
  core::OrderState place_conditional(core::OrderKind kind, const core::Symbol& symbol, core::Side position_side,
                                     core::Price trigger, core::Qty qty, const std::string& client_id) override;
  // Only stops and take-profits are ever cancelled: by Gate's id, else by the id remembered for the
  // client id; an order this process cannot name is not_found.
  void cancel(const core::Symbol& symbol, const core::OrderRef& order) override;
  std::optional<core::OrderState> query(const core::OrderLookup& lookup) override;

  // GET /futures/usdt/accounts, read once: the user id (private websocket channels) and the mode.
  const Account& account();
  RestClient& rest() { return *rest_; }

 private:
  const core::InstrumentFilters& contract_filters(const std::string& contract);
  FiltersLookup filters_lookup();
  // qty as a positive whole number of contracts of `symbol`; throws rejected otherwise.
  std::int64_t contracts_for(const core::Symbol& symbol, core::Qty qty, const std::string& client_id);
  std::optional<core::OrderState> query_close(const core::OrderLookup& lookup);
  std::optional<core::OrderState> query_conditional(const core::OrderLookup& lookup);
  // One page of a list as read_pages' callback reads it.
  struct PageRead {
    std::size_t rows = 0;  // rows in the page: a full page means older rows may follow
    bool stop = false;     // what was looked for is found
  };
  // A list endpoint newest first, 100 rows a page, at most 10 pages, each given to `read_page`
  // (the body -> PageRead). False when 10 full pages went by without a stop: older rows exist that
  // were never read.
  template <class ReadPage>
  bool read_pages(const std::string& path, Params query, ReadPage read_page);
  void remember(const std::string& client_id, const std::string& exchange_id);
  void warn_unreadable(const UnreadableRow& row);

  std::unique_ptr<RestClient> rest_;
  Warn warn_;
  std::optional<Account> account_;
  std::map<std::string, core::InstrumentFilters> filters_;  // by contract name, from contracts/{contract}
  std::map<std::string, std::string> price_order_ids_;      // node id -> Gate's price order id
  std::map<std::string, std::string> client_ids_;           // Gate's price order id -> node id
  std::set<std::string> warned_rows_;                       // unreadable open price orders already logged
};

}  // namespace ptp::exchange::gateio
