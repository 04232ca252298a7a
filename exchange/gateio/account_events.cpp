#include "exchange/gateio/account_events.hpp"

#include <simdjson.h>

#include <charconv>

#include "core/client_order_id.hpp"
#include "exchange/gateio/text_id.hpp"

namespace ptp::exchange::gateio {
namespace {

namespace dom = simdjson::dom;

std::string string_field(dom::element o, std::string_view key) {
  std::string_view v;
  return o[key].get(v) ? std::string() : std::string(v);
}

// Whole contracts and ids: JSON integers, or integers in a string (Gate sends `user` as either).
std::int64_t int_field(dom::element o, std::string_view key) {
  dom::element v;
  if (o[key].get(v)) return 0;
  std::int64_t n = 0;
  if (!v.get(n)) return n;
  std::string_view s;
  if (v.get(s)) return 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  return ec == std::errc() && end == s.data() + s.size() ? n : 0;
}

AccountEvent order_event(dom::element o) {
  AccountEvent e;
  e.kind = AccountEvent::Kind::order;
  e.contract = string_field(o, "contract");
  e.text = string_field(o, "text");
  e.status = string_field(o, "status");
  e.finish_as = string_field(o, "finish_as");
  e.id = int_field(o, "id");
  e.size = int_field(o, "size");
  e.left = int_field(o, "left");
  return e;
}

// A FuturesPriceTriggeredOrder: what it would send is under `initial`.
AccountEvent autoorder_event(dom::element o) {
  AccountEvent e;
  e.kind = AccountEvent::Kind::autoorder;
  e.status = string_field(o, "status");
  e.finish_as = string_field(o, "finish_as");
  e.id = int_field(o, "id");
  dom::element initial;  // not an object: its fields read as absent
  if (!o["initial"].get(initial)) {
    e.contract = string_field(initial, "contract");
    e.text = string_field(initial, "text");
    e.size = int_field(initial, "size");
  }
  return e;
}

AccountEvent position_event(dom::element o) {
  AccountEvent e;
  e.kind = AccountEvent::Kind::position;
  e.contract = string_field(o, "contract");
  e.size = int_field(o, "size");
  return e;
}

// |n| without overflow (a hostile frame may carry INT64_MIN).
std::uint64_t magnitude(std::int64_t n) {
  const auto u = static_cast<std::uint64_t>(n);
  return n < 0 ? ~u + 1 : u;
}

}  // namespace

std::vector<AccountEvent> parse_account_events(std::string_view frame) {
  std::vector<AccountEvent> out;
  dom::parser parser;
  dom::element root;
  if (parser.parse(frame.data(), frame.size()).get(root)) return out;
  std::string_view channel, event;
  if (root["channel"].get(channel) || root["event"].get(event) || event != "update") return out;
  AccountEvent (*read)(dom::element) = nullptr;
  if (channel == "futures.orders") {
    read = order_event;
  } else if (channel == "futures.autoorders") {
    read = autoorder_event;
  } else if (channel == "futures.positions") {
    read = position_event;
  } else {
    return out;
  }
  dom::array result;
  if (root["result"].get(result)) return out;
  for (dom::element element : result) out.push_back(element.is_object() ? read(element) : AccountEvent{});
  return out;
}

bool is_external_change(const AccountEvent& e) {
  switch (e.kind) {
    case AccountEvent::Kind::autoorder:
      // A stop or take-profit that fired (ours or the user's) changed the position by itself.
      return e.finish_as == "succeeded";
    case AccountEvent::Kind::order: {
      // Something filled: all of it, or part of an order still open or ended as ioc/cancelled/...
      // (`left` keeps the sign of `size`; compared by magnitude in case a sender drops it).
      const bool filled = e.finish_as == "filled" || magnitude(e.left) != magnitude(e.size);
      return filled && !core::is_node_order(client_id_of(e.text));
    }
    default: return false;
  }
}

}  // namespace ptp::exchange::gateio
