#include "exchange/frames.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

namespace ptp::exchange {
namespace od = simdjson::ondemand;

SymbolTable::SymbolTable(core::Exchange exchange, const std::vector<core::Symbol>& symbols) : symbols_(symbols) {
  for (std::size_t i = 0; i < symbols_.size(); ++i)
    sorted_.emplace_back(symbols_[i].spelled_for(exchange), static_cast<int>(i));
  std::sort(sorted_.begin(), sorted_.end());
}

int SymbolTable::find(std::string_view spelling) const {
  auto it = std::lower_bound(sorted_.begin(), sorted_.end(), spelling,
                             [](const auto& entry, std::string_view s) { return std::string_view(entry.first) < s; });
  if (it == sorted_.end() || it->first != spelling) return -1;
  return it->second;
}

std::string_view to_string(FrameResult r) {
  switch (r) {
    case FrameResult::tick: return "tick";
    case FrameResult::ignored: return "ignored";
    case FrameResult::malformed: return "malformed";
    case FrameResult::unknown_symbol: return "unknown_symbol";
    case FrameResult::bad_price: return "bad_price";
  }
  return "?";
}

struct FrameParser::Impl {
  const SymbolTable& symbols;
  od::parser parser;
  std::vector<char> buffer;  // the frame plus simdjson's padding, reused

  explicit Impl(const SymbolTable& s) : symbols(s) { buffer.resize(4096 + simdjson::SIMDJSON_PADDING); }

  simdjson::simdjson_result<od::document> load(std::string_view frame) {
    if (buffer.size() < frame.size() + simdjson::SIMDJSON_PADDING) buffer.resize(frame.size() + simdjson::SIMDJSON_PADDING);
    std::memcpy(buffer.data(), frame.data(), frame.size());
    std::memset(buffer.data() + frame.size(), 0, simdjson::SIMDJSON_PADDING);
    return parser.iterate(buffer.data(), frame.size(), buffer.size());
  }
};

namespace {

// A positive decimal price from a JSON string ("11794.15000000").
bool price_of(od::value v, core::Price& out) {
  std::string_view text;
  if (v.get_string().get(text)) return false;
  auto units = core::parse_decimal_units(text);
  if (!units || *units <= 0) return false;
  out = core::Price::from_units(*units);
  return true;
}

FrameResult binance_event(od::object obj, const SymbolTable& symbols, FrameTick& out) {
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
    return price_of(p, out.price) ? FrameResult::tick : FrameResult::bad_price;
  }
  od::value b, a;
  core::Price bid, ask;
  if (obj.find_field_unordered("b").get(b) || !price_of(b, bid)) return FrameResult::bad_price;
  if (obj.find_field_unordered("a").get(a) || !price_of(a, ask)) return FrameResult::bad_price;
  out.price = core::Price::from_units(bid.units() / 2 + ask.units() / 2);
  return FrameResult::tick;
}

}  // namespace

FrameParser::FrameParser(const SymbolTable& symbols) : impl_(std::make_unique<Impl>(symbols)) {}
FrameParser::~FrameParser() = default;

FrameResult FrameParser::parse_binance(std::string_view frame, FrameTick& out) {
  od::document doc;
  if (impl_->load(frame).get(doc)) return FrameResult::malformed;
  od::object obj;
  if (doc.get_object().get(obj)) return FrameResult::malformed;
  od::value data;
  auto wrapped = obj.find_field_unordered("data");
  if (wrapped.error() == simdjson::SUCCESS) {
    if (wrapped.get(data)) return FrameResult::malformed;
    od::object inner;
    if (data.get_object().get(inner)) return FrameResult::malformed;
    return binance_event(inner, impl_->symbols, out);
  }
  if (wrapped.error() != simdjson::NO_SUCH_FIELD) return FrameResult::malformed;
  obj.reset();
  // {"result":null,"id":1} acknowledges a subscription: no "e" field.
  auto e = obj.find_field_unordered("e");
  if (e.error() == simdjson::NO_SUCH_FIELD) return FrameResult::ignored;
  obj.reset();
  return binance_event(obj, impl_->symbols, out);
}

FrameResult FrameParser::parse_gateio(std::string_view frame, std::vector<FrameTick>& out) {
  od::document doc;
  if (impl_->load(frame).get(doc)) return FrameResult::malformed;
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
    if (!price_of(p, tick.price)) {
      status = FrameResult::bad_price;
      continue;
    }
    out.push_back(tick);
    if (status == FrameResult::ignored) status = FrameResult::tick;
  }
  return status;
}

}  // namespace ptp::exchange
