// Leaky integrate-and-fire neuron (Lapicque; as NEST's iaf_psc_* and
// iaf_cond_*): cm·dv/dt = −g_l·(v − e_l) + i_e + I_syn, spike when v reaches
// v_th, then v = v_reset, held for t_ref.
//
// Integration is exact for what is linear over a step: with the inputs'
// conductance gp frozen at the step's start (after this step's arrivals),
// the membrane relaxes towards v∞ = (g_l·e_l + i_e − ip + gp·v)/(g_l + gp)
// with rate (g_l + gp)/cm, and v(t+dt) = v∞ + (v − v∞)·e^(−dt·(g_l+gp)/cm).
// Current-based receptors (exp_current, alpha_current) add their exact
// propagators (Rotter & Diesmann 1999), so a cell with only current inputs
// is integrated exactly, as iaf_psc_exp / iaf_psc_alpha are. With conductance
// inputs the conductance's decay within a step is neglected (first order in
// dt); NEST's iaf_cond_exp uses an adaptive Runge–Kutta solver instead.
#pragma once

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/neurons/neuron.hpp"

namespace ranvier::core {

struct lif {
  static constexpr const char* name = "lif";
  static constexpr const char* doc =
      "leaky integrate-and-fire: cm dv/dt = -g_l (v - e_l) + i_e + I_syn; at v_th a spike, v = v_reset for t_ref";
  enum param : int {
    cm,       // membrane capacitance [nF]
    tau_m,    // membrane time constant [ms]
    e_l,      // resting (leak reversal) potential [mV]
    v_th,     // spike threshold [mV]
    v_reset,  // reset potential [mV]
    t_ref,    // absolute refractory period [ms]
    i_e,      // constant injected current [nA]
    nuser,
    g_l = nuser,  // derived: cm/tau_m [µS]
    decay,        // derived: e^(−dt/tau_m) [1]
    nparam
  };
  static constexpr param_spec params[nuser] = {
      {"cm", "nF", 0.25, "membrane capacitance"},
      {"tau_m", "ms", 10.0, "membrane time constant"},
      {"e_l", "mV", -70.0, "resting potential"},
      {"v_th", "mV", -55.0, "spike threshold"},
      {"v_reset", "mV", -70.0, "reset potential"},
      {"t_ref", "ms", 2.0, "absolute refractory period"},
      {"i_e", "nA", 0.0, "constant injected current"}};
  static constexpr int nstate = 0;
  static constexpr const char* states[1] = {""};
  static constexpr const char* state_units[1] = {""};
  static constexpr int threshold_param = v_th;
  static constexpr int t_ref_param = t_ref;
  static constexpr int reset_param = v_reset;  // below the threshold
  static constexpr bool clamps = true;
  static constexpr bool exact_currents = true;

  static void derive(double* p, const derive_ctx& c) {
    p[g_l] = p[cm] / p[tau_m];
    p[decay] = det_exp(-c.dt / p[tau_m]);
  }
  // The linear membrane the exact current propagators are computed for.
  static void membrane(const double* p, double& tau, double& capacitance) {
    tau = p[tau_m];
    capacitance = p[cm];
  }
  static double initial_v(const double* p) { return p[e_l]; }

  template <class M, class T>
  RANVIER_HD static void init(const T*, T*, T) {}

  template <class M, class T>
  RANVIER_HD static T step(const T* p, T*, T v, T ip, T gp, T dvx, T dt) {
    const T g = p[g_l] + gp;
    const T vinf = (p[g_l] * p[e_l] + p[i_e] - ip + gp * v) / g;
    // Selected rather than branched to, so that the CPU engine's lanes vectorise.
    const T e_g = M::exp(-dt * g / p[cm]);
    const T e = gp == T(0) ? p[decay] : e_g;
    return vinf + (v - vinf) * e + dvx;
  }
  template <class M, class T>
  RANVIER_HD static T hold(const T* p, T*, T, T, T, T) {
    return p[v_reset];
  }
  template <class T>
  RANVIER_HD static bool fired(const T* p, T, T v_new) {
    return v_new >= p[v_th];
  }
  template <class T>
  RANVIER_HD static void reset(const T* p, T*, T& v) {
    v = p[v_reset];
  }
};

}  // namespace ranvier::core
