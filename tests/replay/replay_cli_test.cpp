// build/ptp-replay as a user runs it: a report from a recording and a Binance file, and every kind
// of bad input refused with the file and line named and --out left as it was.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../support/run_command.hpp"
#include "../support/temp_dir.hpp"
#include "replay_fixture.hpp"

namespace ptp::test {
namespace {

namespace fs = std::filesystem;

// Half at 1.5R, the rest trailing by 0.5R: the plan shipped for comparing with the config's.
const std::string kOtherPlan = std::string(PTP_SOURCE_DIR) + "/configs/plans/half-at-1.5R.toml";

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.sub(name);
  std::ofstream(path) << text;
  return path;
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string replay(const std::string& args) { return std::string(PTP_REPLAY_BINARY) + " " + args; }

}  // namespace

TEST_CASE("ptp-replay writes report.json and report.html for each plan and the no partial take-profit baseline", "[replay]") {
  TempDir dir;
  const auto cfg = write(dir, "replay.toml", kReplayConfig);
  const auto& plan = kOtherPlan;
  const auto rec = write(dir, "ticks.csv", eth_recording());
  const auto klines = write(dir, "BTCUSDT-1m-2024-01.csv", btc_klines());
  const auto out = dir.sub("report");
  const auto r = run_command(replay("--config " + cfg + " --prices " + rec + " " + klines + " --plan " + plan +
                                    " --out " + out));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("no partial take-profit"));
  const std::string json = read(out + "/report.json");
  CHECK_THAT(json, Catch::Contains("\"config (replay.toml)\""));
  CHECK_THAT(json, Catch::Contains("\"half-at-1.5R\""));
  CHECK_THAT(json, Catch::Contains("\"total_r\""));
  // The ETH long under the config's plan: the hand-worked trade of engine_test (350 quote).
  CHECK_THAT(json, Catch::Contains("\"pnl\": \"350\""));
  const std::string html = read(out + "/report.html");
  CHECK_THAT(html, Catch::Contains("<svg"));
  CHECK_THAT(html, Catch::Contains("ETH_USDT long"));
  CHECK_THAT(html, Catch::Contains("BTC_USDT short"));
  CHECK(html.find("http://") == html.find("http://www.w3.org/2000/svg"));  // nothing fetched from the network
  CHECK(html.find("<script") == std::string::npos);
  // Nothing else is left beside --out.
  for (const auto& e : fs::directory_iterator(dir.path())) CHECK(e.path().filename().string().rfind(".report", 0) != 0);
}

TEST_CASE("ptp-replay replaces only its own report: a directory with anything else is refused and kept", "[replay]") {
  TempDir dir;
  const auto cfg = write(dir, "replay.toml", kReplayConfig);
  const auto rec = write(dir, "ticks.csv", eth_recording());
  const auto klines = write(dir, "BTCUSDT-1m-2024-01.csv", btc_klines());
  const std::string args = "--config " + cfg + " --prices " + rec + " " + klines + " --out ";
  // A report directory is replaced by the next run (with the picture rendered from it).
  const auto out = dir.sub("report");
  REQUIRE(run_command(replay(args + out)).exit_code == 0);
  write(dir, "report/report.png", "a picture");
  const auto again = run_command(replay(args + out));
  INFO(again.output);
  CHECK(again.exit_code == 0);
  CHECK(fs::exists(out + "/report.json"));
  // A directory with anything else in it (a build tree, ".", a home): refused before any work, untouched.
  const auto mine = dir.sub("mine");
  fs::create_directories(mine + "/src");
  write(dir, "mine/notes.txt", "mine");
  for (const std::string& target : {mine, mine + "/", rec}) {
    const auto r = run_command(replay(args + target));
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("--out " + target + ": "));
  }
  CHECK(read(mine + "/notes.txt") == "mine");
  CHECK(fs::is_directory(mine + "/src"));
  CHECK_FALSE(fs::exists(mine + "/report.json"));
  CHECK(fs::exists(rec));
}

TEST_CASE("ptp-replay refuses bad input naming the file and line and leaves --out untouched", "[replay]") {
  TempDir dir;
  const auto cfg = write(dir, "replay.toml", kReplayConfig);
  const auto rec = write(dir, "ticks.csv", eth_recording());
  const auto klines = write(dir, "BTCUSDT-1m-2024-01.csv", btc_klines());
  const auto out = dir.sub("report");
  fs::create_directories(out);
  write(dir, "report/report.html", "the previous report");

  struct Case {
    const char* name;
    std::string file;
    const char* expected;
  };
  const Case cases[] = {
      {"malformed line", write(dir, "bad.csv", "ts_ms,symbol,price\n1704067201000,ETH_USDT,2000\n1704067202000,ETH_USDT\n"),
       "bad.csv:3: expected 3 columns, found 2"},
      {"unsorted", write(dir, "unsorted.csv", "1704067201000,ETH_USDT,2000\n1704067203000,ETH_USDT,2001\n1704067202000,ETH_USDT,2002\n"),
       "unsorted.csv:3: timestamps go backwards"},
      {"unknown symbol", write(dir, "doge.csv", "ts_ms,symbol,price\n1704067201000,ETH_USDT,2000\n1704067201000,DOGE_USDT,0.1\n"),
       "doge.csv:3: unknown symbol DOGE_USDT"},
      {"no prices", write(dir, "empty.csv", "ts_ms,symbol,price\n"), "empty.csv: no prices in the file"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      const auto r = run_command(replay("--config " + cfg + " --prices " + c.file + " " + klines + " --out " + out));
      INFO(r.output);
      CHECK(r.exit_code == 1);
      CHECK_THAT(r.output, Catch::Contains(c.expected));
    }
  }
  SECTION("a positions file with a bad line") {
    const auto pos = write(dir, "positions.csv", "symbol,side,entry_time,entry,size,stop\nETH,long,,2000,3,1950\nETH,sideways,,2000,3,1950\n");
    const auto r = run_command(replay("--config " + cfg + " --prices " + rec + " --positions " + pos + " --out " + out));
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("positions.csv:3:"));
  }
  SECTION("a position without prices") {
    const auto r = run_command(replay("--config " + cfg + " --prices " + rec + " --out " + out));
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("[[sim.position]] 2: no prices for BTC_USDT"));
  }
  CHECK(read(out + "/report.html") == "the previous report");
  CHECK_FALSE(fs::exists(out + "/report.json"));
  for (const auto& e : fs::directory_iterator(dir.path())) CHECK(e.path().filename().string().rfind(".report", 0) != 0);
}

}  // namespace ptp::test
