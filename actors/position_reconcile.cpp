// Reconciliation of one position, carried out: the diff and the repair are core/reconcile's (the
// exchange's view of the slot against the record); this file hands it the slot and runs the
// repair (run_record_work in position_orders.cpp).
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/position_parts.hpp"
#include "core/reconcile.hpp"

namespace ptp::actors::position_parts {

// Compares the exchange's slot with the record (skipped while a flight runs, and for a snapshot
// asked for before the last flight ended: it would undo that flight), then repairs what differs.
void check_slot(self_ptr self, const SlotSnapshot& snap) {
  auto& st = self->state;
  if (st.draining) return;
  if (st.in_flight) {
    if (st.awaiting_reconcile) st.reconcile_due = true;  // still waiting: ask again as this flight ends
    return;
  }
  if (snap.taken_ns <= st.changed_ns) {
    spdlog::debug("[reconcile] {}: snapshot older than the last change; next time", who(self));
    if (st.awaiting_reconcile) send_reconcile_request(self);
    return;
  }
  st.awaiting_reconcile = false;  // the exchange's view of the slot is here: act on it
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
  run_record_work(self, r, r->begin());
}

}  // namespace ptp::actors::position_parts
