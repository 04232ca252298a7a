// `ptp-node --record FILE`: every tick the node receives, appended as "ts_ms,symbol,price" lines
// (the format ptp-replay reads). The tick path only formats the line into a buffer under a short
// lock (no allocation once the buffer has grown, no system call); a thread of its own writes the
// buffer out every 200 ms, or sooner when it passes 256 KiB, and at the end.
#pragma once

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "core/tick.hpp"

namespace ptp::replay {

class TickRecorder {
 public:
  // Opens `path` for appending (a header line goes first into a new or empty file); throws
  // std::runtime_error naming the file when it cannot.
  explicit TickRecorder(const std::string& path);
  ~TickRecorder();  // writes what is buffered, then closes
  TickRecorder(const TickRecorder&) = delete;
  TickRecorder& operator=(const TickRecorder&) = delete;

  // Any thread. `ts_ms`: wall-clock milliseconds since the epoch.
  void record(const core::PriceTick& tick, std::int64_t ts_ms);
  void record(const core::PriceTick& tick) { record(tick, core::wall_now_ms()); }
  void flush();  // writes what is buffered now (tests)
  std::size_t lines() const;

 private:
  void run();
  void drain();

  std::FILE* file_ = nullptr;
  std::string path_;
  mutable std::mutex mu_;   // buf_, lines_, stop_
  std::mutex write_mu_;     // spare_ and the file
  std::condition_variable wake_;
  std::string buf_;      // filled by record()
  std::string spare_;    // written out by the writer thread, swapped with buf_
  std::size_t lines_ = 0;
  std::int64_t last_ts_ = 0;  // the newest time written: lines never go back in time
  bool stop_ = false;
  bool write_error_ = false;  // under write_mu_: the last write failed (said once per run of failures)
  std::thread writer_;
};

}  // namespace ptp::replay
