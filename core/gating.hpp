// Gating variables of HH-type channels: dx/dt = α(V)(1 − x) − β(V)x, or in
// the form many published models give them, dx/dt = (x∞(V) − x)/τ(V).
#pragma once

#include <cstdint>

#include "core/dmath.hpp"
#include "core/hd.hpp"

namespace ranvier::core {

// Steady state x∞ = α / (α + β).
template <class T>
RANVIER_HD T steady_state(T alpha, T beta) {
  return alpha / (alpha + beta);
}

// One exponential-Euler (Rush–Larsen) step at fixed V: x∞ + (x − x∞)·e^(−(α+β)·dt_eff).
// Exact while α and β are constant, and unconditionally stable. dt_eff is the
// step scaled by the temperature factor (dt·φ) [ms]. This is what NEURON's
// `cnexp` produces for HH-type kinetics.
template <class M, class T>
RANVIER_HD T rush_larsen(T x, T alpha, T beta, T dt_eff) {
  const T sum = alpha + beta;
  const T xinf = alpha / sum;
  return xinf + (x - xinf) * M::exp(-dt_eff * sum);
}

// What a Rush–Larsen step of a gate needs at a voltage: x∞ = α/(α + β) and
// the decay factor e^(−(α+β)·dt_eff); rush_larsen is x∞ + (x − x∞)·decay
// with exactly these.
template <class M, class T>
RANVIER_HD void gate_form(T alpha, T beta, T dt_eff, T& inf, T& decay) {
  const T sum = alpha + beta;
  inf = alpha / sum;
  decay = M::exp(-dt_eff * sum);
}

// Rate tables, as NEURON's TABLE statement (`usetable`): a mechanism's gates'
// x∞ and decay factors tabulated over the voltage once, at set-up, and
// interpolated linearly in every step instead of computed (no exponential,
// no division). Used by the CPU engine in fast mode, for the point neurons'
// mechanisms that give their gates in that form (`ntable`, `gates`);
// outside [table_vmin, table_vmax] the end values hold.
inline constexpr double table_vmin = -120.0, table_vmax = 80.0, table_dv = 0.1;  // [mV]
inline constexpr std::uint32_t table_points = 2001;  // (vmax − vmin)/dv + 1
template <class T> struct gate_table {
  const T* data = nullptr;  // per point: each gate's x∞ and decay, 2·ntable values; null: no table
  T vmin = T(0);            // [mV]
  T inv_dv = T(0);          // [1/mV]
  std::uint32_t npoints = 0;
};

// Whether the first Mech::ntable states of mechanism Mech are gates it can
// give as x∞ and decay at a voltage (Mech::gates<M>(p, v, inf, decay)).
template <class Mech> constexpr bool has_gate_table() { return requires { Mech::ntable; }; }

// Advances the first G states s by the table's x∞ and decay at v.
template <int G, class T>
RANVIER_HD void advance_from_table(const gate_table<T>& t, T v, T* s) {
  T x = (v - t.vmin) * t.inv_dv;
  const T top = static_cast<T>(t.npoints - 1);
  x = !(x > T(0)) ? T(0) : x > top ? top : x;  // a NaN v reads the first point (v itself is the fault)
  std::uint32_t i = static_cast<std::uint32_t>(x);
  i = i > t.npoints - 2 ? t.npoints - 2 : i;
  const T f = x - static_cast<T>(i);
  const T* a = t.data + static_cast<std::size_t>(i) * (2 * G);
  const T* b = a + 2 * G;
  for (int g = 0; g < G; ++g) {
    const T inf = a[2 * g] + f * (b[2 * g] - a[2 * g]);
    const T decay = a[2 * g + 1] + f * (b[2 * g + 1] - a[2 * g + 1]);
    s[g] = inf + (s[g] - inf) * decay;
  }
}

// Fills out (table_points × 2·Mech::ntable values) with mechanism Mech's
// gates at each table voltage for parameters p (computed in double,
// deterministic arithmetic, then rounded to T). Host only.
template <class Mech, class T> void fill_gate_table(const double* p, T* out) {
  constexpr int G = Mech::ntable;
  double inf[G], decay[G];
  for (std::uint32_t i = 0; i < table_points; ++i) {
    Mech::template gates<deterministic_math>(p, table_vmin + static_cast<double>(i) * table_dv, inf, decay);
    for (int g = 0; g < G; ++g) {
      out[static_cast<std::size_t>(i) * (2 * G) + 2 * g] = static_cast<T>(inf[g]);
      out[static_cast<std::size_t>(i) * (2 * G) + 2 * g + 1] = static_cast<T>(decay[g]);
    }
  }
}
template <class T> gate_table<T> table_view(const T* data) {
  return {data, static_cast<T>(table_vmin), static_cast<T>(1.0 / table_dv), table_points};
}

// The same step for a gate given by x∞ and τ [ms]: x∞ + (x − x∞)·e^(−dt/τ).
// Exact while x∞ and τ are constant; what NEURON's `cnexp` produces for
// x' = (x∞ − x)/τ. dt [ms] may carry a temperature factor (dt·φ with τ at
// the reference temperature).
template <class M, class T>
RANVIER_HD T relax(T x, T xinf, T tau, T dt) {
  return xinf + (x - xinf) * M::exp(-dt / tau);
}

}  // namespace ranvier::core
