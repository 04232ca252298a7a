// ptp-node: validates a config (--check) or runs the node.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "app/check_report.hpp"
#include "app/cli.hpp"
#include "app/node_run.hpp"
#include "core/config/config.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;

bool env_is_set(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0';
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ptp;
  app::CliOptions cli;
  try {
    cli = app::parse_cli(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const app::UsageError& e) {
    std::fprintf(stderr, "ptp-node: %s\n\n%s", e.what(), app::usage_text());
    return kExitUsage;
  }
  if (cli.help) {
    std::fputs(app::usage_text(), stdout);
    return kExitOk;
  }
  config::Config cfg;
  try {
    cfg = config::load_config_file(cli.config_path);
    app::apply_overrides(cli, cfg);
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "ptp-node: config error: %s\n", e.what());
    return kExitUsage;
  }
  if (cli.check) {
    std::fputs(app::check_report(cfg, env_is_set).c_str(), stdout);
    return kExitOk;
  }

  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  return app::run_node(cfg, cli.run_for, cli.record);
}
