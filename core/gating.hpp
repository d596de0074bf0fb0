// Gating variables of HH-type channels: dx/dt = α(V)(1 − x) − β(V)x, or in
// the form many published models give them, dx/dt = (x∞(V) − x)/τ(V).
#pragma once

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

// The same step for a gate given by x∞ and τ [ms]: x∞ + (x − x∞)·e^(−dt/τ).
// Exact while x∞ and τ are constant; what NEURON's `cnexp` produces for
// x' = (x∞ − x)/τ. dt [ms] may carry a temperature factor (dt·φ with τ at
// the reference temperature).
template <class M, class T>
RANVIER_HD T relax(T x, T xinf, T tau, T dt) {
  return xinf + (x - xinf) * M::exp(-dt / tau);
}

}  // namespace ranvier::core
