// 128-bit intermediates for exact products of 1e-8 fixed-point values (GCC/Clang extension).
#pragma once

namespace ptp::core {
__extension__ using Int128 = __int128;
}  // namespace ptp::core
