// What the venues' REST answer parsers share: a body read with simdjson's DOM, and fields read
// exactly or not at all. A body that does not have the documented shape throws MalformedAnswer
// naming the venue, the endpoint and the field: never a half-read value. Decimals stay with each
// venue (Binance sends them as strings, "" for none; Gate.io as strings or JSON numbers).
// Included by the parsers' .cpp files only.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "exchange/exchange.hpp"

namespace ptp::exchange {

// An answer that does not have the documented shape: Kind::unavailable, nothing is known from it.
class MalformedAnswer : public ExchangeError {
 public:
  MalformedAnswer(std::string_view venue, std::string_view what, std::string_view detail)
      : ExchangeError(Kind::unavailable, "",
                      "malformed " + std::string(venue) + " answer (" + std::string(what) +
                          "): " + std::string(detail)) {}
};

// The field readers of one venue's parsers. `Venue::name` ("Gate.io") names the venue in every
// error; `what` names the endpoint or object being read ("futures order").
template <class Venue>
struct JsonFields {
  using element = simdjson::dom::element;

  [[noreturn]] static void malformed(std::string_view what, std::string_view detail) {
    throw MalformedAnswer(Venue::name, what, detail);
  }

  static std::string quoted(std::string_view key) { return "\"" + std::string(key) + "\""; }

  static element parse(simdjson::dom::parser& parser, std::string_view body, std::string_view what) {
    element root;
    if (auto err = parser.parse(body.data(), body.size()).get(root)) malformed(what, simdjson::error_message(err));
    return root;
  }

  static simdjson::dom::array rows(element root, std::string_view what) {
    simdjson::dom::array out;
    if (root.get(out)) malformed(what, "not an array");
    return out;
  }

  static element field(element e, std::string_view key, std::string_view what) {
    element out;
    if (e[key].get(out)) malformed(what, "no field " + quoted(key));
    return out;
  }

  static std::string_view text(element e, std::string_view key, std::string_view what) {
    std::string_view out;
    if (e[key].get(out)) malformed(what, "no string field " + quoted(key));
    return out;
  }

  // An optional string field: empty when absent; malformed when present with another type.
  static std::string_view optional_text(element e, std::string_view key, std::string_view what) {
    element v;
    if (e[key].get(v)) return {};
    std::string_view out;
    if (v.get(out)) malformed(what, "field " + quoted(key) + " is not a string");
    return out;
  }

  // "-12", "12": digits with an optional minus.
  static bool is_integer_text(std::string_view s) {
    if (s.starts_with('-')) s.remove_prefix(1);
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  }

  // A whole number sent as a JSON integer or as a string of one (ids, user ids): its digits.
  static std::string whole_number_text(element e, std::string_view key, std::string_view what) {
    const element v = field(e, key, what);
    std::int64_t n = 0;
    std::uint64_t u = 0;
    std::string_view s;
    if (!v.get(n)) return std::to_string(n);
    if (!v.get(u)) return std::to_string(u);
    if (!v.get(s) && is_integer_text(s)) return std::string(s);
    malformed(what, "field " + quoted(key) + " is not a whole number");
  }

  // A whole number as a JSON integer or a string of one ("rule":"1", "size":"-50"), within int64
  // (its minimum excluded: every caller may negate it).
  static std::int64_t integer(element e, std::string_view key, std::string_view what) {
    const std::string t = whole_number_text(e, key, what);
    std::int64_t out = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    if (ec != std::errc() || end != t.data() + t.size() || out == std::numeric_limits<std::int64_t>::min())
      malformed(what, "field " + quoted(key) + " is out of range: " + t);
    return out;
  }
};

}  // namespace ptp::exchange
