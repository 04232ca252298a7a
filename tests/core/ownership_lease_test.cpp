#include <catch2/catch.hpp>

#include "core/ownership_lease.hpp"

using ptp::core::OwnershipLease;
using namespace std::chrono_literals;

namespace {
const auto t0 = OwnershipLease::Clock::time_point{} + 1000s;
}

TEST_CASE("a lease is not acted on before its grant is acknowledged", "[lease]") {
  OwnershipLease lease(5s);
  CHECK_FALSE(lease.may_act(t0));
  CHECK(lease.left(t0) == 0s);
  CHECK_FALSE(lease.deadline());
}

TEST_CASE("the deadline is the acknowledged request's send time plus TTL minus a fifth", "[lease]") {
  OwnershipLease lease(5s);
  CHECK(lease.margin() == 1s);
  CHECK(lease.keepalive_interval() == 1666ms);
  lease.acknowledged(t0);  // sent at t0, the answer may come much later: the send time counts
  REQUIRE(lease.deadline());
  CHECK(*lease.deadline() == t0 + 4s);
  CHECK(lease.may_act(t0 + 3999ms));
  CHECK_FALSE(lease.may_act(t0 + 4s));
  CHECK(lease.left(t0 + 1s) == 3s);
  CHECK(lease.left(t0 + 5s) == 0s);
}

TEST_CASE("a later keep-alive moves the deadline on and a late old one never moves it back", "[lease]") {
  OwnershipLease lease(6s);
  lease.acknowledged(t0);
  lease.acknowledged(t0 + 2s);
  CHECK(*lease.deadline() == t0 + 2s + 6s - 1200ms);
  lease.acknowledged(t0 + 1s);  // an older request's answer arriving last
  CHECK(*lease.deadline() == t0 + 2s + 6s - 1200ms);
  CHECK(lease.may_act(t0 + 6s));
}

TEST_CASE("past its deadline a node cannot act and once stepped down no keep-alive brings it back", "[lease]") {
  OwnershipLease lease(5s);
  lease.acknowledged(t0);
  CHECK_FALSE(lease.may_act(t0 + 10s));
  CHECK(lease.step_down("the lease deadline passed"));
  CHECK_FALSE(lease.step_down("again"));  // the reason is logged once
  CHECK(lease.why() == "the lease deadline passed");
  lease.acknowledged(t0 + 10s);
  CHECK_FALSE(lease.may_act(t0 + 11s));  // stepping down is for good: a new lease is a new election
  CHECK(lease.left(t0 + 11s) == 0s);
}

TEST_CASE("lease TTLs outside 2 s to 60 s are refused with the reason", "[lease]") {
  CHECK(ptp::core::check_lease_ttl(1s) == "lease_ttl 1000ms is below the 2s etcd accepts");
  CHECK_FALSE(ptp::core::check_lease_ttl(61s).empty());
  CHECK(ptp::core::check_lease_ttl(2s).empty());
  CHECK(ptp::core::check_lease_ttl(60s).empty());
  CHECK_THROWS_AS(OwnershipLease(1500ms), std::invalid_argument);
}
