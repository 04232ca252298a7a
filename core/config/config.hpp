// The node's configuration: one TOML file, validated in full before anything runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"
#include "core/filters.hpp"
#include "core/rollout_guard.hpp"
#include "core/side.hpp"
#include "core/stage_plan.hpp"
#include "core/symbol.hpp"

namespace ptp::config {

using Millis = std::chrono::milliseconds;

// Every message reads "FILE:LINE:COL: KEY: what was expected, what was found".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Mode : unsigned char { observe, execute };
std::string_view to_string(Mode m);
Mode parse_mode(std::string_view text);  // throws std::invalid_argument

// How the actor scheduler's idle workers wait. sleep: on a condition variable until work arrives
// (a quiet node costs well under 1 % of a core). spin: one worker polls all the time, so a tick
// never waits for a thread to wake (costs a whole core).
enum class LatencyMode : unsigned char { sleep, spin };
std::string_view to_string(LatencyMode m);
LatencyMode parse_latency_mode(std::string_view text);  // throws std::invalid_argument

// Where a real exchange is reached, and the *names* of the variables holding its credentials.
struct ExchangeEndpoints {
  std::string rest_url;        // http:// or https://
  std::string ws_url;          // ws:// or wss://
  std::string api_key_env;     // e.g. "BINANCE_API_KEY": the variable's name, never the key
  std::string api_secret_env;
  // Which price the node follows: the mark price (default; stops trigger on it) or the mid of
  // the best bid and ask (faster, noisier). Each venue streams it its own way; the config names
  // them as Binance does ("markPrice", "bookTicker").
  enum class PriceSource : unsigned char { mark, book_mid } price_source = PriceSource::mark;
};

struct SimInstrument {
  core::Symbol symbol;
  core::InstrumentFilters filters;
  std::optional<core::Price> start_price;   // default: the first position's entry
  std::optional<core::Ratio> drift_pct;     // per tick, percent; default from [sim]
  std::optional<core::Ratio> volatility_pct;
};

struct SimPosition {
  core::Symbol symbol;
  core::Side side = core::Side::long_;
  core::Price entry;
  core::Qty size;
  std::optional<core::Price> stop;  // absent: the node applies default_stop_pct
  std::optional<std::int64_t> entry_time_ms;  // when it opened (ptp-replay; the node ignores it)
};

struct SimSettings {
  std::uint64_t seed = 1;
  Millis tick_interval{100};
  core::Ratio drift_pct;                        // mean move per tick, percent of price
  core::Ratio volatility_pct = core::Ratio::parse("0.05");  // standard deviation per tick, percent
  std::optional<std::string> replay_file;      // ticks to replay instead of the random walk
  std::vector<SimInstrument> instruments;
  std::vector<SimPosition> positions;

  const SimInstrument* instrument(const core::Symbol& s) const;
};

// The node's HTTP API (api/): MCP for AI agents, REST and metrics for operators. Off unless the
// config has an [api] table; on with one, unless `enabled = false`.
struct ApiSettings {
  bool enabled = false;
  std::string host = "127.0.0.1";   // `listen` = "HOST:PORT" ("[::1]:8765" for IPv6)
  std::uint16_t port = 8765;        // 0: a port the OS picks (tests)
  std::string token_env = "PTP_API_TOKEN";  // the NAME of the variable holding the bearer token
  bool allow_remote = false;        // required to listen on anything but loopback
  std::uint32_t requests_per_second = 20;  // the whole server's request rate (burst: the same number)

  std::string listen() const;  // "127.0.0.1:8765"
};

// 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(std::string_view host);

// [cluster]: several nodes for one account, one of them the owner, elected on etcd (cluster/). Absent:
// a single node on its LMDB, as ever.
struct ClusterSettings {
  std::vector<std::string> etcd;  // client URLs of the etcd members, "http://127.0.0.1:2379"
  Millis lease_ttl{5000};         // the owner's lease; a standby takes over within about this long
  std::string node_id;            // this node's name in the group (unique per node)
  // TLS to etcd (https:// members): the CA that signed the members' certificates (empty: the
  // system's), and this node's client certificate and key (etcd --client-cert-auth).
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
};

struct Config {
  std::string source;  // the file it came from
  core::Exchange exchange = core::Exchange::sim;
  std::string account = "default";
  Mode mode = Mode::observe;
  LatencyMode latency_mode = LatencyMode::sleep;
  std::string storage_path;
  std::string log_level = "info";
  std::vector<core::Symbol> symbols;
  std::optional<core::Ratio> default_stop_pct;
  int order_budget_pct = 50;  // of the exchange's order limits, for this node (the rest: other trading)

  Millis health_check_interval{std::chrono::minutes(5)};
  Millis agent_interval{std::chrono::minutes(15)};  // 0: no internal agent tick (a real agent uses the API)
  Millis dedupe_window{std::chrono::seconds(30)};
  Millis metrics_interval{std::chrono::seconds(60)};

  core::StagePlan plan = core::StagePlan::default_plan();
  std::optional<ExchangeEndpoints> endpoints;  // binance, gateio
  std::optional<SimSettings> sim;              // sim
  ApiSettings api;
  core::GuardLimits guard;  // [guard]: none set, no guard
  std::optional<ClusterSettings> cluster;  // [cluster]: active/standby on etcd

  bool manages(const core::Symbol& s) const;
};

// Parses and validates TOML text; `source` names the file in messages. Throws ConfigError.
Config parse_config(std::string_view text, const std::string& source);

// Reads and parses a file. Throws ConfigError (also when the file cannot be read).
Config load_config_file(const std::string& path);

// The [plan] table of a TOML file (a whole config or a file with only [plan]; other tables are not
// read), validated as the node validates it. Throws ConfigError naming the file and line.
core::StagePlan load_plan_file(const std::string& path);

// "250ms", "30s", "5m", "1h" -> milliseconds; throws std::invalid_argument.
Millis parse_duration(std::string_view text);
std::string format_duration(Millis d);

}  // namespace ptp::config
