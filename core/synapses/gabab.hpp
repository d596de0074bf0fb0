// GABA_B, a slow metabotropic receptor (Destexhe & Sejnowski 1995;
// Destexhe, Mainen & Sejnowski 1998): transmitter binding activates
// receptors R, which activate a G-protein G, whose concentration opens K⁺
// channels cooperatively:
//   dR/dt = K1·[T]·(1 − R) − K2·R,   dG/dt = K3·R − K4·G,
//   g = gmax·Gⁿ/(Gⁿ + Kd),           I = g·(v − e).
// Each arrival releases transmitter for `duration`: [T] = t_max·Σ w over the
// releases whose pulse is on, the weight w [1] the size of a release (1: one
// standard release). R and G belong to the location, shared by its
// connections: the response is nonlinear (Gⁿ), so that a single release
// opens almost nothing and a burst opens much — the receptor's signature.
// Both are advanced exactly while [T] is constant (R relaxes
// exponentially, G is then a sum of two exponentials). Default rates: the
// fitted model of Destexhe et al. (K1 0.52 /(ms·mM), K2 0.0045 /ms, K3 0.18
// /ms, K4 0.034 /ms, Kd 100, n 4, 0.5 mM for 0.3 ms, e −95 mV).
#pragma once

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/synapses/receptor.hpp"

namespace ranvier::core {

struct gabab {
  static constexpr const char* name = "gabab";
  static constexpr const char* doc =
      "GABA_B: transmitter binding (R) activates a G-protein (G) that opens K channels cooperatively, g = gmax "
      "G^n/(G^n + Kd) (Destexhe et al. 1998); weights are release sizes [1]";
  static constexpr const char* weight_unit = "1";
  enum param : int {
    gmax,      // maximal conductance [µS]
    k1,        // binding rate [1/(ms·mM)]
    k2,        // unbinding rate [1/ms]
    k3,        // G-protein production [1/ms]
    k4,        // G-protein decay [1/ms]
    kd,        // dissociation constant of G on the channel [µM⁴, n = 4]
    n,         // cooperativity [1]
    t_max,     // transmitter of one release [mM]
    duration,  // release duration [ms]
    e,         // reversal potential [mV]
    nuser,
    g_decay = nuser,  // derived: e^(−K4·dt) [1]
    step,             // derived: dt [ms]
    nparam
  };
  static constexpr param_spec params[nuser] = {
      {"gmax", "uS", 0.001, "maximal conductance"},
      {"k1", "1/(ms mM)", 0.52, "binding rate"},
      {"k2", "1/ms", 0.0045, "unbinding rate"},
      {"k3", "1/ms", 0.18, "G-protein production rate"},
      {"k4", "1/ms", 0.034, "G-protein decay rate"},
      {"kd", "uM4", 100.0, "dissociation constant of G on the channel"},
      {"n", "count", 4.0, "cooperativity (binding sites)"},
      {"t_max", "mM", 0.5, "transmitter of one release"},
      {"duration", "ms", 0.3, "release duration"},
      {"e", "mV", -95.0, "reversal potential"}};
  static constexpr int pulse_param = duration;
  enum state : int { r, g_prot, on, nstate };
  static constexpr const char* states[nstate] = {"R", "G", "releases"};

  static void derive(double* p, const derive_ctx& c) {
    p[g_decay] = det_exp(-c.dt * p[k4]);
    p[step] = c.dt;
  }

  template <class M, class T>
  RANVIER_HD static void deliver_pulse(const T*, T* s, T w, T w_end, T /*moved: kinetic receptors only*/) {
    s[on] += w - w_end;
  }
  template <class M, class T>
  RANVIER_HD static T open_fraction(const T* p, T gp) {
    // Gⁿ for the integer n of the scheme (4), by multiplication; else pow.
    T gn = T(1);
    const int ni = static_cast<int>(p[n]);
    if (T(ni) == p[n] && ni >= 0 && ni <= 8) {
      for (int q = 0; q < ni; ++q) gn *= gp;
    } else {
      gn = gp > T(0) ? M::exp(p[n] * static_cast<T>(det_log(static_cast<double>(gp)))) : T(0);
    }
    return gn / (gn + p[kd]);
  }
  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T& i, T& gsum) {
    const T g = p[gmax] * open_fraction<M>(p, s[g_prot]);
    i += g * (v - p[e]);
    gsum += g;
  }
  // Exact over a step with [T] = t_max·releases constant: R relaxes to R∞
  // at rate lam = K1·[T] + K2; G = G0·e^(−K4·t) + K3·(R∞·(1 − e^(−K4·t))/K4
  // + (R0 − R∞)·(e^(−lam·t) − e^(−K4·t))/(K4 − lam)).
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s) {
    const T tr = p[t_max] * s[on];
    const T lam = p[k1] * tr + p[k2];
    const T rinf = p[k1] * tr / lam;
    const T dt = p[step];
    const T er = M::exp(-lam * dt);
    const T eg = p[g_decay];
    const T diff = p[k4] - lam;
    // (e^(−lam·t) − e^(−K4·t))/(K4 − lam), → t·e^(−K4·t) as lam → K4.
    const T mix = (diff > T(1e-6) || diff < T(-1e-6)) ? (er - eg) / diff : dt * eg;
    s[g_prot] = s[g_prot] * eg + p[k3] * (rinf * (T(1) - eg) / p[k4] + (s[r] - rinf) * mix);
    s[r] = rinf + (s[r] - rinf) * er;
  }
  template <class T>
  RANVIER_HD static T conductance(const T* p, const T* s) {
    return p[gmax] * open_fraction<deterministic_math>(p, s[g_prot]);
  }
};

}  // namespace ranvier::core
