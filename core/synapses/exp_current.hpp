// Exponentially decaying synaptic current (NEST's iaf_psc_exp input): each
// arriving weight w [nA] (negative: inhibitory) steps the current up by w,
// which decays with tau. Injected current depolarises: its outward membrane
// current is −I. On a neuron model with exact_currents its effect on v is
// the exact propagator (core/synapses/receptor.hpp).
#pragma once

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/synapses/receptor.hpp"

namespace ranvier::core {

struct exp_current {
  static constexpr const char* name = "exp_current";
  static constexpr const char* doc =
      "a current that jumps by the weight [nA] at each arriving spike and decays with tau (NEST's iaf_psc_exp input)";
  static constexpr bool current_based = true;
  enum param : int {
    tau,  // decay time constant [ms]
    nuser,
    decay = nuser,  // derived: e^(−dt/tau) [1]
    p_i,            // derived: exact propagator of I onto v [mV/nA] (exact_currents models)
    nparam
  };
  static constexpr param_spec params[nuser] = {{"tau", "ms", 2.0, "decay time constant"}};
  enum state : int { i, nstate };
  static constexpr const char* states[nstate] = {"I"};

  static void derive(double* p, const derive_ctx& c) {
    p[decay] = det_exp(-c.dt / p[tau]);
    p[p_i] = propagate_current(p[tau], c.tau_m, c.cm, c.dt).p_i;
  }
  template <class M, class T>
  RANVIER_HD static void deliver(const T*, T* s, T w) {
    s[i] += w;
  }
  template <class M, class T>
  RANVIER_HD static void current(const T*, const T* s, T, T& out, T&) {
    out -= s[i];
  }
  template <class M, class T>
  RANVIER_HD static T exact_dv(const T* p, const T* s) {
    return p[p_i] * s[i];
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s) {
    s[i] = s[i] * p[decay];
  }
  template <class T>
  RANVIER_HD static T conductance(const T*, const T*) {
    return T(0);
  }
};

}  // namespace ranvier::core
