// What the channels of Mainen & Sejnowski 1996 (Nature 382:363) share: their
// rate function, and the first-power K⁺ gate of their kv and km channels,
// whose rates are that function at +v and −v about one midpoint.
#pragma once

#include "core/dmath.hpp"
#include "core/gating.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/mechanism.hpp"

namespace ranvier::core {

// a·(v − θ)/(1 − e^(−(v − θ)/q)) [1/ms] with a [1/ms], θ, q [mV]: the
// original's "trap0", i.e. a·q·x/(1 − e^(−x)) with x = (v − θ)/q, taken
// through vtrap so that it is a·q at v = θ.
template <class M, class T>
RANVIER_HD T ms96_rate(T v, T theta, T a, T q) {
  return a * q * vtrap<M>((theta - v) / q);
}

// The K⁺ gate n: α = ms96_rate(v, θ, Ra, q), β = ms96_rate(−v, −θ, Rb, q)
// (= −Rb·(v − θ)/(1 − e^((v − θ)/q))), n∞ = α/(α + β), τ = 1/(tadj·(α + β)).
// One exponential-Euler step with dt_tadj = dt·tadj [ms].
template <class M, class T>
RANVIER_HD T ms96_n_step(T n, T v, T theta, T ra, T rb, T q, T dt_tadj) {
  const T a = ms96_rate<M>(v, theta, ra, q);
  const T b = ms96_rate<M>(-v, -theta, rb, q);
  const T sum = a + b;
  return relax<M>(n, a / sum, T(1) / sum, dt_tadj);
}
template <class M, class T>
RANVIER_HD T ms96_n_inf(T v, T theta, T ra, T rb, T q) {
  const T a = ms96_rate<M>(v, theta, ra, q);
  return a / (a + ms96_rate<M>(-v, -theta, rb, q));
}

// The first-power K⁺ channel of the original's kv and km, whose conductance
// and rates are both scaled by tadj = 2.3^((celsius − 23)/10): one body for
// the two; K supplies name, doc, the params table and the rate constants
// tha, qa [mV], Ra, Rb [1/ms].
template <class K> struct ms96_k {
  static constexpr const char* name = K::name;
  static constexpr const char* doc = K::doc;
  enum param : int {
    gbar,  // maximal conductance at 23 °C [S/cm²] (the original's pS/µm² · 1e-4)
    ek,    // K reversal [mV]
    nuser,
    tadj = nuser,  // derived: 2.3^((celsius − 23)/10) [1]
    dt_tadj,       // derived: dt·tadj [ms]
    nparam
  };
  static constexpr const param_spec* params = K::params;
  enum state : int { n, nstate };
  static constexpr const char* states[nstate] = {"n"};
  static constexpr bool uses_cai = false, writes_cai = false, carries_ca = false;

  static void derive(double* p, const derive_ctx& c) {
    p[tadj] = det_pow(2.3, (c.celsius - 23.0) / 10.0);
    p[dt_tadj] = c.dt * p[tadj];
  }

  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T /*cai*/, flux<T>& f) {
    const T g = p[tadj] * p[gbar] * s[n];
    f.i += g * (v - p[ek]);
    f.g += g;
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s, T v, T& /*cai*/, T /*ica*/) {
    s[n] = ms96_n_step<M>(s[n], v, T(K::tha), T(K::Ra), T(K::Rb), T(K::qa), p[dt_tadj]);
  }
  template <class M, class T>
  RANVIER_HD static void init(const T* /*p*/, T* s, T v, T /*cai*/) {
    s[n] = ms96_n_inf<M>(v, T(K::tha), T(K::Ra), T(K::Rb), T(K::qa));
  }
};

}  // namespace ranvier::core
