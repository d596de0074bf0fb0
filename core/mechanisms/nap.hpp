// Persistent Na⁺ channel of Magistretti & Alonso 1999 (J Gen Physiol
// 114:491) in the form of Hay et al. 2011 (PLoS Comput Biol 7:e1002107,
// "Nap_Et2"): m³h, m∞ a Boltzmann with τm from Hodgkin–Huxley-form rates,
// slow inactivation h. Time constants divided by qt = 2.3^((celsius − 21)/10);
// the conductance is not scaled. (Hay et al. fix qt at its 34 °C value; here
// it follows celsius, the same at 34 °C.)
#pragma once

#include "core/dmath.hpp"
#include "core/gating.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/mechanism.hpp"

namespace ranvier::core {

struct nap {
  static constexpr const char* name = "nap";
  static constexpr const char* doc =
      "persistent Na (Magistretti & Alonso 1999 as Hay et al. 2011 Nap_Et2), m3h; time constants / "
      "2.3^((celsius - 21)/10)";
  enum param : int {
    gbar,  // maximal conductance [S/cm²]
    ena,   // Na reversal [mV]
    nuser,
    dt_qt = nuser,  // derived: dt·qt, qt = 2.3^((celsius − 21)/10) [ms]
    nparam
  };
  static constexpr param_spec params[nuser] = {{"gbar", "S/cm2", 0.00001, "maximal conductance"},
                                               {"ena", "mV", 50.0, "Na reversal potential", ion::na}};
  enum state : int { m, h, nstate };
  static constexpr const char* states[nstate] = {"m", "h"};
  static constexpr bool uses_cai = false, writes_cai = false, carries_ca = false;

  static void derive(double* p, const derive_ctx& c) { p[dt_qt] = c.dt * det_pow(2.3, (c.celsius - 21.0) / 10.0); }

  template <class T> struct gates {
    T minf, mtau, hinf, htau;  // [1], [ms] at 21 °C
  };
  // As published, with each a·(v − θ)/(1 − e^(∓(v − θ)/k)) written as
  // a·k·vtrap(·) (Hay et al. step v off the singular points by 1e-4 mV instead).
  template <class M, class T>
  RANVIER_HD static gates<T> gates_at(T v /* [mV] */) {
    gates<T> r;
    r.minf = T(1) / (T(1) + M::exp((v + T(52.6)) * T(-1.0 / 4.6)));
    const T am = T(0.182 * 6) * vtrap<M>(-(v + T(38)) * T(1.0 / 6));  // 0.182·(v+38)/(1 − e^(−(v+38)/6))
    const T bm = T(0.124 * 6) * vtrap<M>((v + T(38)) * T(1.0 / 6));   // 0.124·(−v−38)/(1 − e^((v+38)/6))
    r.mtau = T(6) / (am + bm);
    r.hinf = T(1) / (T(1) + M::exp((v + T(48.8)) * T(0.1)));
    const T ah = T(2.88e-6 * 4.63) * vtrap<M>((v + T(17)) * T(1.0 / 4.63));       // −2.88e-6·(v+17)/(1 − e^((v+17)/4.63))
    const T bh = T(6.94e-6 * 2.63) * vtrap<M>(-(v + T(64.4)) * T(1.0 / 2.63));    // 6.94e-6·(v+64.4)/(1 − e^(−(v+64.4)/2.63))
    r.htau = T(1) / (ah + bh);
    return r;
  }

  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T /*cai*/, flux<T>& f) {
    const T g = p[gbar] * (s[m] * s[m] * s[m]) * s[h];
    f.i += g * (v - p[ena]);
    f.g += g;
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s, T v, T& /*cai*/, T /*ica*/) {
    const auto r = gates_at<M>(v);
    s[m] = relax<M>(s[m], r.minf, r.mtau, p[dt_qt]);
    s[h] = relax<M>(s[h], r.hinf, r.htau, p[dt_qt]);
  }
  template <class M, class T>
  RANVIER_HD static void init(const T* /*p*/, T* s, T v, T /*cai*/) {
    const auto r = gates_at<M>(v);
    s[m] = r.minf;
    s[h] = r.hinf;
  }
};

}  // namespace ranvier::core
