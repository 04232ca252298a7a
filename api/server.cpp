#include "api/server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <thread>

#include "api/guards.hpp"
#include "api/mcp.hpp"
#include "api/metrics_text.hpp"
#include "api/operations.hpp"
#include "api/routes.hpp"

namespace ptp::api {
namespace {

void error_body(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(dump(Json{{"error", message}}), "application/json");
}

}  // namespace

std::string token_from_env(const config::ApiSettings& settings) {
  const char* value = std::getenv(settings.token_env.c_str());
  const std::string where = "the API's bearer token comes from the environment variable " + settings.token_env +
                            " (api.token_env)";
  if (!value || !*value) throw ApiStartError(where + ", which is not set; set it, or api.enabled = false");
  if (std::string_view(value).size() < 16)
    throw ApiStartError(where + ", which holds fewer than 16 characters; use a long random token");
  return value;
}

struct ApiServer::Impl {
  config::ApiSettings settings;
  BearerToken token;
  TokenBucket rate;
  Operations ops;
  McpEndpoint mcp;
  httplib::Server http;
  std::thread thread;
  int port = 0;

  Impl(const config::ApiSettings& s, const std::string& t, NodeGateway& node)
      : settings(s), token(t), rate(s.requests_per_second), ops(node), mcp(ops) {}

  // Origin, rate, token: in that order, so a flood never reaches the token check's hashing.
  httplib::Server::HandlerResponse gate(const httplib::Request& req, httplib::Response& res) {
    if (req.has_header("Origin") && !origin_allowed(req.get_header_value("Origin"))) {
      error_body(res, 403, "forbidden: the Origin is not this machine (DNS-rebinding protection)");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!rate.take()) {
      res.set_header("Retry-After", std::to_string(rate.retry_after_seconds()));
      error_body(res, 429, "too many requests: at most " + std::to_string(settings.requests_per_second) + " a second");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!token.accepts(req.get_header_value("Authorization"))) {
      res.set_header("WWW-Authenticate", "Bearer");
      error_body(res, 401, "unauthorized: send Authorization: Bearer <the token in " + settings.token_env + ">");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  }

  void install() {
    http.set_payload_max_length(kMaxBodyBytes);
    http.set_pre_routing_handler([this](const auto& req, auto& res) { return gate(req, res); });
    http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // the handler's own answer
      const char* what = res.status == 413   ? "payload too large: bodies are limited to 64 KiB"
                         : res.status == 404 ? "not found"
                         : res.status == 400 ? "bad request"
                                             : "error";
      error_body(res, res.status, what);
      return httplib::Server::HandlerResponse::Handled;
    }));
    http.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "unknown";
      try {
        if (ep) std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      spdlog::error("[api] {} {} failed: {}", req.method, req.path, what);
      error_body(res, 500, "internal error: " + what);
    });
    http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      spdlog::debug("[api] {} {} {} from {}", req.method, req.path, res.status, req.remote_addr);
    });
    http.Post("/mcp", [this](const httplib::Request& req, httplib::Response& res) {
      const HttpAnswer a = mcp.post(req.body, req.get_header_value("MCP-Protocol-Version"));
      res.status = a.status;
      if (!a.body.empty()) res.set_content(a.body, "application/json");
    });
    // No SSE stream and no sessions: a GET (a stream) or a DELETE (a session's end) is not allowed.
    auto not_allowed = [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Allow", "POST");
      error_body(res, 405, "method not allowed: this server answers each POST with one JSON response (no SSE stream)");
    };
    http.Get("/mcp", not_allowed);
    http.Delete("/mcp", not_allowed);
    http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      try {
        auto& node = ops.node();
        const auto last = node.last_switch();
        const bool tripped = node.observing() && last && last->by == "guard";
        const std::string text = prometheus_text(MetricsView{node.metrics(), node.positions(), node.observing(),
                                                             node.settings().guard.configured(), tripped, node.group()});
        res.set_content(text, "text/plain; version=0.0.4; charset=utf-8");
      } catch (const NodeUnavailable& e) {
        error_body(res, 503, e.what());
      }
    });
    install_operator_routes(http, ops);
  }
};

ApiServer::ApiServer(const config::ApiSettings& settings, const std::string& token, NodeGateway& node)
    : impl_(std::make_unique<Impl>(settings, token, node)) {
  auto& im = *impl_;
  im.install();
  if (settings.port == 0) {
    im.port = im.http.bind_to_any_port(settings.host);
  } else if (im.http.bind_to_port(settings.host, settings.port)) {
    im.port = settings.port;
  } else {
    im.port = -1;
  }
  if (im.port <= 0)
    throw ApiStartError("the API cannot listen on " + settings.listen() + " (in use, or not an address of this machine)");
  if (!config::is_loopback_host(settings.host))
    spdlog::warn("[api] listening on {}, which is not loopback (api.allow_remote = true): other machines can reach "
                 "it; only the bearer token protects the node",
                 settings.host);
  im.thread = std::thread([&im] { im.http.listen_after_bind(); });
  spdlog::info("[api] MCP on {}/mcp, operator API on {}/v1, metrics on {}/metrics (bearer token from {})", url(), url(),
               url(), settings.token_env);
}

ApiServer::~ApiServer() { stop(); }

void ApiServer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->http.stop();
  impl_->thread.join();
}

std::uint16_t ApiServer::port() const { return static_cast<std::uint16_t>(impl_->port); }

std::string ApiServer::url() const {
  config::ApiSettings s = impl_->settings;
  s.port = port();
  return "http://" + s.listen();
}

}  // namespace ptp::api
