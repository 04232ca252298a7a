// A protocol face: the simulator's engine as one exchange's clients see it, without the transport.
// HTTP requests in, that exchange's answers out (routes, authentication, error shapes), and the
// websocket side (which connections are accepted, what a client may send on them, the price and
// account frames each connection gets). LoopbackServer carries any face over HTTP and websockets
// on 127.0.0.1; a face runs on the server's one I/O thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/tick.hpp"

namespace ptp::exchange::loopback {

struct HttpRequest {
  std::string method;
  std::string path;
  std::string query;  // after '?', undecoded
  std::string body;   // undecoded
  std::map<std::string, std::string> headers;  // names in lower case

  std::string header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpAnswer {
  HttpAnswer() = default;
  HttpAnswer(int s, std::string b, std::string type = "application/json")
      : status(s), body(std::move(b)), content_type(std::move(type)) {}

  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

// The next `count` requests to `path` ("*": any; "/x/*": any under /x/) with `method` ("*": any) get this error answer
// instead of being served, in the face's own error shape: Binance's {"code","msg"} (code), Gate.io's
// {"label","message"} (label).
struct HttpFault {
  std::string path = "*";
  int status = 429;
  int code = -1003;
  std::string msg = "Too many requests; current limit is 2400 requests per minute.";
  int retry_after_s = -1;  // -1: no Retry-After header
  int count = 1;
  std::string method = "*";
  std::string label = "TOO_MANY_REQUESTS";
};

// A request that changes orders (placing or cancelling one), seen by the order hook twice: before
// it is served (`served` false) and after, before the answer is written.
struct OrderRequestEvent {
  std::string method;
  std::string path;
  std::string client_id;  // the client id it names, when it names one
  bool served = false;
  std::int64_t read_ns = 0;  // steady clock: when the server had read the whole request
  std::string api_key = {};  // the key it was sent with (Binance's X-MBX-APIKEY, Gate.io's KEY): which client sent it
};
// Crash tests kill the client inside the hook. Returning false from the `served == false` call drops
// the request unserved (as if the client died before it left); the answer is then the face's
// "unknown outcome" error (a 503).
using OrderHook = std::function<bool(const OrderRequestEvent&)>;

// One websocket connection as its face keeps it.
struct WsSession {
  virtual ~WsSession() = default;
  bool counts_as_user = false;  // for the counters: an account (user data) connection
};

// What a face may do on a connection while it handles a client's frame.
struct WsReply {
  std::function<void(const std::string&)> send;
  std::function<void(int close_code, const std::string& reason)> close;
};

class ProtocolFace {
 public:
  virtual ~ProtocolFace() = default;

  virtual HttpAnswer handle(const HttpRequest& request) = 0;
  virtual HttpAnswer fault_answer(const HttpFault& fault) = 0;
  // The answer to an order request the hook dropped: the outcome is unknown to the client.
  virtual HttpAnswer unserved_answer() = 0;
  // The order request this is (placing or cancelling), or nullopt.
  virtual std::optional<OrderRequestEvent> order_request(const HttpRequest& request) const = 0;
  // Headers every answer carries (rate-limit counters).
  virtual std::vector<std::pair<std::string, std::string>> answer_headers() { return {}; }

  // A websocket handshake on `path` with `query`: the new session, or the HTTP status refusing it.
  virtual std::variant<std::unique_ptr<WsSession>, int> open_ws(const std::string& path, const std::string& query) = 0;
  virtual void ws_message(WsSession& session, const std::string& text, const WsReply& reply) = 0;
  // The frames a new mark makes on this connection (none when it did not subscribe).
  virtual std::vector<std::string> mark_frames(WsSession& session, const core::PriceTick& tick) = 0;
  // Reads what changed at the exchange since the last call; user_frames() then gives each
  // connection its frames of it.
  virtual void collect_account_changes() = 0;
  virtual std::vector<std::string> user_frames(WsSession& session) = 0;

  virtual std::int64_t now_ms() const = 0;  // the server's clock (the wall clock plus the skew)
  virtual void set_clock_skew(std::chrono::milliseconds skew) = 0;

  struct Counters {
    std::uint64_t bad_signatures = 0;
    std::uint64_t stale_timestamps = 0;
    std::uint64_t order_posts = 0;  // order placements that reached the matching engine
  };
  virtual Counters counters() const = 0;  // safe from any thread (kept in atomics)
};

}  // namespace ptp::exchange::loopback
