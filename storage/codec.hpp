// A small versioned binary encoding for records: fixed-width little-endian integers and
// length-prefixed strings. Decoding checks every length and throws StorageError on corruption.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "storage/lmdb_env.hpp"

namespace ptp::storage {

class Encoder {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void i64(std::int64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff));
  }
  void str(std::string_view s) {
    i64(static_cast<std::int64_t>(s.size()));
    out_.append(s);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Decoder {
 public:
  Decoder(std::string_view in, const char* what) : in_(in), what_(what) {}
  std::uint8_t u8() {
    need(1);
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::int64_t i64() {
    need(8);
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[pos_ + i])) << (8 * i);
    pos_ += 8;
    return static_cast<std::int64_t>(v);
  }
  std::string str() {
    std::int64_t n = i64();
    if (n < 0) corrupt();
    need(static_cast<std::size_t>(n));
    std::string s(in_.substr(pos_, static_cast<std::size_t>(n)));
    pos_ += static_cast<std::size_t>(n);
    return s;
  }
  void skip_str() {  // a string the caller does not need, passed over in place
    std::int64_t n = i64();
    if (n < 0) corrupt();
    need(static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
  }
  void finish() const {
    if (pos_ != in_.size()) corrupt();
  }

 private:
  void need(std::size_t n) const {
    if (in_.size() - pos_ < n) corrupt();
  }
  [[noreturn]] void corrupt() const { throw StorageError(std::string("corrupt ") + what_ + " record", 0); }
  std::string_view in_;
  std::size_t pos_ = 0;
  const char* what_;
};

}  // namespace ptp::storage
