// The simulator faces' JSON lists: "[a,b,...]" of each item's JSON, for both venues' answers.
#pragma once

#include <string>
#include <vector>

namespace ptp::exchange::loopback {

template <class T, class ToJson>
std::string json_array(const std::vector<T>& items, ToJson&& to_json) {
  std::string out = "[";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    out += to_json(item);
  }
  return out + "]";
}

}  // namespace ptp::exchange::loopback
