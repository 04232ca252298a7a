// The persistence actor: owns the LMDB history; the record it keeps is the dedupe.
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/guarded.hpp"
#include "actors/spawn.hpp"
#include "storage/history_store.hpp"

namespace ptp::actors {
namespace {

struct persistence_state {
  std::shared_ptr<storage::HistoryStore> store;
  static inline const char* name = "persistence";
};

persistence_actor::behavior_type persistence(persistence_actor::stateful_pointer<persistence_state> self,
                                             std::shared_ptr<storage::HistoryStore> store) {
  self->state.store = std::move(store);
  return {
      [=](load_atom, const core::PositionKey& key)
          -> caf::result<std::optional<storage::PositionRecord>, std::vector<storage::StageRecord>> {
        try {
          auto& s = *self->state.store;
          return {s.position(key), s.stages(key)};
        } catch (const std::exception& e) {
          spdlog::error("[persistence] load {} failed: {}", key.str(), e.what());
          return caf::make_error(caf::sec::runtime_error, std::string("load: ") + e.what());
        }
      },
      [=](adopt_atom, const storage::PositionRecord& rec) {
        return guarded("persistence", "adopt", [&] {
          auto& s = *self->state.store;
          // An existing record wins: the initial stop is captured once, for the position's life.
          if (auto existing = s.position(rec.position.key); existing && existing->open) return *existing;
          s.put_position(rec);
          return rec;
        });
      },
      [=](save_atom, const storage::PositionRecord& rec) {
        return guarded("persistence", "save", [&] {
          self->state.store->put_position(rec);
          return true;
        });
      },
      [=](begin_atom, const storage::StageRecord& intent) {
        return guarded("persistence", "begin_stage", [&] {
          auto b = self->state.store->begin_stage(intent);
          return BeginReply{b.result == storage::HistoryStore::BeginResult::started, b.existing};
        });
      },
      [=](finish_atom, const storage::StageRecord& result, const storage::PositionRecord& rec) {
        return guarded("persistence", "finish_stage", [&] {
          self->state.store->finish_stage(result, rec);
          return true;
        });
      },
      [=](list_atom) { return guarded("persistence", "list", [&] { return self->state.store->positions(); }); },
      [=](history_atom, const core::PositionKey& key) {
        return guarded("persistence", "history", [&] {
          return self->state.store->history(key, core::Clock::time_point::min(), core::Clock::time_point::max());
        });
      },
  };
}

}  // namespace

persistence_actor spawn_persistence(caf::actor_system& sys, std::shared_ptr<storage::HistoryStore> store) {
  return sys.spawn<caf::detached>(persistence, std::move(store));
}

}  // namespace ptp::actors
