// The config of a ptp-node process that trades ETH on a simulator face over loopback, as the fault
// table and the cluster tests start it: health checks every second, 1/3 at 1R (stop to breakeven)
// and 1/3 at 2R (stop to +1R), the extreme take-profit at 5R, keys from the named variables.
#pragma once

#include <fmt/format.h>

#include <string>

#include "tests/support/plan_toml.hpp"

namespace ptp::test {

struct LoopbackNode {
  std::string exchange = "binance";
  std::string account;
  std::string data_dir;
  std::string rest_url;
  std::string ws_url;
  std::string key_env;
  std::string secret_env;
};

inline std::string loopback_node_toml(const LoopbackNode& n) {
  return fmt::format(R"(
[node]
exchange = "{}"
account = "{}"
mode = "execute"
storage_path = "{}"
log_level = "info"
symbols = ["ETH"]
[schedule]
health_check_interval = "1s"
agent_interval = "1h"
dedupe_window = "30s"
metrics_interval = "1h"
[exchange]
rest_url = "{}"
ws_url = "{}"
api_key_env = "{}"
api_secret_env = "{}"
[plan]
fraction_of = "original"
extreme_tp_r = 5
)",
                     n.exchange, n.account, n.data_dir, n.rest_url, n.ws_url, n.key_env, n.secret_env) +
         two_stages_toml();
}

}  // namespace ptp::test
