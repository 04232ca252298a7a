#include "sim/gateio/request.hpp"

#include <fmt/format.h>

#include <cctype>

#include "core/decimal.hpp"
#include "sim/query_params.hpp"

namespace ptp::exchange::loopback::gateio_request {
namespace {

constexpr std::size_t kMaxTextBytes = 28;  // after the "t-" prefix
constexpr std::int64_t kMaxListLimit = 1000;


std::optional<simdjson::dom::element> field(simdjson::dom::object o, std::string_view key) {
  simdjson::dom::element e;
  if (o.at_key(key).get(e)) return std::nullopt;
  return e;
}

}  // namespace

int status_of(std::string_view label) {
  if (label == "ORDER_NOT_FOUND" || label == "CONTRACT_NOT_FOUND" || label == "NOT_FOUND") return 404;
  if (label == "INVALID_KEY" || label == "INVALID_SIGNATURE" || label == "REQUEST_EXPIRED") return 401;
  if (label == "FORBIDDEN") return 403;
  if (label == "TOO_MANY_REQUESTS") return 429;
  if (label == "SERVER_ERROR") return 500;
  if (label == "TOO_BUSY") return 503;
  return 400;
}

ApiError invalid(const std::string& message) { return {400, "INVALID_PARAM_VALUE", message}; }

bool is_text(std::string_view text) {
  if (text.size() < 3 || text.size() > 2 + kMaxTextBytes || text.substr(0, 2) != "t-") return false;
  return std::all_of(text.begin() + 2, text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

bool is_number(std::string_view s) {
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// ---- the query string ----


std::string param(const Params& p, const std::string& key) {
  auto it = p.find(key);
  return it == p.end() ? std::string() : it->second;
}

std::pair<std::size_t, std::size_t> page_of(const Params& p) {
  const std::string limit = param(p, "limit"), offset = param(p, "offset");
  if (!limit.empty() && (!is_number(limit) || std::stoll(limit) < 1 || std::stoll(limit) > kMaxListLimit))
    throw invalid("Invalid parameter `limit` with value: " + limit);
  if (!offset.empty() && !is_number(offset)) throw invalid("Invalid parameter `offset` with value: " + offset);
  return {limit.empty() ? 100 : static_cast<std::size_t>(std::stoll(limit)),
          offset.empty() ? 0 : static_cast<std::size_t>(std::stoll(offset))};
}

bool wants_open(const Params& p) {
  const std::string status = param(p, "status");
  if (status != "open" && status != "finished") throw invalid("Invalid parameter `status` with value: " + status);
  return status == "open";
}

// ---- the JSON body ----

simdjson::dom::object body_object(simdjson::dom::parser& parser, const std::string& body) {
  simdjson::dom::object o;
  if (parser.parse(body).get(o)) throw invalid("Request body is not a JSON object");
  return o;
}

std::optional<std::string> opt_string(simdjson::dom::object o, std::string_view key) {
  auto e = field(o, key);
  if (!e) return std::nullopt;
  std::string_view s;
  if (e->get(s)) throw invalid(fmt::format("Invalid parameter `{}`: expected a string", key));
  return std::string(s);
}

std::string need_string(simdjson::dom::object o, std::string_view key) {
  auto s = opt_string(o, key);
  if (!s) throw invalid(fmt::format("Missing required parameter `{}`", key));
  return *s;
}

std::optional<std::int64_t> opt_int(simdjson::dom::object o, std::string_view key) {
  auto e = field(o, key);
  if (!e) return std::nullopt;
  std::int64_t v = 0;
  if (e->get(v)) throw invalid(fmt::format("Invalid parameter `{}`: expected an integer", key));
  return v;
}

std::int64_t need_int(simdjson::dom::object o, std::string_view key) {
  auto v = opt_int(o, key);
  if (!v) throw invalid(fmt::format("Missing required parameter `{}`", key));
  return *v;
}

bool opt_bool(simdjson::dom::object o, std::string_view key) {
  auto e = field(o, key);
  if (!e) return false;
  bool v = false;
  if (e->get(v)) throw invalid(fmt::format("Invalid parameter `{}`: expected true or false", key));
  return v;
}

simdjson::dom::object need_object(simdjson::dom::object o, std::string_view key) {
  auto e = field(o, key);
  simdjson::dom::object out;
  if (!e || e->get(out)) throw invalid(fmt::format("Missing required parameter `{}`", key));
  return out;
}

void check_market(simdjson::dom::object o, bool tif_required) {
  auto price = field(o, "price");
  if (!price) throw invalid("Missing required parameter `price`");
  std::string_view text;
  std::int64_t number = 1;
  const bool zero =
      !price->get(text) ? core::Price::try_parse(text) == core::Price{} : !price->get(number) && number == 0;
  if (!zero) throw invalid("Invalid parameter `price`: only market orders (price 0, tif ioc) are simulated");
  const auto tif = opt_string(o, "tif");
  if ((tif_required || tif) && tif.value_or("gtc") != "ioc")
    throw invalid("Invalid parameter `tif` with value: " + tif.value_or("gtc") + " (a market order must be ioc)");
}

}  // namespace ptp::exchange::loopback::gateio_request
