// The node's HTTP server: MCP for AI agents (POST /mcp), the operator API (/v1/...) and metrics, on
// one listener (loopback unless allowed otherwise). Every request passes the same gate first: the
// Origin rule, the request rate, the bearer token; bodies are limited to 64 KiB.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/config/config.hpp"

namespace ptp::api {

class NodeGateway;

// The API cannot start: no token, a port in use, ... (the node does not start either).
class ApiStartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kMaxBodyBytes = 64 * 1024;

// The bearer token from the variable the config names; throws ApiStartError naming the variable
// (never showing a value) when it is unset, empty or shorter than 16 characters.
std::string token_from_env(const config::ApiSettings& settings);

class ApiServer {
 public:
  // Binds and starts serving on its own threads; throws ApiStartError.
  ApiServer(const config::ApiSettings& settings, const std::string& token, NodeGateway& node);
  ~ApiServer();  // stops
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  void stop();  // stops accepting and waits for the requests in progress
  std::uint16_t port() const;
  std::string url() const;  // "http://127.0.0.1:8765"

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ptp::api
