// An exchange account's API key and secret, read from the environment variables the config names
// (never from the config itself). Both adapters sign with them; nothing logs them.
#pragma once

#include <string>

#include "core/config/config.hpp"

namespace ptp::exchange {

struct Credentials {
  std::string api_key;
  std::string secret;
  // Reads the variables the config names. Throws std::runtime_error naming a missing variable
  // (never printing a value).
  static Credentials from_env(const config::ExchangeEndpoints& endpoints);
};

}  // namespace ptp::exchange
