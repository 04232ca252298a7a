// The Gate.io face's REST plumbing: the routes table and how a request is dispatched (a refused
// order request journaled), the KEY/Timestamp/SIGN checks, the fault and rate-limit answers the
// transport asks for, contracts and their sizes, market data and the account. The order routes are
// in orders.cpp, the websocket in streams.cpp.
#include "sim/gateio/face.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

#include "core/text.hpp"
#include "exchange/gateio/symbols.hpp"
#include "exchange/hmac.hpp"
#include "sim/gateio/request.hpp"
#include "sim/json_array.hpp"

namespace ptp::exchange::loopback {
using namespace gateio_request;
namespace {

using core::OrderKind;
using core::Qty;
using core::Side;
namespace shapes = gateio_shapes;

constexpr const char* kOrdersPath = "/api/v4/futures/usdt/orders";
constexpr const char* kPriceOrdersPath = "/api/v4/futures/usdt/price_orders";
// "the gap between its value and current time cannot exceed 60 seconds"
constexpr std::int64_t kTimestampWindowMs = 60'000;
constexpr std::int64_t kRateWindowMs = 10'000;
constexpr int kRateLimit = 100;
// Starting balance of the simulated account: `total` is this plus every profit booked.
const core::Notional kDeposit = core::Notional::from_int(10'000);

// Timestamp header: unix seconds ("1700000000", or with a fraction as Gate's SDKs send it), in ms.
std::optional<std::int64_t> timestamp_ms(std::string_view text) {
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  if (!is_number(whole) || whole.size() > 12) return std::nullopt;
  std::int64_t ms = std::stoll(std::string(whole)) * 1000;
  if (dot != std::string_view::npos) {
    const std::string_view fraction = text.substr(dot + 1);
    if (fraction.empty() || !std::all_of(fraction.begin(), fraction.end(),
                                         [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      return std::nullopt;
    std::int64_t scale = 100;
    for (std::size_t i = 0; i < fraction.size() && i < 3; ++i, scale /= 10) ms += (fraction[i] - '0') * scale;
  }
  return ms;
}

}  // namespace

// ---- routes ----

// Who may call a route: anyone, or a signed request.
enum class GateAuth : unsigned char { none, signature };

struct GateioFace::Route {
  const char* method;
  const char* path;
  bool has_tail;  // path + "/{segment}"
  GateAuth auth;
  HttpAnswer (GateioFace::*handler)(const Call&);
};

// Everything the face serves. Any other method and path: 404 NOT_FOUND, before any header is looked at.
const std::vector<GateioFace::Route>& GateioFace::routes() {
  static const std::vector<Route> table{
      {"GET", "/api/v4/spot/time", false, GateAuth::none, &GateioFace::server_time},
      {"GET", "/api/v4/futures/usdt/contracts", false, GateAuth::none, &GateioFace::contracts},
      {"GET", "/api/v4/futures/usdt/contracts", true, GateAuth::none, &GateioFace::one_contract},
      {"GET", "/api/v4/futures/usdt/tickers", false, GateAuth::none, &GateioFace::tickers},
      {"GET", "/api/v4/futures/usdt/accounts", false, GateAuth::signature, &GateioFace::accounts},
      {"GET", "/api/v4/futures/usdt/positions", false, GateAuth::signature, &GateioFace::positions},
      {"POST", kOrdersPath, false, GateAuth::signature, &GateioFace::new_order},
      {"GET", kOrdersPath, false, GateAuth::signature, &GateioFace::list_orders},
      {"GET", kOrdersPath, true, GateAuth::signature, &GateioFace::get_order},
      {"DELETE", kOrdersPath, true, GateAuth::signature, &GateioFace::cancel_order},
      {"POST", kPriceOrdersPath, false, GateAuth::signature, &GateioFace::new_price_order},
      {"GET", kPriceOrdersPath, false, GateAuth::signature, &GateioFace::list_price_orders},
      {"GET", kPriceOrdersPath, true, GateAuth::signature, &GateioFace::get_price_order},
      {"DELETE", kPriceOrdersPath, true, GateAuth::signature, &GateioFace::cancel_price_order},
  };
  return table;
}

GateioFace::GateioFace(std::shared_ptr<SimExchange> sim, GateioFaceOptions options)
    : sim_(std::move(sim)), options_(std::move(options)), journal_seen_(sim_->journal_size()) {
  if (!is_number(options_.user_id))
    throw std::invalid_argument("gate.io face: user_id must be a number, got " + options_.user_id);
  for (const auto& p : sim_->open_positions()) positions_seen_[{p.symbol, p.side}] = {p.size, p.entry};
}

std::int64_t GateioFace::now_ms() const { return core::wall_now_ms() + skew_ms_; }

HttpAnswer GateioFace::handle(const HttpRequest& request) {
  const Route* route = nullptr;
  std::string tail;
  for (const auto& r : routes()) {
    if (request.method != r.method) continue;
    const std::string_view path = request.path, base = r.path;
    if (!r.has_tail && path == base) route = &r;
    if (r.has_tail && path.size() > base.size() + 1 && path.substr(0, base.size()) == base &&
        path[base.size()] == '/' && path.find('/', base.size() + 1) == std::string_view::npos) {
      route = &r;
      tail = std::string(path.substr(base.size() + 1));
    }
  }
  if (!route)
    return HttpAnswer{404, shapes::error("NOT_FOUND", request.method + " " + request.path + " is not served")};
  // An order request the face refuses (its headers, its body, an unknown or finished order to
  // cancel) never reaches the engine, which journals the rest: it is journaled here, so a client
  // that resends is seen whatever the answer was.
  const auto order = order_request(request);
  const std::size_t journaled = sim_->journal_size();
  auto refuse = [&](const ApiError& e) {
    if (order && sim_->journal_size() == journaled) {
      const bool place = request.method == "POST";
      OrderKind kind = OrderKind::market_close;
      if (request.path.rfind(kPriceOrdersPath, 0) == 0) {
        kind = OrderKind::stop;
        simdjson::dom::parser parser;
        simdjson::dom::object body, initial, trigger;
        std::string_view type;
        std::int64_t size = 0, rule = 0;
        if (place && !parser.parse(request.body).get(body) && !body["trigger"].get(trigger) &&
            !trigger["rule"].get(rule)) {
          if (body["order_type"].get(type)) type = {};  // absent: a general price-triggered order
          if (body["initial"].get(initial) || initial["size"].get(size)) size = 0;
          if (auto k = price_order_kind(type, size, rule)) kind = k->second;
        }
      }
      // In the words the engine uses for its own refusals (ExchangeError::reason()).
      sim_->refused(
          place ? SimEvent::Type::place : SimEvent::Type::cancel, kind, order->client_id,
          fmt::format("{} {} {}", e.label == "ORDER_NOT_FOUND" ? "not_found" : "rejected", e.label, e.message));
    }
    return HttpAnswer{e.status, shapes::error(e.label, e.message)};
  };
  try {
    if (route->auth == GateAuth::signature) check_signature(request);
    return (this->*(route->handler))(Call{request, decode_query(request.query), tail});
  } catch (const ApiError& e) {
    return refuse(e);
  } catch (const std::exception& e) {
    return refuse(invalid(e.what()));
  }
}

HttpAnswer GateioFace::fault_answer(const HttpFault& fault) {
  HttpAnswer a{fault.status, shapes::error(fault.label, fault.msg)};
  if (fault.retry_after_s >= 0) a.headers.emplace_back("Retry-After", std::to_string(fault.retry_after_s));
  return a;
}

HttpAnswer GateioFace::unserved_answer() {
  return HttpAnswer{503, shapes::error("SERVER_ERROR", "Internal server error: the request's outcome is unknown")};
}

std::optional<OrderRequestEvent> GateioFace::order_request(const HttpRequest& request) const {
  if (request.method != "POST" && request.method != "DELETE") return std::nullopt;
  std::string tail;
  bool matched = false;
  for (const std::string base : {kOrdersPath, kPriceOrdersPath}) {
    if (request.path == base) matched = true;
    if (request.path.rfind(base + "/", 0) == 0) {
      matched = true;
      tail = request.path.substr(base.size() + 1);
    }
  }
  if (!matched) return std::nullopt;
  std::string client;
  if (request.method == "POST") {
    simdjson::dom::parser parser;
    simdjson::dom::object body, initial;
    std::string_view text;
    if (!parser.parse(request.body).get(body)) {
      if (!body["text"].get(text))
        client = text;
      else if (!body["initial"].get(initial) && !initial["text"].get(text))
        client = text;
    }
  } else if (is_text(tail)) {
    client = tail;
  }
  OrderRequestEvent event{request.method, request.path, client, false};
  event.api_key = request.header("key");
  return event;
}

std::vector<std::pair<std::string, std::string>> GateioFace::answer_headers() {
  const std::int64_t window = now_ms() / kRateWindowMs;
  if (window != rate_window_) {
    rate_window_ = window;
    rate_count_ = 0;
  }
  ++rate_count_;
  return {{"X-Gate-RateLimit-Requests-Remain", std::to_string(std::max(0, kRateLimit - rate_count_))},
          {"X-Gate-RateLimit-Limit", std::to_string(kRateLimit)},
          {"X-Gate-RateLimit-Reset-Timestamp", std::to_string((window + 1) * kRateWindowMs)}};
}

// SIGN = hex HMAC-SHA512(secret, METHOD\nPATH\nQUERY\nhex(SHA512(body))\nTimestamp), over the path
// with its /api/v4 prefix and the query and body exactly as sent; the Timestamp within 60 s.
void GateioFace::check_signature(const HttpRequest& r) {
  const std::string key = r.header("key"), timestamp = r.header("timestamp"), sign = r.header("sign");
  if (key.empty() || timestamp.empty() || sign.empty())
    throw ApiError{400, "MISSING_REQUIRED_HEADER", "Missing required header: KEY, Timestamp and SIGN are required"};
  if (!key_known(key)) throw ApiError{401, "INVALID_KEY", "Invalid key provided"};
  const std::string payload = r.method + "\n" + r.path + "\n" + r.query + "\n" + sha512_hex(r.body) + "\n" + timestamp;
  if (core::ascii_lower(sign) != hmac_sha512_hex(options_.secret, payload)) {
    ++bad_signatures_;
    throw ApiError{401, "INVALID_SIGNATURE", "Signature mismatch"};
  }
  const auto sent = timestamp_ms(timestamp);
  if (!sent || std::abs(*sent - now_ms()) > kTimestampWindowMs) {
    ++stale_timestamps_;
    throw ApiError{401, "REQUEST_EXPIRED", "Request Timestamp is far from the server time"};
  }
}

bool GateioFace::key_known(std::string_view key) const {
  return key == options_.api_key ||
         std::find(options_.more_api_keys.begin(), options_.more_api_keys.end(), key) != options_.more_api_keys.end();
}

std::optional<core::Symbol> GateioFace::find_contract(std::string_view name) const {
  for (const auto& s : sim_->symbols())
    if (gateio::contract_name(s) == name) return s;
  return std::nullopt;
}

core::Symbol GateioFace::contract_named(std::string_view name, int status_if_unknown) const {
  if (auto s = find_contract(name)) return *s;
  throw ApiError{status_if_unknown, "CONTRACT_NOT_FOUND", fmt::format("Contract not found: {}", name)};
}

// One contract is the instrument's contract_size (Gate.io-like) or else its step_size.
core::Qty GateioFace::multiplier(const core::Symbol& symbol) const {
  const auto f = sim_->filters(symbol);
  return f.contract_size.value_or(f.step_size);
}

shapes::ContractView GateioFace::contract_view(const core::Symbol& symbol) const {
  const auto f = sim_->filters(symbol);
  const Qty one = f.contract_size.value_or(f.step_size);
  return shapes::ContractView{symbol,
                              one,
                              f.tick_size,
                              std::max<std::int64_t>(1, f.min_qty.units() / one.units()),
                              f.max_qty.is_positive() ? f.max_qty.units() / one.units() : kDefaultSizeMax,
                              sim_->mark_price(symbol)};
}

std::int64_t GateioFace::contracts_of(Qty qty, Qty multiplier, const core::Symbol& symbol) {
  if (!qty.is_multiple_of(multiplier))
    throw ApiError{500, "SERVER_ERROR",
                   fmt::format("{}: {} is not a whole number of contracts of {}", gateio::contract_name(symbol),
                               qty.str(), multiplier.str())};
  return qty.units() / multiplier.units();
}

// ---- market data ----

HttpAnswer GateioFace::server_time(const Call&) {
  return HttpAnswer{200, fmt::format(R"({{"server_time":{}}})", now_ms())};
}

HttpAnswer GateioFace::contracts(const Call&) {
  return HttpAnswer{200, json_array(sim_->symbols(),
                                            [&](const core::Symbol& s) { return shapes::contract(contract_view(s)); })};
}

HttpAnswer GateioFace::one_contract(const Call& c) {
  return HttpAnswer{200, shapes::contract(contract_view(contract_named(c.tail, 404)))};
}

HttpAnswer GateioFace::tickers(const Call& c) {
  std::vector<core::Symbol> list = sim_->symbols();
  if (const std::string name = param(c.params, "contract"); !name.empty()) list = {contract_named(name, 404)};
  return HttpAnswer{
      200, json_array(list, [&](const core::Symbol& s) { return shapes::ticker(s, sim_->mark_price(s)); })};
}

// ---- account ----

// Single mode: one row per contract, a short's size negative. Dual mode: a dual_long row (size
// >= 0) and a dual_short row (size <= 0) per contract.
std::vector<shapes::PositionView> GateioFace::position_rows() const {
  std::vector<shapes::PositionView> rows;
  for (const auto& s : sim_->symbols()) {
    const core::Price mark = sim_->mark_price(s);
    const Qty one = multiplier(s);
    auto row_of = [&](Side side, const char* mode) {
      shapes::PositionView r{s, mode, 0, {}, {}, mark, sim_->realized_pnl(s, side)};
      if (auto pos = sim_->position(s, side)) {
        r.base = side == Side::long_ ? pos->size : -pos->size;
        r.size = contracts_of(r.base, one, s);
        r.entry = pos->entry;
      }
      return r;
    };
    if (options_.dual_mode) {
      rows.push_back(row_of(Side::long_, "dual_long"));
      rows.push_back(row_of(Side::short_, "dual_short"));
    } else {
      auto long_row = row_of(Side::long_, "single"), short_row = row_of(Side::short_, "single");
      auto& r = long_row.size != 0 || short_row.size == 0 ? long_row : short_row;
      r.realized = long_row.realized + short_row.realized;
      rows.push_back(r);
    }
  }
  return rows;
}

HttpAnswer GateioFace::accounts(const Call&) {
  shapes::AccountView a;
  a.total = kDeposit;
  a.dual_mode = options_.dual_mode;
  for (const auto& s : sim_->symbols())
    for (Side side : {Side::long_, Side::short_}) a.total += sim_->realized_pnl(s, side);
  for (const auto& r : position_rows()) {
    a.unrealized += r.unrealized();
    a.position_margin += r.margin();
  }
  return HttpAnswer{200, shapes::account(a, options_.user_id)};
}

HttpAnswer GateioFace::positions(const Call& c) {
  const std::string holding = param(c.params, "holding");
  if (!holding.empty() && holding != "true" && holding != "false")
    throw invalid("Invalid parameter `holding` with value: " + holding);
  auto rows = position_rows();
  if (holding == "true") std::erase_if(rows, [](const shapes::PositionView& r) { return r.size == 0; });
  const std::int64_t now = now_ms();
  return HttpAnswer{200, json_array(page(rows, page_of(c.params)), [&](const shapes::PositionView& r) {
                      return shapes::position(r, options_.user_id, now);
                    })};
}

}  // namespace ptp::exchange::loopback
