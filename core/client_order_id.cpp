#include "core/client_order_id.hpp"

#include <charconv>
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

// Reads a decimal number at the front of `text` (the whole field when `until` is npos).
template <class T>
bool take_number(std::string_view& text, T& out, int base = 10) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  if (ec != std::errc() || end == text.data()) return false;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return true;
}
}  // namespace

std::optional<ClientOrderId> parse_client_order_id(std::string_view id) {
  // "ptp-<16 hex>-<stage>[r<attempt>]-<step>[-<seq>]"
  ClientOrderId out;
  if (!id.starts_with("ptp-") || id.size() < 4 + 16 + 1) return std::nullopt;
  std::string_view hash = id.substr(4, 16), rest = id.substr(4 + 16);
  if (!take_number(hash, out.position_hash, 16) || !hash.empty() || !rest.starts_with("-")) return std::nullopt;
  rest.remove_prefix(1);
  unsigned stage = 0;
  if (!take_number(rest, stage) || stage > 255) return std::nullopt;
  out.stage = StageId{static_cast<std::uint8_t>(stage)};
  if (rest.starts_with("r") && (rest.remove_prefix(1), !take_number(rest, out.attempt))) return std::nullopt;
  if (rest.size() < 2 || rest[0] != '-') return std::nullopt;
  switch (rest[1]) {
    case 'c': out.step = OrderStep::close; break;
    case 's': out.step = OrderStep::stop; break;
    case 't': out.step = OrderStep::take_profit; break;
    default: return std::nullopt;
  }
  rest.remove_prefix(2);
  if (rest.starts_with("-") && (rest.remove_prefix(1), !take_number(rest, out.seq))) return std::nullopt;
  if (!rest.empty()) return std::nullopt;
  return out;
}

bool is_node_order(std::string_view id) { return parse_client_order_id(id).has_value(); }

bool placed_for(const PositionKey& key, std::string_view id) {
  const auto parsed = parse_client_order_id(id);
  return parsed && parsed->position_hash == fnv1a(key.str());
}

std::string client_order_id(const PositionKey& key, StageId stage, OrderStep step, std::uint32_t seq) {
  std::string out = prefix_of(key) + std::to_string(stage.value) + "-" + step_letter(step);
  if (seq > 0) out += "-" + std::to_string(seq);
  return out;
}

std::string stage_order_id(const PositionKey& key, StageId stage, std::uint32_t attempt, OrderStep step,
                           std::uint32_t piece) {
  if (attempt == 0) return client_order_id(key, stage, step, piece);
  std::string out = prefix_of(key) + std::to_string(stage.value) + "r" + std::to_string(attempt) + "-" + step_letter(step);
  if (piece > 0) out += "-" + std::to_string(piece);
  return out;
}

}  // namespace ptp::core
