#include "sim/gateio/shapes.hpp"

#include <fmt/format.h>

#include "exchange/gateio/symbols.hpp"

namespace ptp::exchange::loopback::gateio_shapes {
namespace {

const char* b(bool v) { return v ? "true" : "false"; }

// A decimal as REST writes it ("2000.5") or as a frame does (2000.5).
std::string price_text(core::Price p, PriceStyle style) {
  return style == PriceStyle::string ? quoted(p.str()) : p.str();
}

// `"id":N,` when the request had one (Gate echoes it).
std::string id_field(std::optional<std::int64_t> id) { return id ? fmt::format(R"("id":{},)", *id) : std::string(); }

std::string time_fields(std::int64_t now_ms) { return fmt::format(R"("time":{},"time_ms":{})", now_ms / 1000, now_ms); }

}  // namespace

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string seconds(std::int64_t unix_ms) { return fmt::format("{}.{:03}", unix_ms / 1000, unix_ms % 1000); }

std::string contract(const ContractView& c) {
  const std::string mark = c.mark.str();
  return fmt::format(
      R"({{"name":"{}","type":"direct","quanto_multiplier":"{}","ref_discount_rate":"0","order_price_deviate":"0.5","maintenance_rate":"0.005","mark_type":"index","last_price":"{}","mark_price":"{}","index_price":"{}","funding_rate_indicative":"0.0001","mark_price_round":"{}","funding_offset":0,"in_delisting":false,"risk_limit_base":"1000000","interest_rate":"0.0003","order_price_round":"{}","order_size_min":{},"ref_rebate_rate":"0.2","funding_interval":28800,"risk_limit_step":"1000000","leverage_min":"1","leverage_max":"100","risk_limit_max":"8000000","maker_fee_rate":"-0.00025","taker_fee_rate":"0.00075","funding_rate":"0.0001","order_size_max":{},"funding_next_apply":0,"short_users":0,"config_change_time":0,"trade_size":0,"position_size":0,"long_users":0,"funding_impact_value":"60000","orders_limit":50,"trade_id":0,"orderbook_id":0,"enable_bonus":false,"enable_credit":true,"create_time":0,"funding_cap_ratio":"0.75","status":"trading","launch_time":0}})",
      gateio::contract_name(c.symbol), c.multiplier.str(), mark, mark, mark, c.tick.str(), c.tick.str(), c.size_min,
      c.size_max);
}

std::string ticker(const core::Symbol& symbol, core::Price mark) {
  const std::string m = mark.str();
  return fmt::format(
      R"({{"contract":"{}","last":"{}","mark_price":"{}","index_price":"{}","change_percentage":"0","funding_rate":"0.0001","funding_rate_indicative":"0.0001","total_size":"0","volume_24h":"0","quanto_base_rate":""}})",
      gateio::contract_name(symbol), m, m, m);
}

core::Notional PositionView::unrealized() const { return core::notional(mark - entry, base); }
core::Notional PositionView::value() const { return core::notional(mark, base.abs()); }
core::Notional PositionView::margin() const { return core::Notional::from_units(value().units() / kLeverage); }

std::string position(const PositionView& p, const std::string& user, std::int64_t now_ms) {
  const bool flat = p.size == 0;
  return fmt::format(
      R"({{"user":{},"contract":"{}","size":{},"leverage":"{}","risk_limit":"1000000","leverage_max":"100","maintenance_rate":"0.005","value":"{}","margin":"{}","entry_price":"{}","liq_price":"0","mark_price":"{}","initial_margin":"{}","maintenance_margin":"0","unrealised_pnl":"{}","realised_pnl":"{}","pnl_pnl":"{}","pnl_fund":"0","pnl_fee":"0","history_pnl":"{}","last_close_pnl":"0","realised_point":"0","history_point":"0","adl_ranking":5,"pending_orders":0,"close_order":null,"mode":"{}","cross_leverage_limit":"0","update_time":{},"open_time":{}}})",
      user, gateio::contract_name(p.symbol), p.size, kLeverage, p.value().str(), p.margin().str(),
      flat ? "0" : p.entry.str(), p.mark.str(), p.margin().str(), p.unrealized().str(), p.realized.str(),
      p.realized.str(), p.realized.str(), p.mode, now_ms / 1000, flat ? 0 : now_ms / 1000);
}

std::string ws_position(const PositionView& p, const std::string& user, std::int64_t now_ms) {
  return fmt::format(
      R"({{"contract":"{}","cross_leverage_limit":0,"entry_price":{},"history_pnl":{},"history_point":0,"last_close_pnl":0,"leverage":{},"leverage_max":100,"liq_price":0,"maintenance_rate":0.005,"margin":{},"mode":"{}","realised_pnl":{},"realised_point":0,"risk_limit":1000000,"size":{},{},"user":"{}","update_id":0}})",
      gateio::contract_name(p.symbol), p.size == 0 ? "0" : p.entry.str(), p.realized.str(), kLeverage, p.margin().str(),
      p.mode, p.realized.str(), p.size, time_fields(now_ms), user);
}

std::string account(const AccountView& a, const std::string& user) {
  const core::Notional available = a.total + a.unrealized - a.position_margin;
  return fmt::format(
      R"({{"user":{},"currency":"USDT","total":"{}","unrealised_pnl":"{}","position_margin":"{}","order_margin":"0","available":"{}","point":"0","bonus":"0","in_dual_mode":{},"enable_credit":false,"position_initial_margin":"{}","maintenance_margin":"0","enable_evolved_classic":true,"cross_initial_margin":"{}","cross_maintenance_margin":"0","cross_order_margin":"0","cross_unrealised_pnl":"{}","cross_available":"{}","cross_margin_balance":"{}","isolated_position_margin":"0","margin_mode":0,"history":{{"dnw":"10000","pnl":"{}","fee":"0","refr":"0","fund":"0","point_dnw":"0","point_fee":"0","point_refr":"0","bonus_dnw":"0","bonus_offset":"0"}}}})",
      user, a.total.str(), a.unrealized.str(), a.position_margin.str(), available.str(), b(a.dual_mode),
      a.position_margin.str(), a.position_margin.str(), a.unrealized.str(), available.str(),
      (a.total + a.unrealized).str(), (a.total - core::Notional::from_int(10'000)).str());
}

std::string order(const OrderView& o, const std::string& user, PriceStyle style) {
  const bool frame = style == PriceStyle::number;
  const bool finished = o.status == "finished";
  std::string out = fmt::format(R"({{"id":{},"user":{},"contract":"{}","create_time":{},)", o.id,
                                frame ? quoted(user) : user, gateio::contract_name(o.symbol), seconds(o.create_ms));
  if (frame) out += fmt::format(R"("create_time_ms":{},)", o.create_ms);
  if (finished) {
    out += fmt::format(R"("finish_time":{},"finish_as":"{}",)", seconds(o.finish_ms), o.finish_as);
    if (frame) out += fmt::format(R"("finish_time_ms":{},)", o.finish_ms);
  }
  const std::int64_t updated = finished ? o.finish_ms : o.create_ms;
  out += fmt::format(
      R"("update_time":{},"status":"{}","size":{},"left":{},"iceberg":0,"price":{},"fill_price":{},"tif":"{}","is_reduce_only":{},"is_close":{},"is_liq":false,"text":{},"mkfr":{},"tkfr":{},"refu":0,"refr":{},"stp_act":"-","stp_id":0,"amend_text":"-","auto_size":"","update_id":1}})",
      frame ? std::to_string(updated) : seconds(updated), o.status, o.size, o.left, frame ? "0" : R"("0")",
      price_text(o.fill_price, style), o.tif, b(o.reduce_only), b(o.close), quoted(o.text),
      frame ? "-0.00025" : R"("-0.00025")", frame ? "0.00075" : R"("0.00075")", frame ? "0" : R"("0")");
  return out;
}

std::string price_order(const PriceOrderView& o, const std::string& user) {
  return fmt::format(
      R"({{"id":{},"user":{},"create_time":{},"finish_time":{},"trade_id":0,"status":"{}","finish_as":"{}","reason":"","order_type":"{}","initial":{{"contract":"{}","size":{},"price":"0","tif":"ioc","text":{},"reduce_only":true,"is_reduce_only":true,"is_close":{},"auto_size":""}},"trigger":{{"strategy_type":{},"price_type":{},"price":"{}","rule":{},"expiration":{}}},"me_order_id":0,"stop_trigger":{{"rule":0,"trigger_price":"","order_price":""}}}})",
      o.id, user, seconds(o.create_ms), o.finish_ms == 0 ? "0" : seconds(o.finish_ms), o.status, o.finish_as,
      o.order_type, gateio::contract_name(o.symbol), o.size, quoted(o.text), b(o.size == 0), o.strategy_type,
      o.price_type, o.trigger.str(), o.rule, o.expiration);
}

std::string error(const std::string& label, const std::string& message) {
  return fmt::format(R"({{"label":{},"message":{}}})", quoted(label), quoted(message));
}

std::string ws_ack(const std::string& channel, const std::string& event, std::int64_t now_ms,
                   std::optional<std::int64_t> id) {
  return fmt::format(R"({{{}{},"channel":{},"event":{},"result":{{"status":"success"}}}})", id_field(id),
                     time_fields(now_ms), quoted(channel), quoted(event));
}

std::string ws_error(const std::string& channel, const std::string& event, int code, const std::string& message,
                     std::int64_t now_ms, std::optional<std::int64_t> id) {
  return fmt::format(R"({{{}{},"channel":{},"event":{},"error":{{"code":{},"message":{}}},"result":null}})",
                     id_field(id), time_fields(now_ms), quoted(channel), quoted(event), code, quoted(message));
}

std::string ws_pong(std::int64_t now_ms, std::optional<std::int64_t> id) {
  return fmt::format(R"({{{}{},"channel":"futures.pong","event":"","result":null}})", id_field(id),
                     time_fields(now_ms));
}

std::string ws_update(const std::string& channel, const std::string& result_array, std::int64_t now_ms) {
  return fmt::format(R"({{{},"channel":{},"event":"update","result":{}}})", time_fields(now_ms), quoted(channel),
                     result_array);
}

}  // namespace ptp::exchange::loopback::gateio_shapes
