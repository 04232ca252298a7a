#include "replay/tick_recorder.hpp"

#include <cerrno>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace ptp::replay {
namespace {

constexpr std::size_t kWriteAt = 256 * 1024;

// "123.45" from 1e-8 units with no trailing zeros, into `out` (at least 24 bytes); returns the end.
char* format_units(std::int64_t units, char* out) {
  if (units < 0) {
    *out++ = '-';
    units = -units;
  }
  out = std::to_chars(out, out + 20, units / core::kDecimalOne).ptr;
  std::int64_t frac = units % core::kDecimalOne;
  if (frac == 0) return out;
  *out++ = '.';
  char digits[8];
  for (int i = 7; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  int n = 8;
  while (n > 0 && digits[n - 1] == '0') --n;
  std::memcpy(out, digits, static_cast<std::size_t>(n));
  return out + n;
}

}  // namespace

TickRecorder::TickRecorder(const std::string& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "ab");
  if (!file_) throw std::runtime_error("--record " + path + ": cannot open for appending: " + std::strerror(errno));
  std::fseek(file_, 0, SEEK_END);
  if (std::ftell(file_) == 0) std::fputs("ts_ms,symbol,price\n", file_);
  buf_.reserve(kWriteAt * 2);
  spare_.reserve(kWriteAt * 2);
  writer_ = std::thread([this] { run(); });
}

TickRecorder::~TickRecorder() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  writer_.join();
  std::fclose(file_);
}

void TickRecorder::record(const core::PriceTick& tick, std::int64_t ts_ms) {
  char line[128];
  char* p = line;
  *p++ = ',';
  const auto& base = tick.symbol.base();
  const auto& quote = tick.symbol.quote();
  std::memcpy(p, base.data(), base.size());  // at most 20 characters each (core::Symbol)
  p += base.size();
  *p++ = '_';
  std::memcpy(p, quote.data(), quote.size());
  p += quote.size();
  *p++ = ',';
  p = format_units(tick.price.units(), p);
  *p++ = '\n';
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    // Stamped here, in the order the lines go out: a wall clock that steps back (NTP) or two feeding
    // threads never write a line older than the one before it, which ptp-replay would refuse.
    last_ts_ = std::max(last_ts_, ts_ms);
    char ts[24];
    buf_.append(ts, static_cast<std::size_t>(std::to_chars(ts, ts + sizeof ts, last_ts_).ptr - ts));
    buf_.append(line, static_cast<std::size_t>(p - line));
    ++lines_;
    wake = buf_.size() >= kWriteAt;
  }
  if (wake) wake_.notify_one();
}

// The writer thread and flush(): one at a time (write_mu_), never under mu_ while writing.
void TickRecorder::drain() {
  std::lock_guard write_lock(write_mu_);
  {
    std::lock_guard lock(mu_);
    spare_.swap(buf_);
  }
  const bool failed = (!spare_.empty() && std::fwrite(spare_.data(), 1, spare_.size(), file_) != spare_.size()) ||
                      std::fflush(file_) != 0;
  if (failed && !write_error_) {
    // Once: a full disk would otherwise say it on every flush. The node goes on; the recording has a gap.
    write_error_ = true;
    std::fprintf(stderr, "ptp-node: --record %s: writing failed (%s); ticks are being lost from the recording\n",
                 path_.c_str(), std::strerror(errno));
  } else if (!failed) {
    write_error_ = false;
  }
  spare_.clear();
}

void TickRecorder::run() {
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stop_ || buf_.size() >= kWriteAt; });
      stopping = stop_;
    }
    drain();
    if (stopping) return;
  }
}

void TickRecorder::flush() { drain(); }

std::size_t TickRecorder::lines() const {
  std::lock_guard lock(mu_);
  return lines_;
}

}  // namespace ptp::replay
