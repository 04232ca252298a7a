// GET /metrics: the node's counters in the Prometheus text exposition format (version 0.0.4).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "actors/messages.hpp"
#include "api/group_view.hpp"

namespace ptp::api {

struct MetricsView {
  actors::MetricsSnapshot counters;
  std::vector<actors::PositionStatus> positions;
  bool observe = true;
  bool guard_configured = false;
  bool guard_tripped = false;  // the mode in force is the guard's switch to observe
  std::optional<GroupView> group = {};  // a cluster node's group
};

std::string prometheus_text(const MetricsView& view);

}  // namespace ptp::api
