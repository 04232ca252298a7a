#include "core/client_order_id.hpp"

#include <cstdio>

namespace ptp::core {
namespace {

// FNV-1a: stable across builds and platforms (std::hash is not).
std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

char step_letter(OrderStep s) {
  switch (s) {
    case OrderStep::close: return 'c';
    case OrderStep::stop: return 's';
    case OrderStep::take_profit: return 't';
  }
  return 'x';
}

}  // namespace

namespace {
std::string prefix_of(const PositionKey& key) {
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "ptp-%016llx-", static_cast<unsigned long long>(fnv1a(key.str())));
  return std::string(buf, static_cast<std::size_t>(n));
}
}  // namespace

bool placed_for(const PositionKey& key, std::string_view id) { return id.starts_with(prefix_of(key)); }

std::string client_order_id(const PositionKey& key, StageId stage, OrderStep step, std::uint32_t seq) {
  std::string out = prefix_of(key) + std::to_string(stage.value) + "-" + step_letter(step);
  if (seq > 0) out += "-" + std::to_string(seq);
  return out;
}

std::string stage_order_id(const PositionKey& key, StageId stage, std::uint32_t attempt, OrderStep step) {
  if (attempt == 0) return client_order_id(key, stage, step);
  return prefix_of(key) + std::to_string(stage.value) + "r" + std::to_string(attempt) + "-" + step_letter(step);
}

}  // namespace ptp::core
