#include "api/node_gateway.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/node.hpp"
#include "api/standby_view.hpp"

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

NodeGateway::NodeGateway(std::shared_ptr<const actors::NodeSettings> settings, std::chrono::milliseconds timeout)
    : timeout_(timeout), settings_(std::move(settings)) {}

NodeGateway::NodeGateway(caf::actor_system& sys, const actors::NodeActors& node,
                         std::shared_ptr<const actors::NodeSettings> settings, std::chrono::milliseconds timeout)
    : NodeGateway(std::move(settings), timeout) {
  attach(sys, node);
}

NodeGateway::~NodeGateway() = default;

std::shared_lock<std::shared_mutex> NodeGateway::enter() const {
  std::lock_guard turn(turnstile_);  // held by attach/detach while they wait: no new request overtakes them
  return std::shared_lock(attached_);
}

void NodeGateway::attach(caf::actor_system& sys, const actors::NodeActors& node) {
  std::lock_guard turn(turnstile_);
  std::unique_lock lock(attached_);
  impl_.reset(new Impl{sys, node, timeout_});
}

void NodeGateway::detach() {
  std::lock_guard turn(turnstile_);
  std::unique_lock lock(attached_);
  impl_.reset();
}

namespace {

// Why a detached gateway does not do `what`: a standby names its owner; otherwise the node is not up.
[[noreturn]] void refuse(const std::shared_ptr<StandbyView>& standby, const std::string& what) {
  if (standby) throw NodeUnavailable(standby->why() + " (" + what + " is for the node that owns the account)");
  throw NodeUnavailable("the node is not running (" + what + " needs it)");
}

}  // namespace

std::vector<actors::PositionStatus> NodeGateway::positions() {
  const auto lock = enter();
  if (!impl_) {
    if (standby_) return standby_->positions();
    refuse(standby_, "the position list");
  }
  return impl_->ask<std::vector<actors::PositionStatus>>("the position list", impl_->timeout, impl_->node.registry,
                                                          actors::status_atom_v);
}

actors::ExecuteReply NodeGateway::execute(const core::Symbol& symbol, core::Side side, core::Caller caller,
                                          core::StageId stage) {
  const auto lock = enter();
  if (!impl_) refuse(standby_, "executing a stage");
  actors::ExecuteRequest req{caller, stage, std::nullopt};
  // A stage in flight may wait on the exchange's own timeouts and retries: allow it three times
  // the usual wait. Past that, the stage goes on; the history tells how it ended.
  return impl_->ask<actors::ExecuteReply>("the execute request", impl_->timeout * 3, impl_->node.registry,
                                          actors::execute_atom_v, symbol, side, req);
}

actors::MetricsSnapshot NodeGateway::metrics() {
  const auto lock = enter();
  if (!impl_) {
    if (standby_) return standby_->metrics();
    refuse(standby_, "the metrics");
  }
  return impl_->ask<actors::MetricsSnapshot>("the metrics", impl_->timeout, impl_->node.metrics, actors::get_atom_v);
}

actors::HistoryPage NodeGateway::history(const actors::HistoryQuery& query) {
  const auto lock = enter();
  if (!impl_) {
    if (standby_) return standby_->history(query);
    refuse(standby_, "the history");
  }
  return impl_->ask<actors::HistoryPage>("the history", impl_->timeout, impl_->node.persistence,
                                         actors::history_atom_v, query);
}

core::Price NodeGateway::fresh_price(const core::Symbol& symbol) {
  const auto lock = enter();
  if (!impl_) {
    if (standby_)
      if (auto p = standby_->last_price(symbol)) return *p;
    refuse(standby_, "a fresh price");
  }
  return impl_->ask<core::Price>("the price", impl_->timeout, impl_->node.registry, actors::mark_atom_v, symbol);
}

bool NodeGateway::observing() const {
  const auto lock = enter();
  if (!impl_ && standby_) return standby_->observing();
  return settings_->observe;
}

core::ModeChange NodeGateway::switch_mode(bool observe, std::string by, std::string reason) {
  std::lock_guard mode_lock(mode_mutex_);
  const auto lock = enter();
  if (!impl_) refuse(standby_, "a mode switch");
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
