#pragma once
// Encoding and decoding of RabbitMQ stream-protocol frames (big-endian
// integers, int16-length strings, int32-length bytes), for stream_client.cpp.

#include <cstdint>
#include <string>

namespace sv::adapters::rabbit {

constexpr uint32_t max_frame = 8 * 1024 * 1024;

class frame_writer {
 public:
  void u8(uint8_t v) { buf_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) {
    u8(static_cast<uint8_t>(v >> 8));
    u8(static_cast<uint8_t>(v));
  }
  void u32(uint32_t v) {
    u16(static_cast<uint16_t>(v >> 16));
    u16(static_cast<uint16_t>(v));
  }
  void u64(uint64_t v) {
    u32(static_cast<uint32_t>(v >> 32));
    u32(static_cast<uint32_t>(v));
  }
  void str(const std::string& s) {
    u16(static_cast<uint16_t>(s.size()));
    buf_ += s;
  }
  void bytes(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    buf_ += s;
  }
  /// The frame: its size, then the command and version written so far.
  std::string frame() const {
    frame_writer w;
    w.u32(static_cast<uint32_t>(buf_.size()));
    return w.buf_ + buf_;
  }

 private:
  std::string buf_;
};

class frame_reader {
 public:
  explicit frame_reader(const std::string& b) : b_(b) {}
  bool ok() const { return ok_; }
  uint8_t u8() {
    if (pos_ + 1 > b_.size()) return fail();
    return static_cast<uint8_t>(b_[pos_++]);
  }
  uint16_t u16() { return static_cast<uint16_t>((u8() << 8) | u8()); }
  uint32_t u32() { return (static_cast<uint32_t>(u16()) << 16) | u16(); }
  uint64_t u64() { return (static_cast<uint64_t>(u32()) << 32) | u32(); }
  std::string str() {
    auto n = static_cast<int16_t>(u16());
    if (n < 0 || !ok_) return {};
    if (pos_ + static_cast<size_t>(n) > b_.size()) return fail(), std::string{};
    std::string s = b_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }

 private:
  uint8_t fail() {
    ok_ = false;
    return 0;
  }
  const std::string& b_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace sv::adapters::rabbit
