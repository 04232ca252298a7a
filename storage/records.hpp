// What the node keeps durably (core/records.hpp): adopted positions and the stage history that is
// the dedupe.
#pragma once

#include "core/records.hpp"

namespace ptp::storage {

using core::PositionRecord;
using core::StageRecord;
using core::StageState;
using core::to_string;

}  // namespace ptp::storage
