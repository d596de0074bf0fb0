// The synaptic cleft (the seed's neurotransmitter inactivation): each
// connection of a projection with a cleft keeps the transmitter
// concentration [NT] [mM] in its own cleft, raised by each release and
// cleared by Michaelis–Menten reuptake and first-order enzymatic
// degradation:
//   d[NT]/dt = −V_max·[NT]/(K_m + [NT]) − k_deg·[NT],
// and a postsynaptic receptor of its own that reads [NT]:
//   ionotropic:   P_open = [NT]/(K_d + [NT])                     (the seed's single-channel model)
//   metabotropic: g = g_max·f([NT]), f the sigmoid 1/(1 + e^(−([NT] − nt_half)/slope)),
//                 shifted and scaled so that f(0) = 0 and f(∞) = 1 (no conductance without transmitter)
//   kinetic:      dr/dt = α·[NT]·(1 − r) − β·r                   (the seed's first-order kinetics,
//                 Destexhe, Mainen & Sejnowski 1994, driven by the cleft instead of a square pulse)
// The connection's conductance is its weight (g_max [µS]) times the open
// fraction; it reaches the postsynaptic cell through a `cleft` receptor
// (core/synapses/cleftsyn.hpp), which adds this step's conductances of all
// connections onto it and holds them for the step.
//
// A release adds quantum·n to [NT]: n vesicles (quantal terminals), u·x
// (Tsodyks–Markram, the fraction of resources released), or 1 (no terminal
// model: one quantum per spike). Each step, after the step's releases, a
// connection whose cleft is not empty adds its conductance at the step's
// start to its target and advances [NT] (and r) over the step by `substeps`
// classical Runge–Kutta steps (chosen at pack time so that h times the
// fastest rate is at most 0.1: accurate to about 1e-7 a step, and far
// inside RK4's stability region). A cleft below 1e-20
// mM (and r below 1e-20) is emptied exactly, so that idle synapses cost a
// test. Every operation is IEEE basic arithmetic and det_exp: the same
// bits on both engines.
#pragma once

#include <cstdint>

#include "core/dmath.hpp"
#include "core/hd.hpp"

namespace ranvier::core {

enum class cleft_receptor : int { none = 0, ionotropic = 1, metabotropic = 2, kinetic = 3 };

template <class T> struct cleft_params {
  cleft_receptor model;  // none: no cleft (releases go straight to the target)
  T quantum;             // [mM] per released vesicle (or unit of release)
  T vmax;                // [mM/ms]
  T km;                  // [mM]
  T k_deg;               // [1/ms]
  T kd;                  // ionotropic [mM]
  T nt_half, slope;      // metabotropic [mM]
  T sig0, sig_scale;     // metabotropic: σ(0) and 1/(1 − σ(0))
  T alpha;               // kinetic [1/(mM·ms)]
  T beta;                // kinetic [1/ms]
  T h;                   // the substep [ms]
  std::uint32_t substeps;
};

template <class T> struct cleft_state {
  T nt;  // [mM]
  T r;   // kinetic: the open fraction [1]
};

// The open fraction of connection state s.
template <class T>
RANVIER_HD T cleft_open(const cleft_params<T>& p, const cleft_state<T>& s) {
  switch (p.model) {
    case cleft_receptor::ionotropic: return s.nt / (p.kd + s.nt);
    case cleft_receptor::metabotropic: return (T(1) / (T(1) + det_exp(-(s.nt - p.nt_half) / p.slope)) - p.sig0) * p.sig_scale;
    case cleft_receptor::kinetic: return s.r;
    default: return T(0);
  }
}

// The rates d[NT]/dt [mM/ms] and dr/dt [1/ms].
template <class T>
RANVIER_HD void cleft_rates(const cleft_params<T>& p, T nt, T r, T& dnt, T& dr) {
  dnt = -p.vmax * nt / (p.km + nt) - p.k_deg * nt;
  dr = p.model == cleft_receptor::kinetic ? p.alpha * nt * (T(1) - r) - p.beta * r : T(0);
}

// Advances s over one step (`substeps` RK4 steps of h).
template <class T>
RANVIER_HD void cleft_advance(const cleft_params<T>& p, cleft_state<T>& s) {
  const T h = p.h, half = p.h * T(0.5), sixth = p.h / T(6);
  T nt = s.nt, r = s.r;
  for (std::uint32_t i = 0; i < p.substeps; ++i) {
    T k1n, k1r, k2n, k2r, k3n, k3r, k4n, k4r;
    cleft_rates(p, nt, r, k1n, k1r);
    cleft_rates(p, nt + half * k1n, r + half * k1r, k2n, k2r);
    cleft_rates(p, nt + half * k2n, r + half * k2r, k3n, k3r);
    cleft_rates(p, nt + h * k3n, r + h * k3r, k4n, k4r);
    nt = nt + sixth * (k1n + T(2) * k2n + T(2) * k3n + k4n);
    r = r + sixth * (k1r + T(2) * k2r + T(2) * k3r + k4r);
  }
  s.nt = nt < T(1e-20) ? T(0) : nt;
  s.r = r < T(1e-20) ? T(0) : r;
}

// The RK4 substeps for a step dt [ms]: h·(fastest rate) <= 0.1 (a local
// error of the order of (h·rate)^5/120 < 1e-7 relative), the
// fastest rate bounded by V_max/K_m + k_deg + β + α·nt_peak (nt_peak: the
// largest concentration a release can leave).
inline std::uint32_t cleft_substeps(double dt, double vmax, double km, double k_deg, double alpha, double beta,
                                    double nt_peak) {
  const double rate = vmax / km + k_deg + beta + alpha * nt_peak;
  const double n = dt * rate / 0.1;
  return n <= 1.0 ? 1u : static_cast<std::uint32_t>(n) + 1u;
}

}  // namespace ranvier::core
