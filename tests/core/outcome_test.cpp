#include <catch2/catch.hpp>

#include "core/outcome.hpp"

using namespace ptp::core;

TEST_CASE("an outcome's reason is typed: its token, the exchange's code and message beside it", "[outcome]") {
  const Outcome rejected{OutcomeKind::failed, Reason::rejected, "-2022", "ReduceOnly Order is rejected."};
  CHECK(rejected.str() == "failed:rejected -2022 ReduceOnly Order is rejected.");
  const Outcome no_price{OutcomeKind::failed, Reason::no_price, {}, "the exchange did not answer"};
  CHECK(no_price.str() == "failed:no_price: the exchange did not answer");
  CHECK(Outcome{OutcomeKind::skipped, Reason::below_min_qty}.str() == "skipped:below_min_qty");
  CHECK(Outcome{OutcomeKind::success}.str() == "success");
  CHECK(Outcome{OutcomeKind::failed, Reason::unavailable, {}, "HTTP 503"}.str() == "failed:unavailable HTTP 503");
  for (int i = static_cast<int>(Reason::below_min_qty); i < static_cast<int>(Reason::other); ++i)
    CHECK(parse_reason(to_string(static_cast<Reason>(i))) == static_cast<Reason>(i));
  CHECK(parse_reason("not_owner") == Reason::not_owner);
  CHECK_FALSE(parse_reason("storage_full"));
}

TEST_CASE("a reason recorded as a line of text reads back typed", "[outcome]") {
  for (const Outcome& o :
       {Outcome{OutcomeKind::failed, Reason::rejected, "-2022", "ReduceOnly Order is rejected."},
        Outcome{OutcomeKind::failed, Reason::intent_not_sent, {}, "the close never reached the exchange"},
        Outcome{OutcomeKind::failed, Reason::storage}, Outcome{OutcomeKind::skipped, Reason::below_min_notional},
        Outcome{OutcomeKind::failed, Reason::timeout, {}, "timed out waiting for the exchange"}}) {
    INFO(o.str());
    CHECK(Outcome::from_text(o.kind, o.str().substr(o.str().find(':') + 1)) == o);
  }
  // Words that are no reason stay as they were, whole.
  const Outcome old = Outcome::from_text(OutcomeKind::failed, "close canceled with nothing filled");
  CHECK(old.reason == Reason::other);
  CHECK(old.str() == "failed:close canceled with nothing filled");
}
