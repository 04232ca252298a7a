// ptp-sim: the simulated exchange served over Binance's USDT-M or Gate.io's futures wire protocol on
// 127.0.0.1, for running the node against it by hand (scripts/demo.sh binance|gateio does).
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "core/config/config.hpp"
#include "sim/binance/server.hpp"
#include "sim/gateio/server.hpp"

namespace {

constexpr const char* kUsage =
    "usage: ptp-sim --config FILE [--protocol binance|gateio] [--port N] [--port-file FILE]\n"
    "               [--one-way | --dual-mode]\n"
    "  Serves the [sim] section of FILE (instruments, positions, price path) on 127.0.0.1:PORT as\n"
    "  Binance USDT-M futures (default: REST on http://127.0.0.1:PORT, websockets on ws://...) or as\n"
    "  Gate.io USDT futures (REST on http://127.0.0.1:PORT/api/v4, websocket ws://.../v4/ws/usdt).\n"
    "  --port 0 (default) lets the OS pick; the port is printed and, with --port-file, written there.\n"
    "  Binance: --one-way answers as a one-way-mode account (default: hedge mode). Gate.io:\n"
    "  --dual-mode answers as a dual-mode account (default: single mode). API key and secret:\n"
    "  PTP_SIM_API_KEY / PTP_SIM_API_SECRET, or the built-in pair \"ptp-sim-api-key\" /\n"
    "  \"ptp-sim-api-secret\" (loopback only, not secrets).\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace ptp;
  std::string config_path, port_file, protocol = "binance";
  exchange::loopback::BinanceServerOptions options;
  exchange::loopback::GateioServerOptions gate;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "ptp-sim: %s needs a value\n%s", a.c_str(), kUsage);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--config") {
      config_path = value();
    } else if (a == "--port") {
      const std::string v = value();
      char* end = nullptr;
      const long p = std::strtol(v.c_str(), &end, 10);
      if (*end != '\0' || p < 0 || p > 65535) {
        std::fprintf(stderr, "ptp-sim: --port: expected 0..65535, got \"%s\"\n", v.c_str());
        return 2;
      }
      options.port = static_cast<std::uint16_t>(p);
    } else if (a == "--port-file") {
      port_file = value();
    } else if (a == "--protocol") {
      protocol = value();
      if (protocol != "binance" && protocol != "gateio") {
        std::fprintf(stderr, "ptp-sim: --protocol: expected binance or gateio, got \"%s\"\n", protocol.c_str());
        return 2;
      }
    } else if (a == "--one-way") {
      options.hedge_mode = false;
    } else if (a == "--dual-mode") {
      gate.face.dual_mode = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "ptp-sim: unknown argument \"%s\"\n%s", a.c_str(), kUsage);
      return 2;
    }
  }
  if (config_path.empty()) {
    std::fprintf(stderr, "ptp-sim: --config is required\n%s", kUsage);
    return 2;
  }
  config::Config cfg;
  try {
    cfg = config::load_config_file(config_path);
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "ptp-sim: config error: %s\n", e.what());
    return 2;
  }
  if (!cfg.sim) {
    std::fprintf(stderr, "ptp-sim: %s has no [sim] section to serve\n", config_path.c_str());
    return 2;
  }
  if (const char* k = std::getenv("PTP_SIM_API_KEY")) options.api_key = gate.face.api_key = k;
  if (const char* s = std::getenv("PTP_SIM_API_SECRET")) options.secret = gate.face.secret = s;
  options.tick_interval = gate.tick_interval = cfg.sim->tick_interval;
  gate.port = options.port;

  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // before any thread starts: only main waits for them

  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [ptp-sim] %v");
  try {
    auto sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
    std::unique_ptr<exchange::loopback::LoopbackServer> served;
    if (protocol == "gateio") {
      auto g = std::make_unique<exchange::loopback::GateioServer>(sim, gate);
      spdlog::info("Gate.io USDT futures protocol on {} and {} ({} mode, {} instrument(s), a tick every {} ms)",
                   g->api_url(), g->futures_ws_url(), gate.face.dual_mode ? "dual" : "single", sim->symbols().size(),
                   gate.tick_interval.count());
      served = std::move(g);
    } else {
      served = std::make_unique<exchange::loopback::BinanceServer>(sim, options);
      spdlog::info("Binance USDT-M protocol on {} and {} ({} mode, {} instrument(s), a tick every {} ms)",
                   served->rest_url(), served->ws_url(), options.hedge_mode ? "hedge" : "one-way",
                   sim->symbols().size(), options.tick_interval.count());
    }
    auto& server = *served;
    if (!port_file.empty()) {
      const std::string tmp = port_file + ".tmp";
      std::ofstream(tmp) << server.port() << "\n";
      std::rename(tmp.c_str(), port_file.c_str());  // readers never see a half-written file
    }
    int sig = 0;
    sigwait(&stop, &sig);
    const auto c = server.counters();
    spdlog::info("stopping on {}: {} requests, {} order posts, {} bad signatures, {} frames sent",
                 sig == SIGINT ? "SIGINT" : "SIGTERM", c.requests, c.order_posts, c.bad_signatures, c.frames_sent);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
  return 0;
}
