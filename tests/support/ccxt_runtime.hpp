// What the Node.js interop tests (ccxt, the MCP SDK) need from the machine: Node.js 18 or newer (ccxt's own floor; Debian
// 12's 18.20 is checked) on the PATH and the locked packages installed (scripts/test.sh runs
// `npm ci`). Without them a test reports itself skipped (exit 77), except in CI, where
// PTP_REQUIRE_INTEROP makes it fail.
#pragma once

#include <catch2/catch.hpp>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "child_process.hpp"

namespace ptp::test {

inline std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  for (std::string_view rest = path ? path : ""; !rest.empty();) {
    const auto colon = rest.find(':');
    const std::filesystem::path candidate = std::filesystem::path(rest.substr(0, colon)) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return {};
}

// Why `package` (installed in `dir`/node_modules) cannot run here, or empty.
inline std::string missing_node_prerequisite(const std::string& node, const std::string& dir, const std::string& package) {
  if (node.empty()) return "node is not on the PATH";
  FILE* pipe = popen((node + " --version").c_str(), "r");
  char buf[64] = {};
  const bool read = pipe && std::fgets(buf, sizeof buf, pipe);
  if (pipe) pclose(pipe);
  int major = 0;
  if (!read || std::sscanf(buf, "v%d", &major) != 1) return "cannot read `node --version`";
  if (major < 18) return std::string("Node.js ") + buf + " is older than 18";
  if (!std::filesystem::exists(dir + "/node_modules/" + package + "/package.json"))
    return package + " is not installed: run `npm ci --ignore-scripts` in " + dir;
  return {};
}

// The node binary, or the test ends here: skipped (exit 77), or failed in CI.
inline std::string node_for_package_or_skip(const std::string& dir, const std::string& package,
                                            const std::string& test_name) {
  const std::string node = find_on_path("node");
  if (const std::string why = missing_node_prerequisite(node, dir, package); !why.empty()) {
    if (std::getenv("PTP_REQUIRE_INTEROP")) FAIL("the " << test_name << " cannot run: " << why);
    std::printf("SKIPPED: the %s cannot run: %s\n", test_name.c_str(), why.c_str());
    std::fflush(stdout);
    std::_Exit(77);
  }
  return node;
}

inline std::string node_for_ccxt_or_skip(const std::string& ccxt_dir, const std::string& test_name) {
  return node_for_package_or_skip(ccxt_dir, "ccxt", test_name);
}

struct ScriptRun {
  int exit_code = -1;
  std::string log;
};

// Runs a conformance script (`node script port`, its output in `log_path`) to its end, at most 120 s,
// while `feed` is called every 50 ms: the price frames the script's websocket checks wait for, at a
// constant price so every other check stays exact.
inline ScriptRun run_script_with_feed(const std::string& node, const std::string& script, std::uint16_t port,
                                      const std::string& log_path, const std::function<void()>& feed) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread ticker([&] {
    std::unique_lock lock(mu);
    while (!cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; })) feed();
  });
  ChildProcess run({node, script, std::to_string(port)}, {}, log_path);
  ScriptRun out;
  out.exit_code = run.wait_exit(std::chrono::seconds(120));
  {
    std::lock_guard lock(mu);
    done = true;
  }
  cv.notify_all();
  ticker.join();
  out.log = run.log();
  return out;
}

}  // namespace ptp::test
