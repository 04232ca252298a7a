#include "replay/run.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

namespace ptp::replay {
namespace fs = std::filesystem;

Report run_replay(const RunOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  const config::Config cfg = config::load_config_file(o.config_path);
  if (!cfg.sim)
    throw InputError(o.config_path + ": the replay takes each symbol's filters from [[sim.instrument]] tables; this "
                                     "config has no [sim] (node.exchange is not \"sim\")");
  PriceSet prices;
  for (const auto& f : o.price_files) load_prices(f, o.symbol, prices);
  if (o.price_files.empty()) throw InputError("no --prices file given");
  for (const auto& [sym, s] : prices)
    if (!cfg.sim->instrument(sym))
      throw InputError(s.first_source + ": unknown symbol " + sym.canonical() + ": " + o.config_path +
                       " has no [[sim.instrument]] for it");

  std::vector<PositionSpec> positions =
      o.positions_file ? load_positions_csv(*o.positions_file) : positions_from_config(cfg);
  if (positions.empty())
    throw InputError(o.config_path + ": no positions: declare [[sim.position]] tables or give --positions FILE");
  for (const auto& p : positions) {
    if (!cfg.sim->instrument(p.symbol))
      throw InputError(p.origin + ": unknown symbol " + p.symbol.canonical() + ": " + o.config_path +
                       " has no [[sim.instrument]] for it");
    if (!prices.count(p.symbol)) throw InputError(p.origin + ": no prices for " + p.symbol.canonical() + " in the --prices files");
  }

  std::vector<PlanSpec> plans{{"config (" + fs::path(o.config_path).filename().string() + ")", cfg.plan, false}};
  for (const auto& f : o.plan_files) plans.push_back({fs::path(f).stem().string(), config::load_plan_file(f), false});
  plans.push_back(no_partial_take_profit(cfg.plan));

  Report report;
  for (const auto& p : plans) report.plans.push_back(p.name);
  report.bar_path = o.bar_path == BarPath::worst ? "worst" : "best";
  report.price_files = o.price_files;
  for (const auto& [sym, s] : prices) report.ticks += s.size();

  ReplaySettings settings;
  settings.dedupe_window = cfg.dedupe_window;
  settings.default_stop_pct = cfg.default_stop_pct;
  settings.account = cfg.account;
  std::map<std::pair<core::Symbol, core::Side>, std::vector<Tick>> paths;
  const std::size_t total = positions.size() * plans.size();
  std::size_t done = 0;
  for (const auto& p : positions) {
    auto key = std::make_pair(p.symbol, p.side);
    auto it = paths.find(key);
    if (it == paths.end()) it = paths.emplace(key, prices.at(p.symbol).path(p.side, o.bar_path)).first;
    const std::vector<Tick>& path = it->second;
    const auto& filters = cfg.sim->instrument(p.symbol)->filters;
    PositionRun run{p, {}, {}};
    for (const auto& plan : plans) {
      run.trades.push_back(replay_trade(p, filters, plan, path, settings));
      if (o.progress) o.progress(++done, total);
    }
    // The chart: from the entry to the last exit among the plans, and a tenth more after it.
    std::int64_t from = run.trades.front().entry_ms, to = from;
    for (const auto& t : run.trades) to = std::max(to, t.end_ms);
    to += (to - from) / 10;
    auto a = std::lower_bound(path.begin(), path.end(), from, [](const Tick& t, std::int64_t ms) { return t.ms < ms; });
    auto b = std::upper_bound(path.begin(), path.end(), to, [](std::int64_t ms, const Tick& t) { return ms < t.ms; });
    run.chart = decimate(std::span<const Tick>(a, b), o.chart_points);
    report.positions.push_back(std::move(run));
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

namespace {
fs::path out_path(const std::string& out_dir) {
  fs::path out = fs::absolute(out_dir).lexically_normal();
  if (out.filename().empty()) out = out.parent_path();
  return out;
}
}  // namespace

void check_out_dir(const std::string& out_dir) {
  const fs::path out = out_path(out_dir);
  std::error_code ec;
  const auto status = fs::symlink_status(out, ec);
  if (ec || status.type() == fs::file_type::not_found) return;
  if (status.type() != fs::file_type::directory)
    throw InputError("--out " + out_dir + ": exists and is not a directory; ptp-replay writes a report directory");
  for (const auto& entry : fs::directory_iterator(out)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && (name == "report.json" || name == "report.html" || name == "report.png")) continue;
    throw InputError("--out " + out_dir + ": holds " + name +
                     ", which is not a report's; ptp-replay replaces only a directory that holds nothing but its "
                     "report (choose a new or empty directory)");
  }
}

void write_report(const Report& report, const std::string& out_dir) {
  check_out_dir(out_dir);
  const fs::path out = out_path(out_dir);
  const fs::path parent = out.parent_path();
  fs::create_directories(parent);
  std::string tmpl = (parent / ("." + out.filename().string() + ".tmp-XXXXXX")).string();
  if (!mkdtemp(tmpl.data())) throw InputError(parent.string() + ": cannot create a directory for the report");
  const fs::path tmp = tmpl;
  try {
    auto write = [&](const char* name, const std::string& text) {
      std::ofstream f(tmp / name, std::ios::binary);
      f << text;
      f.close();
      if (!f) throw InputError((tmp / name).string() + ": cannot write");
    };
    write("report.json", report_json(report));
    write("report.html", report_html(report));
    fs::permissions(tmp, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec);
    if (fs::exists(out)) {
      // Replaced as a whole: the old report moves aside, the new one takes its name, the old one goes.
      const fs::path old = parent / ("." + out.filename().string() + ".old");
      fs::remove_all(old);
      fs::rename(out, old);
      fs::rename(tmp, out);
      fs::remove_all(old);
    } else {
      fs::rename(tmp, out);
    }
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
}

}  // namespace ptp::replay
