// The API's one door into the running node: request/response with a timeout to the node's actors,
// called from the HTTP server's own threads (each call uses a scoped actor; no CAF worker ever
// blocks on an HTTP client). Every execution goes to the registry with its caller, exactly as the
// health check's and the market's do: the position actors' exactly-once rules hold for everyone.
//
// A cluster node's API lives as long as its process: the node is attached while this node owns
// the account and detached when it steps down. Detached, the answers come from the standby's view
// (api/standby_view.hpp) and whatever would act is refused with 503 naming the owner.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/messages.hpp"
#include "actors/node_settings.hpp"
#include "api/group_view.hpp"

namespace caf {
class actor_system;
}
namespace ptp::actors {
struct NodeActors;
}

namespace ptp::api {

// The node did not answer in time, or an actor failed: the HTTP answer is 503 with this text.
class NodeUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class StandbyView;

class NodeGateway {
 public:
  // No node attached yet.
  explicit NodeGateway(std::shared_ptr<const actors::NodeSettings> settings,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Attached to `node` at once.
  NodeGateway(caf::actor_system& sys, const actors::NodeActors& node,
              std::shared_ptr<const actors::NodeSettings> settings,
              std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~NodeGateway();

  void attach(caf::actor_system& sys, const actors::NodeActors& node);
  // Returns once no request to the node is in flight: after it the node may stop.
  void detach();
  // What a detached gateway answers from (a cluster standby). Set before the API server starts.
  void set_standby(std::shared_ptr<StandbyView> standby) { standby_ = std::move(standby); }
  NodeGateway(const NodeGateway&) = delete;
  NodeGateway& operator=(const NodeGateway&) = delete;

  std::vector<actors::PositionStatus> positions();
  // The registry's execute, with the caller's name on it; the price is the health check's fresh one.
  actors::ExecuteReply execute(const core::Symbol& symbol, core::Side side, core::Caller caller, core::StageId stage);
  actors::MetricsSnapshot metrics();
  actors::HistoryPage history(const actors::HistoryQuery& query);
  // The price a request for `symbol` would be evaluated at now: the stream's while it is fresh, else
  // the exchange's mark (the registry's one policy for every caller).
  core::Price fresh_price(const core::Symbol& symbol);

  // Records the switch in the history (synced), then switches every position actor's mode. Switches
  // are serialized: the mode in force is always the last one recorded.
  core::ModeChange switch_mode(bool observe, std::string by, std::string reason);
  bool observing() const;
  // The switch in force (the last recorded: an operator's or the guard's, this run's or an earlier
  // one's), or none: the config's mode.
  std::optional<core::ModeChange> last_switch();

  const actors::NodeSettings& settings() const { return *settings_; }

  // A cluster node's group (none: a single node). Set before the API server starts.
  void set_group(std::function<GroupView()> group) { group_ = std::move(group); }
  std::optional<GroupView> group() const {
    if (!group_) return std::nullopt;
    return group_();
  }

 private:
  struct Impl;
  // Attached: the node's door; null while detached. Requests hold `attached_` shared while they
  // wait for the node; attach and detach hold it exclusively. std::shared_mutex lets new readers in
  // while a writer waits (glibc prefers readers), so overlapping requests could hold a step-down or
  // a takeover off for good: a request takes `turnstile_` on its way in, and attach and detach hold
  // it while they wait, so only the requests already in flight delay them.
  mutable std::mutex turnstile_;
  mutable std::shared_mutex attached_;
  std::shared_lock<std::shared_mutex> enter() const;
  std::unique_ptr<Impl> impl_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<StandbyView> standby_;
  std::shared_ptr<const actors::NodeSettings> settings_;
  std::mutex mode_mutex_;
  std::function<GroupView()> group_;
};

}  // namespace ptp::api
