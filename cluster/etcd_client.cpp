#include "cluster/etcd_client.hpp"

#include <curl/curl.h>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "exchange/http_client.hpp"

namespace ptp::cluster {

using nlohmann::json;

EtcdClient::EtcdClient(std::vector<std::string> endpoints, std::chrono::milliseconds timeout,
                       const exchange::TlsFiles& tls)
    : endpoints_(std::move(endpoints)), http_(std::make_unique<exchange::HttpClient>(timeout, tls)) {
  if (endpoints_.empty()) throw std::invalid_argument("no etcd endpoint");
  for (auto& e : endpoints_)
    while (!e.empty() && e.back() == '/') e.pop_back();
}

EtcdClient::~EtcdClient() = default;

json EtcdClient::call(const std::string& path, const json& body) {
  const std::string text = body.dump();
  std::string failures;
  // A member that cannot be reached, or that answers "unavailable" (HTTP 503, gRPC code 14: no leader
  // yet, the leader changed), is passed over for the next; when every member said so, the round is
  // tried again twice, 100 ms apart (an election takes about a second). Every write here is the same
  // write when repeated (a put of the same bytes, or a compare that the first try decides).
  for (int round = 0; round < 3; ++round) {
    if (round > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    for (std::size_t tried = 0; tried < endpoints_.size(); ++tried) {
      const std::size_t at = (current_ + tried) % endpoints_.size();
      exchange::HttpResponse r;
      try {
        r = http_->request("POST", endpoints_[at] + path, {"Content-Type: application/json"}, text);
      } catch (const exchange::HttpError& e) {
        failures += (failures.empty() ? "" : "; ") + endpoints_[at] + ": " + e.what();
        continue;
      }
      json answer = json::parse(r.body, nullptr, false);
      if (r.status == 503 || (!answer.is_discarded() && answer.value("code", 0) == 14)) {
        failures += (failures.empty() ? "" : "; ") + endpoints_[at] + ": unavailable: " + r.body.substr(0, 120);
        continue;
      }
      current_ = at;
      if (answer.is_discarded())
        throw EtcdError("etcd " + endpoints_[at] + path + " answered HTTP " + std::to_string(r.status) +
                        " with no JSON: " + r.body.substr(0, 200));
      if (r.status != 200 || answer.contains("error") || answer.contains("code"))
        throw EtcdError("etcd " + endpoints_[at] + path + " answered HTTP " + std::to_string(r.status) + ": " +
                        answer.dump().substr(0, 300));
      return answer;
    }
  }
  throw EtcdError("no etcd member answered " + path + ": " + failures);
}

EtcdClient::Lease EtcdClient::grant(std::chrono::milliseconds ttl) {
  const auto seconds = (ttl.count() + 999) / 1000;
  const json a = call("/v3/lease/grant", json{{"TTL", std::to_string(seconds)}});
  Lease out{int64_of(a, "ID"), int64_of(a, "TTL")};
  if (out.id == 0) throw EtcdError("etcd granted no lease: " + a.dump());
  return out;
}

std::int64_t EtcdClient::keepalive(std::int64_t lease) {
  const json a = call("/v3/lease/keepalive", json{{"ID", std::to_string(lease)}});
  const json& r = a.contains("result") ? a["result"] : a;
  return int64_of(r, "TTL");  // absent or 0: the lease is gone
}

void EtcdClient::revoke(std::int64_t lease) { call("/v3/lease/revoke", json{{"ID", std::to_string(lease)}}); }

TxnResult EtcdClient::txn(const json& body) {
  const json a = call("/v3/kv/txn", body);
  TxnResult out;
  out.succeeded = a.value("succeeded", false);
  if (a.contains("header")) out.revision = int64_of(a["header"], "revision");
  out.responses = a.value("responses", json::array());
  return out;
}

void EtcdClient::put(const std::string& key, const std::string& value, std::int64_t lease) {
  call("/v3/kv/put", put_request(key, value, lease));
}

std::vector<KeyValue> EtcdClient::range(const std::string& key, bool prefix) {
  const json a = call("/v3/kv/range", range_request(key, prefix));
  std::vector<KeyValue> out;
  for (const auto& kv : a.value("kvs", json::array())) out.push_back(key_value_of(kv));
  return out;
}

std::vector<KeyValue> EtcdClient::range_all(const std::string& prefix, std::int64_t* revision, std::int64_t page) {
  std::vector<KeyValue> out;
  std::int64_t at = 0;  // the snapshot's revision, from the first page on
  std::string from = prefix;
  for (;;) {
    const json a = call("/v3/kv/range", range_page_request(prefix, from, page, at));
    if (at == 0) at = int64_of(a.value("header", json::object()), "revision");
    const json kvs = a.value("kvs", json::array());
    for (const auto& kv : kvs) out.push_back(key_value_of(kv));
    if (!a.value("more", false) || kvs.empty()) break;
    from = out.back().key + std::string(1, '\0');  // the next key after the last one read
  }
  if (revision) *revision = at;
  return out;
}

void EtcdClient::remove(const std::string& key, bool prefix) {
  call("/v3/kv/deleterange", range_request(key, prefix));
}

// The watch stream ------------------------------------------------------------------------------

struct EtcdWatch::Impl {
  std::string url;
  std::string body;
  std::function<void(const WatchMessage&)> on_message;
  std::function<void(const std::string&)> on_end;
  std::atomic<bool> stopping{false};
  std::string pending;  // a line not complete yet
  exchange::TlsFiles tls;
  std::thread thread;
  // The stream's socket while libcurl has it open: stop() shuts it down, which ends the transfer at
  // once (libcurl's progress callback alone comes only about once a second, and a takeover waits
  // for the old stream to end).
  std::mutex socket_mu;
  curl_socket_t socket = CURL_SOCKET_BAD;

  static curl_socket_t open_socket(void* user, curlsocktype, curl_sockaddr* address) {
    auto* self = static_cast<Impl*>(user);
    const curl_socket_t fd = ::socket(address->family, address->socktype, address->protocol);
    std::lock_guard lock(self->socket_mu);
    self->socket = fd;
    if (self->stopping.load() && fd != CURL_SOCKET_BAD) ::shutdown(fd, SHUT_RDWR);
    return fd;
  }
  static int close_socket(void* user, curl_socket_t fd) {
    auto* self = static_cast<Impl*>(user);
    std::lock_guard lock(self->socket_mu);
    if (self->socket == fd) self->socket = CURL_SOCKET_BAD;
    return ::close(fd);
  }
  void stop() {
    stopping = true;
    std::lock_guard lock(socket_mu);
    if (socket != CURL_SOCKET_BAD) ::shutdown(socket, SHUT_RDWR);
  }

  static size_t on_data(char* data, size_t size, size_t n, void* user) {
    auto* self = static_cast<Impl*>(user);
    self->pending.append(data, size * n);
    for (std::size_t nl; (nl = self->pending.find('\n')) != std::string::npos;) {
      const std::string line = self->pending.substr(0, nl);
      self->pending.erase(0, nl + 1);
      if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
      try {
        self->on_message(parse_watch_line(line));
      } catch (const std::invalid_argument&) {
        // not a line of ours: ignore it (the gateway only sends JSON objects)
      }
    }
    return size * n;
  }
  // Called by libcurl about once a second and on every transfer: ends the stream when asked to.
  static int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<Impl*>(user)->stopping.load() ? 1 : 0;
  }

  void run() {
    CURL* c = curl_easy_init();
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    exchange::apply_tls(c, tls);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    // A member that stops answering (stopped, partitioned) ends the stream within a few seconds.
    curl_easy_setopt(c, CURLOPT_TCP_KEEPIDLE, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPINTVL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Impl::on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &Impl::on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, this);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, &Impl::open_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, this);
    curl_easy_setopt(c, CURLOPT_CLOSESOCKETFUNCTION, &Impl::close_socket);
    curl_easy_setopt(c, CURLOPT_CLOSESOCKETDATA, this);
    const CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    if (stopping.load()) return;
    on_end(rc == CURLE_OK ? "the watch stream ended (HTTP " + std::to_string(status) + ")"
                          : std::string("the watch stream failed: ") + curl_easy_strerror(rc));
  }
};

EtcdWatch::EtcdWatch(std::string endpoint, json request, std::function<void(const WatchMessage&)> on_message,
                     std::function<void(const std::string&)> on_end, exchange::TlsFiles tls)
    : impl_(std::make_unique<Impl>()) {
  impl_->tls = std::move(tls);
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  impl_->url = endpoint + "/v3/watch";
  impl_->body = request.dump();
  impl_->on_message = std::move(on_message);
  impl_->on_end = std::move(on_end);
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

EtcdWatch::~EtcdWatch() {
  impl_->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace ptp::cluster
