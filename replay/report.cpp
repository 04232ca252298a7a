#include "replay/report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "core/time_text.hpp"

namespace ptp::replay {
namespace {

using core::Price;

double as_double(std::int64_t units) { return static_cast<double>(units) / core::kDecimalOne; }

std::string duration_text(std::int64_t ms) {
  const std::int64_t s = ms / 1000;
  if (s < 120) return fmt::format("{} s", s);
  if (s < 7200) return fmt::format("{} min", s / 60);
  if (s < 172800) return fmt::format("{:.1f} h", static_cast<double>(s) / 3600);
  return fmt::format("{:.1f} d", static_cast<double>(s) / 86400);
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

const char* plan_color(std::size_t i) {
  static const char* colors[] = {"#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  return colors[i % (sizeof colors / sizeof *colors)];
}
constexpr const char* kBaselineColor = "#7f7f7f";

std::string exit_text(const TradeResult& t) {
  if (t.open_at_end) return "open at the end (" + t.remaining.str() + " @ " + t.last_price.str() + ")";
  if (t.exits.empty()) return "-";
  const Exit& e = t.exits.back();
  return e.by + " @ " + e.price.str();
}

nlohmann::json trade_json(const TradeResult& t) {
  nlohmann::json j;
  j["plan"] = t.plan;
  j["entry_time"] = core::format_utc_ms(t.entry_ms);
  j["entry_ms"] = t.entry_ms;
  j["end_ms"] = t.end_ms;
  j["time_in_trade_ms"] = t.end_ms - t.entry_ms;
  j["entry"] = t.entry.str();
  j["initial_stop"] = t.initial_stop.str();
  j["size"] = t.size.str();
  j["take_profit"] = t.take_profit ? nlohmann::json(t.take_profit->str()) : nlohmann::json(nullptr);
  for (const auto& s : t.stages)
    j["stages"].push_back({{"stage", s.stage.value}, {"ms", s.ms}, {"time", core::format_utc_ms(s.ms)},
                           {"mark", s.mark.str()}, {"price", s.price.str()}, {"qty", s.qty.str()},
                           {"outcome", s.outcome}});
  if (t.stages.empty()) j["stages"] = nlohmann::json::array();
  for (const auto& s : t.stops)
    j["stops"].push_back({{"ms", s.ms}, {"time", core::format_utc_ms(s.ms)}, {"stop", s.stop.str()}, {"why", s.why}});
  for (const auto& e : t.exits)
    j["exits"].push_back({{"ms", e.ms}, {"time", core::format_utc_ms(e.ms)}, {"price", e.price.str()},
                          {"qty", e.qty.str()}, {"by", e.by}});
  if (t.exits.empty()) j["exits"] = nlohmann::json::array();
  j["open_at_end"] = t.open_at_end;
  j["remaining"] = t.remaining.str();
  j["last_price"] = t.last_price.str();
  j["realized_pnl"] = t.realized.str();
  j["pnl"] = t.pnl.str();
  j["r"] = t.r;
  j["mfe_price"] = t.best.str();
  j["mae_price"] = t.worst.str();
  j["mfe_r"] = t.mfe_r;
  j["mae_r"] = t.mae_r;
  j["ticks"] = t.ticks;
  j["ticks_evaluated"] = t.evaluated;
  return j;
}

// One position's chart: the price path, entry, initial stop, take-profit, each plan's stop steps,
// stage markers with their quantity and the exit; prices on the left axis, R on the right.
std::string chart_svg(const PositionRun& run, const std::vector<std::string>& plans) {
  constexpr double W = 1000, H = 380, L = 80, R = 60, T = 24, B = 44;
  const auto& trades = run.trades;
  if (run.chart.empty() || trades.empty()) return "<p>(no prices)</p>";
  const TradeResult& first = trades.front();
  const std::int64_t t0 = run.chart.front().ms;
  std::int64_t t1 = run.chart.back().ms;
  if (t1 <= t0) t1 = t0 + 1;
  double lo = as_double(run.chart.front().price.units()), hi = lo;
  auto widen = [&](Price p) {
    lo = std::min(lo, as_double(p.units()));
    hi = std::max(hi, as_double(p.units()));
  };
  for (const auto& t : run.chart) widen(t.price);
  widen(first.entry);
  widen(first.initial_stop);
  for (const auto& tr : trades) {
    if (tr.take_profit) widen(*tr.take_profit);
    for (const auto& s : tr.stops) widen(s.stop);
  }
  const double pad = (hi - lo) * 0.06 + 1e-9;
  lo -= pad;
  hi += pad;
  auto x = [&](std::int64_t ms) { return L + (W - L - R) * static_cast<double>(std::clamp(ms, t0, t1) - t0) / static_cast<double>(t1 - t0); };
  auto y = [&](Price p) { return T + (H - T - B) * (hi - as_double(p.units())) / (hi - lo); };
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n",
      W, H, W, H);
  s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#ccc\"/>\n", L, T,
                   W - L - R, H - T - B);
  // Left axis: prices.
  for (int i = 0; i <= 5; ++i) {
    const double v = lo + (hi - lo) * i / 5;
    const double yy = T + (H - T - B) * (hi - v) / (hi - lo);
    s += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#eee\"/>"
                     "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" fill=\"#555\">{:.6g}</text>\n",
                     L, W - R, yy, yy, L - 6, yy + 4, v);
  }
  // Right axis: R levels of the original risk.
  const double risk = as_double((first.entry - first.initial_stop).abs().units());
  const int dir = first.entry > first.initial_stop ? 1 : -1;
  if (risk > 0) {
    const double r_lo = (dir > 0 ? lo - as_double(first.entry.units()) : as_double(first.entry.units()) - hi) / risk;
    const double r_hi = (dir > 0 ? hi - as_double(first.entry.units()) : as_double(first.entry.units()) - lo) / risk;
    const double step = std::max(1.0, std::ceil((r_hi - r_lo) / 12));
    for (double r = std::ceil(r_lo / step) * step; r <= r_hi; r += step) {
      const double v = as_double(first.entry.units()) + dir * r * risk;
      const double yy = T + (H - T - B) * (hi - v) / (hi - lo);
      s += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#888\"/>"
                       "<text x=\"{}\" y=\"{:.1f}\" fill=\"#555\">{:+g}R</text>\n",
                       W - R, W - R + 5, yy, yy, W - R + 8, yy + 4, r);
    }
  }
  // Bottom axis: time.
  for (int i = 0; i <= 4; ++i) {
    const std::int64_t ms = t0 + (t1 - t0) * i / 4;
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"{}\" fill=\"#555\">{}</text>\n", x(ms), H - B + 16,
                     i == 0 ? "start" : i == 4 ? "end" : "middle", core::format_utc_ms(ms - ms % 1000));
  }
  // The price path.
  s += "<polyline fill=\"none\" stroke=\"#333\" stroke-width=\"1\" points=\"";
  for (const auto& t : run.chart) s += fmt::format("{:.1f},{:.1f} ", x(t.ms), y(t.price));
  s += "\"/>\n";
  auto hline = [&](Price p, const char* color, const char* dash, const std::string& label) {
    s += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-dasharray=\"{}\"/>"
                     "<text x=\"{}\" y=\"{:.1f}\" fill=\"{}\">{}</text>\n",
                     L, W - R, y(p), y(p), color, dash, L + 4, y(p) - 3, color, html_escape(label));
  };
  hline(first.entry, "#000", "4 3", "entry " + first.entry.str());
  hline(first.initial_stop, "#d62728", "6 3", "initial stop " + first.initial_stop.str());
  std::vector<Price> take_profits;  // each plan's, once
  for (const auto& tr : trades)
    if (tr.take_profit && std::find(take_profits.begin(), take_profits.end(), *tr.take_profit) == take_profits.end()) {
      take_profits.push_back(*tr.take_profit);
      hline(*tr.take_profit, "#2ca02c", "6 3", "take-profit " + tr.take_profit->str() + (trades.size() > 1 ? " (" + tr.plan + ")" : ""));
    }
  // Each plan: the stop as it stepped, its stages and its exit.
  for (std::size_t i = 0; i < trades.size(); ++i) {
    const TradeResult& tr = trades[i];
    const char* color = i == trades.size() - 1 && tr.plan == "no partial take-profit" ? kBaselineColor : plan_color(i);
    const std::int64_t end = tr.end_ms;
    s += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\" points=\"", color);
    for (std::size_t k = 0; k < tr.stops.size(); ++k) {
      const std::int64_t from = tr.stops[k].ms;
      const std::int64_t to = k + 1 < tr.stops.size() ? tr.stops[k + 1].ms : end;
      s += fmt::format("{:.1f},{:.1f} {:.1f},{:.1f} ", x(from), y(tr.stops[k].stop), x(to), y(tr.stops[k].stop));
    }
    s += "\"/>\n";
    for (const auto& st : tr.stages) {
      if (!st.qty.is_positive()) continue;
      s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"{}\" stroke=\"#fff\"/>"
                       "<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"{}\">S{} {}</text>\n",
                       x(st.ms), y(st.price), color, x(st.ms) + 6, y(st.price) - 6 - 12.0 * static_cast<double>(i), color,
                       st.stage.value, st.qty.str());
    }
    if (!tr.open_at_end && !tr.exits.empty()) {
      const Exit& e = tr.exits.back();
      const double ex = x(e.ms), ey = y(e.price);
      s += fmt::format("<path d=\"M{:.1f} {:.1f} l8 8 m0 -8 l-8 8\" stroke=\"{}\" stroke-width=\"2.5\"/>"
                       "<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"{}\">exit {}</text>\n",
                       ex - 4, ey - 4, color, ex + 7, ey + 14 + 12.0 * static_cast<double>(i), color, html_escape(e.by));
    }
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>\n",
                     L + 4 + 220.0 * static_cast<double>(i), H - 14, color, L + 18 + 220.0 * static_cast<double>(i), H - 5,
                     html_escape(i < plans.size() ? plans[i] : tr.plan));
  }
  s += "</svg>\n";
  return s;
}

}  // namespace

std::vector<Tick> decimate(std::span<const Tick> path, std::size_t points) {
  if (path.size() <= points || points < 4) return {path.begin(), path.end()};
  const std::size_t buckets = points / 4;
  std::vector<Tick> out;
  out.reserve(buckets * 4);
  for (std::size_t b = 0; b < buckets; ++b) {
    const std::size_t from = path.size() * b / buckets, to = path.size() * (b + 1) / buckets;
    if (from >= to) continue;
    std::size_t lo = from, hi = from;
    for (std::size_t i = from; i < to; ++i) {
      if (path[i].price < path[lo].price) lo = i;
      if (path[i].price > path[hi].price) hi = i;
    }
    std::size_t idx[] = {from, std::min(lo, hi), std::max(lo, hi), to - 1};
    for (std::size_t k = 0; k < 4; ++k)
      if (k == 0 || idx[k] != idx[k - 1]) out.push_back(path[idx[k]]);
  }
  return out;
}

std::vector<PlanSummary> summarize(const Report& report) {
  std::vector<PlanSummary> out;
  for (std::size_t p = 0; p < report.plans.size(); ++p) {
    PlanSummary s;
    s.plan = report.plans[p];
    std::size_t wins = 0;
    bool any = false;
    for (const auto& run : report.positions) {
      if (p >= run.trades.size()) continue;
      const TradeResult& t = run.trades[p];
      ++s.trades;
      s.total_r += t.r;
      s.pnl += t.pnl;
      if (t.r > 0) ++wins;
      s.worst_r = any ? std::min(s.worst_r, t.r) : t.r;
      any = true;
    }
    if (s.trades) {
      s.average_r = s.total_r / static_cast<double>(s.trades);
      s.win_rate = static_cast<double>(wins) / static_cast<double>(s.trades);
    }
    out.push_back(s);
  }
  if (!out.empty())
    for (auto& s : out) s.vs_baseline_r = s.total_r - out.back().total_r;  // the baseline is last
  return out;
}

std::string report_json(const Report& report) {
  nlohmann::json j;
  j["plans"] = report.plans;
  j["bar_path"] = report.bar_path;
  j["price_files"] = report.price_files;
  j["ticks"] = report.ticks;
  j["seconds"] = report.seconds;
  j["summary"] = nlohmann::json::array();
  for (const auto& s : summarize(report))
    j["summary"].push_back({{"plan", s.plan}, {"trades", s.trades}, {"total_r", s.total_r}, {"average_r", s.average_r},
                            {"win_rate", s.win_rate}, {"worst_r", s.worst_r}, {"vs_no_partial_r", s.vs_baseline_r},
                            {"pnl", s.pnl.str()}});
  j["positions"] = nlohmann::json::array();
  for (const auto& run : report.positions) {
    nlohmann::json p;
    p["symbol"] = run.spec.symbol.canonical();
    p["side"] = std::string(core::to_string(run.spec.side));
    p["entry"] = run.spec.entry.str();
    p["size"] = run.spec.size.str();
    p["origin"] = run.spec.origin;
    p["trades"] = nlohmann::json::array();
    for (const auto& t : run.trades) p["trades"].push_back(trade_json(t));
    j["positions"].push_back(p);
  }
  return j.dump(2) + "\n";
}

std::string report_html(const Report& report) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ptp-replay report</title>\n"
      "<style>body{font-family:sans-serif;margin:20px;color:#222;background:#fff}table{border-collapse:collapse;"
      "margin:8px 0 24px}td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px;text-align:right}"
      "th{background:#f3f3f3}td.l,th.l{text-align:left}h2{margin-top:32px}.neg{color:#c00}.pos{color:#070}"
      "</style></head><body>\n<h1>ptp-replay: which plan would have done what</h1>\n";
  h += fmt::format("<p>{} position(s), {} plan(s), {} prices from {}. Bars walked the <b>{}</b> way for each position "
                   "(long: open, low, high, close; short: open, high, low, close{}). Replayed in {:.2f} s.</p>\n",
                   report.positions.size(), report.plans.size(), report.ticks,
                   html_escape(fmt::format("{}", fmt::join(report.price_files, ", "))), report.bar_path,
                   report.bar_path == "worst" ? "" : "; reversed with --bar-path best", report.seconds);
  auto r_cell = [](double r) {
    return fmt::format("<td class=\"{}\">{:+.2f}</td>", r < 0 ? "neg" : r > 0 ? "pos" : "", r);
  };
  h += "<h2>Summary per plan</h2>\n<table><tr><th class=\"l\">plan</th><th>trades</th><th>total R</th><th>average R</th>"
       "<th>win rate</th><th>worst trade (R)</th><th>vs no partial take-profit (R)</th><th>PnL (quote)</th></tr>\n";
  for (const auto& s : summarize(report))
    h += fmt::format("<tr><td class=\"l\">{}</td><td>{}</td>{}{}<td>{:.0f} %</td>{}{}<td>{}</td></tr>\n",
                     html_escape(s.plan), s.trades, r_cell(s.total_r), r_cell(s.average_r), s.win_rate * 100,
                     r_cell(s.worst_r), r_cell(s.vs_baseline_r), s.pnl.str());
  h += "</table>\n";
  for (const auto& run : report.positions) {
    h += fmt::format("<h2>{} {} {} @ {} (stop {})</h2>\n<p class=\"l\">from {}</p>\n", run.spec.symbol.canonical(),
                     core::to_string(run.spec.side), run.spec.size.str(), run.spec.entry.str(),
                     run.trades.empty() ? "-" : run.trades.front().initial_stop.str(), html_escape(run.spec.origin));
    h += chart_svg(run, report.plans);
    h += "<table><tr><th class=\"l\">plan</th><th class=\"l\">stages (time, fill, quantity)</th><th class=\"l\">exit</th>"
         "<th>PnL (quote)</th><th>R</th><th>MFE (R)</th><th>MAE (R)</th><th>time in trade</th></tr>\n";
    for (const auto& t : run.trades) {
      std::string stages;
      for (const auto& s : t.stages)
        stages += s.qty.is_positive()
                      ? fmt::format("{}S{} {} @ {} &times; {}", stages.empty() ? "" : "<br>", s.stage.value,
                                    core::format_utc_ms(s.ms), s.price.str(), s.qty.str())
                      : fmt::format("{}S{} {} at {}: nothing closed ({})", stages.empty() ? "" : "<br>", s.stage.value,
                                    core::format_utc_ms(s.ms), s.mark.str(), html_escape(s.outcome));
      h += fmt::format("<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td>{}"
                       "<td>{:+.2f}</td><td>{:+.2f}</td><td>{}</td></tr>\n",
                       html_escape(t.plan), stages.empty() ? "-" : stages, html_escape(exit_text(t)), t.pnl.str(),
                       r_cell(t.r), t.mfe_r, t.mae_r, duration_text(t.end_ms - t.entry_ms));
    }
    h += "</table>\n";
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace ptp::replay
