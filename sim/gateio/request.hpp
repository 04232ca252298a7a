// How the simulator's Gate.io face reads a request and refuses one, shared by its files (face.cpp:
// routes and authentication, orders.cpp: the order routes): Gate's error (an HTTP status and a
// label), the query string, the JSON body's fields, and the checks Gate makes on texts, numbers
// and pages. Internal to sim/gateio/.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/query_params.hpp"

namespace ptp::exchange::loopback::gateio_request {

using Params = QueryParams;

// A Gate error answer: HTTP status, {"label":..,"message":..}. Thrown by the handlers, answered
// (and journaled, for an order request) by GateioFace::handle.
struct ApiError {
  int status;
  std::string label;
  std::string message;
};

// The HTTP status Gate answers a label with.
int status_of(std::string_view label);
// 400 INVALID_PARAM_VALUE, Gate's answer to a parameter it cannot take.
ApiError invalid(const std::string& message);

// text: "1. Prefixed with `t-` 2. No longer than 28 bytes without `t-` prefix 3. Can only include
// 0-9, A-Z, a-z, underscore(_), hyphen(-) or dot(.)"
bool is_text(std::string_view text);
// Digits only, at most 18 of them (an int64 without overflow): Gate's numeric ids.
bool is_number(std::string_view s);

// ---- the query string ----

// The parameter's value, "" when absent.
std::string param(const Params& p, const std::string& key);
// limit (1..1000, default 100) and offset (default 0) of a list request.
std::pair<std::size_t, std::size_t> page_of(const Params& p);
// status=open|finished, required by both list endpoints: true for open.
bool wants_open(const Params& p);

// The page `limit_offset` (page_of) of `all`.
template <class T>
std::vector<T> page(const std::vector<T>& all, std::pair<std::size_t, std::size_t> limit_offset) {
  const auto [limit, offset] = limit_offset;
  if (offset >= all.size()) return {};
  const auto first = all.begin() + static_cast<std::ptrdiff_t>(offset);
  return {first, first + static_cast<std::ptrdiff_t>(std::min(limit, all.size() - offset))};
}

// ---- the JSON body (each refuses a wrong type or a missing required field with INVALID_PARAM_VALUE) ----

simdjson::dom::object body_object(simdjson::dom::parser& parser, const std::string& body);
std::optional<std::string> opt_string(simdjson::dom::object o, std::string_view key);
std::string need_string(simdjson::dom::object o, std::string_view key);
std::optional<std::int64_t> opt_int(simdjson::dom::object o, std::string_view key);
std::int64_t need_int(simdjson::dom::object o, std::string_view key);
bool opt_bool(simdjson::dom::object o, std::string_view key);  // false when absent
simdjson::dom::object need_object(simdjson::dom::object o, std::string_view key);

// "Price of 0 with `tif` set to `ioc` represents a market order": the only orders simulated. The
// price may come as "0" or 0; `tif` may be left out where `tif_required` is false.
void check_market(simdjson::dom::object o, bool tif_required);

}  // namespace ptp::exchange::loopback::gateio_request
