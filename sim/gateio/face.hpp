// The simulator's Gate.io USDT-futures face (API v4) without the transport: an HTTP request in,
// Gate's answer out (routes, the KEY/Timestamp/SIGN checks, labels and shapes), and the websocket
// at /v4/ws/usdt: futures.tickers, the authenticated futures.orders, futures.autoorders and
// futures.positions channels, futures.ping. Sizes on the wire are whole signed contracts of the
// contract's quanto_multiplier (the instrument's contract_size, or its step_size when it has none).
// Every order goes through the engine (SimExchange); the face keeps only how each order was sent.
// LoopbackServer carries it. Used from the server's I/O thread only (the counters are atomic).
#pragma once

#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sim/face.hpp"
#include "sim/query_params.hpp"
#include "sim/gateio/shapes.hpp"
#include "sim/sim_exchange.hpp"

namespace ptp::exchange::loopback {

struct GateioFaceOptions {
  std::string api_key = "ptp-sim-api-key";
  std::string secret = "ptp-sim-api-secret";
  // Keys also accepted, each with the same secret: clients of one account told apart by their key
  // (the cluster tests: which node sent an order).
  std::vector<std::string> more_api_keys;
  bool dual_mode = false;  // true: a dual_long and a dual_short position per contract
  std::string user_id = "10001";
};

class GateioFace final : public ProtocolFace {
 public:
  // Throws std::invalid_argument when options.user_id is not a number (Gate's `user` is one).
  GateioFace(std::shared_ptr<SimExchange> sim, GateioFaceOptions options);

  // ProtocolFace: REST (face.cpp: routes, authentication, market data and the account;
  // orders.cpp: the order and price-order routes) and the websocket (streams.cpp).
  HttpAnswer handle(const HttpRequest& request) override;
  // {"label": fault.label, "message": fault.msg} with fault.status (and Retry-After when set).
  HttpAnswer fault_answer(const HttpFault& fault) override;
  HttpAnswer unserved_answer() override;  // 503 SERVER_ERROR: the outcome is unknown
  // POST or DELETE on /api/v4/futures/usdt/orders[/{id}] or .../price_orders[/{id}], naming the
  // body's text (POST) or the text in the path (DELETE), when there is one, and its KEY header.
  std::optional<OrderRequestEvent> order_request(const HttpRequest& request) const override;
  // X-Gate-RateLimit-*: the requests of the current 10 s window against a limit of 100 (counted,
  // never enforced; a test injects 429s with HttpFault).
  std::vector<std::pair<std::string, std::string>> answer_headers() override;

  std::variant<std::unique_ptr<WsSession>, int> open_ws(const std::string& path, const std::string& query) override;
  void ws_message(WsSession& session, const std::string& text, const WsReply& reply) override;
  std::vector<std::string> mark_frames(WsSession& session, const core::PriceTick& tick) override;
  // Reads the engine's journal since the last call (orders and price orders that changed) and the
  // positions that changed; user_frames() gives each connection the ones it subscribed to.
  void collect_account_changes() override;
  std::vector<std::string> user_frames(WsSession& session) override;

  std::int64_t now_ms() const override;
  void set_clock_skew(std::chrono::milliseconds skew) override { skew_ms_ = skew.count(); }
  Counters counters() const override { return {bad_signatures_, stale_timestamps_, order_posts_}; }

 private:
  using Params = QueryParams;
  struct Route;
  // A request matched to a route: its decoded query and the path's last segment for
  // ".../orders/{order_id}" routes.
  struct Call {
    const HttpRequest& request;
    Params params;
    std::string tail;
  };
  // How an order was sent, where the engine does not keep it.
  struct OrderWire {
    std::int64_t size = 0;  // signed contracts
    std::string text;       // as sent, or "api"
    bool reduce_only = false;
    bool close = false;
  };
  struct PriceOrderWire {
    std::string order_type;  // plan-close-long-position / plan-close-short-position, or "" (none sent)
    int strategy_type = 0;
    int price_type = 1;
    int rule = 1;
    std::int64_t size = 0;  // initial.size
    std::int64_t expiration = 0;
  };
  // A change read from the engine, rendered once, given to the connections that cover its contract.
  struct Change {
    core::Symbol symbol;
    std::string json;
  };

  static constexpr std::int64_t kDefaultSizeMax = 1'000'000;  // order_size_max of an instrument without max_qty

  static const std::vector<Route>& routes();

  // face.cpp: market data, the account, and what the routes share.
  HttpAnswer server_time(const Call&);
  HttpAnswer contracts(const Call&);
  HttpAnswer one_contract(const Call&);
  HttpAnswer tickers(const Call&);
  HttpAnswer accounts(const Call&);
  HttpAnswer positions(const Call&);
  void check_signature(const HttpRequest& r);
  bool key_known(std::string_view key) const;  // options_.api_key or one of more_api_keys
  std::optional<core::Symbol> find_contract(std::string_view name) const;
  core::Symbol contract_named(std::string_view name, int status_if_unknown) const;
  core::Qty multiplier(const core::Symbol& symbol) const;  // the base quantity of one contract
  // The contracts a base quantity is: exact, or 500 SERVER_ERROR (the simulator holds something
  // Gate could not).
  static std::int64_t contracts_of(core::Qty qty, core::Qty multiplier, const core::Symbol& symbol);
  gateio_shapes::ContractView contract_view(const core::Symbol& symbol) const;
  std::vector<gateio_shapes::PositionView> position_rows() const;

  // orders.cpp: market orders and price-triggered orders.
  HttpAnswer new_order(const Call&);
  HttpAnswer list_orders(const Call&);
  HttpAnswer get_order(const Call&);
  HttpAnswer cancel_order(const Call&);
  HttpAnswer new_price_order(const Call&);
  HttpAnswer list_price_orders(const Call&);
  HttpAnswer get_price_order(const Call&);
  HttpAnswer cancel_price_order(const Call&);
  // A market order (market_close or market_open), as opposed to a price-triggered one.
  static bool is_plain(const core::OrderState& o);
  // The position a price order closes and whether it is its stop or its take-profit; nullopt for
  // an order_type or rule Gate does not have.
  static std::optional<std::pair<core::Side, core::OrderKind>> price_order_kind(std::string_view order_type,
                                                                                std::int64_t initial_size,
                                                                                std::int64_t rule);
  // The market order (by Gate id, or by text while open and for 60 s after it finished).
  std::optional<SimOrder> find_order(const std::string& ref);
  std::optional<SimOrder> find_price_order(const std::string& id) const;
  std::string order_json(const SimOrder& o, gateio_shapes::PriceStyle style) const;
  std::string price_order_json(const SimOrder& o) const;
  // After an engine error: records how the order was sent if the engine made it anyway (a timeout
  // after acceptance), so the client finds it as it sent it.
  template <class Wire>
  void remember_if_made(std::size_t journal_mark, std::map<std::string, Wire>& wires, const Wire& wire);

  std::shared_ptr<SimExchange> sim_;
  GateioFaceOptions options_;
  std::map<std::string, OrderWire> order_wires_;             // exchange id -> how it was sent
  std::map<std::string, PriceOrderWire> price_order_wires_;  // exchange id -> how it was sent
  std::uint64_t next_order_id_ = 1;                          // the engine's client id for an order sent without text
  std::uint64_t next_price_order_id_ = 1;                    // "gate-po-<n>": price orders carry no client id
  std::size_t journal_seen_ = 0;                             // the engine's journal entries already read
  std::map<std::pair<core::Symbol, core::Side>, std::pair<core::Qty, core::Price>> positions_seen_;
  std::vector<Change> order_changes_, price_order_changes_, position_changes_;  // the last collect (streams.cpp)
  std::int64_t rate_window_ = 0;  // X-Gate-RateLimit-*: the window's index and its requests
  int rate_count_ = 0;
  simdjson::dom::parser json_;  // request bodies and websocket frames
  std::atomic<std::int64_t> skew_ms_{0};
  std::atomic<std::uint64_t> bad_signatures_{0};
  std::atomic<std::uint64_t> stale_timestamps_{0};
  std::atomic<std::uint64_t> order_posts_{0};
};

}  // namespace ptp::exchange::loopback
