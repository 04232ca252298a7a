// What the node keeps durably (core/records.hpp): adopted positions and the stage history that is
// the dedupe.
#pragma once

#include <optional>
#include <vector>

#include "core/records.hpp"

namespace ptp::storage {

using core::PositionRecord;
using core::StageRecord;
using core::StageState;
using core::to_string;

// What storage holds for one position: its record (none: never adopted) and its stage records.
struct StoredPosition {
  std::optional<PositionRecord> record;
  std::vector<StageRecord> stages;  // by stage
};

// The part of a stage record the dedupe decides on.
struct StageStatus {
  StageState state = StageState::pending;
  std::uint32_t attempt = 0;
};

}  // namespace ptp::storage
