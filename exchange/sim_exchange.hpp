// The embedded simulated exchange: the default, so the node runs with no keys and no network.
//
// Instruments with Binance- or Gate.io-like filters, positions from the config (each with the
// user's stop order), a price path (seeded random walk with drift, or a replayed tick file),
// reduce-only market orders filled at the mark, stops and take-profits that fire when the mark
// crosses them, and an order log that tests read. Faults can be injected: rejections, timeouts
// before or after the exchange accepted the order, and fills delayed to the next price move.
// Thread-safe.
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

  // Every order the exchange accepted, in arrival order, with its latest state.
  std::vector<core::OrderState> order_log() const;
  std::size_t rejected_count() const;
  // Realized PnL of everything closed on this symbol and side (quote currency).
  core::Notional realized_pnl(const core::Symbol& symbol, core::Side side) const;
  std::optional<ExchangePosition> position(const core::Symbol& symbol, core::Side side) const;
  // Every mark the instrument has had, oldest first (the summary replays it for comparisons).
  std::vector<core::Price> price_path(const core::Symbol& symbol) const;
  std::vector<core::Symbol> symbols() const;  // every listed instrument

  // Exchange
  std::vector<ExchangePosition> open_positions() override;
  std::vector<core::OrderState> open_orders() override;
  core::InstrumentFilters filters(const core::Symbol& symbol) override;
  core::Price mark_price(const core::Symbol& symbol) override;
  core::OrderState close_market(const core::Symbol& symbol, core::Side position_side, core::Qty qty,
                                const std::string& client_id) override;
  core::OrderState place_conditional(core::OrderKind kind, const core::Symbol& symbol, core::Side position_side,
                                     core::Price trigger, core::Qty qty, const std::string& client_id) override;
  void cancel(const core::Symbol& symbol, const core::OrderRef& order) override;
  std::optional<core::OrderState> query(const core::Symbol& symbol, const std::string& client_id) override;

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
  core::OrderState& accept(core::OrderState order);
  void check_new_client_id(const std::string& client_id) const;
  core::Qty reduce(const Slot& slot, core::Qty qty, core::Price price);
  void fill_now(core::OrderState& o, core::Price price);
  void fire_crossed(const core::Symbol& symbol);
  core::PriceTick move_to(Instrument& in, core::Price price);

  mutable std::mutex mu_;
  std::map<core::Symbol, Instrument> instruments_;
  std::map<Slot, Book> books_;
  std::vector<core::OrderState> orders_;  // the order log
  std::deque<SimFault> faults_;
  std::map<std::string, int> delayed_fills_;  // client id -> queries left before it fills
  std::size_t rejected_ = 0;
  std::uint64_t next_id_ = 1;
  std::mt19937_64 rng_;
  std::vector<std::pair<core::Symbol, core::Price>> replay_;
  std::size_t replay_pos_ = 0;
};

}  // namespace ptp::exchange
