// What the API can ask of the node, shared by its faces (MCP tools, REST routes): each operation
// goes through the NodeGateway and returns the JSON views (api/views.hpp). Argument and lookup
// problems are exceptions the faces turn into their own error shapes.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "api/node_gateway.hpp"
#include "api/views.hpp"

namespace ptp::api {

// The request named something wrongly: a type, a range, a format (MCP: a tool error; REST: 400).
class BadArgument : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};
// The request named a position or symbol the node does not have (MCP: a tool error; REST: 404).
class NotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A position as a caller names it: its key ("sim:t:ETH_USDT:long#1"), or its symbol and side (the
// side may be left out when the symbol has one open position).
struct PositionRef {
  std::optional<std::string> key;
  std::optional<std::string> symbol;
  std::optional<std::string> side;
};

struct Execution {
  actors::ExecuteReply reply;
  std::optional<core::StageRecord> record;  // the stage's record after the request, when there is one
};

class Operations {
 public:
  explicit Operations(NodeGateway& node) : node_(node) {}

  Json positions(const std::optional<std::string>& symbol = std::nullopt);
  Json check(const std::optional<std::string>& symbol = std::nullopt);  // the due stages, per position
  // `stage` is 1-based; a number the plan does not have gets the core's answer (failed:unknown_stage).
  Execution execute(const PositionRef& ref, std::int64_t stage, core::Caller caller);
  Json history(const PositionRef& ref, const std::optional<std::string>& since, std::optional<std::int64_t> limit);
  Json status();
  Json switch_mode(const std::string& mode, const std::string& reason, const std::string& by);

  NodeGateway& node() { return node_; }

 private:
  // Each symbol's price asked once per request; the position's last mark when none can be had.
  core::Price mark_of(const actors::PositionStatus& s, std::map<core::Symbol, core::Price>& asked);
  core::Symbol managed_symbol(const std::string& text);
  // One view per managed position (of `symbol` only, when named), in key order, each priced once.
  using PositionView = Json (*)(const actors::PositionStatus&, const core::StagePlan&, core::Price);
  Json each_position(const std::optional<std::string>& symbol, PositionView view);

  NodeGateway& node_;
};

}  // namespace ptp::api
