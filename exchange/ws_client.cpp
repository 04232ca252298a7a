#include "exchange/ws_client.hpp"

#include "exchange/ws_impl.hpp"

namespace ptp::exchange {

WsClient::WsClient(std::string name, bool tls, UrlProvider url, OnMessage on_message, OnConnect on_connect,
                   WsOptions options) {
  impl_ = tls ? make_tls_ws(std::move(name), std::move(url), std::move(on_message), std::move(on_connect),
                            std::move(options))
              : make_plain_ws(std::move(name), std::move(url), std::move(on_message), std::move(on_connect),
                              std::move(options));
}

WsClient::~WsClient() { impl_->stop(); }
void WsClient::start() { impl_->start(); }
void WsClient::stop() { impl_->stop(); }
void WsClient::drop() { impl_->drop(); }
void WsClient::send(std::string text) { impl_->send(std::move(text)); }
WsStats WsClient::stats() const { return impl_->stats(); }
const std::string& WsClient::name() const { return impl_->name; }

}  // namespace ptp::exchange
