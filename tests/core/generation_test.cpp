#include <catch2/catch.hpp>

#include "core/generation.hpp"
#include "test_positions.hpp"

using namespace ptp::core;
using ptp::test::key_of;

TEST_CASE("a new position after a full close gets a new generation", "[generation]") {
  GenerationTracker g;
  CHECK(g.observe_open(key_of("ETH", Side::long_)).generation == 1);
  CHECK(g.observe_open(key_of("ETH", Side::long_)).generation == 1);  // still the same position
  g.observe_flat(key_of("ETH", Side::long_));
  CHECK(g.observe_open(key_of("ETH", Side::long_)).generation == 2);
}

TEST_CASE("generations are per symbol and side and ETHFI never shares ETH's", "[generation]") {
  GenerationTracker g;
  g.observe_open(key_of("ETH", Side::long_));
  g.observe_flat(key_of("ETH", Side::long_));
  CHECK(g.observe_open(key_of("ETH", Side::long_)).generation == 2);
  CHECK(g.observe_open(key_of("ETHFI", Side::long_)).generation == 1);
  CHECK(g.observe_open(key_of("ETH", Side::short_)).generation == 1);
}

TEST_CASE("restored generations continue after a restart", "[generation]") {
  GenerationTracker g;
  g.restore(key_of("ETH", Side::long_, 4), /*open=*/true);
  CHECK(g.observe_open(key_of("ETH", Side::long_)).generation == 4);
  GenerationTracker h;
  h.restore(key_of("ETH", Side::long_, 4), /*open=*/false);
  CHECK(h.observe_open(key_of("ETH", Side::long_)).generation == 5);
}
