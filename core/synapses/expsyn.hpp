// Exponentially decaying synaptic conductance (NEURON's ExpSyn): each arriving
// weight w [µS] steps g up by w; g decays with time constant tau; the current
// is g·(v − e) [nA]. Converging connections add linearly.
#pragma once

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/synapses/receptor.hpp"

namespace ranvier::core {

struct expsyn {
  static constexpr const char* name = "expsyn";
  static constexpr const char* doc =
      "a conductance that jumps by the weight at each arriving spike and decays with tau (NEURON's ExpSyn)";
  enum param : int {
    tau,  // decay time constant [ms]
    e,    // reversal potential [mV]
    nuser,
    decay = nuser,  // derived: e^(−dt/tau) [1]
    nparam
  };
  static constexpr param_spec params[nuser] = {{"tau", "ms", 2.0, "decay time constant"},
                                               {"e", "mV", 0.0, "reversal potential"}};
  enum state : int { g, nstate };
  static constexpr const char* states[nstate] = {"g"};

  static void derive(double* p, const derive_ctx& c) { p[decay] = det_exp(-c.dt / p[tau]); }

  template <class M, class T>
  RANVIER_HD static void deliver(const T*, T* s, T w) {
    s[g] += w;
  }
  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T& i, T& gsum) {
    i += s[g] * (v - p[e]);
    gsum += s[g];
  }
  // Exact decay over one step.
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s) {
    s[g] = s[g] * p[decay];
  }
  template <class T>
  RANVIER_HD static T conductance(const T*, const T* s) {
    return s[g];
  }
};

}  // namespace ranvier::core
