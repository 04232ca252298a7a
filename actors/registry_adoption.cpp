// A position the node does not run yet: resumed from storage after a restart (the stored record
// wins: initial stop, executed stages), or adopted (its initial stop captured once, the record
// written before anything is sent), then handed its slot like any reconcile. Start-up loads them
// in batches: one filters request and one storage read per batch, not one round trip each.
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

// One position of a loaded batch: resumed at once when storage knows it open (a restart: the stored
// record wins, initial stop and executed stages, never the exchange's stop), else queued for adoption.
void resume_or_queue(self_ptr self, ReconcileJob::Pending p, storage::StoredPosition stored,
                     const std::map<core::Symbol, std::string>& failed, const JobPtr& job) {
  const core::PositionKey& key = p.key;
  auto filters = self->state.filters.find(p.position.symbol);
  if (filters == self->state.filters.end()) {
    auto why = failed.find(p.position.symbol);
    spdlog::error("[registry] {} filters unavailable: {}", key.str(),
                  why != failed.end() ? why->second : std::string("not answered"));
    return;
  }
  if (!stored.record || !stored.record->open) {
    job->adopting.push_back({std::move(p), filters->second});
    return;
  }
  const auto& rec = *stored.record;
  spdlog::info("[registry] resumed {} from storage: initial stop {}, current stop {}, {} stage(s) recorded", key.str(),
               rec.position.initial_stop.str(), rec.position.current_stop.str(), stored.stages.size());
  spawn_for(self, rec, std::move(stored.stages), filters->second);
  ++job->report.resumed;
  self->send(self->state.actors.at(key), check_atom_v, SlotSnapshot{p.position.size, std::move(p.orders), job->taken_ns});
}

}  // namespace

void adopt_or_resume_next(self_ptr self, const JobPtr& job) {
  begin(job);
  if (!job->adopting.empty()) {
    auto a = std::move(job->adopting.front());
    job->adopting.pop_front();
    adopt_new(self, a.pending.key, a.pending.position, a.pending.orders, a.filters, job);
    return;
  }
  auto batch = std::make_shared<std::vector<ReconcileJob::Pending>>();
  while (!job->queue.empty() && batch->size() < ReconcileJob::kBatch) {
    batch->push_back(std::move(job->queue.back()));
    job->queue.pop_back();
  }
  // Symbols whose filters the registry has not kept yet, each asked once; and why one failed.
  std::set<core::Symbol> unknown_set;
  for (const auto& p : *batch)
    if (!self->state.filters.count(p.position.symbol)) unknown_set.insert(p.position.symbol);
  std::vector<core::Symbol> unknown(unknown_set.begin(), unknown_set.end());
  auto failed = std::make_shared<std::map<core::Symbol, std::string>>();
  auto with_filters = [=] {
    std::vector<core::PositionKey> keys;
    keys.reserve(batch->size());
    for (const auto& p : *batch) keys.push_back(p.key);
    self->request(self->state.deps.persistence, caf::infinite, load_atom_v, std::move(keys))
        .await(
            [=](std::vector<storage::StoredPosition> stored) {
              if (stored.size() != batch->size()) {  // one answer per key, or none is trusted
                for (const auto& p : *batch)
                  spdlog::error("[registry] {} could not be loaded: {} answers for {} keys", p.key.str(), stored.size(),
                                batch->size());
                end(job);
                return;
              }
              for (std::size_t i = 0; i < batch->size(); ++i)
                resume_or_queue(self, std::move((*batch)[i]), std::move(stored[i]), *failed, job);
              end(job);
            },
            [=](caf::error& e) {
              for (const auto& p : *batch) spdlog::error("[registry] {} could not be loaded: {}", p.key.str(), describe(e));
              end(job);
            });
  };
  if (unknown.empty()) {
    with_filters();
    return;
  }
  self->request(self->state.deps.exchange, caf::infinite, filters_atom_v, std::move(unknown))
      .await(
          [=](const std::vector<SymbolFilters>& answers) {
            for (const auto& a : answers) {
              if (a.filters) self->state.filters[a.symbol] = *a.filters;
              else (*failed)[a.symbol] = a.error;
            }
            with_filters();
          },
          [=](caf::error& e) {
            for (const auto& p : *batch) spdlog::error("[registry] {} filters unavailable: {}", p.key.str(), describe(e));
            end(job);
          });
}

}  // namespace ptp::actors::registry_parts
