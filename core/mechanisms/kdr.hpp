// Delayed-rectifier K⁺ channel of Mainen & Sejnowski 1996 (Nature 382:363),
// as in their published NEURON model ("kv"): one gate n to the first power,
// rates of Hodgkin–Huxley form about tha = 25 mV; rates and conductance both
// scaled by tadj = 2.3^((celsius − 23)/10), as the original does. The body
// is ms96_k (core/mechanisms/ms96.hpp), shared with km.
#pragma once

#include "core/mechanisms/mechanism.hpp"
#include "core/mechanisms/ms96.hpp"

namespace ranvier::core {

struct kdr_constants {
  static constexpr const char* name = "kdr";
  static constexpr const char* doc =
      "delayed-rectifier K (Mainen & Sejnowski 1996, kv), n; rates and conductance scaled by 2.3^((celsius - 23)/10)";
  static constexpr param_spec params[2] = {
      {"gbar", "S/cm2", 0.0005, "maximal conductance at 23 degC (5 pS/um2 in the original; 1 pS/um2 = 1e-4 S/cm2)"},
      {"ek", "mV", -90.0, "K reversal potential", ion::k}};
  // Midpoint tha, slope qa [mV], rates Ra, Rb [1/ms], as published.
  static constexpr double tha = 25, qa = 9, Ra = 0.02, Rb = 0.002;
};
using kdr = ms96_k<kdr_constants>;

}  // namespace ranvier::core
