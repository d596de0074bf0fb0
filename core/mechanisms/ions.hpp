// Ion-related formulas the channels share: the Nernst potential, the
// Goldman–Hodgkin–Katz (GHK) current of a permeability, and the current of a
// Ca²⁺ channel with both an ohmic and a GHK part, whose e_Ca is either the
// cell's constant value or, where a pool moves [Ca²⁺]i, Nernst of the present
// [Ca²⁺]i (NEURON's ion mechanism does the same at the start of each step).
#pragma once

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/mechanism.hpp"

namespace ranvier::core {

// The Faraday and gas constants, CODATA 2018 (NEURON's FARADAY and R since
// 8.0), and RT/F [mV] at a temperature [°C], which packing derives for the
// mechanisms and the cell's Nernst potentials.
inline constexpr double faraday_c_per_mol = 96485.33212;
inline constexpr double gas_constant_j_per_k_mol = 8.314462618;
inline constexpr double ktf_at(double celsius) {
  return 1000.0 * gas_constant_j_per_k_mol * (273.15 + celsius) / faraday_c_per_mol;
}

// Nernst potential of an ion of charge z [mV]: (RT/zF)·ln(co/ci), with ktf =
// RT/F [mV] and the concentrations in any one unit (here mM).
template <class T>
RANVIER_HD T nernst(T ktf, int z, T ci, T co) {
  return ktf / T(z) * ln_of(co / ci);
}

// The GHK current density per unit permeability [mA/cm² per cm/s] of an ion
// of charge z at v [mV], ci and co [mM], ktf = RT/F [mV]:
//   z·F·1e-3·(ci − co·e^(−u))·u/(1 − e^(−u)),  u = z·v/ktf,
// outward positive. Written as z·F·1e-3·(ci·x(−u) − co·x(u)) with x(u) =
// u/(e^u − 1) (vtrap), which is finite at u = 0 and overflows at neither end.
// Units: cm/s · C/mol · mM (1e-6 mol/cm³) = 1e-6 A/cm² = 1e-3 mA/cm² per unit.
template <class M, class T>
RANVIER_HD T ghk(T v, T ci, T co, T ktf, int z) {
  const T u = T(z) * v / ktf;
  return T(z * faraday_c_per_mol * 1e-3) * (ci * vtrap<M>(-u) - co * vtrap<M>(u));
}

// What every Ca²⁺ channel keeps among its derived parameters, in this order
// from some index `first` of its parameter array: where e_Ca comes from.
struct ca_env {
  enum : int {
    eca,      // e_Ca where it is constant [mV]
    cao,      // [Ca²⁺]o [mM]
    ktf,      // RT/F at celsius [mV]
    dynamic,  // 1: a pool moves [Ca²⁺]i here, e_Ca by Nernst every step; 0: eca [1]
    count
  };
  static void derive(double* p, const derive_ctx& c) {
    p[eca] = c.eca;
    p[cao] = c.cao;
    p[ktf] = c.ktf;
    p[dynamic] = c.ca_dynamic ? 1.0 : 0.0;
  }
};

// NEURON computes di/dv of a mechanism numerically, (i(v + 0.001) − i(v))/0.001;
// the GHK part's slope is taken the same way so that the implicit step is the
// same as NEURON's. [mV]
inline constexpr double ghk_dv_mv = 0.001;

// Adds a Ca²⁺ channel's current at open probability `open` (m²h, …) to f,
// total and Ca²⁺ part alike: the ohmic part gbar·open·(v − e_Ca) [mA/cm²]
// with gbar [S/cm²], and the GHK part pbar·open·ghk(v, cai, cao) with pbar
// [cm/s]. env points at the channel's ca_env parameters.
template <class M, class T>
RANVIER_HD void add_ca_current(const T* env, T gbar, T pbar, T open, T v, T cai, flux<T>& f) {
  const T ktf = env[ca_env::ktf], cao = env[ca_env::cao];
  const T eca = select(env[ca_env::dynamic] != T(0), nernst(ktf, 2, cai, cao), env[ca_env::eca]);
  const T g = gbar * open;
  const T perm = pbar * open;
  const T j0 = ghk<M>(v, cai, cao, ktf, 2);
  const T j1 = ghk<M>(v + T(ghk_dv_mv), cai, cao, ktf, 2);
  const T i = g * (v - eca) + perm * j0;
  const T gs = g + perm * ((j1 - j0) / T(ghk_dv_mv));
  f.i += i;
  f.g += gs;
  f.ica += i;
  f.gca += gs;
}

}  // namespace ranvier::core
