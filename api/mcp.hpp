// The Model Context Protocol endpoint (POST /mcp): JSON-RPC 2.0 as the Streamable HTTP transport
// carries it, one JSON response per POST (no SSE stream, no sessions). Protocol revisions
// 2025-11-25 (the server's), 2025-06-18 and 2025-03-26 are accepted.
#pragma once

#include <string>

#include "api/operations.hpp"

namespace ptp::api {

struct HttpAnswer {
  int status = 200;
  std::string body;  // empty: no body (202)
};

inline constexpr const char* kLatestProtocol = "2025-11-25";
bool supported_protocol(const std::string& version);

class McpEndpoint {
 public:
  explicit McpEndpoint(Operations& ops) : ops_(ops) {}

  // `protocol_header` is the MCP-Protocol-Version header ("" when absent).
  HttpAnswer post(const std::string& body, const std::string& protocol_header);

  static Json tool_list();  // the tools/list result

 private:
  Json call_tool(const Json& params);  // the tools/call result (throws RpcError for protocol errors)
  Operations& ops_;
};

}  // namespace ptp::api
