// The report renders: scripts/render_report.sh turns a real ptp-replay report into a PNG with
// headless Chromium, and the picture has a plausible size and is not blank. Skipped (exit 77) when
// chromium is not installed, except where PTP_REQUIRE_RENDER is set (CI), where that fails.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "../support/png_image.hpp"
#include "../support/run_command.hpp"
#include "../support/temp_dir.hpp"
#include "replay_fixture.hpp"

namespace ptp::test {

TEST_CASE("the report renders to a PNG with headless chromium that is neither blank nor tiny", "[replay]") {
  if (run_command("command -v chromium").exit_code != 0) {
    if (std::getenv("PTP_REQUIRE_RENDER")) FAIL("chromium is not installed (scripts/setup.sh --render)");
    std::printf("SKIPPED: chromium is not installed (scripts/setup.sh --render installs it)\n");
    std::fflush(stdout);
    std::_Exit(77);
  }
  TempDir dir;
  std::ofstream(dir.sub("replay.toml")) << kReplayConfig;
  std::ofstream(dir.sub("ticks.csv")) << eth_recording();
  std::ofstream(dir.sub("BTCUSDT-1m-2024-01.csv")) << btc_klines();
  const auto replay = run_command(std::string(PTP_REPLAY_BINARY) + " --config " + dir.sub("replay.toml") +
                                  " --prices " + dir.sub("ticks.csv") + " " +
                                  dir.sub("BTCUSDT-1m-2024-01.csv") + " --out " + dir.sub("out"));
  INFO(replay.output);
  REQUIRE(replay.exit_code == 0);
  const auto render = run_command(std::string(PTP_SOURCE_DIR) + "/scripts/render_report.sh " + dir.sub("out") + " " +
                                  dir.sub("report.png") + " 1000,900");
  INFO(render.output);
  REQUIRE(render.exit_code == 0);

  const PngImage img = read_png(dir.sub("report.png"));
  CHECK(img.width == 1000);
  CHECK(img.height == 900);
  // Not blank: many colours (the chart's lines and markers, the table), and a real share of pixels
  // that are not the page's white.
  std::set<std::uint32_t> colours;
  std::size_t ink = 0;
  const std::size_t n = std::size_t{img.width} * img.height;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* p = &img.pixels[i * static_cast<std::size_t>(img.channels)];
    colours.insert((std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2]);
    if (p[0] < 200 || p[1] < 200 || p[2] < 200) ++ink;
  }
  CHECK(colours.size() >= 20);
  CHECK(ink > n / 100);
}

}  // namespace ptp::test
