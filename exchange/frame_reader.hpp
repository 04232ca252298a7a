// What the venues' frame parsers share under the hood: simdjson On-Demand over a reusable padded
// buffer, and a price read straight from a JSON string. Included by the parsers' .cpp files only.
#pragma once

#include <simdjson.h>

#include <cstring>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"

namespace ptp::exchange {

class FrameReader {
 public:
  FrameReader() { buffer_.resize(4096 + simdjson::SIMDJSON_PADDING); }
  // The frame as a document; valid until the next load.
  simdjson::simdjson_result<simdjson::ondemand::document> load(std::string_view frame) {
    if (buffer_.size() < frame.size() + simdjson::SIMDJSON_PADDING)
      buffer_.resize(frame.size() + simdjson::SIMDJSON_PADDING);
    std::memcpy(buffer_.data(), frame.data(), frame.size());
    std::memset(buffer_.data() + frame.size(), 0, simdjson::SIMDJSON_PADDING);
    return parser_.iterate(buffer_.data(), frame.size(), buffer_.size());
  }

 private:
  simdjson::ondemand::parser parser_;
  std::vector<char> buffer_;  // the frame plus simdjson's padding, reused
};

// A positive decimal price from a JSON string ("11794.15000000").
inline bool json_price(simdjson::ondemand::value v, core::Price& out) {
  std::string_view text;
  if (v.get_string().get(text)) return false;
  auto units = core::parse_decimal_units(text);
  if (!units || *units <= 0) return false;
  out = core::Price::from_units(*units);
  return true;
}

}  // namespace ptp::exchange
