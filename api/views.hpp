// The node's state as JSON, one shape for every face of the API (MCP structuredContent, REST
// bodies, ptp-ctl's --json): positions, their due stages at a price, stage records, outcomes.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "actors/messages.hpp"
#include "core/stage_plan.hpp"

namespace ptp::api {

using Json = nlohmann::json;

// Serializes a body; text that is not UTF-8 (an exchange's message) is replaced, never thrown on.
inline std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string iso_time(core::Clock::time_point t);  // "2026-01-31T12:00:00.123Z"; "" for the epoch

// Everything the node keeps of one position, priced at `mark`: sizes, stops, R, stages done (with
// their callers and times), the next stage and its trigger price, the take-profit.
Json position_view(const actors::PositionStatus& s, const core::StagePlan& plan, core::Price mark);

// The stages due at `mark` as the core decides them (core::decide): the exact close quantity, the
// new stop and what remains, per stage; a stage already in flight is named as such.
Json due_view(const actors::PositionStatus& s, const core::StagePlan& plan, core::Price mark);

Json stage_record_view(const core::StageRecord& r);
Json mode_change_view(const core::ModeChange& m);
// The answer every caller gets, with the record the stage left (its orders), when there is one.
Json execute_view(const actors::ExecuteReply& reply, const std::optional<core::StageRecord>& record);
// One line a person reads: "sim:t:ETH_USDT:long#1 stage 1: success (closed 0.5 @ 2050, stop -> 2000)".
std::string execute_text(const actors::ExecuteReply& reply, const std::optional<core::StageRecord>& record);

}  // namespace ptp::api
