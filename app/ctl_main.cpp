// ptp-ctl: the operator's command line for a running node (its REST API on loopback).
// Exit codes: 0 ok, 1 the node refused or the outcome was not an execution, 2 usage,
// 3 the node cannot be reached or did not accept the token.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/ctl_http.hpp"

namespace {

using Json = nlohmann::json;

constexpr int kOk = 0;
constexpr int kRefused = 1;
constexpr int kUsage = 2;
constexpr int kUnreachable = 3;

const char* kUsageText =
    "usage: ptp-ctl [--url URL] [--token-env NAME] [--json] COMMAND\n"
    "  status                          mode, positions, stream, outcome counters\n"
    "  positions                       every managed position\n"
    "  history [KEY] [--since T] [--limit N]\n"
    "                                  stage events (and mode switches), newest last\n"
    "  execute KEY STAGE               executes one stage as the operator\n"
    "  mode observe|execute --reason TEXT\n"
    "                                  switches the node's mode (kept across restarts)\n"
    "The URL defaults to $PTP_API_URL, else http://127.0.0.1:8765; the token comes from $PTP_API_TOKEN\n"
    "(or the variable --token-env names). Exit codes: 0 ok, 1 refused or not executed, 2 usage,\n"
    "3 node unreachable or token refused.\n";

struct Usage : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Options {
  std::string url;
  std::string token_env = "PTP_API_TOKEN";
  bool json = false;
  std::vector<std::string> args;  // the command and its operands
  std::optional<std::string> since, limit, reason;
};

Options parse(int argc, char** argv) {
  Options o;
  const char* env_url = std::getenv("PTP_API_URL");
  o.url = env_url && *env_url ? env_url : "http://127.0.0.1:8765";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw Usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--url") o.url = value();
    else if (a == "--token-env") o.token_env = value();
    else if (a == "--json") o.json = true;
    else if (a == "--since") o.since = value();
    else if (a == "--limit") o.limit = value();
    else if (a == "--reason") o.reason = value();
    else if (a == "-h" || a == "--help") throw Usage("");
    else if (a.rfind("--", 0) == 0) throw Usage("unknown option " + a);
    else o.args.push_back(a);
  }
  if (o.args.empty()) throw Usage("a command is required");
  while (!o.url.empty() && o.url.back() == '/') o.url.pop_back();
  return o;
}

std::string str(const Json& j) {
  if (j.is_null()) return "-";
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

// Columns padded to their widest cell.
void table(const std::vector<std::string>& head, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(head.size());
  for (std::size_t c = 0; c < head.size(); ++c) width[c] = head[c].size();
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c)
      out += cells[c] + (c + 1 < cells.size() ? std::string(width[c] - cells[c].size() + 2, ' ') : "");
    std::puts(out.c_str());
  };
  line(head);
  for (const auto& r : rows) line(r);
}

void print_status(const Json& s) {
  std::printf("mode         %s", str(s["mode"]).c_str());
  if (!s["mode_switch"].is_null())
    std::printf(" (switched by %s at %s: %s)", str(s["mode_switch"]["by"]).c_str(), str(s["mode_switch"]["at"]).c_str(),
                str(s["mode_switch"]["reason"]).c_str());
  std::printf("\nexchange     %s, account %s\n", str(s["exchange"]).c_str(), str(s["account"]).c_str());
  std::printf("positions    %s\n", str(s["positions"]).c_str());
  if (s.contains("cluster") && s["cluster"].is_object()) {
    const Json& c = s["cluster"];
    std::string standbys;
    for (const auto& id : c["standbys"]) standbys += (standbys.empty() ? "" : ", ") + str(id);
    // The lease's time left is the owner's own (a standby does not act on one).
    const std::string lease =
        c["role"] == "owner" ? ", lease left " + str(c["lease_left_ms"]) + " ms" : std::string();
    std::printf("cluster      node %s is %s; owner %s since %s (Unix ms)%s, standbys: %s\n", str(c["node_id"]).c_str(),
                str(c["role"]).c_str(), str(c["owner"]).c_str(), str(c["owner_since_ms"]).c_str(), lease.c_str(),
                standbys.empty() ? "none" : standbys.c_str());
  }
  std::printf("stream       age %s ms, %s reconnects, %s ticks\n", str(s["stream"]["age_ms"]).c_str(),
              str(s["stream"]["reconnects"]).c_str(), str(s["stream"]["ticks"]).c_str());
  for (const auto& [caller, row] : s["outcomes"].items()) {
    std::string counts;
    for (const auto& [kind, n] : row.items())
      if (n.get<std::uint64_t>() > 0) counts += (counts.empty() ? "" : ", ") + kind + " " + n.dump();
    std::printf("%-12s %s\n", caller.c_str(), counts.empty() ? "-" : counts.c_str());
  }
}

void print_positions(const Json& list) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : list) {
    std::string stages;
    for (const auto& d : p["stages_done"]) stages += (stages.empty() ? "" : ",") + str(d["stage"]) + ":" + str(d["caller"]);
    const std::string next =
        p["next_stage"].is_null() ? "-" : str(p["next_stage"]["stage"]) + " @ " + str(p["next_stage"]["trigger_price"]);
    rows.push_back({str(p["key"]), str(p["size"]), str(p["entry"]), str(p["current_stop_label"]), str(p["mark"]),
                    str(p["r"]), stages.empty() ? "-" : stages, next, str(p["take_profit"])});
  }
  table({"POSITION", "SIZE", "ENTRY", "STOP", "MARK", "R", "DONE", "NEXT", "TP"}, rows);
}

void print_history(const Json& page) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : page["events"])
    rows.push_back({str(e["at"]), str(e["position"]), str(e["stage"]), str(e["caller"]), str(e["outcome"]),
                    str(e["closed_qty"]), str(e["fill_price"]), str(e["new_stop"])});
  table({"AT", "POSITION", "STAGE", "CALLER", "OUTCOME", "CLOSED", "FILL", "NEW STOP"}, rows);
  if (page.contains("mode_switches"))
    for (const auto& m : page["mode_switches"])
      std::printf("%s mode -> %s by %s: %s\n", str(m["at"]).c_str(), str(m["mode"]).c_str(), str(m["by"]).c_str(),
                  str(m["reason"]).c_str());
}

int run(const Options& o) {
  const char* token = std::getenv(o.token_env.c_str());
  if (!token || !*token) {
    std::fprintf(stderr, "ptp-ctl: the token variable %s is not set\n", o.token_env.c_str());
    return kUnreachable;
  }
  const std::string& cmd = o.args[0];
  const auto operands = o.args.size() - 1;
  std::string method = "GET", path, body;
  if (cmd == "status" && operands == 0) {
    path = "/v1/status";
  } else if (cmd == "positions" && operands == 0) {
    path = "/v1/positions";
  } else if (cmd == "history" && operands <= 1) {
    path = operands == 1 ? "/v1/positions/" + ptp::ctl::escape(o.args[1]) + "/history" : "/v1/history";
    std::string query;
    if (o.since) query += "since=" + ptp::ctl::escape(*o.since);
    if (o.limit) query += std::string(query.empty() ? "" : "&") + "limit=" + ptp::ctl::escape(*o.limit);
    if (!query.empty()) path += "?" + query;
  } else if (cmd == "execute" && operands == 2) {
    const std::string& stage = o.args[2];
    if (stage.empty() || stage.size() > 3 || stage.find_first_not_of("0123456789") != std::string::npos)
      throw Usage("STAGE must be a stage number, got \"" + stage + "\"");
    method = "POST";
    path = "/v1/positions/" + ptp::ctl::escape(o.args[1]) + "/stages/" + stage + "/execute";
  } else if (cmd == "mode" && operands == 1) {
    if (!o.reason) throw Usage("mode needs --reason TEXT (it is kept in the history)");
    method = "PUT";
    path = "/v1/mode";
    body = Json{{"mode", o.args[1]}, {"reason", *o.reason}}.dump();
  } else {
    throw Usage("unknown command or wrong operands: " + cmd);
  }
  const ptp::ctl::Reply r = ptp::ctl::call(method, o.url + path, token, body);
  const Json j = Json::parse(r.body, nullptr, false);
  if (r.status == 401 || r.status == 403 || r.status == 429 || r.status == 503 || j.is_discarded()) {
    std::fprintf(stderr, "ptp-ctl: the node answered %ld: %s\n", r.status, j.is_discarded() ? r.body.c_str() : str(j["error"]).c_str());
    return kUnreachable;
  }
  if (r.status != 200) {
    std::fprintf(stderr, "ptp-ctl: refused (%ld): %s\n", r.status, str(j["error"]).c_str());
    return kRefused;
  }
  if (o.json) {
    std::puts(j.dump(2).c_str());
  } else if (cmd == "status") {
    print_status(j);
  } else if (cmd == "positions") {
    print_positions(j["positions"]);
  } else if (cmd == "history") {
    print_history(j);
  } else if (cmd == "execute") {
    std::printf("%s %s stage %s: %s\n", str(j["caller"]).c_str(), str(j["position"]).c_str(), str(j["stage"]).c_str(),
                str(j["outcome"]).c_str());
    if (j.contains("record") && j["outcome"] == "success")
      std::printf("closed %s @ %s, new stop %s\n", str(j["record"]["closed_qty"]).c_str(),
                  str(j["record"]["fill_price"]).c_str(), str(j["record"]["new_stop"]).c_str());
    else if (j.contains("record"))
      std::printf("the stage was recorded by %s at %s (%s)\n", str(j["record"]["caller"]).c_str(),
                  str(j["record"]["at"]).c_str(), str(j["record"]["outcome"]).c_str());
  } else if (cmd == "mode") {
    std::printf("mode %s -> %s (%s)\n", str(j["previous"]).c_str(), str(j["mode"]).c_str(), str(j["reason"]).c_str());
  }
  if (cmd == "execute" && j["kind"] != "success" && j["kind"] != "skipped") return kRefused;
  return kOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const Usage& e) {
    if (*e.what()) std::fprintf(stderr, "ptp-ctl: %s\n\n", e.what());
    std::fputs(kUsageText, *e.what() ? stderr : stdout);
    return *e.what() ? kUsage : kOk;
  } catch (const ptp::ctl::Unreachable& e) {
    std::fprintf(stderr, "ptp-ctl: %s\n", e.what());
    return kUnreachable;
  }
}
