#include "exchange/exchange.hpp"

namespace ptp::exchange {

core::Reason reason_of(ExchangeError::Kind k) {
  switch (k) {
    case ExchangeError::Kind::rejected: return core::Reason::rejected;
    case ExchangeError::Kind::duplicate_client_id: return core::Reason::duplicate_client_id;
    case ExchangeError::Kind::timeout: return core::Reason::timeout;
    case ExchangeError::Kind::not_found: return core::Reason::not_found;
    case ExchangeError::Kind::unavailable: return core::Reason::unavailable;
  }
  return core::Reason::other;
}

std::string ExchangeError::reason() const { return core::reason_text(reason_of(kind_), code_, what()); }

core::OrderAnswer send_order(Exchange& ex, const core::OrderCommand& r) {
  using Op = core::OrderCommand::Op;
  core::OrderAnswer out;
  try {
    switch (r.op) {
      case Op::close: out.state = ex.close_market(r.symbol, r.side, r.qty, r.client_id); break;
      case Op::stop:
        out.state = ex.place_conditional(core::OrderKind::stop, r.symbol, r.side, r.trigger, r.qty, r.client_id);
        break;
      case Op::take_profit:
        out.state = ex.place_conditional(core::OrderKind::take_profit, r.symbol, r.side, r.trigger, r.qty, r.client_id);
        break;
      case Op::cancel: ex.cancel(r.symbol, r.ref); break;
      case Op::query: {
        auto st = ex.query(r.lookup());
        out.found = st.has_value();
        if (st) out.state = *st;
        break;
      }
    }
    out.ok = true;
  } catch (const ExchangeError& e) {
    out.error = reason_of(e.kind());
    out.code = e.code();
    out.message = e.what();
    out.position_smaller = e.position_smaller();
  } catch (const std::exception& e) {
    out.error = core::Reason::unavailable;
    out.message = e.what();
  }
  return out;
}

}  // namespace ptp::exchange
