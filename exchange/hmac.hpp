// Request signatures: HMAC-SHA256 in lower-case hex (Binance signs the exact query/body text).
#pragma once

#include <string>
#include <string_view>

namespace ptp::exchange {

std::string hmac_sha256_hex(std::string_view secret, std::string_view message);

}  // namespace ptp::exchange
