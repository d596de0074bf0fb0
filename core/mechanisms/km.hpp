// Slow, non-inactivating M-type K⁺ channel of Mainen & Sejnowski 1996 (Nature
// 382:363), as in their published NEURON model ("km"): one gate n to the
// first power, rates of Hodgkin–Huxley form about tha = −30 mV with rate
// constants of 0.001/ms (kdr's: 0.02 and 0.002/ms); rates and conductance
// both scaled by tadj = 2.3^((celsius − 23)/10), as the original does. The
// body is ms96_k (core/mechanisms/ms96.hpp), shared with kdr.
#pragma once

#include "core/mechanisms/mechanism.hpp"
#include "core/mechanisms/ms96.hpp"

namespace ranvier::core {

struct km_constants {
  static constexpr const char* name = "km";
  static constexpr const char* doc =
      "M-type K (Mainen & Sejnowski 1996, km), n; rates and conductance scaled by 2.3^((celsius - 23)/10)";
  static constexpr param_spec params[2] = {
      {"gbar", "S/cm2", 0.001, "maximal conductance at 23 degC (10 pS/um2 in the original; 1 pS/um2 = 1e-4 S/cm2)"},
      {"ek", "mV", -90.0, "K reversal potential", ion::k}};
  // Midpoint tha, slope qa [mV], rates Ra, Rb [1/ms], as published.
  static constexpr double tha = -30, qa = 9, Ra = 0.001, Rb = 0.001;
};
using km = ms96_k<km_constants>;

}  // namespace ranvier::core
