// The membrane of one compartment: the implicit-Euler voltage step and the
// threshold detector. NEURON's default fixed step: currents and their slope
// conductances are evaluated at the present voltage, the linearised equation
//   (cm/dt)·(v' − v) = −(i + g·(v' − v))
// is solved for v', and the channel states then advance at v'. Stable for any
// dt; first order.
//
// NEURON's secondorder = 2 (Crank–Nicolson) solves the same equation over
// dt/2 (capacitive term 2·cm/dt) and extrapolates, v(t+dt) = v(t) + 2·Δ; the
// gates, advanced at v(t+dt) over a whole step, are then values at the half
// steps t + dt/2 (a staggered scheme, second order in dt).
#pragma once

#include "core/hd.hpp"

namespace ranvier::core {

// cm·1e-3/dt [S/cm²] for cm [µF/cm²] and dt [ms]: the capacitive term in the
// units of a density conductance.
inline constexpr double capacitive_factor(double cm, double dt) { return cm * 1e-3 / dt; }

// Converts a point current [nA] or conductance [µS] on a compartment of the
// given area [µm²] into a density [mA/cm²] or [S/cm²]: 100 / area.
inline constexpr double point_to_density(double area) { return 100.0 / area; }

// The voltage change [mV] of one implicit-Euler solve from the total membrane
// current i [mA/cm²], its slope conductance g [S/cm²] and the capacitive
// factor [S/cm²] (cm·1e-3/dt, or twice that for the half step of
// secondorder = 2).
template <class T>
RANVIER_HD T membrane_dv(T i, T g, T cfac) {
  return -i / (cfac + g);
}

// A spike is an upward crossing of the threshold within the step.
template <class T>
RANVIER_HD bool crossed_up(T v_old, T v_new, T threshold) {
  return v_old < threshold && v_new >= threshold;
}

}  // namespace ranvier::core
