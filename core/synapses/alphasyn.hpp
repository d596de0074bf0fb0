// Alpha-function synaptic conductance (Rall 1967; NEURON's AlphaSynapse, as
// a target of many events): a single event of weight w [µS] gives
// g(t) = w·(t/tau)·e^(1 − t/tau), peaking at w at t = tau. Two states: the
// rise x (jumps by e·w) and g, with dx/dt = −x/tau, dg/dt = (x − g)/tau,
// advanced exactly over each step: g ← (g + x·dt/tau)·e^(−dt/tau).
#pragma once

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/synapses/receptor.hpp"

namespace ranvier::core {

struct alphasyn {
  static constexpr const char* name = "alphasyn";
  static constexpr const char* doc =
      "alpha-function conductance w (t/tau) exp(1 - t/tau) per event, peak w at t = tau";
  enum param : int {
    tau,  // time to peak [ms]
    e,    // reversal potential [mV]
    nuser,
    decay = nuser,  // derived: e^(−dt/tau) [1]
    step,           // derived: dt/tau [1]
    nparam
  };
  static constexpr param_spec params[nuser] = {{"tau", "ms", 2.0, "time to peak"},
                                               {"e", "mV", 0.0, "reversal potential"}};
  enum state : int { x, g, nstate };
  static constexpr const char* states[nstate] = {"x", "g"};

  static void derive(double* p, const derive_ctx& c) {
    p[decay] = det_exp(-c.dt / p[tau]);
    p[step] = c.dt / p[tau];
  }
  template <class M, class T>
  RANVIER_HD static void deliver(const T*, T* s, T w) {
    s[x] += T(euler_e) * w;
  }
  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T& i, T& gsum) {
    i += s[g] * (v - p[e]);
    gsum += s[g];
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s) {
    s[g] = (s[g] + s[x] * p[step]) * p[decay];
    s[x] = s[x] * p[decay];
  }
  template <class T>
  RANVIER_HD static T conductance(const T*, const T* s) {
    return s[g];
  }
};

}  // namespace ranvier::core
