#include "cluster/etcd_requests.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace ptp::cluster {

using nlohmann::json;

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string unbase64(std::string_view text) {
  if (text.size() % 4 != 0) throw std::invalid_argument("base64 text of a length not a multiple of 4");
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) throw std::invalid_argument("not base64");
  // EVP_DecodeBlock counts the padding's bytes as data: drop one per '='.
  std::size_t len = static_cast<std::size_t>(n);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --len;
  out.resize(len);
  return out;
}

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto& last = end.back();
    if (static_cast<unsigned char>(last) < 0xff) {
      last = static_cast<char>(static_cast<unsigned char>(last) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key
}

std::int64_t int64_of(const json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return 0;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (it->is_string()) return std::stoll(it->get<std::string>());
  throw std::invalid_argument(std::string("etcd field ") + field + " is neither a number nor a string");
}

KeyValue key_value_of(const json& kv) {
  KeyValue out;
  if (kv.contains("key")) out.key = unbase64(kv["key"].get<std::string>());
  if (kv.contains("value")) out.value = unbase64(kv["value"].get<std::string>());
  out.create_revision = int64_of(kv, "create_revision");
  out.mod_revision = int64_of(kv, "mod_revision");
  out.lease = int64_of(kv, "lease");
  return out;
}

json put_request(const std::string& key, const std::string& value, std::int64_t lease) {
  json put{{"key", base64(key)}, {"value", base64(value)}};
  if (lease != 0) put["lease"] = std::to_string(lease);
  return put;
}

json range_request(const std::string& key, bool prefix) {
  json r{{"key", base64(key)}};
  if (prefix) r["range_end"] = base64(prefix_end(key));
  return r;
}

json range_page_request(const std::string& prefix, const std::string& from, std::int64_t limit,
                        std::int64_t revision) {
  json r{{"key", base64(from)}, {"range_end", base64(prefix_end(prefix))}, {"limit", std::to_string(limit)}};
  if (revision != 0) r["revision"] = std::to_string(revision);
  return r;
}

json campaign_txn(const std::string& owner_key, const std::string& value, std::int64_t lease) {
  return json{
      {"compare", json::array({json{{"key", base64(owner_key)}, {"target", "CREATE"}, {"result", "EQUAL"},
                                    {"create_revision", "0"}}})},
      {"success", json::array({json{{"request_put", put_request(owner_key, value, lease)}}})},
      {"failure", json::array({json{{"request_range", range_request(owner_key)}}})},
  };
}

std::int64_t campaign_won_at(bool succeeded, std::int64_t revision, const json& responses, std::int64_t lease) {
  if (succeeded) return revision;
  if (!responses.is_array() || responses.empty()) return 0;
  const json range = responses.at(0).value("response_range", json::object());
  const json kvs = range.value("kvs", json::array());
  if (kvs.empty()) return 0;
  const KeyValue holder = key_value_of(kvs.at(0));
  return holder.lease == lease ? holder.create_revision : 0;
}

json fenced_put_txn(const std::string& owner_key, std::int64_t owner_create_revision,
                    const std::vector<std::pair<std::string, std::string>>& puts) {
  json success = json::array();
  for (const auto& [k, v] : puts) success.push_back(json{{"request_put", put_request(k, v)}});
  return json{
      {"compare", json::array({json{{"key", base64(owner_key)}, {"target", "CREATE"}, {"result", "EQUAL"},
                                    {"create_revision", std::to_string(owner_create_revision)}}})},
      {"success", std::move(success)},
      {"failure", json::array({json{{"request_range", range_request(owner_key)}}})},
  };
}

json watch_request(const std::string& key, std::int64_t start_revision, bool prefix) {
  json create{{"key", base64(key)}};
  if (prefix) create["range_end"] = base64(prefix_end(key));
  if (start_revision > 0) create["start_revision"] = std::to_string(start_revision);
  return json{{"create_request", std::move(create)}};
}

WatchMessage parse_watch_line(std::string_view line) {
  const json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw std::invalid_argument("a watch line that is not a JSON object");
  WatchMessage out;
  if (auto e = j.find("error"); e != j.end()) {
    out.error = e->dump();
    return out;
  }
  const json& r = j.contains("result") ? j["result"] : j;
  out.created = r.value("created", false);
  out.canceled = r.value("canceled", false);
  if (r.contains("header")) out.revision = int64_of(r["header"], "revision");
  if (auto events = r.find("events"); events != r.end())
    for (const auto& ev : *events)
      out.events.push_back(WatchEvent{ev.value("type", std::string()) == "DELETE", key_value_of(ev.value("kv", json::object()))});
  return out;
}

}  // namespace ptp::cluster
