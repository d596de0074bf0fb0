// The squid-axon Hodgkin–Huxley channels (Hodgkin & Huxley 1952, J Physiol
// 117:500) in the modern convention and with NEURON's `hh` parameters: Na
// (m³h), K (n⁴) and leak in one mechanism. Rates in 1/ms at 6.3 °C, scaled
// by φ = Q10^((celsius − 6.3)/10) with Q10 = 3.
#pragma once

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/hh_type.hpp"
#include "core/mechanisms/mechanism.hpp"

namespace ranvier::core {

struct hh {
  static constexpr const char* name = "hh";
  static constexpr const char* doc =
      "squid-axon Hodgkin-Huxley Na, K and leak (NEURON's hh); rates scaled by 3^((celsius - 6.3)/10)";
  enum param : int {
    gnabar,  // Na maximal conductance [S/cm²]
    gkbar,   // K maximal conductance [S/cm²]
    gl,      // leak conductance [S/cm²]
    el,      // leak reversal [mV]
    ena,     // Na reversal [mV]
    ek,      // K reversal [mV]
    nuser,
    dt_phi = nuser,  // derived: dt·φ, the step scaled by the temperature factor [ms]
    nparam
  };
  static constexpr param_spec params[nuser] = {
      {"gnabar", "S/cm2", 0.12, "Na maximal conductance"},
      {"gkbar", "S/cm2", 0.036, "K maximal conductance"},
      {"gl", "S/cm2", 0.0003, "leak conductance"},
      {"el", "mV", -54.3, "leak reversal potential"},
      {"ena", "mV", 50.0, "Na reversal potential", ion::na},
      {"ek", "mV", -77.0, "K reversal potential", ion::k}};
  enum state : int { m, h, n, nstate };
  static constexpr const char* states[nstate] = {"m", "h", "n"};
  static constexpr bool uses_cai = false, writes_cai = false, carries_ca = false;

  static void derive(double* p, const derive_ctx& c) { p[dt_phi] = c.dt * det_pow(3.0, (c.celsius - 6.3) / 10.0); }

  template <class M, class T>
  RANVIER_HD static mhn_rates<T> rates_at(T v /* [mV] */) {
    mhn_rates<T> r;
    r.am = vtrap<M>(-(v + T(40)) * T(0.1));  // 0.1·(−(v+40)) / (e^(−(v+40)/10) − 1)
    r.bm = T(4) * M::exp(-(v + T(65)) * T(1.0 / 18));
    r.ah = T(0.07) * M::exp(-(v + T(65)) * T(0.05));
    r.bh = T(1) / (M::exp(-(v + T(35)) * T(0.1)) + T(1));
    r.an = T(0.1) * vtrap<M>(-(v + T(55)) * T(0.1));  // 0.01·(−(v+55)) / (e^(−(v+55)/10) − 1)
    r.bn = T(0.125) * M::exp(-(v + T(65)) * T(0.0125));
    return r;
  }

  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T /*cai*/, flux<T>& f) {
    T gnak;
    const T inak = na_k_current(p[gnabar], p[gkbar], p[ena], p[ek], s[m], s[h], s[n], v, gnak);
    f.i += inak + p[gl] * (v - p[el]);
    f.g += gnak + p[gl];
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s, T v, T& /*cai*/, T /*ica*/) {
    advance_mhn<M>(rates_at<M>(v), p[dt_phi], s[m], s[h], s[n]);
  }
  // The gates m, h, n (states 0–2) as x∞ and decay at v: rate tables (core/gating.hpp).
  static constexpr int ntable = 3;
  template <class M, class T>
  RANVIER_HD static void gates(const T* p, T v, T* inf, T* decay) {
    mhn_gates<M>(rates_at<M>(v), p[dt_phi], inf, decay);
  }
  template <class M, class T>
  RANVIER_HD static void init(const T* /*p*/, T* s, T v, T /*cai*/) {
    init_mhn(rates_at<M>(v), s[m], s[h], s[n]);
  }
};

}  // namespace ranvier::core
