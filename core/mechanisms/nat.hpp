// Transient Na⁺ channel of Mainen & Sejnowski 1996 (Nature 382:363), as in
// their published NEURON model: m³h, the rates of Hodgkin–Huxley form
// a·(v − θ)/(1 − e^(−(v − θ)/q)) evaluated at v + vshift, the inactivation's
// steady state a separate Boltzmann. Rates and conductance are both scaled by
// tadj = 2.3^((celsius − 23)/10), as the original does.
#pragma once

#include "core/dmath.hpp"
#include "core/gating.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/mechanism.hpp"
#include "core/mechanisms/ms96.hpp"

namespace ranvier::core {

struct nat {
  static constexpr const char* name = "nat";
  static constexpr const char* doc =
      "transient Na (Mainen & Sejnowski 1996), m3h; rates and conductance scaled by 2.3^((celsius - 23)/10)";
  enum param : int {
    gbar,    // maximal conductance at 23 °C [S/cm²] (the original's pS/µm² · 1e-4)
    ena,     // Na reversal [mV]
    vshift,  // the rates are taken at v + vshift [mV]
    nuser,
    tadj = nuser,  // derived: 2.3^((celsius − 23)/10) [1]
    dt_tadj,       // derived: dt·tadj [ms]
    nparam
  };
  static constexpr param_spec params[nuser] = {
      {"gbar", "S/cm2", 0.1, "maximal conductance at 23 degC (1000 pS/um2 in the original; 1 pS/um2 = 1e-4 S/cm2)"},
      {"ena", "mV", 50.0, "Na reversal potential", ion::na},
      {"vshift", "mV", -10.0, "shift of the rate functions: they are taken at v + vshift"}};
  enum state : int { m, h, nstate };
  static constexpr const char* states[nstate] = {"m", "h"};
  static constexpr bool uses_cai = false, writes_cai = false, carries_ca = false;

  // The published constants: activation midpoint tha, slope qa [mV], rates
  // Ra, Rb [1/ms]; inactivation rates around thi1, thi2 with slope qi [mV],
  // Rd, Rg [1/ms]; steady state midpoint thinf, slope qinf [mV].
  static constexpr double tha = -35, qa = 9, Ra = 0.182, Rb = 0.124;
  static constexpr double thi1 = -50, thi2 = -75, qi = 5, Rd = 0.024, Rg = 0.0091;
  static constexpr double thinf = -65, qinf = 6.2;

  static void derive(double* p, const derive_ctx& c) {
    p[tadj] = det_pow(2.3, (c.celsius - 23.0) / 10.0);
    p[dt_tadj] = c.dt * p[tadj];
  }

  template <class T> struct gates {
    T minf, mrate, hinf, hrate;  // steady states [1], α + β at 23 °C [1/ms]
  };
  template <class M, class T>
  RANVIER_HD static gates<T> gates_at(T v /* [mV], shifted */) {
    const T am = ms96_rate<M>(v, T(tha), T(Ra), T(qa));
    const T bm = ms96_rate<M>(-v, T(-tha), T(Rb), T(qa));
    const T ah = ms96_rate<M>(v, T(thi1), T(Rd), T(qi));
    const T bh = ms96_rate<M>(-v, T(-thi2), T(Rg), T(qi));
    gates<T> r;
    r.mrate = am + bm;
    r.minf = am / r.mrate;
    r.hrate = ah + bh;
    r.hinf = T(1) / (T(1) + M::exp((v - T(thinf)) * T(1.0 / qinf)));
    return r;
  }

  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T /*cai*/, flux<T>& f) {
    const T g = p[tadj] * p[gbar] * (s[m] * s[m] * s[m]) * s[h];
    f.i += g * (v - p[ena]);
    f.g += g;
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s, T v, T& /*cai*/, T /*ica*/) {
    const auto r = gates_at<M>(v + p[vshift]);
    s[m] = relax<M>(s[m], r.minf, T(1) / r.mrate, p[dt_tadj]);
    s[h] = relax<M>(s[h], r.hinf, T(1) / r.hrate, p[dt_tadj]);
  }
  template <class M, class T>
  RANVIER_HD static void init(const T* p, T* s, T v, T /*cai*/) {
    const auto r = gates_at<M>(v + p[vshift]);
    s[m] = r.minf;
    s[h] = r.hinf;
  }
};

}  // namespace ranvier::core
