// Benchmark results: printed as tables and collected into one JSON object.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace caf {
class actor_system_config;
}

namespace ptp::bench {

class Report {
 public:
  // One measurement: section ("parse"), row name ("markPriceUpdate"), field ("frames_per_s") -> value.
  void add(const std::string& section, const std::string& row, const std::string& field, double value) {
    auto& rows = sections_[section];
    for (auto& [name, fields] : rows)
      if (name == row) {
        fields.emplace_back(field, value);
        return;
      }
    rows.push_back({row, {{field, value}}});
  }
  void note(const std::string& key, const std::string& value) { notes_[key] = value; }

  std::string json() const {
    std::string out = "{";
    bool first_note = true;
    for (const auto& [k, v] : notes_) {
      out += fmt::format("{}\"{}\":\"{}\"", first_note ? "" : ",", k, v);
      first_note = false;
    }
    for (const auto& [section, rows] : sections_) {
      out += fmt::format(",\"{}\":{{", section);
      bool first_row = true;
      for (const auto& [row, fields] : rows) {
        out += fmt::format("{}\"{}\":{{", first_row ? "" : ",", row);
        bool first_field = true;
        for (const auto& [f, v] : fields) {
          out += fmt::format("{}\"{}\":{}", first_field ? "" : ",", f, v);
          first_field = false;
        }
        out += "}";
        first_row = false;
      }
      out += "}";
    }
    return out + "}";
  }

 private:
  std::map<std::string, std::string> notes_;
  std::map<std::string, std::vector<std::pair<std::string, std::vector<std::pair<std::string, double>>>>> sections_;
};

struct Options {
  bool quick = false;
  bool focus = false;
  bool spin = false;   // --latency-mode spin: the node's latency_mode = "spin" scheduler  // latency: only the goal's row (1 000 positions, 100 symbols, 100 000 ticks/s)
  // --caf KEY=VALUE: CAF settings applied over the node's own (to measure scheduler options);
  // a value ending in "us" or "ms" is a duration, otherwise a count.
  std::vector<std::pair<std::string, std::string>> caf_settings;
};

// The node's scheduler (actors::configure_scheduler, in the latency mode of `spin`), then
// Options::caf_settings.
void configure_bench_scheduler(caf::actor_system_config& cfg, const Options& o, bool spin);
inline void configure_bench_scheduler(caf::actor_system_config& cfg, const Options& o) {
  configure_bench_scheduler(cfg, o, o.spin);
}

void run_parse(Report& r, const Options& o);
void run_tick_to_decision(Report& r, const Options& o);
void run_tick_to_wire(Report& r, const Options& o);
void run_scale(Report& r, const Options& o);
void run_original_side_by_side(Report& r, const Options& o);
void run_idle(Report& r, const Options& o);
void run_replay(Report& r, const Options& o);

}  // namespace ptp::bench
