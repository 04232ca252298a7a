#include "exchange/gateio/responses.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "core/symbol.hpp"
#include "exchange/gateio/text_id.hpp"
#include "exchange/json_fields.hpp"

namespace ptp::exchange::gateio {
namespace dom = simdjson::dom;
namespace {

struct GateIo {
  static constexpr std::string_view name = "Gate.io";
};
using Json = JsonFields<GateIo>;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "2.5e-3" -> "0.0025": scientific notation as a plain decimal (the core's parser takes no
// exponents). nullopt when it is not a number.
std::optional<std::string> plain_decimal(std::string_view t) {
  const auto e = t.find_first_of("eE");
  if (e == std::string_view::npos) return std::string(t);
  std::string_view mantissa = t.substr(0, e), exponent = t.substr(e + 1);
  if (exponent.starts_with('+')) exponent.remove_prefix(1);
  int exp = 0;
  const auto [end, ec] = std::from_chars(exponent.data(), exponent.data() + exponent.size(), exp);
  if (exponent.empty() || ec != std::errc() || end != exponent.data() + exponent.size() || exp < -40 || exp > 40)
    return std::nullopt;
  const bool negative = mantissa.starts_with('-');
  if (negative) mantissa.remove_prefix(1);
  const auto dot = mantissa.find('.');
  const std::string_view whole = mantissa.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : mantissa.substr(dot + 1);
  const std::string digits = std::string(whole) + std::string(fraction);
  if (!all_digits(digits)) return std::nullopt;
  const long point = static_cast<long>(whole.size()) + exp;  // where the decimal point goes in `digits`
  std::string out = negative ? "-" : "";
  if (point <= 0) {
    out += "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
  } else if (static_cast<std::size_t>(point) >= digits.size()) {
    out += digits + std::string(static_cast<std::size_t>(point) - digits.size(), '0');
  } else {
    out += digits.substr(0, static_cast<std::size_t>(point)) + "." + digits.substr(static_cast<std::size_t>(point));
  }
  return out;
}

// How many decimals a value may carry.
enum class Digits {
  exact,    // sizes, multipliers, ticks, trigger prices: every digit fits 1e-8, else malformed
  average,  // an average of fills (fill_price, entry_price): rounded half-up to 1e-8
};

// "40000.36666661111" -> 4000036666661 units (the ninth decimal, 1, rounds down). Half-up means
// away from zero: "-0.000000005" -> -1 unit.
std::optional<std::int64_t> rounded_units(std::string_view plain) {
  const auto dot = plain.find('.');
  if (dot == std::string_view::npos || plain.size() - dot - 1 <= static_cast<std::size_t>(core::kDecimalPlaces))
    return core::parse_decimal_units(plain);
  const std::string_view dropped = plain.substr(dot + 1 + core::kDecimalPlaces);
  if (!all_digits(dropped)) return std::nullopt;
  auto units = core::parse_decimal_units(plain.substr(0, dot + 1 + core::kDecimalPlaces));
  if (!units || dropped.front() < '5') return units;
  const std::int64_t away = plain.starts_with('-') ? -1 : 1;
  std::int64_t out = 0;
  if (__builtin_add_overflow(*units, away, &out)) return std::nullopt;
  return out;
}

std::optional<std::int64_t> units_of_text(std::string_view t, Digits digits) {
  const auto plain = plain_decimal(t);
  if (!plain) return std::nullopt;
  return digits == Digits::exact ? core::parse_decimal_units(*plain) : rounded_units(*plain);
}

// A decimal as a JSON string ("2000.5") or a JSON number (2000.5, 1e-8). A double prints as the
// shortest text that reads back as it, which is the text Gate wrote for every price of up to 15
// significant digits.
template <class T>
T decimal(dom::element e, std::string_view key, std::string_view what, Digits digits = Digits::exact) {
  const dom::element v = Json::field(e, key, what);
  std::optional<std::int64_t> units;
  std::string shown;
  std::string_view s;
  std::int64_t n = 0;
  double d = 0;
  if (!v.get(s)) {
    shown = std::string(s);
    units = units_of_text(s, digits);
  } else if (!v.get(n)) {
    shown = std::to_string(n);
    if (n <= std::numeric_limits<std::int64_t>::max() / core::kDecimalOne &&
        n >= std::numeric_limits<std::int64_t>::min() / core::kDecimalOne)
      units = n * core::kDecimalOne;
  } else if (v.type() == dom::element_type::DOUBLE && !v.get(d)) {
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    shown = ec == std::errc() ? std::string(buf, end) : "?";
    if (ec == std::errc()) units = units_of_text(shown, digits);
  } else {
    Json::malformed(what, "field " + Json::quoted(key) + " is not a decimal");
  }
  if (!units) Json::malformed(what, "field " + Json::quoted(key) + " is not a decimal: \"" + shown + "\"");
  return T::from_units(*units);
}

core::Symbol symbol_of(std::string_view contract, std::string_view what) {
  try {
    return core::Symbol::parse(contract);
  } catch (const std::invalid_argument& ex) {
    Json::malformed(what, ex.what());
  }
}

// |contracts| x the contract's multiplier, in base units.
core::Qty base_qty(std::int64_t contracts, core::Qty multiplier, std::string_view contract, std::string_view what) {
  std::int64_t units = 0;
  if (__builtin_mul_overflow(contracts < 0 ? -contracts : contracts, multiplier.units(), &units))
    Json::malformed(what, std::to_string(contracts) + " contracts of " + std::string(contract) + " overflow");
  return core::Qty::from_units(units);
}

core::Qty base_qty(std::int64_t contracts, const core::InstrumentFilters& filters, std::string_view contract,
                   std::string_view what) {
  return base_qty(contracts, filters.contract_size.value_or(filters.step_size), contract, what);
}

core::OrderState order_from(dom::element o, const FiltersLookup& filters) {
  constexpr std::string_view what = "futures order";
  core::OrderState s;
  s.ref.exchange_id = Json::whole_number_text(o, "id", what);
  s.kind = core::OrderKind::market_close;
  const std::string contract(Json::text(o, "contract", what));
  s.symbol = symbol_of(contract, what);
  const std::int64_t size = Json::integer(o, "size", what);
  const std::int64_t left = Json::integer(o, "left", what);
  if ((left < 0 ? -left : left) > (size < 0 ? -size : size))
    Json::malformed(what, "left " + std::to_string(left) + " exceeds size " + std::to_string(size));
  const auto f = filters(contract);
  s.qty = base_qty(size, f, contract, what);
  s.filled_qty = s.qty - base_qty(left, f, contract, what);
  s.avg_fill_price = decimal<core::Price>(o, "fill_price", what, Digits::average);
  s.position_side = size < 0 ? core::Side::long_ : core::Side::short_;  // a sell reduces a long
  s.ref.client_id = client_id_of(Json::optional_text(o, "text", what));
  const std::string_view status = Json::text(o, "status", what);
  if (status == "open") {
    s.status = s.filled_qty.is_positive() ? core::OrderStatus::partially_filled : core::OrderStatus::open;
  } else if (status == "finished") {
    // filled; or cancelled, ioc (ended with `left`), reduce_only, position_closed, liquidated, stp.
    s.status = Json::text(o, "finish_as", what) == "filled" ? core::OrderStatus::filled : core::OrderStatus::canceled;
  } else {
    Json::malformed(what, "unknown status \"" + std::string(status) + "\"");
  }
  return s;
}

// An optional boolean field: false when absent; malformed when present with another type.
bool optional_flag(dom::element e, std::string_view key, std::string_view what) {
  dom::element v;
  if (e[key].get(v)) return false;
  bool out = false;
  if (v.get(out)) Json::malformed(what, "field " + Json::quoted(key) + " is not a boolean");
  return out;
}

// See responses.hpp: a close order_type, or a reduce-only initial order.
bool closes_position(dom::element o, std::string_view what) {
  const std::string_view type = Json::optional_text(o, "order_type", what);
  if (type.starts_with("close-long-") || type.starts_with("close-short-") || type.starts_with("plan-close-"))
    return true;
  const dom::element initial = Json::field(o, "initial", what);
  return optional_flag(initial, "reduce_only", what) || optional_flag(initial, "is_reduce_only", what);
}

core::OrderState price_order_from(dom::element o, const FiltersLookup& filters) {
  constexpr std::string_view what = "price order";
  core::OrderState s;
  s.ref.exchange_id = Json::whole_number_text(o, "id", what);
  const dom::element initial = Json::field(o, "initial", what);
  const dom::element trigger = Json::field(o, "trigger", what);
  const std::string contract(Json::text(initial, "contract", what));
  s.symbol = symbol_of(contract, what);
  const std::int64_t size = Json::integer(initial, "size", what);
  s.qty = base_qty(size, filters(contract), contract, what);  // zero: the whole position
  s.trigger_price = decimal<core::Price>(trigger, "price", what);
  // plan-close-long-position, close-long-position (and Gate's close-long-order) close a long;
  // an order type that closes neither side, or none (optional in Gate's model: ccxt sends none),
  // reads from its size (a sell reduces a long).
  const std::string_view type = Json::optional_text(o, "order_type", what);
  if (type.find("close-long") != std::string_view::npos)
    s.position_side = core::Side::long_;
  else if (type.find("close-short") != std::string_view::npos)
    s.position_side = core::Side::short_;
  else
    s.position_side = size < 0 ? core::Side::long_ : core::Side::short_;
  const std::int64_t rule = Json::integer(trigger, "rule", what);
  if (rule != 1 && rule != 2) Json::malformed(what, "trigger rule " + std::to_string(rule) + " is neither 1 nor 2");
  // rule 1 fires at mark >= trigger: a long's take-profit, a short's stop.
  const bool fires_above = rule == 1;
  s.kind = fires_above == (s.position_side == core::Side::long_) ? core::OrderKind::take_profit : core::OrderKind::stop;
  const std::string_view status = Json::text(o, "status", what);
  if (status == "open") {
    s.status = core::OrderStatus::open;
  } else if (status == "finished") {
    const bool fired = Json::text(o, "finish_as", what) == "succeeded";
    s.status = fired ? core::OrderStatus::filled : core::OrderStatus::canceled;
  } else if (status == "inactive" || status == "invalid") {
    s.status = core::OrderStatus::canceled;
  } else {
    Json::malformed(what, "unknown status \"" + std::string(status) + "\"");
  }
  return s;
}

// What can be said about a row that could not be read, for the warning that names it.
UnreadableRow unreadable_row(dom::element o, std::string reason) {
  UnreadableRow row{"?", "", std::move(reason)};
  std::int64_t n = 0;
  std::string_view s;
  if (!o["id"].get(n)) row.id = std::to_string(n);
  else if (!o["id"].get(s)) row.id = std::string(s);
  if (!o["initial"]["contract"].get(s)) row.contract = std::string(s);
  return row;
}

}  // namespace

std::optional<ApiErrorBody> parse_error(std::string_view body) {
  dom::parser parser;
  dom::element root;
  if (parser.parse(body.data(), body.size()).get(root)) return std::nullopt;
  std::string_view label, message;
  if (root["label"].get(label) || label.empty()) return std::nullopt;
  if (root["message"].get(message)) message = {};
  return ApiErrorBody{std::string(label), std::string(message)};
}

std::int64_t parse_server_time(std::string_view body) {
  dom::parser parser;
  return Json::integer(Json::parse(parser, body, "spot/time"), "server_time", "spot/time");
}

Account parse_account(std::string_view body) {
  constexpr std::string_view what = "futures accounts";
  dom::parser parser;
  const dom::element root = Json::parse(parser, body, what);
  Account a;
  a.user_id = Json::whole_number_text(root, "user", what);
  if (root["in_dual_mode"].get(a.in_dual_mode)) Json::malformed(what, "no boolean field \"in_dual_mode\"");
  return a;
}

std::vector<ContractFilters> parse_contracts(std::string_view body) {
  constexpr std::string_view what = "futures contracts";
  dom::parser parser;
  const dom::element root = Json::parse(parser, body, what);
  std::vector<dom::element> items;
  if (root.type() == dom::element_type::ARRAY) {
    for (dom::element c : Json::rows(root, what)) items.push_back(c);
  } else {
    items.push_back(root);
  }
  std::vector<ContractFilters> out;
  for (dom::element c : items) {
    ContractFilters cf;
    cf.name = std::string(Json::text(c, "name", what));
    const auto multiplier = decimal<core::Qty>(c, "quanto_multiplier", what);
    const auto tick = decimal<core::Price>(c, "order_price_round", what);
    const std::int64_t size_min = Json::integer(c, "order_size_min", what);
    const std::int64_t size_max = Json::integer(c, "order_size_max", what);
    // Rounding divides by these: a contract without them cannot be traded safely.
    if (!multiplier.is_positive()) Json::malformed(what, cf.name + ": no positive quanto_multiplier");
    if (!tick.is_positive()) Json::malformed(what, cf.name + ": no positive order_price_round");
    if (size_min < 1 || size_max < size_min)
      Json::malformed(what, cf.name + ": order sizes " + std::to_string(size_min) + ".." + std::to_string(size_max) +
                                " are not a range of whole contracts");
    const core::Qty max_qty = base_qty(size_max, multiplier, cf.name, what);  // min_qty is smaller: no overflow
    try {
      cf.filters = core::InstrumentFilters::in_contracts(tick, multiplier, size_min);
      cf.filters.max_qty = max_qty;
      cf.filters.validate();
    } catch (const std::invalid_argument& ex) {
      Json::malformed(what, cf.name + ": " + ex.what());
    }
    out.push_back(std::move(cf));
  }
  return out;
}

std::vector<ExchangePosition> parse_positions(std::string_view body, const FiltersLookup& filters) {
  constexpr std::string_view what = "futures positions";
  dom::parser parser;
  std::vector<ExchangePosition> out;
  for (dom::element r : Json::rows(Json::parse(parser, body, what), what)) {
    const std::string contract(Json::text(r, "contract", what));
    const std::int64_t size = Json::integer(r, "size", what);
    if (size == 0) continue;
    const std::string_view mode = Json::text(r, "mode", what);
    core::Side side;
    if (mode == "dual_long")
      side = core::Side::long_;
    else if (mode == "dual_short")
      side = core::Side::short_;
    else if (mode == "single")
      side = size < 0 ? core::Side::short_ : core::Side::long_;
    else
      Json::malformed(what, contract + ": unknown mode \"" + std::string(mode) + "\"");
    out.push_back(ExchangePosition{symbol_of(contract, what), side,
                                   decimal<core::Price>(r, "entry_price", what, Digits::average),
                                   base_qty(size, filters(contract), contract, what)});
  }
  return out;
}

core::OrderState parse_order(std::string_view body, const FiltersLookup& filters) {
  dom::parser parser;
  return order_from(Json::parse(parser, body, "futures order"), filters);
}

std::vector<core::OrderState> parse_orders(std::string_view body, const FiltersLookup& filters) {
  dom::parser parser;
  std::vector<core::OrderState> out;
  for (dom::element o : Json::rows(Json::parse(parser, body, "futures orders"), "futures orders"))
    out.push_back(order_from(o, filters));
  return out;
}

core::OrderState parse_price_order(std::string_view body, const FiltersLookup& filters) {
  dom::parser parser;
  return price_order_from(Json::parse(parser, body, "price order"), filters);
}

std::vector<core::OrderState> parse_price_orders(std::string_view body, const FiltersLookup& filters) {
  dom::parser parser;
  std::vector<core::OrderState> out;
  for (dom::element o : Json::rows(Json::parse(parser, body, "price orders"), "price orders"))
    if (closes_position(o, "price order")) out.push_back(price_order_from(o, filters));
  return out;
}

PriceOrderPage parse_price_order_page(std::string_view body, const FiltersLookup& filters) {
  dom::parser parser;
  PriceOrderPage page;
  for (dom::element o : Json::rows(Json::parse(parser, body, "price orders"), "price orders")) {
    ++page.rows;
    try {
      if (closes_position(o, "price order")) page.orders.push_back(price_order_from(o, filters));
    } catch (const MalformedAnswer& e) {  // the row's own fields, or its contract's description
      page.unreadable.push_back(unreadable_row(o, e.what()));
    } catch (const ExchangeError& e) {
      if (e.kind() != ExchangeError::Kind::rejected) throw;  // Gate unreachable: nothing about the row
      page.unreadable.push_back(unreadable_row(o, e.reason()));  // e.g. CONTRACT_NOT_FOUND
    }
  }
  return page;
}

std::string parse_created_id(std::string_view body) {
  dom::parser parser;
  return Json::whole_number_text(Json::parse(parser, body, "price order created"), "id", "price order created");
}

core::Price parse_mark_price(std::string_view body, std::string_view contract) {
  constexpr std::string_view what = "futures tickers";
  dom::parser parser;
  for (dom::element t : Json::rows(Json::parse(parser, body, what), what)) {
    if (Json::text(t, "contract", what) != contract) continue;
    const auto mark = decimal<core::Price>(t, "mark_price", what);
    if (!mark.is_positive())
      Json::malformed(what, std::string(contract) + ": mark price " + mark.str() + " is not positive");
    return mark;
  }
  Json::malformed(what, "no ticker for " + std::string(contract));
}

}  // namespace ptp::exchange::gateio
