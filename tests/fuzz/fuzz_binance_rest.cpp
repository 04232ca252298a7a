// Fuzz target: the Binance REST answer parsers. The first byte picks the parser, the rest is the
// body. Property: each parser returns a value or throws ExchangeError (naming the endpoint and the
// field) -- no other exception, no crash. Every position and order it returns has sane numbers.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "exchange/binance/responses.hpp"

namespace {

void check(const ptp::core::OrderState& o) {
  if (o.qty.is_negative() || o.filled_qty.is_negative()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ptp::exchange;
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 10) {
      case 0: (void)binance::parse_error(body); break;
      case 1: (void)binance::parse_server_time(body); break;
      case 2: (void)binance::parse_dual_side(body); break;
      case 3:
        for (const auto& s : binance::parse_exchange_info(body))
          if (!s.filters.tick_size.is_positive() || !s.filters.step_size.is_positive()) std::abort();
        break;
      case 4:
        for (const auto& p : binance::parse_position_risk(body))
          if (!p.size.is_positive()) std::abort();
        break;
      case 5: (void)binance::parse_mark_price(body); break;
      case 6: check(binance::parse_order(body)); break;
      case 7: check(binance::parse_algo_order(body)); break;
      case 8:
        for (const auto& o : binance::parse_algo_orders(body)) check(o);
        break;
      case 9: (void)binance::parse_listen_key(body); break;
    }
  } catch (const ExchangeError&) {
  }
  return 0;
}
