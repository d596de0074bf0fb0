// Pair-based spike-timing-dependent plasticity (the seed's window):
//   Δw = a_plus·e^(−Δt/tau_plus)   for Δt = t_post − t_pre >= 0,
//   Δw = −a_minus·e^(Δt/tau_minus) for Δt < 0,
// with times measured at the synapse: t_pre the spike's arrival (spike time
// plus the connection's delay), t_post the postsynaptic spike plus the
// dendritic delay post_delay.
//
// Event-driven, with traces kept against a common reference step (exact;
// no work per connection between its events but one multiplication a block,
// and no exponential per connection): each connection
// keeps X, its presynaptic trace as seen at the reference step ref (the
// first step of the current block of `block` steps), and each postsynaptic
// cell keeps Y likewise. The trace at step k is X·e^(−(k − ref)·dt/tau):
// the two factors e^(∓(k − ref)·dt/tau) of each side are computed once a step
// (stdp_clock_at), so an update costs a multiplication. All-to-all pairing
// adds 1 at each spike (x = Σ e^(−(t − t_i)/tau_plus) over earlier
// arrivals), that is e^(+(k − ref)·dt/tau) to X; nearest pairing sets the
// trace to 1, so each spike pairs with the latest spike of the other side
// only (symmetric nearest-neighbour, Morrison, Diesmann & Gerstner 2008).
// At the first step of each block every X and Y is rebased onto the new
// reference (times e^(−block·dt/tau), stdp_rebase); block is chosen so that
// (k − ref)·dt/tau stays within 2 (the factors' rounding then stays that of
// a 2·tau interval), and traces below 1e-20 are set to 0 there rather than
// left to decay through the subnormal numbers.
//
// At an arrival: the weight as it is reaches the target, then depression by
// the post trace, Δw = −a_minus·y·f₋(w), then x steps. At a postsynaptic
// event: potentiation by each connection's pre trace, Δw = a_plus·x·f₊(w),
// then y steps. Additive updates: f = 1, clipped to [w_min, w_max] (hard
// bounds); multiplicative (soft bounds, van Rossum, Bi & Turrigiano 2000;
// Gütig et al. 2003 with mu = 1): f₊ = (w_max − w)/(w_max − w_min),
// f₋ = (w − w_min)/(w_max − w_min).
//
// Order within a step k (time k·dt): the arrivals at k, then the
// postsynaptic events at k (so a pair at Δt = 0 is one potentiation by
// a_plus, as in Brian2 where on_pre runs before on_post), then the step's
// delivery. Each stage touches a connection at most once: a source fires at
// most once a step and a connection has one delay, one source and one
// target; that is what makes the CUDA kernels race-free (kernels/README.md).
#pragma once

#include <cstdint>

#include "core/dmath.hpp"
#include "core/hd.hpp"

namespace ranvier::core {

template <class T> struct stdp_params {
  T a_plus;         // [weight unit]
  T a_minus;        // [weight unit]
  T rate_plus;      // dt/tau_plus [1/step]
  T rate_minus;     // dt/tau_minus [1/step]
  T w_min, w_max;   // [weight unit]
  T inv_range;      // 1/(w_max − w_min)
  bool nearest;
  bool multiplicative;
  std::int64_t block;  // [steps] the traces' reference step is the last multiple of block
};

// The block length for trace rates dt/tau_plus and dt/tau_minus [1/step]
// (and the eligibility's dt/tau_c of modulated STDP):
// (k − ref)·dt/tau <= 2 within a block, and k − ref exact in float.
inline std::int64_t stdp_block(double rate_plus, double rate_minus, double rate_c = 0.0) {
  double r = rate_plus > rate_minus ? rate_plus : rate_minus;
  r = r > rate_c ? r : rate_c;
  const double b = 2.0 / r;
  return b < 1.0 ? 1 : (b > 1048576.0 ? 1048576 : static_cast<std::int64_t>(b));
}

// The traces' factors at step `now`, k = now − ref: decay e^(−k·rate) and
// growth e^(+k·rate) of the pre (plus) and post (minus) traces.
// Dopamine-modulated STDP (modulated.hpp) adds the eligibility's growth
// e^(+k·dt/tau_c) and the projection's dopamine integral G for the step's
// events.
template <class T> struct stdp_clock {
  T pre, pre_up, post, post_up;
  T elig_up = T(1);
  T g = T(0);
};

template <class M, class T>
RANVIER_HD stdp_clock<T> stdp_clock_at(const stdp_params<T>& p, std::int64_t now) {
  const T k = static_cast<T>(now % p.block);
  return {M::exp(-k * p.rate_plus), M::exp(k * p.rate_plus), M::exp(-k * p.rate_minus), M::exp(k * p.rate_minus), T(1), T(0)};
}

// Whether `now` starts a block after the first: every X and Y is rebased.
template <class T>
RANVIER_HD bool stdp_rebases_at(const stdp_params<T>& p, std::int64_t now) {
  return now > 0 && now % p.block == 0;
}

// The factor a trace of rate dt/tau takes from one reference to the next.
template <class M, class T>
RANVIER_HD T stdp_rebase_factor(const stdp_params<T>& p, T rate) {
  return M::exp(-static_cast<T>(p.block) * rate);
}

// A trace rebased by factor f; negligible ones become 0.
template <class T>
RANVIER_HD T stdp_rebase(T x, T f) {
  const T v = x * f;
  return v < T(1e-20) ? T(0) : v;
}

// A trace stepped at `last` to value x, seen at step `now` (the Hebbian
// rates, kept per cell).
template <class M, class T>
RANVIER_HD T trace_at(T x, std::int64_t last, std::int64_t now, T rate) {
  return x * M::exp(-static_cast<T>(now - last) * rate);
}

template <class T>
RANVIER_HD T clip(T w, T lo, T hi) {
  return w < lo ? lo : (w > hi ? hi : w);
}

// An arrival on a connection with weight w and pre trace X, whose
// postsynaptic cell has post trace Y, at the step of clock c. Returns the
// weight delivered (w before the update).
template <class T>
RANVIER_HD T stdp_on_pre(const stdp_params<T>& p, const stdp_clock<T>& c, T& w, T& X, T Y) {
  const T delivered = w;
  const T f = p.multiplicative ? (w - p.w_min) * p.inv_range : T(1);
  w = clip(w - p.a_minus * (Y * c.post) * f, p.w_min, p.w_max);
  X = p.nearest ? c.pre_up : X + c.pre_up;
  return delivered;
}

// A postsynaptic event on a connection with weight w and pre trace X.
template <class T>
RANVIER_HD void stdp_on_post(const stdp_params<T>& p, const stdp_clock<T>& c, T& w, T X) {
  const T f = p.multiplicative ? (p.w_max - w) * p.inv_range : T(1);
  w = clip(w + p.a_plus * (X * c.pre) * f, p.w_min, p.w_max);
}

// The postsynaptic cell's trace after its event.
template <class T>
RANVIER_HD void stdp_post_trace(const stdp_params<T>& p, const stdp_clock<T>& c, T& Y) {
  Y = p.nearest ? c.post_up : Y + c.post_up;
}

}  // namespace ranvier::core
