// The node's client order ids on Gate.io: an order's custom `text` is "t-" then 1..28 bytes of
// [0-9A-Za-z_.-], so "ptp-0123456789abcdef-1r2-c" travels as "t-p0123456789abcdef-1r2-c" (the
// "ptp-" prefix shortened to "p"; the longest id the node makes for stages 1..255 and attempts up to
// 9999 is exactly 28 bytes). Every other text (the user's "t-abc", Gate's "api", "web", "-") is not
// the node's.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ptp::exchange::gateio {

inline constexpr std::size_t kMaxTextBytes = 28;  // after the "t-" prefix

// The `text` a node id travels as; nullopt when `client_id` is not an id the node makes
// (core::parse_client_order_id) or would exceed 28 bytes after "t-". The caller refuses such an
// order with a clear error naming the id: it must never go out without its id.
std::optional<std::string> gate_text(std::string_view client_id);

// The node id a `text` carries ("t-p..." that reads back as a node id), else the text unchanged.
std::string client_id_of(std::string_view text);

}  // namespace ptp::exchange::gateio
