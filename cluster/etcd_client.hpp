// A blocking client of etcd's v3 JSON gateway (libcurl, through exchange::HttpClient). Not
// thread-safe: each thread that talks to etcd owns its client. A member that cannot be reached, or
// answers "unavailable" (no leader, the leader changed), is skipped for the next one in the list, and
// such a round is tried up to three times; the member that answered is tried first next time.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cluster/etcd_requests.hpp"
#include "exchange/tls_files.hpp"

namespace ptp::exchange {
class HttpClient;
}

namespace ptp::cluster {

// etcd could not be asked (no member answered), or answered with an error.
class EtcdError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TxnResult {
  bool succeeded = false;
  std::int64_t revision = 0;  // the store's revision after the txn
  nlohmann::json responses;   // the branch's responses, as the gateway sent them
};

class EtcdClient {
 public:
  // `tls`: for https:// members (the CA to trust, and a client certificate when etcd asks for one).
  explicit EtcdClient(std::vector<std::string> endpoints,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(2000),
                      const exchange::TlsFiles& tls = {});
  ~EtcdClient();
  EtcdClient(const EtcdClient&) = delete;
  EtcdClient& operator=(const EtcdClient&) = delete;

  struct Lease {
    std::int64_t id = 0;
    std::int64_t ttl_seconds = 0;
  };
  Lease grant(std::chrono::milliseconds ttl);
  // The lease's remaining TTL in seconds; 0 when etcd no longer has it (expired or revoked).
  std::int64_t keepalive(std::int64_t lease);
  void revoke(std::int64_t lease);

  TxnResult txn(const nlohmann::json& body);
  void put(const std::string& key, const std::string& value, std::int64_t lease = 0);
  std::vector<KeyValue> range(const std::string& key, bool prefix = false);
  // Every key under `prefix`, read in pages of `page` keys pinned to one revision (one snapshot,
  // however large: each request stays small and within the client's timeout). `revision` (when
  // given) gets that revision: a watch from revision + 1 misses nothing and repeats nothing.
  std::vector<KeyValue> range_all(const std::string& prefix, std::int64_t* revision = nullptr, std::int64_t page = 500);
  void remove(const std::string& key, bool prefix = false);

  // The member that answered last (for log lines).
  const std::string& endpoint() const { return endpoints_[current_]; }
  const std::vector<std::string>& endpoints() const { return endpoints_; }

  // POST `path` with a JSON body; the answer's JSON. Throws EtcdError.
  nlohmann::json call(const std::string& path, const nlohmann::json& body);

 private:
  std::vector<std::string> endpoints_;
  std::size_t current_ = 0;
  std::unique_ptr<exchange::HttpClient> http_;
};

// A watch: one streaming POST /v3/watch on its own thread and libcurl handle; each line of the
// stream (one JSON object) goes to `on_message` on that thread. The stream ends when the member
// goes away: `on_end` is called with the reason, and the owner of the watch decides what follows.
class EtcdWatch {
 public:
  EtcdWatch(std::string endpoint, nlohmann::json request, std::function<void(const WatchMessage&)> on_message,
            std::function<void(const std::string&)> on_end, exchange::TlsFiles tls = {});
  ~EtcdWatch();  // stops the stream and joins its thread
  EtcdWatch(const EtcdWatch&) = delete;
  EtcdWatch& operator=(const EtcdWatch&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ptp::cluster
