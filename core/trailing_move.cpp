#include "core/trailing_move.hpp"

#include "core/client_order_id.hpp"

namespace ptp::core {
namespace {

Note note(Note::Level level, std::string text) { return Note{level, "market", std::move(text)}; }

}  // namespace

TrailingMove::TrailingMove(const PositionRecord& record, StopPrice stop, Price best, StageId stage)
    : after_(record), stop_(stop), best_(best), stage_(stage) {
  after_.position.trail_best = best;
}

TrailingMove::Step TrailingMove::begin() {
  PositionRecord numbered = after_;
  numbered.order_seq += 1;
  return Step{Reserve{numbered}, {}};
}

TrailingMove::Step TrailingMove::reserved() {
  after_.order_seq += 1;
  const Position& p = after_.position;
  replace_.emplace(OrderCommand{OrderCommand::Op::stop, p.key.symbol, p.side(), p.remaining_size, stop_.price,
                                client_order_id(p.key, stage_, OrderStep::stop, after_.order_seq), {}},
                   after_.stop_order, /*resumed=*/false);
  return Step{Send{replace_->next()}, {}};
}

TrailingMove::Step TrailingMove::reserve_failed(const std::string& why) {
  return Step{Done{after_}, {Note{Note::Level::error, "exchange",
                                  "the next order number could not be saved (" + why + "); nothing sent"}}};
}

TrailingMove::Step TrailingMove::order_answered(const OrderAnswer& answer) {
  std::vector<Note> notes;
  if (!replace_->answer(answer, notes)) return Step{Send{replace_->next()}, std::move(notes)};
  const OrderAnswer& placed = replace_->placed();
  Position& p = after_.position;
  if (!placed.ok) {
    notes.push_back(note(Note::Level::warn, "trailing stop " + stop_.price.str() + " failed: " + placed.reason() +
                                                "; the stop stays " + p.current_stop.str()));
    return Step{Done{after_, placed}, std::move(notes)};
  }
  if (!replace_->cancel_error().empty())
    notes.push_back(note(Note::Level::warn, "old stop cancel: " + replace_->cancel_error()));
  const Price old_price = p.current_stop;
  after_.stop_placed(stop_.price, placed.state.ref);
  notes.push_back(note(Note::Level::info, "trailing stop " + old_price.str() + " -> " + stop_label(p, stop_.price) +
                                              " (best " + best_.str() + ")"));
  return Step{Save{after_}, std::move(notes)};
}

TrailingMove::Step TrailingMove::saved() { return Step{Done{after_}, {}}; }

TrailingMove::Step TrailingMove::save_failed(const std::string& why) {
  return Step{Done{after_}, {note(Note::Level::error, "trailing stop placed on the exchange but not saved: " + why)}};
}

}  // namespace ptp::core
