// UTC timestamps as text: what configs, the positions CSV and the replay report use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ptp::core {

// "2024-01-15T10:00:00Z", "2024-01-15 10:00:00", "2024-01-15T10:00:00.250Z", "2024-01-15" (UTC),
// or milliseconds since the epoch as digits. nullopt when malformed.
std::optional<std::int64_t> parse_utc_ms(std::string_view text);

// "2024-01-15 10:00:00" (".250" added when the milliseconds are not zero).
std::string format_utc_ms(std::int64_t ms);

}  // namespace ptp::core
