#include "exchange/gateio/text_id.hpp"

#include "core/client_order_id.hpp"

namespace ptp::exchange::gateio {
namespace {

constexpr std::string_view kNodePrefix = "ptp-";
constexpr std::string_view kTextPrefix = "t-p";

}  // namespace

std::optional<std::string> gate_text(std::string_view client_id) {
  if (!core::is_node_order(client_id)) return std::nullopt;
  const std::string_view rest = client_id.substr(kNodePrefix.size());
  if (1 + rest.size() > kMaxTextBytes) return std::nullopt;  // "p" + the rest
  std::string out(kTextPrefix);
  out.append(rest);
  return out;
}

std::string client_id_of(std::string_view text) {
  if (text.starts_with(kTextPrefix)) {
    std::string id(kNodePrefix);
    id.append(text.substr(kTextPrefix.size()));
    if (core::is_node_order(id)) return id;
  }
  return std::string(text);
}

}  // namespace ptp::exchange::gateio
