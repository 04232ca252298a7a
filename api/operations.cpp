#include "api/operations.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <vector>

namespace ptp::api {
namespace {

constexpr std::int64_t kMaxHistory = 1000;

// "2026-01-31T12:00:00Z" (seconds, UTC, an optional fraction ignored) or a Unix time in seconds.
core::Clock::time_point parse_since(const std::string& text) {
  std::int64_t secs = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), secs);
  if (ec == std::errc{} && end == text.data() + text.size() && secs >= 0) return core::Clock::time_point(std::chrono::seconds(secs));
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) throw BadArgument("since: expected a UTC time such as \"2026-01-31T12:00:00Z\" or Unix seconds, got \"" + text + "\"");
  return core::Clock::from_time_t(timegm(&tm));
}

// "sim:t:ETH_USDT:long#1", as PositionKey::str() writes it.
core::PositionKey parse_key(const std::string& text) {
  const auto bad = [&] {
    return BadArgument("position: expected a key such as \"sim:main:ETH_USDT:long#1\", got \"" + text + "\"");
  };
  std::vector<std::string> parts;
  std::size_t from = 0;
  for (;;) {
    const auto colon = text.find(':', from);
    parts.push_back(text.substr(from, colon == std::string::npos ? std::string::npos : colon - from));
    if (colon == std::string::npos) break;
    from = colon + 1;
  }
  const auto hash = parts.size() == 4 ? parts[3].find('#') : std::string::npos;
  if (hash == std::string::npos) throw bad();
  try {
    core::PositionKey k;
    k.exchange = core::parse_exchange(parts[0]);
    k.account = parts[1];
    k.symbol = core::Symbol::parse(parts[2]);
    k.side = core::parse_side(parts[3].substr(0, hash));
    const std::string gen = parts[3].substr(hash + 1);
    const auto [end, ec] = std::from_chars(gen.data(), gen.data() + gen.size(), k.generation);
    if (gen.empty() || ec != std::errc{} || end != gen.data() + gen.size()) throw bad();
    if (k.str() != text) throw bad();
    return k;
  } catch (const std::invalid_argument&) {
    throw bad();
  }
}

// The rollout guard: its limits, this hour's counts, and whether its switch to observe is in force.
Json guard_view(const core::GuardLimits& limits, const actors::MetricsSnapshot& m,
                const std::optional<core::ModeChange>& last) {
  const auto limit = [](const std::optional<std::uint32_t>& v) { return v ? Json(*v) : Json(nullptr); };
  const bool tripped = last && last->by == "guard" && last->observe;
  return Json{{"configured", limits.configured()},
              {"max_executions_per_hour", limit(limits.max_executions_per_hour)},
              {"max_failures_per_hour", limit(limits.max_failures_per_hour)},
              {"executions_last_hour", m.guard_executions},
              {"failures_last_hour", m.guard_failures},
              {"tripped", tripped},
              {"reason", tripped ? Json(last->reason) : Json(nullptr)}};
}

}  // namespace

core::Symbol Operations::managed_symbol(const std::string& text) {
  try {
    core::Symbol s = core::Symbol::parse(text);
    if (!node_.settings().manages(s)) throw NotFound("unknown symbol: " + s.canonical() + " is not one this node manages");
    return s;
  } catch (const core::SymbolError& e) {
    throw BadArgument(std::string("symbol: ") + e.what());
  }
}

core::Price Operations::mark_of(const actors::PositionStatus& s, std::map<core::Symbol, core::Price>& asked) {
  const core::Symbol& symbol = s.record.position.key.symbol;
  if (auto it = asked.find(symbol); it != asked.end()) return it->second;
  core::Price p = s.last_mark;
  try {
    p = node_.fresh_price(symbol);
  } catch (const NodeUnavailable&) {
    // Neither the stream nor the exchange gave a price: the position's last one is shown.
  }
  asked.emplace(symbol, p);
  return p;
}

Json Operations::each_position(const std::optional<std::string>& symbol, PositionView view) {
  std::optional<core::Symbol> only;
  if (symbol) only = managed_symbol(*symbol);
  Json out = Json::array();
  auto all = node_.positions();
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.record.position.key < b.record.position.key; });
  std::map<core::Symbol, core::Price> asked;
  for (const auto& s : all)
    if (!only || s.record.position.key.symbol == *only) out.push_back(view(s, node_.settings().plan, mark_of(s, asked)));
  return out;
}

Json Operations::positions(const std::optional<std::string>& symbol) { return each_position(symbol, position_view); }

Json Operations::check(const std::optional<std::string>& symbol) { return each_position(symbol, due_view); }

Execution Operations::execute(const PositionRef& ref, std::int64_t stage, core::Caller caller) {
  if (stage < 1) throw BadArgument("stage: expected a stage number from 1, got " + std::to_string(stage));
  // A number past the plan is refused here: it could only ever answer failed:unknown_stage, and
  // failures count towards the rollout guard.
  const auto stages = node_.settings().plan.stages.size();
  if (static_cast<std::uint64_t>(stage) > stages)
    throw BadArgument("stage: the plan has " + std::to_string(stages) + " stages, got " + std::to_string(stage));
  core::Symbol symbol{"BTC", "USDT"};
  std::optional<core::Side> side;
  if (ref.key) {
    const auto all = node_.positions();
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& s) { return s.record.position.key.str() == *ref.key; });
    if (it == all.end()) throw NotFound("unknown position: no open position has the key \"" + *ref.key + "\"");
    symbol = it->record.position.key.symbol;
    side = it->record.position.key.side;
  } else if (ref.symbol) {
    symbol = managed_symbol(*ref.symbol);
    if (ref.side) {
      try {
        side = core::parse_side(*ref.side);
      } catch (const std::invalid_argument& e) {
        throw BadArgument(std::string("side: ") + e.what());
      }
    } else {
      const auto all = node_.positions();
      for (const auto& s : all) {
        if (s.record.position.key.symbol != symbol) continue;
        if (side) throw BadArgument("side: " + symbol.canonical() + " has a long and a short position; name the side");
        side = s.record.position.key.side;
      }
      if (!side) side = core::Side::long_;  // the registry answers failed:no_open_position
    }
  } else {
    throw BadArgument("name the position: its key, or its symbol (and side)");
  }
  Execution out{node_.execute(symbol, *side, caller, core::StageId{static_cast<std::uint8_t>(stage)}), std::nullopt};
  if (out.reply.stage) {
    for (const auto& s : node_.positions()) {
      if (s.record.position.key != out.reply.key) continue;
      for (const auto& r : s.stages)
        if (r.stage == *out.reply.stage) out.record = r;
    }
  }
  return out;
}

Json Operations::history(const PositionRef& ref, const std::optional<std::string>& since,
                         std::optional<std::int64_t> limit) {
  actors::HistoryQuery q;
  if (since) q.since = parse_since(*since);
  if (limit && (*limit < 1 || *limit > kMaxHistory))
    throw BadArgument("limit: expected 1 to " + std::to_string(kMaxHistory) + ", got " + std::to_string(*limit));
  q.limit = static_cast<std::size_t>(limit.value_or(100));
  if (ref.symbol) q.symbol = managed_symbol(*ref.symbol);
  if (ref.key) {
    // Closed positions keep their history: an unknown key is one with no events at all.
    q.key = parse_key(*ref.key);
    const auto page = node_.history(q);
    Json events = Json::array();
    for (const auto& e : page.events) events.push_back(stage_record_view(e));
    if (events.empty()) {
      const auto open = node_.positions();
      if (std::none_of(open.begin(), open.end(), [&](const auto& s) { return s.record.position.key == *q.key; }))
        throw NotFound("unknown position: no position has the key \"" + *ref.key + "\"");
    }
    return Json{{"position", *ref.key}, {"events", events}};
  }
  const auto page = node_.history(q);
  Json events = Json::array();
  for (const auto& e : page.events) events.push_back(stage_record_view(e));
  Json modes = Json::array();
  for (const auto& m : page.modes) modes.push_back(mode_change_view(m));
  return Json{{"events", events}, {"mode_switches", modes}};
}

Json Operations::status() {
  const auto m = node_.metrics();
  const auto positions = node_.positions();
  Json outcomes = Json::object();
  for (core::Caller c : core::kAllCallers) {
    Json row = Json::object();
    for (int k = 0; k < core::kOutcomeKinds; ++k)
      row[std::string(core::to_string(static_cast<core::OutcomeKind>(k)))] = m.counts[static_cast<int>(c)][k];
    outcomes[std::string(core::to_string(c))] = row;
  }
  const auto& s = node_.settings();
  Json symbols = Json::array();
  for (const auto& sym : s.symbols) symbols.push_back(sym.canonical());
  const auto last = node_.last_switch();
  Json group = nullptr;
  if (const auto g = node_.group())
    group = Json{{"node_id", g->node_id}, {"role", g->role},         {"owner", g->owner},
                 {"owner_since_ms", g->owner_since_ms}, {"lease_left_ms", g->lease_left_ms}, {"standbys", g->standbys}};
  return Json{{"exchange", core::to_string(s.exchange)},
              {"cluster", group},
              {"account", s.account},
              {"mode", node_.observing() ? "observe" : "execute"},
              {"mode_switch", last ? mode_change_view(*last) : Json(nullptr)},
              {"guard", guard_view(s.guard, m, last)},
              {"positions", positions.size()},
              {"symbols", symbols},
              {"stream", Json{{"age_ms", m.stream_age_ms}, {"reconnects", m.stream_reconnects}, {"ticks", m.ticks}}},
              {"decisions", m.decisions},
              {"decision_latency_ns",
               Json{{"p50", m.decision_ns.percentile(0.5)}, {"p99", m.decision_ns.percentile(0.99)}, {"max", m.decision_ns.max()}}},
              {"outcomes", outcomes}};
}

Json Operations::switch_mode(const std::string& mode, const std::string& reason, const std::string& by) {
  if (mode != "observe" && mode != "execute") throw BadArgument("mode: expected \"observe\" or \"execute\", got \"" + mode + "\"");
  if (reason.empty() || reason.size() > 500) throw BadArgument("reason: expected a reason of 1 to 500 characters");
  const bool was = node_.observing();
  const auto change = node_.switch_mode(mode == "observe", by, reason);
  Json j = mode_change_view(change);
  j["previous"] = was ? "observe" : "execute";
  return j;
}

}  // namespace ptp::api
