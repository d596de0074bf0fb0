// Ordering a batch of spikes recorded on the GPU. The device appends each
// step's spikes after the previous step's (the steps in order), but within
// a step in the order its threads claimed their slots. The record must read
// by (step, gid), as the CPU engine writes it. Sorting the whole batch with
// std::sort cost about 48 ns a spike on the host while the GPU waited
// (issue 10); each step's run is ordered here by a radix sort of its source
// ids alone (the step is the same throughout the run): two or three
// counting passes over 4-byte keys, a few ns a spike.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "host/errors.hpp"
#include "kernels/kernels.hpp"

namespace ranvier {

// Sorts keys[0, n) ascending with an LSD radix sort on `bits` low bits
// (every key below 2^bits), 11 bits a pass; tmp is scratch (resized).
inline void radix_sort_u32(std::uint32_t* keys, std::size_t n, int bits, std::vector<std::uint32_t>& tmp) {
  constexpr int digit = 11;
  constexpr std::uint32_t radix = 1u << digit;
  tmp.resize(n);
  std::uint32_t* from = keys;
  std::uint32_t* to = tmp.data();
  std::array<std::size_t, radix> count{};
  for (int shift = 0; shift < bits; shift += digit) {
    count.fill(0);
    for (std::size_t i = 0; i < n; ++i) ++count[(from[i] >> shift) & (radix - 1)];
    std::size_t sum = 0;
    for (auto& c : count) {
      const std::size_t k = c;
      c = sum;
      sum += k;
    }
    for (std::size_t i = 0; i < n; ++i) to[count[(from[i] >> shift) & (radix - 1)]++] = from[i];
    std::swap(from, to);
  }
  if (from != keys) std::copy(from, from + n, keys);
}

// Orders s[0, n) by (step, gid), given that equal steps are contiguous and
// in increasing order (the device's record). Every gid is below nsources.
// Runs of a step shorter than 256 spikes are sorted directly.
inline void order_recorded_spikes(kernels::device_spike* s, std::size_t n, std::uint32_t nsources,
                                  std::vector<std::uint32_t>& keys, std::vector<std::uint32_t>& tmp) {
  int bits = 1;
  while (bits < 32 && (std::uint64_t{1} << bits) < nsources) ++bits;
  for (std::size_t a = 0; a < n;) {
    std::size_t b = a + 1;
    while (b < n && s[b].step == s[a].step) ++b;
    if (b < n && s[b].step < s[a].step)
      throw internal_error("order_recorded_spikes: the record's steps decrease (step " + std::to_string(s[b].step) +
                           " after " + std::to_string(s[a].step) + ")");
    const std::size_t m = b - a;
    if (m < 256) {
      std::sort(s + a, s + b, [](const kernels::device_spike& x, const kernels::device_spike& y) { return x.gid < y.gid; });
    } else {
      keys.resize(m);
      for (std::size_t i = 0; i < m; ++i) keys[i] = s[a + i].gid;
      radix_sort_u32(keys.data(), m, bits, tmp);
      for (std::size_t i = 0; i < m; ++i) s[a + i].gid = keys[i];
    }
    a = b;
  }
}

}  // namespace ranvier
