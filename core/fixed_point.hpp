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

}  // namespace ranvier::core
