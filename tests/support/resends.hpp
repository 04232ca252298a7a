// The client ids a client sent more than one placement for, from the simulator's journal (every
// request counts, accepted or not): the node never sends one of its order ids twice, so any id
// here is a resend, whatever the exchange made of it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sim/sim_exchange.hpp"

namespace ptp::test {

inline std::map<std::string, int> resends(const exchange::SimExchange& sim, const std::string& prefix = "ptp-") {
  std::map<std::string, int> placements;
  for (const auto& e : sim.journal())
    if (e.type == exchange::SimEvent::Type::place && e.client_id.rfind(prefix, 0) == 0) ++placements[e.client_id];
  std::erase_if(placements, [](const auto& entry) { return entry.second < 2; });
  return placements;
}

}  // namespace ptp::test
