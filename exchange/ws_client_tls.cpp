#include <websocketpp/config/asio_client.hpp>

#include "exchange/ws_session.hpp"

namespace ptp::exchange {

template <>
void WsSession<websocketpp::config::asio_tls_client>::configure_tls() {
  client_.set_tls_init_handler([this](websocketpp::connection_hdl) {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    if (options_.ca_file.empty())
      ctx->set_default_verify_paths();
    else
      ctx->load_verify_file(options_.ca_file);
    ctx->set_verify_mode(asio::ssl::verify_peer);
    // The certificate must name the host we dialled (websocketpp itself sets SNI for clients).
    ctx->set_verify_callback(asio::ssl::host_name_verification(host_));
    return ctx;
  });
}

std::unique_ptr<WsClient::Impl> make_tls_ws(std::string name, WsClient::UrlProvider url, WsClient::OnMessage m,
                                            WsClient::OnConnect c, WsOptions o) {
  return std::make_unique<WsSession<websocketpp::config::asio_tls_client>>(std::move(name), std::move(url),
                                                                           std::move(m), std::move(c), std::move(o));
}

}  // namespace ptp::exchange
