// The Gate.io REST adapter without sockets: signatures (Gate's documented vectors), the node id <->
// text mapping, the error table, every answer's parser (documented shapes, numbers as strings and as
// JSON numbers, hostile bodies), and the adapter itself over a scripted transport that stands in for
// Gate: the requests it sends, the clock resync, rate-limit backoff, and the order lookups.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/client_order_id.hpp"
#include "gateio_docs.hpp"
#include "exchange/gateio/errors.hpp"
#include "exchange/gateio/gateio_exchange.hpp"
#include "exchange/gateio/responses.hpp"
#include "exchange/gateio/rest_client.hpp"
#include "exchange/gateio/signing.hpp"
#include "exchange/gateio/text_id.hpp"
#include "exchange/hmac.hpp"

using namespace ptp;
using core::OrderKind;
using core::OrderStatus;
using core::Price;
using core::Qty;
using core::Side;
using exchange::ExchangeError;
using K = ExchangeError::Kind;
namespace gt = exchange::gateio;

namespace {

const core::Symbol kEth = core::Symbol::parse("ETH");
const std::string kNodeId = "ptp-0123456789abcdef-1-c";
const std::string kNodeText = "t-p0123456789abcdef-1-c";

// The ExchangeError `f` throws; FAILs when it throws none.
ExchangeError error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ExchangeError& e) {
    return e;
  }
  FAIL("no ExchangeError thrown");
  return ExchangeError(K::rejected, "", "");
}

bool malformed(const std::function<void()>& f) {
  try {
    f();
  } catch (const ExchangeError& e) {
    return e.kind() == K::unavailable && std::string(e.what()).find("malformed Gate.io answer") != std::string::npos;
  }
  return false;
}

// Filters the way contracts/{contract} gives them: ETH_USDT 0.01 ETH a contract, BTC_USDT 0.0001.
gt::FiltersLookup test_filters() {
  return [](const std::string& contract) {
    if (contract == "ETH_USDT")
      return core::InstrumentFilters::in_contracts(Price::parse("0.01"), Qty::parse("0.01"), 1);
    if (contract == "BTC_USDT")
      return core::InstrumentFilters::in_contracts(Price::parse("0.1"), Qty::parse("0.0001"), 1);
    throw ExchangeError(K::rejected, "CONTRACT_NOT_FOUND", contract);
  };
}

std::string contract_json(const std::string& name, const std::string& multiplier, const std::string& round = "0.01",
                          long size_min = 1, long size_max = 1000000) {
  return fmt::format(
      R"({{"name":"{}","type":"direct","quanto_multiplier":"{}","order_price_round":"{}","mark_price_round":"0.01",)"
      R"("order_size_min":{},"order_size_max":{},"mark_price":"2000.5","last_price":"2000.5","in_delisting":false,)"
      R"("status":"trading"}})",
      name, multiplier, round, size_min, size_max);
}

// A FuturesOrder as the protocol shows it; `fill_price` is spliced in raw (a "string" or a number).
std::string order_json(long id, long size, long left, const std::string& status, const std::string& finish_as,
                       const std::string& fill_price, const std::string& text,
                       const std::string& contract = "ETH_USDT") {
  return fmt::format(
      R"({{"id":{},"user":10001,"contract":"{}","create_time":1700000000.123,"finish_time":1700000000.124,)"
      R"("finish_as":"{}","status":"{}","size":{},"left":{},"price":"0","fill_price":{},"tif":"ioc",)"
      R"("is_reduce_only":true,"is_close":false,"text":"{}","iceberg":0}})",
      id, contract, finish_as, status, size, left, fill_price, text);
}

std::string price_order_json(long id, const std::string& order_type, long size, const std::string& trigger, int rule,
                             const std::string& status = "open", const std::string& finish_as = "",
                             const std::string& contract = "ETH_USDT") {
  return fmt::format(R"({{"id":{},"user":10001,"create_time":1700000000.5,"finish_time":0,"trade_id":0,"status":"{}",)"
                     R"("finish_as":"{}","reason":"","order_type":"{}",)"
                     R"("initial":{{"contract":"{}","size":{},"price":"0","tif":"ioc","text":"api","reduce_only":true,)"
                     R"("is_reduce_only":true,"is_close":false}},)"
                     R"("trigger":{{"strategy_type":0,"price_type":1,"price":"{}","rule":{},"expiration":0}}}})",
                     id, status, finish_as, order_type, contract, size, trigger, rule);
}

std::string array_of(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& i : items) out += (out.size() > 1 ? "," : "") + i;
  return out + "]";
}

// One request as the adapter sent it.
struct Request {
  std::string method, url, body;
  std::vector<std::string> headers;
  std::string path() const {  // after the base URL, without the query
    const std::string rest = url.substr(std::string("http://gate.test/api/v4").size());
    return rest.substr(0, rest.find('?'));
  }
  std::string query() const {
    const auto q = url.find('?');
    return q == std::string::npos ? "" : url.substr(q + 1);
  }
  std::string header(const std::string& name) const {
    for (const auto& h : headers)
      if (h.rfind(name + ": ", 0) == 0) return h.substr(name.size() + 2);
    return {};
  }
};

exchange::HttpResponse answer(long status, std::string body,
                              std::vector<std::pair<std::string, std::string>> headers = {}) {
  exchange::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

// Stands in for Gate behind the adapter's transport: the test's handler answers first, then the
// usual answers (server time, contracts, account), else 404.
struct FakeGate {
  std::function<std::optional<exchange::HttpResponse>(const Request&)> handler;
  std::vector<Request> requests;
  std::int64_t wall_ms = 1'700'000'000'000;  // our clock
  std::int64_t server_ms = 1'700'000'000'000;
  std::chrono::steady_clock::time_point steady{std::chrono::hours(1)};
  std::map<std::string, std::string> multipliers{{"ETH_USDT", "0.01"}, {"BTC_USDT", "0.0001"}};
  bool dual_mode = false;

  exchange::HttpResponse serve(const Request& r) {
    requests.push_back(r);
    if (handler)
      if (auto a = handler(r)) return *a;
    const std::string path = r.path();
    if (path == "/spot/time") return answer(200, fmt::format(R"({{"server_time":{}}})", server_ms));
    if (path == "/futures/usdt/accounts")
      return answer(200, fmt::format(R"({{"user":10001,"currency":"USDT","total":"10000","available":"10000",)"
                                     R"("in_dual_mode":{}}})",
                                     dual_mode ? "true" : "false"));
    if (path.rfind("/futures/usdt/contracts/", 0) == 0) {
      const std::string name = path.substr(std::string("/futures/usdt/contracts/").size());
      if (auto it = multipliers.find(name); it != multipliers.end())
        return answer(200, contract_json(name, it->second));
      return answer(404, R"({"label":"CONTRACT_NOT_FOUND","message":"Contract not found"})");
    }
    return answer(404, R"({"label":"NOT_FOUND","message":"no such route in the test"})");
  }

  std::unique_ptr<gt::RestClient> client() {
    return std::make_unique<gt::RestClient>(
        "http://gate.test/api/v4", exchange::Credentials{"key-1", "k2"}, std::chrono::seconds(1),
        [this] { return wall_ms; },
        [this](const std::string& method, const std::string& url, const std::vector<std::string>& headers,
               const std::string& body) {
          return serve(Request{method, url, body, headers});
        },
        [this] { return steady; });
  }

  std::size_t count(const std::string& method, const std::string& path) const {
    std::size_t n = 0;
    for (const auto& r : requests) n += r.method == method && r.path() == path ? 1 : 0;
    return n;
  }
  const Request& last(const std::string& method, const std::string& path) const {
    for (auto it = requests.rbegin(); it != requests.rend(); ++it)
      if (it->method == method && it->path() == path) return *it;
    FAIL("no " << method << " " << path << " was sent");
    return requests.back();
  }
  std::size_t count_method(const std::string& method) const {
    std::size_t n = 0;
    for (const auto& r : requests) n += r.method == method ? 1 : 0;
    return n;
  }
};

// A POST /futures/usdt/orders answered as Gate does for an IOC that filled completely.
std::optional<exchange::HttpResponse> fill_posted_order(const Request& r) {
  if (r.method != "POST" || r.path() != "/futures/usdt/orders") return std::nullopt;
  simdjson::dom::parser parser;
  simdjson::dom::element body = parser.parse(r.body);
  const std::int64_t size = body["size"].get_int64();
  const std::string text(std::string_view(body["text"].get_string()));
  const std::string contract(std::string_view(body["contract"].get_string()));
  return answer(201, order_json(1234, size, 0, "finished", "filled", "\"2000.5\"", text, contract));
}

}  // namespace

// ----------------------------------------------------------------------------------------------
// Signing

TEST_CASE("Gate.io REST signatures match Gate's documented APIv4 examples", "[gateio][signing]") {
  CHECK(exchange::sha512_hex("") ==
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd4741"
        "7a81a538327af927da3e");
  // (1) GET with a query string, empty body.
  CHECK(gt::rest_sign_payload("GET", "/api/v4/futures/orders", "contract=BTC_USD&status=finished&limit=50", "",
                              1541993715) ==
        "GET\n/api/v4/futures/orders\ncontract=BTC_USD&status=finished&limit=50\n"
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd4741"
        "7a81a538327af927da3e\n1541993715");
  CHECK(gt::rest_signature("secret", "GET", "/api/v4/futures/orders", "contract=BTC_USD&status=finished&limit=50", "",
                           1541993715) ==
        "55f84ea195d6fe57ce62464daaa7c3c02fa9d1dde954e4c898289c9a2407a3d6fb3faf24deff16790d726b66ac9f74526668b13bd0"
        "1029199cc4fcc522418b8a");
  // (2) POST with a JSON body and no query.
  const std::string body = R"({"contract":"BTC_USD","type":"limit","size":100,"price":6800,"time_in_force":"gtc"})";
  CHECK(exchange::sha512_hex(body) ==
        "ad3c169203dc3026558f01b4df307641fa1fa361f086b2306658886d5708767b1854797c68d9e62fef2f991645aa82673622ebf417e0"
        "91d0bd22bafe5d956cca");
  CHECK(gt::rest_sign_payload("POST", "/api/v4/futures/orders", "", body, 1541993715) ==
        "POST\n/api/v4/futures/orders\n\n"
        "ad3c169203dc3026558f01b4df307641fa1fa361f086b2306658886d5708767b1854797c68d9e62fef2f991645aa82673622ebf417e0"
        "91d0bd22bafe5d956cca\n1541993715");
  CHECK(gt::rest_signature("secret", "POST", "/api/v4/futures/orders", "", body, 1541993715) ==
        "eae42da914a590ddf727473aff25fc87d50b64783941061f47a3fdb92742541fc4c2c14017581b4199a1418d54471c269c03a38d788"
        "d802e2c306c37636389f0");
}

TEST_CASE("Gate.io websocket auth signature matches an independent HMAC-SHA512", "[gateio][signing]") {
  // Gate publishes no vector for it: computed with Python's hmac/hashlib,
  //   hmac.new(b"secret", b"channel=futures.positions&event=subscribe&time=1700000123", hashlib.sha512).hexdigest()
  CHECK(gt::ws_signature("secret", "futures.positions", "subscribe", 1700000123) ==
        "6e41c3fa4c1d993c3349b8195aed2f52ccb52408d535d97507da3f76ee5c82873b3a92caedc5fd55f21fb228c312361e457bc83b9352"
        "44dffbda2d6275fa6f30");
  //   hmac.new(b"secret", b"channel=futures.autoorders&event=unsubscribe&time=1541993715", hashlib.sha512).hexdigest()
  CHECK(gt::ws_signature("secret", "futures.autoorders", "unsubscribe", 1541993715) ==
        "48d629e4a190470b8a4caddcfedbf2a96a4f23f06bf14080a4535eecf01baf2e9765d4b02eababf2ad5743e452b75b92873ee0c087ef"
        "962fac930e5c3b29de63");
}

// ----------------------------------------------------------------------------------------------
// Client ids <-> Gate texts

TEST_CASE("every id the node makes fits a Gate.io text and reads back", "[gateio][text]") {
  core::PositionKey key;
  key.exchange = core::Exchange::gateio;
  key.account = "main";
  key.symbol = kEth;
  const core::OrderStep steps[] = {core::OrderStep::close, core::OrderStep::stop, core::OrderStep::take_profit};
  std::size_t longest = 0;
  for (unsigned stage = 1; stage <= 255; ++stage) {
    for (const auto step : steps) {
      for (const std::uint32_t attempt : {0u, 1u, 9999u}) {
        const std::string id =
            core::stage_order_id(key, core::StageId{static_cast<std::uint8_t>(stage)}, attempt, step);
        const auto text = gt::gate_text(id);
        REQUIRE(text);
        CHECK(text->rfind("t-p", 0) == 0);
        CHECK(text->size() - 2 <= gt::kMaxTextBytes);
        CHECK(gt::client_id_of(*text) == id);
        longest = std::max(longest, text->size() - 2);
      }
    }
  }
  CHECK(longest == gt::kMaxTextBytes);  // stage 255, attempt 9999: exactly the limit
  // Repeated orders of a step (trailing stop moves, repairs) up to seq 9999 fit too.
  CHECK(gt::gate_text(core::client_order_id(key, core::StageId{255}, core::OrderStep::stop, 9999)));
  CHECK(gt::gate_text(core::repair_order_id(key, core::OrderStep::stop, 999999)));
  // The pieces of a close split by order_size_max: up to 99 for stages and attempts up to 99.
  CHECK(gt::gate_text(core::stage_order_id(key, core::StageId{99}, 99, core::OrderStep::close, 99)));
  CHECK(gt::client_id_of(*gt::gate_text(core::stage_order_id(key, core::StageId{1}, 0, core::OrderStep::close, 7))) ==
        core::stage_order_id(key, core::StageId{1}, 0, core::OrderStep::close, 7));

  // One byte over the limit is refused, never cut.
  CHECK_FALSE(gt::gate_text(core::stage_order_id(key, core::StageId{255}, 10000, core::OrderStep::close)));
  CHECK_FALSE(gt::gate_text(core::client_order_id(key, core::StageId{255}, core::OrderStep::stop, 10000)));

  CHECK(gt::gate_text("ptp-0123456789abcdef-1-c") == std::optional<std::string>("t-p0123456789abcdef-1-c"));
  CHECK(gt::gate_text("ptp-0123456789abcdef-2r3-c") == std::optional<std::string>("t-p0123456789abcdef-2r3-c"));
  CHECK(gt::client_id_of("t-p0123456789abcdef-2r3-c") == "ptp-0123456789abcdef-2r3-c");
}

TEST_CASE("texts the node did not make stay as they are", "[gateio][text]") {
  for (const std::string text : {"t-abc", "api", "web", "-", "t-p", "t-pxyz-1-c", "t-p0123456789abcdef-1-x", ""}) {
    CHECK(gt::client_id_of(text) == text);
    CHECK_FALSE(core::is_node_order(gt::client_id_of(text)));
  }
  // And ids that are not the node's never become a text.
  for (const std::string id : {"abc", "t-abc", "ptp-", "ptp-x-1-c", "my order"}) CHECK_FALSE(gt::gate_text(id));
}

// ----------------------------------------------------------------------------------------------
// Errors

TEST_CASE("every Gate.io label maps to unknown outcome or not found or retry or rejection", "[gateio][errors]") {
  // Unknown outcome: the order may exist, query first.
  for (const char* label : {"SERVER_ERROR", "TOO_BUSY"}) {
    CHECK(gt::classify(500, label, "x").kind() == K::timeout);
    CHECK(gt::classify(400, label, "x").kind() == K::timeout);
  }
  CHECK(gt::classify(503, "", "").kind() == K::timeout);
  CHECK(gt::classify(502, "", "").code() == "HTTP 502");
  CHECK(gt::classify(504, "", "").kind() == K::timeout);
  CHECK(gt::classify(408, "", "").kind() == K::timeout);

  CHECK(gt::classify(404, "ORDER_NOT_FOUND", "Order not found").kind() == K::not_found);

  CHECK(gt::classify(429, "TOO_MANY_REQUESTS", "").kind() == K::unavailable);
  CHECK(gt::classify(429, "", "").kind() == K::unavailable);
  CHECK(gt::classify(401, "REQUEST_EXPIRED", "").kind() == K::unavailable);

  for (const char* label :
       {"POSITION_EMPTY", "REDUCE_EXCEEDED", "SIZE_TOO_SMALL", "SIZE_TOO_LARGE", "INVALID_PARAM_VALUE",
        "INVALID_SIGNATURE", "INVALID_KEY", "ORDER_FINISHED", "CONTRACT_NOT_FOUND", "INSUFFICIENT_AVAILABLE",
        "MISSING_REQUIRED_HEADER", "FORBIDDEN", "PRICE_TOO_DEVIATED", "SOMETHING_NEW"}) {
    const auto e = gt::classify(400, label, "m");
    CHECK(e.kind() == K::rejected);
    CHECK(e.code() == label);
    // Only these two say the position is gone or smaller than the order: the node reconciles first.
    CHECK(e.position_smaller() == (std::string_view(label) == "POSITION_EMPTY" || std::string_view(label) == "REDUCE_EXCEEDED"));
  }
  CHECK(gt::classify(401, "INVALID_KEY", "").kind() == K::rejected);
  CHECK(gt::classify(404, "CONTRACT_NOT_FOUND", "").kind() == K::rejected);
  CHECK(gt::classify(404, "", "").kind() == K::rejected);

  const auto empty = gt::classify(400, "POSITION_EMPTY", "Position is empty");
  CHECK(empty.reason() == "rejected POSITION_EMPTY Position is empty");
  CHECK(std::string(empty.what()) == "Position is empty");
}

// ----------------------------------------------------------------------------------------------
// Answers

TEST_CASE("Gate.io error bodies and server time and account parse", "[gateio][responses]") {
  const auto err = gt::parse_error(R"({"label":"ORDER_NOT_FOUND","message":"Order not found"})");
  REQUIRE(err);
  CHECK(err->label == "ORDER_NOT_FOUND");
  CHECK(err->message == "Order not found");
  CHECK_FALSE(gt::parse_error("not json"));
  CHECK_FALSE(gt::parse_error(R"({"server_time":1})"));
  CHECK_FALSE(gt::parse_error(""));

  CHECK(gt::parse_server_time(R"({"server_time": 1700000000123})") == 1700000000123);

  const auto a = gt::parse_account(R"({"user":10001,"currency":"USDT","total":"10000","in_dual_mode":true})");
  CHECK(a.user_id == "10001");
  CHECK(a.in_dual_mode);
  const auto b = gt::parse_account(R"({"user":"110123","in_dual_mode":false})");
  CHECK(b.user_id == "110123");
  CHECK_FALSE(b.in_dual_mode);
}

TEST_CASE("Gate.io contracts parse into filters in whole contracts", "[gateio][responses]") {
  // The contract example verbatim from Gate's docs (get_futures_settle_contracts_contract.md).
  const auto one = gt::parse_contracts(R"({
  "name": "BTC_USDT",
  "type": "direct",
  "quanto_multiplier": "0.0001",
  "order_price_deviate": "0.5",
  "mark_type": "index",
  "last_price": "38026",
  "mark_price": "37985.6",
  "index_price": "37954.92",
  "mark_price_round": "0.01",
  "in_delisting": false,
  "order_price_round": "0.1",
  "order_size_min": 1,
  "order_size_max": 1000000,
  "orders_limit": 50,
  "status": "trading"
})");
  REQUIRE(one.size() == 1);
  CHECK(one[0].name == "BTC_USDT");
  const auto& f = one[0].filters;
  CHECK(f.tick_size == Price::parse("0.1"));
  CHECK(f.step_size == Qty::parse("0.0001"));
  CHECK(f.contract_size == Qty::parse("0.0001"));
  CHECK(f.min_qty == Qty::parse("0.0001"));
  CHECK(f.max_qty == Qty::parse("100"));

  const auto many = gt::parse_contracts(
      array_of({contract_json("ETH_USDT", "0.01", "0.01", 5, 200), contract_json("PEPE_USDT", "10000", "0.00000001")}));
  REQUIRE(many.size() == 2);
  CHECK(many[0].filters.min_qty == Qty::parse("0.05"));
  CHECK(many[0].filters.max_qty == Qty::parse("2"));
  CHECK(many[1].name == "PEPE_USDT");
  CHECK(many[1].filters.tick_size == Price::from_units(1));
  CHECK(many[1].filters.contract_size == Qty::parse("10000"));
}

TEST_CASE("coin quantities convert to contracts exactly for multipliers from 0.0001 to 1000", "[gateio][responses]") {
  struct Row {
    const char* multiplier;
    const char* qty;
    std::int64_t contracts;
    const char* not_whole;
  };
  const Row rows[] = {{"0.0001", "0.0123", 123, "0.00015"},
                      {"0.001", "1.234", 1234, "0.0005"},
                      {"0.01", "0.5", 50, "0.015"},
                      {"1", "7", 7, "7.5"},
                      {"10", "30", 3, "35"},
                      {"1000", "5000", 5, "1500"}};
  for (const auto& row : rows) {
    INFO("multiplier " << row.multiplier);
    const auto parsed = gt::parse_contracts(contract_json("ETH_USDT", row.multiplier));
    REQUIRE(parsed.size() == 1);
    const auto& f = parsed[0].filters;
    CHECK(f.contract_size == Qty::parse(row.multiplier));
    CHECK(f.max_qty == Qty::from_units(Qty::parse(row.multiplier).units() * 1000000));
    CHECK(f.contracts(Qty::parse(row.qty)) == row.contracts);
    CHECK_THROWS(f.contracts(Qty::parse(row.not_whole)));

    // The adapter sends exactly that many contracts (a sell for a long) and reads them back.
    FakeGate gate;
    gate.multipliers["ETH_USDT"] = row.multiplier;
    gate.handler = fill_posted_order;
    gt::GateioExchange ex(gate.client());
    const auto filled = ex.close_market(kEth, Side::long_, Qty::parse(row.qty), kNodeId);
    REQUIRE(gate.count("POST", "/futures/usdt/orders") == 1);
    CHECK(gate.requests.back().body ==
          fmt::format(R"({{"contract":"ETH_USDT","size":{},"price":"0","tif":"ioc","reduce_only":true,"text":"{}"}})",
                      -row.contracts, kNodeText));
    CHECK(filled.qty == Qty::parse(row.qty));
    CHECK(filled.filled_qty == Qty::parse(row.qty));
    CHECK(filled.ref.client_id == kNodeId);

    // A close that is not a whole number of contracts is refused before anything is sent.
    const auto refused = error_of([&] { ex.close_market(kEth, Side::long_, Qty::parse(row.not_whole), kNodeId); });
    CHECK(refused.kind() == K::rejected);
    CHECK(std::string(refused.what()).find("not a positive whole number of contracts") != std::string::npos);
    CHECK(gate.count("POST", "/futures/usdt/orders") == 1);
  }
}

TEST_CASE("Gate.io positions parse in single and dual mode", "[gateio][responses]") {
  const auto single = gt::parse_positions(R"([
    {"user":10001,"contract":"ETH_USDT","size":-150,"entry_price":"2000","mark_price":"2001","mode":"single","leverage":"10"},
    {"user":10001,"contract":"BTC_USDT","size":25,"entry_price":"38000.5","mark_price":"38001","mode":"single"},
    {"user":10001,"contract":"ETH_USDT","size":0,"entry_price":"0","mark_price":"2001","mode":"single"}])",
                                          test_filters());
  REQUIRE(single.size() == 2);
  CHECK(single[0].symbol == kEth);
  CHECK(single[0].side == Side::short_);
  CHECK(single[0].size == Qty::parse("1.5"));
  CHECK(single[0].entry == Price::parse("2000"));
  CHECK(single[1].symbol == core::Symbol::parse("BTC"));
  CHECK(single[1].side == Side::long_);
  CHECK(single[1].size == Qty::parse("0.0025"));
  CHECK(single[1].entry == Price::parse("38000.5"));

  const auto dual = gt::parse_positions(R"([
    {"contract":"ETH_USDT","size":10,"entry_price":"1990","mode":"dual_long"},
    {"contract":"ETH_USDT","size":-5,"entry_price":"2010","mode":"dual_short"},
    {"contract":"BTC_USDT","size":0,"entry_price":"0","mode":"dual_short"}])",
                                        test_filters());
  REQUIRE(dual.size() == 2);
  CHECK(dual[0].side == Side::long_);
  CHECK(dual[0].size == Qty::parse("0.1"));
  CHECK(dual[1].side == Side::short_);
  CHECK(dual[1].size == Qty::parse("0.05"));
  CHECK(dual[1].entry == Price::parse("2010"));
}

TEST_CASE("Gate.io orders parse filled and ioc partial and open", "[gateio][responses]") {
  const auto filled =
      gt::parse_order(order_json(1234, -50, 0, "finished", "filled", "\"2000.5\"", kNodeText), test_filters());
  CHECK(filled.ref.exchange_id == "1234");
  CHECK(filled.ref.client_id == kNodeId);
  CHECK(filled.kind == OrderKind::market_close);
  CHECK(filled.symbol == kEth);
  CHECK(filled.position_side == Side::long_);  // a sell reduces a long
  CHECK(filled.qty == Qty::parse("0.5"));
  CHECK(filled.filled_qty == Qty::parse("0.5"));
  CHECK(filled.avg_fill_price == Price::parse("2000.5"));
  CHECK(filled.status == OrderStatus::filled);

  const auto ioc = gt::parse_order(order_json(1235, 50, 20, "finished", "ioc", "\"1999\"", kNodeText), test_filters());
  CHECK(ioc.position_side == Side::short_);  // a buy reduces a short
  CHECK(ioc.qty == Qty::parse("0.5"));
  CHECK(ioc.filled_qty == Qty::parse("0.3"));
  CHECK(ioc.status == OrderStatus::canceled);

  for (const char* finish_as : {"cancelled", "reduce_only", "position_closed", "liquidated", "stp"})
    CHECK(gt::parse_order(order_json(1, -5, 5, "finished", finish_as, "\"0\"", "api"), test_filters()).status ==
          OrderStatus::canceled);

  const auto open = gt::parse_order(order_json(1236, -30, 30, "open", "", "\"0\"", "t-abc"), test_filters());
  CHECK(open.status == OrderStatus::open);
  CHECK(open.filled_qty.is_zero());
  CHECK(open.ref.client_id == "t-abc");
  const auto partial = gt::parse_order(order_json(1237, -30, 10, "open", "", "\"2000\"", "api"), test_filters());
  CHECK(partial.status == OrderStatus::partially_filled);
  CHECK(partial.filled_qty == Qty::parse("0.2"));

  const auto list = gt::parse_orders(array_of({order_json(2, -1, 0, "finished", "filled", "\"1\"", "api"),
                                               order_json(3, 1, 1, "open", "", "\"0\"", "web", "BTC_USDT")}),
                                     test_filters());
  REQUIRE(list.size() == 2);
  CHECK(list[1].symbol == core::Symbol::parse("BTC"));
  CHECK(list[1].qty == Qty::parse("0.0001"));
  CHECK(gt::parse_orders("[]", test_filters()).empty());
}

TEST_CASE("Gate.io order prices read the same as strings and as JSON numbers with exponents", "[gateio][responses]") {
  const auto as_string =
      gt::parse_order(order_json(1, -50, 0, "finished", "filled", "\"2000.5\"", "api"), test_filters());
  const auto as_number = gt::parse_order(order_json(1, -50, 0, "finished", "filled", "2000.5", "api"), test_filters());
  CHECK(as_number.avg_fill_price == as_string.avg_fill_price);
  CHECK(as_number.avg_fill_price == Price::parse("2000.5"));
  CHECK(gt::parse_order(order_json(1, -50, 0, "finished", "filled", "2001", "api"), test_filters()).avg_fill_price ==
        Price::parse("2001"));
  CHECK(gt::parse_order(order_json(1, -50, 0, "finished", "filled", "1e-8", "api"), test_filters()).avg_fill_price ==
        Price::from_units(1));
  CHECK(gt::parse_order(order_json(1, -50, 0, "finished", "filled", "2.5E+3", "api"), test_filters()).avg_fill_price ==
        Price::parse("2500"));
  CHECK(gt::parse_order(order_json(1, -50, 0, "finished", "filled", "\"1.5e-4\"", "api"), test_filters())
            .avg_fill_price == Price::parse("0.00015"));
  CHECK(gt::parse_order(order_json(1, -50, 0, "finished", "filled", "\"2.5e-1\"", "api"), test_filters())
            .avg_fill_price == Price::parse("0.25"));
  CHECK(gt::parse_order(order_json(1, -50, 0, "finished", "filled", "\"-25e-2\"", "api"), test_filters())
            .avg_fill_price == Price::parse("-0.25"));
  CHECK(gt::parse_order(order_json(1, -50, 0, "finished", "filled", "0.1", "api"), test_filters()).avg_fill_price ==
        Price::parse("0.1"));
  CHECK(gt::parse_order(order_json(1, -50, 0, "finished", "filled", "0", "api"), test_filters()).avg_fill_price ==
        Price{});
  // Sizes and ids as strings (newer Gate answers) read the same.
  const auto strings = gt::parse_order(
      R"({"id":"99","contract":"ETH_USDT","size":"-50","left":"0","fill_price":"2000.5","status":"finished",)"
      R"("finish_as":"filled","text":"api"})",
      test_filters());
  CHECK(strings.ref.exchange_id == "99");
  CHECK(strings.qty == Qty::parse("0.5"));
  CHECK(strings.status == OrderStatus::filled);
}

TEST_CASE("Gate.io price orders read as stops and take-profits of either side", "[gateio][responses]") {
  // The protocol's example: a long's stop (rule 2: fires at mark <= 1950).
  const auto long_stop =
      gt::parse_price_order(price_order_json(5678, "plan-close-long-position", -50, "1950", 2), test_filters());
  CHECK(long_stop.ref.exchange_id == "5678");
  CHECK(long_stop.ref.client_id.empty());
  CHECK(long_stop.kind == OrderKind::stop);
  CHECK(long_stop.position_side == Side::long_);
  CHECK(long_stop.symbol == kEth);
  CHECK(long_stop.qty == Qty::parse("0.5"));
  CHECK(long_stop.trigger_price == Price::parse("1950"));
  CHECK(long_stop.status == OrderStatus::open);

  const auto long_tp =
      gt::parse_price_order(price_order_json(1, "plan-close-long-position", -20, "2100.5", 1), test_filters());
  CHECK(long_tp.kind == OrderKind::take_profit);
  CHECK(long_tp.position_side == Side::long_);
  CHECK(long_tp.qty == Qty::parse("0.2"));

  const auto short_stop =
      gt::parse_price_order(price_order_json(2, "plan-close-short-position", 30, "2050", 1), test_filters());
  CHECK(short_stop.kind == OrderKind::stop);
  CHECK(short_stop.position_side == Side::short_);
  CHECK(short_stop.qty == Qty::parse("0.3"));

  const auto short_tp =
      gt::parse_price_order(price_order_json(3, "plan-close-short-position", 30, "1900", 2), test_filters());
  CHECK(short_tp.kind == OrderKind::take_profit);
  CHECK(short_tp.position_side == Side::short_);

  // size 0: the whole position (qty zero, as the core reads closePosition).
  const auto whole = gt::parse_price_order(price_order_json(4, "close-long-position", 0, "1900", 2), test_filters());
  CHECK(whole.qty.is_zero());
  CHECK(whole.position_side == Side::long_);
  CHECK(whole.kind == OrderKind::stop);
  CHECK(
      gt::parse_price_order(price_order_json(5, "close-short-position", 0, "1900", 2), test_filters()).position_side ==
      Side::short_);

  // Gate's model makes order_type optional (ccxt's trigger orders carry none): the reduce-only size
  // says which position it closes (a sell, the long).
  const auto untyped = gt::parse_price_order(
      R"({"id":11,"status":"open","initial":{"contract":"ETH_USDT","size":-50,"price":"0","reduce_only":true},)"
      R"("trigger":{"strategy_type":0,"price_type":0,"price":"1950","rule":2}})",
      test_filters());
  CHECK(untyped.kind == OrderKind::stop);
  CHECK(untyped.position_side == Side::long_);
  CHECK(untyped.qty == Qty::parse("0.5"));

  CHECK(gt::parse_price_order(price_order_json(6, "plan-close-long-position", -5, "1950", 2, "finished", "succeeded"),
                              test_filters())
            .status == OrderStatus::filled);
  for (const char* finish_as : {"cancelled", "failed", "expired"})
    CHECK(gt::parse_price_order(price_order_json(7, "plan-close-long-position", -5, "1950", 2, "finished", finish_as),
                                test_filters())
              .status == OrderStatus::canceled);

  const auto list = gt::parse_price_orders(
      array_of({price_order_json(9, "plan-close-long-position", -5, "1950", 2),
                price_order_json(8, "plan-close-short-position", 5, "1950", 2, "open", "", "BTC_USDT")}),
      test_filters());
  REQUIRE(list.size() == 2);
  CHECK(list[1].qty == Qty::parse("0.0005"));

  CHECK(gt::parse_created_id(R"({"id":5678})") == "5678");
  CHECK(
      gt::parse_mark_price(R"([{"contract":"BTC_USDT","mark_price":"38000"},)"
                           R"({"contract":"ETH_USDT","last":"2000.5","mark_price":"2000.25","index_price":"2000.5"}])",
                           "ETH_USDT") == Price::parse("2000.25"));
  CHECK(gt::parse_mark_price(R"([{"contract":"ETH_USDT","mark_price":2000.25}])", "ETH_USDT") ==
        Price::parse("2000.25"));
}

TEST_CASE("hostile Gate.io bodies throw unavailable and never a half-read value", "[gateio][responses]") {
  const auto lookup = test_filters();
  // Not JSON, or not the documented shape.
  CHECK(malformed([&] { gt::parse_server_time("<html>502 Bad Gateway</html>"); }));
  CHECK(malformed([&] { gt::parse_server_time(""); }));
  CHECK(malformed([&] { gt::parse_server_time(R"({"server_time":"soon"})"); }));
  CHECK(malformed([&] { gt::parse_account(R"({"user":10001})"); }));
  CHECK(malformed([&] { gt::parse_account(R"({"user":1.5,"in_dual_mode":false})"); }));
  CHECK(malformed([&] { gt::parse_account(R"({"user":10001,"in_dual_mode":"no"})"); }));
  CHECK(malformed([&] { gt::parse_orders(R"({"id":1})", lookup); }));
  CHECK(malformed([&] { gt::parse_positions(R"({"contract":"ETH_USDT"})", lookup); }));
  CHECK(malformed([&] { gt::parse_price_orders("null", lookup); }));
  CHECK(malformed([&] { gt::parse_created_id(R"({"id":null})"); }));
  CHECK(malformed([&] { gt::parse_created_id(R"([5678])"); }));

  // Orders: wrong types, missing fields, impossible values.
  const std::string good = order_json(1, -50, 0, "finished", "filled", "\"2000.5\"", "api");
  REQUIRE_NOTHROW(gt::parse_order(good, lookup));
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
  };
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {R"("size":-50)", R"("size":"abc")"},
           {R"("size":-50)", R"("size":-1.5)"},
           {R"("size":-50)", R"("size":true)"},
           {R"("size":-50)", R"("size":-9223372036854775808)"},
           {R"("size":-50)", R"("size":-92233720368547758)"},  // x 0.01 ETH overflows 1e-8 units
           {R"("size":-50,)", ""},
           {R"("left":0)", R"("left":-51)"},
           {R"("left":0,)", ""},
           {R"("fill_price":"2000.5")", R"("fill_price":true)"},
           {R"("fill_price":"2000.5")", R"("fill_price":"2,000.5")"},
           {R"("fill_price":"2000.5")", R"("fill_price":"e5")"},
           {R"("fill_price":"2000.5")", R"("fill_price":"1e999")"},
           {R"("fill_price":"2000.5")", R"("fill_price":null)"},
           {R"("fill_price":"2000.5",)", ""},
           {R"("status":"finished")", R"("status":5)"},
           {R"("status":"finished")", R"("status":"pending")"},
           {R"("finish_as":"filled",)", ""},
           {R"("contract":"ETH_USDT")", R"("contract":"ETH USDT!")"},
           {R"("contract":"ETH_USDT",)", ""},
           {R"("id":1,)", R"("id":{},)"},
           {R"("text":"api")", R"("text":7)"},
       }) {
    INFO(from << " -> " << to);
    CHECK(malformed([&] { gt::parse_order(replaced(from, to), lookup); }));
  }
  CHECK(malformed([&] { gt::parse_order(good.substr(0, good.size() / 2), lookup); }));
  // A contract the lookup does not know is its error, not a malformed answer.
  CHECK(error_of([&] {
          gt::parse_order(replaced(R"("contract":"ETH_USDT")", R"("contract":"DOGE_USDT")"), lookup);
        }).code() == "CONTRACT_NOT_FOUND");

  // Price orders.
  CHECK(malformed(
      [&] { gt::parse_price_order(price_order_json(1, "plan-close-long-position", -5, "1950", 3), lookup); }));
  CHECK(malformed([&] { gt::parse_price_order(price_order_json(1, "plan-close-long-position", -5, "x", 2), lookup); }));
  // A trigger price is what the node sent: exact to 1e-8, never rounded.
  CHECK(malformed(
      [&] { gt::parse_price_order(price_order_json(1, "plan-close-long-position", -5, "1e-9", 2), lookup); }));
  CHECK(malformed([&] {
    gt::parse_price_order(price_order_json(1, "plan-close-long-position", -5, "1950.000000001", 2), lookup);
  }));
  CHECK(malformed(
      [&] { gt::parse_price_order(price_order_json(1, "plan-close-long-position", -5, "1950", 2, "gone"), lookup); }));
  CHECK(malformed(
      [&] { gt::parse_price_order(R"({"id":1,"status":"open","order_type":"plan-close-long-position"})", lookup); }));

  // Positions.
  CHECK(malformed(
      [&] { gt::parse_positions(R"([{"contract":"ETH_USDT","size":1,"entry_price":"1","mode":"both"}])", lookup); }));
  CHECK(malformed([&] { gt::parse_positions(R"([{"contract":"ETH_USDT","size":1,"mode":"single"}])", lookup); }));
  CHECK(malformed([&] {
    gt::parse_positions(R"([{"contract":"ETH_USDT","size":"1.5","entry_price":"1","mode":"single"}])", lookup);
  }));

  // Contracts whose sizes or steps cannot be traded safely.
  CHECK(malformed([&] { gt::parse_contracts(contract_json("ETH_USDT", "0")); }));
  CHECK(malformed([&] { gt::parse_contracts(contract_json("ETH_USDT", "-0.01")); }));
  CHECK(malformed([&] { gt::parse_contracts(contract_json("ETH_USDT", "0.01", "0")); }));
  CHECK(malformed([&] { gt::parse_contracts(contract_json("ETH_USDT", "0.000000001")); }));
  CHECK(malformed([&] { gt::parse_contracts(contract_json("ETH_USDT", "0.01", "0.01", 0)); }));
  CHECK(malformed([&] { gt::parse_contracts(contract_json("ETH_USDT", "0.01", "0.01", 10, 5)); }));
  CHECK(malformed([&] { gt::parse_contracts(contract_json("ETH_USDT", "1000", "0.01", 1, 9000000000000000)); }));
  CHECK(malformed([&] { gt::parse_contracts(R"({"name":"ETH_USDT"})"); }));
  CHECK(malformed([&] { gt::parse_contracts("[1,2]"); }));

  // Tickers.
  CHECK(malformed([&] { gt::parse_mark_price("[]", "ETH_USDT"); }));
  CHECK(malformed([&] { gt::parse_mark_price(R"([{"contract":"BTC_USDT","mark_price":"1"}])", "ETH_USDT"); }));
  CHECK(malformed([&] { gt::parse_mark_price(R"([{"contract":"ETH_USDT","mark_price":"0"}])", "ETH_USDT"); }));
  CHECK(malformed([&] { gt::parse_mark_price(R"([{"contract":"ETH_USDT"}])", "ETH_USDT"); }));
}

// ----------------------------------------------------------------------------------------------
// The REST client over a scripted transport

TEST_CASE("signed Gate.io requests carry KEY and Timestamp and the SIGN of what is sent", "[gateio][rest]") {
  FakeGate gate;
  gate.handler = [](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.path() == "/futures/usdt/orders/" + kNodeText)
      return answer(200, order_json(1234, -50, 0, "finished", "filled", "\"2000.5\"", kNodeText));
    return std::nullopt;
  };
  gt::GateioExchange ex(gate.client());
  core::OrderLookup lookup;
  lookup.symbol = kEth;
  lookup.client_id = kNodeId;
  const auto found = ex.query(lookup);
  REQUIRE(found);
  CHECK(found->ref.client_id == kNodeId);
  CHECK(found->status == OrderStatus::filled);

  const Request& get = gate.last("GET", "/futures/usdt/orders/" + kNodeText);
  CHECK(get.method == "GET");
  CHECK(get.url == "http://gate.test/api/v4/futures/usdt/orders/" + kNodeText);
  CHECK(get.header("KEY") == "key-1");
  CHECK(get.header("Timestamp") == "1700000000");
  CHECK(get.header("Content-Type") == "application/json");
  // Computed independently with Python's hmac/hashlib:
  //   e = hashlib.sha512(b"").hexdigest()
  //   hmac.new(b"k2", ("GET\n/api/v4/futures/usdt/orders/t-p0123456789abcdef-1-c\n\n" + e + "\n1700000000").encode(),
  //            hashlib.sha512).hexdigest()
  CHECK(get.header("SIGN") ==
        "3278740be141e70a4b28cd48e385b05dfaa7b602d72c057dc3d7c72b041609c1216ffc8f3f4ebee8f9d0f2812f1c12c742856443a97e"
        "0a393630b3dcdc175575");
  // The secret never travels.
  for (const auto& r : gate.requests)
    for (const auto& h : r.headers) CHECK(h.find("k2") == std::string::npos);

  // A signed call with a query and a body signs both, exactly as sent.
  gt::RestClient& rest = ex.rest();
  gate.handler = [](const Request&) { return std::optional(answer(200, "[]")); };
  rest.signed_call("POST", "/futures/usdt/x", {{"contract", "ETH_USDT"}, {"status", "open"}}, R"({"a":1})");
  const Request& post = gate.requests.back();
  CHECK(post.query() == "contract=ETH_USDT&status=open");
  CHECK(post.body == R"({"a":1})");
  CHECK(post.header("SIGN") == gt::rest_signature("k2", "POST", "/api/v4/futures/usdt/x",
                                                  "contract=ETH_USDT&status=open", R"({"a":1})", 1700000000));
  // Public calls carry no key.
  rest.public_get("/futures/usdt/tickers", {{"contract", "ETH_USDT"}});
  CHECK(gate.requests.back().header("KEY").empty());
  CHECK(gate.requests.back().header("SIGN").empty());
}

TEST_CASE("a REQUEST_EXPIRED answer resyncs the clock and retries once", "[gateio][rest]") {
  FakeGate gate;
  int expired_answers = 1;
  gate.handler = [&](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.path() != "/futures/usdt/accounts") return std::nullopt;
    if (expired_answers-- > 0) {
      gate.server_ms = gate.wall_ms + 120'000;  // the server's clock is two minutes ahead of ours
      return answer(401, R"({"label":"REQUEST_EXPIRED","message":"Request Timestamp is far from the server time"})");
    }
    return answer(200, R"({"user":10001,"in_dual_mode":true})");
  };
  gt::GateioExchange ex(gate.client());
  CHECK(ex.account().in_dual_mode);
  CHECK(gate.count("GET", "/spot/time") == 2);
  CHECK(gate.count("GET", "/futures/usdt/accounts") == 2);
  CHECK(gate.requests.back().header("Timestamp") == "1700000120");  // signed with the server's time
  CHECK(ex.rest().clock_offset_ms() == 120'000);
  ex.account();
  CHECK(gate.count("GET", "/futures/usdt/accounts") == 2);  // read once

  // Expired twice: no third attempt, and nothing happened on Gate's side.
  FakeGate again;
  again.handler = [](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.path() != "/futures/usdt/accounts") return std::nullopt;
    return answer(401, R"({"label":"REQUEST_EXPIRED","message":"Request Timestamp is far from the server time"})");
  };
  gt::GateioExchange ex2(again.client());
  const auto e = error_of([&] { ex2.account(); });
  CHECK(e.kind() == K::unavailable);
  CHECK(e.code() == "REQUEST_EXPIRED");
  CHECK(again.count("GET", "/futures/usdt/accounts") == 2);
}

TEST_CASE("a Gate.io 429 stops every request until the rate-limit window resets", "[gateio][rest]") {
  FakeGate gate;
  int limited = 1;
  gate.handler = [&](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.path() != "/futures/usdt/tickers") return std::nullopt;
    if (limited-- > 0)
      return answer(429, R"({"label":"TOO_MANY_REQUESTS","message":"Too many requests"})",
                    {{"x-gate-ratelimit-requests-remain", "0"},
                     {"x-gate-ratelimit-reset-timestamp", std::to_string(gate.server_ms + 5'000)}});
    return answer(200, R"([{"contract":"ETH_USDT","mark_price":"2000.5"}])",
                  {{"x-gate-ratelimit-requests-remain", "199"}});
  };
  gt::GateioExchange ex(gate.client());
  const auto first = error_of([&] { ex.mark_price(kEth); });
  CHECK(first.kind() == K::unavailable);
  CHECK(first.code() == "TOO_MANY_REQUESTS");
  const std::size_t sent = gate.requests.size();

  const auto blocked = error_of([&] { ex.mark_price(kEth); });
  CHECK(blocked.kind() == K::unavailable);
  CHECK(blocked.code() == "TOO_MANY_REQUESTS");
  CHECK(std::string(blocked.what()) ==
        "Gate.io rate limit on GET /futures/usdt/tickers: backing off for 5 s more; not sent");
  gate.steady += std::chrono::milliseconds(4'999);
  CHECK(error_of([&] { ex.mark_price(kEth); }).code() == "TOO_MANY_REQUESTS");
  CHECK(gate.requests.size() == sent);  // nothing left while blocked

  gate.steady += std::chrono::milliseconds(1);
  CHECK(ex.mark_price(kEth) == Price::parse("2000.5"));
  CHECK(gate.requests.size() == sent + 1);
}

TEST_CASE("a Gate.io 429 without a reset time backs off 1 s then doubling", "[gateio][rest]") {
  FakeGate gate;
  gate.handler = [](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.path() != "/futures/usdt/tickers") return std::nullopt;
    return answer(429, "");
  };
  auto client = gate.client();
  const auto wait_out = [&](std::chrono::milliseconds expected) {
    CHECK(error_of([&] { client->public_get("/futures/usdt/tickers"); }).kind() == K::unavailable);  // the 429
    const std::size_t sent = gate.requests.size();
    gate.steady += expected - std::chrono::milliseconds(1);
    CHECK(error_of([&] { client->public_get("/futures/usdt/tickers"); }).code() == "TOO_MANY_REQUESTS");
    CHECK(gate.requests.size() == sent);
    gate.steady += std::chrono::milliseconds(1);
  };
  wait_out(std::chrono::seconds(1));
  wait_out(std::chrono::seconds(2));
  wait_out(std::chrono::seconds(4));
  for (int i = 0; i < 4; ++i) wait_out(std::chrono::seconds(std::min(60, 8 << i)));
  wait_out(std::chrono::seconds(60));  // capped
}

TEST_CASE("a Gate.io answer with no requests remaining holds the next request until the reset", "[gateio][rest]") {
  FakeGate gate;
  gate.handler = [&](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.path() != "/futures/usdt/tickers") return std::nullopt;
    return answer(200, R"([{"contract":"ETH_USDT","mark_price":"2000.5"}])",
                  {{"x-gate-ratelimit-requests-remain", "0"},
                   {"x-gate-ratelimit-reset-timestamp", std::to_string(gate.server_ms + 2'500)}});
  };
  gt::GateioExchange ex(gate.client());
  CHECK(ex.mark_price(kEth) == Price::parse("2000.5"));  // this answer itself is good
  const auto blocked = error_of([&] { ex.mark_price(kEth); });
  CHECK(blocked.code() == "TOO_MANY_REQUESTS");
  CHECK(std::string(blocked.what()) ==
        "Gate.io rate limit on GET /futures/usdt/tickers: backing off for 3 s more; not sent");
  gate.steady += std::chrono::milliseconds(2'500);
  CHECK(ex.mark_price(kEth) == Price::parse("2000.5"));
}

TEST_CASE("Gate.io transport failures and 5xx are unknown outcomes unless nothing was sent", "[gateio][rest]") {
  FakeGate gate;
  bool sent = true;
  gate.handler = [&](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.path() == "/futures/usdt/orders") throw exchange::HttpError(sent, "POST /futures/usdt/orders: timed out");
    if (r.path() == "/futures/usdt/price_orders") return answer(502, "<html>Bad Gateway</html>");
    if (r.path() == "/futures/usdt/price_orders/1") return answer(500, R"({"label":"SERVER_ERROR","message":"oops"})");
    return std::nullopt;
  };
  gt::GateioExchange ex(gate.client());
  CHECK(error_of([&] { ex.close_market(kEth, Side::long_, Qty::parse("0.5"), kNodeId); }).kind() == K::timeout);
  sent = false;
  CHECK(error_of([&] { ex.close_market(kEth, Side::long_, Qty::parse("0.5"), kNodeId); }).kind() == K::unavailable);
  const auto bad_gateway = error_of([&] {
    ex.place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("1950"), Qty::parse("0.5"), kNodeId);
  });
  CHECK(bad_gateway.kind() == K::timeout);
  CHECK(bad_gateway.code() == "HTTP 502");
  const auto server_error = error_of([&] { ex.cancel(kEth, core::OrderRef{"", "1"}); });
  CHECK(server_error.kind() == K::timeout);
  CHECK(server_error.code() == "SERVER_ERROR");
}

// ----------------------------------------------------------------------------------------------
// The adapter

TEST_CASE("Gate.io closes are reduce-only IOC market orders carrying the node id", "[gateio][exchange]") {
  FakeGate gate;
  gate.handler = fill_posted_order;
  gt::GateioExchange ex(gate.client());
  const auto closed_short = ex.close_market(kEth, Side::short_, Qty::parse("0.25"), "ptp-0123456789abcdef-2r3-c");
  CHECK(
      gate.requests.back().body ==
      R"({"contract":"ETH_USDT","size":25,"price":"0","tif":"ioc","reduce_only":true,"text":"t-p0123456789abcdef-2r3-c"})");
  CHECK(closed_short.position_side == Side::short_);
  CHECK(closed_short.ref.client_id == "ptp-0123456789abcdef-2r3-c");
  CHECK(closed_short.ref.exchange_id == "1234");
  CHECK(closed_short.status == OrderStatus::filled);
  CHECK(gate.count("GET", "/futures/usdt/contracts/ETH_USDT") == 1);
  ex.close_market(kEth, Side::long_, Qty::parse("0.01"), kNodeId);
  CHECK(gate.count("GET", "/futures/usdt/contracts/ETH_USDT") == 1);  // filters cached

  // Refused before sending: no contracts at all, or an id that cannot be a text.
  const std::size_t posts = gate.count("POST", "/futures/usdt/orders");
  CHECK(error_of([&] { ex.close_market(kEth, Side::long_, Qty::parse("0.001"), kNodeId); }).kind() == K::rejected);
  CHECK(error_of([&] { ex.close_market(kEth, Side::long_, Qty{}, kNodeId); }).kind() == K::rejected);
  const auto bad_id = error_of([&] { ex.close_market(kEth, Side::long_, Qty::parse("0.5"), "someone-else"); });
  CHECK(bad_id.kind() == K::rejected);
  CHECK(std::string(bad_id.what()).find("someone-else") != std::string::npos);
  CHECK(gate.count("POST", "/futures/usdt/orders") == posts);

  // Gate's rejection comes back with its label and message.
  gate.handler = [](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.method == "POST") return answer(400, R"({"label":"POSITION_EMPTY","message":"Position is empty"})");
    return std::nullopt;
  };
  const auto empty = error_of([&] { ex.close_market(kEth, Side::long_, Qty::parse("0.5"), kNodeId); });
  CHECK(empty.reason() == "rejected POSITION_EMPTY Position is empty");
}

TEST_CASE("Gate.io filters of an unknown contract are rejected naming it", "[gateio][exchange]") {
  FakeGate gate;
  gt::GateioExchange ex(gate.client());
  const auto e = error_of([&] { ex.filters(core::Symbol::parse("NOPE")); });
  CHECK(e.kind() == K::rejected);
  CHECK(e.code() == "CONTRACT_NOT_FOUND");
  CHECK(std::string(e.what()).find("NOPE_USDT") != std::string::npos);
  CHECK(ex.filters(kEth).contract_size == Qty::parse("0.01"));
}

TEST_CASE("Gate.io stops and take-profits are mark-price plan-close orders with the right rule", "[gateio][exchange]") {
  FakeGate gate;
  long next_id = 5000;
  gate.handler = [&](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.method == "POST" && r.path() == "/futures/usdt/price_orders")
      return answer(201, fmt::format(R"({{"id":{}}})", next_id++));
    return std::nullopt;
  };
  gt::GateioExchange ex(gate.client());
  struct Row {
    OrderKind kind;
    Side side;
    long size;
    int rule;
    const char* order_type;
  };
  const Row rows[] = {{OrderKind::stop, Side::long_, -50, 2, "plan-close-long-position"},
                      {OrderKind::take_profit, Side::long_, -50, 1, "plan-close-long-position"},
                      {OrderKind::stop, Side::short_, 50, 1, "plan-close-short-position"},
                      {OrderKind::take_profit, Side::short_, 50, 2, "plan-close-short-position"}};
  int n = 0;
  for (const auto& row : rows) {
    const std::string id = "ptp-0123456789abcdef-1-s-" + std::to_string(++n);
    const auto placed = ex.place_conditional(row.kind, kEth, row.side, Price::parse("1950.5"), Qty::parse("0.5"), id);
    CHECK(gate.requests.back().body ==
          fmt::format(R"({{"initial":{{"contract":"ETH_USDT","size":{},"price":"0","tif":"ioc","reduce_only":true}},)"
                      R"("trigger":{{"strategy_type":0,"price_type":1,"price":"1950.5","rule":{},"expiration":0}},)"
                      R"("order_type":"{}"}})",
                      row.size, row.rule, row.order_type));
    CHECK(placed.ref == core::OrderRef{id, std::to_string(next_id - 1)});
    CHECK(placed.kind == row.kind);
    CHECK(placed.position_side == row.side);
    CHECK(placed.qty == Qty::parse("0.5"));
    CHECK(placed.trigger_price == Price::parse("1950.5"));
    CHECK(placed.status == OrderStatus::open);
  }
  // Not a whole number of contracts: refused, not sent.
  CHECK(error_of([&] {
          ex.place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("1950"), Qty::parse("0.005"), "ptp-x");
        }).kind() == K::rejected);
  CHECK(gate.count("POST", "/futures/usdt/price_orders") == 4);
}

TEST_CASE("Gate.io cancels price orders by Gate's id or the one remembered for the node id", "[gateio][exchange]") {
  FakeGate gate;
  gate.handler = [&](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.method == "POST" && r.path() == "/futures/usdt/price_orders") return answer(201, R"({"id":777})");
    if (r.method == "DELETE" && r.path() == "/futures/usdt/price_orders/777")
      return answer(200, price_order_json(777, "plan-close-long-position", -50, "1950", 2, "finished", "cancelled"));
    if (r.method == "DELETE") return answer(404, R"({"label":"ORDER_NOT_FOUND","message":"Order not found"})");
    return std::nullopt;
  };
  gt::GateioExchange ex(gate.client());
  const std::string stop_id = "ptp-0123456789abcdef-1-s";
  ex.place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("1950"), Qty::parse("0.5"), stop_id);
  ex.cancel(kEth, core::OrderRef{stop_id, ""});
  CHECK(gate.requests.back().method == "DELETE");
  CHECK(gate.requests.back().path() == "/futures/usdt/price_orders/777");
  ex.cancel(kEth, core::OrderRef{"", "777"});
  CHECK(gate.count("DELETE", "/futures/usdt/price_orders/777") == 2);

  CHECK(error_of([&] { ex.cancel(kEth, core::OrderRef{"", "778"}); }).kind() == K::not_found);
  const std::size_t sent = gate.requests.size();
  CHECK(error_of([&] { ex.cancel(kEth, core::OrderRef{"ptp-0123456789abcdef-9-s", ""}); }).kind() == K::not_found);
  CHECK(gate.requests.size() == sent);  // nothing to name: not sent
}

TEST_CASE("a Gate.io close is found by its text then in the order history and never resent", "[gateio][exchange]") {
  FakeGate gate;
  const std::string other_text = "t-p0123456789abcdef-7-c";
  gate.handler = [&](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.path().rfind("/futures/usdt/orders/", 0) == 0)  // every text's 60 s have passed
      return answer(404, R"({"label":"ORDER_NOT_FOUND","message":"Order not found"})");
    if (r.path() != "/futures/usdt/orders" || r.method != "GET") return std::nullopt;
    std::vector<std::string> rows;
    if (r.query() == "contract=ETH_USDT&status=finished&limit=100&offset=0") {
      for (int i = 0; i < 100; ++i)
        rows.push_back(order_json(9000 - i, -1, 0, "finished", "filled", "\"2000\"", other_text));
    } else if (r.query() == "contract=ETH_USDT&status=finished&limit=100&offset=100") {
      rows.push_back(order_json(8900, -1, 0, "finished", "filled", "\"2000\"", "api"));
      rows.push_back(order_json(8899, -50, 20, "finished", "ioc", "2000.5", kNodeText));
    }
    return answer(200, array_of(rows));
  };
  gt::GateioExchange ex(gate.client());
  core::OrderLookup lookup;
  lookup.symbol = kEth;
  lookup.client_id = kNodeId;
  lookup.qty = Qty::parse("0.5");
  const auto found = ex.query(lookup);
  REQUIRE(found);
  CHECK(found->ref.exchange_id == "8899");
  CHECK(found->ref.client_id == kNodeId);
  CHECK(found->filled_qty == Qty::parse("0.3"));
  CHECK(found->status == OrderStatus::canceled);
  CHECK(gate.count("GET", "/futures/usdt/orders") == 3);  // the open ones, then two pages of finished ones

  // Nowhere: nullopt after the open and the finished orders (the list ended before 1000), and
  // nothing is sent again.
  lookup.client_id = "ptp-0123456789abcdef-3-c";
  const std::size_t before = gate.requests.size();
  CHECK_FALSE(ex.query(lookup));
  REQUIRE(gate.requests.size() == before + 4);  // the text, the open orders, two finished pages
  CHECK(gate.requests[before + 1].query() == "contract=ETH_USDT&status=open&limit=100&offset=0");
  CHECK(gate.requests.back().query() == "contract=ETH_USDT&status=finished&limit=100&offset=100");
  CHECK(gate.count_method("POST") == 0);
  // An id that can never be a text was never sent.
  lookup.client_id = "not-ours";
  const std::size_t sent = gate.requests.size();
  CHECK_FALSE(ex.query(lookup));
  CHECK(gate.requests.size() == sent);
}

TEST_CASE("a Gate.io close older than the newest 1000 finished orders stays unresolved and is never resent",
          "[gateio][exchange]") {
  FakeGate gate;
  gate.handler = [&](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.path() == "/futures/usdt/orders/" + kNodeText)
      return answer(404, R"({"label":"ORDER_NOT_FOUND","message":"Order not found"})");
    if (r.path() != "/futures/usdt/orders") return std::nullopt;
    if (r.query().find("status=open") != std::string::npos) return answer(200, "[]");
    std::vector<std::string> rows;  // every page of the history is full
    for (int i = 0; i < 100; ++i) rows.push_back(order_json(i, -1, 0, "finished", "filled", "\"2000\"", "api"));
    return answer(200, array_of(rows));
  };
  gt::GateioExchange ex(gate.client());
  core::OrderLookup lookup;
  lookup.symbol = kEth;
  lookup.client_id = kNodeId;
  // Not "never made" (the node would send the close again): unresolved, looked up again later.
  const auto e = error_of([&] { ex.query(lookup); });
  CHECK(e.kind() == K::unavailable);
  CHECK(std::string(e.what()) == kNodeId +
                                     ": not found in the newest 1000 finished orders of ETH_USDT; not sent, looked "
                                     "up again later");
  CHECK(gate.count("GET", "/futures/usdt/orders") == 11);  // the open ones, then 10 pages of finished ones
  CHECK(gate.requests.back().query() == "contract=ETH_USDT&status=finished&limit=100&offset=900");
  CHECK(gate.count_method("POST") == 0);
}

TEST_CASE("a Gate.io stop is found by its remembered id or recognised among the open price orders",
          "[gateio][exchange]") {
  FakeGate gate;
  gate.handler = [&](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.method == "POST" && r.path() == "/futures/usdt/price_orders") return answer(201, R"({"id":601})");
    if (r.path() == "/futures/usdt/price_orders/601")
      return answer(200, price_order_json(601, "plan-close-long-position", -50, "1950", 2, "finished", "succeeded"));
    if (r.path() == "/futures/usdt/price_orders" && r.query() == "status=open&contract=ETH_USDT&limit=100&offset=0")
      return answer(200, array_of({
                             price_order_json(604, "plan-close-long-position", -50, "1950", 1),  // a take-profit
                             price_order_json(603, "plan-close-long-position", -40, "1950", 2),  // other size
                             price_order_json(602, "plan-close-long-position", -50, "1949", 2),  // other trigger
                             price_order_json(601, "plan-close-long-position", -50, "1950", 2),  // another id's
                             price_order_json(600, "plan-close-long-position", -50, "1950", 2),  // this one
                             price_order_json(599, "plan-close-short-position", 50, "1950", 1),  // a short's
                         }));
    if (r.path() == "/futures/usdt/price_orders" && r.query() == "status=open&limit=100&offset=0")
      return answer(
          200, array_of({price_order_json(601, "plan-close-long-position", -50, "1950", 2),
                         price_order_json(600, "plan-close-long-position", -50, "1950", 2),
                         price_order_json(42, "plan-close-short-position", 5, "30000", 1, "open", "", "BTC_USDT")}));
    return std::nullopt;
  };
  gt::GateioExchange ex(gate.client());
  const std::string placed_id = "ptp-0123456789abcdef-1-s";
  ex.place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("1950"), Qty::parse("0.5"), placed_id);

  core::OrderLookup lookup;
  lookup.symbol = kEth;
  lookup.kind = OrderKind::stop;
  lookup.position_side = Side::long_;
  lookup.qty = Qty::parse("0.5");
  lookup.trigger = Price::parse("1950");

  lookup.client_id = placed_id;
  const auto fired = ex.query(lookup);
  REQUIRE(fired);
  CHECK(fired->ref == core::OrderRef{placed_id, "601"});
  CHECK(fired->status == OrderStatus::filled);

  lookup.client_id = "ptp-0123456789abcdef-2-s";
  const auto recognised = ex.query(lookup);
  REQUIRE(recognised);
  CHECK(recognised->ref == core::OrderRef{"ptp-0123456789abcdef-2-s", "600"});
  CHECK(recognised->status == OrderStatus::open);

  // Remembered from now on: open_orders names both.
  const auto open = ex.open_orders();
  REQUIRE(open.size() == 3);
  CHECK(open[0].ref == core::OrderRef{placed_id, "601"});
  CHECK(open[1].ref == core::OrderRef{"ptp-0123456789abcdef-2-s", "600"});
  CHECK(open[2].ref == core::OrderRef{"", "42"});
  CHECK(open[2].symbol == core::Symbol::parse("BTC"));

  // Nothing that matches: the exchange never made it.
  lookup.client_id = "ptp-0123456789abcdef-3-s";
  lookup.trigger = Price::parse("1900");
  CHECK_FALSE(ex.query(lookup));
  CHECK(gate.count("POST", "/futures/usdt/price_orders") == 1);
}

TEST_CASE("Gate.io positions read the account mode once", "[gateio][exchange]") {
  FakeGate gate;
  gate.dual_mode = true;
  gate.handler = [&](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.path() != "/futures/usdt/positions") return std::nullopt;
    CHECK(r.query() == "holding=true");
    return answer(200, R"([{"contract":"ETH_USDT","size":10,"entry_price":"1990","mode":"dual_long"},
                           {"contract":"ETH_USDT","size":-5,"entry_price":"2010","mode":"dual_short"},
                           {"contract":"BTC_USDT","size":3,"entry_price":"38000","mode":"dual_long"}])");
  };
  gt::GateioExchange ex(gate.client());
  const auto positions = ex.open_positions();
  REQUIRE(positions.size() == 3);
  CHECK(positions[0].size == Qty::parse("0.1"));
  CHECK(positions[1].side == Side::short_);
  CHECK(positions[2].size == Qty::parse("0.0003"));
  CHECK(ex.account().in_dual_mode);
  CHECK(ex.account().user_id == "10001");
  ex.open_positions();
  CHECK(gate.count("GET", "/futures/usdt/accounts") == 1);
  CHECK(gate.count("GET", "/futures/usdt/contracts/BTC_USDT") == 1);
}

// ----------------------------------------------------------------------------------------------
// Review findings: unreadable placements, lookups past the newest 1000, quoted whole numbers,
// averaged prices, opening trigger orders, rows that cannot be read, per-endpoint rate limits

namespace {

// `s` with its one `from` replaced by `to`.
std::string replaced_in(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

// A user's trigger order that opens or adds to a position: no close order_type, not reduce-only.
std::string opening_price_order_json(long id, long size, const std::string& trigger, int rule) {
  return replaced_in(price_order_json(id, "", size, trigger, rule), R"("reduce_only":true,"is_reduce_only":true)",
                     R"("reduce_only":false,"is_reduce_only":false)");
}

const std::string kNotFound = R"({"label":"ORDER_NOT_FOUND","message":"Order not found"})";
const std::string kTooMany = R"({"label":"TOO_MANY_REQUESTS","message":"Too many requests"})";

}  // namespace

TEST_CASE("a Gate.io order placement whose 2xx answer cannot be read is an unknown outcome", "[gateio][exchange]") {
  FakeGate gate;
  gate.handler = [](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.method == "POST" && r.path() == "/futures/usdt/orders") return answer(201, R"({"id":1234,"status":"fin)");
    if (r.method == "POST" && r.path() == "/futures/usdt/price_orders") return answer(201, "<html>Created</html>");
    return std::nullopt;
  };
  gt::GateioExchange ex(gate.client());
  // Gate took the close: "not sent" would have the node send it again under a new id, a second
  // close. An unknown outcome has it looked up first.
  const auto close = error_of([&] { ex.close_market(kEth, Side::long_, Qty::parse("0.5"), kNodeId); });
  CHECK(close.kind() == K::timeout);
  const std::string close_text = close.what();
  CHECK(close_text.rfind(
            "Gate.io accepted " + kNodeId + " (POST /futures/usdt/orders) but its answer could not be read: ", 0) == 0);
  CHECK(close_text.find("malformed Gate.io answer (futures order)") != std::string::npos);

  const std::string stop_id = "ptp-0123456789abcdef-1-s";
  const auto stop = error_of([&] {
    ex.place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("1950"), Qty::parse("0.5"), stop_id);
  });
  CHECK(stop.kind() == K::timeout);
  CHECK(std::string(stop.what()).rfind(
            "Gate.io accepted " + stop_id + " (POST /futures/usdt/price_orders) but its answer could not be read: ",
            0) == 0);
  CHECK(gate.count("POST", "/futures/usdt/orders") == 1);
  CHECK(gate.count("POST", "/futures/usdt/price_orders") == 1);
}

TEST_CASE("a Gate.io close is looked up among the open orders before the finished ones", "[gateio][exchange]") {
  // The close is open until the first list answer, finished from then on (an IOC finishing between
  // the two list calls): read finished-then-open, it would be in neither answer.
  FakeGate gate;
  bool finished = false;
  gate.handler = [&](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.path() == "/futures/usdt/orders/" + kNodeText) return answer(404, kNotFound);  // the text missed it
    if (r.path() != "/futures/usdt/orders") return std::nullopt;
    const bool lists_open = r.query().find("status=open") != std::string::npos;
    std::vector<std::string> rows;
    if (lists_open != finished)
      rows.push_back(finished ? order_json(77, -50, 0, "finished", "filled", "\"2000\"", kNodeText)
                              : order_json(77, -50, 50, "open", "", "\"0\"", kNodeText));
    finished = true;
    return answer(200, array_of(rows));
  };
  gt::GateioExchange ex(gate.client());
  core::OrderLookup lookup;
  lookup.symbol = kEth;
  lookup.client_id = kNodeId;
  const auto found = ex.query(lookup);
  REQUIRE(found);
  CHECK(found->ref == core::OrderRef{kNodeId, "77"});
  CHECK(found->status == OrderStatus::open);
  CHECK(gate.count("GET", "/futures/usdt/orders") == 1);  // found in the first list
}

TEST_CASE("a Gate.io stop lookup or open order list past 1000 open price orders stays unresolved",
          "[gateio][exchange]") {
  FakeGate gate;
  gate.handler = [&](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.path() != "/futures/usdt/price_orders") return std::nullopt;
    std::vector<std::string> rows;  // every page full, none of them the stop looked for
    for (int i = 0; i < 100; ++i)
      rows.push_back(price_order_json(1000 + i, "plan-close-long-position", -10, "1900", 2));
    return answer(200, array_of(rows));
  };
  gt::GateioExchange ex(gate.client());
  core::OrderLookup lookup;
  lookup.symbol = kEth;
  lookup.client_id = "ptp-0123456789abcdef-1-s";
  lookup.kind = OrderKind::stop;
  lookup.position_side = Side::long_;
  lookup.qty = Qty::parse("0.5");
  lookup.trigger = Price::parse("1950");
  const auto e = error_of([&] { ex.query(lookup); });
  CHECK(e.kind() == K::unavailable);
  CHECK(std::string(e.what()) ==
        "ptp-0123456789abcdef-1-s: not found in the newest 1000 open price orders of ETH_USDT; not sent, looked up "
        "again later");
  CHECK(gate.count("GET", "/futures/usdt/price_orders") == 10);

  // A list that is not complete could hide one of the node's stops: no list rather than a short one.
  const auto list = error_of([&] { ex.open_orders(); });
  CHECK(list.kind() == K::unavailable);
  CHECK(std::string(list.what()).find("more than 1000 open Gate.io price orders") != std::string::npos);
  CHECK(gate.count("GET", "/futures/usdt/price_orders") == 20);
  CHECK(gate.count_method("POST") == 0);
}

TEST_CASE("Gate.io whole numbers read the same as JSON integers and as strings", "[gateio][responses]") {
  // ccxt's recorded Gate answers (ccxt/ccxt ts/src/test/static/response/gate.json) quote every
  // whole number. createOrder's market order, its contract renamed ETH_USDT (the recorded one is
  // not ASCII):
  const auto order = gt::parse_order(R"({
    "refu": "0", "tkfr": "0.0005", "mkfr": "0.0002", "contract": "ETH_USDT", "id": "299207900263708423",
    "price": "0", "tif": "ioc", "iceberg": "0", "text": "api", "user": "10406147", "is_reduce_only": false,
    "is_close": false, "is_liq": false, "fill_price": "0.005416", "create_time": "1768397866.662",
    "update_time": "1768397866.663", "finish_time": "1768397866.663", "finish_as": "filled", "status": "finished",
    "left": "0", "refr": "0", "size": "100", "biz_info": "ch:ccxt", "amend_text": "-", "stp_act": "-",
    "stp_id": "0", "update_id": "1", "pnl": "0", "pnl_margin": "0", "bbo": "-", "market_order_slip_ratio": "0.05"})",
                                     test_filters());
  CHECK(order.ref.exchange_id == "299207900263708423");
  CHECK(order.qty == Qty::parse("1"));  // 100 contracts of 0.01 ETH
  CHECK(order.filled_qty == Qty::parse("1"));
  CHECK(order.avg_fill_price == Price::parse("0.005416"));
  CHECK(order.position_side == Side::short_);  // a buy
  CHECK(order.status == OrderStatus::filled);

  // cancelOrder's "cancel trigger swap order", verbatim: "rule":"1", "size":"1", string ids.
  const gt::FiltersLookup ltc = [](const std::string& contract) {
    if (contract != "LTC_USDT") throw ExchangeError(K::rejected, "CONTRACT_NOT_FOUND", contract);
    return core::InstrumentFilters::in_contracts(Price::parse("0.01"), Qty::parse("1"), 1);
  };
  const auto trigger = gt::parse_price_order(R"({
    "user": "10406147",
    "trigger": {"strategy_type": "0", "price_type": "0", "price": "80", "rule": "1", "expiration": "0"},
    "initial": {"contract": "LTC_USDT", "size": "1", "price": "81", "tif": "gtc", "text": "", "iceberg": "0",
                "is_close": false, "is_reduce_only": false, "auto_size": "", "amount": "1", "iceberg_amount": "0"},
    "id": "2007048638370418688", "id_string": "2007048638370418688", "trigger_time": "0", "trade_id": "0",
    "trade_id_string": "", "status": "finished", "finish_as": "cancelled", "reason": "",
    "create_time": "1767352659205927", "finish_time": "1767352695612680", "is_stop_order": false,
    "stop_trigger": {"rule": "0", "trigger_price": "", "order_price": ""}, "me_order_id": "0",
    "me_order_id_string": "", "order_type": "", "in_dual_mode": false, "parent_id": "0", "parent_id_string": "",
    "stop_profit_price": "", "stop_loss_price": "", "batch_id": "",
    "mmr_trigger": {"mmr": "", "rate": "", "trigger_mark_price": ""}, "direction": "long", "filled_size": "0",
    "broker": "ccxt"})",
                                             ltc);
  CHECK(trigger.ref.exchange_id == "2007048638370418688");
  CHECK(trigger.qty == Qty::parse("1"));
  CHECK(trigger.trigger_price == Price::parse("80"));
  CHECK(trigger.kind == OrderKind::stop);  // a buy at mark >= 80 (rule "1"): reads as a short's stop
  CHECK(trigger.status == OrderStatus::canceled);

  // Contracts, positions, the server time and a created id, quoted.
  const auto contracts = gt::parse_contracts(replaced_in(
      replaced_in(contract_json("ETH_USDT", "0.01"), R"("order_size_min":1)", R"("order_size_min":"2")"),
      R"("order_size_max":1000000)", R"("order_size_max":"1000")"));
  REQUIRE(contracts.size() == 1);
  CHECK(contracts[0].filters.min_qty == Qty::parse("0.02"));
  CHECK(contracts[0].filters.max_qty == Qty::parse("10"));
  const auto positions =
      gt::parse_positions(R"([{"contract":"ETH_USDT","size":"-150","entry_price":"2000","mode":"single"}])",
                          test_filters());
  REQUIRE(positions.size() == 1);
  CHECK(positions[0].side == Side::short_);
  CHECK(positions[0].size == Qty::parse("1.5"));
  CHECK(gt::parse_server_time(R"({"server_time":"1700000000123"})") == 1700000000123);
  CHECK(gt::parse_created_id(R"({"id":"5678"})") == "5678");

  // Still whole numbers only, and within range.
  CHECK(malformed([&] {
    gt::parse_price_order(replaced_in(price_order_json(1, "plan-close-long-position", -5, "1950", 2), R"("rule":2)",
                                      R"("rule":"2.0")"),
                          test_filters());
  }));
  CHECK(malformed([&] {
    gt::parse_positions(R"([{"contract":"ETH_USDT","size":"-9223372036854775808","entry_price":"1","mode":"single"}])",
                        test_filters());
  }));
  CHECK(malformed([&] {
    gt::parse_positions(R"([{"contract":"ETH_USDT","size":"9223372036854775808","entry_price":"1","mode":"single"}])",
                        test_filters());
  }));
  CHECK(malformed([&] { gt::parse_server_time(R"({"server_time":""})"); }));
  CHECK(malformed([&] { gt::parse_server_time(R"({"server_time":"-"})"); }));
}

TEST_CASE("Gate.io averaged prices round half-up to 1e-8 while sizes and triggers stay exact", "[gateio][responses]") {
  // Gate's documented futures.positions example (futures_websocket_api.md, "Positions
  // notification"), its row verbatim: an entry price with 11 decimals.
  const gt::FiltersLookup btc_usd = [](const std::string&) {
    return core::InstrumentFilters::in_contracts(Price::parse("0.1"), Qty::parse("1"), 1);
  };
  const auto documented = gt::parse_positions("[" + test::gateio_docs::kPositionRow + "]",
                                              btc_usd);
  REQUIRE(documented.size() == 1);
  CHECK(documented[0].entry == Price::parse("40000.36666661"));
  CHECK(documented[0].size == Qty::parse("3"));
  // The same value as REST quotes it.
  const auto rest = gt::parse_positions(
      R"([{"contract":"BTC_USDT","size":3,"entry_price":"40000.36666661111","mark_price":"40001.123456789",)"
      R"("mode":"single"}])",
      test_filters());
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].entry == Price::parse("40000.36666661"));

  // A fill price likewise, half-up at the ninth decimal (away from zero).
  const auto fill = [](const std::string& price) {
    return gt::parse_order(order_json(1, -50, 0, "finished", "filled", price, "api"), test_filters()).avg_fill_price;
  };
  CHECK(fill("\"2000.123456785\"") == Price::parse("2000.12345679"));
  CHECK(fill("\"2000.1234567849999\"") == Price::parse("2000.12345678"));
  CHECK(fill("2000.123456785") == Price::parse("2000.12345679"));
  CHECK(fill("\"2000.12345678\"") == Price::parse("2000.12345678"));
  CHECK(fill("\"0.000000005\"") == Price::from_units(1));
  CHECK(fill("\"-0.000000005\"") == Price::from_units(-1));
  CHECK(fill("\"1e-9\"") == Price{});
  CHECK(malformed([&] { fill("\"2000.12345678x\""); }));
  CHECK(malformed([&] { fill("\"2000.123456789.5\""); }));
  CHECK(malformed([&] { fill("\"92233720368.547758075\""); }));  // rounds past int64

  // Sizes, multipliers and triggers: every digit or malformed.
  CHECK(malformed([&] { gt::parse_contracts(contract_json("ETH_USDT", "0.000000015")); }));
  CHECK(malformed([&] {
    gt::parse_price_order(price_order_json(1, "plan-close-long-position", -5, "1950.123456785", 2), test_filters());
  }));
}

TEST_CASE("a user's opening Gate.io trigger order is never the node's stop nor in the open orders",
          "[gateio][exchange]") {
  FakeGate gate;
  gate.multipliers["LTC_USDT"] = "1";
  const std::vector<std::string> rows{
      // Opens (adds to) a short at 1950: in size, trigger and rule it is the long's stop looked for.
      opening_price_order_json(700, -50, "1950", 2),
      // ccxt's recorded trigger order: order_type "", is_reduce_only false.
      R"({"user":"10406147","trigger":{"strategy_type":"0","price_type":"0","price":"80","rule":"1","expiration":"0"},)"
      R"("initial":{"contract":"LTC_USDT","size":"1","price":"81","tif":"gtc","text":"","iceberg":"0",)"
      R"("is_close":false,"is_reduce_only":false,"auto_size":"","amount":"1","iceberg_amount":"0"},)"
      R"("id":"2007048638370418688","status":"open","finish_as":"","reason":"","order_type":""})",
      // Closing ones: reduce-only without a close order type, and Gate's close-long-order.
      replaced_in(opening_price_order_json(701, -50, "1900", 2), R"("is_reduce_only":false)",
                  R"("is_reduce_only":true)"),
      price_order_json(702, "close-long-order", 0, "1800", 2),
  };
  gate.handler = [&](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.path() == "/futures/usdt/price_orders") return answer(200, array_of(rows));
    return std::nullopt;
  };
  gt::GateioExchange ex(gate.client());
  core::OrderLookup lookup;
  lookup.symbol = kEth;
  lookup.client_id = "ptp-0123456789abcdef-1-s";
  lookup.kind = OrderKind::stop;
  lookup.position_side = Side::long_;
  lookup.qty = Qty::parse("0.5");
  lookup.trigger = Price::parse("1950");
  CHECK_FALSE(ex.query(lookup));  // never the user's opening order

  const auto open = ex.open_orders();
  REQUIRE(open.size() == 2);
  CHECK(open[0].ref.exchange_id == "701");
  CHECK(open[0].kind == OrderKind::stop);
  CHECK(open[0].position_side == Side::long_);
  CHECK(open[1].ref.exchange_id == "702");
  CHECK(open[1].qty.is_zero());

  // The strict list reader leaves them out too.
  const auto strict = gt::parse_price_orders(array_of({rows[0], rows[3]}), test_filters());
  REQUIRE(strict.size() == 1);
  CHECK(strict[0].ref.exchange_id == "702");
}

TEST_CASE("Gate.io open orders leave out a row they cannot read with one warning per order and keep the rest",
          "[gateio][exchange]") {
  FakeGate gate;
  bool contracts_down = false;
  gate.handler = [&](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.path() == "/futures/usdt/contracts/XRP_USDT")  // a contract with decimal sizes (enable_decimal)
      return answer(200, replaced_in(contract_json("XRP_USDT", "1"), R"("order_size_min":1)",
                                     R"("order_size_min":"0.0001")"));
    if (contracts_down && r.path().rfind("/futures/usdt/contracts/", 0) == 0)
      return answer(503, R"({"label":"TOO_BUSY","message":"Server is too busy"})");
    if (r.path() != "/futures/usdt/price_orders") return std::nullopt;
    const std::string decimal_size = replaced_in(
        price_order_json(603, "plan-close-short-position", 5, "30000", 1, "open", "", "BTC_USDT"), R"("size":5)",
        R"("size":"1.5")");
    if (r.query().find("contract=BTC_USDT") != std::string::npos) return answer(200, array_of({decimal_size}));
    return answer(200, array_of({
                           price_order_json(601, "plan-close-long-position", -50, "1950", 2),
                           price_order_json(602, "plan-close-long-position", -5, "0.1", 2, "open", "", "DOGE_USDT"),
                           decimal_size,
                           price_order_json(604, "plan-close-long-position", -5, "0.5", 2, "open", "", "XRP_USDT"),
                           price_order_json(605, "plan-close-short-position", 5, "2100", 1),
                       }));
  };
  std::vector<std::string> warnings;
  gt::GateioExchange ex(gate.client(), [&](const std::string& m) { warnings.push_back(m); });
  const auto open = ex.open_orders();
  REQUIRE(open.size() == 2);
  CHECK(open[0].ref.exchange_id == "601");
  CHECK(open[1].ref.exchange_id == "605");
  REQUIRE(warnings.size() == 3);
  CHECK(warnings[0].rfind("open price order 602 (DOGE_USDT) cannot be read and is left out of the open orders: "
                          "rejected CONTRACT_NOT_FOUND",
                          0) == 0);
  CHECK(warnings[1].rfind("open price order 603 (BTC_USDT) cannot be read", 0) == 0);
  CHECK(warnings[1].find("\"size\"") != std::string::npos);
  CHECK(warnings[2].rfind("open price order 604 (XRP_USDT) cannot be read", 0) == 0);
  CHECK(warnings[2].find("order_size_min") != std::string::npos);

  // Once per order id: the next read leaves them out without a word.
  CHECK(ex.open_orders().size() == 2);
  CHECK(warnings.size() == 3);

  // Looking for the node's stop among a contract's orders, a row that cannot be read might be it:
  // unresolved, never "never made".
  core::OrderLookup lookup;
  lookup.symbol = core::Symbol::parse("BTC");
  lookup.client_id = "ptp-0123456789abcdef-1-s";
  lookup.kind = OrderKind::stop;
  lookup.position_side = Side::short_;
  lookup.qty = Qty::parse("0.0005");
  lookup.trigger = Price::parse("30000");
  const auto unresolved = error_of([&] { ex.query(lookup); });
  CHECK(unresolved.kind() == K::unavailable);
  CHECK(std::string(unresolved.what())
            .rfind("ptp-0123456789abcdef-1-s: open price order 603 of BTC_USDT cannot be read (", 0) == 0);

  // Gate failing to describe a contract says nothing about the row: the list fails, unknown.
  contracts_down = true;
  CHECK(error_of([&] { ex.open_orders(); }).kind() == K::timeout);
}

TEST_CASE("Gate.io rate limits back off per endpoint so an exhausted ticker never delays a close", "[gateio][rest]") {
  CHECK(gt::rate_limit_key("POST", "/futures/usdt/orders") == "POST /futures/usdt/orders");
  CHECK(gt::rate_limit_key("GET", "/futures/usdt/orders/t-p0123456789abcdef-1-c") == "GET /futures/usdt/orders/{id}");
  CHECK(gt::rate_limit_key("DELETE", "/futures/usdt/price_orders/5678") == "DELETE /futures/usdt/price_orders/{id}");
  CHECK(gt::rate_limit_key("GET", "/futures/usdt/contracts/ETH_USDT") == "GET /futures/usdt/contracts/{contract}");
  CHECK(gt::rate_limit_key("GET", "/futures/usdt/positions/ETH_USDT/leverage") ==
        "GET /futures/usdt/positions/{contract}/leverage");
  CHECK(gt::rate_limit_key("GET", "/spot/time") == "GET /spot/time");

  FakeGate gate;
  gate.handler = [&](const Request& r) -> std::optional<exchange::HttpResponse> {
    const std::vector<std::pair<std::string, std::string>> exhausted{
        {"x-gate-ratelimit-requests-remain", "0"},
        {"x-gate-ratelimit-reset-timestamp", std::to_string(gate.server_ms + 5'000)}};
    if (r.path() == "/futures/usdt/tickers") return answer(429, kTooMany, exhausted);
    if (r.method == "GET" && r.path().rfind("/futures/usdt/price_orders/", 0) == 0)
      return answer(429, kTooMany, exhausted);
    if (r.method == "GET" && r.path() == "/futures/usdt/price_orders") return answer(200, "[]");
    return fill_posted_order(r);
  };
  gt::GateioExchange ex(gate.client());
  CHECK(error_of([&] { ex.mark_price(kEth); }).code() == "TOO_MANY_REQUESTS");
  const std::size_t tickers = gate.count("GET", "/futures/usdt/tickers");

  // The close goes out at once: /tickers' window is not the orders'.
  CHECK(ex.close_market(kEth, Side::long_, Qty::parse("0.5"), kNodeId).status == OrderStatus::filled);
  CHECK(gate.count("POST", "/futures/usdt/orders") == 1);
  const auto blocked = error_of([&] { ex.mark_price(kEth); });
  CHECK(std::string(blocked.what()) ==
        "Gate.io rate limit on GET /futures/usdt/tickers: backing off for 5 s more; not sent");
  CHECK(gate.count("GET", "/futures/usdt/tickers") == tickers);

  // Ids collapse: a 429 on one price order's GET holds every price order's GET, not the list.
  CHECK(error_of([&] { ex.rest().signed_call("GET", "/futures/usdt/price_orders/5"); }).code() == "TOO_MANY_REQUESTS");
  const auto other_id = error_of([&] { ex.rest().signed_call("GET", "/futures/usdt/price_orders/6"); });
  CHECK(std::string(other_id.what()) ==
        "Gate.io rate limit on GET /futures/usdt/price_orders/{id}: backing off for 5 s more; not sent");
  CHECK(gate.count("GET", "/futures/usdt/price_orders/6") == 0);
  CHECK(ex.open_orders().empty());  // GET /futures/usdt/price_orders: its own window
}

TEST_CASE("a Gate.io reset time in seconds or milliseconds holds requests until then and never past 60 s",
          "[gateio][rest]") {
  CHECK(gt::reset_time_ms(1'700'000'005) == 1'700'000'005'000);      // seconds
  CHECK(gt::reset_time_ms(1'700'000'005'000) == 1'700'000'005'000);  // milliseconds
  CHECK(gt::reset_time_ms(99'999'999'999) == 99'999'999'999'000);    // below 1e11: seconds
  CHECK(gt::reset_time_ms(100'000'000'000) == 100'000'000'000);
  CHECK(gt::reset_time_ms(-5) == 0);

  FakeGate gate;
  std::string reset;
  gate.handler = [&](const Request& r) -> std::optional<exchange::HttpResponse> {
    if (r.path() != "/futures/usdt/tickers") return std::nullopt;
    return answer(200, R"([{"contract":"ETH_USDT","mark_price":"2000.5"}])",
                  {{"x-gate-ratelimit-requests-remain", "0"}, {"x-gate-ratelimit-reset-timestamp", reset}});
  };
  gt::GateioExchange ex(gate.client());
  const auto blocked_for = [&] { return std::string(error_of([&] { ex.mark_price(kEth); }).what()); };

  // In seconds: 5 s from the server's now.
  reset = std::to_string(gate.server_ms / 1000 + 5);
  CHECK(ex.mark_price(kEth) == Price::parse("2000.5"));
  CHECK(blocked_for() == "Gate.io rate limit on GET /futures/usdt/tickers: backing off for 5 s more; not sent");
  gate.steady += std::chrono::milliseconds(4'999);
  CHECK(error_of([&] { ex.mark_price(kEth); }).code() == "TOO_MANY_REQUESTS");
  gate.steady += std::chrono::milliseconds(1);

  // In milliseconds, an hour away: capped at 60 s.
  reset = std::to_string(gate.server_ms + 3'600'000);
  CHECK(ex.mark_price(kEth) == Price::parse("2000.5"));
  CHECK(blocked_for() == "Gate.io rate limit on GET /futures/usdt/tickers: backing off for 60 s more; not sent");
  gate.steady += std::chrono::seconds(60);
  reset.clear();
  CHECK(ex.mark_price(kEth) == Price::parse("2000.5"));
}
