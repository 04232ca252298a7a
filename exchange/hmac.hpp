// Request signatures in lower-case hex: HMAC-SHA256 (Binance signs the exact query/body text),
// HMAC-SHA512 and SHA-512 (Gate.io signs a string that carries the body's SHA-512).
#pragma once

#include <string>
#include <string_view>

namespace ptp::exchange {

std::string hmac_sha256_hex(std::string_view secret, std::string_view message);
std::string hmac_sha512_hex(std::string_view secret, std::string_view message);
std::string sha512_hex(std::string_view data);

// Frees the calling thread's OpenSSL state (signing allocates its error queue). A thread nobody
// joins calls it before its last step: OpenSSL frees that state only when the thread is gone, and
// a process exiting meanwhile loses it (LeakSanitizer reports 904 bytes).
void release_thread_crypto_state();

}  // namespace ptp::exchange
