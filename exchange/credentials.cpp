#include "exchange/credentials.hpp"

#include <cstdlib>
#include <stdexcept>

namespace ptp::exchange {
namespace {

std::string env_or_throw(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr || *v == '\0')
    throw std::runtime_error("environment variable " + name + " is not set (the config names it for the API " +
                             "credentials)");
  return v;
}

}  // namespace

Credentials Credentials::from_env(const config::ExchangeEndpoints& endpoints) {
  return Credentials{env_or_throw(endpoints.api_key_env), env_or_throw(endpoints.api_secret_env)};
}

}  // namespace ptp::exchange
