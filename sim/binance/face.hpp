// The simulator's Binance USDⓈ-M face without the transport: an HTTP request in, Binance's answer
// out (routes, parameters, the API key, signature and recvWindow checks, error codes and shapes),
// and its websockets: which streams a connection may have, Binance's live-subscription requests,
// the frames each one gets. LoopbackServer carries it. Used from the server's I/O thread only (the
// counters are atomic).
#pragma once

#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sim/binance/server.hpp"
#include "sim/binance/shapes.hpp"
#include "sim/face.hpp"
#include "sim/query_params.hpp"

namespace ptp::exchange::loopback {

class BinanceFace final : public ProtocolFace {
 public:
  using Params = QueryParams;

  BinanceFace(std::shared_ptr<SimExchange> sim, const BinanceServerOptions& options);

  // ProtocolFace: REST (face.cpp) and the websockets (streams.cpp).
  HttpAnswer handle(const HttpRequest& request) override;
  HttpAnswer fault_answer(const HttpFault& fault) override;
  HttpAnswer unserved_answer() override;
  // An order-changing request (POST or DELETE on /fapi/v1/order or /fapi/v1/algoOrder), with the
  // client id it names; nullopt for every other request.
  std::optional<OrderRequestEvent> order_request(const HttpRequest& request) const override;
  std::vector<std::pair<std::string, std::string>> answer_headers() override;  // X-MBX-USED-WEIGHT-1M
  std::variant<std::unique_ptr<WsSession>, int> open_ws(const std::string& path, const std::string& query) override;
  void ws_message(WsSession& session, const std::string& text, const WsReply& reply) override;
  std::vector<std::string> mark_frames(WsSession& session, const core::PriceTick& tick) override;
  // ORDER_TRADE_UPDATE / ALGO_UPDATE frames for every order that changed since the last call, then
  // one ACCOUNT_UPDATE with the positions that changed, if any did; user_frames() gives them to
  // every /private connection.
  void collect_account_changes() override;
  std::vector<std::string> user_frames(WsSession& session) override;
  std::int64_t now_ms() const override;  // the server's clock (the wall clock plus the skew)
  void set_clock_skew(std::chrono::milliseconds skew) override { skew_ms_ = skew.count(); }
  Counters counters() const override { return {bad_signatures_, stale_timestamps_, order_posts_}; }

  HttpAnswer error_answer(int status, int code, const std::string& msg);
  bool listen_key_valid(const std::string& key) const;

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
  std::vector<std::string> account_frames_;  // the last collect_account_changes()
  std::int64_t weight_minute_ = 0;            // X-MBX-USED-WEIGHT-1M's minute and count
  int weight_ = 0;
  simdjson::dom::parser json_;                // websocket requests
  std::atomic<std::int64_t> skew_ms_{0};
  std::atomic<std::uint64_t> bad_signatures_{0};
  std::atomic<std::uint64_t> stale_timestamps_{0};
  std::atomic<std::uint64_t> order_posts_{0};
};

}  // namespace ptp::exchange::loopback
