#include "core/time_text.hpp"

#include <charconv>
#include <cstdio>

namespace ptp::core {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(std::string_view s, std::size_t at, std::size_t n, unsigned& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_utc_ms(std::string_view t) {
  if (!t.empty() && t.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t ms = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), ms);
    if (ec != std::errc{} || p != t.data() + t.size()) return std::nullopt;
    return ms;
  }
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, frac = 0;
  if (!digits(t, 0, 4, y) || t.size() < 10 || t[4] != '-' || !digits(t, 5, 2, mo) || t[7] != '-' || !digits(t, 8, 2, d))
    return std::nullopt;
  std::size_t i = 10;
  if (i < t.size() && (t[i] == 'T' || t[i] == ' ')) {
    if (!digits(t, i + 1, 2, h) || t.size() < i + 9 || t[i + 3] != ':' || !digits(t, i + 4, 2, mi) || t[i + 6] != ':' ||
        !digits(t, i + 7, 2, s))
      return std::nullopt;
    i += 9;
    if (i < t.size() && t[i] == '.') {
      if (!digits(t, i + 1, 3, frac)) return std::nullopt;
      i += 4;
    }
  }
  if (i < t.size() && t[i] == 'Z') ++i;
  if (i != t.size() || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const std::int64_t days = days_from_civil(y, mo, d);
  return ((days * 24 + h) * 60 + mi) * 60'000 + static_cast<std::int64_t>(s) * 1000 + frac;
}

std::string format_utc_ms(std::int64_t ms) {
  std::int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  const auto rem_ms = static_cast<int>(ms - secs * 1000);
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  const auto sod = static_cast<int>(secs - days * 86400);
  // civil_from_days
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02d:%02d:%02d", static_cast<long long>(y), m, d, sod / 3600,
                        sod / 60 % 60, sod % 60);
  if (rem_ms != 0) n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%03d", rem_ms);
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace ptp::core
