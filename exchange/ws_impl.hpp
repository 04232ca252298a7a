// What WsClient delegates to: one implementation per transport, each built in its own
// translation unit (ws_client_plain.cpp, ws_client_tls.cpp), so this header stays light.
#pragma once

#include "exchange/ws_client.hpp"

namespace ptp::exchange {

struct WsClient::Impl {
  virtual ~Impl() = default;
  virtual void start() = 0;
  virtual void stop() = 0;
  virtual void drop() = 0;
  virtual void send(std::string text) = 0;
  virtual WsStats stats() const = 0;
  std::string name;
};

std::unique_ptr<WsClient::Impl> make_plain_ws(std::string name, WsClient::UrlProvider url, WsClient::OnMessage m,
                                              WsClient::OnConnect c, WsOptions o);
std::unique_ptr<WsClient::Impl> make_tls_ws(std::string name, WsClient::UrlProvider url, WsClient::OnMessage m,
                                            WsClient::OnConnect c, WsOptions o);

}  // namespace ptp::exchange
