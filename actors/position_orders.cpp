// Carries orders to the exchange actor and the core's notes to the log, for a stage run
// (position_stage.cpp) and the workflows outside a stage (core/record_work.hpp: trailing moves,
// reconcile repairs).
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/position_parts.hpp"
#include "exchange/failure_log.hpp"

namespace ptp::actors::position_parts {

namespace {

// The exchange actor itself did not answer: nothing is known to have been sent.
OrderReply unavailable(const caf::error& e) {
  OrderReply rep;
  rep.error = core::Reason::unavailable;
  rep.message = describe(e);
  return rep;
}

}  // namespace

void log_notes(self_ptr self, const std::vector<core::Note>& notes) {
  for (const auto& n : notes) {
    const auto level = n.level == core::Note::Level::info    ? spdlog::level::info
                       : n.level == core::Note::Level::warn  ? spdlog::level::warn
                       : n.level == core::Note::Level::error ? spdlog::level::err
                                                             : spdlog::level::critical;
    if (level >= spdlog::level::warn) log_repeated(level, "[{}] {} {}", n.tag, who(self), n.text);
    else spdlog::log(level, "[{}] {} {}", n.tag, who(self), n.text);
  }
}

void ask_reconcile(self_ptr self, const std::string& why) {
  auto& st = self->state;
  st.reconcile_due = true;  // asked as the flight ends (after_flight): a slot compared mid-flight is ignored
  if (st.awaiting_reconcile) return;
  st.awaiting_reconcile = true;
  spdlog::warn("[exchange] {} the exchange says the position is gone or smaller ({}): reconciling now, nothing sent "
               "until then",
               who(self), why);
}

void send_reconcile_request(self_ptr self) {
  self->state.reconcile_asked_ns = core::steady_now_ns();
  if (auto registry = self->state.deps.registry.lock())
    caf::anon_send(caf::actor_cast<registry_actor>(registry), reconcile_atom_v, self->state.reconcile_asked_ns);
}

void remind_reconcile(self_ptr self) {
  // The reconcile may have been lost (the exchange did not answer the registry's snapshot, or the
  // slot was compared while a flight was on): asked again every 10 s while the position waits.
  constexpr std::int64_t kRemindNs = 10'000'000'000;
  if (core::steady_now_ns() - self->state.reconcile_asked_ns >= kRemindNs) send_reconcile_request(self);
}

void ask_exchange(self_ptr self, const OrderRequest& command, std::function<void(const OrderReply&)> k) {
  self->request(self->state.deps.exchange, caf::infinite, order_atom_v, command)
      .then([=](OrderReply rep) { k(rep); }, [=](caf::error& e) { k(unavailable(e)); });
}

// Carries a workflow's commands out (core/record_work.hpp) and feeds it the answers. The record
// it saves is the position's from then on, saved or not (the exchange has those orders either way);
// the flight ends with it.
void run_record_work(self_ptr self, std::shared_ptr<core::RecordWork> work, core::RecordWork::Step step,
                     WorkDone on_done) {
  using W = core::RecordWork;
  log_notes(self, step.notes);
  auto& st = self->state;
  if (auto* reserve = std::get_if<W::Reserve>(&step.command)) {
    self->request(st.deps.persistence, caf::infinite, save_atom_v, reserve->record)
        .then([=](bool) { run_record_work(self, work, work->reserved(), on_done); },
              [=](caf::error& e) { run_record_work(self, work, work->reserve_failed(describe(e)), on_done); });
  } else if (auto* send = std::get_if<W::Send>(&step.command)) {
    ask_exchange(self, send->order, [=](const OrderReply& rep) { run_record_work(self, work, work->order_answered(rep), on_done); });
  } else if (auto* save = std::get_if<W::Save>(&step.command)) {
    st.rec = save->record;
    self->request(st.deps.persistence, caf::infinite, save_atom_v, save->record)
        .then([=](bool) { run_record_work(self, work, work->saved(), on_done); },
              [=](caf::error& e) { run_record_work(self, work, work->save_failed(describe(e)), on_done); });
  } else {
    const auto& done = std::get<W::Done>(step.command);
    st.rec = done.record;
    if (on_done) on_done(done);
    if (done.refused && done.refused->position_smaller) ask_reconcile(self, done.refused->reason());
    after_flight(self);
  }
}

}  // namespace ptp::actors::position_parts
