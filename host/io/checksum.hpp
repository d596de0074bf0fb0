// A 64-bit checksum of a byte stream, fed in pieces of any size: it finds
// truncated, corrupted or edited checkpoints and outputs (not an adversary:
// it is not cryptographic). Eight bytes at a time, a multiply and two
// xor-shifts each (several GB/s), the length folded in at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ranvier {

class checksum64 {
 public:
  void update(const void* data, std::size_t n) {
    if (n == 0) return;  // (data may then be null)
    const auto* p = static_cast<const unsigned char*>(data);
    length_ += n;
    if (pending_ > 0) {  // complete the word an earlier piece began
      const std::size_t take = n < 8 - pending_ ? n : 8 - pending_;
      std::memcpy(word_ + pending_, p, take);
      pending_ += take;
      p += take;
      n -= take;
      if (pending_ < 8) return;
      mix(load(word_));
      pending_ = 0;
    }
    for (; n >= 8; n -= 8, p += 8) mix(load(p));
    if (n > 0) std::memcpy(word_, p, n);
    pending_ = n;
  }
  std::uint64_t digest() const {
    checksum64 c = *this;
    unsigned char tail[8] = {};
    std::memcpy(tail, c.word_, c.pending_);
    c.mix(load(tail) ^ (static_cast<std::uint64_t>(c.pending_) << 56));
    c.mix(c.length_);
    return c.h_;
  }

 private:
  static std::uint64_t load(const unsigned char* p) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  }
  void mix(std::uint64_t w) {
    h_ = (h_ ^ w) * 0x9e3779b97f4a7c15ull;
    h_ ^= h_ >> 29;
    h_ *= 0xbf58476d1ce4e5b9ull;
    h_ ^= h_ >> 32;
  }
  std::uint64_t h_ = 0x243f6a8885a308d3ull;  // π's first fraction digits
  std::uint64_t length_ = 0;
  unsigned char word_[8] = {};
  std::size_t pending_ = 0;
};

inline std::uint64_t checksum_of(const void* data, std::size_t n) {
  checksum64 c;
  c.update(data, n);
  return c.digest();
}

}  // namespace ranvier
