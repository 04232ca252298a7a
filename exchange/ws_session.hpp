// The reconnecting websocket session behind WsClient, written once for both websocketpp client
// configs (plain and TLS). Included only by ws_client_plain.cpp and ws_client_tls.cpp: each
// websocketpp endpoint type is a heavy instantiation, so each gets its own translation unit.
#pragma once

#include <spdlog/spdlog.h>
#include <websocketpp/client.hpp>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "exchange/failure_log.hpp"
#include "exchange/ws_impl.hpp"

namespace ptp::exchange {

template <class Config>
class WsSession final : public WsClient::Impl {
 public:
  using Client = websocketpp::client<Config>;
  using Clock = std::chrono::steady_clock;

  WsSession(std::string n, WsClient::UrlProvider url, WsClient::OnMessage on_message, WsClient::OnConnect on_connect,
            WsOptions options)
      : url_(std::move(url)),
        on_message_(std::move(on_message)),
        on_connect_(std::move(on_connect)),
        options_(std::move(options)),
        rng_(std::random_device{}()) {
    name = std::move(n);
    client_.clear_access_channels(websocketpp::log::alevel::all);
    client_.clear_error_channels(websocketpp::log::elevel::all);
    client_.init_asio();
    client_.set_message_handler([this](websocketpp::connection_hdl, typename Client::message_ptr msg) {
      last_data_ = Clock::now();
      ++stats_.messages;
      on_message_(msg->get_payload());
    });
    // Server pings count as signs of life (a quiet user-data stream sends nothing else).
    client_.set_ping_handler([this](websocketpp::connection_hdl, std::string) {
      last_data_ = Clock::now();
      return true;  // answer with a pong
    });
    client_.set_open_handler([this](websocketpp::connection_hdl) {
      {
        std::lock_guard lock(mu_);
        ++stats_.connects;
        stats_.connected = true;
      }
      attempts_ = 0;
      opened_ = last_data_ = Clock::now();
      spdlog::info("[ws] {} connected", name);
      if (on_connect_) on_connect_();
    });
    client_.set_fail_handler([this](websocketpp::connection_hdl hdl) { lost(hdl, "connection failed"); });
    client_.set_close_handler([this](websocketpp::connection_hdl hdl) { lost(hdl, "closed"); });
    configure_tls();
  }

  ~WsSession() override { stop(); }

  void start() override {
    if (thread_.joinable()) return;
    client_.start_perpetual();
    thread_ = std::thread([this] { client_.run(); });
    asio::post(client_.get_io_service(), [this] {
      connect();
      arm_watchdog();
    });
  }

  void stop() override {
    if (!thread_.joinable()) return;
    asio::post(client_.get_io_service(), [this] {
      stopping_ = true;
      if (watchdog_) watchdog_->cancel();
      if (retry_) retry_->cancel();
      close_current("shutting down");
      client_.stop_perpetual();
    });
    thread_.join();
  }

  void drop() override {
    asio::post(client_.get_io_service(), [this] { close_current("dropped on request"); });
  }

  void send(std::string text) override {
    asio::post(client_.get_io_service(), [this, text = std::move(text)] {
      websocketpp::lib::error_code ec;
      if (current_.lock()) client_.send(current_, text, websocketpp::frame::opcode::text, ec);
    });
  }

  WsStats stats() const override {
    std::lock_guard lock(mu_);
    return stats_;
  }

 private:
  void configure_tls();

  void connect() {
    if (stopping_) return;
    websocketpp::lib::error_code ec;
    const std::string url = url_();
    auto con = client_.get_connection(url, ec);
    if (ec) {
      spdlog::error("[ws] {}: bad url {}: {}", name, redact(url), ec.message());
      schedule_reconnect();
      return;
    }
    host_ = con->get_host();
    current_ = con->get_handle();
    client_.connect(con);
  }

  void lost(websocketpp::connection_hdl hdl, const char* what) {
    if (hdl.lock() != current_.lock()) return;  // an older connection's late news
    std::string reason;
    if (auto con = client_.get_con_from_hdl(hdl)) {
      reason = con->get_ec() ? con->get_ec().message() : con->get_remote_close_reason();
    }
    {
      std::lock_guard lock(mu_);
      ++stats_.disconnects;
      stats_.connected = false;
    }
    current_.reset();
    if (stopping_) return;
    log_repeated(spdlog::level::warn, "[ws] {} {}{}{}: reconnecting", name, what, reason.empty() ? "" : ": ", reason);
    schedule_reconnect();
  }

  void schedule_reconnect() {
    // Exponential backoff with full jitter: many clients that lost the server together do not
    // come back together.
    const auto cap = std::min<std::int64_t>(options_.reconnect_max.count(),
                                            options_.reconnect_min.count() << std::min(attempts_, 16));
    ++attempts_;
    std::uniform_int_distribution<std::int64_t> pick(options_.reconnect_min.count(), std::max<std::int64_t>(cap, options_.reconnect_min.count()));
    const auto wait = std::chrono::milliseconds(pick(rng_));
    retry_ = client_.set_timer(static_cast<long>(wait.count()), [this](const websocketpp::lib::error_code& ec) {
      if (!ec) connect();
    });
  }

  void arm_watchdog() {
    watchdog_ = client_.set_timer(500, [this](const websocketpp::lib::error_code& ec) {
      if (ec || stopping_) return;
      const auto now = Clock::now();
      if (!current_.expired() && stats().connected) {
        if (now - last_data_ > options_.no_data_timeout) {
          log_repeated(spdlog::level::warn, "[ws] {}: no data for {} ms: reconnecting", name,
                       std::chrono::duration_cast<std::chrono::milliseconds>(now - last_data_).count());
          {
            std::lock_guard lock(mu_);
            ++stats_.watchdog_drops;
          }
          close_current("no data");
        } else if (now - opened_ > options_.max_connection_age) {
          spdlog::info("[ws] {}: connection is {} h old: reconnecting before the server's 24 h cut", name,
                       std::chrono::duration_cast<std::chrono::hours>(now - opened_).count());
          close_current("scheduled reconnect");
        }
      }
      arm_watchdog();
    });
  }

  void close_current(const std::string& why) {
    auto con = current_.lock();
    if (!con) return;
    websocketpp::lib::error_code ec;
    client_.close(current_, websocketpp::close::status::going_away, why, ec);
    if (ec) {  // not open (still connecting): drop the socket
      if (auto c = client_.get_con_from_hdl(current_, ec)) c->terminate(ec);
    }
  }

  static std::string redact(const std::string& url) {
    const auto q = url.find("listenKey=");
    return q == std::string::npos ? url : url.substr(0, q) + "listenKey=...";
  }

  Client client_;
  WsClient::UrlProvider url_;
  WsClient::OnMessage on_message_;
  WsClient::OnConnect on_connect_;
  WsOptions options_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  websocketpp::connection_hdl current_;
  std::string host_;
  typename Client::timer_ptr watchdog_;
  typename Client::timer_ptr retry_;
  Clock::time_point last_data_{};
  Clock::time_point opened_{};
  int attempts_ = 0;
  std::mt19937_64 rng_;
  mutable std::mutex mu_;
  WsStats stats_;
};

}  // namespace ptp::exchange
