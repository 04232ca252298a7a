// A log-linear latency histogram (HDR-style, ~3% relative precision): 64 power-of-two ranges, each
// split into 32 linear buckets. Recording is a few instructions and never allocates.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace ptp::core {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 5;
  static constexpr int kSub = 1 << kSubBits;

  void record(std::int64_t value) {
    const std::uint64_t v = value < 0 ? 0 : static_cast<std::uint64_t>(value);
    ++counts_[index(v)];
    ++total_;
    sum_ += v;
    if (v > max_) max_ = v;
  }

  void merge(const LatencyHistogram& o) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
    total_ += o.total_;
    sum_ += o.sum_;
    if (o.max_ > max_) max_ = o.max_;
  }

  std::uint64_t count() const { return total_; }
  std::int64_t max() const { return static_cast<std::int64_t>(max_); }
  std::uint64_t sum() const { return sum_; }

  // Recordings certainly at or below `value`: those of every bucket whose upper edge is (a
  // cumulative histogram bucket, as Prometheus exposes it; at most one bucket's worth low).
  std::uint64_t count_at_most(std::int64_t value) const {
    if (value < 0) return 0;
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < counts_.size() && upper_edge(i) <= static_cast<std::uint64_t>(value); ++i) n += counts_[i];
    return n;
  }

  // The value at quantile q (0..1): the upper edge of its bucket (never below the true value).
  std::int64_t percentile(double q) const {
    if (total_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_));
    if (rank >= total_) rank = total_ - 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen > rank) {
        const std::uint64_t edge = upper_edge(i);
        return static_cast<std::int64_t>(edge < max_ ? edge : max_);
      }
    }
    return max();
  }

 private:
  static std::size_t index(std::uint64_t v) {
    if (v < kSub) return static_cast<std::size_t>(v);
    const int msb = 63 - std::countl_zero(v);          // >= kSubBits
    const int shift = msb - kSubBits;
    const std::uint64_t sub = (v >> shift) & (kSub - 1);
    return static_cast<std::size_t>((shift + 1) * kSub) + sub;
  }
  static std::uint64_t upper_edge(std::size_t i) {
    if (i < kSub) return i;
    const std::size_t group = i / kSub;  // >= 1
    const std::uint64_t sub = i % kSub;
    const int shift = static_cast<int>(group) - 1;
    return ((kSub + sub + 1) << shift) - 1;
  }

  std::array<std::uint64_t, 60 * kSub> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace ptp::core
