#include "exchange/gateio/frames.hpp"

#include "exchange/frame_reader.hpp"
#include "exchange/gateio/symbols.hpp"

namespace ptp::exchange::gateio {

namespace od = simdjson::ondemand;

SymbolTable symbol_table(const std::vector<core::Symbol>& symbols) { return SymbolTable(symbols, contract_name); }

struct FrameParser::Impl {
  const SymbolTable& symbols;
  FrameReader reader;
};

FrameParser::FrameParser(const SymbolTable& symbols) : impl_(std::make_unique<Impl>(Impl{symbols, {}})) {}
FrameParser::~FrameParser() = default;

FrameResult FrameParser::parse(std::string_view frame, std::vector<FrameTick>& out) {
  od::document doc;
  if (impl_->reader.load(frame).get(doc)) return FrameResult::malformed;
  od::object obj;
  if (doc.get_object().get(obj)) return FrameResult::malformed;
  std::string_view channel, event;
  if (obj.find_field_unordered("channel").get_string().get(channel)) return FrameResult::malformed;
  if (channel != "futures.tickers") return FrameResult::ignored;
  if (obj.find_field_unordered("event").get_string().get(event)) return FrameResult::malformed;
  if (event != "update") return FrameResult::ignored;
  std::int64_t time_ms = 0;
  // Absent is fine; any other error leaves On-Demand's iterator unusable (the next lookup would
  // read through it: found by fuzzing), so the frame is malformed.
  if (const auto e = obj.find_field_unordered("time_ms").get_int64().get(time_ms)) {
    if (e != simdjson::NO_SUCH_FIELD) return FrameResult::malformed;
    time_ms = 0;
  }
  od::array result;
  if (obj.find_field_unordered("result").get_array().get(result)) return FrameResult::malformed;
  FrameResult status = FrameResult::ignored;
  for (auto element : result) {
    od::object t;
    if (element.get_object().get(t)) return FrameResult::malformed;
    std::string_view contract;
    if (t.find_field_unordered("contract").get_string().get(contract)) return FrameResult::malformed;
    FrameTick tick;
    tick.event_time_ms = time_ms;
    tick.symbol = impl_->symbols.find(contract);
    od::value p;
    if (t.find_field_unordered("mark_price").get(p)) return FrameResult::malformed;
    if (tick.symbol < 0) {
      status = FrameResult::unknown_symbol;
      continue;
    }
    if (!json_price(p, tick.price)) {
      status = FrameResult::bad_price;
      continue;
    }
    out.push_back(tick);
    if (status == FrameResult::ignored) status = FrameResult::tick;
  }
  return status;
}

}  // namespace ptp::exchange::gateio
