// Pair-based spike-timing-dependent plasticity (the seed's window):
//   Δw = a_plus·e^(−Δt/tau_plus)   for Δt = t_post − t_pre >= 0,
//   Δw = −a_minus·e^(Δt/tau_minus) for Δt < 0,
// with times measured at the synapse: t_pre the spike's arrival (spike time
// plus the connection's delay), t_post the postsynaptic spike plus the
// dendritic delay post_delay.
//
// Event-driven, with traces evaluated lazily (exact, no per-step work): each
// connection keeps x, its presynaptic trace just after its last arrival, and
// that arrival's step; each postsynaptic cell keeps y and the step of its
// last postsynaptic event. A trace decays as e^(−Δsteps·dt/tau). All-to-all
// pairing adds 1 at each spike (x = Σ e^(−(t − t_i)/tau_plus) over earlier
// arrivals); nearest pairing sets it to 1, so each spike pairs with the
// latest spike of the other side only (symmetric nearest-neighbour,
// Morrison, Diesmann & Gerstner 2008).
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
};

// A trace stepped at `last` to value x, seen at step `now`.
template <class M, class T>
RANVIER_HD T trace_at(T x, std::int64_t last, std::int64_t now, T rate) {
  return x * M::exp(-static_cast<T>(now - last) * rate);
}

template <class T>
RANVIER_HD T clip(T w, T lo, T hi) {
  return w < lo ? lo : (w > hi ? hi : w);
}

// An arrival at step `now` on a connection with weight w, trace x (stepped
// at x_step) and the postsynaptic cell's trace y (at y_step). Returns the
// weight delivered (w before the update).
template <class M, class T>
RANVIER_HD T stdp_on_pre(const stdp_params<T>& p, T& w, T& x, std::int64_t& x_step, T y, std::int64_t y_step,
                         std::int64_t now) {
  const T delivered = w;
  const T yn = trace_at<M>(y, y_step, now, p.rate_minus);
  const T f = p.multiplicative ? (w - p.w_min) * p.inv_range : T(1);
  w = clip(w - p.a_minus * yn * f, p.w_min, p.w_max);
  x = p.nearest ? T(1) : trace_at<M>(x, x_step, now, p.rate_plus) + T(1);
  x_step = now;
  return delivered;
}

// A postsynaptic event at step `now` on a connection with weight w and
// presynaptic trace x (stepped at x_step).
template <class M, class T>
RANVIER_HD void stdp_on_post(const stdp_params<T>& p, T& w, T x, std::int64_t x_step, std::int64_t now) {
  const T xn = trace_at<M>(x, x_step, now, p.rate_plus);
  const T f = p.multiplicative ? (p.w_max - w) * p.inv_range : T(1);
  w = clip(w + p.a_plus * xn * f, p.w_min, p.w_max);
}

// The postsynaptic cell's trace after its event at `now`.
template <class M, class T>
RANVIER_HD void stdp_post_trace(const stdp_params<T>& p, T& y, std::int64_t& y_step, std::int64_t now) {
  y = p.nearest ? T(1) : trace_at<M>(y, y_step, now, p.rate_minus) + T(1);
  y_step = now;
}

}  // namespace ranvier::core
