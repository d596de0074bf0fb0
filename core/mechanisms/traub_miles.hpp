// The Traub–Miles Na and K channels (Traub & Miles 1991) as used by the COBAHH
// benchmark (Brette et al. 2007, J Comput Neurosci 23:349, with the equations of
// Brian2's COBAHH example): Na m³h, delayed-rectifier K n⁴, all rates shifted
// by the threshold-setting voltage VT. Temperature-independent, as in the
// benchmark. The leak is a separate `leak` mechanism.
#pragma once

#include "core/dmath.hpp"
#include "core/gating.hpp"
#include "core/hd.hpp"

namespace ranvier::core::traub_miles {

enum param : int {
  gnabar,  // Na maximal conductance [S/cm²]
  gkbar,   // K maximal conductance [S/cm²]
  ena,     // Na reversal [mV]
  ek,      // K reversal [mV]
  vt,      // rate-function offset VT [mV]
  dt,      // derived: the step [ms]
  nparam
};
enum state : int { m, h, n, nstate };

template <class T> struct rates {
  T am, bm, ah, bh, an, bn;  // [1/ms]
};

template <class M, class T>
RANVIER_HD rates<T> rates_at(T v /* [mV] */, T vt_ /* [mV] */) {
  const T u = v - vt_;
  rates<T> r;
  r.am = T(1.28) * vtrap<M>((T(13) - u) * T(0.25));  // 0.32·(13−u) / (e^((13−u)/4) − 1)
  r.bm = T(1.4) * vtrap<M>((u - T(40)) * T(0.2));    // 0.28·(u−40) / (e^((u−40)/5) − 1)
  r.ah = T(0.128) * M::exp((T(17) - u) * T(1.0 / 18));
  r.bh = T(4) / (T(1) + M::exp((T(40) - u) * T(0.2)));
  r.an = T(0.16) * vtrap<M>((T(15) - u) * T(0.2));  // 0.032·(15−u) / (e^((15−u)/5) − 1)
  r.bn = T(0.5) * M::exp((T(10) - u) * T(0.025));
  return r;
}

template <class T>
RANVIER_HD void current(const T* p, T m_, T h_, T n_, T v, T& i, T& g) {
  const T gna = p[gnabar] * (m_ * m_ * m_) * h_;
  const T n2 = n_ * n_;
  const T gk = p[gkbar] * (n2 * n2);
  i += gna * (v - p[ena]) + gk * (v - p[ek]);
  g += gna + gk;
}

template <class M, class T>
RANVIER_HD void advance(const T* p, T& m_, T& h_, T& n_, T v) {
  const rates<T> r = rates_at<M>(v, p[vt]);
  m_ = rush_larsen<M>(m_, r.am, r.bm, p[dt]);
  h_ = rush_larsen<M>(h_, r.ah, r.bh, p[dt]);
  n_ = rush_larsen<M>(n_, r.an, r.bn, p[dt]);
}

template <class M, class T>
RANVIER_HD void init(const T* p, T& m_, T& h_, T& n_, T v) {
  const rates<T> r = rates_at<M>(v, p[vt]);
  m_ = steady_state(r.am, r.bm);
  h_ = steady_state(r.ah, r.bh);
  n_ = steady_state(r.an, r.bn);
}

}  // namespace ranvier::core::traub_miles
