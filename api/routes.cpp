#include "api/routes.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <functional>

#include "api/operations.hpp"

namespace ptp::api {
namespace {

void reply(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(dump(body), "application/json");
}

// Runs one route: the operations' exceptions become their HTTP answers.
void answer(httplib::Response& res, const std::function<Json()>& route) {
  try {
    reply(res, 200, route());
  } catch (const BadArgument& e) {
    reply(res, 400, Json{{"error", e.what()}});
  } catch (const NotFound& e) {
    reply(res, 404, Json{{"error", e.what()}});
  } catch (const NodeUnavailable& e) {
    reply(res, 503, Json{{"error", e.what()}});
  }
}

std::optional<std::string> param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  return req.get_param_value(name);
}

std::optional<std::int64_t> int_param(const httplib::Request& req, const char* name) {
  auto text = param(req, name);
  if (!text) return std::nullopt;
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (text->empty() || ec != std::errc{} || end != text->data() + text->size())
    throw BadArgument(std::string(name) + ": expected an integer, got \"" + *text + "\"");
  return v;
}

// The key as the path carries it: "#" must come percent-encoded ("%23").
std::string path_key(const httplib::Request& req) { return httplib::detail::decode_url(req.matches[1].str(), false); }

}  // namespace

void install_operator_routes(httplib::Server& http, Operations& ops) {
  http.Get("/v1/status", [&ops](const httplib::Request&, httplib::Response& res) { answer(res, [&] { return ops.status(); }); });
  http.Get("/v1/positions", [&ops](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] { return Json{{"positions", ops.positions(param(req, "symbol"))}}; });
  });
  http.Get("/v1/check", [&ops](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] { return Json{{"positions", ops.check(param(req, "symbol"))}}; });
  });
  http.Get("/v1/history", [&ops](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] {
      return ops.history(PositionRef{std::nullopt, param(req, "symbol"), std::nullopt}, param(req, "since"),
                         int_param(req, "limit"));
    });
  });
  http.Get(R"(/v1/positions/([^/]+)/history)", [&ops](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] {
      return ops.history(PositionRef{path_key(req), std::nullopt, std::nullopt}, param(req, "since"),
                         int_param(req, "limit"));
    });
  });
  http.Post(R"(/v1/positions/([^/]+)/stages/(\d{1,6})/execute)", [&ops](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] {
      const std::string key = path_key(req);
      const std::int64_t stage = std::stoll(req.matches[2].str());
      const Execution e = ops.execute(PositionRef{key, std::nullopt, std::nullopt}, stage, core::Caller::operator_);
      spdlog::info("[operator] {}", execute_text(e.reply, e.record));
      return execute_view(e.reply, e.record);
    });
  });
  http.Put("/v1/mode", [&ops](const httplib::Request& req, httplib::Response& res) {
    const Json body = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object()) {
      reply(res, 400, Json{{"error", "malformed JSON: expected {\"mode\": \"observe\"|\"execute\", \"reason\": \"...\"}"}});
      return;
    }
    answer(res, [&] {
      const auto mode = body.find("mode");
      const auto reason = body.find("reason");
      if (mode == body.end() || !mode->is_string()) throw BadArgument("mode: expected \"observe\" or \"execute\"");
      if (reason == body.end() || !reason->is_string()) throw BadArgument("reason: expected a string saying why");
      return ops.switch_mode(mode->get<std::string>(), reason->get<std::string>(), "operator");
    });
  });
}

}  // namespace ptp::api
