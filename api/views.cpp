#include "api/views.hpp"

#include <fmt/format.h>

#include <ctime>

#include "core/decision.hpp"

namespace ptp::api {
namespace {

core::ExecutedStages executed(const actors::PositionStatus& s) {
  core::ExecutedStages done;
  for (const auto& r : s.stages)
    if (r.state == core::StageState::done) done.insert(r.stage);
  return done;
}

std::optional<core::StageId> in_flight(const actors::PositionStatus& s) {
  for (const auto& r : s.stages)
    if (r.state == core::StageState::pending) return r.stage;
  return std::nullopt;
}

Json price_or_null(const std::optional<core::Price>& p) { return p ? Json(p->str()) : Json(nullptr); }

}  // namespace

std::string iso_time(core::Clock::time_point t) {
  if (t.time_since_epoch().count() == 0) return "";
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", buf, ms % 1000);
}

Json stage_record_view(const core::StageRecord& r) {
  Json j{{"position", r.key.str()},
         {"stage", r.stage.value},
         {"caller", core::to_string(r.caller)},
         {"at", iso_time(r.at)},
         {"state", core::to_string(r.state)},
         // A pending record is the intent written before any order went out.
         {"outcome", r.state == core::StageState::pending ? "intent" : r.outcome.str()},
         {"mark", r.mark.str()},
         {"planned_qty", r.planned_qty.str()},
         {"closed_qty", r.closed_qty.str()},
         {"fill_price", r.fill_price.str()},
         {"new_stop", price_or_null(r.new_stop)},
         {"attempt", r.attempt}};
  Json orders = Json::object();
  if (!r.close_client_id.empty()) orders["close"] = r.close_client_id;
  if (!r.stop_client_id.empty()) orders["stop"] = r.stop_client_id;
  if (!r.tp_client_id.empty()) orders["take_profit"] = r.tp_client_id;
  j["orders"] = orders;
  return j;
}

Json mode_change_view(const core::ModeChange& m) {
  return Json{{"mode", m.mode()}, {"by", m.by}, {"reason", m.reason}, {"at", iso_time(m.at)}};
}

Json position_view(const actors::PositionStatus& s, const core::StagePlan& plan, core::Price mark) {
  const core::Position& p = s.record.position;
  const core::ExecutedStages done = executed(s);
  Json stages = Json::array();
  for (const auto& r : s.stages)
    if (r.state == core::StageState::done)
      stages.push_back(Json{{"stage", r.stage.value}, {"caller", core::to_string(r.caller)}, {"at", iso_time(r.at)},
                            {"outcome", r.outcome.str()}, {"closed_qty", r.closed_qty.str()}});
  Json next = nullptr;
  for (const auto& spec : plan.stages)
    if (!done.contains(spec.id)) {
      next = Json{{"stage", spec.id.value}, {"trigger_r", spec.trigger_r.str()},
                  {"trigger_price", core::trigger_price(p, spec.trigger_r).str()}};
      break;
    }
  const auto tp = core::extreme_take_profit(p, plan, s.filters);
  return Json{{"key", p.key.str()},
              {"symbol", p.key.symbol.canonical()},
              {"side", core::to_string(p.side())},
              {"size", p.remaining_size.str()},
              {"original_size", p.original_size.str()},
              {"entry", p.entry.str()},
              {"initial_stop", p.initial_stop.str()},
              {"current_stop", p.current_stop.str()},
              {"current_stop_label", core::stop_label(p, p.current_stop)},
              {"mark", mark.str()},
              {"r", core::r_multiple(p, mark).str(2)},
              {"stages_done", stages},
              {"in_progress", in_flight(s) ? Json(in_flight(s)->value) : Json(nullptr)},
              {"next_stage", next},
              {"take_profit", price_or_null(tp)},
              {"take_profit_order", s.record.tp_order.str()},
              {"adopted_at", iso_time(s.record.adopted_at)}};
}

Json due_view(const actors::PositionStatus& s, const core::StagePlan& plan, core::Price mark) {
  const core::Position& p = s.record.position;
  const core::Decision d = core::decide(p, executed(s), mark, s.filters, plan);
  Json due = Json::array();
  for (const auto& a : d.stages) {
    Json j{{"stage", a.stage.value},
           {"trigger_r", a.trigger_r.str()},
           {"trigger_price", a.trigger_price.str()},
           {"close_qty", a.close_qty.str()},
           {"closes_all", a.closes_all},
           {"new_stop", a.new_stop ? Json(a.new_stop->price.str()) : Json(nullptr)},
           {"new_stop_label", a.new_stop ? Json(core::stop_label(p, a.new_stop->price)) : Json(nullptr)},
           {"remaining_after", a.remaining_after.str()},
           {"take_profit_after", price_or_null(a.take_profit_price)}};
    if (a.skip) j["skipped"] = core::to_string(*a.skip);
    due.push_back(j);
  }
  const auto flight = in_flight(s);
  return Json{{"key", p.key.str()},
              {"symbol", p.key.symbol.canonical()},
              {"side", core::to_string(p.side())},
              {"mark", mark.str()},
              {"r", d.r.str(2)},
              {"due", due},
              {"in_progress", flight ? Json(flight->value) : Json(nullptr)},
              {"trailing_stop_due", d.trail_stop ? Json(d.trail_stop->price.str()) : Json(nullptr)}};
}

Json execute_view(const actors::ExecuteReply& reply, const std::optional<core::StageRecord>& record) {
  Json j{{"position", reply.key.str()},
         {"caller", core::to_string(reply.caller)},
         {"stage", reply.stage ? Json(reply.stage->value) : Json(nullptr)},
         {"outcome", reply.outcome.str()},
         {"kind", core::to_string(reply.outcome.kind)},
         {"r", reply.r.str(2)}};
  if (reply.outcome.reason != core::Reason::none) j["reason"] = core::to_string(reply.outcome.reason);
  if (record) j["record"] = stage_record_view(*record);
  return j;
}

std::string execute_text(const actors::ExecuteReply& reply, const std::optional<core::StageRecord>& record) {
  std::string text = fmt::format("{} {}: {}", reply.key.str(), reply.stage ? reply.stage->str() : "no stage",
                                 reply.outcome.str());
  if (record && record->state == core::StageState::done && reply.outcome.kind == core::OutcomeKind::success)
    text += fmt::format(" (closed {} @ {}{}; by {} at {})", record->closed_qty.str(), record->fill_price.str(),
                        record->new_stop ? ", stop -> " + record->new_stop->str() : "",
                        core::to_string(record->caller), iso_time(record->at));
  else if (record && record->state == core::StageState::done)
    text += fmt::format(" (recorded by {} at {})", core::to_string(record->caller), iso_time(record->at));
  return text;
}

}  // namespace ptp::api
