// Slow, non-inactivating M-type K⁺ channel of Mainen & Sejnowski 1996 (Nature
// 382:363), as in their published NEURON model ("km"): one gate n to the
// first power, rates of Hodgkin–Huxley form about tha = −30 mV with rate
// constants of 0.001/ms (kdr's: 0.02 and 0.002/ms); rates and conductance
// both scaled by tadj = 2.3^((celsius − 23)/10), as the original does.
#pragma once

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/mechanism.hpp"
#include "core/mechanisms/ms96.hpp"

namespace ranvier::core {

struct km {
  static constexpr const char* name = "km";
  static constexpr const char* doc =
      "M-type K (Mainen & Sejnowski 1996, km), n; rates and conductance scaled by 2.3^((celsius - 23)/10)";
  enum param : int {
    gbar,  // maximal conductance at 23 °C [S/cm²] (the original's pS/µm² · 1e-4)
    ek,    // K reversal [mV]
    nuser,
    tadj = nuser,  // derived: 2.3^((celsius − 23)/10) [1]
    dt_tadj,       // derived: dt·tadj [ms]
    nparam
  };
  static constexpr param_spec params[nuser] = {
      {"gbar", "S/cm2", 0.001, "maximal conductance at 23 degC (10 pS/um2 in the original; 1 pS/um2 = 1e-4 S/cm2)"},
      {"ek", "mV", -90.0, "K reversal potential", ion::k}};
  enum state : int { n, nstate };
  static constexpr const char* states[nstate] = {"n"};
  static constexpr bool uses_cai = false, writes_cai = false, carries_ca = false;

  // Midpoint tha, slope qa [mV], rates Ra, Rb [1/ms], as published.
  static constexpr double tha = -30, qa = 9, Ra = 0.001, Rb = 0.001;

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
    s[n] = ms96_n_step<M>(s[n], v, T(tha), T(Ra), T(Rb), T(qa), p[dt_tadj]);
  }
  template <class M, class T>
  RANVIER_HD static void init(const T* /*p*/, T* s, T v, T /*cai*/) {
    s[n] = ms96_n_inf<M>(v, T(tha), T(Ra), T(Rb), T(qa));
  }
};

}  // namespace ranvier::core
