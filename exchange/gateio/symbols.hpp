// How Gate.io futures spell an instrument: the contract "ETH_USDT".
#pragma once

#include <string>

#include "core/symbol.hpp"

namespace ptp::exchange::gateio {

inline std::string contract_name(const core::Symbol& s) { return s.base() + "_" + s.quote(); }

}  // namespace ptp::exchange::gateio
