#include "app/cli.hpp"

#include <set>

namespace ptp::app {

const char* usage_text() {
  return "usage: ptp-node --config FILE [--check] [--mode observe|execute] [--data-dir DIR]\n"
         "                [--log-level trace|debug|info|warn|error|critical|off] [--run-for DURATION]\n"
         "                [--record FILE]\n"
         "\n"
         "  --config FILE    the TOML config (see configs/)\n"
         "  --check          validate FILE, print the resolved settings and every configured position's\n"
         "                   stage ladder, then exit: 0 when valid, 2 on any error\n"
         "  --mode           observe (log what would be done, send nothing) or execute (trade)\n"
         "  --data-dir DIR   where the LMDB history lives (overrides node.storage_path)\n"
         "  --run-for D      stop by itself after D (\"90s\", \"5m\")\n"
         "  --record FILE    append every received tick to FILE (ts_ms,symbol,price), for ptp-replay\n";
}

CliOptions parse_cli(const std::vector<std::string>& args) {
  CliOptions out;
  auto value = [&](std::size_t& i) -> const std::string& {
    if (i + 1 >= args.size()) throw UsageError(args[i] + " needs a value");
    return args[++i];
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--config") out.config_path = value(i);
    else if (a == "--check") out.check = true;
    else if (a == "--help" || a == "-h") out.help = true;
    else if (a == "--mode") {
      try {
        out.mode = config::parse_mode(value(i));
      } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--mode: ") + e.what());
      }
    } else if (a == "--data-dir") {
      out.data_dir = value(i);
      if (out.data_dir->empty()) throw UsageError("--data-dir must not be empty");
    } else if (a == "--log-level") {
      static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "critical", "off"};
      out.log_level = value(i);
      if (!levels.count(*out.log_level)) throw UsageError("--log-level: unknown level \"" + *out.log_level + "\"");
    } else if (a == "--record") {
      out.record = value(i);
      if (out.record->empty()) throw UsageError("--record must not be empty");
    } else if (a == "--run-for") {
      try {
        out.run_for = config::parse_duration(value(i));
      } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--run-for: ") + e.what());
      }
    } else {
      throw UsageError("unknown argument \"" + a + "\"");
    }
  }
  if (!out.help && out.config_path.empty()) throw UsageError("--config FILE is required");
  return out;
}

void apply_overrides(const CliOptions& cli, config::Config& cfg) {
  if (cli.mode) cfg.mode = *cli.mode;
  if (cli.data_dir) cfg.storage_path = *cli.data_dir;
  if (cli.log_level) cfg.log_level = *cli.log_level;
}

}  // namespace ptp::app
