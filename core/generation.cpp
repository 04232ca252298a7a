#include "core/generation.hpp"

namespace ptp::core {

PositionKey GenerationTracker::observe_open(PositionKey key) {
  State& s = slots_[slot_of(key)];
  if (!s.open) {
    ++s.generation;
    s.open = true;
  }
  key.generation = s.generation;
  return key;
}

void GenerationTracker::observe_flat(const PositionKey& key) {
  auto it = slots_.find(slot_of(key));
  if (it != slots_.end()) it->second.open = false;
}

void GenerationTracker::restore(const PositionKey& key, bool open) {
  State& s = slots_[slot_of(key)];
  if (key.generation >= s.generation) {
    s.generation = key.generation;
    s.open = open;
  }
}

}  // namespace ptp::core
