#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "core/config/config.hpp"
#include "exchange/venue.hpp"
#include "tests/support/temp_dir.hpp"

using namespace ptp;
using config::ConfigError;
using config::parse_config;

namespace {

const std::string kNode = R"(
[node]
exchange = "sim"
account = "t"
mode = "observe"
storage_path = "/tmp/ptp-test"
symbols = ["ETH", "BTCUSDT"]
)";

const std::string kSim = R"(
[sim]
seed = 3
[[sim.instrument]]
symbol = "ETH"
tick_size = "0.01"
step_size = "0.001"
min_notional = "20"
[[sim.instrument]]
symbol = "BTC"
tick_size = "0.1"
contract_size = "0.0001"
min_contracts = 1
[[sim.position]]
symbol = "ETH"
side = "long"
entry = "2000"
size = "1.5"
stop = "1950"
)";

const std::string kBinance = R"(
[node]
exchange = "binance"
mode = "execute"
storage_path = "data"
symbols = ["ETHUSDT"]
[exchange]
rest_url = "http://127.0.0.1:8080"
ws_url = "ws://127.0.0.1:8081"
api_key_env = "K_ENV"
api_secret_env = "S_ENV"
)";

config::Config parse(const std::string& text) { return parse_config(text, "test.toml"); }

// Replaces the first occurrence of `from` in `text`; fails the test if it is not there.
std::string with(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("expected a ConfigError");
  return {};
}

}  // namespace

TEST_CASE("a minimal sim config resolves with the documented defaults", "[config]") {
  auto cfg = parse(kNode + kSim);
  CHECK(cfg.exchange == core::Exchange::sim);
  CHECK(cfg.account == "t");
  CHECK(cfg.mode == config::Mode::observe);
  CHECK(cfg.latency_mode == config::LatencyMode::sleep);
  CHECK(cfg.health_check_interval == std::chrono::minutes(5));
  CHECK(cfg.agent_interval == std::chrono::minutes(15));
  CHECK(cfg.dedupe_window == std::chrono::seconds(30));
  CHECK(cfg.log_level == "info");
  REQUIRE(cfg.symbols.size() == 2);
  CHECK(cfg.symbols[1] == core::Symbol("BTC", "USDT"));
  CHECK(cfg.plan.stages.size() == 3);  // the default plan
  CHECK(cfg.plan.extreme_tp_r->str() == "5");
  REQUIRE(cfg.sim);
  CHECK(cfg.sim->seed == 3);
  const auto* btc = cfg.sim->instrument(core::Symbol("BTC", "USDT"));
  REQUIRE(btc);
  CHECK(btc->filters.contract_size->str() == "0.0001");
  CHECK(cfg.sim->positions[0].stop->str() == "1950");
  CHECK_FALSE(cfg.endpoints);
}

TEST_CASE("the stage plan, schedule and numbers in every TOML form are read exactly", "[config]") {
  auto cfg = parse(kNode + R"(
default_stop_pct = 1.5
order_budget_pct = 30
[schedule]
health_check_interval = "250ms"
agent_interval = "2h"
dedupe_window = "45s"
metrics_interval = "1m"
[plan]
fraction_of = "remaining"
extreme_tp_r = "4.5"
trail_step_r = 0.25
[[plan.stage]]
trigger_r = 1
close_fraction = 0.5
move_stop_to_r = -0.5
[[plan.stage]]
trigger_r = 2.5
close_fraction = "1/3"
trail_r = "0.75"
)" + kSim);
  CHECK(cfg.default_stop_pct->str() == "1.5");
  CHECK(cfg.order_budget_pct == 30);
  CHECK(cfg.health_check_interval == std::chrono::milliseconds(250));
  CHECK(cfg.agent_interval == std::chrono::hours(2));
  CHECK(cfg.metrics_interval == std::chrono::minutes(1));
  CHECK(cfg.plan.fraction_of == core::FractionOf::remaining);
  CHECK(cfg.plan.extreme_tp_r->str() == "4.5");
  CHECK(cfg.plan.trail_step_r.str() == "0.25");
  REQUIRE(cfg.plan.stages.size() == 2);
  CHECK(cfg.plan.stages[0].close_fraction == core::Fraction(1, 2));
  CHECK(cfg.plan.stages[0].move_stop_to_r->str() == "-0.5");
  CHECK(cfg.plan.stages[1].trigger_r.str() == "2.5");
  CHECK(cfg.plan.stages[1].trail_r->str() == "0.75");
  CHECK_FALSE(cfg.plan.stages[1].move_stop_to_r);
}

TEST_CASE("extreme_tp_r = 0 turns the exchange-side take-profit off", "[config]") {
  auto cfg = parse(kNode + "[plan]\nextreme_tp_r = 0\n[[plan.stage]]\ntrigger_r = 1\nclose_fraction = \"1/2\"\n" + kSim);
  CHECK_FALSE(cfg.plan.extreme_tp_r);
}

TEST_CASE("a binance config keeps URLs and the names of the key variables", "[config]") {
  auto cfg = parse(kBinance);
  REQUIRE(cfg.endpoints);
  CHECK(cfg.endpoints->rest_url == "http://127.0.0.1:8080");
  CHECK(cfg.endpoints->api_key_env == "K_ENV");
  CHECK(cfg.mode == config::Mode::execute);
  CHECK(exchange::symbol_name(cfg.exchange, cfg.symbols[0]) == "ETHUSDT");
  for (const char* url : {"https://fapi.binance.com", "http://localhost"})
    CHECK_NOTHROW(parse(with(kBinance, "http://127.0.0.1:8080", url)));
  CHECK_NOTHROW(parse(with(kBinance, "ws://127.0.0.1:8081", "wss://fstream.binance.com")));
}

TEST_CASE("every error names the file, line, key and what was expected", "[config]") {
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::string all = kNode + kSim;
  const std::vector<Case> cases = {
      {kNode + "colour = 1\n" + kSim, "test.toml:8:1: node.colour: unknown key"},
      {"[nodes]\n", "nodes: unknown key (allowed here: node, schedule, plan, exchange, sim, api, guard, cluster)"},
      {"x = [", "test.toml:1:6: TOML syntax error"},
      {kSim, "node: missing; expected a [node] table"},
      {with(all, "exchange = \"sim\"", "exchange = \"bybit\""), "node.exchange: unknown exchange \"bybit\""},
      {with(all, "exchange = \"sim\"", "exchange = 1"), "node.exchange: expected \"sim\", \"binance\" or \"gateio\", got an integer"},
      {with(all, "mode = \"observe\"", "mode = \"live\""), "node.mode: unknown mode \"live\""},
      {with(all, "mode = \"observe\"\n", ""), "node.mode: missing"},
      {with(all, "account = \"t\"", "account = \"a:b\""), "node.account: must be non-empty"},
      {with(all, "storage_path = \"/tmp/ptp-test\"", "storage_path = \"\""), "node.storage_path: must not be empty"},
      {with(all, "[\"ETH\", \"BTCUSDT\"]", "[]"), "node.symbols: expected a non-empty array"},
      {with(all, "[\"ETH\", \"BTCUSDT\"]", "[\"ETH\", \"ETH-USDT\"]"), "node.symbols[2]: symbol \"ETH-USDT\""},
      {with(all, "[\"ETH\", \"BTCUSDT\"]", "[\"ETH\", \"ETH_USDT\"]"), "node.symbols[2]: ETH_USDT is listed twice"},
      {with(all, "[\"ETH\", \"BTCUSDT\"]", "[\"ETH\", 5]"), "node.symbols[2]: expected a symbol string, got an integer"},
      {with(all, "[\"ETH\", \"BTCUSDT\"]", "[\"ETH\", \"BTC\", \"SOL\"]"), "node.symbols[3]: SOL_USDT has no [[sim.instrument]]"},
      {kNode + "log_level = \"loud\"\n" + kSim, "node.log_level: expected one of trace"},
      {kNode + "latency_mode = \"fast\"\n" + kSim, "node.latency_mode: unknown latency mode \"fast\" (expected sleep or spin)"},
      {kNode + "latency_mode = 1\n" + kSim, "node.latency_mode: expected \"sleep\" or \"spin\", got an integer"},
      {kNode + "default_stop_pct = 0\n" + kSim, "node.default_stop_pct: must be greater than 0 and less than 100"},
      {kNode + "order_budget_pct = 0\n" + kSim, "node.order_budget_pct: expected a whole percentage from 1 to 100"},
      {kNode + "order_budget_pct = 50.5\n" + kSim, "node.order_budget_pct: expected a whole percentage from 1 to 100"},
      {kNode + "default_stop_pct = \"2%\"\n" + kSim, "node.default_stop_pct: expected a percentage of the entry price; decimal \"2%\""},
      {kNode + "[schedule]\nagent_interval = \"15\"\n" + kSim, "schedule.agent_interval: duration \"15\" needs a unit"},
      {kNode + "[schedule]\nagent_interval = 900\n" + kSim, "schedule.agent_interval: expected a duration string"},
      {kNode + "[schedule]\ndedupe_window = \"0s\"\n" + kSim, "schedule.dedupe_window: must be longer than zero"},
      {kNode + "[schedule]\nhealth_check = \"5m\"\n" + kSim, "schedule.health_check: unknown key"},
      {kNode + "[plan]\nfraction_of = \"rest\"\n[[plan.stage]]\ntrigger_r = 1\nclose_fraction = \"1/3\"\n" + kSim,
       "plan.fraction_of: expected \"original\" or \"remaining\", got \"rest\""},
      {kNode + "[plan]\nextreme_tp_r = 5\n" + kSim, "plan.stage: missing; expected at least one [[plan.stage]]"},
      {kNode + "[[plan.stage]]\ntrigger_r = 1\nclose_fraction = \"1/3\"\n[[plan.stage]]\ntrigger_r = 0.5\nclose_fraction = \"1/3\"\n" + kSim,
       "plan: stage 2: trigger_r 0.5 must be greater than stage 1's trigger_r 1"},
      {kNode + "[[plan.stage]]\ntrigger_r = 1\nclose_fraction = 0.75\n[[plan.stage]]\ntrigger_r = 2\nclose_fraction = 0.5\n" + kSim,
       "plan: close fractions sum to 5/4 of the original size"},
      {kNode + "[[plan.stage]]\ntrigger_r = 1\nclose_fraction = \"one third\"\n" + kSim,
       "plan.stage[1].close_fraction: expected a fraction such as \"1/3\""},
      {kNode + "[[plan.stage]]\ntrigger_r = 1\nclose_fraction = \"1/3\"\nmove_stop_to_r = 1\n" + kSim,
       "stage 1: move_stop_to_r 1 must be below its trigger_r 1"},
      {kNode + "[[plan.stage]]\ntrigger_r = 1\nclose_fraction = \"1/3\"\nmove_stop = 0\n" + kSim,
       "plan.stage[1].move_stop: unknown key (allowed here: trigger_r, close_fraction, move_stop_to_r, trail_r)"},
      {kNode + "[[plan.stage]]\ntrigger_r = \"1.000000001\"\nclose_fraction = \"1/3\"\n" + kSim,
       "plan.stage[1].trigger_r: expected an R multiple such as 1 or \"1.5\"; decimal \"1.000000001\" has more than 8 decimal places"},
      {kNode + "[plan]\n[plan.stage]\ntrigger_r = 1\n" + kSim, "plan.stage: expected an array of tables"},
      {with(all, "tick_size = \"0.01\"", "tick_size = \"0\""), "sim.instrument[1].tick_size: must be greater than 0"},
      {with(all, "step_size = \"0.001\"", "step_size = true"), "sim.instrument[1].step_size: expected a positive decimal"},
      {with(all, "min_notional = \"20\"", "min_qty = \"0.0015\""), "sim.instrument[1]: min_qty 0.0015 is not a multiple of step_size 0.001"},
      {with(all, "contract_size = \"0.0001\"", "contract_size = \"0.0001\"\nstep_size = \"1\""), "sim.instrument[2].step_size: not used with contract_size"},
      {with(all, "min_contracts = 1", "min_contracts = 0"), "sim.instrument[2].min_contracts: must be at least 1"},
      {with(all, "symbol = \"BTC\"", "symbol = \"SOL\""), "sim.instrument[2].symbol: SOL_USDT is not in node.symbols"},
      {with(all, "seed = 3", "seed = -3"), "sim.seed: must not be negative"},
      {with(all, "seed = 3", "speed = 3"), "sim.speed: unknown key"},
      {with(all, "side = \"long\"", "side = \"up\""), "sim.position[1].side: unknown side \"up\""},
      {with(all, "stop = \"1950\"", "stop = \"2050\""), "sim.position[1].stop: sim:t:ETH_USDT:long#1: stop 2050 is on the wrong side of entry 2000"},
      {with(all, "stop = \"1950\"", "stop = \"2000\""), "stop 2000 equals the entry"},
      {with(all, "stop = \"1950\"\n", ""), "no stop order found and no default_stop_pct configured"},
      {with(all, "size = \"1.5\"", "size = \"1.5005\""), "sim.position[1].size: 1.5005 is not a multiple of the step size 0.001"},
      {with(all, "entry = \"2000\"", "entry = \"2000.005\""), "sim.position[1].entry: 2000.005 is not a multiple of the tick size 0.01"},
      {with(all, "entry = \"2000\"", "entry = 2000.0000000001"), "sim.position[1].entry: expected a positive decimal"},
      {all + "[[sim.position]]\nsymbol = \"ETH\"\nside = \"long\"\nentry = \"10\"\nsize = \"1\"\nstop = \"9\"\n",
       "sim.position[2].side: a long position on ETH_USDT is already defined"},
      {all + "[[sim.position]]\nsymbol = \"XRP\"\nside = \"long\"\nentry = \"1\"\nsize = \"1\"\nstop = \"0.9\"\n",
       "sim.position[2].symbol: XRP_USDT has no [[sim.instrument]]"},
      {kNode, "sim: missing; node.exchange = \"sim\" needs a [sim] table"},
      {all + "[exchange]\nrest_url = \"http://x\"\n", "exchange: is for binance and gateio"},
      {kBinance + "[sim]\n", "sim: is only used with node.exchange = \"sim\""},
      {with(kBinance, "[exchange]", "[exchang]"), "exchang: unknown key"},
      {with(kBinance, "http://127.0.0.1:8080", "ftp://x"), "exchange.rest_url: expected a URL starting with http:// or https://, got \"ftp://x\""},
      {with(kBinance, "ws://127.0.0.1:8081", "https://x"), "exchange.ws_url: expected a URL starting with ws:// or wss://"},
      {with(kBinance, "http://127.0.0.1:8080", "http:///path"), "exchange.rest_url: URL \"http:///path\" has no host"},
      {with(kBinance, "api_secret_env = \"S_ENV\"", "api_secret_env = \"K_ENV\""), "exchange.api_secret_env: must name a different variable"},
      {with(kBinance, "api_key_env = \"K_ENV\"\n", ""), "exchange.api_key_env: missing; expected an environment variable name"},
      {with(kBinance, "api_key_env = \"K_ENV\"", "api_key = \"K\""), "exchange.api_key: unknown key"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK_THAT(error_of(c.text), Catch::Contains(c.expected));
    CHECK_THAT(error_of(c.text), Catch::StartsWith("test.toml"));
  }
}

TEST_CASE("latency_mode spin is read from the node table", "[config]") {
  CHECK(parse(kNode + "latency_mode = \"spin\"\n" + kSim).latency_mode == config::LatencyMode::spin);
  CHECK(parse(kNode + "latency_mode = \"sleep\"\n" + kSim).latency_mode == config::LatencyMode::sleep);
}

TEST_CASE("an API secret pasted in place of a variable name is rejected without echoing it", "[config]") {
  const std::string secret = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
  const std::string msg = error_of(with(kBinance, "api_key_env = \"K_ENV\"", "api_key_env = \"" + secret + "\""));
  CHECK_THAT(msg, Catch::Contains("exchange.api_key_env: expected the NAME of an environment variable"));
  CHECK_THAT(msg, !Catch::Contains(secret));
  CHECK_THAT(msg, !Catch::Contains("vmPUZE6"));
}

TEST_CASE("the api table turns the API on with loopback defaults", "[config]") {
  const std::string all = kNode + kSim;
  CHECK_FALSE(parse(all).api.enabled);  // no [api]: no API
  const auto on = parse(all + "[api]\n").api;
  CHECK(on.enabled);
  CHECK(on.listen() == "127.0.0.1:8765");
  CHECK(on.token_env == "PTP_API_TOKEN");
  CHECK_FALSE(on.allow_remote);
  const auto set = parse(all + "[api]\nlisten = \"[::1]:0\"\ntoken_env = \"MY_TOKEN\"\nrequests_per_second = 5\n").api;
  CHECK(set.host == "::1");
  CHECK(set.port == 0);
  CHECK(set.listen() == "[::1]:0");
  CHECK(set.token_env == "MY_TOKEN");
  CHECK(set.requests_per_second == 5);
  const auto remote = parse(all + "[api]\nlisten = \"0.0.0.0:9000\"\nallow_remote = true\n").api;
  CHECK(remote.host == "0.0.0.0");
  CHECK_FALSE(parse(all + "[api]\nenabled = false\nlisten = \"10.0.0.1:1\"\n").api.enabled);
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "localhost"}) CHECK(config::is_loopback_host(host));
  for (const char* host : {"0.0.0.0", "10.0.0.1", "127.0.0", "127.0.0.256", "128.0.0.1", "::", "example.com"})
    CHECK_FALSE(config::is_loopback_host(host));
}

TEST_CASE("api errors name the key and refuse a remote listener by default", "[config]") {
  const std::string all = kNode + kSim;
  struct Case {
    std::string api;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"listen = \"0.0.0.0:8765\"\n", "api.listen: 0.0.0.0 is not a loopback address"},
      {"listen = \"8765\"\n", "api.listen: expected \"HOST:PORT\""},
      {"listen = \"127.0.0.1:99999\"\n", "api.listen: port \"99999\" is not a number from 0 to 65535"},
      {"listen = \"127.0.0.1:\"\n", "api.listen: port \"\" is not a number"},
      {"listen = 8765\n", "api.listen: expected \"HOST:PORT\""},
      {"enabled = \"yes\"\n", "api.enabled: expected true or false, got a string"},
      {"token_env = \"my token\"\n", "api.token_env: expected the NAME of an environment variable"},
      {"token = \"x\"\n", "api.token: unknown key (allowed here: enabled, listen, token_env, allow_remote"},
      {"requests_per_second = 0\n", "api.requests_per_second: must be from 1 to 100000, got 0"},
  };
  for (const auto& c : cases) {
    INFO(c.api);
    CHECK_THAT(error_of(all + "[api]\n" + c.api), Catch::Contains(c.expected));
  }
}

TEST_CASE("the guard table sets the hourly limits", "[config]") {
  CHECK_FALSE(parse(kNode + kSim).guard.configured());
  const auto g = parse(kNode + kSim + "[guard]\nmax_executions_per_hour = 20\n").guard;
  CHECK(g.max_executions_per_hour == 20u);
  CHECK_FALSE(g.max_failures_per_hour);
  CHECK_THAT(error_of(kNode + kSim + "[guard]\nmax_failures_per_hour = 0\n"),
             Catch::Contains("guard.max_failures_per_hour: must be from 1 to 1000000, got 0"));
  CHECK_THAT(error_of(kNode + kSim + "[guard]\nmax_trades = 1\n"), Catch::Contains("guard.max_trades: unknown key"));
}

TEST_CASE("the cluster table names etcd and the lease and is off when absent", "[config][cluster]") {
  CHECK_FALSE(parse(kNode + kSim).cluster);  // no [cluster]: a single node on LMDB, as ever
  const auto c = parse(kNode + kSim +
                       "[cluster]\netcd = [\"http://127.0.0.1:2379\", \"http://127.0.0.1:22379\"]\n"
                       "lease_ttl = \"3s\"\nnode_id = \"node-a\"\n")
                     .cluster;
  REQUIRE(c);
  CHECK(c->etcd == std::vector<std::string>{"http://127.0.0.1:2379", "http://127.0.0.1:22379"});
  CHECK(c->lease_ttl == std::chrono::seconds(3));
  CHECK(c->node_id == "node-a");
  CHECK(parse(kNode + kSim + "[cluster]\netcd = [\"http://e:2379\"]\nnode_id = \"b\"\n").cluster->lease_ttl ==
        std::chrono::seconds(5));
  struct Case {
    std::string cluster;
    std::string expected;
  };
  const std::string etcd = "etcd = [\"http://127.0.0.1:2379\"]\n";
  const std::vector<Case> cases = {
      {etcd + "node_id = \"a\"\nlease_ttl = \"1s\"\n", "cluster.lease_ttl: lease_ttl 1000ms is below the 2s etcd accepts"},
      {etcd + "node_id = \"a\"\nlease_ttl = \"2m\"\n", "cluster.lease_ttl: lease_ttl 120000ms is above 60s"},
      {"etcd = []\nnode_id = \"a\"\n", "cluster.etcd: expected a non-empty array of etcd client URLs"},
      {"etcd = [\"127.0.0.1:2379\"]\nnode_id = \"a\"\n", "cluster.etcd[1]: expected a URL starting with http://"},
      {etcd, "cluster.node_id"},
      {etcd + "node_id = \"a b\"\n", "cluster.node_id: expected 1 to 64 letters"},
      {etcd + "node_id = \"a\"\nttl = \"5s\"\n", "cluster.ttl: unknown key"},
  };
  for (const auto& k : cases) {
    INFO(k.cluster);
    CHECK_THAT(error_of(kNode + kSim + "[cluster]\n" + k.cluster), Catch::Contains(k.expected));
  }
}

TEST_CASE("the cluster table takes TLS files for https etcd members and checks them at load", "[config][cluster]") {
  test::TempDir dir;
  const std::string ca = dir.sub("ca.pem"), cert = dir.sub("node.pem"), key = dir.sub("node-key.pem");
  for (const auto& f : {ca, cert, key}) std::ofstream(f) << "-----BEGIN CERTIFICATE-----\n";
  const std::string https = "etcd = [\"https://10.0.0.1:2379\", \"https://10.0.0.2:2379\"]\nnode_id = \"a\"\n";
  const auto c = parse(kNode + kSim + "[cluster]\n" + https + "tls_ca = \"" + ca + "\"\ntls_cert = \"" + cert +
                       "\"\ntls_key = \"" + key + "\"\n")
                     .cluster;
  REQUIRE(c);
  CHECK(c->tls_ca == ca);
  CHECK(c->tls_cert == cert);
  CHECK(c->tls_key == key);
  CHECK(parse(kNode + kSim + "[cluster]\n" + https).cluster->tls_ca.empty());  // https with the system's CAs
  struct Case {
    std::string cluster;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {https + "tls_ca = \"" + dir.sub("missing.pem") + "\"\n", "cluster.tls_ca: cannot read"},
      {https + "tls_ca = \"" + dir.path() + "\"\n", "cluster.tls_ca: cannot read"},  // a directory
      {https + "tls_cert = \"" + cert + "\"\n", "tls_cert and tls_key go together"},
      {https + "tls_key = \"" + key + "\"\n", "tls_cert and tls_key go together"},
      {"etcd = [\"http://127.0.0.1:2379\"]\nnode_id = \"a\"\ntls_ca = \"" + ca + "\"\n",
       "cluster.tls_ca: TLS files are given but the etcd members are http://"},
      {"etcd = [\"https://10.0.0.1:2379\", \"http://10.0.0.2:2379\"]\nnode_id = \"a\"\n",
       "cluster.etcd: mixes http:// and https:// members"},
  };
  for (const auto& k : cases) {
    INFO(k.cluster);
    CHECK_THAT(error_of(kNode + kSim + "[cluster]\n" + k.cluster), Catch::Contains(k.expected));
  }
}

TEST_CASE("agent_interval 0s turns the internal agent off", "[config]") {
  CHECK(parse(kNode + "[schedule]\nagent_interval = \"0s\"\n" + kSim).agent_interval.count() == 0);
  CHECK_THAT(error_of(kNode + "[schedule]\nhealth_check_interval = \"0s\"\n" + kSim),
             Catch::Contains("schedule.health_check_interval: must be longer than zero"));
}

TEST_CASE("durations parse with units and reject everything else", "[config]") {
  CHECK(config::parse_duration("250ms") == std::chrono::milliseconds(250));
  CHECK(config::parse_duration("5m") == std::chrono::minutes(5));
  for (const char* bad : {"", "m", "5", "5 m", "-5m", "5d", "1.5s", "99999999999999999999h"}) {
    INFO(bad);
    CHECK_THROWS_AS(config::parse_duration(bad), std::invalid_argument);
  }
  CHECK(config::format_duration(std::chrono::minutes(15)) == "15m");
  CHECK(config::format_duration(std::chrono::milliseconds(1500)) == "1500ms");
}

TEST_CASE("the shipped configs load", "[config]") {
  for (const char* name : {"demo", "binance", "binance-loopback", "gateio", "gateio-loopback"}) {
    INFO(name);
    const auto cfg = config::load_config_file(std::string(PTP_SOURCE_DIR) + "/configs/" + name + ".toml");
    CHECK_FALSE(cfg.symbols.empty());
  }
  const auto demo = config::load_config_file(std::string(PTP_SOURCE_DIR) + "/configs/demo.toml");
  REQUIRE(demo.sim);
  CHECK(demo.sim->positions.size() == 3);
  CHECK_THROWS_WITH(config::load_config_file("/nonexistent/ptp.toml"),
                    Catch::Contains("/nonexistent/ptp.toml: cannot open the config file"));
}

TEST_CASE("a position's entry_time for ptp-replay reads a UTC time or milliseconds and names a bad one", "[config]") {
  const std::string all = kNode + kSim;
  CHECK_FALSE(parse(all).sim->positions.at(0).entry_time_ms);
  CHECK(parse(with(all, "stop = \"1950\"", "stop = \"1950\"\nentry_time = \"2024-01-01T00:00:01.500Z\""))
            .sim->positions.at(0)
            .entry_time_ms == 1704067201500);
  CHECK(parse(with(all, "stop = \"1950\"", "stop = \"1950\"\nentry_time = 1704067200000")).sim->positions.at(0).entry_time_ms ==
        1704067200000);
  CHECK_THAT(error_of(with(all, "stop = \"1950\"", "stop = \"1950\"\nentry_time = \"yesterday\"")),
             Catch::Contains("sim.position[1].entry_time: expected a UTC time"));
}
