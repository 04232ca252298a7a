#include "exchange/binance/frames.hpp"

#include "exchange/binance/symbols.hpp"
#include "exchange/frame_reader.hpp"

namespace ptp::exchange::binance {
namespace {

namespace od = simdjson::ondemand;

FrameResult event_tick(od::object obj, const SymbolTable& symbols, FrameTick& out) {
  std::string_view event;
  if (obj.find_field_unordered("e").get_string().get(event)) return FrameResult::malformed;
  const bool mark = event == "markPriceUpdate";
  const bool book = event == "bookTicker";
  if (!mark && !book) return FrameResult::ignored;
  std::int64_t time = 0;
  if (obj.find_field_unordered("E").get_int64().get(time)) return FrameResult::malformed;
  std::string_view sym;
  if (obj.find_field_unordered("s").get_string().get(sym)) return FrameResult::malformed;
  out.symbol = symbols.find(sym);
  if (out.symbol < 0) return FrameResult::unknown_symbol;
  out.event_time_ms = time;
  if (mark) {
    od::value p;
    if (obj.find_field_unordered("p").get(p)) return FrameResult::malformed;
    return json_price(p, out.price) ? FrameResult::tick : FrameResult::bad_price;
  }
  od::value b, a;
  core::Price bid, ask;
  if (obj.find_field_unordered("b").get(b) || !json_price(b, bid)) return FrameResult::bad_price;
  if (obj.find_field_unordered("a").get(a) || !json_price(a, ask)) return FrameResult::bad_price;
  out.price = core::Price::from_units(bid.units() / 2 + ask.units() / 2);
  return FrameResult::tick;
}

}  // namespace

SymbolTable symbol_table(const std::vector<core::Symbol>& symbols) { return SymbolTable(symbols, symbol_name); }

struct FrameParser::Impl {
  const SymbolTable& symbols;
  FrameReader reader;
};

FrameParser::FrameParser(const SymbolTable& symbols) : impl_(std::make_unique<Impl>(Impl{symbols, {}})) {}
FrameParser::~FrameParser() = default;

FrameResult FrameParser::parse(std::string_view frame, FrameTick& out) {
  od::document doc;
  if (impl_->reader.load(frame).get(doc)) return FrameResult::malformed;
  od::object obj;
  if (doc.get_object().get(obj)) return FrameResult::malformed;
  od::value data;
  auto wrapped = obj.find_field_unordered("data");
  if (wrapped.error() == simdjson::SUCCESS) {
    if (wrapped.get(data)) return FrameResult::malformed;
    od::object inner;
    if (data.get_object().get(inner)) return FrameResult::malformed;
    return event_tick(inner, impl_->symbols, out);
  }
  if (wrapped.error() != simdjson::NO_SUCH_FIELD) return FrameResult::malformed;
  obj.reset();
  // {"result":null,"id":1} acknowledges a subscription: no "e" field.
  auto e = obj.find_field_unordered("e");
  if (e.error() == simdjson::NO_SUCH_FIELD) return FrameResult::ignored;
  obj.reset();
  return event_tick(obj, impl_->symbols, out);
}

}  // namespace ptp::exchange::binance
