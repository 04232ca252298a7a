// One page of the history as the API asks for it, read from the store: the persistence actor's
// answer, and a cluster standby's (which reads its followed copy with no node running).
#pragma once

#include "actors/messages.hpp"

namespace ptp::storage {
class HistoryStore;
}

namespace ptp::actors {

HistoryPage read_history(storage::HistoryStore& store, const HistoryQuery& query);

}  // namespace ptp::actors
