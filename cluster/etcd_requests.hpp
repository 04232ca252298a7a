// The etcd v3 JSON gateway's request bodies and answers, as values: no I/O here. Keys and values
// travel base64-encoded and every int64 is a decimal string (the gateway's JSON mapping of protobuf).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ptp::cluster {

std::string base64(std::string_view bytes);
// Throws std::invalid_argument on text that is not base64.
std::string unbase64(std::string_view text);

// Where a group keeps its state in etcd: one election, its members and its history per exchange and
// account.
struct GroupKeys {
  std::string exchange;
  std::string account;

  std::string owner() const { return "/ptp/owner/" + exchange + "/" + account; }
  std::string members() const { return "/ptp/members/" + exchange + "/" + account + "/"; }
  std::string member(std::string_view node_id) const { return members() + std::string(node_id); }
  std::string history() const { return "/ptp/history/" + exchange + "/" + account + "/"; }
  std::string position(std::string_view position_key) const { return history() + "pos/" + std::string(position_key); }
  std::string stage(std::string_view position_key, std::uint32_t stage) const {
    return history() + "stage/" + std::string(position_key) + "/" + std::to_string(stage);
  }
  // One outcome of a stage (an intent, a result), kept for good as LMDB's event log keeps it.
  std::string event(std::string_view position_key, std::int64_t at_ns, std::uint32_t stage, unsigned state) const {
    char tail[48];
    std::snprintf(tail, sizeof tail, "/%020lld/%03u/%u", static_cast<long long>(at_ns), stage, state);
    return history() + "event/" + std::string(position_key) + tail;
  }
};

// The end of the key range holding every key that starts with `prefix` (etcd's range_end).
std::string prefix_end(std::string_view prefix);

// One key-value as etcd reports it.
struct KeyValue {
  std::string key;
  std::string value;
  std::int64_t create_revision = 0;
  std::int64_t mod_revision = 0;
  std::int64_t lease = 0;
};
// Reads {"key","value","create_revision",...} (absent fields are zero/empty, as the gateway omits them).
KeyValue key_value_of(const nlohmann::json& kv);
std::int64_t int64_of(const nlohmann::json& j, const char* field);  // "123" or 123; absent: 0

// The election: create the owner key bound to `lease` if nobody holds it; else read who does.
nlohmann::json campaign_txn(const std::string& owner_key, const std::string& value, std::int64_t lease);

// What a campaign's txn answer means for the node that sent it with `lease`: the owner key's create
// revision when the key is its own (created by this txn, whose revision is `revision`; or found bound
// to `lease`, as a campaign repeated after an answer that never came finds its first try's key), 0
// when another lease holds it. `responses` is the txn's failure branch (a range of the owner key).
std::int64_t campaign_won_at(bool succeeded, std::int64_t revision, const nlohmann::json& responses,
                             std::int64_t lease);

// Writes that hold only while `owner_key` is still the one this node created (its create revision):
// a node that lost the election, even one that does not know it yet, cannot commit them.
nlohmann::json fenced_put_txn(const std::string& owner_key, std::int64_t owner_create_revision,
                              const std::vector<std::pair<std::string, std::string>>& puts);

nlohmann::json put_request(const std::string& key, const std::string& value, std::int64_t lease = 0);
nlohmann::json range_request(const std::string& key, bool prefix = false);
// One page of a prefix: at most `limit` keys from `from` (inclusive) to the prefix's end, as the store
// was at `revision` (0: now), so the pages of one read are one snapshot.
nlohmann::json range_page_request(const std::string& prefix, const std::string& from, std::int64_t limit,
                                  std::int64_t revision);
// Watches one key (or a prefix) from `start_revision` (0: from now).
nlohmann::json watch_request(const std::string& key, std::int64_t start_revision, bool prefix = false);

// A watch stream's line: the events it carries (a DELETE has type "DELETE"; a put has no type).
struct WatchEvent {
  bool deleted = false;
  KeyValue kv;
};
struct WatchMessage {
  bool created = false;  // the watch was set up
  bool canceled = false;
  std::int64_t revision = 0;  // the header's revision
  std::vector<WatchEvent> events;
  std::string error;  // a gateway error line ({"error":{...}})
};
// Throws std::invalid_argument on a line that is not JSON.
WatchMessage parse_watch_line(std::string_view line);

}  // namespace ptp::cluster
