#include "api/mcp.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>

namespace ptp::api {
namespace {

constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;

// A JSON-RPC error the request gets instead of a result.
struct RpcError {
  int code;
  std::string message;
};

std::string rpc_error(const Json& id, int code, const std::string& message) {
  return dump(Json{{"jsonrpc", "2.0"}, {"id", id}, {"error", Json{{"code", code}, {"message", message}}}});
}

// Tool arguments, read with clear errors: a wrong type is the caller's to fix (a tool error).
std::optional<std::string> opt_string(const Json& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw BadArgument(std::string(name) + ": expected a string, got " + it->type_name());
  return it->get<std::string>();
}
std::optional<std::int64_t> opt_integer(const Json& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) throw BadArgument(std::string(name) + ": expected an integer, got " + it->type_name());
  return it->get<std::int64_t>();
}

Json tool_result(const std::string& text, const Json& structured, bool is_error) {
  return Json{{"content", Json::array({Json{{"type", "text"}, {"text", text}}})},
              {"structuredContent", structured},
              {"isError", is_error}};
}

struct Tool {
  const char* name;
  const char* title;
  const char* description;
  Json input_schema;
  bool read_only;
  bool destructive;
  bool idempotent;
  std::function<Json(Operations&, const Json& args)> call;  // the tools/call result
};

const Json kSymbolProp = {{"type", "string"}, {"description", "A symbol the node manages: \"ETH\", \"ETHUSDT\" or \"ETH_USDT\""}};

std::string count_text(std::size_t n, const char* what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); }

const std::vector<Tool>& tools() {
  static const std::vector<Tool> all = {
      {"list_positions", "List managed positions",
       "Every position the node manages: key, symbol, side, size, entry, initial and current stop, current R, "
       "stages done (with caller and time), the next stage and its trigger price, the take-profit.",
       Json{{"type", "object"}, {"properties", Json{{"symbol", kSymbolProp}}}, {"additionalProperties", false}},
       true, false, true,
       [](Operations& ops, const Json& args) {
         Json list = ops.positions(opt_string(args, "symbol"));
         std::string text = count_text(list.size(), "position");
         for (const auto& p : list)
           text += "\n" + p["key"].get<std::string>() + ": " + p["size"].get<std::string>() + " @ " +
                   p["entry"].get<std::string>() + ", stop " + p["current_stop_label"].get<std::string>() + ", R " +
                   p["r"].get<std::string>() + ", next " +
                   (p["next_stage"].is_null() ? std::string("none")
                                              : "stage " + std::to_string(p["next_stage"]["stage"].get<int>()) + " at " +
                                                    p["next_stage"]["trigger_price"].get<std::string>());
         return tool_result(text, Json{{"positions", list}}, false);
       }},
      {"check_partial_take_profit", "Check partial take-profit opportunities",
       "Which stages are due now at the current mark, per position, with the exact close quantity and the new "
       "stop each would get (the node's own decision; nothing is sent).",
       Json{{"type", "object"}, {"properties", Json{{"symbol", kSymbolProp}}}, {"additionalProperties", false}},
       true, false, true,
       [](Operations& ops, const Json& args) {
         Json list = ops.check(opt_string(args, "symbol"));
         std::string text;
         std::size_t due = 0;
         for (const auto& p : list) {
           for (const auto& d : p["due"]) {
             ++due;
             text += "\n" + p["key"].get<std::string>() + " stage " + std::to_string(d["stage"].get<int>()) +
                     " due at R " + p["r"].get<std::string>() + ": close " + d["close_qty"].get<std::string>() +
                     (d["new_stop"].is_null() ? std::string() : ", stop -> " + d["new_stop_label"].get<std::string>());
           }
         }
         return tool_result(count_text(due, "stage") + " due" + text, Json{{"positions", list}}, false);
       }},
      {"execute_partial_take_profit", "Execute a partial take-profit stage",
       "Asks the node to execute one stage of one position, as the AI agent. Every caller gets the same answer: "
       "success, already_executed, recently_executed, in_progress, not_due, observe_only, skipped or "
       "failed:<reason>. isError is true when this call executed nothing (any answer but success or skipped), "
       "or when the node did not answer in time: the outcome is then unknown and get_history tells.",
       Json{{"type", "object"},
            {"properties",
             Json{{"position", {{"type", "string"}, {"description", "The position's key, e.g. \"sim:main:ETH_USDT:long#1\""}}},
                  {"symbol", kSymbolProp},
                  {"side", {{"type", "string"}, {"enum", {"long", "short"}}}},
                  {"stage", {{"type", "integer"}, {"minimum", 1}, {"description", "The stage number (1 = the first)"}}}}},
            {"required", Json::array({"stage"})},
            {"additionalProperties", false}},
       false, true, true,
       [](Operations& ops, const Json& args) {
         const auto stage = opt_integer(args, "stage");
         if (!stage) throw BadArgument("stage: required");
         PositionRef ref{opt_string(args, "position"), opt_string(args, "symbol"), opt_string(args, "side")};
         const Execution e = ops.execute(ref, *stage, core::Caller::ai_agent);
         spdlog::info("[ai-agent] (mcp) {}", execute_text(e.reply, e.record));
         const auto kind = e.reply.outcome.kind;
         const bool executed = kind == core::OutcomeKind::success || kind == core::OutcomeKind::skipped;
         return tool_result(execute_text(e.reply, e.record), execute_view(e.reply, e.record), !executed);
       }},
      {"get_history", "Get the stage history",
       "Stage executions (every outcome, with caller, time and orders) and mode switches, newest last.",
       Json{{"type", "object"},
            {"properties",
             Json{{"symbol", kSymbolProp},
                  {"since", {{"type", "string"}, {"description", "UTC time \"2026-01-31T12:00:00Z\" or Unix seconds"}}},
                  {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}}}}},
            {"additionalProperties", false}},
       true, false, true,
       [](Operations& ops, const Json& args) {
         PositionRef ref{std::nullopt, opt_string(args, "symbol"), std::nullopt};
         Json page = ops.history(ref, opt_string(args, "since"), opt_integer(args, "limit"));
         std::string text = count_text(page["events"].size(), "event");
         for (const auto& e : page["events"])
           text += "\n" + e["at"].get<std::string>() + " " + e["position"].get<std::string>() + " stage " +
                   std::to_string(e["stage"].get<int>()) + " " + e["caller"].get<std::string>() + " " +
                   e["outcome"].get<std::string>();
         return tool_result(text, page, false);
       }},
      {"get_status", "Get the node's status",
       "Mode (observe or execute, and the last switch), guard, stream health (age, reconnects), outcome counters "
       "per caller.",
       Json{{"type", "object"}, {"properties", Json::object()}, {"additionalProperties", false}}, true, false, true,
       [](Operations& ops, const Json&) {
         Json s = ops.status();
         const std::string text = "mode " + s["mode"].get<std::string>() + ", " +
                                  std::to_string(s["positions"].get<int>()) + " position(s), stream age " +
                                  std::to_string(s["stream"]["age_ms"].get<std::int64_t>()) + " ms";
         return tool_result(text, s, false);
       }},
  };
  return all;
}

Json initialize_result(const Json& params) {
  std::string version = kLatestProtocol;
  if (auto it = params.find("protocolVersion"); it != params.end() && it->is_string() && supported_protocol(*it))
    version = it->get<std::string>();
  return Json{{"protocolVersion", version},
              {"capabilities", Json{{"tools", Json{{"listChanged", false}}}}},
              {"serverInfo", Json{{"name", "ptp-node"}, {"title", "ptp staged partial take-profits"}, {"version", "0.1.0"}}},
              {"instructions",
               "Check which partial take-profit stages are due (check_partial_take_profit), execute one "
               "(execute_partial_take_profit); each stage executes once, whoever asks."}};
}

}  // namespace

bool supported_protocol(const std::string& version) {
  return version == "2025-11-25" || version == "2025-06-18" || version == "2025-03-26";
}

Json McpEndpoint::tool_list() {
  Json list = Json::array();
  for (const auto& t : tools())
    list.push_back(Json{{"name", t.name},
                        {"title", t.title},
                        {"description", t.description},
                        {"inputSchema", t.input_schema},
                        {"annotations", Json{{"title", t.title},
                                             {"readOnlyHint", t.read_only},
                                             {"destructiveHint", t.destructive},
                                             {"idempotentHint", t.idempotent},
                                             {"openWorldHint", false}}}});
  return Json{{"tools", list}};
}

Json McpEndpoint::call_tool(const Json& params) {
  auto name = params.find("name");
  if (name == params.end() || !name->is_string()) throw RpcError{kInvalidParams, "tools/call: params.name must be a string"};
  Json args = Json::object();
  if (auto a = params.find("arguments"); a != params.end() && !a->is_null()) {
    if (!a->is_object()) throw RpcError{kInvalidParams, "tools/call: params.arguments must be an object"};
    args = *a;
  }
  const auto& all = tools();
  auto tool = std::find_if(all.begin(), all.end(), [&](const Tool& t) { return *name == t.name; });
  if (tool == all.end()) throw RpcError{kInvalidParams, "Unknown tool: " + name->get<std::string>()};
  // Arguments the schema does not name are refused too: a misspelt "stage" must not run stage 1.
  for (const auto& [key, value] : args.items())
    if (!tool->input_schema["properties"].contains(key))
      return tool_result("unknown argument \"" + key + "\"", Json{{"error", "unknown argument \"" + key + "\""}}, true);
  try {
    return tool->call(ops_, args);
  } catch (const BadArgument& e) {
    return tool_result(e.what(), Json{{"error", e.what()}}, true);
  } catch (const NotFound& e) {
    return tool_result(e.what(), Json{{"error", e.what()}}, true);
  } catch (const NodeUnavailable& e) {
    // No answer in time is not "nothing executed": a stage may still be running, and finish.
    const std::string text = std::string(e.what()) + "; the outcome is unknown: get_history shows what the node recorded";
    return tool_result(text, Json{{"error", text}, {"outcome_unknown", true}}, true);
  }
}

HttpAnswer McpEndpoint::post(const std::string& body, const std::string& protocol_header) {
  if (!protocol_header.empty() && !supported_protocol(protocol_header))
    return {400, rpc_error(nullptr, kInvalidRequest, "unsupported MCP-Protocol-Version \"" + protocol_header +
                                                         "\"; supported: 2025-11-25, 2025-06-18, 2025-03-26")};
  const Json msg = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (msg.is_discarded()) return {400, rpc_error(nullptr, kParseError, "parse error: the body is not JSON")};
  if (!msg.is_object() || !msg.contains("jsonrpc") || msg["jsonrpc"] != "2.0")
    return {400, rpc_error(nullptr, kInvalidRequest, "invalid request: expected one JSON-RPC 2.0 object")};
  const bool has_method = msg.contains("method");
  const bool has_id = msg.contains("id");
  if (!has_method) {
    // A response to something the server asked (it asks nothing): accepted, nothing to answer.
    if (has_id && (msg.contains("result") || msg.contains("error"))) return {202, ""};
    return {400, rpc_error(nullptr, kInvalidRequest, "invalid request: no method")};
  }
  const Json& method = msg["method"];
  if (!method.is_string()) return {400, rpc_error(nullptr, kInvalidRequest, "invalid request: method must be a string")};
  if (!has_id) return {202, ""};  // a notification (notifications/initialized, cancelled, ...): no answer
  const Json& id = msg["id"];
  if (!id.is_string() && !id.is_number_integer())
    return {400, rpc_error(nullptr, kInvalidRequest, "invalid request: id must be a string or an integer")};
  Json params = Json::object();
  if (auto p = msg.find("params"); p != msg.end() && !p->is_null()) {
    if (!p->is_object()) return {200, rpc_error(id, kInvalidParams, "params must be an object")};
    params = *p;
  }
  try {
    Json result;
    const std::string m = method.get<std::string>();
    if (m == "initialize") result = initialize_result(params);
    else if (m == "ping") result = Json::object();
    else if (m == "tools/list") result = tool_list();
    else if (m == "tools/call") result = call_tool(params);
    else return {200, rpc_error(id, kMethodNotFound, "method not found: " + m)};
    return {200, dump(Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", result}})};
  } catch (const RpcError& e) {
    return {200, rpc_error(id, e.code, e.message)};
  } catch (const std::exception& e) {
    spdlog::error("[api] mcp {}: {}", method.get<std::string>(), e.what());
    return {200, rpc_error(id, kInternalError, std::string("internal error: ") + e.what())};
  }
}

}  // namespace ptp::api
