// Dopamine-modulated STDP (Izhikevich 2007, Cereb Cortex 17:2443): the STDP
// window of stdp.hpp does not change the weight but each synapse's
// eligibility trace c [weight unit], which decays with tau_c; the weight
// follows the product of c and the extracellular dopamine d [µM] of the
// projection, which decays with tau_d and rises by d_spike at each spike of
// a modulatory population (a spike-time source gives a reward's time course):
//   dc/dt = −c/tau_c + STDP(Δt)·δ(t − t_pre/post),
//   dd/dt = −(d − d_tonic)/tau_d + d_spike·Σ δ(t − t_modulator),
//   dw/dt = c·d/(1 µM·ms)  [weight unit/ms],
// w clipped to [w_min, w_max].
//
// Event-driven and exact. The eligibility is kept, like the STDP traces,
// against the traces' reference step (c(t) = C·e^(−(t − ref)/tau_c), C
// stored), so between a synapse's events its weight grows by
// C·(G(t) − G(t₀)), with the projection's integral
//   G(t) = ∫_ref^t e^(−(s − ref)/tau_c)·d(s) ds,
// kept once per projection and advanced once a step in closed form (d is
// one exponential plus the tonic level within a step: modulator spikes
// raise it at step boundaries). Each connection keeps G at its last update;
// an update is w ← clip(w + C·(G − G_last)). Between two events c keeps its
// sign and d >= 0, so w moves one way and clipping at the end is the exact
// clipped path. At each traces' rebase every connection is brought up to
// date in the old reference, C is rescaled and G_last set to 0, and the
// projection's G restarts from 0.
//
// The projection's dopamine state (d, G) is advanced at the end of each
// step, from the modulator's spikes of that step, to the next step's start;
// so it always refers to the reference the connections are in between
// steps. During a rebase step's events (after the rebase) G is 0.
#pragma once

#include <cstdint>

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/plasticity/stdp.hpp"

namespace ranvier::core {

template <class T> struct modulation_params {
  T rate_c;       // dt/tau_c [1/step]
  T d_decay;      // e^(−dt/tau_d) [1]
  T d_spike;      // dopamine per modulator spike [µM]
  T d_tonic;      // [µM]
  T i_phasic;     // ∫_0^dt e^(−u/tau_c − u/tau_d) du [ms]
  T i_tonic;      // ∫_0^dt e^(−u/tau_c) du [ms]
  std::uint32_t gid_base, n;  // the modulatory population's gids [gid_base, +n)
};

// The projection's dopamine: the phasic part d [µM] at the start of step
// `step`, and G [weight-free: µM·ms] up to it in the connections' reference.
template <class T> struct modulator_state {
  T d;
  T g;
  std::int64_t step;
};

// A connection's eligibility at the reference (C) and G at its last update.
template <class T> struct eligibility {
  T c;
  T g;
};

// From the start of step now − 1 to the start of step now, with `count`
// modulator spikes in step now − 1 (they raise d at the start of `now`).
// block: the traces' rebase period; a rebase at now − 1 restarted G there.
template <class M, class T>
RANVIER_HD void modulator_advance(const modulation_params<T>& m, std::int64_t block, modulator_state<T>& s,
                                  std::int64_t now, std::uint32_t count) {
  const std::int64_t prev = now - 1;
  const bool rebased = prev > 0 && prev % block == 0;
  const T e = M::exp(-static_cast<T>(prev % block) * m.rate_c);  // e^(−(t − ref)/tau_c) at t_prev
  s.g = (rebased ? T(0) : s.g) + e * (s.d * m.i_phasic + m.d_tonic * m.i_tonic);
  s.d = s.d * m.d_decay + m.d_spike * static_cast<T>(count);
  s.step = now;
}

// The weight w of a connection with eligibility e brought to G = g.
template <class T>
RANVIER_HD T modulated_weight(T w, const eligibility<T>& e, T g, T w_min, T w_max) {
  return clip(w + e.c * (g - e.g), w_min, w_max);
}

// Brings connection (w, e) up to date at G = g.
template <class T>
RANVIER_HD void modulated_update(T& w, eligibility<T>& e, T g, T w_min, T w_max) {
  w = modulated_weight(w, e, g, w_min, w_max);
  e.g = g;
}

// An arrival on a connection with weight w, pre trace X and eligibility e,
// its postsynaptic cell's trace Y, at the step of clock k: the weight
// brought up to date is delivered, then the window's depression goes into
// the eligibility (not the weight) and X steps as in STDP.
template <class T>
RANVIER_HD T modulated_on_pre(const stdp_params<T>& p, const stdp_clock<T>& k, T& w, T& X, eligibility<T>& e, T Y) {
  modulated_update(w, e, k.g, p.w_min, p.w_max);
  e.c -= p.a_minus * (Y * k.post) * k.elig_up;
  X = p.nearest ? k.pre_up : X + k.pre_up;
  return w;
}

// A postsynaptic event: the potentiation into the eligibility.
template <class T>
RANVIER_HD void modulated_on_post(const stdp_params<T>& p, const stdp_clock<T>& k, T& w, T X, eligibility<T>& e) {
  modulated_update(w, e, k.g, p.w_min, p.w_max);
  e.c += p.a_plus * (X * k.pre) * k.elig_up;
}

// At a rebase: the weight brought up to date with G of the ending
// reference (g_old), the eligibility onto the new reference (factor f),
// G_last 0 (the new reference's G starts there).
template <class T>
RANVIER_HD void modulated_rebase(const stdp_params<T>& p, T& w, eligibility<T>& e, T f, T g_old) {
  modulated_update(w, e, g_old, p.w_min, p.w_max);
  const T c = e.c * f;
  e.c = c < T(1e-30) && c > T(-1e-30) ? T(0) : c;
  e.g = T(0);
}

}  // namespace ranvier::core
