// ptp-bench: the figures behind the README's Performance section.
//   build/ptp-bench            full run (minutes)
//   build/ptp-bench --quick    every measurement briefly (CI runs this so it never rots)
//   --json FILE                also writes every figure as one JSON object
//   --only SECTION             parse, latency, wire, scale, original, idle or replay
//   --focus                    latency: only the goal's row (1 000 positions / 100 symbols / 100 000 ticks/s)
//   --latency-mode spin        the node's latency_mode = "spin" scheduler (idle runs both modes anyway)
//   --caf KEY=VALUE            a CAF scheduler setting over the node's own (repeatable)
#include <spdlog/spdlog.h>

#include <cstring>
#include <fstream>
#include <thread>

#include "bench/report.hpp"

int main(int argc, char** argv) {
  ptp::bench::Options o;
  std::string json_path, only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) o.quick = true;
    else if (std::strcmp(argv[i], "--focus") == 0) o.focus = true;
    else if (std::strcmp(argv[i], "--latency-mode") == 0 && i + 1 < argc && std::strcmp(argv[i + 1], "spin") == 0) {
      o.spin = true;
      ++i;
    }
    else if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) json_path = argv[++i];
    else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = argv[++i];
    else if (std::strcmp(argv[i], "--caf") == 0 && i + 1 < argc && std::strchr(argv[i + 1], '=')) {
      const std::string kv = argv[++i];
      o.caf_settings.emplace_back(kv.substr(0, kv.find('=')), kv.substr(kv.find('=') + 1));
    }
    else {
      std::fprintf(stderr, "usage: ptp-bench [--quick] [--json FILE] [--only parse|latency|wire|scale|original|idle|replay] [--focus] [--latency-mode spin] [--caf KEY=VALUE]...\n");
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::warn);  // the actors' info lines are not part of the measurement
  ptp::bench::Report r;
  r.note("mode", o.quick ? "quick" : "full");
  r.note("latency_mode", o.spin ? "spin" : "sleep");
  r.note("cores", std::to_string(std::thread::hardware_concurrency()));
  for (const auto& [k, v] : o.caf_settings) r.note("caf." + k, v);
  std::printf("ptp-bench (%s), %u cores\n", o.quick ? "quick" : "full", std::thread::hardware_concurrency());
  auto wanted = [&](const char* s) { return only.empty() || only == s; };
  if (wanted("parse")) ptp::bench::run_parse(r, o);
  if (wanted("latency")) ptp::bench::run_tick_to_decision(r, o);
  if (wanted("wire")) ptp::bench::run_tick_to_wire(r, o);
  if (wanted("scale")) ptp::bench::run_scale(r, o);
  if (wanted("original")) ptp::bench::run_original_side_by_side(r, o);
  if (wanted("idle")) ptp::bench::run_idle(r, o);
  if (wanted("replay")) ptp::bench::run_replay(r, o);
  if (!json_path.empty()) {
    std::ofstream(json_path) << r.json() << "\n";
    std::printf("\nfigures written to %s\n", json_path.c_str());
  }
  return 0;
}
