// A stage's execution, carried out: its state machine (core/stage_run.hpp) decides, this file
// carries each command to the persistence or exchange actor, feeds the answer back, writes the
// log, and takes over what the stage left (the position record, the stage book).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/position_parts.hpp"
#include "core/tick_response.hpp"
#include "exchange/failure_log.hpp"

namespace ptp::actors::position_parts {
namespace {

using Run = core::StageRun;
using FlightPtr = std::shared_ptr<StageFlight>;

// The line a recorded stage leaves in the log: what it closed, where the stop went, the
// take-profit, what is left, and what went wrong without failing it.
void log_result(self_ptr self, const core::StageRecord& r, const Run::Done& d, core::Price old_stop,
                const core::StageAction& action) {
  const std::string caller(core::to_string(r.caller));
  if (d.outcome.kind == OutcomeKind::failed) {
    log_repeated(spdlog::level::err, "[{}] {} {} failed: {} (not executed; retryable)", caller, who(self), r.stage.str(),
                  core::reason_text(d.outcome.reason, d.outcome.venue_code, d.outcome.detail));
    return;
  }
  const core::Position& after = d.position->position;
  const std::string what = r.closed_qty.is_positive()
                               ? fmt::format("closed {} of {} @ {}", r.closed_qty.str(), after.original_size.str(),
                                             r.fill_price.str())
                           : action.skip ? fmt::format("close skipped ({})", core::to_string(*action.skip))
                                         : std::string("nothing to close");
  const std::string stop = after.current_stop != old_stop
                               ? fmt::format("stop {} -> {}", old_stop.str(), stop_label(self, after.current_stop))
                               : fmt::format("stop stays {}", old_stop.str());
  const std::string tp = r.tp_client_id.empty() || !action.take_profit_price
                             ? std::string()
                             : fmt::format(", take-profit {} x {}", action.take_profit_price->str(),
                                           after.remaining_size.str());
  spdlog::info("[{}] {} R={} {} {}: {}, {}{}, remaining {}{}", caller, who(self),
               core::r_multiple(after, r.mark).str(2), r.stage.str(), d.outcome.str(), what, stop, tp,
               after.remaining_size.str(), d.notes.empty() ? "" : " [" + fmt::format("{}", fmt::join(d.notes, "; ")) + "]");
}

// Takes over what the finished run left (core::take_over) and writes its line.
void take_over(self_ptr self, const FlightPtr& f, const Run::Done& d) {
  auto& st = self->state;
  const core::Price old_stop = st.rec.position.current_stop;
  const auto how = core::take_over(d, st.rec, st.book);
  if (how == core::StageTakeOver::went_through || how == core::StageTakeOver::failed)
    log_result(self, *d.record, d, old_stop, f->run.action());
}

void drive(self_ptr self, FlightPtr f, Run::Step step) {
  log_notes(self, step.notes);
  auto& st = self->state;
  if (auto* intent = std::get_if<Run::StoreIntent>(&step.command)) {
    self->request(st.deps.persistence, caf::infinite, begin_atom_v, intent->record)
        .then(
            [=](BeginReply b) {
              drive(self, f, b.started ? f->run.intent_stored() : f->run.intent_exists(*b.existing));
            },
            [=](caf::error& e) { drive(self, f, f->run.storage_failed(describe(e))); });
  } else if (auto* send = std::get_if<Run::Send>(&step.command)) {
    ask_exchange(self, send->order, [=](const OrderReply& rep) {
      if (rep.position_smaller) ask_reconcile(self, rep.reason());
      drive(self, f, f->run.order_answered(rep));
    });
  } else if (auto* wait = std::get_if<Run::Wait>(&step.command)) {
    st.waiting = f;
    self->delayed_send(self, wait->delay, poll_atom_v);
  } else if (auto* result = std::get_if<Run::StoreResult>(&step.command)) {
    self->request(st.deps.persistence, caf::infinite, finish_atom_v, result->record, result->position)
        .then([=](bool) { drive(self, f, f->run.result_stored()); },
              [=](caf::error& e) { drive(self, f, f->run.storage_failed(describe(e))); });
  } else {
    const auto& d = std::get<Run::Done>(step.command);
    take_over(self, f, d);
    f->done(d.outcome);
  }
}

void fly(self_ptr self, Run run, Done done) {
  auto f = std::make_shared<StageFlight>(StageFlight{std::move(run), std::move(done)});
  drive(self, f, f->run.begin());
}

}  // namespace

void stage_timer(self_ptr self) {
  if (auto f = std::exchange(self->state.waiting, nullptr)) drive(self, f, f->run.timer());
}

// Runs the due stages in order; stops at the first that does not succeed. Reports the outcome of
// the last stage run (the requested one) or of the one that stopped the run.
void run_stages(self_ptr self, std::vector<core::StageAction> actions, std::size_t i, core::Caller caller,
                core::Price mark, Done done) {
  auto& st = self->state;
  const core::StageAction& action = actions[i];
  fly(self,
      Run::start(action, st.book.next_attempt(action.stage), caller, mark, st.rec, st.filters,
                 st.deps.settings->dedupe_window),
      [=](Outcome o) {
        const bool go_on = core::stage_chain_goes_on(o);
        if (go_on && i + 1 < actions.size()) {
          run_stages(self, actions, i + 1, caller, mark, done);
          return;
        }
        done(o);
      });
}

// Resolves the oldest intent a previous run left pending (it stopped between the intent and the
// result): the exchange is asked by client id before anything is sent. While it cannot be asked,
// the stage stays pending and in flight: nothing else runs on the position.
void recover_next(self_ptr self) {
  auto& st = self->state;
  if (st.pending_intents.empty()) {
    after_flight(self);
    return;
  }
  st.in_flight = true;
  const storage::StageRecord intent = st.pending_intents.front();
  fly(self,
      Run::resume(intent, st.rec, core::extreme_take_profit(st.rec.position, st.deps.settings->plan, st.filters),
                  st.filters),
      [=](Outcome o) {
        count(self, intent.caller, o.kind);
        self->state.pending_intents.pop_front();
        recover_next(self);
      });
}

}  // namespace ptp::actors::position_parts
