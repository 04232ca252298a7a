// Fuzz target: the Gate.io REST answer parsers and the private websocket channels' event parser.
// The first byte picks the parser ('0'..'9', ':' and ';' pick 0..11), the rest is the body.
// Properties: each REST parser returns a value or throws ExchangeError -- no other exception, no
// crash -- and every position and order it returns has sane numbers; the account-event parser
// never throws, and an event it cannot read is never an external change.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "exchange/gateio/account_events.hpp"
#include "exchange/gateio/responses.hpp"

namespace {

using namespace ptp;

void check(const core::OrderState& o) {
  if (o.qty.is_negative() || o.filled_qty.is_negative()) std::abort();
}

// ETH_USDT in contracts of 0.01 ETH, BTC_USDT of 0.0001 BTC; any other contract is unknown, as the
// adapter's own lookup says.
core::InstrumentFilters filters_of(const std::string& contract) {
  static const auto kEth = core::InstrumentFilters::in_contracts(core::Price::parse("0.01"), core::Qty::parse("0.01"), 1);
  static const auto kBtc =
      core::InstrumentFilters::in_contracts(core::Price::parse("0.1"), core::Qty::parse("0.0001"), 1);
  if (contract == "ETH_USDT") return kEth;
  if (contract == "BTC_USDT") return kBtc;
  throw exchange::ExchangeError(exchange::ExchangeError::Kind::rejected, "CONTRACT_NOT_FOUND",
                                "unknown contract " + contract);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace gt = ptp::exchange::gateio;
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const gt::FiltersLookup filters = filters_of;
  try {
    switch (data[0] % 12) {
      case 0: (void)gt::parse_error(body); break;
      case 1: (void)gt::parse_server_time(body); break;
      case 2: (void)gt::parse_account(body); break;
      case 3:
        for (const auto& c : gt::parse_contracts(body))
          if (!c.filters.tick_size.is_positive() || !c.filters.step_size.is_positive()) std::abort();
        break;
      case 4:
        for (const auto& p : gt::parse_positions(body, filters))
          if (!p.size.is_positive()) std::abort();
        break;
      case 5: check(gt::parse_order(body, filters)); break;
      case 6:
        for (const auto& o : gt::parse_orders(body, filters)) check(o);
        break;
      case 7: check(gt::parse_price_order(body, filters)); break;
      case 8:
        for (const auto& o : gt::parse_price_orders(body, filters)) check(o);
        break;
      case 9: (void)gt::parse_created_id(body); break;
      case 10: (void)gt::parse_mark_price(body, "ETH_USDT"); break;
      case 11:
        for (const auto& e : gt::parse_account_events(body)) {
          const bool external = gt::is_external_change(e);
          if (external && e.kind != gt::AccountEvent::Kind::order && e.kind != gt::AccountEvent::Kind::autoorder)
            std::abort();
        }
        break;
    }
  } catch (const ptp::exchange::ExchangeError&) {
  }
  return 0;
}
