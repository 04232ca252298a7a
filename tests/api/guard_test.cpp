// The rollout guard: past its hourly limit the node switches itself to observe, says why in
// status and metrics, and stays there across a restart until an operator switches it back.
#include <catch2/catch.hpp>

#include "api_fixture.hpp"
#include "core/rollout_guard.hpp"

using namespace ptp;
using test::ApiNode;
using test::Json;

TEST_CASE("the guard counts executions and failures in a sliding hour", "[guard]") {
  core::RolloutGuard guard(core::GuardLimits{2, 1});
  const auto t0 = core::RolloutGuard::Clock::now();
  CHECK_FALSE(guard.record(core::OutcomeKind::success, t0));
  CHECK_FALSE(guard.record(core::OutcomeKind::recently_executed, t0));
  CHECK_FALSE(guard.record(core::OutcomeKind::skipped, t0));
  CHECK(guard.executions(t0) == 2);
  CHECK(guard.executions(t0 + std::chrono::minutes(61)) == 0);  // out of the window
  CHECK_FALSE(guard.record(core::OutcomeKind::success, t0 + std::chrono::minutes(61)));
  CHECK_FALSE(guard.record(core::OutcomeKind::success, t0 + std::chrono::minutes(62)));
  const auto trip = guard.record(core::OutcomeKind::success, t0 + std::chrono::minutes(63));
  REQUIRE(trip);
  CHECK_THAT(*trip, Catch::Contains("3 stage executions in the last hour, more than max_executions_per_hour = 2"));
  CHECK(guard.executions(t0 + std::chrono::minutes(63)) == 0);  // afresh after a trip
  CHECK_FALSE(guard.record(core::OutcomeKind::failed, t0 + std::chrono::minutes(64)));
  CHECK(guard.record(core::OutcomeKind::failed, t0 + std::chrono::minutes(64)));
  CHECK_FALSE(core::RolloutGuard(core::GuardLimits{}).record(core::OutcomeKind::failed, t0));
}

TEST_CASE("the guard trips to observe and stays there across a restart", "[api][guard]") {
  test::TempDir dir;
  const auto cfg = test::node_config("execute", test::kEthLong + "[guard]\nmax_executions_per_hour = 1\n");
  auto sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
  const std::string key = "sim%3At%3AETH_USDT%3Along%231";
  {
    ApiNode api(cfg, sim, dir.path());
    REQUIRE(api.node().reconcile().adopted == 1);
    sim->set_mark(test::kEth, core::Price::parse("2110"));
    CHECK(Json::parse(api.post("/v1/positions/" + key + "/stages/1/execute", "").body)["outcome"] == "success");
    CHECK(Json::parse(api.get("/v1/status").body)["mode"] == "execute");
    CHECK(Json::parse(api.post("/v1/positions/" + key + "/stages/2/execute", "").body)["outcome"] == "success");
    const Json status = Json::parse(api.get("/v1/status").body);
    INFO(status.dump());
    CHECK(status["mode"] == "observe");
    CHECK(status["guard"]["tripped"] == true);
    CHECK_THAT(status["guard"]["reason"].get<std::string>(),
               Catch::Contains("2 stage executions in the last hour, more than max_executions_per_hour = 1"));
    CHECK_THAT(api.get("/metrics").body, Catch::Contains("ptp_guard_tripped 1\n"));
    sim->set_mark(test::kEth, core::Price::parse("2160"));
    CHECK(Json::parse(api.post("/v1/positions/" + key + "/stages/3/execute", "").body)["outcome"] == "observe_only");
  }
  {
    ApiNode api(cfg, sim, dir.path());
    REQUIRE(api.node().reconcile().resumed == 1);
    const Json status = Json::parse(api.get("/v1/status").body);
    CHECK(status["mode"] == "observe");
    CHECK(status["guard"]["tripped"] == true);
    CHECK(Json::parse(api.post("/v1/positions/" + key + "/stages/3/execute", "").body)["outcome"] == "observe_only");
    CHECK(api.put("/v1/mode", R"({"mode":"execute","reason":"checked the executions: all expected"})").status == 200);
    const Json after = Json::parse(api.get("/v1/status").body);
    CHECK(after["mode"] == "execute");
    CHECK(after["guard"]["tripped"] == false);
    CHECK_THAT(api.get("/metrics").body, Catch::Contains("ptp_guard_tripped 0\n"));
  }
}
