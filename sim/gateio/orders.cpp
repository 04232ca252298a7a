// The Gate.io face's order routes: market orders (POST/GET/DELETE /futures/usdt/orders[/{id}], by
// Gate's id or the client's `text`) and price-triggered orders (/futures/usdt/price_orders), each
// through the engine, with the engine's refusals in Gate's labels and the orders in Gate's shapes.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>

#include "exchange/gateio/symbols.hpp"
#include "sim/gateio/face.hpp"
#include "sim/gateio/request.hpp"
#include "sim/json_array.hpp"

namespace ptp::exchange::loopback {
using namespace gateio_request;
namespace {

using core::OrderKind;
using core::OrderStatus;
using core::Qty;
using core::Side;
namespace shapes = gateio_shapes;

// "finished, it can be checked within 60 seconds after the end of the order. After that, only
// order ID is accepted."
constexpr std::int64_t kTextLookupMs = 60'000;

// An engine code that is already a Gate label ("POSITION_EMPTY"), not one of its Binance-style
// numbers ("-2022").
bool is_label(std::string_view code) {
  if (code.empty() || !std::isupper(static_cast<unsigned char>(code[0]))) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

// The engine's refusal in Gate's words. A code that is already a label (an injected fault's) is
// kept; the engine's Binance-style codes are translated.
ApiError engine_error(const ExchangeError& e, const SimExchange& sim, const core::Symbol& symbol, Side side) {
  using K = ExchangeError::Kind;
  switch (e.kind()) {
    case K::timeout:
      return {500, "SERVER_ERROR", fmt::format("Internal server error (the order may exist): {}", e.what())};
    case K::not_found: return {404, "ORDER_NOT_FOUND", "Order not found"};
    case K::unavailable: return {503, "TOO_BUSY", fmt::format("Server is too busy: {}", e.what())};
    case K::duplicate_client_id:
      return invalid(fmt::format("Invalid parameter `text`: an open order has it ({})", e.what()));
    case K::rejected: break;
  }
  if (is_label(e.code())) return {status_of(e.code()), e.code(), e.what()};
  const std::string contract = gateio::contract_name(symbol);
  const std::string& code = e.code();
  if (code == "-2022")
    return sim.position(symbol, side)
               ? ApiError{400, "REDUCE_EXCEEDED", "Reduce order would exceed position: " + contract}
               : ApiError{400, "POSITION_EMPTY", "Position is empty: " + contract};
  if (code == "-4003" || code == "-4004")
    return {400, "SIZE_TOO_SMALL", fmt::format("Order size does not reach minimum: {} ({})", contract, e.what())};
  if (code == "-4005")
    return {400, "SIZE_TOO_LARGE", fmt::format("Order size exceeds maximum: {} ({})", contract, e.what())};
  if (code == "-1121") return {400, "CONTRACT_NOT_FOUND", "Contract not found: " + contract};
  return invalid(fmt::format("{}: {}", contract, e.what()));  // -2021, -4014, -1111, -4164 and the rest
}

}  // namespace

bool GateioFace::is_plain(const core::OrderState& o) {
  return o.kind == OrderKind::market_close || o.kind == OrderKind::market_open;
}

// The position a price order closes: the one its order_type names or, without an order_type (a
// general price-triggered order), the one its reduce-only initial order reduces (a sell, size < 0,
// reduces the long). A long's stop fires on the way down (rule 2: mark <= trigger), its
// take-profit on the way up (rule 1); a short's the other way round.
std::optional<std::pair<Side, OrderKind>> GateioFace::price_order_kind(std::string_view order_type,
                                                                       std::int64_t initial_size, std::int64_t rule) {
  if (rule != 1 && rule != 2) return std::nullopt;
  std::optional<Side> closes;
  if (order_type == "plan-close-long-position" || (order_type.empty() && initial_size < 0)) closes = Side::long_;
  if (order_type == "plan-close-short-position" || (order_type.empty() && initial_size > 0)) closes = Side::short_;
  if (!closes) return std::nullopt;
  const bool stop = *closes == Side::long_ ? rule == 2 : rule == 1;
  return std::pair{*closes, stop ? OrderKind::stop : OrderKind::take_profit};
}

// ---- orders ----

// Market orders only (price 0, tif ioc). reduce_only: a sell (size < 0) reduces the long, a buy
// the short, through the engine's close_market; in dual mode larger than the position is
// REDUCE_EXCEEDED (Gate refuses it where the engine would cut it). Size 0 with close (single mode)
// or auto_size close_long/close_short (dual mode) closes the whole position. Any other order is a
// trader's: it opens or adds through the engine's market_order (netting in single mode).
HttpAnswer GateioFace::new_order(const Call& c) {
  const auto body = body_object(json_, c.request.body);
  const core::Symbol s = contract_named(need_string(body, "contract"), 400);
  const std::int64_t size = need_int(body, "size");
  check_market(body, true);
  const bool reduce_only = opt_bool(body, "reduce_only"), close = opt_bool(body, "close");
  const std::string auto_size = opt_string(body, "auto_size").value_or("");
  const auto text = opt_string(body, "text");
  if (text && !is_text(*text)) throw invalid("Invalid parameter `text` with value: " + *text);
  if (opt_int(body, "iceberg").value_or(0) != 0) throw invalid("Invalid parameter `iceberg`: not simulated");
  const Qty one = multiplier(s);
  const bool has_max = sim_->filters(s).max_qty.is_positive();

  Side side = Side::long_;
  Qty qty;
  OrderWire wire{size, text.value_or("api"), reduce_only, close};
  if (size == 0) {
    if (!close && auto_size.empty())
      throw invalid("Invalid parameter `size` with value: 0 (only a close order has size 0)");
    if (options_.dual_mode) {
      if (auto_size != "close_long" && auto_size != "close_short")
        throw invalid("Invalid parameter `auto_size` with value: " + auto_size +
                      " (dual mode closes close_long or close_short)");
      side = auto_size == "close_long" ? Side::long_ : Side::short_;
    } else {
      if (!auto_size.empty()) throw invalid("Invalid parameter `auto_size`: only in dual mode");
      side = sim_->position(s, Side::long_) ? Side::long_ : Side::short_;
    }
    const auto pos = sim_->position(s, side);
    if (!pos) throw ApiError{400, "POSITION_EMPTY", fmt::format("Position is empty: {}", gateio::contract_name(s))};
    qty = pos->size;
    const std::int64_t n = contracts_of(qty, one, s);
    wire.size = side == Side::long_ ? -n : n;
    wire.reduce_only = true;
  } else {
    if (close) throw invalid(fmt::format("Invalid parameter `size` with value: {} (close needs size 0)", size));
    const std::int64_t n = size < 0 ? -size : size;
    // The engine refuses above max_qty; without one, the face's published order_size_max is the limit.
    if ((!has_max && n > kDefaultSizeMax) || n > std::numeric_limits<std::int64_t>::max() / one.units())
      throw ApiError{400, "SIZE_TOO_LARGE", fmt::format("Order size {} exceeds the maximum {}", n, kDefaultSizeMax)};
    qty = Qty::from_units(n * one.units());
    // A sell reduces a long (reduce-only) or opens a short; a buy the other way round.
    side = reduce_only == (size < 0) ? Side::long_ : Side::short_;
    if (reduce_only && options_.dual_mode)
      if (auto pos = sim_->position(s, side); pos && qty > pos->size)
        throw ApiError{400, "REDUCE_EXCEEDED",
                       fmt::format("Reduce order would exceed position in dual-mode: {} {} of {}",
                                   gateio::contract_name(s), n, contracts_of(pos->size, one, s))};
  }
  const std::string client = text ? *text : fmt::format("gate-o-{}", next_order_id_++);
  ++order_posts_;
  const std::size_t mark = sim_->journal_size();
  try {
    const auto placed = wire.reduce_only ? sim_->close_market(s, side, qty, client)
                                         : sim_->market_order(s, side, qty, !options_.dual_mode, client);
    order_wires_[placed.ref.exchange_id] = wire;
    return HttpAnswer{201, order_json(*sim_->order(placed.ref.exchange_id), shapes::PriceStyle::string)};
  } catch (const ExchangeError& e) {
    remember_if_made(mark, order_wires_, wire);
    throw engine_error(e, *sim_, s, side);
  }
}

template <class Wire>
void GateioFace::remember_if_made(std::size_t journal_mark, std::map<std::string, Wire>& wires, const Wire& wire) {
  for (const auto& e : sim_->journal(journal_mark))
    if (e.type == SimEvent::Type::place && e.accepted && !e.exchange_id.empty()) wires[e.exchange_id] = wire;
}

std::optional<SimOrder> GateioFace::find_order(const std::string& ref) {
  std::optional<SimOrder> o;
  if (is_text(ref)) {
    for (const auto& order : sim_->order_log())
      if (is_plain(order) && order.ref.client_id == ref) o = order;
    if (!o) return std::nullopt;
    if (auto q = sim_->query(o->symbol, ref)) o = sim_->order(q->ref.exchange_id);  // advances a delayed fill
    if (!o || !is_plain(*o)) return std::nullopt;
    if (o->status != OrderStatus::open && now_ms() - o->updated_ms > kTextLookupMs) return std::nullopt;
    return o;
  }
  if (!is_number(ref)) return std::nullopt;
  o = sim_->order(ref);
  if (!o || !is_plain(*o)) return std::nullopt;
  if (o->status == OrderStatus::open && !o->ref.client_id.empty()) {
    sim_->query(o->symbol, o->ref.client_id);  // an open one is the latest with its id
    o = sim_->order(ref);
  }
  return o;
}

std::string GateioFace::order_json(const SimOrder& o, shapes::PriceStyle style) const {
  const Qty one = multiplier(o.symbol);
  OrderWire w;
  if (auto it = order_wires_.find(o.ref.exchange_id); it != order_wires_.end()) {
    w = it->second;
  } else {  // made outside the face (a test, the engine's own): as Gate would report it
    const std::int64_t n = contracts_of(o.qty, one, o.symbol);
    const bool sells = (o.kind == OrderKind::market_close) == (o.position_side == Side::long_);
    w = OrderWire{sells ? -n : n, is_text(o.ref.client_id) ? o.ref.client_id : "api", o.kind == OrderKind::market_close,
                  false};
  }
  const std::int64_t filled = contracts_of(o.filled_qty, one, o.symbol);
  const std::int64_t sent = w.size < 0 ? -w.size : w.size;
  const bool open = o.status == OrderStatus::open;
  shapes::OrderView v;
  v.id = o.ref.exchange_id;
  v.symbol = o.symbol;
  v.create_ms = o.created_ms;
  v.finish_ms = open ? 0 : o.updated_ms;
  v.status = open ? "open" : "finished";
  v.size = w.size;
  v.left = open ? w.size : (w.size < 0 ? -(sent - filled) : sent - filled);
  v.fill_price = filled > 0 ? o.avg_fill_price : core::Price{};
  v.reduce_only = w.reduce_only;
  v.close = w.close;
  v.text = w.text;
  if (!open) {
    if (filled == sent)
      v.finish_as = "filled";
    else if (filled > 0 && o.status == OrderStatus::filled)
      v.finish_as = "reduce_only";  // cut to the position
    else if (filled > 0)
      v.finish_as = "ioc";  // the book ran out: the rest expired
    else
      v.finish_as = "cancelled";
  }
  return shapes::order(v, options_.user_id, style);
}

HttpAnswer GateioFace::list_orders(const Call& c) {
  const std::string name = param(c.params, "contract");
  if (name.empty()) throw invalid("Missing required parameter `contract`");
  const core::Symbol s = contract_named(name, 404);
  const bool open = wants_open(c.params);
  const auto limit_offset = page_of(c.params);
  std::vector<SimOrder> found;
  const auto log = sim_->order_log();
  for (auto it = log.rbegin(); it != log.rend(); ++it)
    if (is_plain(*it) && it->symbol == s && (it->status == OrderStatus::open) == open) found.push_back(*it);
  return HttpAnswer{200, json_array(page(found, limit_offset), [&](const SimOrder& o) {
                      return order_json(o, shapes::PriceStyle::string);
                    })};
}

HttpAnswer GateioFace::get_order(const Call& c) {
  if (auto o = find_order(c.tail)) return HttpAnswer{200, order_json(*o, shapes::PriceStyle::string)};
  throw ApiError{404, "ORDER_NOT_FOUND", "Order not found: " + c.tail};
}

HttpAnswer GateioFace::cancel_order(const Call& c) {
  const auto o = find_order(c.tail);
  if (!o) throw ApiError{404, "ORDER_NOT_FOUND", "Order not found: " + c.tail};
  if (o->status != OrderStatus::open) throw ApiError{400, "ORDER_FINISHED", "Order already finished: " + c.tail};
  try {
    sim_->cancel(o->symbol, core::OrderRef{{}, o->ref.exchange_id});
  } catch (const ExchangeError& e) {
    throw engine_error(e, *sim_, o->symbol, o->position_side);
  }
  return HttpAnswer{200, order_json(*sim_->order(o->ref.exchange_id), shapes::PriceStyle::string)};
}

// ---- price-triggered orders ----

// A stop or take-profit closing a position at market when the mark crosses the trigger: its
// order_type names the position, its rule the direction (which makes it the stop or the
// take-profit), initial.size the contracts (0: the whole position, as Binance's closePosition).
// order_type is optional on Gate: without one the order is a general price-triggered order whose
// initial order is sent when it fires (what ccxt sends for stopLossPrice / takeProfitPrice /
// triggerPrice); it is simulated when that order is a reduce-only market order of some contracts,
// the position it reduces named by its sign. Every price_type (0 last, 1 mark, 2 index) is served
// by the simulator's one price.
HttpAnswer GateioFace::new_price_order(const Call& c) {
  const auto body = body_object(json_, c.request.body);
  const std::string order_type = opt_string(body, "order_type").value_or("");
  if (!order_type.empty() && order_type != "plan-close-long-position" && order_type != "plan-close-short-position")
    throw invalid("Invalid parameter `order_type` with value: " + order_type);
  const auto initial = need_object(body, "initial");
  const auto trigger = need_object(body, "trigger");
  const core::Symbol s = contract_named(need_string(initial, "contract"), 400);
  const std::int64_t size = need_int(initial, "size");
  if (order_type.empty()) {
    if (!opt_bool(initial, "reduce_only"))
      throw invalid("Invalid parameter `initial.reduce_only`: a price-triggered order without order_type is simulated "
                    "only reduce-only (a stop or take-profit)");
    if (size == 0)
      throw invalid("Invalid parameter `initial.size` with value: 0 (closing the whole position is simulated with "
                    "order_type plan-close-long-position or plan-close-short-position)");
  } else if (const bool closes_long = order_type == "plan-close-long-position"; closes_long ? size > 0 : size < 0) {
    throw invalid(fmt::format("Invalid parameter `initial.size` with value: {} ({} takes {} sizes or 0)", size,
                              order_type, closes_long ? "negative" : "positive"));
  }
  check_market(initial, false);
  PriceOrderWire wire;
  wire.order_type = order_type;
  wire.size = size;
  wire.strategy_type = static_cast<int>(opt_int(trigger, "strategy_type").value_or(0));
  if (wire.strategy_type != 0) throw invalid("Invalid parameter `trigger.strategy_type`: only 0 (price) is simulated");
  const std::int64_t price_type = opt_int(trigger, "price_type").value_or(0);
  if (price_type < 0 || price_type > 2)
    throw invalid(fmt::format("Invalid parameter `trigger.price_type` with value: {}", price_type));
  wire.price_type = static_cast<int>(price_type);
  const std::int64_t rule = need_int(trigger, "rule");
  const auto kind = price_order_kind(order_type, size, rule);
  if (!kind) throw invalid(fmt::format("Invalid parameter `trigger.rule` with value: {}", rule));
  wire.rule = static_cast<int>(rule);
  wire.expiration = opt_int(trigger, "expiration").value_or(0);
  if (wire.expiration < 0)
    throw invalid(fmt::format("Invalid parameter `trigger.expiration` with value: {}", wire.expiration));
  const std::string price_text = need_string(trigger, "price");
  const auto price = core::Price::try_parse(price_text);
  if (!price || !price->is_positive()) throw invalid("Invalid parameter `trigger.price` with value: " + price_text);
  const core::Price mark = sim_->mark_price(s);
  if (rule == 1 ? *price <= mark : *price >= mark)
    throw invalid(fmt::format("trigger price {} must be {} the current price {} for rule {}", price->str(),
                              rule == 1 ? "above" : "below", mark.str(), rule));
  const Qty one = multiplier(s);
  const std::int64_t n = size < 0 ? -size : size;
  if (n > std::numeric_limits<std::int64_t>::max() / one.units())
    throw ApiError{400, "SIZE_TOO_LARGE", fmt::format("Order size {} exceeds the maximum", n)};
  const std::string client = fmt::format("gate-po-{}", next_price_order_id_++);
  const std::size_t journal_mark = sim_->journal_size();
  try {
    const auto placed =
        sim_->place_conditional(kind->second, s, kind->first, *price, Qty::from_units(n * one.units()), client);
    price_order_wires_[placed.ref.exchange_id] = wire;
    return HttpAnswer{201, fmt::format(R"({{"id":{}}})", placed.ref.exchange_id)};
  } catch (const ExchangeError& e) {
    remember_if_made(journal_mark, price_order_wires_, wire);
    throw engine_error(e, *sim_, s, kind->first);
  }
}

std::optional<SimOrder> GateioFace::find_price_order(const std::string& id) const {
  if (!is_number(id)) return std::nullopt;
  auto o = sim_->order(id);
  if (!o || is_plain(*o)) return std::nullopt;
  return o;
}

std::string GateioFace::price_order_json(const SimOrder& o) const {
  const bool long_pos = o.position_side == Side::long_;
  shapes::PriceOrderView v;
  v.id = o.ref.exchange_id;
  v.symbol = o.symbol;
  v.create_ms = o.created_ms;
  v.trigger = o.trigger_price;
  if (auto it = price_order_wires_.find(o.ref.exchange_id); it != price_order_wires_.end()) {
    const auto& w = it->second;
    v.order_type = w.order_type;
    v.size = w.size;
    v.text = "api";
    v.strategy_type = w.strategy_type;
    v.price_type = w.price_type;
    v.rule = w.rule;
    v.expiration = w.expiration;
  } else {  // the user's own (the stop a position came with): made on Gate's website
    const std::int64_t n = contracts_of(o.qty, multiplier(o.symbol), o.symbol);
    v.order_type = long_pos ? "plan-close-long-position" : "plan-close-short-position";
    v.size = long_pos ? -n : n;
    v.text = "web";
    v.rule = (o.kind == OrderKind::stop) == long_pos ? 2 : 1;
  }
  switch (o.status) {
    case OrderStatus::open: v.status = "open"; break;
    case OrderStatus::filled:
    case OrderStatus::partially_filled:
    case OrderStatus::triggered: v.finish_as = "succeeded"; break;
    // Fired with nothing left to close (the engine records the price it fired at), or cancelled.
    case OrderStatus::canceled: v.finish_as = o.avg_fill_price.is_positive() ? "failed" : "cancelled"; break;
    case OrderStatus::rejected: v.finish_as = "failed"; break;
  }
  if (o.status != OrderStatus::open) {
    v.status = "finished";
    v.finish_ms = o.updated_ms;
  }
  return shapes::price_order(v, options_.user_id);
}

HttpAnswer GateioFace::list_price_orders(const Call& c) {
  const bool open = wants_open(c.params);
  std::optional<core::Symbol> symbol;
  if (const std::string name = param(c.params, "contract"); !name.empty()) symbol = contract_named(name, 404);
  const auto limit_offset = page_of(c.params);
  std::vector<SimOrder> found;
  const auto log = sim_->order_log();
  for (auto it = log.rbegin(); it != log.rend(); ++it)
    if (!is_plain(*it) && (!symbol || it->symbol == *symbol) && (it->status == OrderStatus::open) == open)
      found.push_back(*it);
  return HttpAnswer{
      200, json_array(page(found, limit_offset), [&](const SimOrder& o) { return price_order_json(o); })};
}

HttpAnswer GateioFace::get_price_order(const Call& c) {
  if (auto o = find_price_order(c.tail)) return HttpAnswer{200, price_order_json(*o)};
  throw ApiError{404, "ORDER_NOT_FOUND", "Order not found: " + c.tail};
}

// A finished price order is gone from the ones that can be cancelled: ORDER_NOT_FOUND, as an unknown one.
HttpAnswer GateioFace::cancel_price_order(const Call& c) {
  const auto o = find_price_order(c.tail);
  if (!o || o->status != OrderStatus::open) throw ApiError{404, "ORDER_NOT_FOUND", "Order not found: " + c.tail};
  try {
    sim_->cancel(o->symbol, core::OrderRef{{}, o->ref.exchange_id});
  } catch (const ExchangeError& e) {
    throw engine_error(e, *sim_, o->symbol, o->position_side);
  }
  return HttpAnswer{200, price_order_json(*sim_->order(o->ref.exchange_id))};
}

}  // namespace ptp::exchange::loopback
