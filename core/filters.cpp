#include "core/filters.hpp"

#include <stdexcept>
#include <string>

namespace ptp::core {

InstrumentFilters InstrumentFilters::in_base_units(Price tick_size, Qty step_size, Qty min_qty, Notional min_notional) {
  InstrumentFilters f;
  f.tick_size = tick_size;
  f.step_size = step_size;
  f.min_qty = min_qty;
  f.min_notional = min_notional;
  f.min_notional_on_reduce_only = false;
  return f;
}

InstrumentFilters InstrumentFilters::in_contracts(Price tick_size, Qty contract_size, std::int64_t min_contracts) {
  if (min_contracts < 1) throw std::invalid_argument("the minimum order must be at least 1 contract");
  InstrumentFilters f;
  f.tick_size = tick_size;
  f.step_size = contract_size;
  f.min_qty = Qty::from_units(contract_size.units() * min_contracts);
  f.contract_size = contract_size;
  return f;
}

void InstrumentFilters::validate() const {
  if (!tick_size.is_positive()) throw std::invalid_argument("tick_size must be positive, got " + tick_size.str());
  if (!step_size.is_positive()) throw std::invalid_argument("step_size must be positive, got " + step_size.str());
  if (min_qty.is_negative()) throw std::invalid_argument("min_qty must not be negative, got " + min_qty.str());
  if (!min_qty.is_multiple_of(step_size))
    throw std::invalid_argument("min_qty " + min_qty.str() + " is not a multiple of step_size " + step_size.str());
  if (max_qty.is_negative() || (max_qty.is_positive() && (max_qty < min_qty || !max_qty.is_multiple_of(step_size))))
    throw std::invalid_argument("max_qty " + max_qty.str() + " must be a multiple of step_size " + step_size.str() +
                                " at or above min_qty " + min_qty.str());
  if (min_notional.is_negative())
    throw std::invalid_argument("min_notional must not be negative, got " + min_notional.str());
  if (contract_size && *contract_size != step_size)
    throw std::invalid_argument("contract_size " + contract_size->str() + " must equal step_size " + step_size.str());
}

std::int64_t InstrumentFilters::contracts(Qty qty) const {
  if (!contract_size) throw std::logic_error("contracts() on an instrument without a contract size");
  if (!qty.is_multiple_of(*contract_size))
    throw std::invalid_argument("quantity " + qty.str() + " is not a whole number of contracts of " +
                                contract_size->str());
  return qty.units() / contract_size->units();
}

std::string_view to_string(SkipReason r) {
  switch (r) {
    case SkipReason::below_min_qty: return "below_min_qty";
    case SkipReason::below_min_notional: return "below_min_notional";
  }
  return "?";
}

CloseSizing size_close(Qty planned, Qty remaining, Price mark, const InstrumentFilters& filters) {
  CloseSizing out;
  Qty wanted = planned < remaining ? planned : remaining;
  if (wanted.is_negative()) wanted = Qty{};
  Qty qty = wanted.floor_to(filters.step_size);
  if (qty.is_zero() || qty < filters.min_qty) {
    out.skip = SkipReason::below_min_qty;
    return out;
  }
  Qty rest = remaining - qty;
  if (rest.is_positive() && rest < filters.min_qty) {
    qty = remaining;
    out.closes_all = true;
  }
  out.closes_all = out.closes_all || qty == remaining;
  if (filters.min_notional_on_reduce_only && filters.min_notional.is_positive() &&
      notional(mark, qty) < filters.min_notional) {
    out.skip = SkipReason::below_min_notional;
    out.closes_all = false;
    return out;
  }
  out.qty = qty;
  return out;
}

Qty close_piece(Qty remaining, const InstrumentFilters& filters) {
  const Qty max = filters.max_qty.floor_to(filters.step_size);
  if (!max.is_positive() || remaining <= max) return remaining;
  const Qty rest = remaining - max;
  if (rest >= filters.min_qty) return max;
  const Qty shared = remaining - filters.min_qty;  // the last two pieces share the rest
  return shared >= filters.min_qty ? shared : max;  // max below twice the minimum: no way to share it
}

std::optional<StopPrice> valid_stop_price(Side side, Price target, Price mark, const InstrumentFilters& filters) {
  const Price tick = filters.tick_size;
  const Price unit = Price::from_units(1);
  StopPrice out;
  if (side == Side::long_) {
    out.price = target.floor_to(tick);
    if (out.price >= mark) {
      out.price = (mark - unit).floor_to(tick);
      out.clamped = true;
    }
  } else {
    out.price = target.ceil_to(tick);
    if (out.price <= mark) {
      out.price = (mark + unit).ceil_to(tick);
      out.clamped = true;
    }
  }
  if (!out.price.is_positive()) return std::nullopt;
  return out;
}

Price take_profit_price(Side side, Price target, const InstrumentFilters& filters) {
  return side == Side::long_ ? target.ceil_to(filters.tick_size) : target.floor_to(filters.tick_size);
}

}  // namespace ptp::core
