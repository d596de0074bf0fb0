// The Traub–Miles Na and K channels (Traub & Miles 1991) as used by the COBAHH
// benchmark (Brette et al. 2007, J Comput Neurosci 23:349, with the equations of
// Brian2's COBAHH example): Na m³h, delayed-rectifier K n⁴, all rates shifted
// by the threshold-setting voltage VT. Temperature-independent, as in the
// benchmark. The leak is a separate `leak` mechanism.
#pragma once

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/hh_type.hpp"

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

template <class T> using rates = mhn_rates<T>;

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
  T gnak;
  i += na_k_current(p[gnabar], p[gkbar], p[ena], p[ek], m_, h_, n_, v, gnak);
  g += gnak;
}

template <class M, class T>
RANVIER_HD void advance(const T* p, T& m_, T& h_, T& n_, T v) {
  advance_mhn<M>(rates_at<M>(v, p[vt]), p[dt], m_, h_, n_);
}

template <class M, class T>
RANVIER_HD void init(const T* p, T& m_, T& h_, T& n_, T v) {
  init_mhn(rates_at<M>(v, p[vt]), m_, h_, n_);
}

}  // namespace ranvier::core::traub_miles
