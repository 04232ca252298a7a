// A URL query string or form body as the faces read it: "a=1&b=%40x" -> {a: "1", b: "@x"}, decoded
// ("+" is a space); a later key replaces an earlier one.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace ptp::exchange::loopback {

using QueryParams = std::map<std::string, std::string>;

std::string percent_decode(std::string_view in);
// Adds the pairs of `text` to `out`.
void decode_query(std::string_view text, QueryParams& out);
inline QueryParams decode_query(std::string_view text) {
  QueryParams out;
  decode_query(text, out);
  return out;
}

}  // namespace ptp::exchange::loopback
