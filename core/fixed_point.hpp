// 64-bit fixed-point accumulation of synaptic input. Integer addition is
// associative, so the sum arriving at a target does not depend on the order in
// which spikes were propagated (threads, atomics, warps): the foundation of
// bit-identical results between engines.
#pragma once

#include <cstdint>

#include "core/hd.hpp"

namespace ranvier::core {

// 2^-40 of the receptor's unit (µS for conductances, nA for currents): a
// resolution of 9.1e-13 and a range of ±8.4e6, far beyond any synapse.
inline constexpr double fixed_scale = 1099511627776.0;         // 2^40
inline constexpr double fixed_unit = 1.0 / 1099511627776.0;     // 2^-40
inline constexpr double fixed_max_value = 8.0e6;  // |values| the model checker allows
inline constexpr int fixed_bits = 40;                // the 64-bit ring's scale: 2^-fixed_bits

// Rounds to the nearest multiple of 2^-40 (ties to even). Scaling by a power
// of two is exact, so the only rounding is the conversion, which both engines
// perform identically.
RANVIER_HD std::int64_t to_fixed(double x) {
#if RANVIER_DEVICE_PASS
  return __double2ll_rn(x * fixed_scale);
#else
  return __builtin_llrint(x * fixed_scale);
#endif
}
RANVIER_HD std::int64_t to_fixed(float x) {
#if RANVIER_DEVICE_PASS
  return __float2ll_rn(x * static_cast<float>(fixed_scale));
#else
  return __builtin_llrintf(x * static_cast<float>(fixed_scale));
#endif
}

template <class T>
RANVIER_HD T from_fixed(std::int64_t q) {
  return static_cast<T>(q) * static_cast<T>(fixed_unit);
}

// The 32-bit ring (image::ring_scale): a receptor's values in units of
// 2^-k of its unit, k <= fixed_bits, where every weight reaching it is a
// multiple of 2^-k and no step's sum can leave the int32 range. Its values
// are then the 64-bit ring's divided by 2^(fixed_bits - k), exactly, and
// convert to the same T: scaling by a power of two commutes with rounding.
RANVIER_HD double fixed_scale_of(int k) { return static_cast<double>(std::uint64_t{1} << k); }
RANVIER_HD std::int32_t to_fixed32(double x, int k) {
#if RANVIER_DEVICE_PASS
  return __double2int_rn(x * fixed_scale_of(k));
#else
  return static_cast<std::int32_t>(__builtin_lrint(x * fixed_scale_of(k)));
#endif
}
RANVIER_HD std::int32_t to_fixed32(float x, int k) {
#if RANVIER_DEVICE_PASS
  return __float2int_rn(x * static_cast<float>(fixed_scale_of(k)));
#else
  return static_cast<std::int32_t>(__builtin_lrintf(x * static_cast<float>(fixed_scale_of(k))));
#endif
}
template <class T>
RANVIER_HD T from_fixed32(std::int32_t q, int k) {
  return static_cast<T>(q) * static_cast<T>(1.0 / fixed_scale_of(k));
}

#if !RANVIER_DEVICE_PASS
// from_fixed32 over the CPU's lanes (a loop that vectorises as it is).
template <class T> inline void from_fixed32_lanes(const std::int32_t* q, int k, T* out, int n) {
  const T unit = static_cast<T>(1.0 / fixed_scale_of(k));
  for (int j = 0; j < n; ++j) out[j] = static_cast<T>(q[j]) * unit;
}

// from_fixed over the CPU's lanes, out[k] for q[k], k < n: the same values.
// When every |q| is below 2^51 (2048 units) the integer goes into a double's
// mantissa by adding the bits of 2^52 + 2^51 and subtracting that number,
// exactly (float then rounds once, as the direct conversion does): a loop
// that vectorises, where AVX2 has no instruction converting int64 lanes.
template <class T> inline void from_fixed_lanes(const std::int64_t* q, T* out, int n) {
  std::uint64_t outside = 0;
  for (int k = 0; k < n; ++k) outside |= (static_cast<std::uint64_t>(q[k]) + (std::uint64_t{1} << 51)) >> 52;
  if (outside != 0) {
    for (int k = 0; k < n; ++k) out[k] = from_fixed<T>(q[k]);
    return;
  }
  constexpr std::uint64_t magic_bits = 0x4338000000000000;  // 2^52 + 2^51 as a double
  constexpr double magic = 6755399441055744.0;
  for (int k = 0; k < n; ++k) {
    std::uint64_t b = static_cast<std::uint64_t>(q[k]) + magic_bits;
    double d;
    __builtin_memcpy(&d, &b, sizeof d);
    out[k] = static_cast<T>(d - magic) * static_cast<T>(fixed_unit);
  }
}
#endif

}  // namespace ranvier::core
