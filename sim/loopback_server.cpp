// The transport under every protocol face: websocketpp's server (HTTP and websockets on one port)
// on one I/O thread. The face decides what each request and frame means; this file only carries
// them, injects HTTP faults, runs the order hook and keeps the counters.
#include "sim/loopback_server.hpp"

#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "core/text.hpp"

namespace ptp::exchange::loopback {
namespace {

using WsServer = websocketpp::server<websocketpp::config::asio>;
using Hdl = websocketpp::connection_hdl;

// A fault's path: "*" is any path, "/x/*" any path under /x/, anything else itself.
bool path_matches(const std::string& pattern, const std::string& path) {
  if (pattern == "*") return true;
  if (pattern.size() > 1 && pattern.back() == '*') return path.rfind(pattern.substr(0, pattern.size() - 1), 0) == 0;
  return pattern == path;
}

struct Connection {
  std::unique_ptr<WsSession> session;
  bool open = false;
};

}  // namespace

struct LoopbackServer::Impl {
  std::shared_ptr<SimExchange> sim;
  std::unique_ptr<ProtocolFace> face;
  std::chrono::milliseconds tick_interval;
  WsServer server;
  std::thread thread;
  std::uint16_t port = 0;
  std::map<Hdl, Connection, std::owner_less<Hdl>> connections;  // io thread only
  std::deque<HttpFault> faults;
  OrderHook order_hook;
  std::shared_ptr<asio::steady_timer> ticker;
  mutable std::mutex counters_mu;
  ServerCounters counters;

  Impl(std::shared_ptr<SimExchange> s, std::unique_ptr<ProtocolFace> f, std::chrono::milliseconds tick,
       std::uint16_t wanted_port)
      : sim(std::move(s)), face(std::move(f)), tick_interval(tick) {
    server.clear_access_channels(websocketpp::log::alevel::all);
    server.clear_error_channels(websocketpp::log::elevel::all);
    server.init_asio();
    server.set_reuse_addr(true);
    server.set_http_handler([this](Hdl h) { on_http(h); });
    server.set_validate_handler([this](Hdl h) { return on_validate(h); });
    server.set_open_handler([this](Hdl h) { count_connection(h, +1); });
    server.set_close_handler([this](Hdl h) { forget(h); });
    server.set_fail_handler([this](Hdl h) { forget(h); });
    server.set_message_handler([this](Hdl h, WsServer::message_ptr m) { on_message(h, m->get_payload()); });
    server.listen(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), wanted_port));
    server.start_accept();
    websocketpp::lib::error_code ec;
    port = server.get_local_endpoint(ec).port();
    if (tick_interval.count() > 0) {
      ticker = std::make_shared<asio::steady_timer>(server.get_io_service());
      arm_ticker();
    }
    thread = std::thread([this] { server.run(); });
  }

  ~Impl() {
    run_on_io([this] {
      if (ticker) ticker->cancel();
      server.stop_listening();
      for (auto& [h, c] : connections) {
        websocketpp::lib::error_code ec;
        server.close(h, websocketpp::close::status::going_away, "server stopping", ec);
      }
    });
    server.stop();
    thread.join();
  }

  // Runs `f` on the server's I/O thread and waits.
  template <class F>
  auto run_on_io(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto done = task.get_future();
    asio::post(server.get_io_service(), [&task] { task(); });
    return done.get();
  }

  void arm_ticker() {
    ticker->expires_after(tick_interval);
    ticker->async_wait([this](const asio::error_code& ec) {
      if (ec) return;
      for (const auto& t : sim->step()) push_mark(t);
      push_account_frames();
      arm_ticker();
    });
  }

  // ---- websockets ----

  bool on_validate(Hdl h) {
    auto con = server.get_con_from_hdl(h);
    const std::string resource = con->get_resource();
    const auto q = resource.find('?');
    auto opened = face->open_ws(resource.substr(0, q), q == std::string::npos ? "" : resource.substr(q + 1));
    if (const int* status = std::get_if<int>(&opened)) {
      con->set_status(static_cast<websocketpp::http::status_code::value>(*status));
      return false;
    }
    connections[h].session = std::move(std::get<std::unique_ptr<WsSession>>(opened));
    return true;
  }

  void on_message(Hdl h, const std::string& text) {
    auto it = connections.find(h);
    if (it == connections.end()) return;
    const bool was_user = it->second.session->counts_as_user;
    const WsReply reply{[this, h](const std::string& frame) { send(h, frame); },
                        [this, h](int code, const std::string& reason) {
                          websocketpp::lib::error_code ec;
                          server.close(h, static_cast<websocketpp::close::status::value>(code), reason, ec);
                        }};
    face->ws_message(*it->second.session, text, reply);
    it = connections.find(h);  // the face may have closed it
    if (it != connections.end() && it->second.open && it->second.session->counts_as_user != was_user) {
      std::lock_guard lock(counters_mu);
      (was_user ? counters.user_connections : counters.market_connections) -= 1;
      (was_user ? counters.market_connections : counters.user_connections) += 1;
    }
  }

  void count_connection(Hdl h, int delta) {
    auto it = connections.find(h);
    if (it == connections.end() || it->second.open == (delta > 0)) return;
    it->second.open = delta > 0;
    std::lock_guard lock(counters_mu);
    auto& n = it->second.session->counts_as_user ? counters.user_connections : counters.market_connections;
    n = static_cast<std::uint64_t>(static_cast<std::int64_t>(n) + delta);
  }

  void forget(Hdl h) {
    count_connection(h, -1);
    connections.erase(h);
  }

  void send(Hdl h, const std::string& text) {
    websocketpp::lib::error_code ec;
    server.send(h, text, websocketpp::frame::opcode::text, ec);
    if (!ec) {
      std::lock_guard lock(counters_mu);
      ++counters.frames_sent;
    }
  }

  // Returns when the first frame was handed to websocketpp (steady clock; 0: nobody subscribed).
  // The socket write follows on this thread once the current handler returns.
  std::int64_t push_mark(const core::PriceTick& t) {
    std::int64_t first_sent_ns = 0;
    for (auto& [h, c] : connections)
      for (const auto& frame : face->mark_frames(*c.session, t)) {
        if (first_sent_ns == 0) first_sent_ns = core::steady_now_ns();
        send(h, frame);
      }
    return first_sent_ns;
  }

  void push_account_frames() {
    face->collect_account_changes();
    for (auto& [h, c] : connections)
      for (const auto& frame : face->user_frames(*c.session)) send(h, frame);
  }

  // ---- REST ----

  void answer(const WsServer::connection_ptr& con, const HttpAnswer& a) {
    con->set_status(static_cast<websocketpp::http::status_code::value>(a.status));
    con->append_header("Content-Type", a.content_type);
    for (const auto& [name, value] : face->answer_headers()) con->append_header(name, value);
    for (const auto& [name, value] : a.headers) con->append_header(name, value);
    con->set_body(a.body);
  }

  void on_http(Hdl h) {
    const std::int64_t read_ns = core::steady_now_ns();  // websocketpp has read the whole request
    auto con = server.get_con_from_hdl(h);
    {
      std::lock_guard lock(counters_mu);
      ++counters.requests;
    }
    const std::string& resource = con->get_resource();
    const auto q = resource.find('?');
    HttpRequest request{con->get_request().get_method(), resource.substr(0, q),
                        q == std::string::npos ? "" : resource.substr(q + 1), con->get_request_body(), {}};
    for (const auto& [name, value] : con->get_request().get_headers())
      request.headers[core::ascii_lower(name)] = value;
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (!path_matches(it->path, request.path)) continue;
      if (it->method != "*" && it->method != request.method) continue;
      answer(con, face->fault_answer(*it));
      if (--it->count <= 0) faults.erase(it);
      return;
    }
    std::optional<OrderRequestEvent> event;
    if (order_hook) event = face->order_request(request);
    if (event) event->read_ns = read_ns;
    if (event && !order_hook(*event)) {
      answer(con, face->unserved_answer());
      return;
    }
    answer(con, face->handle(request));
    if (event) {
      event->served = true;
      order_hook(*event);
    }
    push_account_frames();
  }
};

LoopbackServer::LoopbackServer(std::shared_ptr<SimExchange> sim, std::unique_ptr<ProtocolFace> face,
                               std::chrono::milliseconds tick_interval, std::uint16_t port)
    : impl_(std::make_unique<Impl>(std::move(sim), std::move(face), tick_interval, port)) {}
LoopbackServer::~LoopbackServer() = default;

std::uint16_t LoopbackServer::port() const { return impl_->port; }
std::string LoopbackServer::rest_url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }
std::string LoopbackServer::ws_url() const { return "ws://127.0.0.1:" + std::to_string(impl_->port); }

core::PriceTick LoopbackServer::set_mark(const core::Symbol& symbol, core::Price price) {
  return impl_->run_on_io([&] {
    auto t = impl_->sim->set_mark(symbol, price);
    if (const auto sent_ns = impl_->push_mark(t)) t.received_ns = sent_ns;
    impl_->push_account_frames();
    return t;
  });
}

void LoopbackServer::step() {
  impl_->run_on_io([&] {
    for (const auto& t : impl_->sim->step()) impl_->push_mark(t);
    impl_->push_account_frames();
  });
}

void LoopbackServer::inject(HttpFault fault) { impl_->run_on_io([&] { impl_->faults.push_back(std::move(fault)); }); }

void LoopbackServer::set_order_hook(OrderHook hook) {
  impl_->run_on_io([&] { impl_->order_hook = std::move(hook); });
}

void LoopbackServer::set_clock_skew(std::chrono::milliseconds skew) {
  impl_->run_on_io([&] { impl_->face->set_clock_skew(skew); });
}

void LoopbackServer::drop_streams() {
  impl_->run_on_io([&] {
    for (auto& [h, c] : impl_->connections) {
      websocketpp::lib::error_code ec;
      impl_->server.close(h, websocketpp::close::status::going_away, "dropped by the simulator", ec);
    }
  });
}

void LoopbackServer::send_market_frame(const std::string& frame) {
  impl_->run_on_io([&] {
    for (auto& [h, c] : impl_->connections)
      if (!c.session->counts_as_user) impl_->send(h, frame);
  });
}

ServerCounters LoopbackServer::counters() const {
  ServerCounters out;
  {
    std::lock_guard lock(impl_->counters_mu);
    out = impl_->counters;
  }
  const auto f = impl_->face->counters();  // callable from any thread (the order hook's too)
  out.bad_signatures = f.bad_signatures;
  out.stale_timestamps = f.stale_timestamps;
  out.order_posts = f.order_posts;
  return out;
}

SimExchange& LoopbackServer::sim() { return *impl_->sim; }

}  // namespace ptp::exchange::loopback
