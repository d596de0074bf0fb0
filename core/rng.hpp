// Counter-based random streams (Philox4x32-10 from Random123). A draw is a pure
// function of (seed, purpose, id, index, draw number): no random state depends
// on thread, block or launch order, so every engine, thread count and (later)
// MPI split builds the same network and draws the same Poisson spikes.
//
// Layout: key = the 64-bit seed in two words; counter = {index, draw low word,
// purpose << 24 | id, draw high word}. `index` is the cell (or connection) the
// draw belongs to, `id` the projection or population (24 bits).
#pragma once

#include <cstdint>

#include <Random123/philox.h>

#include "core/dmath.hpp"
#include "core/hd.hpp"

namespace ranvier::core {

enum class stream_purpose : std::uint32_t {
  connect = 1,  // which presynaptic cells a postsynaptic cell receives from
  weight = 2,   // per-connection weights
  delay = 3,    // per-connection delays
  init = 4,     // initial states of cells
  poisson = 5,  // Poisson generator spikes, countered by step
  location = 6, // where on a cable cell a connection lands (receptors spread over a region)
};

using philox = r123::Philox4x32;

// One block of four 32-bit words.
RANVIER_HD philox::ctr_type philox_block(std::uint64_t seed, stream_purpose purpose, std::uint32_t id,
                                         std::uint32_t index, std::uint64_t draw) {
  philox::key_type key = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  philox::ctr_type ctr = {{index, static_cast<std::uint32_t>(draw),
                           (static_cast<std::uint32_t>(purpose) << 24) | (id & 0xffffffu),
                           static_cast<std::uint32_t>(draw >> 32)}};
  return philox()(ctr, key);
}

// A uniform double in [0, 1) from two words, with 53 random bits.
RANVIER_HD double uniform_from(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t b = (static_cast<std::uint64_t>(hi) << 21) ^ (static_cast<std::uint64_t>(lo) >> 11);
  return static_cast<double>(b & ((1ULL << 53) - 1)) * (1.0 / 9007199254740992.0);
}

// A sequential stream: successive words of successive blocks of one
// (seed, purpose, id, index).
class stream {
 public:
  // first_block offsets the stream, so that independent sequences can share
  // one (seed, purpose, id, index): e.g. one per initialised variable.
  RANVIER_HD stream(std::uint64_t seed, stream_purpose purpose, std::uint32_t id, std::uint32_t index,
                    std::uint64_t first_block = 0)
      : seed_(seed), purpose_(purpose), id_(id), index_(index), draw_(first_block) {}

  RANVIER_HD std::uint32_t next_u32() {
    if (used_ == 4) {
      block_ = philox_block(seed_, purpose_, id_, index_, draw_++);
      used_ = 0;
    }
    return block_.v[used_++];
  }
  // Uniform in [0, 1).
  RANVIER_HD double uniform() {
    const std::uint32_t hi = next_u32();
    return uniform_from(hi, next_u32());
  }
  // Uniform in (0, 1): never 0, so its log is finite.
  RANVIER_HD double uniform_open() { return uniform() + 0.5 / 9007199254740992.0; }
  // Uniform integer in [0, n), n >= 1, without bias (multiply-shift with
  // rejection of the short final interval).
  RANVIER_HD std::uint32_t below(std::uint32_t n) {
    const std::uint32_t threshold = (0u - n) % n;  // 2^32 mod n
    for (;;) {
      const std::uint64_t m = static_cast<std::uint64_t>(next_u32()) * n;
      if (static_cast<std::uint32_t>(m) >= threshold) return static_cast<std::uint32_t>(m >> 32);
    }
  }
  // Standard normal by Marsaglia's polar method (log and sqrt only, both
  // reproducible; no sin/cos). The second value of each pair is discarded so
  // that every draw consumes whole pairs and stays simple to reason about.
  RANVIER_HD double normal() {
    for (;;) {
      const double u = 2.0 * uniform() - 1.0;
      const double v = 2.0 * uniform() - 1.0;
      const double s = u * u + v * v;
      if (s > 0.0 && s < 1.0) {
#if RANVIER_DEVICE_PASS
        return u * ::sqrt(-2.0 * det_log(s) / s);
#else
        return u * __builtin_sqrt(-2.0 * det_log(s) / s);
#endif
      }
    }
  }

 private:
  std::uint64_t seed_;
  stream_purpose purpose_;
  std::uint32_t id_;
  std::uint32_t index_;
  std::uint64_t draw_;
  philox::ctr_type block_{};
  int used_ = 4;
};

}  // namespace ranvier::core
