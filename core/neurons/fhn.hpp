// FitzHugh–Nagumo in the seed's form (FitzHugh 1961):
//   tau·dV/dt = c·(V − V³/3 + R + I),  tau·dR/dt = −(V − a + b·R)/c,
// V and R dimensionless, time scaled by tau [ms]; a spike is an upward
// crossing of v_th. No reset: the cell's own dynamics repolarise it; t_ref is
// the detector's dead time. I = i_e + I_syn, an input current of 1 nA
// counting as 1 (current clamps and current-based receptors drive it;
// conductance receptors, whose reversal potentials are in mV, do not fit
// a dimensionless V). Forward Euler.
#pragma once

#include "core/hd.hpp"
#include "core/neurons/neuron.hpp"

namespace ranvier::core {

struct fhn {
  static constexpr const char* name = "fhn";
  static constexpr const char* doc =
      "FitzHugh-Nagumo: tau dV/dt = c (V - V^3/3 + R + I), tau dR/dt = -(V - a + b R)/c; spike at an upward "
      "crossing of v_th";
  enum param : int {
    a,      // [1]
    b,      // [1]
    c,      // [1]
    tau,    // time scale [ms]
    v_th,   // spike detection level [1]
    i_e,    // constant drive [1]
    t_ref,  // dead time of the detector [ms]
    nuser,
    nparam = nuser
  };
  static constexpr param_spec params[nuser] = {{"a", "1", 0.7, "recovery offset"},
                                               {"b", "1", 0.8, "recovery self-coupling"},
                                               {"c", "1", 3.0, "time-scale separation"},
                                               {"tau", "ms", 1.0, "time scale"},
                                               {"v_th", "1", 1.0, "spike detection level"},
                                               {"i_e", "1", 0.0, "constant drive"},
                                               {"t_ref", "ms", 0.0, "dead time of the detector"}};
  enum state : int { r, nstate };
  static constexpr const char* states[nstate] = {"R"};
  static constexpr const char* state_units[nstate] = {"1"};
  static constexpr int threshold_param = v_th;
  static constexpr int t_ref_param = t_ref;
  static constexpr int reset_param = -1;  // below the threshold
  static constexpr bool clamps = false;
  static constexpr bool exact_currents = false;

  static void derive(double*, const derive_ctx&) {}
  // The resting V of the unforced cell (i_e = 0): the root of
  // V − V³/3 + (a − V)/b = 0 (R on its nullcline), by Newton's method from
  // the left branch. With a drive that makes the cell oscillate its own
  // fixed point is unstable, and a cell started on it would stay there.
  static double initial_v(const double* p) {
    double v = -1.0;
    for (int it = 0; it < 60; ++it) {
      const double f = v - v * v * v / 3.0 + (p[a] - v) / p[b];
      const double df = 1.0 - v * v - 1.0 / p[b];
      v -= f / df;
    }
    return v;
  }

  template <class M, class T>
  RANVIER_HD static void init(const T* p, T* s, T v) {
    s[r] = (p[a] - v) / p[b];
  }
  template <class M, class T>
  RANVIER_HD static T step(const T* p, T* s, T v, T ip, T, T, T dt) {
    const T h = dt / p[tau];
    const T dv = p[c] * (v - v * v * v / T(3) + s[r] + p[i_e] - ip);
    s[r] = s[r] - h * (v - p[a] + p[b] * s[r]) / p[c];
    return v + h * dv;
  }
  template <class M, class T>
  RANVIER_HD static T hold(const T* p, T* s, T v, T ip, T gp, T dt) {
    return step<M>(p, s, v, ip, gp, T(0), dt);
  }
  template <class T>
  RANVIER_HD static bool fired(const T* p, T v_old, T v_new) {
    return v_old < p[v_th] && v_new >= p[v_th];
  }
  template <class T>
  RANVIER_HD static void reset(const T*, T*, T&) {}
};

}  // namespace ranvier::core
