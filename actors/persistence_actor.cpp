// The persistence actor: owns the LMDB history; the record it keeps is the dedupe.
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "actors/history_page.hpp"
#include "actors/guarded.hpp"
#include "actors/latency_trace.hpp"
#include "actors/spawn.hpp"
#include "storage/history_store.hpp"
#include "storage/replica.hpp"

namespace ptp::actors {
namespace {

struct persistence_state {
  std::shared_ptr<storage::HistoryStore> store;
  std::shared_ptr<storage::Replica> replica;  // a cluster's etcd history: written first (none: a single node)
  static inline const char* name = "persistence";
};

using self_ptr = persistence_actor::stateful_pointer<persistence_state>;

// A failed request: an error value with context (the text the caller logs). After a fatal LMDB
// error the environment is reopened, so the next request succeeds once the disk is writable again
// (this one still fails: its caller decides what that means).
void recover(self_ptr self, const char* what, const std::exception& e) {
  spdlog::debug("[persistence] {} failed: {}", what, e.what());  // the caller logs it, with its context
  if (storage::HistoryStore::is_fatal(e)) {
    try {
      self->state.store->reopen();
      spdlog::warn("[persistence] the LMDB environment had a fatal error and was reopened; the next write is tried "
                   "afresh");
    } catch (const std::exception& again) {
      spdlog::critical("[persistence] the LMDB environment cannot be reopened: {}", again.what());
    }
  }
}

// A stage's result or a position's update that a node which just lost ownership still has to
// record: its orders were sent while it owned the account, or refused at the fence, so LMDB keeps it
// (the record in etcd, the intent, is what a new owner resolves by client id). Refusing it would
// leave the stage in flight for good. An intent is never written this way: no intent, no orders.
template <class F>
void replicate_unless_lost(const char* what, F&& write) {
  try {
    write();
  } catch (const storage::NotOwner& e) {
    spdlog::warn("[persistence] {} kept in LMDB only: {}", what, e.what());
  }
}

template <class F>
auto stored(self_ptr self, const char* what, F&& f) -> caf::result<decltype(f())> {
  return guarded(what, std::forward<F>(f), [self](const char* w, const std::exception& e) { recover(self, w, e); });
}

persistence_actor::behavior_type persistence(self_ptr self, std::shared_ptr<storage::HistoryStore> store,
                                             std::shared_ptr<storage::Replica> replica) {
  self->state.store = std::move(store);
  self->state.replica = std::move(replica);
  return {
      [=](load_atom, const core::PositionKey& key)
          -> caf::result<std::optional<storage::PositionRecord>, std::vector<storage::StageRecord>> {
        try {
          auto loaded = self->state.store->load({key});
          return {std::move(loaded[0].record), std::move(loaded[0].stages)};
        } catch (const std::exception& e) {  // a two-value result: guarded() makes one value
          recover(self, "load", e);
          return caf::make_error(caf::sec::runtime_error, std::string("load: ") + e.what());
        }
      },
      [=](load_atom, const std::vector<core::PositionKey>& keys) {
        return stored(self, "load", [&] { return self->state.store->load(keys); });
      },
      [=](adopt_atom, const storage::PositionRecord& rec) {
        return stored(self, "adopt", [&] {
          auto& s = *self->state.store;
          // An existing record wins: the initial stop is captured once, for the position's life.
          if (auto existing = s.position(rec.position.key); existing && existing->open) return *existing;
          if (auto& r = self->state.replica) r->put_position(rec);
          s.put_position(rec);
          return rec;
        });
      },
      [=](save_atom, const storage::PositionRecord& rec) {
        return stored(self, "save", [&] {
          if (auto& r = self->state.replica) replicate_unless_lost("position update", [&] { r->put_position(rec); });
          self->state.store->put_position(rec);
          return true;
        });
      },
      [=](begin_atom, const storage::StageRecord& intent) {
        return stored(self, "begin_stage", [&] {
          // In a cluster the intent is committed in etcd (fenced on ownership) before LMDB commits
          // it, so before any of the stage's orders; an intent LMDB refuses (the stage is pending or
          // done) is not replicated, and one etcd refuses is not committed.
          std::function<void()> replicate;
          if (auto& r = self->state.replica) replicate = [&] { r->put_stage(intent, nullptr); };
          auto b = self->state.store->begin_stage(intent, replicate);
          trace::mark(trace::Point::intent_committed, intent.key.symbol);
          return BeginReply{b.result == storage::HistoryStore::BeginResult::started, b.existing};
        });
      },
      [=](finish_atom, const storage::StageRecord& result, const storage::PositionRecord& rec) {
        return stored(self, "finish_stage", [&] {
          if (auto& r = self->state.replica) replicate_unless_lost("stage result", [&] { r->put_stage(result, &rec); });
          self->state.store->finish_stage(result, rec);
          return true;
        });
      },
      [=](list_atom) { return stored(self, "list", [&] { return self->state.store->positions(); }); },
      [=](history_atom, const HistoryQuery& q) {
        return stored(self, "history", [&] { return read_history(*self->state.store, q); });
      },
      [=](mode_atom, const core::ModeChange& change) {
        return stored(self, "mode", [&] {
          // In a cluster the switch is the group's: a node that does not own the account cannot make it.
          if (auto& r = self->state.replica) r->put_mode(change);
          self->state.store->record_mode(change);
          return true;
        });
      },
  };
}

}  // namespace

persistence_actor spawn_persistence(caf::actor_system& sys, std::shared_ptr<storage::HistoryStore> store,
                                    std::shared_ptr<storage::Replica> replica) {
  return sys.spawn<caf::detached>(persistence, std::move(store), std::move(replica));
}

}  // namespace ptp::actors
