#include "exchange/gateio/gateio_exchange.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "exchange/gateio/symbols.hpp"
#include "exchange/gateio/text_id.hpp"
#include "exchange/placement_answer.hpp"

namespace ptp::exchange::gateio {
namespace {

using K = ExchangeError::Kind;

const std::string kSettle = "/futures/usdt";
constexpr std::size_t kPageSize = 100;
constexpr std::size_t kMaxPages = 10;

std::string text_or_throw(const std::string& client_id) {
  auto text = gate_text(client_id);
  if (!text)
    throw ExchangeError(K::rejected, "",
                        "client id \"" + client_id + "\" cannot travel as a Gate.io text (\"t-\" and at most " +
                            std::to_string(kMaxTextBytes) + " bytes of a node id); not sent");
  return *text;
}

bool not_found(const ExchangeError& e) { return e.kind() == K::not_found; }

// A lookup that read the newest kMaxPages full pages of `list` without finding `client_id`: older
// rows exist, so "never made" cannot be told. Unresolved, never resent.
ExchangeError not_in_newest(const std::string& client_id, const std::string& list, const std::string& contract) {
  return ExchangeError(K::unavailable, "",
                       fmt::format("{}: not found in the newest {} {} of {}; not sent, looked up again later",
                                   client_id, kPageSize * kMaxPages, list, contract));
}

}  // namespace

GateioExchange::GateioExchange(std::unique_ptr<RestClient> rest, Warn warn)
    : rest_(std::move(rest)),
      warn_(warn ? std::move(warn) : Warn([](const std::string& message) { spdlog::warn("[gateio] {}", message); })) {}

const Account& GateioExchange::account() {
  if (!account_) {
    account_ = parse_account(rest_->signed_call("GET", kSettle + "/accounts"));
    spdlog::info("[gateio] account position mode: {}",
                 account_->in_dual_mode ? "dual (dual_long/dual_short)" : "single");
  }
  return *account_;
}

const core::InstrumentFilters& GateioExchange::contract_filters(const std::string& contract) {
  if (auto it = filters_.find(contract); it != filters_.end()) return it->second;
  std::vector<ContractFilters> got;
  try {
    got = parse_contracts(rest_->public_get(kSettle + "/contracts/" + contract));
  } catch (const ExchangeError& e) {
    if (e.code() != "CONTRACT_NOT_FOUND" && e.code() != "HTTP 404") throw;
    throw ExchangeError(K::rejected, "CONTRACT_NOT_FOUND",
                        contract + " is not a Gate.io USDT futures contract: " + e.what());
  }
  for (auto& c : got)
    if (c.name == contract) return filters_.emplace(contract, c.filters).first->second;
  throw ExchangeError(K::rejected, "CONTRACT_NOT_FOUND",
                      contract + " is not a Gate.io USDT futures contract (the answer describes another one)");
}

FiltersLookup GateioExchange::filters_lookup() {
  return [this](const std::string& contract) { return contract_filters(contract); };
}

core::InstrumentFilters GateioExchange::filters(const core::Symbol& symbol) {
  return contract_filters(contract_name(symbol));
}

core::Price GateioExchange::mark_price(const core::Symbol& symbol) {
  const std::string contract = contract_name(symbol);
  return parse_mark_price(rest_->public_get(kSettle + "/tickers", {{"contract", contract}}), contract);
}

std::vector<ExchangePosition> GateioExchange::open_positions() {
  account();  // the mode, read and logged once
  return parse_positions(rest_->signed_call("GET", kSettle + "/positions", {{"holding", "true"}}), filters_lookup());
}

template <class ReadPage>
bool GateioExchange::read_pages(const std::string& path, Params query, ReadPage read_page) {
  query.emplace_back("limit", std::to_string(kPageSize));
  query.emplace_back("offset", "0");
  for (std::size_t page = 0; page < kMaxPages; ++page) {
    query.back().second = std::to_string(page * kPageSize);
    const PageRead read = read_page(rest_->signed_call("GET", path, query));
    if (read.stop || read.rows < kPageSize) return true;
  }
  return false;
}

void GateioExchange::warn_unreadable(const UnreadableRow& row) {
  if (!warned_rows_.insert(row.id == "?" ? row.contract + " " + row.reason : row.id).second) return;
  warn_(fmt::format("open price order {} ({}) cannot be read and is left out of the open orders: {}", row.id,
                    row.contract.empty() ? "contract unknown" : row.contract, row.reason));
}

std::vector<core::OrderState> GateioExchange::open_orders() {
  std::vector<core::OrderState> out;
  const bool complete = read_pages(kSettle + "/price_orders", {{"status", "open"}}, [&](const std::string& body) {
    const PriceOrderPage page = parse_price_order_page(body, filters_lookup());
    for (const auto& row : page.unreadable) warn_unreadable(row);
    for (const auto& o : page.orders) {
      out.push_back(o);
      if (auto it = client_ids_.find(o.ref.exchange_id); it != client_ids_.end())
        out.back().ref.client_id = it->second;
    }
    return PageRead{page.rows, false};
  });
  if (!complete)
    throw ExchangeError(K::unavailable, "",
                        fmt::format("more than {} open Gate.io price orders: the older ones were not read and the "
                                    "list would be incomplete; not sent, read again later",
                                    kPageSize * kMaxPages));
  return out;
}

std::int64_t GateioExchange::contracts_for(const core::Symbol& symbol, core::Qty qty, const std::string& client_id) {
  const auto f = filters(symbol);
  const auto not_whole = [&] {
    return ExchangeError(K::rejected, "",
                         client_id + ": " + contract_name(symbol) + " quantity " + qty.str() +
                             " is not a positive whole number of contracts of " +
                             f.contract_size.value_or(f.step_size).str() + "; not sent");
  };
  if (!qty.is_positive()) throw not_whole();
  try {
    return f.contracts(qty);
  } catch (const std::invalid_argument&) {
    throw not_whole();
  }
}

void GateioExchange::remember(const std::string& client_id, const std::string& exchange_id) {
  price_order_ids_[client_id] = exchange_id;
  client_ids_[exchange_id] = client_id;
}

core::OrderState GateioExchange::close_market(const core::Symbol& symbol, core::Side position_side, core::Qty qty,
                                              const std::string& client_id) {
  const std::string text = text_or_throw(client_id);
  const std::int64_t n = contracts_for(symbol, qty, client_id);
  // Selling (a negative size) reduces a long; reduce_only in both position modes.
  const std::string body =
      fmt::format(R"({{"contract":"{}","size":{},"price":"0","tif":"ioc","reduce_only":true,"text":"{}"}})",
                  contract_name(symbol), position_side == core::Side::long_ ? -n : n, text);
  const std::string answer = rest_->signed_call("POST", kSettle + "/orders", {}, body);
  return read_placement_answer("Gate.io", "POST /futures/usdt/orders", client_id,
                               [&] { return parse_order(answer, filters_lookup()); });
}

core::OrderState GateioExchange::place_conditional(core::OrderKind kind, const core::Symbol& symbol,
                                                   core::Side position_side, core::Price trigger, core::Qty qty,
                                                   const std::string& client_id) {
  if (kind != core::OrderKind::stop && kind != core::OrderKind::take_profit)
    throw std::invalid_argument("place_conditional takes a stop or a take-profit, not " +
                                std::string(core::to_string(kind)));
  const bool long_side = position_side == core::Side::long_;
  const std::int64_t n = contracts_for(symbol, qty, client_id);
  // rule 1 fires at mark >= trigger, rule 2 at mark <= trigger: a long's stop is below (2), its
  // take-profit above (1); a short's the other way round.
  const int rule = (kind == core::OrderKind::stop) == long_side ? 2 : 1;
  const std::string body = fmt::format(
      R"({{"initial":{{"contract":"{}","size":{},"price":"0","tif":"ioc","reduce_only":true}},)"
      R"("trigger":{{"strategy_type":0,"price_type":1,"price":"{}","rule":{},"expiration":0}},"order_type":"{}"}})",
      contract_name(symbol), long_side ? -n : n, trigger.str(), rule,
      long_side ? "plan-close-long-position" : "plan-close-short-position");
  const std::string answer = rest_->signed_call("POST", kSettle + "/price_orders", {}, body);
  const std::string id = read_placement_answer("Gate.io", "POST /futures/usdt/price_orders", client_id,
                                               [&] { return parse_created_id(answer); });
  remember(client_id, id);
  // Gate answers with the id only: the order is what was sent.
  core::OrderState s;
  s.ref = core::OrderRef{client_id, id};
  s.kind = kind;
  s.symbol = symbol;
  s.position_side = position_side;
  s.qty = qty;
  s.trigger_price = trigger;
  s.status = core::OrderStatus::open;
  return s;
}

void GateioExchange::cancel(const core::Symbol& symbol, const core::OrderRef& order) {
  std::string id = order.exchange_id;
  if (id.empty()) {
    const auto it = price_order_ids_.find(order.client_id);
    if (it == price_order_ids_.end())
      throw ExchangeError(K::not_found, "ORDER_NOT_FOUND",
                          contract_name(symbol) + ": no Gate.io price order known for client id \"" + order.client_id +
                              "\" (Gate keeps none on price orders)");
    id = it->second;
  }
  rest_->signed_call("DELETE", kSettle + "/price_orders/" + id);
}

std::optional<core::OrderState> GateioExchange::query_close(const core::OrderLookup& lookup) {
  const auto text = gate_text(lookup.client_id);
  if (!text) return std::nullopt;  // close_market never sends such an id
  try {
    return parse_order(rest_->signed_call("GET", kSettle + "/orders/" + *text), filters_lookup());
  } catch (const ExchangeError& e) {
    if (!not_found(e)) throw;  // else the text's 60 s after the order finished have passed
  }
  // Open first: an IOC that finishes between the two list calls then shows in the finished ones
  // (the other order would miss it in both).
  const std::string contract = contract_name(lookup.symbol);
  for (const std::string status : {"open", "finished"}) {
    std::optional<core::OrderState> found;
    const bool complete =
        read_pages(kSettle + "/orders", {{"contract", contract}, {"status", status}}, [&](const std::string& body) {
          const auto rows = parse_orders(body, filters_lookup());
          for (const auto& o : rows)
            if (!found && o.ref.client_id == lookup.client_id) found = o;
          return PageRead{rows.size(), found.has_value()};
        });
    if (found) return found;
    if (!complete) throw not_in_newest(lookup.client_id, status + " orders", contract);
  }
  return std::nullopt;
}

std::optional<core::OrderState> GateioExchange::query_conditional(const core::OrderLookup& lookup) {
  if (const auto it = price_order_ids_.find(lookup.client_id); it != price_order_ids_.end()) {
    try {
      auto s = parse_price_order(rest_->signed_call("GET", kSettle + "/price_orders/" + it->second), filters_lookup());
      s.ref.client_id = lookup.client_id;
      return s;
    } catch (const ExchangeError& e) {
      if (!not_found(e)) throw;
      return std::nullopt;
    }
  }
  // Gate keeps no client id on price orders: the newest open closing one that is what was sent,
  // and not already another id's, is it. A row of the contract that cannot be read might be it:
  // the lookup fails (unresolved) rather than answer "never made".
  const auto same = [&](const core::OrderState& o) {
    return o.kind == lookup.kind && o.position_side == lookup.position_side && o.qty == lookup.qty &&
           o.trigger_price == lookup.trigger && !client_ids_.contains(o.ref.exchange_id);
  };
  const std::string contract = contract_name(lookup.symbol);
  std::optional<core::OrderState> found;
  const bool complete = read_pages(
      kSettle + "/price_orders", {{"status", "open"}, {"contract", contract}}, [&](const std::string& body) {
        const PriceOrderPage page = parse_price_order_page(body, filters_lookup());
        if (!page.unreadable.empty()) {
          const auto& row = page.unreadable.front();
          throw ExchangeError(K::unavailable, "",
                              fmt::format("{}: open price order {} of {} cannot be read ({}); not sent, looked up "
                                          "again later",
                                          lookup.client_id, row.id, contract, row.reason));
        }
        for (const auto& o : page.orders)
          if (!found && same(o)) found = o;
        return PageRead{page.rows, found.has_value()};
      });
  if (!found) {
    if (!complete) throw not_in_newest(lookup.client_id, "open price orders", contract);
    return std::nullopt;
  }
  found->ref.client_id = lookup.client_id;
  remember(lookup.client_id, found->ref.exchange_id);
  return found;
}

std::optional<core::OrderState> GateioExchange::query(const core::OrderLookup& lookup) {
  if (lookup.kind == core::OrderKind::stop || lookup.kind == core::OrderKind::take_profit)
    return query_conditional(lookup);
  return query_close(lookup);
}

}  // namespace ptp::exchange::gateio
