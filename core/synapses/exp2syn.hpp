// Bi-exponential synaptic conductance (NEURON's Exp2Syn): g = B − A, with A
// decaying with tau1 (rise) and B with tau2 (decay), each arrival of weight w
// [µS] adding w·factor to both, where factor normalises the peak of a single
// event's conductance to w. As NEURON does, tau1 is raised to 0.9999·tau2 when
// it is not below it (the form then tends to an alpha function).
#pragma once

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/synapses/receptor.hpp"

namespace ranvier::core {

struct exp2syn {
  static constexpr const char* name = "exp2syn";
  static constexpr const char* doc =
      "bi-exponential conductance g = B - A with rise tau1 and decay tau2; a single event's peak is its weight "
      "(NEURON's Exp2Syn)";
  enum param : int {
    tau1,  // rise time constant [ms]
    tau2,  // decay time constant [ms]
    e,     // reversal potential [mV]
    nuser,
    decay1 = nuser,  // derived: e^(−dt/tau1) [1]
    decay2,          // derived: e^(−dt/tau2) [1]
    factor,          // derived: peak normalisation [1]
    nparam
  };
  static constexpr param_spec params[nuser] = {{"tau1", "ms", 0.5, "rise time constant"},
                                               {"tau2", "ms", 2.0, "decay time constant"},
                                               {"e", "mV", 0.0, "reversal potential"}};
  enum state : int { a, b, nstate };
  static constexpr const char* states[nstate] = {"A", "B"};

  static void derive(double* p, const derive_ctx& c) {
    double t1 = p[tau1];
    const double t2 = p[tau2];
    if (t1 / t2 > 0.9999) t1 = 0.9999 * t2;
    if (t1 / t2 < 1e-9) t1 = t2 * 1e-9;
    const double tp = (t1 * t2) / (t2 - t1) * det_log(t2 / t1);  // time of the peak [ms]
    p[factor] = 1.0 / (-det_exp(-tp / t1) + det_exp(-tp / t2));
    p[decay1] = det_exp(-c.dt / t1);
    p[decay2] = det_exp(-c.dt / t2);
  }

  template <class M, class T>
  RANVIER_HD static void deliver(const T* p, T* s, T w) {
    const T x = w * p[factor];
    s[a] += x;
    s[b] += x;
  }
  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T& i, T& gsum) {
    const T gs = s[b] - s[a];
    i += gs * (v - p[e]);
    gsum += gs;
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s) {
    s[a] = s[a] * p[decay1];
    s[b] = s[b] * p[decay2];
  }
  template <class T>
  RANVIER_HD static T conductance(const T*, const T* s) {
    return s[b] - s[a];
  }
};

}  // namespace ranvier::core
