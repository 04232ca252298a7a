#include "app/ctl_http.hpp"

#include <curl/curl.h>

#include <memory>

namespace ptp::ctl {

Reply call(const std::string& method, const std::string& url, const std::string& token, const std::string& body) {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw Unreachable("cannot initialise libcurl");
  Reply out;
  const std::string auth = "Authorization: Bearer " + token;
  curl_slist* headers = curl_slist_append(nullptr, auth.c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> header_list(headers, curl_slist_free_all);
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  if (method != "GET") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5'000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 60'000L);  // an execute may wait on the exchange
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, +[](char* p, size_t s, size_t n, void* ud) {
    static_cast<std::string*>(ud)->append(p, s * n);
    return s * n;
  });
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) throw Unreachable("cannot reach the node at " + url + ": " + curl_easy_strerror(rc));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

std::string escape(const std::string& segment) {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  char* e = curl_easy_escape(curl.get(), segment.c_str(), static_cast<int>(segment.size()));
  std::string out = e ? e : segment;
  curl_free(e);
  return out;
}

}  // namespace ptp::ctl
