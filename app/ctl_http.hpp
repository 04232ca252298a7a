// ptp-ctl's one HTTP call to the node's operator API (libcurl), with the bearer token.
#pragma once

#include <stdexcept>
#include <string>

namespace ptp::ctl {

// The node could not be reached, or did not accept the token: exit code 3.
class Unreachable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Reply {
  long status = 0;
  std::string body;
};

// Throws Unreachable when there is no answer (connection refused, timeout).
Reply call(const std::string& method, const std::string& url, const std::string& token, const std::string& body = "");

// Percent-encodes a path segment ("sim:t:ETH_USDT:long#1" -> "sim%3At%3AETH_USDT%3Along%231").
std::string escape(const std::string& segment);

}  // namespace ptp::ctl
