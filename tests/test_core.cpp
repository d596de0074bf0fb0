// Unit tests of core/: the deterministic elementary functions against libm in
// extended precision, Philox against Random123's published known answers, the
// pinned Ranvier streams, fixed-point accumulation, the channel rate functions
// against independent textbook formulas, and the exponential-Euler gating step
// against the exact solution at fixed voltage.
#include <doctest/doctest.h>

#include <Random123/philox.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <type_traits>
#include <vector>

#include "core/dmath.hpp"
#include "core/events.hpp"
#include "core/fixed_point.hpp"
#include "core/gating.hpp"
#include "core/mechanisms/hh.hpp"
#include "core/mechanisms/hh_type.hpp"
#include "core/mechanisms/traub_miles.hpp"
#include "core/generators.hpp"
#include "core/rng.hpp"

using namespace ranvier::core;

namespace {

// Distance in units in the last place of `ref` (rounded to T) between a and ref.
template <class T>
double ulps(T a, long double ref) {
  const T r = static_cast<T>(ref);
  const T ulp = std::nextafter(r, std::numeric_limits<T>::infinity()) - r;
  return static_cast<double>(std::fabs(static_cast<long double>(a) - ref) / ulp);
}

// The six rates of an HH-type mechanism against reference values
// {α_m, β_m, α_h, β_h, α_n, β_n} [1/ms], to a relative tolerance.
template <class T>
void check_rates(const mhn_rates<T>& r, std::array<double, 6> ref, double tol) {
  const T got[6] = {r.am, r.bm, r.ah, r.bh, r.an, r.bn};
  for (int i = 0; i < 6; ++i) {
    CAPTURE(i);
    CHECK(got[i] == doctest::Approx(ref[i]).epsilon(tol).scale(0));
  }
}

// det_exp's error bound: float, every float of the range checked (the long
// test below): at most 1.0593 ulp (at -5.88885); double, 1e8 random
// arguments over the range: at most 1.0039 ulp (at -527.136).
template <class T> constexpr double det_exp_ulps = std::is_same_v<T, float> ? 1.06 : 1.005;
}  // namespace

TEST_SUITE("unit") {

TEST_CASE_TEMPLATE("det_exp is within its error bound of exp over the whole finite range", T, float, double) {
  // From the smallest argument with a normal result (ln of the smallest
  // normal number: below it det_exp returns 0) to the largest finite one.
  const T lo = ranvier::core::detail::exp_consts<T>::exp_lo;
  CHECK(static_cast<long double>(lo) <= std::log(static_cast<long double>(std::numeric_limits<T>::min())) + 1e-6L);
  CHECK(det_exp(lo) > T(0));
  const T hi = std::is_same_v<T, double> ? T(709.7) : T(88.7);
  double worst = 0.0;
  T worst_x = 0;
  const int n = 200000;
  for (int i = 0; i <= n; ++i) {
    const T x = lo + (hi - lo) * static_cast<T>(i) / static_cast<T>(n);
    const double e = ulps(det_exp(x), std::exp(static_cast<long double>(x)));
    if (e > worst) {
      worst = e;
      worst_x = x;
    }
  }
  // Small arguments too, where the polynomial alone works.
  for (int i = -1000; i <= 1000; ++i) {
    const T x = static_cast<T>(i) * T(1e-4);
    worst = std::max(worst, ulps(det_exp(x), std::exp(static_cast<long double>(x))));
  }
  CAPTURE(worst_x);
  CAPTURE(worst);
  CHECK(worst <= det_exp_ulps<T>);
}

TEST_CASE_TEMPLATE("det_exp special values", T, float, double) {
  const T inf = std::numeric_limits<T>::infinity();
  CHECK(det_exp(T(0)) == T(1));
  CHECK(det_exp(T(1000)) == inf);
  CHECK(det_exp(inf) == inf);
  CHECK(det_exp(-inf) == T(0));
  CHECK(det_exp(T(-1000)) == T(0));
  CHECK(std::isnan(det_exp(std::numeric_limits<T>::quiet_NaN())));
  CHECK(det_exp(T(-0.0)) == T(1));
}

TEST_CASE_TEMPLATE("det_expm1 keeps its relative accuracy near zero", T, float, double) {
  double worst = 0.0;
  for (int i = -3000; i <= 3000; ++i) {
    // Logarithmically spaced magnitudes from 1e-30 to 30, both signs.
    const long double mag = std::pow(10.0L, static_cast<long double>(std::abs(i)) / 100.0L - 30.0L);
    const T x = static_cast<T>(i < 0 ? -mag : mag);
    if (x == T(0)) continue;
    worst = std::max(worst, ulps(det_expm1(x), std::expm1(static_cast<long double>(x))));
  }
  CHECK(worst <= 2.0);
  CHECK(det_expm1(T(0)) == T(0));
  CHECK(det_expm1(T(-100)) == T(-1));
  CHECK(det_expm1(std::numeric_limits<T>::infinity()) == std::numeric_limits<T>::infinity());
}

TEST_CASE_TEMPLATE("fast mode's host exp and expm1: within their stated error, finite where e^x is, NaN kept", T, float,
                   double) {
  // fast_exp: relative error over the range of normal results; fast_expm1:
  // relative error from 1e-30 to 30 in magnitude, both signs (where its
  // 2^k·q + 2^k − 1 cancels, the polynomial's error grows). The
  // polynomial's own error is 1.1e-15 (double), 1.0e-8 (float); measured
  // with rounding: double exp 1.2e-15, expm1 3.6e-15; float exp 1.5e-7, expm1 8.5e-8.
  const double bound = std::is_same_v<T, double> ? 4e-15 : 3e-7;
  using C = ranvier::core::detail::exp_consts<T>;
  const T lo = C::exp_lo, hi = std::is_same_v<T, double> ? T(709.7) : T(88.7);
  double worst = 0.0, worst_m1 = 0.0;
  const int n = 200000;
  for (int i = 0; i <= n; ++i) {
    const T x = lo + (hi - lo) * static_cast<T>(i) / static_cast<T>(n);
    const long double ref = std::exp(static_cast<long double>(x));
    worst = std::max(worst, static_cast<double>(std::fabs(fast_exp(x) / ref - 1.0L)));
  }
  for (int i = -3000; i <= 3000; ++i) {
    const long double mag = std::pow(10.0L, static_cast<long double>(std::abs(i)) / 100.0L - 30.0L);
    const T x = static_cast<T>(i < 0 ? -mag : mag);
    if (x == T(0) || x > hi) continue;
    const long double ref = std::expm1(static_cast<long double>(x));
    worst_m1 = std::max(worst_m1, static_cast<double>(std::fabs(fast_expm1(x) / ref - 1.0L)));
  }
  MESSAGE("fast_exp relative error ", worst, ", fast_expm1 ", worst_m1);
  CHECK(worst <= bound);
  CHECK(worst_m1 <= bound);
  const T inf = std::numeric_limits<T>::infinity();
  CHECK(fast_exp(T(0)) == T(1));
  CHECK(fast_expm1(T(0)) == T(0));
  CHECK(fast_exp(inf) == inf);
  CHECK(fast_exp(T(1000)) == inf);
  CHECK(fast_exp(-inf) <= std::numeric_limits<T>::min() * T(1.01));  // about the smallest normal, not a subnormal
  CHECK(fast_expm1(-inf) == T(-1));
  CHECK(fast_expm1(inf) == inf);
  CHECK(std::isnan(fast_exp(std::numeric_limits<T>::quiet_NaN())));
  CHECK(std::isnan(fast_expm1(std::numeric_limits<T>::quiet_NaN())));
  // The engines' fast mode on the host is these functions.
  CHECK(fast_math::exp(T(0.3)) == fast_exp(T(0.3)));
  CHECK(fast_math::expm1(T(-0.3)) == fast_expm1(T(-0.3)));
}

TEST_CASE("det_log is within two ulps of log, subnormals included") {
  double worst = 0.0;
  std::mt19937_64 gen(7);
  for (int i = 0; i < 200000; ++i) {
    // Random bit patterns of positive finite doubles: every binade.
    std::uint64_t b = gen() & 0x7fffffffffffffffULL;
    const double x = double_of(b);
    if (!(x > 0) || std::isinf(x) || std::isnan(x)) continue;
    worst = std::max(worst, ulps(det_log(x), std::log(static_cast<long double>(x))));
  }
  for (double x : {1.0, 2.0, 0.5, 1.0000001, 0.9999999, 1e-300, 5e-324, 1.7e308}) {
    CAPTURE(x);
    worst = std::max(worst, ulps(det_log(x), std::log(static_cast<long double>(x))));
  }
  CHECK(worst <= 2.0);
  CHECK(det_log(1.0) == 0.0);
  CHECK(det_log(0.0) == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(det_log(-1.0)));
  CHECK(det_log(std::numeric_limits<double>::infinity()) == std::numeric_limits<double>::infinity());
}

TEST_CASE("vtrap is smooth through its removable singularity") {
  // x / (e^x − 1) = 1 − x/2 + x²/12 − … near 0.
  for (double x : {1e-12, -1e-12, 1e-8, -1e-8, 1e-5, -1e-5}) {
    CAPTURE(x);
    const double series = 1.0 - x / 2.0 + x * x / 12.0;
    CHECK(std::fabs(vtrap<deterministic_math>(x) - series) <= 1e-15);
  }
  CHECK(vtrap<deterministic_math>(0.0) == 1.0);
  CHECK(std::fabs(vtrap<deterministic_math>(1e-4f) - (1.0f - 0.5e-4f)) <= 2e-7f);
}

TEST_CASE("Philox4x32-10 reproduces Random123's known-answer vectors and its words") {
  // Random123 tests/kat_vectors (v1.14.0), the three "philox4x32 10" lines:
  // counter (4 words), key (2 words), expected output (4 words).
  struct kat {
    philox_words ctr;
    std::uint32_t k0, k1;
    std::uint32_t out[4];
  };
  const kat kats[] = {
      {{{0, 0, 0, 0}}, 0, 0, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}},
       0xffffffff,
       0xffffffff,
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}},
       0xa4093822,
       0x299f31d0,
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (const auto& k : kats) {
    const auto r = philox_10(k.ctr, k.k0, k.k1);
    for (int i = 0; i < 4; ++i) {
      CAPTURE(i);
      CHECK(r.v[i] == k.out[i]);
    }
  }
  // And Random123's own Philox4x32 (Debian's libRandom123-dev, an
  // independent implementation) on counters and keys drawn from a stream.
  stream s(7, stream_purpose::weight, 1, 2);
  int differ = 0;
  for (int n = 0; n < 2000; ++n) {
    const philox_words c = {{s.next_u32(), s.next_u32(), s.next_u32(), s.next_u32()}};
    const std::uint32_t k0 = s.next_u32(), k1 = s.next_u32();
    const auto mine = philox_10(c, k0, k1);
    const auto theirs = r123::Philox4x32()({{c.v[0], c.v[1], c.v[2], c.v[3]}}, {{k0, k1}});
    for (int i = 0; i < 4; ++i) differ += mine.v[i] != theirs.v[i];
  }
  CHECK(differ == 0);
}

TEST_CASE("Ranvier's stream layout is pinned") {
  // The first words of two streams, fixed when the layout was chosen. A change
  // here changes every network and every Poisson train: make it deliberately.
  stream s(42, stream_purpose::connect, 3, 17);
  const std::uint32_t expect[6] = {0xd0904cd1, 0x71b9abdf, 0xc0472463,
                                    0xb5adc564, 0xcf9d2e77, 0x31d7c3ae};
  for (int i = 0; i < 6; ++i) {
    CAPTURE(i);
    CHECK(s.next_u32() == expect[i]);
  }
  const auto b = philox_block(42, stream_purpose::poisson, 5, 9, 123456789012ULL);
  const std::uint32_t expect_b[4] = {0x2975c4ac, 0x71d339ac, 0x24ef3a2b, 0xe9aac465};
  for (int i = 0; i < 4; ++i) CHECK(b.v[i] == expect_b[i]);
  // The layout itself: key = seed, counter = {index, draw lo, purpose<<24|id, draw hi}.
  const auto direct = philox_10({{9, static_cast<std::uint32_t>(123456789012ULL), (5u << 24) | 5u,
                                  static_cast<std::uint32_t>(123456789012ULL >> 32)}},
                                 42, 0);
  for (int i = 0; i < 4; ++i) CHECK(b.v[i] == direct.v[i]);
}

TEST_CASE("Poisson draws: the integer threshold is the uniform's comparison, and the CPU lanes are the scalar draw") {
  poisson_view P{};
  P.seed = 0x1234567890abcdefULL;
  P.stream_id = 3;
  P.start = 0;
  P.stop = std::int64_t{1} << 40;
  // Rates from silence to certainty, and probabilities next to a draw's grid.
  const double ps[] = {0.0, 1e-17, 0x1p-53, 0x1.8p-53, 1.5e-3, 0.015, 0.5, 1.0 - 0x1p-53, 1.0};
  long fired = 0, lanes_differ = 0, uniform_differs = 0;
  for (double p : ps) {
    P.p_spike = p;
    P.threshold = poisson_threshold(p);
    for (std::int64_t step : {std::int64_t{0}, std::int64_t{1}, std::int64_t{977}, (std::int64_t{1} << 33) + 5}) {
      for (std::uint32_t c0 = 0; c0 < 512; c0 += 64) {
        std::uint8_t lanes[64];
        poisson_fires_lanes<64>(P, c0, step, lanes);
        for (std::uint32_t k = 0; k < 64; ++k) {
          const bool one = poisson_fires(P, c0 + k, step);
          const auto b = philox_block(P.seed, stream_purpose::poisson, P.stream_id, c0 + k, static_cast<std::uint64_t>(step));
          fired += one;
          lanes_differ += one != static_cast<bool>(lanes[k]);
          uniform_differs += one != (uniform_from(b.v[0], b.v[1]) < p);
        }
      }
    }
  }
  CHECK(lanes_differ == 0);
  CHECK(uniform_differs == 0);
  CHECK(fired > 4000);  // p = 0.5 and above fire about 5100 of their 3 · 2048 draws
  P.p_spike = 1.0;
  P.threshold = poisson_threshold(1.0);
  CHECK(P.threshold == 9007199254740992ULL);
  P.threshold = poisson_threshold(0.0);
  CHECK(P.threshold == 0);
  CHECK(!poisson_fires(P, 0, P.stop));  // inactive after stop
}

TEST_CASE("stream draws: ranges, independence of streams, normal moments") {
  stream a(1, stream_purpose::weight, 0, 0), b(1, stream_purpose::weight, 0, 1), c(2, stream_purpose::weight, 0, 0);
  int same_ab = 0, same_ac = 0;
  for (int i = 0; i < 1000; ++i) {
    const double ua = a.uniform(), ub = b.uniform(), uc = c.uniform();
    CHECK(ua >= 0.0);
    CHECK(ua < 1.0);
    same_ab += ua == ub;
    same_ac += ua == uc;
  }
  CHECK(same_ab == 0);
  CHECK(same_ac == 0);

  stream s(3, stream_purpose::init, 1, 2);
  std::vector<int> hist(10, 0);
  for (int i = 0; i < 100000; ++i) {
    const auto k = s.below(10);
    REQUIRE(k < 10);
    ++hist[k];
  }
  for (int k = 0; k < 10; ++k) {
    CAPTURE(k);
    CHECK(std::abs(hist[k] - 10000) < 500);  // 5 sd of a binomial(1e5, 0.1) count (sd 95)
  }

  const int n = 200000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double z = s.normal();
    sum += z;
    sum2 += z * z;
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  CAPTURE(mean);
  CAPTURE(var);
  CHECK(std::fabs(mean) < 5.0 / std::sqrt(n));               // 5 standard errors
  CHECK(std::fabs(var - 1.0) < 5.0 * std::sqrt(2.0 / n));     // 5 standard errors of the variance
}

TEST_CASE_TEMPLATE("fixed-point sums are exact over the whole range a step's inputs may take, in any order", T, float, double) {
  // Weights of both signs, log-uniform from 2^-40 (one unit) to 1600, 5000
  // of them: sums up to the 8e6 a target's inputs may reach in a step
  // (check_input_sums refuses more). Integer addition cannot depend on the
  // order; what matters is that the sum is the exact sum of the rounded
  // weights, with no overflow anywhere in the range: the fixed-point sum,
  // converted back, equals the sum of the weights (in long double) to within
  // half a unit per weight.
  std::mt19937 gen(11);
  std::uniform_real_distribution<double> log2w(-40.0, std::log2(1600.0));
  std::bernoulli_distribution negative(0.3);
  std::vector<T> weights(5000);
  for (auto& x : weights) x = static_cast<T>((negative(gen) ? -1.0 : 1.0) * std::exp2(log2w(gen)));
  long double exact = 0;
  for (auto x : weights) exact += static_cast<long double>(x);
  std::int64_t first = 0;
  for (auto x : weights) first += to_fixed(x);
  CHECK(std::fabs(static_cast<long double>(from_fixed<double>(first)) - exact) <= 5000 * fixed_unit / 2 + 1e-12L * std::fabs(exact));
  T float_first = 0;
  for (auto x : weights) float_first += x;
  bool float_sum_changed = false;
  for (int trial = 0; trial < 50; ++trial) {
    std::shuffle(weights.begin(), weights.end(), gen);
    std::int64_t sum = 0;
    T fsum = 0;
    for (auto x : weights) {
      sum += to_fixed(x);
      fsum += x;
    }
    CHECK(sum == first);
    float_sum_changed |= fsum != float_first;
  }
  // The point of fixed point: plain floating-point sums do depend on order.
  CHECK(float_sum_changed);
  // Each weight is represented within half a unit of 2^-40.
  for (auto x : weights) CHECK(std::fabs(static_cast<double>(from_fixed<double>(to_fixed(x))) - x) <= fixed_unit / 2);
  // The ends of the range: +-8e6 (a weight's and a step's sum's limit) and
  // one unit convert both ways without overflow.
  for (double x : {8.0e6, -8.0e6, fixed_unit, -fixed_unit}) {
    CAPTURE(x);
    CHECK(from_fixed<double>(to_fixed(x)) == x);
  }
  CHECK(fixed_max_value * fixed_scale < 9.2233720368547758e18);  // 8e6 · 2^40 < 2^63
}

TEST_CASE_TEMPLATE("HH rate functions agree with the textbook formulas", T, float, double) {
  const double tol = std::is_same_v<T, double> ? 1e-13 : 2e-6;
  for (double v = -100.0; v <= 60.0; v += 0.37) {
    CAPTURE(v);
    // NEURON's hh.mod, written out with libm.
    const double am = 0.1 * (-(v + 40)) / (std::exp(-(v + 40) / 10) - 1);
    const double bm = 4 * std::exp(-(v + 65) / 18);
    const double ah = 0.07 * std::exp(-(v + 65) / 20);
    const double bh = 1 / (std::exp(-(v + 35) / 10) + 1);
    const double an = 0.01 * (-(v + 55)) / (std::exp(-(v + 55) / 10) - 1);
    const double bn = 0.125 * std::exp(-(v + 65) / 80);
    const auto r = hh::rates_at<deterministic_math>(static_cast<T>(v));
    check_rates(r, {am, bm, ah, bh, an, bn}, tol);
  }
  // The removable singularities: α_m(−40) = 1, α_n(−55) = 0.1 [1/ms].
  CHECK(hh::rates_at<deterministic_math>(T(-40)).am == doctest::Approx(1.0).epsilon(tol).scale(0));
  CHECK(hh::rates_at<deterministic_math>(T(-55)).an == doctest::Approx(0.1).epsilon(tol).scale(0));
}

TEST_CASE("HH steady states at rest are the classic values") {
  // m∞, h∞, n∞ at −65 mV: 0.0529, 0.5961, 0.3177 (Hodgkin & Huxley 1952 in the
  // modern convention; e.g. Dayan & Abbott, ch. 5).
  double s[hh::nstate];
  hh::init<deterministic_math>(static_cast<const double*>(nullptr), s, -65.0, 0.0);
  CHECK(s[hh::m] == doctest::Approx(0.05293).epsilon(1e-3).scale(0));
  CHECK(s[hh::h] == doctest::Approx(0.59612).epsilon(1e-3).scale(0));
  CHECK(s[hh::n] == doctest::Approx(0.31768).epsilon(1e-3).scale(0));
}

TEST_CASE_TEMPLATE("Traub-Miles rate functions agree with Brian2's COBAHH equations", T, float, double) {
  const double tol = std::is_same_v<T, double> ? 1e-13 : 2e-6;
  const double vt = -63.0;
  for (double v = -100.0; v <= 60.0; v += 0.41) {
    CAPTURE(v);
    const double u = v - vt;
    auto exprel = [](double x) { return std::expm1(x) / x; };
    const double am = 0.32 * 4 / exprel((13 - u) / 4);
    const double bm = 0.28 * 5 / exprel((u - 40) / 5);
    const double ah = 0.128 * std::exp((17 - u) / 18);
    const double bh = 4 / (1 + std::exp((40 - u) / 5));
    const double an = 0.032 * 5 / exprel((15 - u) / 5);
    const double bn = 0.5 * std::exp((10 - u) / 40);
    const auto r = traub_miles::rates_at<deterministic_math>(static_cast<T>(v), static_cast<T>(vt));
    check_rates(r, {am, bm, ah, bh, an, bn}, tol);
  }
}

TEST_CASE("a spike's arrival row from the step's first row and the delay equals the row by division") {
  std::mt19937_64 gen(3);
  std::uint64_t checked = 0;
  for (std::uint32_t depth : {2u, 3u, 17u, 64u, 1000u, 4000000001u}) {
    for (int trial = 0; trial < 200; ++trial) {
      const auto step = static_cast<std::int64_t>(gen() % (std::uint64_t{1} << 62));
      const std::uint64_t next = arrival_row(step, 0, depth);
      for (std::uint32_t delay : {0u, 1u, depth / 2, depth - 2, depth - 1, static_cast<std::uint32_t>(gen() % depth)}) {
        if (delay >= depth) continue;
        CAPTURE(step);
        CAPTURE(delay);
        CAPTURE(depth);
        CHECK(arrival_row_after(next, delay, depth) == arrival_row(step, delay, depth));
        ++checked;
      }
    }
  }
  CHECK(checked > 6000);
}

TEST_CASE_TEMPLATE("the CPU lanes' conversion from fixed point gives from_fixed's values", T, float, double) {
  // Lanes within ±2^51 take the vectorised conversion, a chunk with one lane
  // beyond it the plain one; both must equal from_fixed bit for bit.
  std::mt19937_64 gen(7);
  const std::int64_t edge = std::int64_t{1} << 51;
  const std::vector<std::int64_t> special = {0, 1, -1, edge - 1, -edge, edge, -edge - 1, (std::int64_t{1} << 53) + 1,
                                             std::numeric_limits<std::int64_t>::max(),
                                             std::numeric_limits<std::int64_t>::min(), 123456789012345, -987654321098};
  std::size_t wide = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    std::int64_t q[64];
    T out[64];
    const int n = 1 + static_cast<int>(gen() % 64);
    const int bits = 1 + static_cast<int>(gen() % 63);  // magnitudes of every size
    for (int k = 0; k < n; ++k) q[k] = static_cast<std::int64_t>(gen() >> (64 - bits)) * (gen() % 2 ? 1 : -1);
    if (trial % 3 == 0) q[gen() % static_cast<std::uint64_t>(n)] = special[gen() % special.size()];
    bool beyond = false;
    for (int k = 0; k < n; ++k) beyond = beyond || q[k] < -edge || q[k] >= edge;
    wide += beyond;
    from_fixed_lanes(q, out, n);
    for (int k = 0; k < n; ++k) {
      CAPTURE(q[k]);
      CHECK(std::bit_cast<std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>>(out[k]) ==
            std::bit_cast<std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>>(from_fixed<T>(q[k])));
    }
  }
  CHECK(wide > 200);  // both paths taken
  CHECK(wide < 1800);
}

TEST_CASE_TEMPLATE("exponential Euler gating is exact at fixed voltage", T, float, double) {
  // At fixed V, dx/dt = α(1−x) − βx has x(t) = x∞ + (x0 − x∞)·e^(−(α+β)t):
  // the step is exact, so N steps differ from the solution only by rounding.
  const double tol = std::is_same_v<T, double> ? 1e-12 : 1e-5;
  for (double v : {-80.0, -65.0, -40.0, -20.0, 20.0}) {
    const auto r = hh::rates_at<deterministic_math>(static_cast<T>(v));
    const double dt = 0.025;
    const int nsteps = 2000;
    T x = T(0.9);
    for (int i = 0; i < nsteps; ++i) x = rush_larsen<deterministic_math>(x, r.am, r.bm, static_cast<T>(dt));
    const long double a = r.am, b = r.bm;
    const long double xinf = a / (a + b);
    const long double exact = xinf + (0.9L - xinf) * std::exp(-(a + b) * dt * nsteps);
    CAPTURE(v);
    CHECK(static_cast<double>(x) == doctest::Approx(static_cast<double>(exact)).epsilon(tol).scale(0));
  }
}

namespace {
// Mechanism Mech's parameters: its defaults, derived at dt [ms] and 6.3 °C.
template <class Mech> std::vector<double> default_params(double dt) {
  std::vector<double> p(Mech::nparam, 0.0);
  for (int i = 0; i < Mech::nuser; ++i) p[i] = Mech::params[i].default_value;
  derive_ctx c;
  c.dt = dt;
  Mech::derive(p.data(), c);
  return p;
}
}  // namespace

TEST_CASE_TEMPLATE("rate tables (fast mode): one step of each gate within 3e-6 of the direct step, the ends held, a NaN "
                   "voltage read safely",
                   T, float, double) {
  const auto sweep = [&]<class Mech>(const char* name, double dt) {
    const std::vector<double> p = default_params<Mech>(dt);
    std::vector<T> data(static_cast<std::size_t>(table_points) * 2 * Mech::ntable);
    fill_gate_table<Mech>(p.data(), data.data());
    const gate_table<T> table = table_view(data.data());
    constexpr int G = Mech::ntable;
    double worst = 0.0, worst_v = 0.0;
    for (double v = table_vmin; v <= table_vmax; v += 0.00737) {
      double inf[G], decay[G];
      Mech::template gates<deterministic_math>(p.data(), v, inf, decay);
      for (const double x0 : {0.0, 0.3, 1.0}) {
        T s[G];
        for (int g = 0; g < G; ++g) s[g] = static_cast<T>(x0);
        advance_from_table<G>(table, static_cast<T>(v), s);
        for (int g = 0; g < G; ++g) {
          const double e = std::fabs(static_cast<double>(s[g]) - (inf[g] + (x0 - inf[g]) * decay[g]));
          if (e > worst) worst = e, worst_v = v;
        }
      }
    }
    MESSAGE(std::string(name) << ", dt " << dt << " ms: largest error of a gate after one step " << worst << " at " << worst_v << " mV");
    CHECK(worst < 3e-6);
    // Beyond the ends, the end values; a NaN voltage reads the first point.
    const auto step_at = [&](T v) {
      std::array<T, G> s;
      s.fill(T(0.5));
      advance_from_table<G>(table, v, s.data());
      return s;
    };
    CHECK(step_at(T(-500)) == step_at(static_cast<T>(table_vmin)));
    CHECK(step_at(T(500)) == step_at(static_cast<T>(table_vmax)));
    CHECK(step_at(std::numeric_limits<T>::quiet_NaN()) == step_at(static_cast<T>(table_vmin)));
  };
  sweep.template operator()<hh>("hh", 0.025);
  sweep.template operator()<traub_miles>("traub_miles", 0.1);
  sweep.template operator()<traub_miles>("traub_miles", 0.01);
}

TEST_CASE_TEMPLATE("a tabled mechanism's gates are its own step: x-inf and decay give advance's values bit for bit", T, float,
                   double) {
  const auto same = [&]<class Mech>(double dt) {
    const std::vector<double> pd = default_params<Mech>(dt);
    const std::vector<T> p(pd.begin(), pd.end());
    for (double v = -100.0; v <= 60.0; v += 0.37) {
      T s[Mech::nstate] = {T(0.2), T(0.6), T(0.4)};
      T cai = T(0);
      T inf[Mech::ntable], decay[Mech::ntable];
      Mech::template gates<deterministic_math>(p.data(), static_cast<T>(v), inf, decay);
      T expect[Mech::ntable];
      for (int g = 0; g < Mech::ntable; ++g) expect[g] = inf[g] + (s[g] - inf[g]) * decay[g];
      Mech::template advance<deterministic_math>(p.data(), s, static_cast<T>(v), cai, T(0));
      for (int g = 0; g < Mech::ntable; ++g) CHECK(s[g] == expect[g]);
    }
  };
  same.template operator()<hh>(0.025);
  same.template operator()<traub_miles>(0.1);
}

}  // TEST_SUITE

TEST_SUITE("long") {

// Every float from ln(FLT_MIN) to ln(FLT_MAX), 2.2e9 of them (minutes).
TEST_CASE("det_exp<float> is within its bound of exp at every float of its range") {
  double worst = 0.0;
  float worst_x = 0.0f;
  for (float x = ranvier::core::detail::exp_consts<float>::exp_lo; x <= ranvier::core::detail::exp_consts<float>::exp_hi;
       x = std::nextafter(x, std::numeric_limits<float>::infinity())) {
    const double e = ulps(det_exp(x), std::exp(static_cast<long double>(x)));
    if (e > worst) {
      worst = e;
      worst_x = x;
    }
  }
  MESSAGE("largest error " << worst << " ulp, at " << worst_x);
  CHECK(worst <= det_exp_ulps<float>);
}

}  // TEST_SUITE("long")
