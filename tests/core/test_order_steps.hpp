// Driving the core's state machines in tests: the exchange's answers, and the command a step must
// give (StageRun, Reconcile and TrailingMove steps alike: each has a `command` variant).
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <variant>

#include "core/order_call.hpp"

namespace ptp::test {

inline core::OrderAnswer failed(core::Reason reason, std::string code = "", std::string message = "") {
  core::OrderAnswer a;
  a.error = reason;
  a.code = std::move(code);
  a.message = std::move(message);
  return a;
}

// A lookup by client id that the exchange answers "no such order".
inline core::OrderAnswer not_found() {
  core::OrderAnswer a;
  a.ok = true;
  a.found = false;
  return a;
}

// The step's command, which must be a C (a copy: steps are temporaries).
template <class C, class Step>
C expect(const Step& step) {
  INFO("command index " << step.command.index());
  REQUIRE(std::holds_alternative<C>(step.command));
  return std::get<C>(step.command);
}

// The step sends an order: `op`, and when given, under `client_id`.
template <class Send, class Step>
core::OrderCommand sends_order(const Step& step, core::OrderCommand::Op op, const std::string& client_id = {}) {
  const auto s = expect<Send>(step);
  CHECK(s.order.op == op);
  if (!client_id.empty()) CHECK(s.order.client_id == client_id);
  return s.order;
}

}  // namespace ptp::test
