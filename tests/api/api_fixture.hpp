// The real node (actor system, LMDB in a temp dir, the simulator) with its HTTP API on a loopback
// port the OS picks, and a libcurl client speaking to it.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "../actors/node_harness.hpp"
#include "../support/http_client.hpp"
#include "api/node_gateway.hpp"
#include "api/server.hpp"

namespace ptp::test {

using Json = nlohmann::json;

inline const std::string kToken = "test-token-0123456789abcdef";
inline const std::string kAuth = "Authorization: Bearer " + kToken;

inline config::ApiSettings api_settings(std::uint32_t requests_per_second = 10'000) {
  config::ApiSettings s;
  s.enabled = true;
  s.port = 0;
  s.requests_per_second = requests_per_second;
  return s;
}

class ApiNode {
 public:
  // `timeout`: how long the API waits for the node (an execute waits three times as long).
  ApiNode(const config::Config& cfg, std::shared_ptr<exchange::SimExchange> sim, const std::string& data_dir,
          config::ApiSettings settings = api_settings(), std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : harness_(cfg, std::move(sim), data_dir),
        gateway_(harness_.system(), harness_.node(), harness_.position_deps().settings, timeout),
        server_(settings, kToken, gateway_) {}

  NodeHarness& node() { return harness_; }
  api::NodeGateway& gateway() { return gateway_; }
  std::string url(const std::string& path) const { return server_.url() + path; }

  HttpResponse get(const std::string& path, std::vector<std::string> headers = {kAuth}) {
    return http_request("GET", url(path), "", headers);
  }
  HttpResponse post(const std::string& path, const std::string& body, std::vector<std::string> headers = {kAuth}) {
    headers.push_back("Content-Type: application/json");
    return http_request("POST", url(path), body, headers);
  }
  HttpResponse put(const std::string& path, const std::string& body) {
    return http_request("PUT", url(path), body, {kAuth, "Content-Type: application/json"});
  }

  // One JSON-RPC request to /mcp; the parsed answer (REQUIREs HTTP 200).
  Json rpc(const std::string& method, const Json& params = Json::object(), int id = 1) {
    const auto r = post("/mcp", Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump());
    INFO(r.body);
    REQUIRE(r.status == 200);
    return Json::parse(r.body);
  }
  // tools/call; the result object.
  Json call(const std::string& tool, const Json& args = Json::object()) {
    Json reply = rpc("tools/call", Json{{"name", tool}, {"arguments", args}});
    INFO(reply.dump());
    REQUIRE(reply.contains("result"));
    return reply["result"];
  }

 private:
  NodeHarness harness_;
  api::NodeGateway gateway_;
  api::ApiServer server_;
};

}  // namespace ptp::test
