// Alpha-function synaptic current (NEST's iaf_psc_alpha input): a single
// event of weight w [nA] gives I(t) = w·(t/tau)·e^(1 − t/tau), peak w at
// t = tau; negative weights inhibit. States and their exact update as
// alphasyn's; on a neuron model with exact_currents its effect on v is the
// exact propagator (core/synapses/receptor.hpp).
#pragma once

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/synapses/receptor.hpp"

namespace ranvier::core {

struct alpha_current {
  static constexpr const char* name = "alpha_current";
  static constexpr const char* doc =
      "an alpha-function current w (t/tau) exp(1 - t/tau) [nA] per event (NEST's iaf_psc_alpha input)";
  static constexpr bool current_based = true;
  enum param : int {
    tau,  // time to peak [ms]
    nuser,
    decay = nuser,  // derived: e^(−dt/tau) [1]
    step,           // derived: dt/tau [1]
    p_i,            // derived: exact propagator of I onto v [mV/nA]
    p_x,            // derived: exact propagator of the rise state onto v [mV/nA]
    nparam
  };
  static constexpr param_spec params[nuser] = {{"tau", "ms", 2.0, "time to peak"}};
  enum state : int { x, i, nstate };
  static constexpr const char* states[nstate] = {"x", "I"};

  static void derive(double* p, const derive_ctx& c) {
    p[decay] = det_exp(-c.dt / p[tau]);
    p[step] = c.dt / p[tau];
    const auto pr = propagate_current(p[tau], c.tau_m, c.cm, c.dt);
    p[p_i] = pr.p_i;
    p[p_x] = pr.p_x;
  }
  template <class M, class T>
  RANVIER_HD static void deliver(const T*, T* s, T w) {
    s[x] += T(euler_e) * w;
  }
  template <class M, class T>
  RANVIER_HD static void current(const T*, const T* s, T, T& out, T&) {
    out -= s[i];
  }
  template <class M, class T>
  RANVIER_HD static T exact_dv(const T* p, const T* s) {
    return p[p_i] * s[i] + p[p_x] * s[x];
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s) {
    s[i] = (s[i] + s[x] * p[step]) * p[decay];
    s[x] = s[x] * p[decay];
  }
  template <class T>
  RANVIER_HD static T conductance(const T*, const T*) {
    return T(0);
  }
};

}  // namespace ranvier::core
