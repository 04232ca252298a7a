#include <websocketpp/config/asio_no_tls_client.hpp>

#include "exchange/ws_session.hpp"

namespace ptp::exchange {

template <>
void WsSession<websocketpp::config::asio_client>::configure_tls() {}

std::unique_ptr<WsClient::Impl> make_plain_ws(std::string name, WsClient::UrlProvider url, WsClient::OnMessage m,
                                              WsClient::OnConnect c, WsOptions o) {
  return std::make_unique<WsSession<websocketpp::config::asio_client>>(std::move(name), std::move(url), std::move(m),
                                                                       std::move(c), std::move(o));
}

}  // namespace ptp::exchange
