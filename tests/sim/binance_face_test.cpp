// The simulator's Binance face on its own, request by request (no sockets): Binance's routes,
// answers and shapes, and the journal entry every order request leaves, refused or not.
#include <catch2/catch.hpp>
#include <simdjson.h>

#include <fmt/format.h>

#include <deque>

#include "../support/binance_loopback.hpp"
#include "exchange/hmac.hpp"
#include "sim/binance/face.hpp"

using namespace ptp;
using core::OrderKind;
using core::Price;
using core::Qty;
using core::Side;
using exchange::SimEvent;
using exchange::loopback::BinanceFace;
using exchange::loopback::HttpAnswer;
using exchange::loopback::HttpRequest;

namespace {

const core::Symbol kEth = core::Symbol::parse("ETH");
const core::Symbol kBtc = core::Symbol::parse("BTC");

// A face over the Binance tests' simulator (ETH long 1.5 @ 2000, stop 1950; BTC flat at 60000),
// and requests signed the way Binance wants them.
struct Face {
  std::shared_ptr<exchange::SimExchange> sim = test::binance_sim();
  exchange::loopback::BinanceServerOptions options;
  std::unique_ptr<BinanceFace> face;
  std::deque<simdjson::dom::parser> parsers;  // one per answer: a parse invalidates the parser's last document

  explicit Face(bool hedge = true) {
    options.hedge_mode = hedge;
    face = std::make_unique<BinanceFace>(sim, options);
  }
  HttpAnswer call(const std::string& method, const std::string& path, std::string query = {}) {
    return face->handle(HttpRequest{method, path, std::move(query), {}, {{"x-mbx-apikey", options.api_key}}});
  }
  HttpAnswer signed_call(const std::string& method, const std::string& path, const std::string& params = {}) {
    std::string query = (params.empty() ? "" : params + "&") + fmt::format("timestamp={}", face->now_ms());
    query += "&signature=" + exchange::hmac_sha256_hex(options.secret, query);
    return call(method, path, query);
  }
  // The answer's body as JSON, after checking its status.
  simdjson::dom::element json(const HttpAnswer& a, int status = 200) {
    INFO(a.body);
    REQUIRE(a.status == status);
    return parsers.emplace_back().parse(a.body);
  }
  std::vector<std::string> keys(simdjson::dom::object o) {
    std::vector<std::string> out;
    for (auto field : o) out.emplace_back(field.key);
    return out;
  }
  std::string text(simdjson::dom::element e, const char* key) { return std::string(std::string_view(e[key])); }
};

bool has(const std::vector<std::string>& keys, const std::string& key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

}  // namespace

TEST_CASE("binance face: a path Binance does not have is an HTML 404, before any key is looked at", "[binance][face]") {
  Face f;
  const auto unknown = f.face->handle(HttpRequest{"GET", "/fapi/v1/adlQuantile", "", "", {{"x-mbx-apikey", "no-such-key"}}});
  CHECK(unknown.status == 404);
  CHECK(unknown.content_type == "text/html");
  CHECK(f.call("PUT", "/fapi/v1/order").status == 404);  // a known path, a method it does not take
  CHECK(f.face->handle(HttpRequest{"GET", "/fapi/v2/positionRisk", "", "", {{"x-mbx-apikey", "no-such-key"}}}).status == 401);
}

TEST_CASE("binance face: positionRisk v2 lists every symbol and side with signed notional and PnL, v3 only those "
          "with a position or open orders, in its own field set",
          "[binance][face]") {
  Face f;
  f.sim->set_mark(kEth, Price::parse("2100"));
  f.sim->open_position(kBtc, Side::short_, Price::parse("60000"), Qty::parse("0.1"), std::nullopt);
  f.sim->set_mark(kBtc, Price::parse("59000"));
  auto v2 = f.json(f.signed_call("GET", "/fapi/v2/positionRisk")).get_array();
  REQUIRE(v2.size() == 4);  // ETH and BTC, LONG and SHORT each
  std::map<std::string, simdjson::dom::element> rows;
  for (auto r : v2) rows[f.text(r, "symbol") + " " + f.text(r, "positionSide")] = r;
  CHECK(f.text(rows["ETHUSDT LONG"], "notional") == "3150");
  CHECK(f.text(rows["ETHUSDT LONG"], "unRealizedProfit") == "150");
  CHECK(f.text(rows["BTCUSDT SHORT"], "positionAmt") == "-0.1");
  CHECK(f.text(rows["BTCUSDT SHORT"], "notional") == "-5900");
  CHECK(f.text(rows["BTCUSDT SHORT"], "unRealizedProfit") == "100");
  CHECK(f.text(rows["ETHUSDT SHORT"], "positionAmt") == "0");
  CHECK(f.text(rows["ETHUSDT LONG"], "leverage") == "10");
  CHECK(f.text(rows["ETHUSDT LONG"], "marginType") == "cross");

  simdjson::dom::array v3 = f.json(f.signed_call("GET", "/fapi/v3/positionRisk")).get_array();
  REQUIRE(v3.size() == 2);  // ETH LONG and BTC SHORT
  simdjson::dom::element row;
  for (auto r : v3)
    if (f.text(r, "symbol") == "ETHUSDT") row = r;
  REQUIRE(f.text(row, "positionSide") == "LONG");
  const auto k = f.keys(row.get_object());
  for (const char* key : {"marginAsset", "initialMargin", "maintMargin", "positionInitialMargin", "openOrderInitialMargin",
                          "adl", "bidNotional", "askNotional", "notional", "unRealizedProfit"})
    CHECK(has(k, key));
  for (const char* key : {"leverage", "marginType", "isAutoAddMargin", "maxNotionalValue"}) CHECK_FALSE(has(k, key));
  CHECK(f.text(row, "initialMargin") == "315");  // |3150| / 10
  CHECK(f.text(row, "maintMargin") == "12.6");   // |3150| x 0.4 %
}

TEST_CASE("binance face: account and balance from the deposit, the profit booked and the open positions",
          "[binance][face]") {
  Face f(false);
  f.sim->set_mark(kEth, Price::parse("2100"));
  f.sim->close_market(kEth, Side::long_, Qty::parse("0.5"), "c1");  // books 50
  simdjson::dom::element balance = f.json(f.signed_call("GET", "/fapi/v2/balance")).get_array().at(0);
  CHECK(f.text(balance, "balance") == "10050");
  CHECK(f.text(balance, "crossUnPnl") == "100");  // 1 x (2100 - 2000)
  simdjson::dom::element v3_balance = f.json(f.signed_call("GET", "/fapi/v3/balance")).get_array().at(0);
  for (const char* key : {"balance", "crossUnPnl", "availableBalance"})
    CHECK(f.text(v3_balance, key) == f.text(balance, key));  // v3 answers as v2 does
  auto v2 = f.json(f.signed_call("GET", "/fapi/v2/account"));
  CHECK(f.text(v2, "totalMarginBalance") == "10150");
  CHECK(f.text(v2, "totalInitialMargin") == "210");
  CHECK(v2["positions"].get_array().size() == 2);  // every symbol
  CHECK(has(f.keys(v2.get_object()), "feeTier"));
  auto v3 = f.json(f.signed_call("GET", "/fapi/v3/account"));
  CHECK_FALSE(has(f.keys(v3.get_object()), "feeTier"));
  auto positions = v3["positions"].get_array();
  REQUIRE(positions.size() == 1);  // only the symbol with a position (or open orders)
  CHECK(f.text(positions.at(0), "positionAmt") == "1");
  CHECK(f.text(positions.at(0), "positionSide") == "BOTH");
}

TEST_CASE("binance face: premiumIndex, ticker/24hr and leverageBracket answer an object for a symbol, an array for all",
          "[binance][face]") {
  Face f;
  f.sim->set_mark(kEth, Price::parse("2100"));
  for (const char* path : {"/fapi/v1/premiumIndex", "/fapi/v1/ticker/24hr"}) {
    INFO(path);
    CHECK(f.json(f.call("GET", path, "symbol=ETHUSDT")).is_object());
    CHECK(f.json(f.call("GET", path)).get_array().size() == 2);
  }
  CHECK(f.text(f.json(f.call("GET", "/fapi/v1/premiumIndex", "symbol=ETHUSDT")), "markPrice") == "2100");
  auto ticker = f.json(f.call("GET", "/fapi/v1/ticker/24hr", "symbol=ETHUSDT"));
  CHECK(f.text(ticker, "openPrice") == "2000");
  CHECK(f.text(ticker, "lastPrice") == "2100");
  CHECK(f.text(ticker, "priceChangePercent") == "5");
  CHECK(f.json(f.signed_call("GET", "/fapi/v1/leverageBracket", "symbol=ETHUSDT")).is_object());
  CHECK(f.json(f.signed_call("GET", "/fapi/v1/leverageBracket")).get_array().size() == 2);
  CHECK(f.json(f.call("GET", "/fapi/v1/premiumIndex", "symbol=DOGEUSDT"), 400)["code"].get_int64().value() == -1121);
}

TEST_CASE("binance face: a resting close is listed by openOrders and cancelled by DELETE /fapi/v1/order, every "
          "order request is journaled, refused ones included",
          "[binance][face]") {
  Face f;
  exchange::SimFault late;
  late.type = exchange::SimFault::Type::delay_fill;
  late.fill_after_queries = 1000;  // rests until cancelled: no price move comes
  f.sim->inject(late);
  auto placed = f.json(f.signed_call(
      "POST", "/fapi/v1/order",
      "symbol=ETHUSDT&side=SELL&positionSide=LONG&type=MARKET&quantity=0.5&newClientOrderId=rest-1&newOrderRespType=RESULT"));
  CHECK(f.text(placed, "status") == "NEW");
  CHECK(has(f.keys(placed.get_object()), "cumQty"));
  CHECK_FALSE(has(f.keys(placed.get_object()), "time"));  // POST answers carry updateTime only
  simdjson::dom::array open = f.json(f.signed_call("GET", "/fapi/v1/openOrders", "symbol=ETHUSDT")).get_array();
  REQUIRE(open.size() == 1);
  CHECK(f.text(open.at(0), "clientOrderId") == "rest-1");
  CHECK(has(f.keys(open.at(0).get_object()), "time"));
  CHECK_FALSE(has(f.keys(open.at(0).get_object()), "cumQty"));
  CHECK(f.json(f.signed_call("GET", "/fapi/v1/openOrders", "symbol=BTCUSDT")).get_array().size() == 0);
  auto cancelled = f.json(f.signed_call("DELETE", "/fapi/v1/order", "symbol=ETHUSDT&origClientOrderId=rest-1"));
  CHECK(f.text(cancelled, "status") == "CANCELED");
  CHECK(f.json(f.signed_call("DELETE", "/fapi/v1/order", "symbol=ETHUSDT&origClientOrderId=rest-1"), 400)["code"]
            .get_int64().value() == -2011);
  // The face's own refusals reach the journal: an invalid client id, an unsigned request.
  f.signed_call("POST", "/fapi/v1/order",
                "symbol=ETHUSDT&side=SELL&positionSide=LONG&type=MARKET&quantity=0.5&newClientOrderId=bad%20id");
  f.call("POST", "/fapi/v1/order", "symbol=ETHUSDT&side=SELL&positionSide=LONG&type=MARKET&quantity=0.5&newClientOrderId=rest-1");
  std::vector<std::string> seen;
  for (const auto& e : f.sim->journal())
    if (e.type != SimEvent::Type::update)
      seen.push_back(std::string(e.type == SimEvent::Type::place ? "place " : "cancel ") + e.client_id +
                     (e.accepted ? " ok" : " " + e.answer));
  CHECK(seen == std::vector<std::string>{
                    "place rest-1 ok", "cancel rest-1 ok", "cancel rest-1 not_found -2011 Unknown order sent.",
                    "place bad id rejected -4015 Client order id is not valid.",
                    "place rest-1 rejected -1102 Mandatory parameter 'signature' was not sent, was empty/null, or malformed."});
  CHECK(f.sim->placements("rest-1") == 2);
}

TEST_CASE("binance face: algo orders keep the workingType sent, list and cancel by symbol", "[binance][face]") {
  Face f(false);
  auto stop = f.json(f.signed_call("POST", "/fapi/v1/algoOrder",
                                   "algoType=CONDITIONAL&symbol=ETHUSDT&side=SELL&type=STOP_MARKET&quantity=1&"
                                   "triggerPrice=1900&reduceOnly=true&workingType=MARK_PRICE&clientAlgoId=s1"));
  CHECK(f.text(stop, "workingType") == "MARK_PRICE");
  CHECK(f.text(stop, "algoStatus") == "NEW");
  CHECK(stop["reduceOnly"].get_bool().value());
  auto tp = f.json(f.signed_call("POST", "/fapi/v1/algoOrder",
                                 "algoType=CONDITIONAL&symbol=ETHUSDT&side=SELL&type=TAKE_PROFIT_MARKET&"
                                 "closePosition=true&triggerPrice=2500&clientAlgoId=t1"));
  CHECK(f.text(tp, "workingType") == "CONTRACT_PRICE");  // Binance's default
  CHECK(tp["closePosition"].get_bool().value());
  CHECK(f.json(f.signed_call("GET", "/fapi/v1/openAlgoOrders")).get_array().size() == 3);  // with the user's stop
  CHECK(f.json(f.signed_call("GET", "/fapi/v1/openAlgoOrders", "symbol=BTCUSDT")).get_array().size() == 0);
  CHECK(f.json(f.signed_call("GET", "/fapi/v1/algoOrder", "clientAlgoId=t1"))["algoId"].get_int64().value() ==
        tp["algoId"].get_int64().value());
  f.json(f.signed_call("DELETE", "/fapi/v1/algoOpenOrders", "symbol=ETHUSDT"));
  CHECK(f.sim->open_orders().empty());
  auto all = f.json(f.signed_call("GET", "/fapi/v1/allAlgoOrders", "symbol=ETHUSDT")).get_array();
  CHECK(all.size() == 3);
  for (auto o : all) CHECK(f.text(o, "algoStatus") == "CANCELED");
  // Not simulated, answered as Binance answers what it does not take.
  CHECK(f.json(f.signed_call("POST", "/fapi/v1/algoOrder",
                             "algoType=CONDITIONAL&symbol=ETHUSDT&side=SELL&type=TRAILING_STOP_MARKET&quantity=1&"
                             "callbackRate=1&reduceOnly=true"),
               400)["code"]
            .get_int64().value() == -1116);
}

TEST_CASE("binance face: hedge-mode orders read reduceOnly false, one-way closes true", "[binance][face]") {
  Face hedge(true);
  auto h = hedge.json(hedge.signed_call("POST", "/fapi/v1/order",
                                        "symbol=ETHUSDT&side=SELL&positionSide=LONG&type=MARKET&quantity=0.1&"
                                        "newOrderRespType=RESULT"));
  CHECK_FALSE(h["reduceOnly"].get_bool().value());
  CHECK(hedge.text(h, "positionSide") == "LONG");
  Face one_way(false);
  auto o = one_way.json(one_way.signed_call("POST", "/fapi/v1/order",
                                            "symbol=ETHUSDT&side=SELL&type=MARKET&quantity=0.1&reduceOnly=true&"
                                            "newOrderRespType=RESULT"));
  CHECK(o["reduceOnly"].get_bool().value());
  CHECK(one_way.text(o, "status") == "FILLED");
  CHECK(one_way.text(o, "cumQuote") == "200");
  // The default answer type is ACK: the order as accepted, before its fill.
  simdjson::dom::element ack = one_way.json(one_way.signed_call("POST", "/fapi/v1/order", "symbol=ETHUSDT&side=SELL&type=MARKET&quantity=0.1&reduceOnly=true"));
  CHECK(one_way.text(ack, "status") == "NEW");
  CHECK(one_way.text(ack, "executedQty") == "0");
}

TEST_CASE("binance face: MIN_NOTIONAL refuses a small plain order, never a reduce-only one", "[binance][face]") {
  Face f(false);  // ETH: min notional 5, step 0.001, at 2000
  simdjson::dom::element small = f.json(f.signed_call("POST", "/fapi/v1/order", "symbol=ETHUSDT&side=BUY&type=MARKET&quantity=0.002"), 400);
  CHECK(small["code"].get_int64().value() == -4164);
  CHECK(f.sim->position(kEth, Side::long_)->size.str() == "1.5");
  f.json(f.signed_call("POST", "/fapi/v1/order", "symbol=ETHUSDT&side=SELL&type=MARKET&quantity=0.002&reduceOnly=true"));
  CHECK(f.sim->position(kEth, Side::long_)->size.str() == "1.498");
}
