#include "sim/sim_exchange.hpp"

#include <chrono>
#include <cmath>
#include <fstream>
#include <algorithm>
#include <limits>
#include <sstream>

#include "core/int128.hpp"
#include "core/position.hpp"

namespace ptp::exchange {
namespace {

using core::OrderKind;
using core::OrderState;
using core::OrderStatus;
using core::Price;
using core::Qty;

double to_fraction(core::Ratio pct) { return static_cast<double>(pct.units()) / core::kDecimalOne / 100.0; }

// Does `mark` cross the trigger of a resting order reducing a position on `side`?
bool crossed(const OrderState& o, Price mark) {
  return fires_at_or_below(o) ? mark <= o.trigger_price : mark >= o.trigger_price;
}

std::vector<std::pair<core::Symbol, Price>> read_replay(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("sim.replay_file " + path + ": cannot open");
  std::vector<std::pair<core::Symbol, Price>> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string sym, price;
    fields >> sym >> price;
    try {
      out.emplace_back(core::Symbol::parse(sym), Price::parse(price));
    } catch (const std::exception& e) {
      throw std::runtime_error("sim.replay_file " + path + ":" + std::to_string(n) + ": " + e.what() +
                               " (expected \"SYMBOL PRICE\")");
    }
  }
  return out;
}

}  // namespace

SimExchange::SimExchange(const config::SimSettings& settings) : rng_(settings.seed) {
  for (const auto& spec : settings.instruments) {
    Instrument in{spec, Price{}, {}, to_fraction(spec.drift_pct.value_or(settings.drift_pct)),
                  to_fraction(spec.volatility_pct.value_or(settings.volatility_pct))};
    in.mark = spec.start_price.value_or(Price{});
    instruments_.emplace(spec.symbol, in);
  }
  for (const auto& p : settings.positions) {
    Instrument& in = instrument(p.symbol);
    if (in.mark.is_zero()) in.mark = p.entry;
    books_[{p.symbol, p.side}] = Book{p.entry, p.size, {}};
    if (p.stop)
      accept(OrderState{{"user-stop-" + p.symbol.canonical() + "-" + std::string(core::to_string(p.side)), ""},
                        OrderKind::stop, p.symbol, p.side, p.size, {}, {}, *p.stop, OrderStatus::open});
  }
  for (auto& [sym, in] : instruments_) {
    if (in.mark.is_zero()) throw std::runtime_error("sim instrument " + sym.canonical() + " needs a start_price or a position");
    in.path.push_back(in.mark);
  }
  if (settings.replay_file) replay_ = read_replay(*settings.replay_file);
}

SimExchange::Instrument& SimExchange::instrument(const core::Symbol& symbol) {
  auto it = instruments_.find(symbol);
  if (it == instruments_.end())
    throw ExchangeError(ExchangeError::Kind::rejected, "-1121", "Invalid symbol " + symbol.canonical() + ".");
  return it->second;
}

std::vector<core::PriceTick> SimExchange::step() {
  std::lock_guard lock(mu_);
  std::vector<core::PriceTick> ticks;
  if (!replay_.empty()) {
    if (replay_pos_ < replay_.size()) {
      const auto& [sym, price] = replay_[replay_pos_++];
      ticks.push_back(move_to(instrument(sym), price));
    }
    return ticks;
  }
  std::normal_distribution<double> normal(0.0, 1.0);
  for (auto& [sym, in] : instruments_) {
    const double factor = 1.0 + in.drift + in.volatility * normal(rng_);
    // The simulated market may use floating point; what it publishes is tick-rounded exact decimals.
    const auto units = static_cast<std::int64_t>(std::llround(static_cast<double>(in.mark.units()) * factor));
    Price next = Price::from_units(units).floor_to(in.spec.filters.tick_size);
    if (!next.is_positive()) next = in.spec.filters.tick_size;
    ticks.push_back(move_to(in, next));
  }
  return ticks;
}

core::PriceTick SimExchange::set_mark(const core::Symbol& symbol, Price price) {
  std::lock_guard lock(mu_);
  return move_to(instrument(symbol), price);
}

core::PriceTick SimExchange::move_to(Instrument& in, Price price) {
  in.mark = price;
  in.path.push_back(price);
  fire_crossed(in.spec.symbol);
  return core::PriceTick{in.spec.symbol, price, core::steady_now_ns()};
}

void SimExchange::fire_crossed(const core::Symbol& symbol) {
  const Price mark = instruments_.at(symbol).mark;
  for (auto& o : orders_) {
    if (o.symbol != symbol || o.status != OrderStatus::open) continue;
    // a market close still open had its fill delayed: it fills at this move
    if (o.kind != OrderKind::market_close && !crossed(o, mark)) continue;
    fill_now(o, mark);
  }
}

void SimExchange::set_status(SimOrder& o, OrderStatus status) {
  o.status = status;
  o.updated_ms = core::wall_now_ms();
  journal_.push_back(SimEvent{SimEvent::Type::update, o.kind, o.ref.client_id, o.ref.exchange_id, true, {}, status});
}

void SimExchange::fill_now(SimOrder& o, Price price) {
  o.status = OrderStatus::triggered;  // no longer open: the orders a flat position cancels are the others
  // A stop or take-profit with quantity zero closes the whole position (closePosition).
  const Qty filled = reduce({o.symbol, o.position_side},
                            o.qty.is_zero() ? Qty::from_units(std::numeric_limits<std::int64_t>::max()) : o.qty, price,
                            o.realized);
  o.filled_qty = filled;
  o.avg_fill_price = price;
  delayed_fills_.erase(o.ref.client_id);
  set_status(o, filled.is_zero() ? OrderStatus::canceled : OrderStatus::filled);
}

Qty SimExchange::reduce(const Slot& slot, Qty qty, Price price, core::Notional& realized) {
  auto it = books_.find(slot);
  if (it == books_.end() || !it->second.size.is_positive()) return Qty{};
  Book& b = it->second;
  const Qty filled = qty < b.size ? qty : b.size;
  Price move = price - b.entry;
  if (slot.second == core::Side::short_) move = -move;
  const core::Notional booked = core::notional(move, filled);
  b.realized += booked;
  realized += booked;
  b.size -= filled;
  if (b.size.is_zero()) {
    // A flat position's reduce-only orders can never fill again: the exchange cancels them.
    for (auto& o : orders_)
      if (o.symbol == slot.first && o.position_side == slot.second && o.status == OrderStatus::open &&
          o.kind != OrderKind::market_open)
        set_status(o, OrderStatus::canceled);
  }
  return filled;
}

void SimExchange::add(const Slot& slot, Qty qty, Price price) {
  Book& b = books_[slot];
  if (!b.size.is_positive()) {
    b.entry = price;
  } else {
    // The entry of a position added to is the size-weighted average of its fills.
    const core::Int128 cost = static_cast<core::Int128>(b.entry.units()) * b.size.units() +
                              static_cast<core::Int128>(price.units()) * qty.units();
    b.entry = Price::from_units(static_cast<std::int64_t>(cost / (b.size.units() + qty.units())));
  }
  b.size += qty;
}

void SimExchange::open_position(const core::Symbol& symbol, core::Side side, Price entry, Qty size,
                                std::optional<Price> stop) {
  std::lock_guard lock(mu_);
  instrument(symbol);
  Book& b = books_[{symbol, side}];
  b.entry = entry;
  b.size = size;
  if (stop)
    accept(OrderState{{"user-stop-" + std::to_string(next_id_), ""}, OrderKind::stop, symbol, side, size, {}, {},
                      *stop, OrderStatus::open});
}

void SimExchange::close_position(const core::Symbol& symbol, core::Side side) {
  std::lock_guard lock(mu_);
  auto it = books_.find({symbol, side});
  if (it == books_.end()) return;
  core::Notional realized;
  reduce({symbol, side}, it->second.size, instrument(symbol).mark, realized);
}

void SimExchange::inject(const SimFault& fault) {
  std::lock_guard lock(mu_);
  faults_.push_back(fault);
}

std::optional<SimFault> SimExchange::take_fault(OrderKind kind) {
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->kind != kind) continue;
    SimFault f = *it;
    if (--it->count <= 0) faults_.erase(it);
    return f;
  }
  return std::nullopt;
}

void SimExchange::refuse(ExchangeError::Kind kind, const std::string& code, const std::string& message) {
  ++rejected_;
  // Binance's -2022 (the code the engine and its faults use): the position is gone or smaller.
  throw ExchangeError(kind, code, message, kind == ExchangeError::Kind::rejected && code == "-2022");
}

template <class Place>
OrderState SimExchange::journaled_place(OrderKind kind, const std::string& client_id, Place place) {
  journal_.push_back(SimEvent{SimEvent::Type::place, kind, client_id, {}, false, {}, OrderStatus::rejected});
  const std::size_t entry = journal_.size() - 1;
  const std::size_t orders_before = orders_.size();
  try {
    OrderState o = place();
    journal_[entry].exchange_id = o.ref.exchange_id;
    journal_[entry].accepted = true;
    journal_[entry].answer = "ok";
    journal_[entry].status = o.status;
    return o;
  } catch (const ExchangeError& e) {
    // A timeout after acceptance: the order exists, the requester does not know it.
    journal_[entry].accepted = orders_.size() > orders_before;
    journal_[entry].answer = e.reason();
    if (journal_[entry].accepted) journal_[entry].exchange_id = orders_.back().ref.exchange_id;
    journal_[entry].status = journal_[entry].accepted ? orders_.back().status : OrderStatus::rejected;
    throw;
  }
}

// Binance's rule: "A unique id among open orders". A filled, cancelled or expired order's id can
// be used again, and the new request makes a new order.
void SimExchange::check_new_client_id(const std::string& client_id) const {
  for (const auto& o : orders_)
    if (o.status == OrderStatus::open && o.ref.client_id == client_id)
      throw ExchangeError(ExchangeError::Kind::duplicate_client_id, "-4116", "ClientOrderId is duplicated.");
}

SimOrder* SimExchange::latest_with_client_id(const core::Symbol& symbol, const std::string& client_id) {
  for (auto it = orders_.rbegin(); it != orders_.rend(); ++it)
    if (it->symbol == symbol && it->ref.client_id == client_id) return &*it;
  return nullptr;
}

// MARKET_LOT_SIZE (Binance's codes): positive, a multiple of the step, within [min, max].
void SimExchange::check_quantity(const Instrument& in, Qty qty) {
  const auto& f = in.spec.filters;
  const auto rejected = ExchangeError::Kind::rejected;
  if (!qty.is_positive()) refuse(rejected, "-4003", "Quantity less than or equal to zero.");
  if (!qty.is_multiple_of(f.step_size)) refuse(rejected, "-1111", "Precision is over the maximum defined for this asset.");
  if (qty < f.min_qty) refuse(rejected, "-4004", "Quantity less than min quantity.");
  if (f.max_qty.is_positive() && qty > f.max_qty) refuse(rejected, "-4005", "Quantity greater than max quantity.");
}

SimOrder& SimExchange::accept(OrderState order) {
  order.ref.exchange_id = std::to_string(next_id_++);
  const std::int64_t now = core::wall_now_ms();
  orders_.push_back(SimOrder{std::move(order), now, now, {}});
  return orders_.back();
}

OrderState SimExchange::close_market(const core::Symbol& symbol, core::Side position_side, Qty qty,
                                     const std::string& client_id) {
  std::lock_guard lock(mu_);
  return journaled_place(OrderKind::market_close, client_id, [&]() -> OrderState {
    Instrument& in = instrument(symbol);
    check_new_client_id(client_id);
    const auto fault = take_fault(OrderKind::market_close);
    if (fault && fault->type == SimFault::Type::reject) refuse(ExchangeError::Kind::rejected, fault->code, fault->message);
    if (fault && fault->type == SimFault::Type::timeout_before_accept)
      refuse(ExchangeError::Kind::timeout, fault->code, fault->message);
    check_quantity(in, qty);
    auto pos = books_.find({symbol, position_side});
    if (pos == books_.end() || !pos->second.size.is_positive())
      refuse(ExchangeError::Kind::rejected, "-2022", "ReduceOnly Order is rejected.");
    if (fault && fault->type == SimFault::Type::delay_fill) {
      delayed_fills_[client_id] = fault->fill_after_queries;
      return accept(OrderState{{client_id, ""}, OrderKind::market_close, symbol, position_side, qty, {}, {}, {},
                               OrderStatus::open});
    }
    // A reduce-only order is cut to the position it reduces (reported of Binance, nautilus_trader
    // #3983; undocumented): the order is for what is open, and it fills.
    const Qty order_qty = std::min(qty, pos->second.size);
    const bool partial = fault && fault->type == SimFault::Type::partial_fill;
    const Qty half = Qty::from_units(order_qty.units() / 2).floor_to(in.spec.filters.step_size);
    core::Notional realized;
    const Qty filled = reduce({symbol, position_side}, partial ? half : order_qty, in.mark, realized);
    // What did not fill expires (the book ran out: the partial_fill fault).
    SimOrder& o = accept(OrderState{{client_id, ""}, OrderKind::market_close, symbol, position_side, order_qty, filled,
                                    in.mark, {}, filled == order_qty ? OrderStatus::filled : OrderStatus::canceled});
    o.realized = realized;
    if (fault && fault->type == SimFault::Type::timeout_after_accept)
      throw ExchangeError(ExchangeError::Kind::timeout, "", "timed out waiting for the exchange (the order was placed)");
    return o;
  });
}

OrderState SimExchange::market_order(const core::Symbol& symbol, core::Side side, Qty qty, bool net,
                                     const std::string& client_id) {
  std::lock_guard lock(mu_);
  return journaled_place(OrderKind::market_open, client_id, [&]() -> OrderState {
    Instrument& in = instrument(symbol);
    check_new_client_id(client_id);
    check_quantity(in, qty);
    // MIN_NOTIONAL: "Order's notional must be no smaller than 5 (unless you choose reduce only)".
    if (core::notional(in.mark, qty) < in.spec.filters.min_notional)
      refuse(ExchangeError::Kind::rejected, "-4164",
             "Order's notional must be no smaller than " + in.spec.filters.min_notional.str() +
                 " (unless you choose reduce only).");
    Qty left = qty;
    core::Notional realized;
    if (net) left -= reduce({symbol, core::opposite(side)}, qty, in.mark, realized);
    if (left.is_positive()) add({symbol, side}, left, in.mark);
    SimOrder& o = accept(OrderState{{client_id, ""}, OrderKind::market_open, symbol, side, qty, qty, in.mark, {},
                                    OrderStatus::filled});
    o.realized = realized;
    return o;
  });
}

OrderState SimExchange::place_conditional(OrderKind kind, const core::Symbol& symbol, core::Side position_side,
                                          Price trigger, Qty qty, const std::string& client_id) {
  std::lock_guard lock(mu_);
  return journaled_place(kind, client_id, [&]() -> OrderState {
    Instrument& in = instrument(symbol);
    check_new_client_id(client_id);
    const auto fault = take_fault(kind);
    if (fault && fault->type != SimFault::Type::timeout_after_accept)
      refuse(fault->type == SimFault::Type::reject ? ExchangeError::Kind::rejected : ExchangeError::Kind::timeout,
             fault->code, fault->message);
    if (!qty.is_zero()) check_quantity(in, qty);  // zero: closes the whole position when it fires
    if (auto pos = books_.find({symbol, position_side}); pos == books_.end() || !pos->second.size.is_positive())
      refuse(ExchangeError::Kind::rejected, "-2022", "ReduceOnly Order is rejected.");
    if (!trigger.is_positive() || !trigger.is_multiple_of(in.spec.filters.tick_size))
      refuse(ExchangeError::Kind::rejected, "-4014", "Price not increased by tick size.");
    OrderState probe{{client_id, ""}, kind, symbol, position_side, qty, {}, {}, trigger, OrderStatus::open};
    if (crossed(probe, in.mark)) refuse(ExchangeError::Kind::rejected, "-2021", "Order would immediately trigger.");
    OrderState& o = accept(probe);
    if (fault) throw ExchangeError(ExchangeError::Kind::timeout, "", "timed out waiting for the exchange (the order was placed)");
    return o;
  });
}

void SimExchange::cancel(const core::Symbol& symbol, const core::OrderRef& ref) {
  std::lock_guard lock(mu_);
  journal_.push_back(
      SimEvent{SimEvent::Type::cancel, OrderKind::market_close, ref.str(), ref.exchange_id, false, {}, OrderStatus::open});
  const std::size_t entry = journal_.size() - 1;
  // By exchange id: that order. By client id: the open one, if any (ids repeat only across
  // finished orders), else the latest.
  SimOrder* found = nullptr;
  if (!ref.exchange_id.empty()) {
    for (auto& o : orders_)
      if (o.symbol == symbol && o.ref.exchange_id == ref.exchange_id) found = &o;
  } else if (!ref.client_id.empty()) {
    for (auto& o : orders_)
      if (o.symbol == symbol && o.ref.client_id == ref.client_id && (!found || found->status != OrderStatus::open))
        found = &o;
  }
  if (found) {
    journal_[entry].kind = found->kind;
    journal_[entry].client_id = found->ref.client_id;
    journal_[entry].exchange_id = found->ref.exchange_id;
    journal_[entry].status = found->status;
  }
  if (!found || found->status != OrderStatus::open) {
    const ExchangeError e(ExchangeError::Kind::not_found, "-2011", "Unknown order sent.");
    journal_[entry].answer = e.reason();
    throw e;
  }
  journal_[entry].accepted = true;
  journal_[entry].answer = "ok";
  journal_[entry].status = OrderStatus::canceled;
  set_status(*found, OrderStatus::canceled);
}

std::optional<OrderState> SimExchange::query(const core::Symbol& symbol, const std::string& client_id) {
  std::lock_guard lock(mu_);
  SimOrder* o = latest_with_client_id(symbol, client_id);
  if (!o) return std::nullopt;
  if (auto d = delayed_fills_.find(client_id); d != delayed_fills_.end() && o->status == OrderStatus::open &&
                                               --d->second <= 0)
    fill_now(*o, instrument(symbol).mark);
  return *o;
}

void SimExchange::refused(SimEvent::Type type, OrderKind kind, const std::string& client_id, const std::string& answer) {
  std::lock_guard lock(mu_);
  ++rejected_;
  journal_.push_back(SimEvent{type, kind, client_id, {}, false, answer, OrderStatus::rejected});
}

std::vector<ExchangePosition> SimExchange::open_positions() {
  std::lock_guard lock(mu_);
  std::vector<ExchangePosition> out;
  for (const auto& [slot, b] : books_)
    if (b.size.is_positive()) out.push_back({slot.first, slot.second, b.entry, b.size});
  return out;
}

std::vector<OrderState> SimExchange::open_orders() {
  std::lock_guard lock(mu_);
  std::vector<OrderState> out;
  for (const auto& o : orders_)
    if (o.status == OrderStatus::open) out.push_back(o);
  return out;
}

core::InstrumentFilters SimExchange::filters(const core::Symbol& symbol) {
  std::lock_guard lock(mu_);
  return instrument(symbol).spec.filters;
}

Price SimExchange::mark_price(const core::Symbol& symbol) {
  std::lock_guard lock(mu_);
  return instrument(symbol).mark;
}

std::vector<SimOrder> SimExchange::order_log() const {
  std::lock_guard lock(mu_);
  return {orders_.begin(), orders_.end()};
}

std::vector<SimEvent> SimExchange::journal(std::size_t from) const {
  std::lock_guard lock(mu_);
  if (from >= journal_.size()) return {};
  return {journal_.begin() + static_cast<std::ptrdiff_t>(from), journal_.end()};
}

std::size_t SimExchange::journal_size() const {
  std::lock_guard lock(mu_);
  return journal_.size();
}

std::optional<SimOrder> SimExchange::order(const std::string& exchange_id) const {
  std::lock_guard lock(mu_);
  for (const auto& o : orders_)
    if (o.ref.exchange_id == exchange_id) return o;
  return std::nullopt;
}

int SimExchange::placements(const std::string& client_id) const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto& e : journal_) n += e.type == SimEvent::Type::place && e.client_id == client_id ? 1 : 0;
  return n;
}

std::size_t SimExchange::rejected_count() const {
  std::lock_guard lock(mu_);
  return rejected_;
}

core::Notional SimExchange::realized_pnl(const core::Symbol& symbol, core::Side side) const {
  std::lock_guard lock(mu_);
  auto it = books_.find({symbol, side});
  return it == books_.end() ? core::Notional{} : it->second.realized;
}

std::optional<ExchangePosition> SimExchange::position(const core::Symbol& symbol, core::Side side) const {
  std::lock_guard lock(mu_);
  auto it = books_.find({symbol, side});
  if (it == books_.end() || !it->second.size.is_positive()) return std::nullopt;
  return ExchangePosition{symbol, side, it->second.entry, it->second.size};
}

std::vector<core::Price> SimExchange::price_path(const core::Symbol& symbol) const {
  std::lock_guard lock(mu_);
  auto it = instruments_.find(symbol);
  return it == instruments_.end() ? std::vector<core::Price>{} : it->second.path;
}

std::vector<core::Symbol> SimExchange::symbols() const {
  std::lock_guard lock(mu_);
  std::vector<core::Symbol> out;
  for (const auto& [symbol, in] : instruments_) out.push_back(symbol);
  return out;
}

}  // namespace ptp::exchange
