#include "exchange/gateio/errors.hpp"

#include <array>
#include <utility>

namespace ptp::exchange::gateio {
namespace {

using K = ExchangeError::Kind;

// The labels that are not a plain rejection. Gate's futures labels (error_codes.md).
constexpr std::array<std::pair<std::string_view, K>, 5> kLabels{{
    {"SERVER_ERROR", K::timeout},  // "Internal server error": the order may exist
    {"TOO_BUSY", K::timeout},      // "Server is too busy": the same
    {"ORDER_NOT_FOUND", K::not_found},
    {"TOO_MANY_REQUESTS", K::unavailable},
    {"REQUEST_EXPIRED", K::unavailable},  // the clock was already resynced once
}};

}  // namespace

ExchangeError classify(long http_status, std::string_view label, const std::string& message) {
  const std::string code = label.empty() ? "HTTP " + std::to_string(http_status) : std::string(label);
  for (const auto& [known, kind] : kLabels)
    if (label == known) return ExchangeError(kind, code, message);
  if (http_status == 429) return ExchangeError(K::unavailable, code, message);
  if (http_status == 408 || http_status >= 500) return ExchangeError(K::timeout, code, message);
  // The position is gone, or smaller than a reduce-only order: the node reconciles first.
  const bool position_smaller = label == "POSITION_EMPTY" || label == "REDUCE_EXCEEDED";
  return ExchangeError(K::rejected, code, message, position_smaller);
}

}  // namespace ptp::exchange::gateio
