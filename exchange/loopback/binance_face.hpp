// The simulator's Binance USDⓈ-M face without the transport: an HTTP request in, Binance's answer
// out (routes, parameters, the API key, signature and recvWindow checks, error codes and shapes),
// and the user-data frames for whatever changed at the exchange. binance_server.cpp carries it
// over HTTP and websockets. Used from the server's I/O thread only (the counters are atomic).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exchange/loopback/binance_server.hpp"
#include "exchange/loopback/binance_shapes.hpp"

namespace ptp::exchange::loopback {

struct HttpRequest {
  std::string method;
  std::string path;
  std::string query;    // after '?', undecoded
  std::string body;     // application/x-www-form-urlencoded, undecoded
  std::string api_key;  // the X-MBX-APIKEY header
};

struct HttpAnswer {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

class BinanceFace {
 public:
  using Params = std::map<std::string, std::string>;

  BinanceFace(std::shared_ptr<SimExchange> sim, const BinanceServerOptions& options);

  HttpAnswer handle(const HttpRequest& request);
  HttpAnswer error_answer(int status, int code, const std::string& msg);
  // An order-changing request (POST or DELETE on /fapi/v1/order or /fapi/v1/algoOrder), with the
  // client id it names; nullopt for every other request.
  static std::optional<OrderRequestEvent> order_request(const HttpRequest& request);

  // "a=1&b=%40x" as a map, decoded ("+" is a space).
  static Params query_params(std::string_view query);

  // ORDER_TRADE_UPDATE / ALGO_UPDATE frames for every order that changed since the last call, then
  // one ACCOUNT_UPDATE with the positions that changed, if any did.
  std::vector<std::string> user_frames();
  bool listen_key_valid(const std::string& key) const;

  std::int64_t now_ms() const;  // the server's clock (the wall clock plus the skew)
  void set_clock_skew(std::chrono::milliseconds skew) { skew_ms_ = skew.count(); }
  std::uint64_t bad_signatures() const { return bad_signatures_; }
  std::uint64_t stale_timestamps() const { return stale_timestamps_; }
  std::uint64_t order_posts() const { return order_posts_; }


 private:
  struct Route;
  static const std::vector<Route>& routes();

  // The requests the face serves, one handler each.
  HttpAnswer server_time(const Params&);
  HttpAnswer ping(const Params&);
  HttpAnswer exchange_info(const Params&);
  HttpAnswer premium_index(const Params&);
  HttpAnswer ticker_24h(const Params&);
  HttpAnswer new_listen_key(const Params&);
  HttpAnswer keep_listen_key(const Params&);
  HttpAnswer close_listen_key(const Params&);
  HttpAnswer position_mode(const Params&);
  HttpAnswer position_risk_v2(const Params&);
  HttpAnswer position_risk_v3(const Params&);
  HttpAnswer account_v2(const Params&);
  HttpAnswer account_v3(const Params&);
  HttpAnswer balance(const Params&);
  HttpAnswer leverage_bracket(const Params&);
  HttpAnswer new_order(const Params&);
  HttpAnswer query_order(const Params&);
  HttpAnswer cancel_order(const Params&);
  HttpAnswer open_orders(const Params&);
  HttpAnswer cancel_all_orders(const Params&);
  HttpAnswer new_algo_order(const Params&);
  HttpAnswer query_algo_order(const Params&);
  HttpAnswer cancel_algo_order(const Params&);
  HttpAnswer open_algo_orders(const Params&);
  HttpAnswer all_algo_orders(const Params&);
  HttpAnswer cancel_all_algo_orders(const Params&);

  HttpAnswer ok(std::string body);
  void check_key(const HttpRequest& r) const;
  void check_signature(const HttpRequest& r, const Params& p);
  core::Symbol symbol_param(const Params& p) const;
  std::optional<core::Symbol> optional_symbol(const Params& p) const;
  std::string position_side_text(core::Side s) const;
  std::string new_client_id(const Params& p, const char* name);
  std::optional<SimOrder> find_plain(const core::Symbol& symbol, const Params& p);
  std::optional<SimOrder> find_algo(const Params& p);
  std::string plain_json(const SimOrder& o, binance_shapes::OrderView view) const;
  std::string algo_json(const SimOrder& o) const;
  const binance_shapes::OrderWire& wire(const std::string& exchange_id) const;
  std::vector<binance_shapes::PositionRow> position_rows(bool every_symbol) const;
  binance_shapes::Account account() const;

  std::shared_ptr<SimExchange> sim_;
  BinanceServerOptions options_;
  std::map<std::string, binance_shapes::OrderWire> wires_;  // exchange id -> how it was sent
  std::optional<std::pair<std::string, std::int64_t>> listen_key_;  // the key and when it expires
  std::uint64_t next_listen_key_ = 1;
  std::uint64_t next_client_id_ = 1;
  std::size_t journal_seen_ = 0;  // the simulator's journal entries already turned into frames
  std::atomic<std::int64_t> skew_ms_{0};
  std::atomic<std::uint64_t> bad_signatures_{0};
  std::atomic<std::uint64_t> stale_timestamps_{0};
  std::atomic<std::uint64_t> order_posts_{0};
};

}  // namespace ptp::exchange::loopback
