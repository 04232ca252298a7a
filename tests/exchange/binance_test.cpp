// The Binance adapter against the loopback Binance simulator: real HTTP and websockets on
// 127.0.0.1, never a real exchange.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <atomic>
#include <condition_variable>

#include "../support/binance_loopback.hpp"
#include "exchange/binance/errors.hpp"
#include "exchange/binance/streams.hpp"
#include "exchange/hmac.hpp"
#include "exchange/ws_client.hpp"

using namespace ptp;
using core::OrderKind;
using core::OrderStatus;
using core::Price;
using core::Qty;
using core::Side;
using exchange::ExchangeError;
using exchange::loopback::HttpFault;
namespace bn = exchange::binance;

namespace {

const core::Symbol kEth = core::Symbol::parse("ETH");

// Binance finds every order by its client id alone.
core::OrderLookup by_id(std::string client_id) {
  core::OrderLookup l;
  l.symbol = kEth;
  l.client_id = std::move(client_id);
  return l;
}
const core::Symbol kBtc = core::Symbol::parse("BTC");

ExchangeError::Kind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ExchangeError& e) {
    return e.kind();
  }
  FAIL("no ExchangeError thrown");
  return ExchangeError::Kind::unavailable;
}

std::string code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ExchangeError& e) {
    return e.code();
  }
  FAIL("no ExchangeError thrown");
  return {};
}

// Waits for a condition some other thread makes true, notified through `cv`.
struct Signal {
  std::mutex mu;
  std::condition_variable cv;
  int count = 0;
  void notify() {
    {
      std::lock_guard lock(mu);
      ++count;
    }
    cv.notify_all();
  }
  bool wait_until_count(int n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return count >= n; });
  }
};

}  // namespace

TEST_CASE("HMAC-SHA256 signatures match Binance's documented examples", "[binance][signing]") {
  // USDT-M futures general info, "SIGNED Endpoint Examples for POST /fapi/v1/order - HMAC Keys".
  CHECK(exchange::hmac_sha256_hex(
            "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9",
            "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp="
            "1591702613943") == "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9");
  // Spot API docs (the same scheme).
  CHECK(exchange::hmac_sha256_hex(
            "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
            "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp="
            "1499827319559") == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
  CHECK(exchange::encode_query({{"symbol", "ETHUSDT"}, {"newClientOrderId", "a b/c"}}) ==
        "symbol=ETHUSDT&newClientOrderId=a%20b%2Fc");
}

TEST_CASE("every Binance error the node meets maps to retry, unknown outcome, duplicate or rejection", "[binance]") {
  using K = ExchangeError::Kind;
  CHECK(bn::classify(503, 0, "").kind() == K::timeout);
  CHECK(bn::classify(408, -1007, "").kind() == K::timeout);
  CHECK(bn::classify(400, -1001, "").kind() == K::timeout);
  CHECK(bn::classify(400, -4116, "").kind() == K::duplicate_client_id);
  CHECK(bn::classify(400, -2013, "").kind() == K::not_found);
  CHECK(bn::classify(400, -2011, "").kind() == K::not_found);
  CHECK(bn::classify(429, -1003, "").kind() == K::unavailable);
  CHECK(bn::classify(418, 0, "").kind() == K::unavailable);
  CHECK(bn::classify(400, -1021, "").kind() == K::unavailable);
  const auto reduce_only = bn::classify(400, -2022, "ReduceOnly Order is rejected.");
  CHECK(reduce_only.kind() == K::rejected);
  CHECK(reduce_only.reason() == "rejected -2022 ReduceOnly Order is rejected.");
  CHECK(reduce_only.position_smaller());  // the position is gone or smaller: the node reconciles first
  CHECK(bn::classify(400, -1022, "").kind() == K::rejected);
  CHECK_FALSE(bn::classify(400, -1022, "").position_smaller());
  CHECK(bn::classify(400, -4164, "").kind() == K::rejected);
}

TEST_CASE("REST answers in Binance's documented shapes parse into exact values", "[binance]") {
  const auto err = bn::parse_error(R"({"code": -1121, "msg": "Invalid symbol."})");
  REQUIRE(err);
  CHECK(err->code == -1121);
  CHECK(err->msg == "Invalid symbol.");
  CHECK_FALSE(bn::parse_error(R"({"serverTime":1})"));

  // The filter objects verbatim from the exchangeInfo example.
  const auto info = bn::parse_exchange_info(R"({"symbols":[{"symbol":"BLZUSDT","filters":[
    {    "filterType": "PRICE_FILTER",    "minPrice": "0.00000100",    "maxPrice": "100000.00000000",    "tickSize": "0.00000100"  },
    {    "filterType": "LOT_SIZE",    "minQty": "0.00100000",    "maxQty": "100000.00000000",    "stepSize": "0.00100000"  },
    {    "filterType": "MARKET_LOT_SIZE",    "minQty": "0.00100000",    "maxQty": "100000.00000000",    "stepSize": "0.00100000"  },
    {    "filterType": "MAX_NUM_ORDERS",    "limit": 200  },
    {"filterType":"MIN_NOTIONAL","notional":"5"}]}]})");
  REQUIRE(info.size() == 1);
  CHECK(info[0].symbol == "BLZUSDT");
  CHECK(info[0].filters.tick_size.str() == "0.000001");
  CHECK(info[0].filters.step_size.str() == "0.001");
  CHECK(info[0].filters.min_qty.str() == "0.001");
  CHECK(info[0].filters.min_notional.str() == "5");
  CHECK(info[0].filters.min_notional_on_reduce_only == false);  // -4164: reduce-only orders are exempt
  CHECK(info[0].filters.max_qty.str() == "100000");

  // One-way mode reports BOTH with a signed amount; hedge mode names the side.
  const auto pos = bn::parse_position_risk(R"([
    {"symbol":"ETHUSDT","positionAmt":"-0.500","entryPrice":"3000.5","positionSide":"BOTH"},
    {"symbol":"BTCUSDT","positionAmt":"0.010","entryPrice":"60000.0","positionSide":"LONG"},
    {"symbol":"BTCUSDT","positionAmt":"0.000","entryPrice":"0.0","positionSide":"SHORT"}])");
  REQUIRE(pos.size() == 2);
  CHECK(pos[0].side == Side::short_);
  CHECK(pos[0].size.str() == "0.5");
  CHECK(pos[0].entry.str() == "3000.5");
  CHECK(pos[1].side == Side::long_);

  // The new-order answer's fields as the documentation's example gives them.
  const auto o = bn::parse_order(R"({"clientOrderId": "testOrder","cumQty": "0","cumQuote": "0","executedQty": "0",
    "orderId": 22542179,"avgPrice": "0.00000","origQty": "10","price": "0","reduceOnly": false,"side": "BUY",
    "positionSide": "SHORT","status": "NEW","stopPrice": "9300","closePosition": false,"symbol": "BTCUSDT",
    "timeInForce": "GTD","type": "MARKET","origType": "MARKET","updateTime": 1566818724722,"workingType": "CONTRACT_PRICE"})");
  CHECK(o.ref.client_id == "testOrder");
  CHECK(o.ref.exchange_id == "22542179");
  CHECK(o.position_side == Side::short_);
  CHECK(o.qty.str() == "10");
  CHECK(o.status == OrderStatus::open);

  CHECK_THROWS_AS(bn::parse_order(R"({"clientOrderId":"x"})"), ExchangeError);
  CHECK_THROWS_AS(bn::parse_position_risk("[{\"symbol\":\"ETHUSDT\",\"positionAmt\":1e400}]"), ExchangeError);
  CHECK_THROWS_AS(bn::parse_mark_price("{\"markPrice\":\"NaN\"}"), ExchangeError);
}

TEST_CASE("the adapter reads positions, resting stops, filters and marks over HTTP", "[binance][loopback]") {
  test::BinanceLoopback lb;
  auto ex = lb.adapter();
  const auto positions = ex->open_positions();
  REQUIRE(positions.size() == 1);
  CHECK(positions[0].symbol == kEth);
  CHECK(positions[0].side == Side::long_);
  CHECK(positions[0].size.str() == "1.5");
  CHECK(positions[0].entry.str() == "2000");
  const auto orders = ex->open_orders();
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].kind == OrderKind::stop);
  CHECK(orders[0].trigger_price.str() == "1950");
  CHECK(orders[0].position_side == Side::long_);
  const auto f = ex->filters(kEth);
  CHECK(f.tick_size.str() == "0.01");
  CHECK(f.step_size.str() == "0.001");
  CHECK(ex->filters(kBtc).tick_size.str() == "0.1");
  CHECK(ex->mark_price(kEth).str() == "2000");
  CHECK(code_of([&] { ex->filters(core::Symbol::parse("DOGE")); }) == "-1121");
}

TEST_CASE("client ids are unique among open orders: a duplicate of an open one is refused, a filled one's id makes a "
          "new order",
          "[binance][loopback]") {
  test::BinanceLoopback lb;
  auto ex = lb.adapter();
  lb.server.set_mark(kEth, Price::parse("2050"));
  const auto stop =
      ex->place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("1990"), Qty::parse("1"), "ptp-00000000000000aa-1-s");
  CHECK(kind_of([&] {
          ex->place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("1980"), Qty::parse("1"),
                                "ptp-00000000000000aa-1-s");
        }) == ExchangeError::Kind::duplicate_client_id);
  const auto filled = ex->close_market(kEth, Side::long_, Qty::parse("0.5"), "ptp-00000000000000aa-1-c");
  CHECK(filled.status == OrderStatus::filled);
  CHECK(filled.filled_qty.str() == "0.5");
  CHECK(filled.avg_fill_price.str() == "2050");
  // Binance: "A unique id among open orders". Sent again, a filled close's id is a second close.
  const auto again = ex->close_market(kEth, Side::long_, Qty::parse("0.25"), "ptp-00000000000000aa-1-c");
  CHECK(again.status == OrderStatus::filled);
  CHECK(again.ref.exchange_id != filled.ref.exchange_id);
  CHECK(lb.closes().size() == 2);
  CHECK(lb.sim->position(kEth, Side::long_)->size.str() == "0.75");
  CHECK(lb.sim->placements("ptp-00000000000000aa-1-c") == 2);
  CHECK(lb.sim->placements("ptp-00000000000000aa-1-s") == 2);
  // A lookup by the id finds the latest order.
  const auto q = ex->query(by_id("ptp-00000000000000aa-1-c"));
  REQUIRE(q);
  CHECK(q->filled_qty.str() == "0.25");
  CHECK_FALSE(ex->query(by_id("ptp-00000000000000aa-2-c")));
  CHECK(ex->query(by_id("ptp-00000000000000aa-1-s"))->ref == stop.ref);
}

TEST_CASE("stops and take-profits are algo orders: /fapi/v1/order refuses them with -4120", "[binance][loopback]") {
  test::BinanceLoopback lb;
  auto ex = lb.adapter();
  const auto stop =
      ex->place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("1990"), Qty::parse("1.5"), "ptp-00000000000000aa-1-s");
  CHECK(stop.kind == OrderKind::stop);
  CHECK(stop.status == OrderStatus::open);
  CHECK(stop.trigger_price.str() == "1990");
  const auto tp = ex->place_conditional(OrderKind::take_profit, kEth, Side::long_, Price::parse("2250"),
                                        Qty::parse("1.5"), "ptp-00000000000000aa-0-t");
  CHECK(tp.kind == OrderKind::take_profit);
  CHECK(ex->open_orders().size() == 3);  // the user's stop, ours, the take-profit
  ex->cancel(kEth, core::OrderRef{"user-stop-ETH_USDT-long", ""});
  ex->cancel(kEth, stop.ref);
  CHECK(ex->open_orders().size() == 1);
  CHECK(ex->query(by_id("ptp-00000000000000aa-1-s"))->status == OrderStatus::canceled);
  CHECK(kind_of([&] { ex->cancel(kEth, stop.ref); }) == ExchangeError::Kind::not_found);
  // A stop the mark has already passed would fire at once.
  CHECK(code_of([&] {
          ex->place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("2001"), Qty::parse("1"), "ptp-x-1-s-1");
        }) == "-2021");
  CHECK(code_of([&] {
          ex->rest().signed_call("POST", "/fapi/v1/order",
                                 {{"symbol", "ETHUSDT"}, {"side", "SELL"}, {"positionSide", "LONG"}, {"type", "STOP_MARKET"},
                                  {"stopPrice", "1900"}, {"quantity", "1"}, {"newClientOrderId", "old-style"}});
        }) == "-4120");
}

TEST_CASE("a one-way-mode account gets reduceOnly orders on positionSide BOTH", "[binance][loopback]") {
  exchange::loopback::BinanceServerOptions o;
  o.hedge_mode = false;
  test::BinanceLoopback lb(o);
  auto ex = lb.adapter();
  REQUIRE(ex->open_positions().size() == 1);
  const auto c = ex->close_market(kEth, Side::long_, Qty::parse("0.5"), "ptp-00000000000000bb-1-c");
  CHECK(c.status == OrderStatus::filled);
  CHECK(c.position_side == Side::long_);
  const auto s = ex->place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("1980"), Qty::parse("1"),
                                       "ptp-00000000000000bb-1-s");
  CHECK(s.position_side == Side::long_);
  // Hedge-mode parameters are refused on a one-way account, as Binance does.
  CHECK(code_of([&] {
          ex->rest().signed_call("POST", "/fapi/v1/order",
                                 {{"symbol", "ETHUSDT"}, {"side", "SELL"}, {"positionSide", "LONG"}, {"type", "MARKET"},
                                  {"quantity", "0.1"}, {"newClientOrderId", "x1"}});
        }) == "-4061");
}

TEST_CASE("a bad signature is refused with -1022 and places nothing", "[binance][loopback]") {
  test::BinanceLoopback lb;
  bn::BinanceExchange ex(lb.rest("not-the-secret"));
  CHECK(code_of([&] { ex.close_market(kEth, Side::long_, Qty::parse("0.5"), "ptp-00000000000000cc-1-c"); }) == "-1022");
  CHECK(lb.server.counters().bad_signatures >= 1);
  CHECK(lb.closes().empty());
  bn::BinanceExchange wrong_key(std::make_unique<bn::RestClient>(
      lb.server.rest_url(), exchange::Credentials{"someone-else", "ptp-sim-api-secret"}));
  CHECK(code_of([&] { wrong_key.open_positions(); }) == "-2015");
}

TEST_CASE("a -1021 makes the client resync its clock with the server and retry once", "[binance][loopback]") {
  test::BinanceLoopback lb;
  auto ex = lb.adapter();
  REQUIRE(ex->open_positions().size() == 1);  // synced with an unskewed server
  lb.server.set_clock_skew(std::chrono::seconds(30));
  const auto c = ex->close_market(kEth, Side::long_, Qty::parse("0.5"), "ptp-00000000000000dd-1-c");
  CHECK(c.status == OrderStatus::filled);
  CHECK(lb.server.counters().stale_timestamps == 1);
  CHECK(ex->rest().clock_offset_ms() > 29'000);
  CHECK(lb.closes().size() == 1);
}

TEST_CASE("429 backs off without calling again, 418 stops every call until its Retry-After", "[binance][loopback]") {
  test::BinanceLoopback lb;
  auto ex = lb.adapter();
  REQUIRE(ex->open_positions().size() == 1);
  lb.server.inject(HttpFault{"/fapi/v2/positionRisk", 429, -1003, "Too many requests.", 30, 1});
  CHECK(kind_of([&] { ex->open_positions(); }) == ExchangeError::Kind::unavailable);
  const auto requests = lb.server.counters().requests;
  // Backing off: the next calls fail at once and never reach the server, orders included.
  CHECK(kind_of([&] { ex->open_positions(); }) == ExchangeError::Kind::unavailable);
  CHECK(kind_of([&] { ex->close_market(kEth, Side::long_, Qty::parse("0.5"), "ptp-00000000000000ee-1-c"); }) ==
        ExchangeError::Kind::unavailable);
  CHECK(lb.server.counters().requests == requests);
  CHECK(lb.closes().empty());

  test::BinanceLoopback banned;
  auto ex2 = banned.adapter();
  banned.server.inject(HttpFault{"*", 418, -1003, "Way too many requests; IP banned until 1700000000000.", 120, 1});
  CHECK(code_of([&] { ex2->mark_price(kEth); }) == "-1003");
  CHECK(code_of([&] { ex2->mark_price(kEth); }) == "HTTP 418");
}

TEST_CASE("a 503 after the exchange took the order is an unknown outcome that the query resolves",
          "[binance][loopback]") {
  test::BinanceLoopback lb;
  auto ex = lb.adapter();
  lb.sim->inject(exchange::SimFault{OrderKind::market_close, exchange::SimFault::Type::timeout_after_accept, "", "", 1, 3});
  CHECK(kind_of([&] { ex->close_market(kEth, Side::long_, Qty::parse("0.5"), "ptp-00000000000000ff-1-c"); }) ==
        ExchangeError::Kind::timeout);
  const auto q = ex->query(by_id("ptp-00000000000000ff-1-c"));
  REQUIRE(q);
  CHECK(q->status == OrderStatus::filled);
  CHECK(lb.closes().size() == 1);

  lb.sim->inject(exchange::SimFault{});  // -2022 ReduceOnly Order is rejected
  CHECK(code_of([&] { ex->close_market(kEth, Side::long_, Qty::parse("0.5"), "ptp-0000000000000011-2-c"); }) == "-2022");
  CHECK(lb.closes().size() == 1);
}

TEST_CASE("a Binance order placement whose 2xx answer cannot be read is an unknown outcome", "[binance][loopback]") {
  test::BinanceLoopback lb;
  auto ex = lb.adapter();
  REQUIRE(ex->open_positions().size() == 1);
  const auto error_of = [](const std::function<void()>& f) -> ExchangeError {
    try {
      f();
    } catch (const ExchangeError& e) {
      return e;
    }
    FAIL("no ExchangeError thrown");
    return ExchangeError(ExchangeError::Kind::rejected, "", "");
  };
  // A 200 whose body is not an order (a proxy's page, a cut answer): Binance took the order, so
  // "not sent" would have the node place it again under a new id. Unknown: it is looked up.
  lb.server.inject(HttpFault{"/fapi/v1/order", 200, 0, "not an order", -1, 1, "POST"});
  const auto close =
      error_of([&] { ex->close_market(kEth, Side::long_, Qty::parse("0.5"), "ptp-00000000000000a1-1-c"); });
  CHECK(close.kind() == ExchangeError::Kind::timeout);
  CHECK(std::string(close.what())
            .rfind("Binance accepted ptp-00000000000000a1-1-c (POST /fapi/v1/order) but its answer could not be read: "
                   "malformed Binance answer (order)",
                   0) == 0);

  lb.server.inject(HttpFault{"/fapi/v1/algoOrder", 200, 0, "not an order", -1, 1, "POST"});
  const auto stop = error_of([&] {
    ex->place_conditional(OrderKind::stop, kEth, Side::long_, Price::parse("1900"), Qty::parse("0.5"),
                          "ptp-00000000000000a1-1-s");
  });
  CHECK(stop.kind() == ExchangeError::Kind::timeout);
  CHECK(std::string(stop.what()).find("(POST /fapi/v1/algoOrder) but its answer could not be read") !=
        std::string::npos);
}

TEST_CASE("market streams: one URL per connection of at most N streams, on /market or /public", "[binance][ws]") {
  std::vector<core::Symbol> symbols;
  for (const char* s : {"BTC", "ETH", "SOL", "1000PEPE", "XRP"}) symbols.push_back(core::Symbol::parse(s));
  const auto urls = bn::market_stream_urls("wss://fstream.binance.com", symbols, bn::PriceSource::mark, 2);
  REQUIRE(urls.size() == 3);
  CHECK(urls[0] == "wss://fstream.binance.com/market/stream?streams=btcusdt@markPrice@1s/ethusdt@markPrice@1s");
  CHECK(urls[2] == "wss://fstream.binance.com/market/stream?streams=xrpusdt@markPrice@1s");
  CHECK(bn::market_stream_urls("ws://h", symbols, bn::PriceSource::book_mid, 200).at(0).rfind(
            "ws://h/public/stream?streams=btcusdt@bookTicker/", 0) == 0);
}

TEST_CASE("mark prices arrive over a websocket, a dropped stream reconnects and resubscribes", "[binance][ws]") {
  test::BinanceLoopback lb;
  test::TickWaiter ticks;
  exchange::WsOptions o;
  o.reconnect_min = std::chrono::milliseconds(20);
  o.reconnect_max = std::chrono::milliseconds(100);
  bn::MarketStream stream(lb.server.ws_url(), {kEth, kBtc}, bn::PriceSource::mark, std::ref(ticks), o);
  stream.start();
  REQUIRE(test::move_until_streamed(lb.server, ticks, kEth));
  lb.server.set_mark(kBtc, Price::parse("60010.5"));
  CHECK(ticks.wait_for(kBtc, Price::parse("60010.5")));

  lb.server.drop_streams();
  // Marks sent while the client is away are lost; one arrives again once it has reconnected and
  // resubscribed.
  REQUIRE(test::move_until_streamed(lb.server, ticks, kEth));
  CHECK(stream.stats().at(0).connects == 2);
  CHECK(stream.stats().at(0).disconnects == 1);
  stream.stop();
  CHECK(stream.counters().malformed == 0);
}

TEST_CASE("malformed and hostile frames are counted and dropped, never a tick or a crash", "[binance][ws]") {
  test::BinanceLoopback lb;
  test::TickWaiter ticks;
  bn::MarketStream stream(lb.server.ws_url(), {kEth}, bn::PriceSource::mark, std::ref(ticks));
  stream.start();
  REQUIRE(test::move_until_streamed(lb.server, ticks, kEth));
  const auto before = ticks.count();
  const auto ignored_before = stream.counters().ignored.load();
  const std::vector<std::string> hostile = {
      R"({"stream":"ethusdt@markPrice@1s","data":{"e":"markPriceUpdate","E":1,"s":"ETHUSDT","p":"20)",  // truncated
      R"({"e":"markPriceUpdate","E":1,"s":"ETHUSDT","p":"1e999"})",
      R"({"e":"markPriceUpdate","E":1,"s":"ETHUSDT","p":"99999999999999999999999999"})",
      R"({"e":"markPriceUpdate","E":1,"s":"ETHUSDT","p":"NaN"})",
      R"({"e":"markPriceUpdate","E":1,"s":"ETHUSDT","p":"-5"})",
      R"({"e":"markPriceUpdate","E":1,"s":"ETHUSDT","p":2000.5})",
      R"({"e":"markPriceUpdate","E":1,"s":42,"p":"2000"})",
      R"({"e":"markPriceUpdate","E":1,"s":"DOGEUSDT","p":"0.1"})",
      R"([1,2,3])",
      std::string(100'000, '['),
      std::string("\x01\x02\x00 not json", 12),  // (websocket text must be UTF-8: the transport drops worse)
  };
  for (const auto& f : hostile) lb.server.send_market_frame(f);
  lb.server.set_mark(kEth, Price::parse("2100"));
  REQUIRE(ticks.wait_for(kEth, Price::parse("2100")));
  CHECK(ticks.count() == before + 1);  // only the good frame became a tick
  const auto& c = stream.counters();
  // Each is dropped as malformed, a bad price, an unknown symbol, or not a price event at all.
  CHECK(c.malformed + c.bad_price + c.unknown_symbol + (c.ignored - ignored_before) == hostile.size());
  CHECK(c.bad_price >= 4);
  CHECK(c.unknown_symbol == 1);
  CHECK(stream.stats().at(0).connects == 1);
}

TEST_CASE("a connection that goes silent (Binance's retired URL) is dropped by the watchdog", "[binance][ws]") {
  test::BinanceLoopback lb;
  Signal connects;
  exchange::WsOptions o;
  o.no_data_timeout = std::chrono::milliseconds(300);
  o.reconnect_min = std::chrono::milliseconds(10);
  o.reconnect_max = std::chrono::milliseconds(50);
  exchange::WsClient ws(
      "legacy", false, [&] { return lb.server.ws_url() + "/stream?streams=ethusdt@markPrice@1s"; },
      [](std::string_view) {}, [&] { connects.notify(); }, o);
  ws.start();
  lb.server.set_mark(kEth, Price::parse("2010"));  // the legacy route never forwards it
  REQUIRE(connects.wait_until_count(2));
  CHECK(ws.stats().watchdog_drops >= 1);
  CHECK(ws.stats().messages == 0);
  ws.stop();
}

TEST_CASE("user data: a stop that fires is an external change, the node's own close is not", "[binance][ws]") {
  test::BinanceLoopback lb;
  auto ex = lb.adapter();
  std::mutex mu;
  std::condition_variable cv;
  std::vector<bn::UserEvent> events;
  bn::UserStream user(
      lb.server.ws_url(), lb.rest(),
      [&](const bn::UserEvent& e) {
        std::lock_guard lock(mu);
        events.push_back(e);
        cv.notify_all();
      });
  user.start();
  auto wait_for = [&](auto pred) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return std::any_of(events.begin(), events.end(), pred); });
  };
  // Until the stream is subscribed, events are lost: place orders until one is seen.
  bool seen = false;
  for (int i = 0; i < 100 && !seen; ++i) {
    ex->place_conditional(OrderKind::take_profit, kEth, Side::long_, Price::parse("2500"), Qty::parse("0.001"),
                          "ptp-probe-0-t-" + std::to_string(i));
    std::unique_lock lock(mu);
    seen = cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return !events.empty(); });
  }
  REQUIRE(seen);
  ex->close_market(kEth, Side::long_, Qty::parse("0.5"), "ptp-00000000000000aa-1-c");
  REQUIRE(wait_for([](const bn::UserEvent& e) { return e.client_id == "ptp-00000000000000aa-1-c" && e.status == "FILLED"; }));
  {
    std::lock_guard lock(mu);
    for (const auto& e : events) CHECK_FALSE(bn::is_external_change(e));
  }
  lb.server.set_mark(kEth, Price::parse("1949"));  // the user's stop at 1950 fires
  REQUIRE(wait_for([](const bn::UserEvent& e) { return e.client_id == "user-stop-ETH_USDT-long"; }));
  std::lock_guard lock(mu);
  const auto fired = std::find_if(events.begin(), events.end(), [](const auto& e) { return e.client_id == "user-stop-ETH_USDT-long"; });
  CHECK(fired->kind == bn::UserEvent::Kind::algo);
  CHECK(fired->status == "FINISHED");
  CHECK(bn::is_external_change(*fired));
  CHECK(bn::is_external_change(bn::parse_user_event(
      R"({"e":"ORDER_TRADE_UPDATE","E":1,"T":1,"o":{"s":"ETHUSDT","c":"autoclose-123","X":"FILLED"}})")));
  CHECK(bn::parse_user_event("not json").kind == bn::UserEvent::Kind::other);
}

TEST_CASE("market websocket: streams subscribed by message, listed, combined on request, unsubscribed, Binance's "
          "errors, more than 10 messages a second closes the connection",
          "[binance][ws]") {
  test::BinanceLoopback lb;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> frames;
  std::atomic<int> connects{0};
  exchange::WsClient ws(
      "test market", false, [&] { return lb.server.ws_url() + "/market/ws/0"; },
      [&](std::string_view frame) {
        {
          std::lock_guard lock(mu);
          frames.emplace_back(frame);
        }
        cv.notify_all();
      },
      [&] {
        ++connects;
        cv.notify_all();
      });
  ws.start();
  // Waits for a frame containing `text` (after the ones already seen) and returns it.
  std::size_t seen = 0;
  auto next_with = [&](const std::string& text) {
    std::unique_lock lock(mu);
    std::string found;
    cv.wait_for(lock, std::chrono::seconds(10), [&] {
      for (; seen < frames.size(); ++seen)
        if (frames[seen].find(text) != std::string::npos) {
          found = frames[seen++];
          return true;
        }
      return false;
    });
    return found;
  };
  {
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return connects > 0; }));
  }
  ws.send(R"({"method":"SUBSCRIBE","params":["ethusdt@markPrice@1s"],"id":1})");
  CHECK(next_with(R"("id":1)") == R"({"result":null,"id":1})");
  lb.server.set_mark(kEth, Price::parse("2001"));
  const std::string raw = next_with("markPriceUpdate");
  CHECK(raw.rfind(R"({"e":"markPriceUpdate")", 0) == 0);  // a raw stream: not wrapped
  CHECK(raw.find(R"("p":"2001")") != std::string::npos);
  ws.send(R"({"method":"LIST_SUBSCRIPTIONS","id":2})");
  CHECK(next_with(R"("id":2)") == R"({"result":["ethusdt@markPrice@1s"],"id":2})");
  ws.send(R"({"method":"SET_PROPERTY","params":["combined",true],"id":3})");
  CHECK(next_with(R"("id":3)") == R"({"result":null,"id":3})");
  ws.send(R"({"method":"GET_PROPERTY","params":["combined"],"id":4})");
  CHECK(next_with(R"("id":4)") == R"({"result":true,"id":4})");
  lb.server.set_mark(kEth, Price::parse("2002"));
  CHECK(next_with("markPriceUpdate").rfind(R"({"stream":"ethusdt@markPrice@1s","data":{)", 0) == 0);
  // Errors: bad JSON (code 3), an unknown method (2), a stream this route does not serve (2), an
  // upper-case symbol (2).
  ws.send("not json");
  CHECK(next_with(R"("code":3)").find("Invalid JSON") != std::string::npos);
  ws.send(R"({"method":"SUBSCRIBEX","params":[],"id":5})");
  CHECK(next_with(R"("id":5)").find(R"("code":2)") != std::string::npos);
  ws.send(R"({"method":"SUBSCRIBE","params":["ethusdt@bookTicker"],"id":6})");
  CHECK(next_with(R"("id":6)").find(R"("code":2)") != std::string::npos);
  ws.send(R"({"method":"SUBSCRIBE","params":["ETHUSDT@markPrice"],"id":7})");
  CHECK(next_with(R"("id":7)").find(R"("code":2)") != std::string::npos);
  ws.send(R"({"method":"UNSUBSCRIBE","params":["ethusdt@markPrice@1s"],"id":8})");
  CHECK(next_with(R"("id":8)") == R"({"result":null,"id":8})");
  ws.send(R"({"method":"LIST_SUBSCRIPTIONS","id":9})");
  CHECK(next_with(R"("id":9)") == R"({"result":[],"id":9})");
  // 25 messages at once: at least 13 land in one second, over the limit of 10.
  for (int i = 0; i < 25; ++i) ws.send(fmt::format(R"({{"method":"LIST_SUBSCRIPTIONS","id":{}}})", 100 + i));
  {
    std::unique_lock lock(mu);
    CHECK(cv.wait_for(lock, std::chrono::seconds(10), [&] { return connects > 1; }));  // closed, so reconnected
  }
  CHECK(ws.stats().disconnects >= 1);
  ws.stop();
}
