// The simulator's Gate.io face on its own, request by request (no sockets): the signed-request
// checks, Gate's routes, labels and shapes, sizes in contracts, the journal entry every order request
// leaves (refused or not), and the websocket channels. Requests are signed here from the protocol
// text with the HMAC primitives, independently of the adapter's signing code.
#include <catch2/catch.hpp>
#include <simdjson.h>

#include <fmt/format.h>

#include <deque>
#include <tuple>

#include "core/config/config.hpp"
#include "exchange/hmac.hpp"
#include "sim/gateio/face.hpp"

using namespace ptp;
using core::Price;
using core::Qty;
using core::Side;
using exchange::SimEvent;
using exchange::SimFault;
using exchange::loopback::GateioFace;
using exchange::loopback::GateioFaceOptions;
using exchange::loopback::HttpAnswer;
using exchange::loopback::HttpRequest;
using exchange::loopback::WsReply;
using exchange::loopback::WsSession;

namespace {

const core::Symbol kEth = core::Symbol::parse("ETH");
const core::Symbol kBtc = core::Symbol::parse("BTC");

// ETH: Gate-like contracts of 0.01 (at most 10000 an order), long 1.5 @ 2000 = 150 contracts with
// the user's stop at 1950. BTC: Binance-like step sizes (one contract = one step of 0.001, 2 to
// 5000 of them), flat at 60000.
const char* kGateSim = R"(
[node]
exchange = "sim"
account = "t"
mode = "execute"
storage_path = "unused"
symbols = ["ETH", "BTC"]
[sim]
seed = 3
[[sim.instrument]]
symbol = "ETH"
tick_size = "0.01"
contract_size = "0.01"
max_contracts = 10000
[[sim.instrument]]
symbol = "BTC"
tick_size = "0.1"
step_size = "0.001"
min_qty = "0.002"
max_qty = "5"
start_price = "60000"
[[sim.position]]
symbol = "ETH"
side = "long"
entry = "2000"
size = "1.5"
stop = "1950"
)";

constexpr const char* kText = "t-p0123456789abcdef-1-c";

std::string close_body(std::int64_t size, const std::string& text = kText, const std::string& contract = "ETH_USDT") {
  return fmt::format(R"({{"contract":"{}","size":{},"price":"0","tif":"ioc","reduce_only":true{}}})", contract, size,
                     text.empty() ? "" : fmt::format(R"(,"text":"{}")", text));
}

std::string price_order_body(const std::string& order_type, std::int64_t size, const std::string& trigger, int rule) {
  return fmt::format(
      R"({{"initial":{{"contract":"ETH_USDT","size":{},"price":"0","tif":"ioc","reduce_only":true}},"trigger":{{"strategy_type":0,"price_type":1,"price":"{}","rule":{},"expiration":0}},"order_type":"{}"}})",
      size, trigger, rule, order_type);
}

// A face over the Gate tests' simulator, and requests signed as the protocol says.
struct Face {
  std::shared_ptr<exchange::SimExchange> sim =
      std::make_shared<exchange::SimExchange>(*config::parse_config(kGateSim, "gate-sim.toml").sim);
  GateioFaceOptions options;
  std::unique_ptr<GateioFace> face;
  std::deque<simdjson::dom::parser> parsers;  // one per answer: a parse invalidates the parser's last document

  explicit Face(bool dual = false, std::vector<std::string> more_api_keys = {}) {
    options.dual_mode = dual;
    options.more_api_keys = std::move(more_api_keys);
    face = std::make_unique<GateioFace>(sim, options);
  }
  // `path` after "/api/v4"; signed at the face's own clock unless told otherwise.
  HttpRequest signed_request(const std::string& method, const std::string& path, const std::string& query = {},
                             const std::string& body = {}, std::optional<std::int64_t> timestamp_s = std::nullopt,
                             const std::string& secret = "ptp-sim-api-secret") {
    HttpRequest r{method, "/api/v4" + path, query, body, {}};
    const std::string ts = std::to_string(timestamp_s.value_or(face->now_ms() / 1000));
    r.headers["key"] = options.api_key;
    r.headers["timestamp"] = ts;
    r.headers["sign"] = exchange::hmac_sha512_hex(
        secret, method + "\n/api/v4" + path + "\n" + query + "\n" + exchange::sha512_hex(body) + "\n" + ts);
    return r;
  }
  HttpAnswer call(const std::string& method, const std::string& path, const std::string& query = {},
                  const std::string& body = {}) {
    return face->handle(signed_request(method, path, query, body));
  }
  HttpAnswer public_get(const std::string& path, const std::string& query = {}) {
    return face->handle(HttpRequest{"GET", "/api/v4" + path, query, {}, {}});
  }
  // The answer's body as JSON, after checking its status.
  simdjson::dom::element json(const HttpAnswer& a, int status = 200) {
    INFO(a.body);
    REQUIRE(a.status == status);
    return parsers.emplace_back().parse(a.body);
  }
  simdjson::dom::element parse(const std::string& text) { return parsers.emplace_back().parse(text); }
  std::string label(const HttpAnswer& a, int status) { return text(json(a, status), "label"); }
  static std::string text(simdjson::dom::element e, const char* key) { return std::string(std::string_view(e[key])); }
  static std::int64_t integer(simdjson::dom::element e, const char* key) { return e[key].get_int64().value(); }
  std::string id_of(const HttpAnswer& a, int status = 201) { return std::to_string(integer(json(a, status), "id")); }
};

// What a websocket connection was sent.
struct Socket {
  std::vector<std::string> sent;
  WsReply reply{[this](const std::string& frame) { sent.push_back(frame); }, [](int, const std::string&) {}};
};

std::string ws_request(const std::string& channel, const std::string& event, const std::string& payload,
                       std::int64_t time = 1700000000, const std::string& auth = {}) {
  return fmt::format(R"({{"time":{},"channel":"{}","event":"{}","payload":{}{}}})", time, channel, event, payload,
                     auth.empty() ? "" : R"(,"auth":)" + auth);
}

std::string ws_auth(const std::string& channel, const std::string& event, std::int64_t time,
                    const std::string& secret = "ptp-sim-api-secret", const std::string& key = "ptp-sim-api-key") {
  return fmt::format(
      R"({{"method":"api_key","KEY":"{}","SIGN":"{}"}})", key,
      exchange::hmac_sha512_hex(secret, fmt::format("channel={}&event={}&time={}", channel, event, time)));
}

}  // namespace

TEST_CASE("gateio face: the test's signing reproduces Gate's published signature", "[gateio][face]") {
  // ../shared/exchange-apis.md §5.2, vector (1): key "key", secret "secret".
  const std::string payload = "GET\n/api/v4/futures/orders\ncontract=BTC_USD&status=finished&limit=50\n" +
                              exchange::sha512_hex("") + "\n1541993715";
  CHECK(exchange::hmac_sha512_hex("secret", payload) ==
        "55f84ea195d6fe57ce62464daaa7c3c02fa9d1dde954e4c898289c9a2407a3d6fb3faf24deff16790d726b66ac9f74526668b13bd01029"
        "199cc4fcc522418b8a");
}

TEST_CASE("gateio face: signed routes check the headers then the key then the signature then the timestamp",
          "[gateio][face]") {
  Face f;
  CHECK(f.json(f.call("GET", "/futures/usdt/accounts")).is_object());
  HttpRequest bare{"GET", "/api/v4/futures/usdt/accounts", "", "", {}};
  CHECK(f.label(f.face->handle(bare), 400) == "MISSING_REQUIRED_HEADER");
  auto wrong_key = f.signed_request("GET", "/futures/usdt/accounts");
  wrong_key.headers["key"] = "someone-else";
  CHECK(f.label(f.face->handle(wrong_key), 401) == "INVALID_KEY");
  auto wrong_secret = f.signed_request("GET", "/futures/usdt/accounts", "", "", std::nullopt, "not-the-secret");
  CHECK(f.label(f.face->handle(wrong_secret), 401) == "INVALID_SIGNATURE");
  auto tampered = f.signed_request("GET", "/futures/usdt/positions", "holding=true");
  tampered.query = "holding=false";  // the query is signed as sent
  CHECK(f.label(f.face->handle(tampered), 401) == "INVALID_SIGNATURE");
  CHECK(f.face->counters().bad_signatures == 2);
  CHECK(f.face->counters().stale_timestamps == 0);

  const std::int64_t now_s = f.face->now_ms() / 1000;
  simdjson::dom::element stale =
      f.json(f.face->handle(f.signed_request("GET", "/futures/usdt/accounts", "", "", now_s - 61)), 401);
  CHECK(Face::text(stale, "label") == "REQUEST_EXPIRED");
  CHECK(Face::text(stale, "message") == "Request Timestamp is far from the server time");
  CHECK(f.face->handle(f.signed_request("GET", "/futures/usdt/accounts", "", "", now_s + 55)).status == 200);
  // The server's clock 61 s ahead: a client on the wall clock is refused, one that resynced is not.
  const std::int64_t wall_s = core::wall_now_ms() / 1000;
  f.face->set_clock_skew(std::chrono::seconds(61));
  CHECK(f.label(f.face->handle(f.signed_request("GET", "/futures/usdt/accounts", "", "", wall_s)), 401) ==
        "REQUEST_EXPIRED");
  CHECK(f.face->counters().stale_timestamps == 2);
  const std::int64_t server_s = Face::integer(f.json(f.public_get("/spot/time")), "server_time") / 1000;
  CHECK(server_s - wall_s >= 60);
  CHECK(f.face->handle(f.signed_request("GET", "/futures/usdt/accounts", "", "", server_s)).status == 200);

  // Public routes take no headers; a path Gate does not have is a 404.
  CHECK(f.public_get("/futures/usdt/contracts").status == 200);
  CHECK(f.public_get("/futures/usdt/nothing").status == 404);
  CHECK(f.call("PUT", "/futures/usdt/orders").status == 404);
}

TEST_CASE("gateio face: contracts come from the engine's filters in whole contracts", "[gateio][face]") {
  Face f;
  simdjson::dom::element eth = f.json(f.public_get("/futures/usdt/contracts/ETH_USDT"));
  CHECK(Face::text(eth, "name") == "ETH_USDT");
  CHECK(Face::text(eth, "quanto_multiplier") == "0.01");  // contract_size
  CHECK(Face::text(eth, "order_price_round") == "0.01");
  CHECK(Face::text(eth, "mark_price") == "2000");
  CHECK(Face::integer(eth, "order_size_min") == 1);
  CHECK(Face::integer(eth, "order_size_max") == 10000);
  CHECK(Face::text(eth, "status") == "trading");
  CHECK_FALSE(eth["in_delisting"].get_bool().value());
  simdjson::dom::element btc = f.json(f.public_get("/futures/usdt/contracts/BTC_USDT"));
  CHECK(Face::text(btc, "quanto_multiplier") == "0.001");  // one step
  CHECK(Face::text(btc, "order_price_round") == "0.1");
  CHECK(Face::integer(btc, "order_size_min") == 2);     // 0.002 / 0.001
  CHECK(Face::integer(btc, "order_size_max") == 5000);  // 5 / 0.001
  CHECK(f.json(f.public_get("/futures/usdt/contracts")).get_array().size() == 2);
  CHECK(f.label(f.public_get("/futures/usdt/contracts/DOGE_USDT"), 404) == "CONTRACT_NOT_FOUND");

  f.sim->set_mark(kEth, Price::parse("2000.5"));
  simdjson::dom::array tickers = f.json(f.public_get("/futures/usdt/tickers", "contract=ETH_USDT")).get_array();
  REQUIRE(tickers.size() == 1);
  CHECK(Face::text(tickers.at(0), "contract") == "ETH_USDT");
  CHECK(Face::text(tickers.at(0), "mark_price") == "2000.5");
  CHECK(Face::text(tickers.at(0), "last") == "2000.5");
  CHECK(f.json(f.public_get("/futures/usdt/tickers")).get_array().size() == 2);
}

TEST_CASE("gateio face: a reduce-only close fills and its text finds it for 60 s then only its id does",
          "[gateio][face]") {
  Face f;
  simdjson::dom::element placed = f.json(f.call("POST", "/futures/usdt/orders", "", close_body(-50)), 201);
  CHECK(Face::text(placed, "status") == "finished");
  CHECK(Face::text(placed, "finish_as") == "filled");
  CHECK(Face::integer(placed, "size") == -50);
  CHECK(Face::integer(placed, "left") == 0);
  CHECK(Face::text(placed, "fill_price") == "2000");
  CHECK(Face::text(placed, "price") == "0");
  CHECK(Face::text(placed, "text") == kText);
  CHECK(Face::text(placed, "contract") == "ETH_USDT");
  CHECK(placed["is_reduce_only"].get_bool().value());
  CHECK(Face::integer(placed, "user") == 10001);
  const std::string id = std::to_string(Face::integer(placed, "id"));
  CHECK(f.sim->position(kEth, Side::long_)->size == Qty::parse("1"));  // 50 contracts of 0.01
  CHECK(f.face->counters().order_posts == 1);

  CHECK(Face::text(f.json(f.call("GET", std::string("/futures/usdt/orders/") + kText)), "finish_as") == "filled");
  f.face->set_clock_skew(std::chrono::seconds(59));
  CHECK(f.call("GET", std::string("/futures/usdt/orders/") + kText).status == 200);
  f.face->set_clock_skew(std::chrono::seconds(61));  // 61 s after it finished
  CHECK(f.label(f.call("GET", std::string("/futures/usdt/orders/") + kText), 404) == "ORDER_NOT_FOUND");
  CHECK(Face::text(f.json(f.call("GET", "/futures/usdt/orders/" + id)), "text") == kText);
  simdjson::dom::array finished =
      f.json(f.call("GET", "/futures/usdt/orders", "contract=ETH_USDT&status=finished&limit=100&offset=0")).get_array();
  REQUIRE(finished.size() == 1);
  CHECK(Face::text(finished.at(0), "text") == kText);
  CHECK(f.json(f.call("GET", "/futures/usdt/orders", "contract=ETH_USDT&status=open")).get_array().size() == 0);
  CHECK(f.label(f.call("GET", "/futures/usdt/orders", "status=finished"), 400) == "INVALID_PARAM_VALUE");
}

TEST_CASE("gateio face: the finished list is newest first and the same text can be sent again", "[gateio][face]") {
  Face f;
  const auto first = f.id_of(f.call("POST", "/futures/usdt/orders", "", close_body(-10)));
  const auto second = f.id_of(f.call("POST", "/futures/usdt/orders", "", close_body(-20)));
  simdjson::dom::array list =
      f.json(f.call("GET", "/futures/usdt/orders", "contract=ETH_USDT&status=finished")).get_array();
  REQUIRE(list.size() == 2);
  CHECK(std::to_string(Face::integer(list.at(0), "id")) == second);
  CHECK(std::to_string(Face::integer(list.at(1), "id")) == first);
  CHECK(f.json(f.call("GET", "/futures/usdt/orders", "contract=ETH_USDT&status=finished&limit=1&offset=1"))
            .get_array()
            .size() == 1);
  // By text: the latest.
  CHECK(Face::integer(f.json(f.call("GET", std::string("/futures/usdt/orders/") + kText)), "size") == -20);
  CHECK(f.sim->placements(kText) == 2);
}

TEST_CASE("gateio face: a resting close is listed open and cancelled by its text then is finished", "[gateio][face]") {
  Face f;
  SimFault late;
  late.type = SimFault::Type::delay_fill;
  late.fill_after_queries = 1000;  // rests until cancelled: no price move comes
  f.sim->inject(late);
  simdjson::dom::element placed = f.json(f.call("POST", "/futures/usdt/orders", "", close_body(-50)), 201);
  CHECK(Face::text(placed, "status") == "open");
  CHECK(Face::integer(placed, "left") == -50);
  simdjson::dom::array open =
      f.json(f.call("GET", "/futures/usdt/orders", "contract=ETH_USDT&status=open")).get_array();
  REQUIRE(open.size() == 1);
  CHECK(Face::text(open.at(0), "text") == kText);
  simdjson::dom::element cancelled = f.json(f.call("DELETE", std::string("/futures/usdt/orders/") + kText));
  CHECK(Face::text(cancelled, "status") == "finished");
  CHECK(Face::text(cancelled, "finish_as") == "cancelled");
  CHECK(Face::integer(cancelled, "left") == -50);
  CHECK(f.label(f.call("DELETE", std::string("/futures/usdt/orders/") + kText), 400) == "ORDER_FINISHED");
  CHECK(f.label(f.call("DELETE", "/futures/usdt/orders/99999"), 404) == "ORDER_NOT_FOUND");
  std::vector<std::string> seen;
  for (const auto& e : f.sim->journal())
    if (e.type == SimEvent::Type::cancel) seen.push_back(e.client_id + (e.accepted ? " ok" : " " + e.answer));
  CHECK(seen ==
        std::vector<std::string>{std::string(kText) + " ok",
                                 std::string(kText) + " rejected ORDER_FINISHED Order already finished: " + kText,
                                 " not_found ORDER_NOT_FOUND Order not found: 99999"});
}

TEST_CASE("gateio face: querying a close that is slow to fill advances it as the engine does", "[gateio][face]") {
  Face f;
  SimFault slow;
  slow.type = SimFault::Type::delay_fill;
  slow.fill_after_queries = 1;
  f.sim->inject(slow);
  const auto id = f.id_of(f.call("POST", "/futures/usdt/orders", "", close_body(-50)));
  CHECK(f.sim->order(id)->status == core::OrderStatus::open);
  simdjson::dom::element queried = f.json(f.call("GET", "/futures/usdt/orders/" + id));
  CHECK(Face::text(queried, "finish_as") == "filled");
  CHECK(Face::text(queried, "fill_price") == "2000");
}

TEST_CASE("gateio face: price orders are placed against the mark then listed then fired or cancelled",
          "[gateio][face]") {
  Face f;
  // A take-profit of 50 contracts of the long (rule 1: fires when the mark >= 2100).
  simdjson::dom::element placed = f.json(
      f.call("POST", "/futures/usdt/price_orders", "", price_order_body("plan-close-long-position", -50, "2100", 1)),
      201);
  REQUIRE(placed.get_object().size() == 1);  // Gate answers the id only
  const std::string tp = std::to_string(Face::integer(placed, "id"));
  CHECK(f.sim->order(tp)->kind == core::OrderKind::take_profit);
  CHECK(f.sim->order(tp)->qty == Qty::parse("0.5"));
  // The rule on the wrong side of the mark, a size of the wrong sign, an unknown order type.
  CHECK(f.label(f.call("POST", "/futures/usdt/price_orders", "",
                       price_order_body("plan-close-long-position", -50, "1900", 1)),
                400) == "INVALID_PARAM_VALUE");
  CHECK(f.label(f.call("POST", "/futures/usdt/price_orders", "",
                       price_order_body("plan-close-long-position", -50, "2100", 2)),
                400) == "INVALID_PARAM_VALUE");
  CHECK(f.label(f.call("POST", "/futures/usdt/price_orders", "",
                       price_order_body("plan-close-long-position", 50, "2100", 1)),
                400) == "INVALID_PARAM_VALUE");
  CHECK(f.label(f.call("POST", "/futures/usdt/price_orders", "", price_order_body("close-long-order", -50, "2100", 1)),
                400) == "INVALID_PARAM_VALUE");
  // No short to close.
  CHECK(f.label(f.call("POST", "/futures/usdt/price_orders", "",
                       price_order_body("plan-close-short-position", 0, "2100", 1)),
                400) == "POSITION_EMPTY");
  // A stop for the whole position (size 0), then cancelled.
  const std::string stop = f.id_of(
      f.call("POST", "/futures/usdt/price_orders", "", price_order_body("plan-close-long-position", 0, "1900", 2)));
  CHECK(f.sim->order(stop)->kind == core::OrderKind::stop);
  CHECK(f.sim->order(stop)->qty.is_zero());  // the whole position when it fires

  simdjson::dom::array open =
      f.json(f.call("GET", "/futures/usdt/price_orders", "status=open&contract=ETH_USDT")).get_array();
  REQUIRE(open.size() == 3);  // newest first: the stop, the take-profit, the user's own stop
  CHECK(std::to_string(Face::integer(open.at(0), "id")) == stop);
  CHECK(Face::integer(open.at(0)["initial"], "size") == 0);
  CHECK(Face::integer(open.at(0)["trigger"], "rule") == 2);
  CHECK(std::to_string(Face::integer(open.at(1), "id")) == tp);
  CHECK(Face::text(open.at(1), "order_type") == "plan-close-long-position");
  CHECK(Face::text(open.at(1)["trigger"], "price") == "2100");
  CHECK(Face::integer(open.at(1)["trigger"], "price_type") == 1);
  simdjson::dom::element user_stop = open.at(2);
  CHECK(Face::integer(user_stop["initial"], "size") == -150);
  CHECK(Face::text(user_stop["trigger"], "price") == "1950");
  CHECK(Face::integer(user_stop["trigger"], "rule") == 2);
  CHECK(Face::text(user_stop, "status") == "open");

  simdjson::dom::element cancelled = f.json(f.call("DELETE", "/futures/usdt/price_orders/" + stop));
  CHECK(Face::text(cancelled, "status") == "finished");
  CHECK(Face::text(cancelled, "finish_as") == "cancelled");
  CHECK(f.label(f.call("DELETE", "/futures/usdt/price_orders/" + stop), 404) == "ORDER_NOT_FOUND");

  f.sim->set_mark(kEth, Price::parse("2100"));  // the take-profit fires
  simdjson::dom::element fired = f.json(f.call("GET", "/futures/usdt/price_orders/" + tp));
  CHECK(Face::text(fired, "status") == "finished");
  CHECK(Face::text(fired, "finish_as") == "succeeded");
  CHECK(f.sim->position(kEth, Side::long_)->size == Qty::parse("1"));
  CHECK(f.json(f.call("GET", "/futures/usdt/price_orders", "status=finished")).get_array().size() == 2);
  CHECK(f.json(f.call("GET", "/futures/usdt/price_orders", "status=open")).get_array().size() == 1);
  CHECK(f.label(f.call("GET", "/futures/usdt/price_orders/99999"), 404) == "ORDER_NOT_FOUND");
  CHECK(f.label(f.call("GET", "/futures/usdt/price_orders"), 400) == "INVALID_PARAM_VALUE");  // status is required
  // A market order's id is no price order's, and the other way round.
  CHECK(f.call("GET", "/futures/usdt/orders/" + tp).status == 404);
}

// order_type is optional on Gate (FuturesPriceTriggeredOrder): ccxt's gate class sends stopLossPrice,
// takeProfitPrice and triggerPrice on a swap as a general price-triggered order, without one.
TEST_CASE("gateio face: a price order without order_type closes the position its reduce-only size reduces",
          "[gateio][face]") {
  Face f;
  f.sim->open_position(kBtc, Side::short_, Price::parse("60000"), Qty::parse("0.01"), std::nullopt);
  auto body = [](const std::string& contract, std::int64_t size, const std::string& trigger, int rule,
                 bool reduce_only = true) {
    return fmt::format(
        R"({{"initial":{{"contract":"{}","size":{},"price":"0","reduce_only":{},"tif":"ioc"}},)"
        R"("trigger":{{"price_type":0,"price":"{}","rule":{}}}}})",
        contract, size, reduce_only ? "true" : "false", trigger, rule);
  };
  // What ccxt sends for a sell with stopLossPrice 1900 (rule 2) and takeProfitPrice 2500 (rule 1).
  const std::string stop = f.id_of(f.call("POST", "/futures/usdt/price_orders", "", body("ETH_USDT", -40, "1900", 2)));
  const std::string tp = f.id_of(f.call("POST", "/futures/usdt/price_orders", "", body("ETH_USDT", -30, "2500", 1)));
  // A buy reduces the short: rule 1 is its stop.
  const std::string short_stop =
      f.id_of(f.call("POST", "/futures/usdt/price_orders", "", body("BTC_USDT", 5, "61000", 1)));
  for (const auto& [id, kind, side, qty] : {std::tuple{stop, core::OrderKind::stop, Side::long_, "0.4"},
                                            std::tuple{tp, core::OrderKind::take_profit, Side::long_, "0.3"},
                                            std::tuple{short_stop, core::OrderKind::stop, Side::short_, "0.005"}}) {
    INFO(id);
    const auto o = f.sim->order(id);
    REQUIRE(o);
    CHECK(o->kind == kind);
    CHECK(o->position_side == side);
    CHECK(o->qty == Qty::parse(qty));
  }
  simdjson::dom::element fetched = f.json(f.call("GET", "/futures/usdt/price_orders/" + stop));
  CHECK(Face::text(fetched, "order_type").empty());  // as sent: none
  CHECK(Face::integer(fetched["initial"], "size") == -40);
  CHECK(Face::integer(fetched["trigger"], "price_type") == 0);
  CHECK(Face::integer(fetched["trigger"], "rule") == 2);
  // Not simulated: a trigger that would open (not reduce-only), or that closes everything (size 0)
  // without naming the position. Refusals are journaled with the kind the rule makes.
  CHECK(f.label(f.call("POST", "/futures/usdt/price_orders", "", body("ETH_USDT", -30, "2500", 1, false)), 400) ==
        "INVALID_PARAM_VALUE");
  CHECK(f.label(f.call("POST", "/futures/usdt/price_orders", "", body("ETH_USDT", 0, "2500", 1)), 400) ==
        "INVALID_PARAM_VALUE");
  CHECK(f.sim->journal().back().kind == core::OrderKind::stop);  // size 0: no position named, the default
  CHECK(f.label(f.call("POST", "/futures/usdt/price_orders", "", body("ETH_USDT", -30, "2000", 1)), 400) ==
        "INVALID_PARAM_VALUE");  // rule 1 needs a trigger above the mark
  CHECK(f.sim->journal().back().kind == core::OrderKind::take_profit);
  CHECK(f.sim->journal().back().answer.find("rule 1") != std::string::npos);
}

TEST_CASE("gateio face: positions in single mode are one signed row per contract and in dual mode two",
          "[gateio][face]") {
  Face single(false);
  single.sim->set_mark(kEth, Price::parse("2100"));
  simdjson::dom::array rows = single.json(single.call("GET", "/futures/usdt/positions")).get_array();
  REQUIRE(rows.size() == 2);  // ETH and the flat BTC
  simdjson::dom::array held = single.json(single.call("GET", "/futures/usdt/positions", "holding=true")).get_array();
  REQUIRE(held.size() == 1);
  CHECK(Face::text(held.at(0), "contract") == "ETH_USDT");
  CHECK(Face::integer(held.at(0), "size") == 150);
  CHECK(Face::text(held.at(0), "mode") == "single");
  CHECK(Face::text(held.at(0), "entry_price") == "2000");
  CHECK(Face::text(held.at(0), "mark_price") == "2100");
  CHECK(Face::text(held.at(0), "unrealised_pnl") == "150");
  single.sim->open_position(kBtc, Side::short_, Price::parse("60000"), Qty::parse("0.25"), std::nullopt);
  held = single.json(single.call("GET", "/futures/usdt/positions", "holding=true")).get_array();
  REQUIRE(held.size() == 2);  // BTC_USDT, ETH_USDT
  CHECK(Face::text(held.at(0), "contract") == "BTC_USDT");
  CHECK(Face::integer(held.at(0), "size") == -250);  // a short is negative, in steps of 0.001
  simdjson::dom::element account = single.json(single.call("GET", "/futures/usdt/accounts"));
  CHECK(Face::integer(account, "user") == 10001);
  CHECK_FALSE(account["in_dual_mode"].get_bool().value());
  CHECK(Face::text(account, "total") == "10000");
  CHECK(Face::text(account, "unrealised_pnl") == "150");

  Face dual(true);
  dual.sim->open_position(kEth, Side::short_, Price::parse("2000"), Qty::parse("0.3"), std::nullopt);
  rows = dual.json(dual.call("GET", "/futures/usdt/positions")).get_array();
  REQUIRE(rows.size() == 4);  // dual_long and dual_short of each contract
  held = dual.json(dual.call("GET", "/futures/usdt/positions", "holding=true")).get_array();
  REQUIRE(held.size() == 2);
  CHECK(Face::text(held.at(0), "mode") == "dual_long");
  CHECK(Face::integer(held.at(0), "size") == 150);
  CHECK(Face::text(held.at(1), "mode") == "dual_short");
  CHECK(Face::integer(held.at(1), "size") == -30);
  CHECK(dual.json(dual.call("GET", "/futures/usdt/accounts"))["in_dual_mode"].get_bool().value());
}

TEST_CASE("gateio face: engine refusals answer in Gate's labels", "[gateio][face]") {
  Face f;
  // A reduce-only buy: there is no short to reduce.
  CHECK(f.label(f.call("POST", "/futures/usdt/orders", "", close_body(50, "t-buy")), 400) == "POSITION_EMPTY");
  CHECK(f.label(f.call("POST", "/futures/usdt/orders", "", close_body(-5, "t-btc", "BTC_USDT")), 400) ==
        "POSITION_EMPTY");
  CHECK(f.label(f.call("POST", "/futures/usdt/orders", "", close_body(-10001, "t-big")), 400) == "SIZE_TOO_LARGE");
  CHECK(f.label(f.call("POST", "/futures/usdt/orders", "", close_body(-1, "t-small", "BTC_USDT")), 400) ==
        "SIZE_TOO_SMALL");
  CHECK(f.label(f.call("POST", "/futures/usdt/orders", "", close_body(-1, "t-doge", "DOGE_USDT")), 400) ==
        "CONTRACT_NOT_FOUND");
  CHECK(
      f.label(f.call("POST", "/futures/usdt/orders", "",
                     R"({"contract":"ETH_USDT","size":0,"price":"0","tif":"ioc","reduce_only":true,"text":"t-zero"})"),
              400) == "INVALID_PARAM_VALUE");
  CHECK(
      f.label(
          f.call("POST", "/futures/usdt/orders", "",
                 R"({"contract":"ETH_USDT","size":-5,"price":"2000","tif":"gtc","reduce_only":true,"text":"t-limit"})"),
          400) == "INVALID_PARAM_VALUE");  // limit orders are not simulated
  // An injected refusal that already speaks Gate, and one in the engine's Binance words with a position open.
  SimFault gate;
  gate.code = "POSITION_EMPTY";
  gate.message = "Position is empty";
  f.sim->inject(gate);
  simdjson::dom::element injected = f.json(f.call("POST", "/futures/usdt/orders", "", close_body(-5, "t-fault")), 400);
  CHECK(Face::text(injected, "label") == "POSITION_EMPTY");
  CHECK(Face::text(injected, "message") == "Position is empty");
  f.sim->inject(SimFault{});  // -2022 ReduceOnly Order is rejected.
  CHECK(f.label(f.call("POST", "/futures/usdt/orders", "", close_body(-5, "t-exceed")), 400) == "REDUCE_EXCEEDED");
  CHECK(f.sim->position(kEth, Side::long_)->size == Qty::parse("1.5"));  // nothing filled
  CHECK(f.face->counters().order_posts == 6);                            // those that reached the engine

  // A timeout after the engine accepted: a 5xx, and the order is there under its text.
  SimFault lost;
  lost.type = SimFault::Type::timeout_after_accept;
  f.sim->inject(lost);
  CHECK(f.label(f.call("POST", "/futures/usdt/orders", "", close_body(-5, "t-lost")), 500) == "SERVER_ERROR");
  simdjson::dom::element found = f.json(f.call("GET", "/futures/usdt/orders/t-lost"));
  CHECK(Face::text(found, "finish_as") == "filled");
  CHECK(Face::integer(found, "size") == -5);
}

TEST_CASE("gateio face: reduce-only in dual mode may not exceed the position", "[gateio][face]") {
  Face f(true);
  CHECK(f.label(f.call("POST", "/futures/usdt/orders", "", close_body(-151)), 400) == "REDUCE_EXCEEDED");
  CHECK(f.json(f.call("POST", "/futures/usdt/orders", "", close_body(-150)), 201).is_object());
  CHECK_FALSE(f.sim->position(kEth, Side::long_));
  // Dual mode closes a whole side with size 0 and auto_size.
  f.sim->open_position(kEth, Side::short_, Price::parse("2000"), Qty::parse("0.4"), std::nullopt);
  simdjson::dom::element closed = f.json(
      f.call(
          "POST", "/futures/usdt/orders", "",
          R"({"contract":"ETH_USDT","size":0,"price":"0","tif":"ioc","reduce_only":true,"auto_size":"close_short","text":"t-all"})"),
      201);
  CHECK(Face::integer(closed, "size") == 40);
  CHECK_FALSE(f.sim->position(kEth, Side::short_));
}

TEST_CASE(
    "gateio face: in single mode close with size 0 closes the whole position and a larger reduce-only order "
    "is cut to it",
    "[gateio][face]") {
  Face f;
  simdjson::dom::element cut = f.json(f.call("POST", "/futures/usdt/orders", "", close_body(-200, "t-cut")), 201);
  CHECK(Face::text(cut, "finish_as") == "reduce_only");  // the rest would have opened a short
  CHECK(Face::integer(cut, "size") == -200);
  CHECK(Face::integer(cut, "left") == -50);
  CHECK_FALSE(f.sim->position(kEth, Side::long_));
  f.sim->open_position(kEth, Side::short_, Price::parse("2000"), Qty::parse("0.2"), std::nullopt);
  const std::string close_all =
      R"({"contract":"ETH_USDT","size":0,"price":"0","tif":"ioc","close":true,"text":"t-all"})";
  simdjson::dom::element closed = f.json(f.call("POST", "/futures/usdt/orders", "", close_all), 201);
  CHECK(Face::integer(closed, "size") == 20);
  CHECK(closed["is_close"].get_bool().value());
  CHECK_FALSE(f.sim->position(kEth, Side::short_));
  CHECK(f.label(f.call("POST", "/futures/usdt/orders", "", close_all), 400) == "POSITION_EMPTY");
}

TEST_CASE("gateio face: a trader's order that is not reduce-only opens through the engine", "[gateio][face]") {
  Face f;
  simdjson::dom::element opened =
      f.json(f.call("POST", "/futures/usdt/orders", "",
                    R"({"contract":"BTC_USDT","size":-10,"price":"0","tif":"ioc","text":"t-trader"})"),
             201);
  CHECK_FALSE(opened["is_reduce_only"].get_bool().value());
  CHECK(f.sim->position(kBtc, Side::short_)->size == Qty::parse("0.01"));
  // Without text: Gate's "api", and the engine has it under an id of the face's own.
  simdjson::dom::element anonymous = f.json(
      f.call("POST", "/futures/usdt/orders", "", R"({"contract":"BTC_USDT","size":-10,"price":"0","tif":"ioc"})"), 201);
  CHECK(Face::text(anonymous, "text") == "api");
  CHECK(f.sim->position(kBtc, Side::short_)->size == Qty::parse("0.02"));
}

TEST_CASE("gateio face: refused order requests are journaled so a resend is seen", "[gateio][face]") {
  Face f;
  CHECK(f.label(f.call("POST", "/futures/usdt/orders", "", close_body(-5, "abc")), 400) == "INVALID_PARAM_VALUE");
  CHECK(f.label(f.call("POST", "/futures/usdt/orders", "", close_body(-5, "t-" + std::string(29, 'x'))), 400) ==
        "INVALID_PARAM_VALUE");
  CHECK(f.sim->placements("abc") == 1);
  // Unsigned, then signed: the same text placed twice.
  const std::string body = close_body(-5, "t-resent");
  auto unsigned_post = f.signed_request("POST", "/futures/usdt/orders", "", body, std::nullopt, "wrong-secret");
  CHECK(f.label(f.face->handle(unsigned_post), 401) == "INVALID_SIGNATURE");
  CHECK(f.json(f.call("POST", "/futures/usdt/orders", "", body), 201).is_object());
  CHECK(f.sim->placements("t-resent") == 2);
  CHECK(f.face->counters().order_posts == 1);
  std::vector<std::string> answers;
  for (const auto& e : f.sim->journal())
    if (e.type == SimEvent::Type::place) answers.push_back(e.client_id + " " + e.answer);
  REQUIRE(answers.size() == 4);
  CHECK(answers[0] == "abc rejected INVALID_PARAM_VALUE Invalid parameter `text` with value: abc");
  CHECK(answers[2] == "t-resent rejected INVALID_SIGNATURE Signature mismatch");
  CHECK(answers[3] == "t-resent ok");
}

TEST_CASE("gateio face: order requests are named for the hook and faults answer in Gate's shape", "[gateio][face]") {
  Face f;
  const auto post = f.face->order_request(f.signed_request("POST", "/futures/usdt/orders", "", close_body(-5)));
  REQUIRE(post);
  CHECK(post->client_id == kText);
  const auto cancel = f.face->order_request(f.signed_request("DELETE", "/futures/usdt/orders/t-abc"));
  REQUIRE(cancel);
  CHECK(cancel->client_id == "t-abc");
  const auto price = f.face->order_request(f.signed_request(
      "POST", "/futures/usdt/price_orders", "", price_order_body("plan-close-long-position", 0, "1900", 2)));
  REQUIRE(price);
  CHECK(price->client_id.empty());
  CHECK(f.face->order_request(f.signed_request("DELETE", "/futures/usdt/price_orders/12")).has_value());
  CHECK_FALSE(f.face->order_request(f.signed_request("GET", "/futures/usdt/orders/t-abc")).has_value());
  CHECK_FALSE(f.face->order_request(f.signed_request("POST", "/futures/usdt/accounts")).has_value());

  exchange::loopback::HttpFault fault;
  fault.msg = "Too many requests";
  fault.retry_after_s = 2;
  const auto limited = f.face->fault_answer(fault);
  CHECK(limited.status == 429);
  CHECK(f.label(limited, 429) == "TOO_MANY_REQUESTS");
  CHECK(limited.headers == std::vector<std::pair<std::string, std::string>>{{"Retry-After", "2"}});
  CHECK(f.label(f.face->unserved_answer(), 503) == "SERVER_ERROR");

  auto headers = [&] {
    std::map<std::string, std::string> m;
    for (const auto& [name, value] : f.face->answer_headers()) m[name] = value;
    return m;
  };
  const auto first = headers(), second = headers();
  CHECK(first.at("X-Gate-RateLimit-Limit") == "100");
  const std::int64_t reset = std::stoll(second.at("X-Gate-RateLimit-Reset-Timestamp"));
  CHECK(reset % 10'000 == 0);
  CHECK(reset > f.face->now_ms());
  if (first.at("X-Gate-RateLimit-Reset-Timestamp") == second.at("X-Gate-RateLimit-Reset-Timestamp"))  // same window
    CHECK(std::stoi(second.at("X-Gate-RateLimit-Requests-Remain")) ==
          std::stoi(first.at("X-Gate-RateLimit-Requests-Remain")) - 1);
}

TEST_CASE("gateio face: more API keys sign with the account's secret and the hook is told which key sent an order",
          "[gateio][face]") {
  Face f(false, {"key-a", "key-b"});
  auto as = [&](const std::string& key, HttpRequest r) {
    r.headers["key"] = key;
    return r;
  };
  CHECK(f.face->handle(as("key-b", f.signed_request("GET", "/futures/usdt/accounts"))).status == 200);
  CHECK(f.label(f.face->handle(as("key-c", f.signed_request("GET", "/futures/usdt/accounts"))), 401) == "INVALID_KEY");
  const auto post = f.face->order_request(as("key-b", f.signed_request("POST", "/futures/usdt/orders", "", close_body(-5))));
  REQUIRE(post);
  CHECK(post->api_key == "key-b");
  const auto cancel = f.face->order_request(f.signed_request("DELETE", "/futures/usdt/price_orders/12"));
  REQUIRE(cancel);
  CHECK(cancel->api_key == "ptp-sim-api-key");
  // The private channels take the same keys.
  auto opened = f.face->open_ws("/v4/ws/usdt", "");
  WsSession& session = *std::get<std::unique_ptr<WsSession>>(opened);
  Socket s;
  const std::int64_t t = 1700000000;
  for (const std::string key : {"key-a", "key-c"})
    f.face->ws_message(session,
                       ws_request("futures.orders", "subscribe", R"(["10001","!all"])", t,
                                  ws_auth("futures.orders", "subscribe", t, "ptp-sim-api-secret", key)),
                       s.reply);
  REQUIRE(s.sent.size() == 2);
  CHECK(Face::text(f.parse(s.sent[0])["result"], "status") == "success");
  CHECK(Face::integer(f.parse(s.sent[1])["error"], "code") == 4);
}

TEST_CASE("gateio face: websocket tickers ping and subscription errors", "[gateio][face][ws]") {
  Face f;
  CHECK(std::get<int>(f.face->open_ws("/v4/ws", "")) == 404);
  auto opened = f.face->open_ws("/v4/ws/usdt", "");
  REQUIRE(std::holds_alternative<std::unique_ptr<WsSession>>(opened));
  WsSession& session = *std::get<std::unique_ptr<WsSession>>(opened);
  Socket s;
  f.face->ws_message(session, ws_request("futures.tickers", "subscribe", R"(["ETH_USDT"])"), s.reply);
  REQUIRE(s.sent.size() == 1);
  simdjson::dom::element ack = f.parse(s.sent[0]);
  CHECK(Face::text(ack, "channel") == "futures.tickers");
  CHECK(Face::text(ack, "event") == "subscribe");
  CHECK(Face::text(ack["result"], "status") == "success");
  CHECK_FALSE(session.counts_as_user);

  const auto frames = f.face->mark_frames(session, f.sim->set_mark(kEth, Price::parse("2000.5")));
  REQUIRE(frames.size() == 1);
  simdjson::dom::element update = f.parse(frames[0]);
  CHECK(Face::text(update, "event") == "update");
  CHECK(Face::text(update["result"].at(0), "contract") == "ETH_USDT");
  CHECK(Face::text(update["result"].at(0), "mark_price") == "2000.5");
  CHECK(f.face->mark_frames(session, f.sim->set_mark(kBtc, Price::parse("61000"))).empty());  // not subscribed

  f.face->ws_message(session, R"({"time":1700000000,"channel":"futures.ping","id":7})", s.reply);
  simdjson::dom::element pong = f.parse(s.sent.back());
  CHECK(Face::text(pong, "channel") == "futures.pong");
  CHECK(Face::integer(pong, "id") == 7);
  CHECK(pong["result"].is_null());

  auto error_code = [&](const std::string& frame) {
    f.face->ws_message(session, frame, s.reply);
    return Face::integer(f.parse(s.sent.back())["error"], "code");
  };
  CHECK(error_code("{not json") == 1);
  CHECK(error_code(ws_request("futures.candles", "subscribe", R"(["ETH_USDT"])")) == 2);
  CHECK(error_code(ws_request("futures.tickers", "subscribe", R"(["DOGE_USDT"])")) == 2);

  f.face->ws_message(session, ws_request("futures.tickers", "unsubscribe", R"(["ETH_USDT"])"), s.reply);
  CHECK(f.face->mark_frames(session, f.sim->set_mark(kEth, Price::parse("2001"))).empty());
}

TEST_CASE("gateio face: private channels need the signature and the account's user id", "[gateio][face][ws]") {
  Face f;
  auto opened = f.face->open_ws("/v4/ws/usdt", "");
  WsSession& session = *std::get<std::unique_ptr<WsSession>>(opened);
  Socket s;
  auto send = [&](const std::string& frame) {
    f.face->ws_message(session, frame, s.reply);
    return f.parse(s.sent.back());
  };
  const std::int64_t t = 1700000000;
  simdjson::dom::element bad = send(ws_request("futures.orders", "subscribe", R"(["10001","!all"])", t,
                                               ws_auth("futures.orders", "subscribe", t, "wrong-secret")));
  CHECK(Face::integer(bad["error"], "code") == 4);
  CHECK(Face::integer(send(ws_request("futures.orders", "subscribe", R"(["10001","!all"])", t))["error"], "code") == 4);
  // Signed for another event than the one sent.
  CHECK(Face::integer(send(ws_request("futures.orders", "subscribe", R"(["10001","!all"])", t,
                                      ws_auth("futures.orders", "unsubscribe", t)))["error"],
                      "code") == 4);
  CHECK(Face::integer(send(ws_request("futures.orders", "subscribe", R"(["20002","!all"])", t,
                                      ws_auth("futures.orders", "subscribe", t)))["error"],
                      "code") == 4);
  CHECK_FALSE(session.counts_as_user);
  for (const char* channel : {"futures.orders", "futures.autoorders", "futures.positions"}) {
    simdjson::dom::element ack =
        send(ws_request(channel, "subscribe", R"(["10001","!all"])", t, ws_auth(channel, "subscribe", t)));
    CHECK(Face::text(ack["result"], "status") == "success");
  }
  CHECK(session.counts_as_user);
  f.face->ws_message(session,
                     ws_request("futures.orders", "unsubscribe", R"(["10001","!all"])", t,
                                ws_auth("futures.orders", "unsubscribe", t)),
                     s.reply);
  CHECK(session.counts_as_user);  // still autoorders and positions
}

TEST_CASE("gateio face: account frames after a fill and a fired take-profit", "[gateio][face][ws]") {
  Face f;
  auto subscriber = f.face->open_ws("/v4/ws/usdt", "");
  WsSession& user = *std::get<std::unique_ptr<WsSession>>(subscriber);
  auto bystander = f.face->open_ws("/v4/ws/usdt", "");
  WsSession& market = *std::get<std::unique_ptr<WsSession>>(bystander);
  Socket s;
  const std::int64_t t = 1700000000;
  for (const char* channel : {"futures.orders", "futures.autoorders", "futures.positions"})
    f.face->ws_message(
        user, ws_request(channel, "subscribe", R"(["10001","!all"])", t, ws_auth(channel, "subscribe", t)), s.reply);
  f.face->collect_account_changes();
  CHECK(f.face->user_frames(user).empty());  // nothing happened yet

  f.json(f.call("POST", "/futures/usdt/orders", "", close_body(-50)), 201);
  f.face->collect_account_changes();
  CHECK(f.face->user_frames(market).empty());
  auto frames = f.face->user_frames(user);
  REQUIRE(frames.size() == 2);  // the order, the position
  simdjson::dom::element orders = f.parse(frames[0]);
  CHECK(Face::text(orders, "channel") == "futures.orders");
  CHECK(Face::text(orders, "event") == "update");
  simdjson::dom::element order = orders["result"].at(0);
  CHECK(Face::text(order, "text") == kText);
  CHECK(Face::text(order, "status") == "finished");
  CHECK(Face::text(order, "finish_as") == "filled");
  CHECK(Face::integer(order, "size") == -50);
  CHECK(Face::integer(order, "left") == 0);
  CHECK(order["fill_price"].get_int64().value() == 2000);  // a number in frames
  simdjson::dom::element positions = f.parse(frames[1]);
  CHECK(Face::text(positions, "channel") == "futures.positions");
  CHECK(Face::integer(positions["result"].at(0), "size") == 100);
  CHECK(Face::text(positions["result"].at(0), "mode") == "single");
  CHECK(Face::text(positions["result"].at(0), "contract") == "ETH_USDT");

  const std::string tp = f.id_of(
      f.call("POST", "/futures/usdt/price_orders", "", price_order_body("plan-close-long-position", -30, "2100", 1)));
  f.face->collect_account_changes();
  frames = f.face->user_frames(user);
  REQUIRE(frames.size() == 1);
  simdjson::dom::element placed = f.parse(frames[0]);
  CHECK(Face::text(placed, "channel") == "futures.autoorders");
  CHECK(Face::text(placed["result"].at(0), "status") == "open");

  f.sim->set_mark(kEth, Price::parse("2100.5"));
  f.face->collect_account_changes();
  frames = f.face->user_frames(user);
  REQUIRE(frames.size() == 2);  // the take-profit fired, the position shrank
  simdjson::dom::element fired = f.parse(frames[0])["result"].at(0);
  CHECK(std::to_string(Face::integer(fired, "id")) == tp);
  CHECK(Face::text(fired, "status") == "finished");
  CHECK(Face::text(fired, "finish_as") == "succeeded");
  CHECK(Face::integer(f.parse(frames[1])["result"].at(0), "size") == 70);

  // A subscription to one contract hears nothing of another.
  f.sim->open_position(kBtc, Side::long_, Price::parse("61000"), Qty::parse("0.01"), std::nullopt);
  auto eth_only = f.face->open_ws("/v4/ws/usdt", "");
  WsSession& eth = *std::get<std::unique_ptr<WsSession>>(eth_only);
  f.face->ws_message(eth,
                     ws_request("futures.positions", "subscribe", R"(["10001","ETH_USDT"])", t,
                                ws_auth("futures.positions", "subscribe", t)),
                     s.reply);
  f.face->collect_account_changes();
  CHECK(f.face->user_frames(eth).empty());
  REQUIRE(f.face->user_frames(user).size() == 1);  // the BTC position opened (by the user)
}
