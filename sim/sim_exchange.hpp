// The embedded simulated exchange: the default, so the node runs with no keys and no network.
//
// Instruments with Binance- or Gate.io-like filters, positions from the config (each with the
// user's stop order), a price path (seeded random walk with drift, or a replayed tick file),
// market orders filled at the mark (reduce-only closes, and the orders a trader sends that open,
// add to or flip a position), stops and take-profits that fire when the mark crosses them, an order
// log, and a journal of every request and state change that tests read. A client order id is
// unique among *open* orders only (Binance's documented rule): a finished order's id can be sent
// again and makes a new order, so a client that resends is seen doing it. Faults can be injected:
// rejections, timeouts before or after the exchange accepted the order, and fills delayed to the
// next price move. Thread-safe.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <vector>

#include "core/config/config.hpp"
#include "core/tick.hpp"
#include "exchange/exchange.hpp"

namespace ptp::exchange {

struct SimFault {
  // delay_fill: a market close is accepted but fills only at the next price move, or once it has
  // been queried `fill_after_queries` times (an exchange that is slow to fill).
  // partial_fill: a market close fills half its quantity (down to the step) and the rest expires,
  // as a market order does when the book runs out (status canceled, Binance's EXPIRED).
  enum class Type : unsigned char { reject, timeout_before_accept, timeout_after_accept, delay_fill, partial_fill };
  core::OrderKind kind = core::OrderKind::market_close;  // which orders it hits
  Type type = Type::reject;
  std::string code = "-2022";
  std::string message = "ReduceOnly Order is rejected.";
  int count = 1;  // how many matching orders it hits
  int fill_after_queries = 3;
};

// An order as the exchange keeps it: its state, and when it was created and last changed (wall
// clock, milliseconds since the epoch).
struct SimOrder : core::OrderState {
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  core::Notional realized;  // profit booked by its fills (quote currency)
};

// One entry of the exchange's journal, in the order things happened: a request to place or cancel
// an order as it arrived (accepted or not), or an order's change of state (a fill, a cancel, an
// expiry, a stop that fired).
struct SimEvent {
  enum class Type : unsigned char { place, cancel, update };
  Type type = Type::place;
  core::OrderKind kind = core::OrderKind::market_close;  // the order's (cancel: of the order found, if any)
  std::string client_id;  // place: as sent; cancel: the order's, or the reference sent; update: the order's
  std::string exchange_id;  // the order's, when there is one
  bool accepted = false;  // place: an order was made; cancel: an open order was cancelled; update: true
  std::string answer;     // what the requester was told: "ok", or the error (ExchangeError::reason())
  core::OrderStatus status = core::OrderStatus::open;  // the order's status afterwards
};

// A resting stop or take-profit fires when the mark reaches its trigger from above (a long's stop,
// a short's take-profit) or from below (the others).
inline bool fires_at_or_below(const core::OrderState& o) {
  return (o.kind == core::OrderKind::stop) == (o.position_side == core::Side::long_);
}

class SimExchange final : public Exchange {
 public:
  explicit SimExchange(const config::SimSettings& settings);

  // One tick: every instrument moves one step of its random walk (or the replay file supplies the
  // next tick). Stops and take-profits crossed by the new mark fill. Returns the new marks.
  std::vector<core::PriceTick> step();
  // Sets one instrument's mark exactly (tests, operator); fires crossed orders like step().
  core::PriceTick set_mark(const core::Symbol& symbol, core::Price price);

  // The outside world: a user opens a position (with an optional stop order) or closes one.
  void open_position(const core::Symbol& symbol, core::Side side, core::Price entry, core::Qty size,
                     std::optional<core::Price> stop);
  void close_position(const core::Symbol& symbol, core::Side side);
  void inject(const SimFault& fault);

  // A market order that is not reduce-only, as a trader sends one: it opens or adds to the position
  // on `side` at the mark. In one-way mode (`net`) the symbol has one position: the order first
  // reduces the opposite side and opens what is left on its own side (a flip). The node never
  // sends these; the simulator's protocol faces take them from clients.
  core::OrderState market_order(const core::Symbol& symbol, core::Side side, core::Qty qty, bool net,
                                const std::string& client_id);

  // A request a protocol face refused before it reached the engine (a bad signature, a malformed
  // parameter, an unknown order to cancel): journaled like the engine's own refusals.
  void refused(SimEvent::Type type, core::OrderKind kind, const std::string& client_id, const std::string& answer);

  // Every order the exchange accepted, in arrival order, with its latest state.
  std::vector<SimOrder> order_log() const;
  // Every request and state change, in order, from entry `from` on.
  std::vector<SimEvent> journal(std::size_t from = 0) const;
  std::size_t journal_size() const;
  std::optional<SimOrder> order(const std::string& exchange_id) const;
  // Requests that tried to place an order with this client id, accepted or not: a client that
  // sends the same order twice shows 2.
  int placements(const std::string& client_id) const;
  std::size_t rejected_count() const;
  // Realized PnL of everything closed on this symbol and side (quote currency).
  core::Notional realized_pnl(const core::Symbol& symbol, core::Side side) const;
  std::optional<ExchangePosition> position(const core::Symbol& symbol, core::Side side) const;
  // Every mark the instrument has had, oldest first (the summary replays it for comparisons).
  std::vector<core::Price> price_path(const core::Symbol& symbol) const;
  std::vector<core::Symbol> symbols() const;  // every listed instrument

  // Exchange
  std::vector<ExchangePosition> open_positions() override;
  // Binance's (the simulator is modelled on it): 300 orders per 10 s, 1 200 per minute.
  std::vector<core::RateWindow> order_limits() const override {
    using std::chrono::seconds;
    return {{300, seconds(10)}, {1200, seconds(60)}};
  }
  std::vector<core::OrderState> open_orders() override;
  core::InstrumentFilters filters(const core::Symbol& symbol) override;
  core::Price mark_price(const core::Symbol& symbol) override;
  core::OrderState close_market(const core::Symbol& symbol, core::Side position_side, core::Qty qty,
                                const std::string& client_id) override;
  core::OrderState place_conditional(core::OrderKind kind, const core::Symbol& symbol, core::Side position_side,
                                     core::Price trigger, core::Qty qty, const std::string& client_id) override;
  void cancel(const core::Symbol& symbol, const core::OrderRef& order) override;
  // The latest order with this client id (an id can name several finished orders and one open one).
  std::optional<core::OrderState> query(const core::Symbol& symbol, const std::string& client_id);
  std::optional<core::OrderState> query(const core::OrderLookup& lookup) override {
    return query(lookup.symbol, lookup.client_id);
  }

 private:
  struct Instrument {
    config::SimInstrument spec;
    core::Price mark;
    std::vector<core::Price> path;  // every mark, for the run's summary
    double drift = 0;       // fraction per tick
    double volatility = 0;  // fraction per tick
  };
  struct Book {
    core::Price entry;
    core::Qty size;
    core::Notional realized;
  };
  using Slot = std::pair<core::Symbol, core::Side>;

  Instrument& instrument(const core::Symbol& symbol);
  std::optional<SimFault> take_fault(core::OrderKind kind);
  // Journals a placement request, runs `place` and records how it ended (accepted, or the error
  // it threw) before the requester hears it.
  template <class Place>
  core::OrderState journaled_place(core::OrderKind kind, const std::string& client_id, Place place);
  [[noreturn]] void refuse(ExchangeError::Kind kind, const std::string& code, const std::string& message);
  SimOrder& accept(core::OrderState order);
  void set_status(SimOrder& o, core::OrderStatus status);
  void check_quantity(const Instrument& in, core::Qty qty);  // refuses what the lot-size filter does
  void check_new_client_id(const std::string& client_id) const;
  SimOrder* latest_with_client_id(const core::Symbol& symbol, const std::string& client_id);
  // Closes up to `qty` of the slot's position at `price`; returns what it closed and adds the profit
  // booked to `realized`.
  core::Qty reduce(const Slot& slot, core::Qty qty, core::Price price, core::Notional& realized);
  void add(const Slot& slot, core::Qty qty, core::Price price);
  void fill_now(SimOrder& o, core::Price price);
  void fire_crossed(const core::Symbol& symbol);
  core::PriceTick move_to(Instrument& in, core::Price price);

  mutable std::mutex mu_;
  std::map<core::Symbol, Instrument> instruments_;
  std::map<Slot, Book> books_;
  std::deque<SimOrder> orders_;  // the order log (a deque: references stay valid as it grows)
  std::vector<SimEvent> journal_;
  std::deque<SimFault> faults_;
  std::map<std::string, int> delayed_fills_;  // client id -> queries left before it fills
  std::size_t rejected_ = 0;
  std::uint64_t next_id_ = 1;
  std::mt19937_64 rng_;
  std::vector<std::pair<core::Symbol, core::Price>> replay_;
  std::size_t replay_pos_ = 0;
};

}  // namespace ptp::exchange
