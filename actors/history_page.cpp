#include "actors/history_page.hpp"

#include <algorithm>

#include "storage/history_store.hpp"

namespace ptp::actors {
namespace {

// The newest `limit` of `items` (oldest first), in place.
template <class T>
void keep_newest(std::vector<T>& items, std::size_t limit) {
  if (items.size() > limit) items.erase(items.begin(), items.end() - static_cast<std::ptrdiff_t>(limit));
}

}  // namespace

HistoryPage read_history(storage::HistoryStore& s, const HistoryQuery& q) {
  HistoryPage page;
  const auto until = core::Clock::time_point::max();
  for (const auto& rec : q.with_events ? s.positions() : std::vector<storage::PositionRecord>{}) {
    const auto& key = rec.position.key;
    if (q.key && key != *q.key) continue;
    if (q.symbol && key.symbol != *q.symbol) continue;
    auto events = s.history(key, q.since, until);
    page.events.insert(page.events.end(), events.begin(), events.end());
  }
  std::stable_sort(page.events.begin(), page.events.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  keep_newest(page.events, q.limit);
  if (!q.key && !q.symbol) {
    for (auto& m : s.mode_changes())
      if (m.at >= q.since) page.modes.push_back(std::move(m));
    keep_newest(page.modes, q.limit);
  }
  return page;
}

}  // namespace ptp::actors
