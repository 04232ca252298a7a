#include "core/position.hpp"

namespace ptp::core {

std::string PositionKey::str() const {
  return std::string(to_string(exchange)) + ":" + account + ":" + symbol.canonical() + ":" +
         std::string(to_string(side)) + "#" + std::to_string(generation);
}

std::string_view to_string(AdoptStatus s) {
  switch (s) {
    case AdoptStatus::adopted: return "adopted";
    case AdoptStatus::adopted_default_stop: return "adopted_default_stop";
    case AdoptStatus::left_alone: return "left_alone";
    case AdoptStatus::rejected: return "rejected";
  }
  return "?";
}

Adoption adopt(const PositionKey& key, Price entry, Qty size, std::optional<Price> stop,
               std::optional<Ratio> default_stop_pct, const InstrumentFilters& filters) {
  Adoption out;
  const std::string who = key.str() + ": ";
  if (!entry.is_positive()) {
    out.reason = who + "entry price " + entry.str() + " is not positive";
    return out;
  }
  if (!size.is_positive()) {
    out.reason = who + "size " + size.str() + " is not positive";
    return out;
  }
  Price initial_stop;
  if (stop) {
    initial_stop = *stop;
    out.status = AdoptStatus::adopted;
    out.reason = "initial stop " + stop->str() + " from the exchange";
  } else if (default_stop_pct) {
    Price distance = scale(entry, *default_stop_pct, false);
    distance = Price::from_units(distance.units() / 100);
    Price target = key.side == Side::long_ ? entry - distance : entry + distance;
    // away from the entry: the default never makes the risk unit smaller than configured
    initial_stop = key.side == Side::long_ ? target.floor_to(filters.tick_size) : target.ceil_to(filters.tick_size);
    out.status = AdoptStatus::adopted_default_stop;
    out.reason = "no stop on the exchange; default " + default_stop_pct->str() + "% of entry gives initial stop " +
                 initial_stop.str();
  } else {
    out.status = AdoptStatus::left_alone;
    out.reason = who + "no stop order found and no default_stop_pct configured; left alone (never guessed)";
    return out;
  }
  if (initial_stop == entry) {
    out.status = AdoptStatus::rejected;
    out.reason = who + "stop " + initial_stop.str() + " equals the entry: the risk unit (1R) would be zero";
    return out;
  }
  if (!initial_stop.is_positive() || at_or_beyond(key.side, initial_stop, entry)) {
    out.status = AdoptStatus::rejected;
    out.reason = who + "stop " + initial_stop.str() + " is on the wrong side of entry " + entry.str() + " for a " +
                 std::string(to_string(key.side)) + " position";
    return out;
  }
  out.position = Position{key, entry, initial_stop, size, size, initial_stop, std::nullopt};
  return out;
}

Ratio r_multiple(const Position& p, Price price) {
  Price move = price - p.entry;
  if (p.side() == Side::short_) move = -move;
  return ratio_of(move, p.risk());
}

Price trigger_price(const Position& p, Ratio r) {
  Price offset = scale(p.risk(), r, /*round_up=*/true);
  return p.side() == Side::long_ ? p.entry + offset : p.entry - offset;
}

Price stop_target(const Position& p, Ratio r) {
  Price offset = scale(p.risk(), r, /*round_up=*/false);
  return p.side() == Side::long_ ? p.entry + offset : p.entry - offset;
}

bool at_or_beyond(Side side, Price price, Price level) {
  return side == Side::long_ ? price >= level : price <= level;
}

bool tighter_stop(Side side, Price a, Price b) { return side == Side::long_ ? a > b : a < b; }

std::string stop_label(const Position& p, Price stop) {
  const Ratio r = r_multiple(p, stop);
  if (r.is_zero()) return stop.str() + " (breakeven)";
  return stop.str() + " (" + (r.is_positive() ? "+" : "") + r.str(2) + "R)";
}

}  // namespace ptp::core
