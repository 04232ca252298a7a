// Reconciliation of one position, carried out: the diff and the repair are core/reconcile's (the
// exchange's view of the slot against the record); this file hands it the slot, carries its
// commands to the persistence and exchange actors and writes its notes to the log.
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/position_parts.hpp"
#include "core/reconcile.hpp"

namespace ptp::actors::position_parts {
namespace {

using Repair = std::shared_ptr<core::Reconcile>;

void drive(self_ptr self, Repair r, core::Reconcile::Step step) {
  log_notes(self, step.notes);
  auto& st = self->state;
  if (auto* reserve = std::get_if<core::Reconcile::Reserve>(&step.command)) {
    self->request(st.deps.persistence, caf::infinite, save_atom_v, reserve->record)
        .then([=](bool) { drive(self, r, r->reserved()); },
              [=](caf::error& e) { drive(self, r, r->reserve_failed(describe(e))); });
  } else if (auto* send = std::get_if<core::Reconcile::Send>(&step.command)) {
    ask_exchange(self, send->order, [=](const OrderReply& rep) { drive(self, r, r->order_answered(rep)); });
  } else if (auto* save = std::get_if<core::Reconcile::Save>(&step.command)) {
    st.rec = save->record;  // what the exchange now has, saved or not
    self->request(st.deps.persistence, caf::infinite, save_atom_v, save->record)
        .then([=](bool) { drive(self, r, r->saved()); }, [=](caf::error& e) { drive(self, r, r->save_failed(describe(e))); });
  } else {
    st.rec = std::get<core::Reconcile::Done>(step.command).record;
    after_flight(self);  // the flight ends once the record is saved (or could not be): the next reconcile starts from it
  }
}

}  // namespace

// Compares the exchange's slot with the record (skipped while a flight runs, and for a snapshot
// asked for before the last flight ended: it would undo that flight), then repairs what differs.
void check_slot(self_ptr self, const SlotSnapshot& snap) {
  auto& st = self->state;
  if (st.in_flight || st.draining) return;
  if (snap.taken_ns <= st.changed_ns) {
    spdlog::debug("[reconcile] {}: snapshot older than the last change; next time", who(self));
    return;
  }
  const auto& settings = *st.deps.settings;
  auto r = std::make_shared<core::Reconcile>(core::Reconcile::plan(
      st.rec, st.book.executed(), st.last_mark, st.filters, settings.plan, settings.observe, {snap.size, snap.orders}));
  log_notes(self, r->findings());
  if (r->resized()) {
    st.rec.position.remaining_size = r->record().position.remaining_size;
    publish_band(self);
  }
  if (!r->needs_orders()) {
    if (r->record_changed()) {
      st.rec = r->record();
      self->request(st.deps.persistence, caf::infinite, save_atom_v, st.rec)
          .then([](bool) {}, [=](caf::error& e) { spdlog::error("[reconcile] {} record not saved: {}", who(self), describe(e)); });
    }
    return;
  }
  st.in_flight = true;
  drive(self, r, r->begin());
}

}  // namespace ptp::actors::position_parts
