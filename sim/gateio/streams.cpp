// The Gate.io face's websocket, /v4/ws/usdt: futures.ping, the futures.tickers subscriptions and
// their frames, and the authenticated futures.orders, futures.autoorders and futures.positions
// channels with the account changes each connection gets.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/text.hpp"
#include "exchange/hmac.hpp"
#include "sim/gateio/face.hpp"

namespace ptp::exchange::loopback {
namespace {

using core::Qty;
using core::Side;
namespace shapes = gateio_shapes;

constexpr const char* kWsPath = "/v4/ws/usdt";

// A private channel's subscription: every contract ("!all") or the ones named.
struct Subscription {
  bool all = false;
  std::set<core::Symbol> contracts;
  bool any() const { return all || !contracts.empty(); }
  bool covers(const core::Symbol& s) const { return all || contracts.count(s) > 0; }
};

struct GateSession final : WsSession {
  std::set<core::Symbol> tickers;
  Subscription orders, autoorders, positions;
};

Subscription* private_channel(GateSession& c, std::string_view channel) {
  if (channel == "futures.orders") return &c.orders;
  if (channel == "futures.autoorders") return &c.autoorders;
  if (channel == "futures.positions") return &c.positions;
  return nullptr;
}

}  // namespace

std::variant<std::unique_ptr<WsSession>, int> GateioFace::open_ws(const std::string& path, const std::string&) {
  if (path != kWsPath) return 404;
  return std::unique_ptr<WsSession>(std::make_unique<GateSession>());
}

// {"time","channel","event","payload"[,"id"][,"auth"]}: futures.ping, and subscribe/unsubscribe of
// futures.tickers (contracts) and the private channels ([user id, "!all" or contracts], with the
// api_key auth over "channel=<c>&event=<e>&time=<t>"). Errors: 1 invalid argument struct, 2
// invalid argument, 4 authentication fail.
void GateioFace::ws_message(WsSession& session, const std::string& text, const WsReply& reply) {
  auto& c = static_cast<GateSession&>(session);
  const std::int64_t now = now_ms();
  simdjson::dom::object doc;
  if (json_.parse(text).get(doc))
    return reply.send(shapes::ws_error("", "", 1, "invalid argument struct", now, std::nullopt));
  std::optional<std::int64_t> id;
  if (std::int64_t v = 0; !doc["id"].get(v)) id = v;
  std::string_view channel_view, event_view;
  if (doc["channel"].get(channel_view))
    return reply.send(shapes::ws_error("", "", 1, "invalid argument struct: missing channel", now, id));
  const std::string channel(channel_view);
  if (channel == "futures.ping") return reply.send(shapes::ws_pong(now, id));
  if (doc["event"].get(event_view))
    return reply.send(shapes::ws_error(channel, "", 1, "invalid argument struct: missing event", now, id));
  const std::string event(event_view);
  auto fail = [&](int code, const std::string& message) {
    reply.send(shapes::ws_error(channel, event, code, message, now, id));
  };
  if (event != "subscribe" && event != "unsubscribe") return fail(2, "invalid argument: unknown event " + event);
  const bool subscribe = event == "subscribe";
  simdjson::dom::array payload_array;
  std::vector<std::string> payload;
  if (doc["payload"].get(payload_array)) return fail(1, "invalid argument struct: payload must be an array");
  for (auto v : payload_array) {
    std::string_view s;
    if (v.get(s)) return fail(2, "invalid argument: payload must be strings");
    payload.emplace_back(s);
  }

  if (channel == "futures.tickers") {
    std::vector<core::Symbol> named;
    for (const auto& name : payload) {
      auto s = find_contract(name);
      if (!s) return fail(2, "invalid argument: unknown contract " + name);
      named.push_back(*s);
    }
    if (named.empty()) return fail(2, "invalid argument: no contract");
    for (const auto& s : named) {
      if (subscribe)
        c.tickers.insert(s);
      else
        c.tickers.erase(s);
    }
    return reply.send(shapes::ws_ack(channel, event, now, id));
  }

  Subscription* sub = private_channel(c, channel);
  if (!sub) return fail(2, "invalid argument: unknown channel " + channel);
  std::int64_t time = 0;
  simdjson::dom::object auth;
  std::string_view method, key, sign;
  if (doc["time"].get(time) || doc["auth"].get(auth) || auth["method"].get(method) || method != "api_key" ||
      auth["KEY"].get(key) || auth["SIGN"].get(sign) || !key_known(key) ||
      core::ascii_lower(sign) !=
          hmac_sha512_hex(options_.secret, fmt::format("channel={}&event={}&time={}", channel, event, time)))
    return fail(4, "authentication fail");
  if (payload.empty() || payload[0] != options_.user_id)
    return fail(4, "authentication fail: the payload's user id is not this key's");
  if (payload.size() < 2) return fail(2, "invalid argument: no contract (\"!all\" for every one)");
  Subscription named;
  for (std::size_t i = 1; i < payload.size(); ++i) {
    if (payload[i] == "!all") {
      named.all = true;
    } else if (auto s = find_contract(payload[i])) {
      named.contracts.insert(*s);
    } else {
      return fail(2, "invalid argument: unknown contract " + payload[i]);
    }
  }
  if (subscribe) {
    sub->all = sub->all || named.all;
    sub->contracts.insert(named.contracts.begin(), named.contracts.end());
  } else if (named.all) {
    *sub = Subscription{};
  } else {
    for (const auto& s : named.contracts) sub->contracts.erase(s);
  }
  c.counts_as_user = c.orders.any() || c.autoorders.any() || c.positions.any();
  reply.send(shapes::ws_ack(channel, event, now, id));
}

std::vector<std::string> GateioFace::mark_frames(WsSession& session, const core::PriceTick& tick) {
  const auto& c = static_cast<const GateSession&>(session);
  if (!c.tickers.count(tick.symbol)) return {};
  return {shapes::ws_update("futures.tickers", "[" + shapes::ticker(tick.symbol, tick.price) + "]", now_ms())};
}

void GateioFace::collect_account_changes() {
  const auto events = sim_->journal(journal_seen_);
  journal_seen_ += events.size();
  const std::int64_t now = now_ms();
  order_changes_.clear();
  price_order_changes_.clear();
  position_changes_.clear();
  // Each order that changed once, in the order it first changed, as it is now. A cancel request is
  // followed by the order's own update, which carries it.
  std::vector<std::string> ids;
  for (const auto& e : events)
    if (e.type != SimEvent::Type::cancel && e.accepted && !e.exchange_id.empty() &&
        std::find(ids.begin(), ids.end(), e.exchange_id) == ids.end())
      ids.push_back(e.exchange_id);
  for (const auto& id : ids) {
    const auto o = sim_->order(id);
    if (!o) continue;
    if (is_plain(*o))
      order_changes_.push_back({o->symbol, order_json(*o, shapes::PriceStyle::number)});
    else
      price_order_changes_.push_back({o->symbol, price_order_json(*o)});
  }
  // Positions: whatever differs from the last read, however it changed (a fill, a stop, the user).
  std::map<std::pair<core::Symbol, Side>, std::pair<Qty, core::Price>> now_open;
  for (const auto& p : sim_->open_positions()) now_open[{p.symbol, p.side}] = {p.size, p.entry};
  std::set<std::pair<core::Symbol, Side>> changed;
  for (const auto& [slot, held] : now_open)
    if (auto it = positions_seen_.find(slot); it == positions_seen_.end() || it->second != held) changed.insert(slot);
  for (const auto& [slot, held] : positions_seen_)
    if (!now_open.count(slot)) changed.insert(slot);
  positions_seen_ = std::move(now_open);
  if (changed.empty()) return;
  for (const auto& r : position_rows()) {
    const bool hit = options_.dual_mode
                         ? changed.count({r.symbol, r.mode == "dual_long" ? Side::long_ : Side::short_}) > 0
                         : changed.count({r.symbol, Side::long_}) + changed.count({r.symbol, Side::short_}) > 0;
    if (hit) position_changes_.push_back({r.symbol, shapes::ws_position(r, options_.user_id, now)});
  }
}

std::vector<std::string> GateioFace::user_frames(WsSession& session) {
  const auto& c = static_cast<const GateSession&>(session);
  const std::int64_t now = now_ms();
  std::vector<std::string> frames;
  auto add = [&](const char* channel, const Subscription& sub, const std::vector<Change>& changes) {
    if (!sub.any()) return;
    std::string result;
    for (const auto& ch : changes)
      if (sub.covers(ch.symbol)) result += (result.empty() ? "" : ",") + ch.json;
    if (!result.empty()) frames.push_back(shapes::ws_update(channel, "[" + result + "]", now));
  };
  add("futures.orders", c.orders, order_changes_);
  add("futures.autoorders", c.autoorders, price_order_changes_);
  add("futures.positions", c.positions, position_changes_);
  return frames;
}

}  // namespace ptp::exchange::loopback
