#include "app/check_report.hpp"

#include <fmt/format.h>

#include "core/ladder.hpp"
#include "exchange/venue.hpp"

namespace ptp::app {
namespace {

using core::Ratio;

std::string stage_rule(const core::StageSpec& s, core::FractionOf of) {
  std::string out = fmt::format("  {:<8} at {}R: ", s.id.str(), s.trigger_r.str());
  out += s.close_fraction.is_zero() ? "close nothing"
                                    : fmt::format("close {} of the {} size", s.close_fraction.str(), core::to_string(of));
  if (s.move_stop_to_r) out += fmt::format(", stop -> {}R", s.move_stop_to_r->str());
  if (s.trail_r) out += fmt::format(", then trail the best price by {}R", s.trail_r->str());
  return out + "\n";
}

std::string position_ladder(const config::Config& cfg, const config::SimPosition& p) {
  const config::SimInstrument& in = *cfg.sim->instrument(p.symbol);
  core::PositionKey key{cfg.exchange, cfg.account, p.symbol, p.side, 1};
  core::Adoption a = core::adopt(key, p.entry, p.size, p.stop, cfg.default_stop_pct, in.filters);
  std::string out = fmt::format("  {} {} {} @ {}, initial stop {} ({}), 1R = {}\n", p.symbol.canonical(),
                                core::to_string(p.side), p.size.str(), p.entry.str(), a.position->initial_stop.str(),
                                p.stop ? "from the config" : "from default_stop_pct", a.position->risk().str());
  core::Ladder ladder = core::plan_ladder(*a.position, in.filters, cfg.plan);
  for (const auto& row : ladder.rows) {
    const core::StageAction& act = row.action;
    std::string close = act.skip ? fmt::format("skip close ({})", core::to_string(*act.skip))
                        : act.close_qty.is_zero() ? std::string("close nothing")
                                                  : fmt::format("close {}{}", act.close_qty.str(), act.closes_all ? " (all)" : "");
    std::string stop = act.new_stop ? fmt::format("stop -> {}{}", act.new_stop->price.str(),
                                                  act.new_stop->clamped ? " (clamped inside the mark)" : "")
                                    : fmt::format("stop stays {}", row.stop_after.str());
    out += fmt::format("    {:<8} trigger {:>14}  {:<24} remaining {:<12} {}\n", act.stage.str(), act.trigger_price.str(),
                       close, act.remaining_after.str(), stop);
  }
  if (ladder.take_profit_price) {
    const core::Qty rest = ladder.rows.empty() ? p.size : ladder.rows.back().action.remaining_after;
    if (rest.is_positive())
      out += fmt::format("    extreme take-profit at {} for the remaining {}\n", ladder.take_profit_price->str(), rest.str());
  }
  return out;
}

}  // namespace

std::string check_report(const config::Config& cfg, bool (*env_is_set)(const char* name)) {
  std::string out = fmt::format("config {}: OK\n", cfg.source);
  out += fmt::format("node:       exchange={} account={} mode={} storage_path={} log_level={}\n",
                     core::to_string(cfg.exchange), cfg.account, config::to_string(cfg.mode), cfg.storage_path,
                     cfg.log_level);
  std::string symbols;
  for (const auto& s : cfg.symbols) symbols += " " + exchange::symbol_name(cfg.exchange, s);
  out += fmt::format("symbols:   {}\n", symbols);
  out += fmt::format("schedule:   health_check_interval={} agent_interval={} dedupe_window={} metrics_interval={}\n",
                     config::format_duration(cfg.health_check_interval), config::format_duration(cfg.agent_interval),
                     config::format_duration(cfg.dedupe_window), config::format_duration(cfg.metrics_interval));
  out += cfg.default_stop_pct
             ? fmt::format("stops:      a position found without a stop gets one {}% from its entry\n",
                           cfg.default_stop_pct->str())
             : std::string("stops:      a position found without a stop is left alone (no default_stop_pct)\n");
  out += fmt::format("plan:       close fractions of the {} size; ", core::to_string(cfg.plan.fraction_of));
  out += cfg.plan.extreme_tp_r ? fmt::format("extreme take-profit at {}R", cfg.plan.extreme_tp_r->str())
                               : std::string("no extreme take-profit");
  out += fmt::format("; a trailing stop moves by at least {}R\n", cfg.plan.trail_step_r.str());
  for (const auto& s : cfg.plan.stages) out += stage_rule(s, cfg.plan.fraction_of);
  if (cfg.endpoints) {
    const auto& e = *cfg.endpoints;
    out += fmt::format("exchange:   rest_url={} ws_url={}\n", e.rest_url, e.ws_url);
    out += fmt::format("keys:       api key from ${} ({}), secret from ${} ({})\n", e.api_key_env,
                       env_is_set(e.api_key_env.c_str()) ? "set" : "NOT SET", e.api_secret_env,
                       env_is_set(e.api_secret_env.c_str()) ? "set" : "NOT SET");
  }
  out += cfg.api.enabled
             ? fmt::format("api:        http://{} (MCP /mcp, REST /v1, /metrics), bearer token from ${} ({}){}\n",
                           cfg.api.listen(), cfg.api.token_env, env_is_set(cfg.api.token_env.c_str()) ? "set" : "NOT SET",
                           cfg.api.allow_remote ? ", remote clients allowed" : "")
             : std::string("api:        off\n");
  if (const auto& c = cfg.cluster) {
    std::string etcd;
    for (const auto& u : c->etcd) etcd += (etcd.empty() ? "" : ", ") + u;
    out += fmt::format("cluster:    node {} on etcd {}, lease {} (acts until {} after each keep-alive; a standby "
                       "takes over within about the lease)\n",
                       c->node_id, etcd, config::format_duration(c->lease_ttl),
                       config::format_duration(c->lease_ttl - c->lease_ttl / 5));
  } else {
    out += "cluster:    off (a single node)\n";
  }
  if (cfg.guard.configured()) {
    const auto limit = [](const std::optional<std::uint32_t>& v) { return v ? std::to_string(*v) : std::string("-"); };
    out += fmt::format("guard:      observe past {} executions or {} failures an hour\n",
                       limit(cfg.guard.max_executions_per_hour), limit(cfg.guard.max_failures_per_hour));
  }
  if (cfg.sim) {
    const auto& sim = *cfg.sim;
    out += fmt::format("simulator:  seed={} tick_interval={} drift={}%/tick volatility={}%/tick{}\n", sim.seed,
                       config::format_duration(sim.tick_interval), sim.drift_pct.str(), sim.volatility_pct.str(),
                       sim.replay_file ? " replay_file=" + *sim.replay_file : std::string());
    for (const auto& in : sim.instruments) {
      const auto& f = in.filters;
      out += fmt::format("  {:<12} tick {} step {} min_qty {}", in.symbol.canonical(), f.tick_size.str(), f.step_size.str(),
                         f.min_qty.str());
      if (f.contract_size) out += fmt::format(" (whole contracts of {})", f.contract_size->str());
      if (f.min_notional.is_positive())
        out += fmt::format(" min_notional {}{}", f.min_notional.str(),
                           f.min_notional_on_reduce_only ? "" : " (not on reduce-only)");
      out += "\n";
    }
    out += fmt::format("positions:  {} from [[sim.position]]\n", sim.positions.size());
    for (const auto& p : sim.positions) out += position_ladder(cfg, p);
  }
  return out;
}

}  // namespace ptp::app
