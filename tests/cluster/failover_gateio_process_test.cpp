// Active/standby end to end over Gate.io's protocol: the same scenarios as over Binance's
// (tests/cluster/failover_steps.hpp), real ptp-node processes in one group on a real 3-member etcd
// cluster against the simulator served by its Gate.io face. Each node signs with its own KEY, so
// every order request is attributed to its sender and checked against the owner of that moment.
#include <catch2/catch.hpp>

#include "tests/cluster/cluster_rig.hpp"
#include "tests/cluster/failover_steps.hpp"

using namespace ptp;
using namespace test::cluster_rig;

using GateRig = VenueRig<test::GateioProtocol>;

TEST_CASE("over Gate.io's protocol: the owner is killed after stage 1 and the standby takes over and executes stage 2 exactly once",
          "[cluster][process][gateio]") {
  GateRig rig({"a", "b"});
  CHECK(GateRig::keys().owner() == "/ptp/owner/gateio/group");
  start_pair(rig);
  owner_killed_after_stage_1(rig);
}

TEST_CASE("over Gate.io's protocol: an owner paused just after committing a stage intent sends nothing when it resumes and steps down saying why",
          "[cluster][process][gateio]") {
  int held_back = 0;
  for (int attempt = 0; attempt < 4 && held_back == 0; ++attempt)
    held_back += paused_owner_run<test::GateioProtocol>() ? 1 : 0;
  CHECK(held_back == 1);  // at least one run paused the owner with its close still to send
}

TEST_CASE("over Gate.io's protocol: an owner that loses its etcd member stops acting and the group goes on through the other members",
          "[cluster][process][gateio]") {
  owner_loses_its_etcd_member<test::GateioProtocol>();
}

TEST_CASE("over Gate.io's protocol: two nodes started at the same moment 20 times never both own the account",
          "[cluster][process][gateio]") {
  started_together_20_times<test::GateioProtocol>();
}

// The figures over Gate.io's protocol (run by hand: `ptp_cluster_process_tests "[.figures][gateio]"`).
TEST_CASE("over Gate.io's protocol: failover figures: the owner killed again and again", "[.figures][gateio]") {
  failover_figures<test::GateioProtocol>();
}
