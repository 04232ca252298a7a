// The registry's reconcile: the exchange's open positions against the running actors. A position
// gone from the exchange stops its actor (its history stays, a stop or take-profit the node
// placed for it is cancelled); one still open gets its slot as the exchange shows it; one the node
// does not run yet is queued for adoption. The first reconcile after a start restores the
// generations and closes the records of positions that closed while the node was down.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/registry_parts.hpp"
#include "core/client_order_id.hpp"
#include "exchange/failure_log.hpp"

namespace ptp::actors::registry_parts {
namespace {

// The slots the exchange holds a position in: one answer to "is it still open?" for everyone.
std::set<Slot> open_slots(const ExchangeSnapshot& snap) {
  std::set<Slot> out;
  for (const auto& p : snap.positions) out.emplace(p.symbol, p.side);
  return out;
}

void close_record(self_ptr self, const core::PositionKey& key, const JobPtr& job) {
  begin(job);
  auto persistence = self->state.deps.persistence;
  self->request(persistence, caf::infinite, load_atom_v, key)
      .await(
          [=](std::optional<storage::PositionRecord> rec, const std::vector<storage::StageRecord>&) {
            if (rec && rec->open) {
              rec->mark_closed(core::Clock::now());
              self->request(persistence, caf::infinite, save_atom_v, *rec)
                  .await([=](bool) { end(job); },
                         [=](caf::error& e) {
                           spdlog::error("[registry] {} could not be marked closed: {}", key.str(), describe(e));
                           end(job);
                         });
              return;
            }
            end(job);
          },
          [=](caf::error& e) {
            spdlog::error("[registry] {} could not be loaded: {}", key.str(), describe(e));
            end(job);
          });
}

// A closed position's stop or take-profit the node placed, still resting: reduce-only, so it cannot
// open anything, but it would close part of the next position on this slot. Cancelled.
void cancel_leftovers(self_ptr self, const core::PositionKey& key, const std::vector<core::OrderState>& orders) {
  for (const auto& o : orders) {
    if (!core::placed_for(key, o.ref.client_id)) continue;
    spdlog::warn("[registry] {} is closed but its {} {} ({}) still rests on the exchange: cancelling it", key.str(),
                 core::to_string(o.kind), o.trigger_price.str(), o.ref.str());
    OrderRequest cancel{Op::cancel, o.symbol, o.position_side, {}, {}, {}, o.ref};
    self->request(self->state.deps.exchange, caf::infinite, order_atom_v, cancel)
        .then(
            [=](const OrderReply& rep) {
              if (!rep.ok)
                log_repeated(spdlog::level::err, "[registry] {} leftover {} not cancelled: {}", key.str(), o.ref.str(),
                             rep.reason());
            },
            [=](caf::error& e) {
              log_repeated(spdlog::level::err, "[registry] {} leftover {} not cancelled: {}", key.str(), o.ref.str(),
                           describe(e));
            });
  }
}

void stop_position(self_ptr self, const core::PositionKey& key, const position_actor& actor,
                   const std::vector<core::OrderState>& slot_orders, const JobPtr& job) {
  auto& st = self->state;
  spdlog::info("[registry] {} is gone from the exchange (closed by the user, liquidated, or its stop or "
               "take-profit filled): its actor stops, its history stays",
               key.str());
  cancel_leftovers(self, key, slot_orders);
  self->demonitor(actor.address());
  self->send(st.market_data, unsub_atom_v, key.symbol, actor);
  self->send_exit(actor, caf::exit_reason::user_shutdown);
  fail_answers_due(self, actor.address());
  st.generations.observe_flat(key);
  ++job->report.stopped;
  close_record(self, key, job);
}

}  // namespace

void run_reconcile(self_ptr self, const JobPtr& job) {
  job->start_next = [self, weak = std::weak_ptr<ReconcileJob>(job)] {
    if (auto j = weak.lock()) adopt_or_resume_next(self, j);
  };
  begin(job);
  job->taken_ns = core::steady_now_ns();
  self->state.last_snapshot_ns = job->taken_ns;
  auto& st = self->state;
  self->request(st.deps.exchange, caf::infinite, snapshot_atom_v)
      .await(
          [=](ExchangeSnapshot snap) {
            if (self->state.restored) {
              reconcile_with(self, snap, job);
              end(job);
              return;
            }
            self->request(self->state.deps.persistence, caf::infinite, list_atom_v)
                .await(
                    [=](const std::vector<storage::PositionRecord>& records) {
                      restore(self, records, snap, job);
                      reconcile_with(self, snap, job);
                      end(job);
                    },
                    [=](caf::error& e) {
                      spdlog::error("[registry] storage unavailable, nothing adopted: {}", describe(e));
                      end(job);
                    });
          },
          [=](caf::error& e) {
            log_repeated(spdlog::level::warn, "[registry] exchange positions unavailable, keeping the current actors: {}",
                         describe(e));
            end(job);
          });
}

void reconcile_with(self_ptr self, const ExchangeSnapshot& snap, const JobPtr& job) {
  auto& st = self->state;
  // Each position gets only its own resting orders (copying all of them per position is O(n^2)).
  std::map<Slot, std::vector<core::OrderState>> orders_by_slot;
  for (const auto& o : snap.orders) orders_by_slot[{o.symbol, o.position_side}].push_back(o);
  auto slot_orders = [&](const core::Symbol& symbol, core::Side side) -> std::vector<core::OrderState>& {
    return orders_by_slot[{symbol, side}];
  };
  const std::set<Slot> open = open_slots(snap);
  for (auto it = st.actors.begin(); it != st.actors.end();) {
    if (open.count(slot_of(it->first))) {
      ++it;
      continue;
    }
    const core::PositionKey gone = it->first;
    ++it;
    stop_position(self, gone, st.actors.at(gone), slot_orders(gone.symbol, gone.side), job);
    forget(self, gone);
  }
  for (const auto& p : snap.positions) {
    if (!st.deps.settings->manages(p.symbol)) {
      warn_once(self, "unmanaged:" + p.symbol.canonical(),
                fmt::format("{} {} is open on the exchange but not in node.symbols: not managed", p.symbol.canonical(),
                            core::to_string(p.side)));
      continue;
    }
    ++job->report.open;
    const core::PositionKey key = st.generations.observe_open(slot_key(self, p.symbol, p.side));
    if (auto it = st.actors.find(key); it != st.actors.end()) {
      self->send(it->second, check_atom_v, SlotSnapshot{p.size, slot_orders(p.symbol, p.side), job->taken_ns});
      continue;
    }
    job->queue.push_back({key, p, std::move(slot_orders(p.symbol, p.side))});
  }
}

// First reconcile after start: generations continue from storage, and records of positions that
// closed while the node was down are marked closed.
void restore(self_ptr self, const std::vector<storage::PositionRecord>& records, const ExchangeSnapshot& snap,
             const JobPtr& job) {
  auto& st = self->state;
  const std::set<Slot> open_now = open_slots(snap);
  for (const auto& r : records) {
    bool open = r.open;
    if (open && !open_now.count(slot_of(r.position.key))) {
      spdlog::info("[registry] {} closed while the node was down; its history stays", r.position.key.str());
      std::vector<core::OrderState> leftovers;
      for (const auto& o : snap.orders)
        if (slot_of(r.position.key) == Slot{o.symbol, o.position_side}) leftovers.push_back(o);
      cancel_leftovers(self, r.position.key, leftovers);
      open = false;
      close_record(self, r.position.key, job);
    }
    st.generations.restore(r.position.key, open);
  }
  st.restored = true;
}

}  // namespace ptp::actors::registry_parts
