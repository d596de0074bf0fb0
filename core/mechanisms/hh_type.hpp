// What the Hodgkin–Huxley-type mechanisms share: the m³h sodium and n⁴
// potassium currents, and the updates of the three gates from their rates
// (exponential Euler in a step, steady state at initialisation). Each
// mechanism supplies its own rate functions and parameters.
#pragma once

#include "core/gating.hpp"
#include "core/hd.hpp"

namespace ranvier::core {

template <class T> struct mhn_rates {
  T am, bm, ah, bh, an, bn;  // [1/ms]
};

// gNa·m³h·(v − ENa) + gK·n⁴·(v − EK) [mA/cm²]; adds the slope conductance
// gNa·m³h + gK·n⁴ [S/cm²] to gsum.
template <class T>
RANVIER_HD T na_k_current(T gnabar, T gkbar, T ena, T ek, T m, T h, T n, T v, T& gsum) {
  const T gna = gnabar * (m * m * m) * h;
  const T n2 = n * n;
  const T gk = gkbar * (n2 * n2);
  gsum = gna + gk;
  return gna * (v - ena) + gk * (v - ek);
}

template <class M, class T>
RANVIER_HD void advance_mhn(const mhn_rates<T>& r, T dt_eff, T& m, T& h, T& n) {
  m = rush_larsen<M>(m, r.am, r.bm, dt_eff);
  h = rush_larsen<M>(h, r.ah, r.bh, dt_eff);
  n = rush_larsen<M>(n, r.an, r.bn, dt_eff);
}

// The three gates' x∞ and decay factors (gate_form), for rate tables.
template <class M, class T>
RANVIER_HD void mhn_gates(const mhn_rates<T>& r, T dt_eff, T* inf, T* decay) {
  gate_form<M>(r.am, r.bm, dt_eff, inf[0], decay[0]);
  gate_form<M>(r.ah, r.bh, dt_eff, inf[1], decay[1]);
  gate_form<M>(r.an, r.bn, dt_eff, inf[2], decay[2]);
}

template <class T>
RANVIER_HD void init_mhn(const mhn_rates<T>& r, T& m, T& h, T& n) {
  m = steady_state(r.am, r.bm);
  h = steady_state(r.ah, r.bh);
  n = steady_state(r.an, r.bn);
}

}  // namespace ranvier::core
