// Izhikevich (2003) simple model: dv/dt = 0.04·v² + 5·v + 140 − u + I/cm,
// du/dt = a·(b·v − u); when v reaches v_peak a spike, v = c, u += d.
// I = i_e + I_syn [nA]; with cm = 0.001 nF (1 pF, the default) 1 pA of
// input is 1 mV/ms, the convention of the paper, NEST's izhikevich and
// PyNN's Izhikevich. Forward Euler on (v, u), u from the step's start v, as
// NEST's izhikevich with consistent_integration.
#pragma once

#include "core/hd.hpp"
#include "core/neurons/neuron.hpp"

namespace ranvier::core {

struct izhikevich {
  static constexpr const char* name = "izhikevich";
  static constexpr const char* doc =
      "Izhikevich (2003): dv/dt = 0.04 v^2 + 5 v + 140 - u + I/cm, du/dt = a (b v - u); at v_peak v = c, u += d";
  enum param : int {
    a,       // recovery rate [1/ms]
    b,       // recovery sensitivity to v [1/ms]
    c,       // after-spike reset of v [mV]
    d,       // after-spike jump of u [mV/ms]
    v_peak,  // spike cut-off [mV]
    cm,      // scale of input currents: I/cm [nA/nF = mV/ms]
    i_e,     // constant injected current [nA]
    t_ref,   // refractory period, v held at c [ms]
    nuser,
    nparam = nuser
  };
  static constexpr param_spec params[nuser] = {
      {"a", "1/ms", 0.02, "recovery rate"},
      {"b", "1/ms", 0.2, "recovery sensitivity to v"},
      {"c", "mV", -65.0, "after-spike reset of v"},
      {"d", "mV/ms", 8.0, "after-spike jump of u"},
      {"v_peak", "mV", 30.0, "spike cut-off"},
      {"cm", "nF", 0.001, "input scale: an input of I [nA] adds I/cm [mV/ms]"},
      {"i_e", "nA", 0.0, "constant injected current"},
      {"t_ref", "ms", 0.0, "refractory period (v held at c)"}};
  enum state : int { u, nstate };
  static constexpr const char* states[nstate] = {"u"};
  static constexpr const char* state_units[nstate] = {"mV/ms"};
  static constexpr int threshold_param = v_peak;
  static constexpr int t_ref_param = t_ref;
  static constexpr int reset_param = c;  // below the threshold
  static constexpr bool clamps = true;
  static constexpr bool exact_currents = false;

  static void derive(double*, const derive_ctx&) {}
  static double initial_v(const double* p) { return p[c]; }

  // u at rest with b·v: the model's fixed point is not needed; u = b·v as NEST.
  template <class M, class T>
  RANVIER_HD static void init(const T* p, T* s, T v) {
    s[u] = p[b] * v;
  }
  template <class M, class T>
  RANVIER_HD static T step(const T* p, T* s, T v, T ip, T, T, T dt) {
    const T dv = (T(0.04) * v + T(5)) * v + T(140) - s[u] + (p[i_e] - ip) / p[cm];
    s[u] = s[u] + dt * p[a] * (p[b] * v - s[u]);
    return v + dt * dv;
  }
  template <class M, class T>
  RANVIER_HD static T hold(const T* p, T* s, T, T, T, T dt) {
    s[u] = s[u] + dt * p[a] * (p[b] * p[c] - s[u]);
    return p[c];
  }
  template <class T>
  RANVIER_HD static bool fired(const T* p, T, T v_new) {
    return v_new >= p[v_peak];
  }
  template <class T>
  RANVIER_HD static void reset(const T* p, T* s, T& v) {
    v = p[c];
    s[u] = s[u] + p[d];
  }
};

}  // namespace ranvier::core
