// Elementary functions built from IEEE basic operations and explicit fma, so
// that the CPU engine (g++, -ffp-contract=off) and the CUDA engine (nvcc,
// --fmad=false) compute the same bits from the same source expression. libm's
// exp and CUDA's exp are each accurate but differ from one another in the last
// bit, which is enough to make a chaotic network diverge.
//
// Every function is branch-free (selects, not jumps) so that the CPU engine's
// loops over cells vectorise.
#pragma once

#include <cstdint>

#include "core/hd.hpp"

namespace ranvier::core {

// ---- bit-level helpers -----------------------------------------------------

RANVIER_HD std::uint64_t bits_of(double x) {
#if RANVIER_DEVICE_PASS
  return static_cast<std::uint64_t>(__double_as_longlong(x));
#else
  return __builtin_bit_cast(std::uint64_t, x);
#endif
}
RANVIER_HD double double_of(std::uint64_t b) {
#if RANVIER_DEVICE_PASS
  return __longlong_as_double(static_cast<long long>(b));
#else
  return __builtin_bit_cast(double, b);
#endif
}
RANVIER_HD std::uint32_t bits_of(float x) {
#if RANVIER_DEVICE_PASS
  return __float_as_uint(x);
#else
  return __builtin_bit_cast(std::uint32_t, x);
#endif
}
RANVIER_HD float float_of(std::uint32_t b) {
#if RANVIER_DEVICE_PASS
  return __uint_as_float(b);
#else
  return __builtin_bit_cast(float, b);
#endif
}

// Fused multiply-add, rounded once. Both sides are exactly rounded, so the
// result does not depend on whether the host has an fma instruction.
RANVIER_HD double fmadd(double a, double b, double c) {
#if RANVIER_DEVICE_PASS
  return __fma_rn(a, b, c);
#else
  return __builtin_fma(a, b, c);
#endif
}
RANVIER_HD float fmadd(float a, float b, float c) {
#if RANVIER_DEVICE_PASS
  return __fmaf_rn(a, b, c);
#else
  return __builtin_fmaf(a, b, c);
#endif
}

template <class T> RANVIER_HD T select(bool c, T a, T b) { return c ? a : b; }
template <class T> RANVIER_HD T infinity_of() { return T(1e300) * T(1e300); }
template <class T> RANVIER_HD T nan_of() { return infinity_of<T>() - infinity_of<T>(); }

// ---- exp and expm1 -----------------------------------------------------------
//
// x = k·ln2 + r with |r| <= ln2/2 (Cody–Waite: ln2 split in a high part with
// trailing zeros, so k·ln2_hi is exact, and a low part), then
// e^r − 1 = r + r²·(1/2! + r/3! + …) with the bracket by Horner with fma.
// Degree 13 keeps the truncation below half an ulp in double, degree 7 in
// float.
// The integer k is found with the 1.5·2^p "shifter": adding it rounds x·log2(e)
// to an integer held in the low mantissa bits, which are then moved into an
// exponent field — integer operations that vectorise.

namespace detail {

template <class T> struct exp_consts;
template <> struct exp_consts<double> {
  using uint = std::uint64_t;
  static constexpr double log2e = 1.4426950408889634074;
  static constexpr double ln2_hi = 6.93147180369123816490e-01;  // 32 significant bits
  static constexpr double ln2_lo = 1.90821492927058770002e-10;  // ln2 − ln2_hi
  static constexpr double shifter = 6755399441055744.0;         // 1.5 · 2^52
  static constexpr int mant_bits = 52;
  static constexpr int bias = 1023;
  static constexpr double exp_hi = 709.782712893384;  // ln(DBL_MAX): above, +inf
  static constexpr double exp_lo = -708.39641853226410622;  // ln(DBL_MIN) = −1022·ln 2: below, 0 (subnormal)
  static constexpr double expm1_lo = -40.0;  // below, −1 (e^-40 < ulp(1)/2)
  RANVIER_HD static double poly(double r) {  // (e^r − 1 − r)/r²
    double p = 1.0 / 6227020800.0;           // 1/13!
    p = fmadd(p, r, 1.0 / 479001600.0);
    p = fmadd(p, r, 1.0 / 39916800.0);
    p = fmadd(p, r, 1.0 / 3628800.0);
    p = fmadd(p, r, 1.0 / 362880.0);
    p = fmadd(p, r, 1.0 / 40320.0);
    p = fmadd(p, r, 1.0 / 5040.0);
    p = fmadd(p, r, 1.0 / 720.0);
    p = fmadd(p, r, 1.0 / 120.0);
    p = fmadd(p, r, 1.0 / 24.0);
    p = fmadd(p, r, 1.0 / 6.0);
    return fmadd(p, r, 0.5);
  }
};
template <> struct exp_consts<float> {
  using uint = std::uint32_t;
  static constexpr float log2e = 1.44269504f;
  static constexpr float ln2_hi = 0.693145752f;    // 0x1.62e4p-1, 17 significant bits
  static constexpr float ln2_lo = 1.42860677e-06f;  // ln2 − ln2_hi
  static constexpr float shifter = 12582912.0f;     // 1.5 · 2^23
  static constexpr int mant_bits = 23;
  static constexpr int bias = 127;
  static constexpr float exp_hi = 88.7228394f;  // ln(FLT_MAX)
  static constexpr float exp_lo = -87.3365448f;  // ln(FLT_MIN) = −126·ln 2: below, 0 (subnormal)
  static constexpr float expm1_lo = -18.0f;     // below, −1
  RANVIER_HD static float poly(float r) {  // (e^r − 1 − r)/r²
    float p = static_cast<float>(1.0 / 5040.0);
    p = fmadd(p, r, static_cast<float>(1.0 / 720.0));
    p = fmadd(p, r, static_cast<float>(1.0 / 120.0));
    p = fmadd(p, r, static_cast<float>(1.0 / 24.0));
    p = fmadd(p, r, static_cast<float>(1.0 / 6.0));
    return fmadd(p, r, 0.5f);
  }
};

template <class T> RANVIER_HD typename exp_consts<T>::uint to_bits(T x) { return bits_of(x); }
RANVIER_HD double from_bits(std::uint64_t b, double) { return double_of(b); }
RANVIER_HD float from_bits(std::uint32_t b, float) { return float_of(b); }

// Splits x into k (returned as a power of two, 2^(k+shift)) and q = e^r − 1.
template <class T> struct exp_parts {
  T scale;  // 2^(k + shift)
  T q;      // e^r − 1
};
template <class T>
RANVIER_HD exp_parts<T> exp_split(T x, int shift) {
  using C = exp_consts<T>;
  using U = typename C::uint;
  const T t = x * C::log2e + C::shifter;  // two roundings, the same on both engines
  const T k = t - C::shifter;             // exact: k is an integer
  T r = fmadd(-k, C::ln2_hi, x);
  r = fmadd(-k, C::ln2_lo, r);
  // k as an integer: t and the shifter share an exponent, so their bit
  // patterns differ by exactly k.
  const U ki = to_bits(t) - to_bits(C::shifter);
  const U e = (ki + static_cast<U>(C::bias + shift)) << C::mant_bits;
  // q = r + r²·poly(r): the large term r enters exactly, so q carries
  // little more than its final rounding.
  return {from_bits(e, T{}), fmadd(r * r, C::poly(r), r)};
}

}  // namespace detail

// e^x. Returns +inf above ln(max), 0 below ln of the smallest normal number
// (where the true value is subnormal), NaN for NaN. Error at most 1.06 ulp
// in float (every float checked) and about 1.004 ulp in double (1e8 random
// arguments) over the rest (tests/test_core.cpp).
template <class T>
RANVIER_HD T det_exp(T x) {
  using C = detail::exp_consts<T>;
  const T xc = select(x > C::exp_hi, C::exp_hi, select(x < C::exp_lo, C::exp_lo, x));
  // 2^k·(1 + q) is formed as 2^(k∓1)·(1 + q)·2^(±1): for x > 0 so that k one
  // past the largest exponent stays finite, for x < 0 so that the
  // intermediate stays normal (a subnormal would lose bits). Both final
  // scalings are exact.
  const bool neg = xc < T(0);
  const auto s = detail::exp_split(xc, neg ? 1 : -1);
  T y = fmadd(s.scale, s.q, s.scale) * select(neg, T(0.5), T(2));
  y = select(x > C::exp_hi, infinity_of<T>(), y);
  y = select(x < C::exp_lo, T(0), y);
  return y;
}

// e^x − 1, accurate near 0 where exp(x) − 1 cancels.
template <class T>
RANVIER_HD T det_expm1(T x) {
  using C = detail::exp_consts<T>;
  const T hi = C::exp_hi - T(1);  // keeps 2^k finite; above it the result is +inf anyway
  const T xc = select(x > hi, hi, select(x < C::expm1_lo, C::expm1_lo, x));
  const auto s = detail::exp_split(xc, 0);
  // 2^k·(1 + q) − 1 = 2^k·q + (2^k − 1); for k = 0 this is q itself.
  T y = fmadd(s.scale, s.q, s.scale - T(1));
  y = select(x > hi, infinity_of<T>(), y);
  y = select(x < C::expm1_lo, T(-1), y);
  return y;
}

// ---- log ---------------------------------------------------------------------
// Natural logarithm in double, for the host-side draws (normal, lognormal,
// geometric skips) that must give the same network on every machine. x = m·2^e
// with m in [√½, √2), then ln m = 2·atanh(s), s = (m−1)/(m+1), by its series.
RANVIER_HD double det_log(double x) {
  const bool sub = x < 2.2250738585072014e-308;  // subnormal (or <= 0): rescale
  const double xs = select(sub, x * 18014398509481984.0, x);  // · 2^54
  const std::uint64_t b = bits_of(xs);
  std::int64_t e = static_cast<std::int64_t>((b >> 52) & 0x7ff) - 1023 - (sub ? 54 : 0);
  double m = double_of((b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);  // [1, 2)
  const bool big = m > 1.4142135623730951;
  m = select(big, m * 0.5, m);
  e += big ? 1 : 0;
  const double s = (m - 1.0) / (m + 1.0);
  const double z = s * s;
  double p = 1.0 / 23.0;
  p = fmadd(p, z, 1.0 / 21.0);
  p = fmadd(p, z, 1.0 / 19.0);
  p = fmadd(p, z, 1.0 / 17.0);
  p = fmadd(p, z, 1.0 / 15.0);
  p = fmadd(p, z, 1.0 / 13.0);
  p = fmadd(p, z, 1.0 / 11.0);
  p = fmadd(p, z, 1.0 / 9.0);
  p = fmadd(p, z, 1.0 / 7.0);
  p = fmadd(p, z, 1.0 / 5.0);
  p = fmadd(p, z, 1.0 / 3.0);
  const double lnm = 2.0 * s + 2.0 * s * (z * p);
  const double ed = static_cast<double>(e);
  double y = fmadd(ed, detail::exp_consts<double>::ln2_hi,
                   fmadd(ed, detail::exp_consts<double>::ln2_lo, lnm));
  y = select(x == 0.0, -infinity_of<double>(), y);
  y = select(x < 0.0 || x != x, nan_of<double>(), y);
  y = select(x == infinity_of<double>(), x, y);
  return y;
}

// ln x in either precision. det_log is double only; a float goes through
// double (one more rounding, and the same bits on both engines).
RANVIER_HD double ln_of(double x) { return det_log(x); }
RANVIER_HD float ln_of(float x) { return static_cast<float>(det_log(static_cast<double>(x))); }

// a^b for a > 0, as e^(b·ln a): used for Q10 temperature factors at pack time.
RANVIER_HD double det_pow(double a, double b) { return det_exp(b * det_log(a)); }

// ---- fast exp and expm1 (host) -----------------------------------------------------
// The host's fast mode: the same range reduction with a shorter polynomial
// (near-minimax, Chebyshev-fitted on |r| <= ln2/2 with mpmath: relative error
// of the polynomial 1.1e-15 in double, 1.0e-8 in float; rounding adds a few
// ulp) and no care for subnormal results (below ln of the smallest normal the
// result is about that number, not 0). Branch-free, so the cell loops still
// vectorise: libm's exp is a call that stops them. NaN stays NaN.

namespace detail {
RANVIER_HD double fast_poly(double r) {  // (e^r − 1 − r)/r², degree 8
  double p = 2.76139086757848564e-7;
  p = fmadd(p, r, 2.76252377957407329e-6);
  p = fmadd(p, r, 2.48015362050553408e-5);
  p = fmadd(p, r, 1.98412085121020917e-4);
  p = fmadd(p, r, 1.38888889059735445e-3);
  p = fmadd(p, r, 8.33333335383983479e-3);
  p = fmadd(p, r, 4.16666666666512444e-2);
  p = fmadd(p, r, 1.66666666666481554e-1);
  return fmadd(p, r, 0.5);
}
RANVIER_HD float fast_poly(float r) {  // degree 4
  float p = 1.39262508e-3f;
  p = fmadd(p, r, 8.36323288e-3f);
  p = fmadd(p, r, 4.16665542e-2f);
  p = fmadd(p, r, 1.66665767e-1f);
  return fmadd(p, r, 0.5f);
}
// 2^k and e^r − 1 for x = k·ln2 + r, x already within [exp_lo, exp_hi − 1].
template <class T>
RANVIER_HD exp_parts<T> fast_split(T x) {
  using C = exp_consts<T>;
  using U = typename C::uint;
  const T t = x * C::log2e + C::shifter;
  const T k = t - C::shifter;
  T r = fmadd(-k, C::ln2_hi, x);
  r = fmadd(-k, C::ln2_lo, r);
  const U e = (to_bits(t) - to_bits(C::shifter) + static_cast<U>(C::bias)) << C::mant_bits;
  return {from_bits(e, T{}), fmadd(r * r, fast_poly(r), r)};
}
}  // namespace detail

template <class T>
RANVIER_HD T fast_exp(T x) {
  using C = detail::exp_consts<T>;
  const T hi = C::exp_hi - T(1);  // 2^k stays finite: e^x above it is e^(x−1)·e
  const bool top = hi < x;
  const T xa = select(top, x - T(1), x);
  const T xc = select(hi < xa, hi, select(xa < C::exp_lo, C::exp_lo, xa));  // NaN passes
  const auto s = detail::fast_split(xc);
  const T y = fmadd(s.scale, s.q, s.scale) * select(top, T(2.718281828459045), T(1));
  return select(C::exp_hi < x, infinity_of<T>(), y);
}

template <class T>
RANVIER_HD T fast_expm1(T x) {
  using C = detail::exp_consts<T>;
  const T hi = C::exp_hi - T(1);
  const T xc = select(x > hi, hi, select(x < C::expm1_lo, C::expm1_lo, x));
  const auto s = detail::fast_split(xc);
  T y = fmadd(s.scale, s.q, s.scale - T(1));
  y = select(x > hi, infinity_of<T>(), y);
  return select(x < C::expm1_lo, T(-1), y);
}

// ---- math modes ----------------------------------------------------------------
// The engines are templated on a math mode. Deterministic mode uses the
// exactly specified functions above, the same bits on both engines; fast mode
// uses the shorter polynomial on the host and CUDA's intrinsics on the device,
// and is checked statistically, not bit for bit (tests/test_cobahh.cpp).

struct deterministic_math {
  template <class T> RANVIER_HD static T exp(T x) { return det_exp(x); }
  template <class T> RANVIER_HD static T expm1(T x) { return det_expm1(x); }
};

struct fast_math {
#if RANVIER_DEVICE_PASS
  RANVIER_HD static double exp(double x) { return ::exp(x); }
  RANVIER_HD static float exp(float x) { return __expf(x); }
  RANVIER_HD static double expm1(double x) { return ::expm1(x); }
  RANVIER_HD static float expm1(float x) { return ::expm1f(x); }
#else
  template <class T> static T exp(T x) { return fast_exp(x); }
  template <class T> static T expm1(T x) { return fast_expm1(x); }
#endif
};

// x / (e^x − 1): the form in which HH-type rate functions reach their
// removable singularity (NEURON's vtrap, Brian's 1/exprel), computed through
// expm1 so that it stays accurate near x = 0, where it is 1.
template <class M, class T>
RANVIER_HD T vtrap(T x) {
  const T d = M::expm1(x);
  return select(x == T(0), T(1), x / d);
}

}  // namespace ranvier::core
