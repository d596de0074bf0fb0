// The squid-axon Hodgkin–Huxley channels (Hodgkin & Huxley 1952, J Physiol
// 117:500) in the modern convention and with NEURON's `hh` parameters: Na
// (m³h), K (n⁴) and leak in one mechanism. Rates in 1/ms at 6.3 °C, scaled
// by φ = Q10^((celsius − 6.3)/10) with Q10 = 3.
#pragma once

#include "core/dmath.hpp"
#include "core/gating.hpp"
#include "core/hd.hpp"

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

template <class T> struct rates {
  T am, bm, ah, bh, an, bn;  // [1/ms] at 6.3 °C
};

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
  const T gna = p[gnabar] * (m_ * m_ * m_) * h_;
  const T n2 = n_ * n_;
  const T gk = p[gkbar] * (n2 * n2);
  i += gna * (v - p[ena]) + gk * (v - p[ek]) + p[gl] * (v - p[el]);
  g += gna + gk + p[gl];
}

template <class M, class T>
RANVIER_HD void advance(const T* p, T& m_, T& h_, T& n_, T v) {
  const rates<T> r = rates_at<M>(v);
  m_ = rush_larsen<M>(m_, r.am, r.bm, p[dt_phi]);
  h_ = rush_larsen<M>(h_, r.ah, r.bh, p[dt_phi]);
  n_ = rush_larsen<M>(n_, r.an, r.bn, p[dt_phi]);
}

template <class M, class T>
RANVIER_HD void init(T& m_, T& h_, T& n_, T v) {
  const rates<T> r = rates_at<M>(v);
  m_ = steady_state(r.am, r.bm);
  h_ = steady_state(r.ah, r.bh);
  n_ = steady_state(r.an, r.bn);
}

}  // namespace ranvier::core::hh
