// Adaptive exponential integrate-and-fire (Brette & Gerstner 2005):
//   cm·dv/dt = −g_l·(v − e_l) + g_l·Δ_T·e^((v − v_t)/Δ_T) − w + i_e + I_syn
//   tau_w·dw/dt = a·(v − e_l) − w
// at v_peak a spike, v = v_reset, w += b, v held for t_ref. Defaults: the
// paper's (and NEST's aeif_cond_exp's) regular-spiking cell.
//
// Integration over a step: the linear part (leak and the inputs' frozen
// conductance) exactly, as lif does, with the exponential term and w held at
// their values at the step's start; then w exactly towards a·(v − e_l) at
// the step's start v. First order in dt, stable where forward Euler on the
// exponential needs a far smaller step.
#pragma once

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/neurons/neuron.hpp"

namespace ranvier::core {

struct adex {
  static constexpr const char* name = "adex";
  static constexpr const char* doc =
      "adaptive exponential integrate-and-fire (Brette & Gerstner 2005): cm dv/dt = -g_l (v - e_l) + g_l delta_t "
      "exp((v - v_t)/delta_t) - w + i_e + I_syn, tau_w dw/dt = a (v - e_l) - w; at v_peak v = v_reset, w += b";
  enum param : int {
    cm,       // membrane capacitance [nF]
    g_l,      // leak conductance [µS]
    e_l,      // leak reversal potential [mV]
    v_t,      // exponential threshold [mV]
    delta_t,  // slope factor [mV]
    v_peak,   // spike cut-off [mV]
    v_reset,  // reset potential [mV]
    a,        // subthreshold adaptation [µS]
    b,        // spike-triggered adaptation [nA]
    tau_w,    // adaptation time constant [ms]
    t_ref,    // refractory period [ms]
    i_e,      // constant injected current [nA]
    nuser,
    w_decay = nuser,  // derived: e^(−dt/tau_w) [1]
    nparam
  };
  static constexpr param_spec params[nuser] = {
      {"cm", "nF", 0.281, "membrane capacitance"},
      {"g_l", "uS", 0.030, "leak conductance"},
      {"e_l", "mV", -70.6, "leak reversal potential"},
      {"v_t", "mV", -50.4, "exponential threshold"},
      {"delta_t", "mV", 2.0, "slope factor"},
      {"v_peak", "mV", 0.0, "spike cut-off"},
      {"v_reset", "mV", -70.6, "reset potential"},
      {"a", "uS", 0.004, "subthreshold adaptation"},
      {"b", "nA", 0.0805, "spike-triggered adaptation"},
      {"tau_w", "ms", 144.0, "adaptation time constant"},
      {"t_ref", "ms", 0.0, "refractory period (v held at v_reset)"},
      {"i_e", "nA", 0.0, "constant injected current"}};
  enum state : int { w, nstate };
  static constexpr const char* states[nstate] = {"w"};
  static constexpr const char* state_units[nstate] = {"nA"};
  static constexpr int threshold_param = v_peak;
  static constexpr int t_ref_param = t_ref;
  static constexpr int reset_param = v_reset;  // below the threshold
  static constexpr bool clamps = true;
  static constexpr bool exact_currents = false;

  static void derive(double* p, const derive_ctx& c) { p[w_decay] = det_exp(-c.dt / p[tau_w]); }
  static double initial_v(const double* p) { return p[e_l]; }

  template <class M, class T>
  RANVIER_HD static void init(const T*, T* s, T) {
    s[w] = T(0);
  }
  template <class M, class T>
  RANVIER_HD static T step(const T* p, T* s, T v, T ip, T gp, T, T dt) {
    const T spike_current = p[g_l] * p[delta_t] * M::exp((v - p[v_t]) / p[delta_t]);
    const T g = p[g_l] + gp;
    const T vinf = (p[g_l] * p[e_l] + spike_current - s[w] + p[i_e] - ip + gp * v) / g;
    const T e = M::exp(-dt * g / p[cm]);
    relax_w(p, s, v);
    return vinf + (v - vinf) * e;
  }
  template <class M, class T>
  RANVIER_HD static T hold(const T* p, T* s, T, T, T, T) {
    relax_w(p, s, p[v_reset]);
    return p[v_reset];
  }
  template <class T>
  RANVIER_HD static bool fired(const T* p, T, T v_new) {
    return v_new >= p[v_peak];
  }
  template <class T>
  RANVIER_HD static void reset(const T* p, T* s, T& v) {
    v = p[v_reset];
    s[w] = s[w] + p[b];
  }

 private:
  template <class T>
  RANVIER_HD static void relax_w(const T* p, T* s, T v) {
    const T winf = p[a] * (v - p[e_l]);
    s[w] = winf + (s[w] - winf) * p[w_decay];
  }
};

}  // namespace ranvier::core
