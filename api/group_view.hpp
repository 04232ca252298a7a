// A cluster node's view of its group (cluster::Ownership, filled in by app/node_run.cpp), for
// ptp-ctl status and /metrics. A single node has none.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ptp::api {

struct GroupView {
  std::string node_id;
  std::string role;                   // "owner", "standby", "joining", "stepped-down"
  std::string owner;                  // the owner's node id ("": none known)
  std::int64_t owner_since_ms = 0;    // Unix ms
  std::int64_t lease_left_ms = 0;     // this node's time left to act (owner only)
  std::vector<std::string> standbys;  // the group's other members, from etcd
};

}  // namespace ptp::api
