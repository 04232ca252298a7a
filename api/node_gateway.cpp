#include "api/node_gateway.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/node.hpp"

namespace ptp::api {

struct NodeGateway::Impl {
  caf::actor_system& sys;
  actors::NodeActors node;
  std::chrono::milliseconds timeout;

  // One request, awaited on the calling (HTTP) thread.
  template <class T, class Dest, class... Args>
  T ask(const char* what, std::chrono::milliseconds limit, const Dest& dest, Args&&... args) {
    caf::scoped_actor self{sys};
    std::optional<T> out;
    std::string failure;
    self->request(dest, limit, std::forward<Args>(args)...)
        .receive([&](T reply) { out = std::move(reply); },
                 [&](caf::error& e) { failure = actors::describe(e); });
    if (!out)
      throw NodeUnavailable(std::string("the node did not answer ") + what + " within " +
                            std::to_string(limit.count()) + " ms: " + failure);
    return std::move(*out);
  }
};

NodeGateway::NodeGateway(caf::actor_system& sys, const actors::NodeActors& node,
                         std::shared_ptr<const actors::NodeSettings> settings, std::chrono::milliseconds timeout)
    : impl_(new Impl{sys, node, timeout}), settings_(std::move(settings)) {}

NodeGateway::~NodeGateway() = default;

std::vector<actors::PositionStatus> NodeGateway::positions() {
  return impl_->ask<std::vector<actors::PositionStatus>>("the position list", impl_->timeout, impl_->node.registry,
                                                          actors::status_atom_v);
}

actors::ExecuteReply NodeGateway::execute(const core::Symbol& symbol, core::Side side, core::Caller caller,
                                          core::StageId stage) {
  actors::ExecuteRequest req{caller, stage, std::nullopt};
  // A stage in flight may wait on the exchange's own timeouts and retries: allow it three times
  // the usual wait. Past that, the stage goes on; the history tells how it ended.
  return impl_->ask<actors::ExecuteReply>("the execute request", impl_->timeout * 3, impl_->node.registry,
                                          actors::execute_atom_v, symbol, side, req);
}

actors::MetricsSnapshot NodeGateway::metrics() {
  return impl_->ask<actors::MetricsSnapshot>("the metrics", impl_->timeout, impl_->node.metrics, actors::get_atom_v);
}

actors::HistoryPage NodeGateway::history(const actors::HistoryQuery& query) {
  return impl_->ask<actors::HistoryPage>("the history", impl_->timeout, impl_->node.persistence,
                                         actors::history_atom_v, query);
}

core::Price NodeGateway::fresh_price(const core::Symbol& symbol) {
  return impl_->ask<core::Price>("the price", impl_->timeout, impl_->node.registry, actors::mark_atom_v, symbol);
}

core::ModeChange NodeGateway::switch_mode(bool observe, std::string by, std::string reason) {
  std::lock_guard lock(mode_mutex_);
  core::ModeChange change{observe, std::move(by), std::move(reason), core::Clock::now()};
  const bool was = settings_->observe;
  impl_->ask<bool>("the mode switch", impl_->timeout, impl_->node.persistence, actors::mode_atom_v, change);
  settings_->observe.set(observe);
  spdlog::warn("[mode] {} -> {} by {}: {}", was ? "observe" : "execute", change.mode(), change.by, change.reason);
  return change;
}

std::optional<core::ModeChange> NodeGateway::last_switch() {
  // Asked each time: the rollout guard records its switches itself.
  actors::HistoryQuery q;
  q.limit = 1;
  q.with_events = false;
  auto page = history(q);
  if (page.modes.empty()) return std::nullopt;
  return page.modes.back();
}

}  // namespace ptp::api
