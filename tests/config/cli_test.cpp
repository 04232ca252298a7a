#include <catch2/catch.hpp>

#include "app/cli.hpp"

using namespace ptp;

TEST_CASE("ptp-node options parse and override the config", "[cli]") {
  auto cli = app::parse_cli({"--config", "c.toml", "--check", "--mode", "execute", "--data-dir", "/d", "--log-level",
                             "debug", "--run-for", "90s"});
  CHECK(cli.config_path == "c.toml");
  CHECK(cli.check);
  CHECK(cli.run_for == std::chrono::seconds(90));
  config::Config cfg;
  app::apply_overrides(cli, cfg);
  CHECK(cfg.mode == config::Mode::execute);
  CHECK(cfg.storage_path == "/d");
  CHECK(cfg.log_level == "debug");
}

TEST_CASE("bad command lines are usage errors naming the argument", "[cli]") {
  CHECK_THROWS_WITH(app::parse_cli({}), Catch::Contains("--config FILE is required"));
  CHECK_THROWS_WITH(app::parse_cli({"--config"}), Catch::Contains("--config needs a value"));
  CHECK_THROWS_WITH(app::parse_cli({"--config", "c", "--mode", "live"}), Catch::Contains("--mode: unknown mode \"live\""));
  CHECK_THROWS_WITH(app::parse_cli({"--config", "c", "--run-for", "soon"}), Catch::Contains("--run-for"));
  CHECK_THROWS_WITH(app::parse_cli({"--config", "c", "--log-level", "loud"}), Catch::Contains("\"loud\""));
  CHECK_THROWS_WITH(app::parse_cli({"--config", "c", "--verbose"}), Catch::Contains("unknown argument \"--verbose\""));
  CHECK(app::parse_cli({"--help"}).help);
}
