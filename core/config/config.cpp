#include "core/config/config.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "core/ownership_lease.hpp"
#include "core/position.hpp"
#include "core/text.hpp"
#include "core/time_text.hpp"

namespace ptp::config {
namespace {

using core::Price;
using core::Qty;
using core::Ratio;

// A view of one TOML table that knows where it sits (file, dotted key) for error messages.
class Section {
 public:
  Section(const toml::table& table, std::string source, std::string path)
      : table_(table), source_(std::move(source)), path_(std::move(path)) {}

  const std::string& path() const { return path_; }

  [[noreturn]] void fail(const toml::node* at, std::string_view key, const std::string& what) const {
    fail_at((at ? at : &table_)->source(), key, what);
  }

  [[noreturn]] void fail_at(const toml::source_region& where, std::string_view key, const std::string& what) const {
    std::ostringstream out;
    out << source_;
    if (where.begin) out << ':' << where.begin.line << ':' << where.begin.column;
    out << ": " << qualified(key) << ": " << what;
    throw ConfigError(out.str());
  }

  std::string qualified(std::string_view key) const {
    if (path_.empty()) return std::string(key);
    if (key.empty()) return path_;
    return path_ + "." + std::string(key);
  }

  // Unknown keys are errors: a typo must never be silently ignored.
  void allow_only(std::initializer_list<std::string_view> keys) const {
    for (auto&& [k, v] : table_) {
      bool known = false;
      for (auto allowed : keys) known = known || k.str() == allowed;
      if (!known) {
        std::string list;
        for (auto allowed : keys) list += (list.empty() ? "" : ", ") + std::string(allowed);
        fail_at(k.source(), k.str(), "unknown key (allowed here: " + list + ")");
      }
    }
  }

  const toml::node* get(std::string_view key) const { return table_.get(key); }
  bool has(std::string_view key) const { return get(key) != nullptr; }

  const toml::node& required(std::string_view key, std::string_view expected) const {
    const toml::node* n = get(key);
    if (!n) fail(nullptr, key, "missing; expected " + std::string(expected));
    return *n;
  }

  std::string string(std::string_view key, std::string_view expected) const {
    const toml::node& n = required(key, expected);
    if (!n.is_string()) fail(&n, key, "expected " + std::string(expected) + ", got " + type_name(n));
    return n.as_string()->get();
  }

  std::optional<std::string> optional_string(std::string_view key, std::string_view expected) const {
    if (!has(key)) return std::nullopt;
    return string(key, expected);
  }

  bool boolean(std::string_view key, bool fallback) const {
    const toml::node* n = get(key);
    if (!n) return fallback;
    if (!n->is_boolean()) fail(n, key, "expected true or false, got " + type_name(*n));
    return n->as_boolean()->get();
  }

  std::int64_t integer(std::string_view key, std::string_view expected) const {
    const toml::node& n = required(key, expected);
    if (!n.is_integer()) fail(&n, key, "expected " + std::string(expected) + ", got " + type_name(n));
    return n.as_integer()->get();
  }

  // A decimal: a string ("0.001", exact), an integer, or a float (shortest round-trip text).
  std::int64_t decimal_units(std::string_view key, std::string_view expected) const {
    const toml::node& n = required(key, expected);
    return decimal_units_of(n, key, expected);
  }

  std::int64_t decimal_units_of(const toml::node& n, std::string_view key, std::string_view expected) const {
    std::string text;
    if (n.is_string()) {
      text = n.as_string()->get();
    } else if (n.is_integer()) {
      text = std::to_string(n.as_integer()->get());
    } else if (n.is_floating_point()) {
      char buf[64];
      auto res = std::to_chars(buf, buf + sizeof buf, n.as_floating_point()->get(), std::chars_format::fixed);
      if (res.ec != std::errc{}) fail(&n, key, "expected " + std::string(expected) + ", got an unrepresentable number");
      text.assign(buf, res.ptr);
    } else {
      fail(&n, key, "expected " + std::string(expected) + ", got " + type_name(n));
    }
    try {
      return core::parse_decimal_units_or_throw(text);
    } catch (const core::DecimalError& e) {
      fail(&n, key, "expected " + std::string(expected) + "; " + e.what());
    }
  }

  template <class T>
  T fixed(std::string_view key, std::string_view expected) const {
    return T::from_units(decimal_units(key, expected));
  }
  template <class T>
  std::optional<T> optional_fixed(std::string_view key, std::string_view expected) const {
    if (!has(key)) return std::nullopt;
    return fixed<T>(key, expected);
  }

  // `zero_is_off`: "0s" is accepted and means the timer is off.
  Millis duration(std::string_view key, Millis fallback, bool zero_is_off = false) const {
    if (!has(key)) return fallback;
    constexpr std::string_view expected = "a duration string such as \"250ms\", \"30s\", \"5m\" or \"1h\"";
    const toml::node& n = required(key, expected);
    if (!n.is_string()) fail(&n, key, "expected " + std::string(expected) + ", got " + type_name(n));
    try {
      Millis d = parse_duration(n.as_string()->get());
      if (d.count() < 0 || (d.count() == 0 && !zero_is_off)) fail(&n, key, "must be longer than zero");
      return d;
    } catch (const std::invalid_argument& e) {
      fail(&n, key, e.what());
    }
  }

  std::optional<Section> subtable(std::string_view key) const {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_table()) fail(n, key, "expected a table ([" + qualified(key) + "]), got " + type_name(*n));
    return Section(*n->as_table(), source_, qualified(key));
  }

  // An array of tables ([[key]]); each element is returned with its index in the path.
  std::vector<Section> table_array(std::string_view key) const {
    std::vector<Section> out;
    const toml::node* n = get(key);
    if (!n) return out;
    const toml::array* arr = n->as_array();
    if (!arr) fail(n, key, "expected an array of tables ([[" + qualified(key) + "]]), got " + type_name(*n));
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const toml::node& el = *arr->get(i);
      std::string name = std::string(key) + "[" + std::to_string(i + 1) + "]";
      if (!el.is_table()) fail(&el, name, "expected a table, got " + type_name(el));
      out.emplace_back(*el.as_table(), source_, qualified(name));
    }
    return out;
  }

  static std::string type_name(const toml::node& n) {
    switch (n.type()) {
      case toml::node_type::string: return "a string";
      case toml::node_type::integer: return "an integer";
      case toml::node_type::floating_point: return "a float";
      case toml::node_type::boolean: return "a boolean";
      case toml::node_type::table: return "a table";
      case toml::node_type::array: return "an array";
      case toml::node_type::date:
      case toml::node_type::time:
      case toml::node_type::date_time: return "a date/time";
      default: return "an unsupported value";
    }
  }

 private:
  const toml::table& table_;
  std::string source_;
  std::string path_;
};

constexpr std::string_view kPositiveDecimal = "a positive decimal (a string such as \"0.001\" is exact)";

core::Symbol read_symbol(const Section& s, std::string_view key) {
  const std::string text = s.string(key, "a symbol such as \"ETH\", \"ETHUSDT\" or \"ETH_USDT\"");
  try {
    return core::Symbol::parse(text);
  } catch (const core::SymbolError& e) {
    s.fail(s.get(key), key, e.what());
  }
}

template <class T>
T read_positive(const Section& s, std::string_view key) {
  T v = s.fixed<T>(key, kPositiveDecimal);
  if (!v.is_positive()) s.fail(s.get(key), key, "must be greater than 0, got " + v.str());
  return v;
}

void check_env_name(const Section& s, std::string_view key, const std::string& name) {
  // The message never repeats the value: a secret pasted here by mistake must not reach a log.
  bool ok = !name.empty() && name.size() <= 64 && !(name[0] >= '0' && name[0] <= '9');
  for (char c : name) ok = ok && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  if (!ok)
    s.fail(s.get(key), key,
           "expected the NAME of an environment variable (upper case, digits, '_', at most 64 characters), "
           "such as \"BINANCE_API_KEY\"; the value is not shown here in case it is a secret");
}

void check_url(const Section& s, std::string_view key, const std::string& url,
               std::initializer_list<std::string_view> schemes) {
  auto sep = url.find("://");
  bool ok = false;
  std::string list;
  for (auto scheme : schemes) {
    list += (list.empty() ? "" : " or ") + std::string(scheme) + "://";
    ok = ok || (sep != std::string::npos && url.compare(0, sep, scheme) == 0);
  }
  if (!ok) s.fail(s.get(key), key, "expected a URL starting with " + list + ", got \"" + url + "\"");
  std::string_view rest = std::string_view(url).substr(sep + 3);
  std::string_view host = rest.substr(0, rest.find_first_of("/:?"));
  if (host.empty()) s.fail(s.get(key), key, "URL \"" + url + "\" has no host");
  if (rest.find_first_of(" \t\n") != std::string_view::npos) s.fail(s.get(key), key, "URL \"" + url + "\" contains whitespace");
}

// "HOST:PORT" or "[IPV6]:PORT" into the settings; the host must be loopback unless allow_remote.
void read_listen(const Section& api, ApiSettings& out) {
  constexpr std::string_view expected = "\"HOST:PORT\" such as \"127.0.0.1:8765\" or \"[::1]:8765\"";
  const std::string text = api.string("listen", expected);
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) api.fail(api.get("listen"), "listen", "expected " + std::string(expected) + ", got \"" + text + "\"");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = text.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535)
    api.fail(api.get("listen"), "listen", "port \"" + port + "\" is not a number from 0 to 65535");
  if (host.empty() || host.find_first_of(" \t/[]") != std::string::npos)
    api.fail(api.get("listen"), "listen", "host \"" + host + "\" is not an address or host name");
  out.host = host;
  out.port = static_cast<std::uint16_t>(value);
}

// TLS to etcd: PEM files that must be readable now (not at the first takeover), a certificate with
// its key, and https:// members only: a file given for plain-text members would protect nothing.
void read_cluster_tls(const Section& c, ClusterSettings& out) {
  const std::pair<const char*, std::string*> files[] = {{"tls_ca", &out.tls_ca}, {"tls_cert", &out.tls_cert}, {"tls_key", &out.tls_key}};
  for (const auto& [key, field] : files) {
    if (!c.has(key)) continue;
    *field = c.string(key, "a path to a PEM file");
    std::error_code ec;
    if (field->empty() || !std::filesystem::is_regular_file(*field, ec) || !std::ifstream(*field).good())
      c.fail(c.get(key), key, "cannot read \"" + *field + "\" (expected a PEM file)");
  }
  if (out.tls_cert.empty() != out.tls_key.empty())
    c.fail(c.get(out.tls_cert.empty() ? "tls_key" : "tls_cert"), out.tls_cert.empty() ? "tls_key" : "tls_cert",
           "tls_cert and tls_key go together: this node's client certificate and its private key");
  const bool any_tls = !out.tls_ca.empty() || !out.tls_cert.empty();
  std::size_t https = 0;
  for (const auto& url : out.etcd) https += url.rfind("https://", 0) == 0 ? 1 : 0;
  if (https != 0 && https != out.etcd.size())
    c.fail(c.get("etcd"), "etcd", "mixes http:// and https:// members: a group's members speak one or the other");
  if (any_tls && https == 0)
    c.fail(c.get(!out.tls_ca.empty() ? "tls_ca" : "tls_cert"), !out.tls_ca.empty() ? "tls_ca" : "tls_cert",
           "TLS files are given but the etcd members are http:// (use https:// URLs)");
}

ClusterSettings read_cluster(const Section& c) {
  c.allow_only({"etcd", "lease_ttl", "node_id", "tls_ca", "tls_cert", "tls_key"});
  ClusterSettings out;
  const toml::node& n = c.required("etcd", "a non-empty array of etcd client URLs");
  const toml::array* arr = n.as_array();
  if (!arr || arr->empty()) c.fail(&n, "etcd", "expected a non-empty array of etcd client URLs such as [\"http://127.0.0.1:2379\"]");
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::node& el = *arr->get(i);
    const std::string key = "etcd[" + std::to_string(i + 1) + "]";
    if (!el.is_string()) c.fail(&el, key, "expected a URL string, got " + Section::type_name(el));
    const std::string url = el.as_string()->get();
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
      c.fail(&el, key, "expected a URL starting with http:// or https://, got \"" + url + "\"");
    out.etcd.push_back(url);
  }
  out.lease_ttl = c.duration("lease_ttl", out.lease_ttl);
  if (auto problem = core::check_lease_ttl(out.lease_ttl); !problem.empty()) c.fail(c.get("lease_ttl"), "lease_ttl", problem);
  out.node_id = c.string("node_id", "this node's name in the group, such as \"node-a\"");
  bool ok = !out.node_id.empty() && out.node_id.size() <= 64;
  for (char ch : out.node_id)
    ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.');
  if (!ok) c.fail(c.get("node_id"), "node_id", "expected 1 to 64 letters, digits, '-', '_' or '.', got \"" + out.node_id + "\"");
  read_cluster_tls(c, out);
  return out;
}

ApiSettings read_api(const Section& api) {
  api.allow_only({"enabled", "listen", "token_env", "allow_remote", "requests_per_second"});
  ApiSettings out;
  out.enabled = api.boolean("enabled", true);
  out.allow_remote = api.boolean("allow_remote", false);
  if (api.has("listen")) read_listen(api, out);
  if (api.has("token_env")) {
    out.token_env = api.string("token_env", "an environment variable name such as \"PTP_API_TOKEN\"");
    check_env_name(api, "token_env", out.token_env);
  }
  if (api.has("requests_per_second")) {
    const std::int64_t rate = api.integer("requests_per_second", "a whole number of requests per second");
    if (rate < 1 || rate > 100'000)
      api.fail(api.get("requests_per_second"), "requests_per_second", "must be from 1 to 100000, got " + std::to_string(rate));
    out.requests_per_second = static_cast<std::uint32_t>(rate);
  }
  if (out.enabled && !out.allow_remote && !is_loopback_host(out.host))
    api.fail(api.get("listen"), "listen",
             out.host + " is not a loopback address: the API would be reachable from other machines; set "
                        "api.allow_remote = true to allow it");
  return out;
}

core::StagePlan read_plan(const Section& plan) {
  plan.allow_only({"fraction_of", "extreme_tp_r", "trail_step_r", "stage"});
  core::StagePlan out;
  out.stages.clear();
  if (auto f = plan.optional_string("fraction_of", "\"original\" or \"remaining\"")) {
    if (*f == "original") out.fraction_of = core::FractionOf::original;
    else if (*f == "remaining") out.fraction_of = core::FractionOf::remaining;
    else plan.fail(plan.get("fraction_of"), "fraction_of", "expected \"original\" or \"remaining\", got \"" + *f + "\"");
  }
  // extreme_tp_r = 0 turns the exchange-side take-profit off.
  if (plan.has("extreme_tp_r")) {
    Ratio r = plan.fixed<Ratio>("extreme_tp_r", "an R multiple (0 disables it)");
    out.extreme_tp_r = r.is_zero() ? std::nullopt : std::optional<Ratio>(r);
  } else {
    out.extreme_tp_r = core::StagePlan::default_plan().extreme_tp_r;
  }
  if (plan.has("trail_step_r")) out.trail_step_r = plan.fixed<Ratio>("trail_step_r", "an R multiple");

  auto stages = plan.table_array("stage");
  if (stages.empty()) plan.fail(nullptr, "stage", "missing; expected at least one [[plan.stage]] table");
  if (stages.size() > core::StagePlan::kMaxStages)
    plan.fail(nullptr, "stage", "at most " + std::to_string(core::StagePlan::kMaxStages) + " stages are supported");
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const Section& s = stages[i];
    s.allow_only({"trigger_r", "close_fraction", "move_stop_to_r", "trail_r"});
    core::StageSpec spec;
    spec.id = core::StageId{static_cast<std::uint8_t>(i + 1)};
    spec.trigger_r = s.fixed<Ratio>("trigger_r", "an R multiple such as 1 or \"1.5\"");
    if (s.has("close_fraction")) {
      const toml::node& n = *s.get("close_fraction");
      try {
        if (n.is_string()) spec.close_fraction = core::Fraction::parse(n.as_string()->get());
        else spec.close_fraction = core::Fraction(s.decimal_units_of(n, "close_fraction", "a fraction"), core::kDecimalOne);
      } catch (const ConfigError&) {
        throw;
      } catch (const std::exception& e) {
        s.fail(&n, "close_fraction", std::string("expected a fraction such as \"1/3\" or 0.25; ") + e.what());
      }
    }
    spec.move_stop_to_r = s.optional_fixed<Ratio>("move_stop_to_r", "an R multiple (0 = breakeven)");
    spec.trail_r = s.optional_fixed<Ratio>("trail_r", "an R multiple");
    out.stages.push_back(spec);
  }
  try {
    out.validate();
  } catch (const core::PlanError& e) {
    plan.fail(nullptr, "", e.what());
  }
  return out;
}

ExchangeEndpoints read_endpoints(const Section& ex) {
  ex.allow_only({"rest_url", "ws_url", "api_key_env", "api_secret_env", "price_stream"});
  ExchangeEndpoints e;
  e.rest_url = ex.string("rest_url", "an http:// or https:// URL");
  check_url(ex, "rest_url", e.rest_url, {"http", "https"});
  e.ws_url = ex.string("ws_url", "a ws:// or wss:// URL");
  check_url(ex, "ws_url", e.ws_url, {"ws", "wss"});
  e.api_key_env = ex.string("api_key_env", "an environment variable name");
  check_env_name(ex, "api_key_env", e.api_key_env);
  e.api_secret_env = ex.string("api_secret_env", "an environment variable name");
  check_env_name(ex, "api_secret_env", e.api_secret_env);
  if (auto ps = ex.optional_string("price_stream", "\"markPrice\" or \"bookTicker\"")) {
    if (*ps == "bookTicker")
      e.price_source = ExchangeEndpoints::PriceSource::book_mid;
    else if (*ps != "markPrice")
      ex.fail(ex.get("price_stream"), "price_stream", "expected \"markPrice\" or \"bookTicker\", got \"" + *ps + "\"");
  }
  if (e.api_key_env == e.api_secret_env)
    ex.fail(ex.get("api_secret_env"), "api_secret_env", "must name a different variable than api_key_env");
  return e;
}

// The largest market order a simulated instrument takes when the config names none (base units,
// or contracts for a Gate.io-like instrument).
constexpr std::int64_t kDefaultMaxOrder = 1'000'000;

SimInstrument read_instrument(const Section& s) {
  s.allow_only({"symbol", "tick_size", "step_size", "min_qty", "max_qty", "min_notional", "min_notional_on_reduce_only",
                "contract_size", "min_contracts", "max_contracts", "start_price", "drift_pct", "volatility_pct"});
  SimInstrument in{read_symbol(s, "symbol"), {}, {}, {}, {}};
  const Price tick = read_positive<Price>(s, "tick_size");
  if (s.has("contract_size")) {  // Gate.io-like: whole contracts
    for (auto k : {"step_size", "min_qty", "max_qty", "min_notional"})
      if (s.has(k)) s.fail(s.get(k), k, "not used with contract_size (Gate.io-like sizes are whole contracts)");
    const Qty contract = read_positive<Qty>(s, "contract_size");
    std::int64_t min_contracts = s.has("min_contracts") ? s.integer("min_contracts", "a whole number of contracts") : 1;
    if (min_contracts < 1) s.fail(s.get("min_contracts"), "min_contracts", "must be at least 1");
    const std::int64_t max_contracts =
        s.has("max_contracts") ? s.integer("max_contracts", "a whole number of contracts") : kDefaultMaxOrder;
    if (max_contracts < min_contracts || max_contracts > std::numeric_limits<std::int64_t>::max() / contract.units())
      s.fail(s.get("max_contracts"), "max_contracts", "must be at least min_contracts, and its quantity must fit");
    in.filters = core::InstrumentFilters::in_contracts(tick, contract, min_contracts);
    in.filters.max_qty = Qty::from_units(contract.units() * max_contracts);
  } else {
    for (auto k : {"min_contracts", "max_contracts"})
      if (s.has(k)) s.fail(s.get(k), k, "only used with contract_size");
    const Qty step = read_positive<Qty>(s, "step_size");
    const Qty min_qty = s.has("min_qty") ? read_positive<Qty>(s, "min_qty") : step;
    const auto min_notional = s.optional_fixed<core::Notional>("min_notional", "a decimal amount of quote currency");
    in.filters = core::InstrumentFilters::in_base_units(tick, step, min_qty, min_notional.value_or(core::Notional{}));
    in.filters.max_qty = s.has("max_qty") ? read_positive<Qty>(s, "max_qty") : Qty::from_int(kDefaultMaxOrder);
  }
  if (s.has("min_notional_on_reduce_only")) {
    const toml::node& n = *s.get("min_notional_on_reduce_only");
    if (!n.is_boolean()) s.fail(&n, "min_notional_on_reduce_only", "expected true or false, got " + Section::type_name(n));
    in.filters.min_notional_on_reduce_only = n.as_boolean()->get();
  }
  try {
    in.filters.validate();
  } catch (const std::invalid_argument& e) {
    s.fail(nullptr, "", e.what());
  }
  if (s.has("start_price")) in.start_price = read_positive<Price>(s, "start_price");
  in.drift_pct = s.optional_fixed<Ratio>("drift_pct", "a percentage per tick");
  in.volatility_pct = s.optional_fixed<Ratio>("volatility_pct", "a percentage per tick");
  if (in.volatility_pct && in.volatility_pct->is_negative())
    s.fail(s.get("volatility_pct"), "volatility_pct", "must not be negative");
  return in;
}

SimPosition read_position(const Section& s) {
  s.allow_only({"symbol", "side", "entry", "size", "stop", "entry_time"});
  core::Symbol symbol = read_symbol(s, "symbol");
  core::Side side = core::Side::long_;
  try {
    side = core::parse_side(s.string("side", "\"long\" or \"short\""));
  } catch (const std::invalid_argument& e) {
    s.fail(s.get("side"), "side", e.what());
  }
  std::optional<Price> stop;
  if (s.has("stop")) stop = read_positive<Price>(s, "stop");
  std::optional<std::int64_t> entry_time;
  if (const toml::node* t = s.get("entry_time")) {
    const auto text = t->is_integer() ? std::optional<std::string>(std::to_string(t->as_integer()->get()))
                      : t->is_string() ? std::optional<std::string>(t->as_string()->get())
                                       : std::nullopt;
    entry_time = text ? core::parse_utc_ms(*text) : std::nullopt;
    if (!entry_time)
      s.fail(t, "entry_time", "expected a UTC time such as \"2024-01-15T10:00:00Z\" or milliseconds since the epoch");
  }
  return SimPosition{symbol, side, read_positive<Price>(s, "entry"), read_positive<Qty>(s, "size"), stop, entry_time};
}

SimSettings read_sim(const Section& sim, const Config& cfg) {
  sim.allow_only({"seed", "tick_interval", "drift_pct", "volatility_pct", "replay_file", "instrument", "position"});
  SimSettings out;
  if (sim.has("seed")) {
    std::int64_t seed = sim.integer("seed", "a non-negative integer");
    if (seed < 0) sim.fail(sim.get("seed"), "seed", "must not be negative");
    out.seed = static_cast<std::uint64_t>(seed);
  }
  out.tick_interval = sim.duration("tick_interval", out.tick_interval);
  if (sim.has("drift_pct")) out.drift_pct = sim.fixed<Ratio>("drift_pct", "a percentage per tick");
  if (sim.has("volatility_pct")) {
    out.volatility_pct = sim.fixed<Ratio>("volatility_pct", "a percentage per tick");
    if (out.volatility_pct.is_negative()) sim.fail(sim.get("volatility_pct"), "volatility_pct", "must not be negative");
  }
  out.replay_file = sim.optional_string("replay_file", "a file path");

  auto instruments = sim.table_array("instrument");
  for (const auto& s : instruments) {
    SimInstrument in = read_instrument(s);
    if (out.instrument(in.symbol))
      s.fail(s.get("symbol"), "symbol", in.symbol.canonical() + " is defined twice");
    if (!cfg.manages(in.symbol))
      s.fail(s.get("symbol"), "symbol", in.symbol.canonical() + " is not in node.symbols");
    out.instruments.push_back(in);
  }
  for (const auto& s : sim.table_array("position")) {
    SimPosition p = read_position(s);
    const SimInstrument* in = out.instrument(p.symbol);
    if (!in) s.fail(s.get("symbol"), "symbol", p.symbol.canonical() + " has no [[sim.instrument]]");
    for (const auto& other : out.positions)
      if (other.symbol == p.symbol && other.side == p.side)
        s.fail(s.get("side"), "side", "a " + std::string(core::to_string(p.side)) + " position on " +
                                          p.symbol.canonical() + " is already defined (one per symbol and side)");
    if (!p.entry.is_multiple_of(in->filters.tick_size))
      s.fail(s.get("entry"), "entry", p.entry.str() + " is not a multiple of the tick size " + in->filters.tick_size.str());
    if (!p.size.is_multiple_of(in->filters.step_size) || p.size < in->filters.min_qty)
      s.fail(s.get("size"), "size", p.size.str() + " is not a multiple of the step size " + in->filters.step_size.str() +
                                        " at or above the minimum " + in->filters.min_qty.str());
    // Adopting it here reports a stop on the wrong side (or a missing one) before the node runs.
    core::PositionKey key{cfg.exchange, cfg.account, p.symbol, p.side, 1};
    core::Adoption a = core::adopt(key, p.entry, p.size, p.stop, cfg.default_stop_pct, in->filters);
    if (!a.position) s.fail(s.get(p.stop ? "stop" : "symbol"), p.stop ? "stop" : "", a.reason);
    out.positions.push_back(p);
  }
  return out;
}

}  // namespace

std::string_view to_string(Mode m) { return m == Mode::observe ? "observe" : "execute"; }

Mode parse_mode(std::string_view text) {
  if (text == "observe") return Mode::observe;
  if (text == "execute") return Mode::execute;
  throw std::invalid_argument("unknown mode \"" + std::string(text) + "\" (expected observe or execute)");
}

std::string_view to_string(LatencyMode m) { return m == LatencyMode::sleep ? "sleep" : "spin"; }

LatencyMode parse_latency_mode(std::string_view text) {
  if (text == "sleep") return LatencyMode::sleep;
  if (text == "spin") return LatencyMode::spin;
  throw std::invalid_argument("unknown latency mode \"" + std::string(text) + "\" (expected sleep or spin)");
}

const SimInstrument* SimSettings::instrument(const core::Symbol& s) const {
  for (const auto& in : instruments)
    if (in.symbol == s) return &in;
  return nullptr;
}

bool Config::manages(const core::Symbol& s) const {
  for (const auto& m : symbols)
    if (m == s) return true;
  return false;
}

Millis parse_duration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const std::string_view unit = text.substr(digits);
  std::int64_t n = 0;
  auto res = std::from_chars(text.data(), text.data() + digits, n);
  if (digits == 0 || res.ec != std::errc{})
    throw std::invalid_argument("expected a duration such as \"250ms\", \"30s\", \"5m\" or \"1h\", got \"" +
                                std::string(text) + "\"");
  std::int64_t scale = 0;
  if (unit == "ms") scale = 1;
  else if (unit == "s") scale = 1000;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else
    throw std::invalid_argument("duration \"" + std::string(text) + "\" needs a unit: ms, s, m or h");
  if (n > INT64_MAX / scale) throw std::invalid_argument("duration \"" + std::string(text) + "\" is too long");
  return Millis(n * scale);
}

std::string format_duration(Millis d) {
  const std::int64_t ms = d.count();
  if (ms % 3'600'000 == 0 && ms != 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0 && ms != 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0 && ms != 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

namespace {

// The TOML of `source`, or a ConfigError naming the file, line and column of its syntax error.
toml::table parse_toml(std::string_view text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << source << ':' << e.source().begin.line << ':' << e.source().begin.column << ": TOML syntax error: "
        << e.description();
    throw ConfigError(out.str());
  }
}

}  // namespace

Config parse_config(std::string_view text, const std::string& source) {
  const toml::table root = parse_toml(text, source);
  Section top(root, source, "");
  top.allow_only({"node", "schedule", "plan", "exchange", "sim", "api", "guard", "cluster"});

  Config cfg;
  cfg.source = source;
  auto node = top.subtable("node");
  if (!node) top.fail(nullptr, "node", "missing; expected a [node] table");
  node->allow_only({"exchange", "account", "mode", "storage_path", "log_level", "symbols", "default_stop_pct",
                    "order_budget_pct", "latency_mode"});
  {
    const std::string ex = node->string("exchange", "\"sim\", \"binance\" or \"gateio\"");
    try {
      cfg.exchange = core::parse_exchange(ex);
    } catch (const std::invalid_argument& e) {
      node->fail(node->get("exchange"), "exchange", e.what());
    }
  }
  if (auto a = node->optional_string("account", "an account label")) {
    if (a->empty() || a->find_first_of(":# \t/") != std::string::npos)
      node->fail(node->get("account"), "account", "must be non-empty without ':', '#', '/' or spaces");
    cfg.account = *a;
  }
  {
    const std::string m = node->string("mode", "\"observe\" or \"execute\"");
    try {
      cfg.mode = parse_mode(m);
    } catch (const std::invalid_argument& e) {
      node->fail(node->get("mode"), "mode", e.what());
    }
  }
  if (auto lm = node->optional_string("latency_mode", "\"sleep\" or \"spin\"")) {
    try {
      cfg.latency_mode = parse_latency_mode(*lm);
    } catch (const std::invalid_argument& e) {
      node->fail(node->get("latency_mode"), "latency_mode", e.what());
    }
  }
  cfg.storage_path = node->string("storage_path", "a directory path for the LMDB history");
  if (cfg.storage_path.empty()) node->fail(node->get("storage_path"), "storage_path", "must not be empty");
  if (auto lvl = node->optional_string("log_level", "a log level")) {
    static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "critical", "off"};
    if (!levels.count(*lvl))
      node->fail(node->get("log_level"), "log_level",
                 "expected one of trace, debug, info, warn, error, critical, off; got \"" + *lvl + "\"");
    cfg.log_level = *lvl;
  }
  {
    const toml::node& n = node->required("symbols", "a non-empty array of symbols");
    const toml::array* arr = n.as_array();
    if (!arr || arr->empty()) node->fail(&n, "symbols", "expected a non-empty array of symbols such as [\"ETH\", \"BTC\"]");
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const toml::node& el = *arr->get(i);
      const std::string key = "symbols[" + std::to_string(i + 1) + "]";
      if (!el.is_string()) node->fail(&el, key, "expected a symbol string, got " + Section::type_name(el));
      try {
        core::Symbol s = core::Symbol::parse(el.as_string()->get());
        if (cfg.manages(s)) node->fail(&el, key, s.canonical() + " is listed twice");
        cfg.symbols.push_back(s);
      } catch (const core::SymbolError& e) {
        node->fail(&el, key, e.what());
      }
    }
  }
  if (node->has("default_stop_pct")) {
    Ratio pct = node->fixed<Ratio>("default_stop_pct", "a percentage of the entry price");
    if (!pct.is_positive() || pct >= Ratio::from_int(100))
      node->fail(node->get("default_stop_pct"), "default_stop_pct", "must be greater than 0 and less than 100, got " + pct.str());
    cfg.default_stop_pct = pct;
  }

  if (node->has("order_budget_pct")) {
    const toml::node* n = node->get("order_budget_pct");
    const auto pct = n->value<std::int64_t>();
    if (!n->is_integer() || !pct || *pct < 1 || *pct > 100)
      node->fail(n, "order_budget_pct", "expected a whole percentage from 1 to 100 of the exchange's order limits");
    cfg.order_budget_pct = static_cast<int>(*pct);
  }

  if (auto sched = top.subtable("schedule")) {
    sched->allow_only({"health_check_interval", "agent_interval", "dedupe_window", "metrics_interval"});
    cfg.health_check_interval = sched->duration("health_check_interval", cfg.health_check_interval);
    cfg.agent_interval = sched->duration("agent_interval", cfg.agent_interval, /*zero_is_off=*/true);
    cfg.dedupe_window = sched->duration("dedupe_window", cfg.dedupe_window);
    cfg.metrics_interval = sched->duration("metrics_interval", cfg.metrics_interval);
  }

  if (auto plan = top.subtable("plan")) cfg.plan = read_plan(*plan);
  if (auto api = top.subtable("api")) cfg.api = read_api(*api);
  if (auto cluster = top.subtable("cluster")) cfg.cluster = read_cluster(*cluster);
  if (auto guard = top.subtable("guard")) {
    guard->allow_only({"max_executions_per_hour", "max_failures_per_hour"});
    for (const char* key : {"max_executions_per_hour", "max_failures_per_hour"}) {
      if (!guard->has(key)) continue;
      const std::int64_t n = guard->integer(key, "a whole number per hour");
      if (n < 1 || n > 1'000'000) guard->fail(guard->get(key), key, "must be from 1 to 1000000, got " + std::to_string(n));
      (std::string_view(key) == "max_executions_per_hour" ? cfg.guard.max_executions_per_hour
                                                          : cfg.guard.max_failures_per_hour) = static_cast<std::uint32_t>(n);
    }
  }

  auto exchange = top.subtable("exchange");
  auto sim = top.subtable("sim");
  if (cfg.exchange == core::Exchange::sim) {
    if (exchange) top.fail(top.get("exchange"), "exchange", "is for binance and gateio; node.exchange is \"sim\"");
    if (!sim) top.fail(nullptr, "sim", "missing; node.exchange = \"sim\" needs a [sim] table with instruments");
    cfg.sim = read_sim(*sim, cfg);
    for (std::size_t i = 0; i < cfg.symbols.size(); ++i)
      if (!cfg.sim->instrument(cfg.symbols[i]))
        node->fail(node->get("symbols"), "symbols[" + std::to_string(i + 1) + "]",
                   cfg.symbols[i].canonical() + " has no [[sim.instrument]] in the simulator");
  } else {
    if (sim) top.fail(top.get("sim"), "sim", "is only used with node.exchange = \"sim\"");
    if (!exchange)
      top.fail(nullptr, "exchange", "missing; node.exchange = \"" + std::string(core::to_string(cfg.exchange)) +
                                        "\" needs an [exchange] table with its URLs and key variable names");
    cfg.endpoints = read_endpoints(*exchange);
  }
  return cfg;
}

std::string ApiSettings::listen() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8 in dotted quads.
  if (host.rfind("127.", 0) != 0) return false;
  int parts = 0;
  std::size_t i = 0;
  while (i <= host.size()) {
    const std::size_t dot = std::min(host.find('.', i), host.size());
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(host.data() + i, host.data() + dot, v);
    if (dot == i || ec != std::errc{} || end != host.data() + dot || v > 255) return false;
    ++parts;
    i = dot + 1;
  }
  return parts == 4;
}

namespace {

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open the " + what);
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw ConfigError(path + ": cannot read the " + what);
  return buf.str();
}

}  // namespace

core::StagePlan load_plan_file(const std::string& path) {
  const toml::table root = parse_toml(read_file(path, "plan file"), path);
  Section top(root, path, "");
  auto plan = top.subtable("plan");
  if (!plan) top.fail(nullptr, "plan", "missing; expected a [plan] table with [[plan.stage]] tables");
  return read_plan(*plan);
}

Config load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open the config file");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw ConfigError(path + ": cannot read the config file");
  return parse_config(buf.str(), path);
}

}  // namespace ptp::config
