// Counter-based random streams (Philox4x32-10, Salmon, Moraes, Dror & Shaw
// 2011, "Parallel random numbers: as easy as 1, 2, 3"; the same words as
// Random123's Philox4x32, checked against its known-answer vectors in
// tests/test_core.cpp). A draw is a pure
// function of (seed, purpose, id, index, draw number): no random state depends
// on thread, block or launch order, so every engine, thread count and (later)
// MPI split builds the same network and draws the same Poisson spikes.
//
// Layout: key = the 64-bit seed in two words; counter = {index, draw low word,
// purpose << 24 | id, draw high word}. `index` is the cell (or connection) the
// draw belongs to, `id` the projection or population (24 bits).
#pragma once

#include <cstdint>

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
  release = 7,  // quantal release: refills and releases of a terminal's sites, countered by step
};

// Four 32-bit words: a Philox counter or output block.
struct philox_words {
  std::uint32_t v[4];
};

// One Philox4x32 round on the counter words with round key (k0, k1): two
// 32×32 → 64-bit products, the words permuted and mixed with the key.
RANVIER_HD void philox_round(std::uint32_t& x0, std::uint32_t& x1, std::uint32_t& x2, std::uint32_t& x3,
                             std::uint32_t k0, std::uint32_t k1) {
  const std::uint64_t p0 = static_cast<std::uint64_t>(0xD2511F53u) * x0;
  const std::uint64_t p1 = static_cast<std::uint64_t>(0xCD9E8D57u) * x2;
  const std::uint32_t y0 = static_cast<std::uint32_t>(p1 >> 32) ^ x1 ^ k0;
  const std::uint32_t y2 = static_cast<std::uint32_t>(p0 >> 32) ^ x3 ^ k1;
  x1 = static_cast<std::uint32_t>(p1);
  x3 = static_cast<std::uint32_t>(p0);
  x0 = y0;
  x2 = y2;
}

// The key of round r (0 … 9): the key plus r times the Weyl increments.
RANVIER_HD std::uint32_t philox_key0(std::uint32_t k0, int r) { return k0 + static_cast<std::uint32_t>(r) * 0x9E3779B9u; }
RANVIER_HD std::uint32_t philox_key1(std::uint32_t k1, int r) { return k1 + static_cast<std::uint32_t>(r) * 0xBB67AE85u; }

// Philox4x32-10: ten rounds of counter ctr under key (k0, k1).
RANVIER_HD philox_words philox_10(philox_words ctr, std::uint32_t k0, std::uint32_t k1) {
  for (int r = 0; r < 10; ++r)
    philox_round(ctr.v[0], ctr.v[1], ctr.v[2], ctr.v[3], philox_key0(k0, r), philox_key1(k1, r));
  return ctr;
}

// The counter's third word: the purpose and the population or projection id.
RANVIER_HD std::uint32_t philox_tag(stream_purpose purpose, std::uint32_t id) {
  return (static_cast<std::uint32_t>(purpose) << 24) | (id & 0xffffffu);
}

// One block of four 32-bit words.
RANVIER_HD philox_words philox_block(std::uint64_t seed, stream_purpose purpose, std::uint32_t id,
                                     std::uint32_t index, std::uint64_t draw) {
  return philox_10({{index, static_cast<std::uint32_t>(draw), philox_tag(purpose, id),
                      static_cast<std::uint32_t>(draw >> 32)}},
                    static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
}

// The 53 random bits of two words that a uniform double is made of.
RANVIER_HD std::uint64_t uniform_bits(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t b = (static_cast<std::uint64_t>(hi) << 21) ^ (static_cast<std::uint64_t>(lo) >> 11);
  return b & ((1ULL << 53) - 1);
}

// A uniform double in [0, 1) from two words, with 53 random bits.
RANVIER_HD double uniform_from(std::uint32_t hi, std::uint32_t lo) {
  return static_cast<double>(uniform_bits(hi, lo)) * (1.0 / 9007199254740992.0);
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
  philox_words block_{};
  int used_ = 4;
};

}  // namespace ranvier::core
