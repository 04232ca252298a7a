// The gateway's door to the node under load: attach (a takeover) and detach (a step-down, a stop)
// wait only for the requests already in flight, never for a stream of new ones that overlap.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "api/node_gateway.hpp"
#include "api/standby_view.hpp"

using namespace ptp;
using namespace std::chrono_literals;

namespace {

// A standby's view whose position list takes a few milliseconds, as a read of a busy store does.
class SlowView : public api::StandbyView {
 public:
  std::atomic<int> calls{0};
  std::string why() const override { return "node b is a standby"; }
  std::vector<actors::PositionStatus> positions() override {
    ++calls;
    std::this_thread::sleep_for(5ms);  // the request's own length, not a wait for anything
    return {};
  }
  actors::HistoryPage history(const actors::HistoryQuery&) override { return {}; }
  actors::MetricsSnapshot metrics() override { return {}; }
  std::optional<core::Price> last_price(const core::Symbol&) override { return std::nullopt; }
  bool observing() override { return false; }
};

template <class Pred>
bool holds_within(Pred pred, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

}  // namespace

TEST_CASE("the gateway detaches while overlapping requests keep coming and is not held off by them", "[api]") {
  api::NodeGateway gateway(nullptr);
  auto view = std::make_shared<SlowView>();
  gateway.set_standby(view);
  std::atomic<bool> stop{false};
  std::vector<std::thread> callers;
  for (int i = 0; i < 4; ++i)
    callers.emplace_back([&] {
      while (!stop) (void)gateway.positions();
    });
  REQUIRE(holds_within([&] { return view->calls.load() >= 20; }, 10s));

  // detach() (a step-down) must wait for the requests in flight only: a few milliseconds here.
  auto detached = std::async(std::launch::async, [&] { gateway.detach(); });
  const bool in_time = detached.wait_for(3s) == std::future_status::ready;
  const int calls_at_detach = view->calls.load();
  // The callers go on being served after it.
  const bool served_after = holds_within([&] { return view->calls.load() >= calls_at_detach + 20; }, 10s);
  stop = true;
  for (auto& t : callers) t.join();
  detached.wait();
  CHECK(in_time);
  CHECK(served_after);
}
