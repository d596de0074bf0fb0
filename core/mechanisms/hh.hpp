// The squid-axon Hodgkin–Huxley channels (Hodgkin & Huxley 1952, J Physiol
// 117:500) in the modern convention and with NEURON's `hh` parameters: Na
// (m³h), K (n⁴) and leak in one mechanism. Rates in 1/ms at 6.3 °C, scaled
// by φ = Q10^((celsius − 6.3)/10) with Q10 = 3.
#pragma once

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/hh_type.hpp"

namespace ranvier::core::hh {

enum param : int {
  gnabar,  // Na maximal conductance [S/cm²]
  gkbar,   // K maximal conductance [S/cm²]
  gl,      // leak conductance [S/cm²]
  el,      // leak reversal [mV]
  ena,     // Na reversal [mV]
  ek,      // K reversal [mV]
  dt_phi,  // derived: dt·φ, the step scaled by the temperature factor [ms]
  nparam
};
enum state : int { m, h, n, nstate };

template <class T> using rates = mhn_rates<T>;

template <class M, class T>
RANVIER_HD rates<T> rates_at(T v /* [mV] */) {
  rates<T> r;
  r.am = vtrap<M>(-(v + T(40)) * T(0.1));  // 0.1·(−(v+40)) / (e^(−(v+40)/10) − 1)
  r.bm = T(4) * M::exp(-(v + T(65)) * T(1.0 / 18));
  r.ah = T(0.07) * M::exp(-(v + T(65)) * T(0.05));
  r.bh = T(1) / (M::exp(-(v + T(35)) * T(0.1)) + T(1));
  r.an = T(0.1) * vtrap<M>(-(v + T(55)) * T(0.1));  // 0.01·(−(v+55)) / (e^(−(v+55)/10) − 1)
  r.bn = T(0.125) * M::exp(-(v + T(65)) * T(0.0125));
  return r;
}

// Membrane current [mA/cm²] and its slope conductance [S/cm²] at fixed gates.
template <class T>
RANVIER_HD void current(const T* p, T m_, T h_, T n_, T v, T& i, T& g) {
  T gnak;
  const T inak = na_k_current(p[gnabar], p[gkbar], p[ena], p[ek], m_, h_, n_, v, gnak);
  i += inak + p[gl] * (v - p[el]);
  g += gnak + p[gl];
}

template <class M, class T>
RANVIER_HD void advance(const T* p, T& m_, T& h_, T& n_, T v) {
  advance_mhn<M>(rates_at<M>(v), p[dt_phi], m_, h_, n_);
}

template <class M, class T>
RANVIER_HD void init(T& m_, T& h_, T& n_, T v) {
  init_mhn(rates_at<M>(v), m_, h_, n_);
}

}  // namespace ranvier::core::hh
