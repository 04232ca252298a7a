// Request signatures: HMAC-SHA256 in lower-case hex (Binance signs the exact query/body text).
#pragma once

#include <string>
#include <string_view>

namespace ptp::exchange {

std::string hmac_sha256_hex(std::string_view secret, std::string_view message);

// Frees the calling thread's OpenSSL state (signing allocates its error queue). A thread nobody
// joins calls it before its last step: OpenSSL frees that state only when the thread is gone, and
// a process exiting meanwhile loses it (LeakSanitizer reports 904 bytes).
void release_thread_crypto_state();

}  // namespace ptp::exchange
