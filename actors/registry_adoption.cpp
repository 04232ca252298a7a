// A position the node does not run yet: resumed from storage after a restart (the stored record
// wins: initial stop, executed stages), or adopted (its initial stop captured once, the record
// written before anything is sent), then handed its slot like any reconcile.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/registry_parts.hpp"

namespace ptp::actors::registry_parts {
namespace {

// Adoption writes the record before anything is sent: with storage that cannot be written (a full
// disk, a read-only one) nothing goes to the exchange. The new actor then gets the slot as the
// exchange showed it and places what is missing (the default stop when the user set none, the
// extreme take-profit) like any reconcile; the reconcile ends once it has.
void store_and_spawn(self_ptr self, storage::PositionRecord rec, core::InstrumentFilters filters, std::string how,
                     SlotSnapshot slot, const JobPtr& job) {
  self->request(self->state.deps.persistence, caf::infinite, adopt_atom_v, rec)
      .await(
          [=](storage::PositionRecord stored) {
            const auto& p = stored.position;
            spdlog::info("[registry] adopted {} {} @ {}, initial stop {} (1R = {}){}", p.key.str(), p.original_size.str(),
                         p.entry.str(), p.initial_stop.str(), p.risk().str(), how);
            spawn_for(self, stored, {}, filters);
            ++job->report.adopted;
            auto actor = self->state.actors.at(p.key);
            self->send(actor, check_atom_v, slot);
            self->request(actor, caf::infinite, idle_atom_v).await([=](bool) { end(job); }, [=](caf::error&) { end(job); });
          },
          [=](caf::error& e) {
            spdlog::error("[registry] {} not adopted: the record could not be stored ({}); nothing is sent or "
                          "executed for it until storage works",
                          rec.position.key.str(), describe(e));
            end(job);
          });
}

void adopt_new(self_ptr self, const core::PositionKey& key, const exchange::ExchangePosition& p,
               const std::vector<core::OrderState>& orders, const core::InstrumentFilters& filters, const JobPtr& job) {
  const auto& settings = *self->state.deps.settings;
  std::optional<core::OrderState> stop_order, tp_order;
  for (const auto& o : orders) {
    if (o.symbol != p.symbol || o.position_side != p.side) continue;
    if (o.kind == core::OrderKind::stop && !stop_order) stop_order = o;
    if (o.kind == core::OrderKind::take_profit && !tp_order) tp_order = o;
  }
  const std::optional<core::Price> stop = stop_order ? std::optional(stop_order->trigger_price) : std::nullopt;
  core::Adoption a = core::adopt(key, p.entry, p.size, stop, settings.default_stop_pct, filters);
  if (!a.position) {
    ++job->report.left_alone;
    warn_once(self, key.str(), a.reason);
    end(job);
    return;
  }
  storage::PositionRecord rec;
  rec.position = *a.position;
  rec.adopted_at = core::Clock::now();
  if (stop_order) rec.stop_order = stop_order->ref;
  if (tp_order) rec.tp_order = tp_order->ref;
  store_and_spawn(self, std::move(rec), filters, ", " + a.reason, SlotSnapshot{p.size, orders, job->taken_ns}, job);
}

}  // namespace

void adopt_or_resume(self_ptr self, core::PositionKey key, exchange::ExchangePosition p,
                     std::vector<core::OrderState> orders, const JobPtr& job) {
  begin(job);
  auto with_filters = [=](core::InstrumentFilters filters) {
    self->request(self->state.deps.persistence, caf::infinite, load_atom_v, key)
        .await(
            [=](std::optional<storage::PositionRecord> rec, std::vector<storage::StageRecord> stages) {
              if (rec && rec->open) {
                // A restart: the stored record wins (initial stop, executed stages), never the exchange's stop.
                spdlog::info("[registry] resumed {} from storage: initial stop {}, current stop {}, {} stage(s) recorded",
                             key.str(), rec->position.initial_stop.str(), rec->position.current_stop.str(),
                             stages.size());
                spawn_for(self, *rec, std::move(stages), filters);
                ++job->report.resumed;
                self->send(self->state.actors.at(key), check_atom_v, SlotSnapshot{p.size, orders, job->taken_ns});
                end(job);
                return;
              }
              adopt_new(self, key, p, orders, filters, job);
            },
            [=](caf::error& e) {
              spdlog::error("[registry] {} could not be loaded: {}", key.str(), describe(e));
              end(job);
            });
  };
  if (auto it = self->state.filters.find(p.symbol); it != self->state.filters.end()) {
    with_filters(it->second);
    return;
  }
  self->request(self->state.deps.exchange, caf::infinite, filters_atom_v, p.symbol)
      .await(
          [=](core::InstrumentFilters f) {
            self->state.filters[p.symbol] = f;
            with_filters(f);
          },
          [=](caf::error& e) {
            spdlog::error("[registry] {} filters unavailable: {}", key.str(), describe(e));
            end(job);
          });
}

}  // namespace ptp::actors::registry_parts
