// Rate-based Hebbian plasticity (the seed's rule), Δw_ij = eta·y_i·y_j, with
// the optional decay of Oja (1982), −eta·y_j²·w_ij, which keeps the weight
// vector of a cell bounded; applied to every connection of the projection
// every `interval` steps, then bounded to [w_min, w_max].
//
// y is a cell's firing rate [Hz] filtered with tau_rate: each spike adds
// 1000/tau_rate, and y decays as e^(−t/tau_rate) in between, so a regular
// train at ν Hz averages ν. Like the STDP traces, a cell's y is kept as its
// value after its last spike and that spike's step, and evaluated lazily.
// The presynaptic y is the source's (spike times, not arrivals: a rate is a
// cell's); both update from the spikes of the previous step, at the step's
// start, before the learning of that step.
#pragma once

#include <cstdint>

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/plasticity/stdp.hpp"

namespace ranvier::core {

// The rate rules: the seed's Hebbian rule (with Oja's decay), and
// homeostatic synaptic scaling (Turrigiano et al. 1998; van Rossum, Bi &
// Turrigiano 2000): every interval, each incoming weight of a cell is
// multiplied by e^(interval·(target − y_post)/(target·tau_scaling)), the
// exact solution of dw/dt = w·(target − y_post)/(target·tau_scaling) while
// the rate stays y_post — multiplicative, so the ratios of a cell's weights
// are kept, and the weights of a cell firing above its target shrink.
// And BCM (Bienenstock, Cooper & Munro 1982; the sliding threshold of
// Intrator & Cooper 1992): Δw = eta·y_pre·y_post·(y_post − θ), θ a running
// average of y_post²/y0 with time constant tau_theta, per postsynaptic cell,
// updated at each learning step before the weights as the exact relaxation
// towards y_post²/y0 over the interval.
enum class rate_form : int { hebb = 0, scaling = 1, bcm = 2 };

template <class T> struct hebbian_params {
  rate_form form;
  T eta;            // [weight unit / Hz²]
  T target;         // scaling: the target rate [Hz]
  T scale_rate;     // scaling: interval/(target·tau_scaling) [1/Hz]
  T theta_decay;    // BCM: e^(−interval/tau_theta) [1]
  T theta_scale;    // BCM: 1/y0 [1/Hz]
  T rate_decay;     // dt/tau_rate [1/step]
  T increment;      // 1000/tau_rate [Hz]
  T w_min, w_max;   // [weight unit]
  bool oja;
  std::int64_t interval;  // [steps]
};

// A cell's filtered rate after its spike at `now`.
template <class M, class T>
RANVIER_HD void rate_spike(const hebbian_params<T>& p, T& y, std::int64_t& y_step, std::int64_t now) {
  y = trace_at<M>(y, y_step, now, p.rate_decay) + p.increment;
  y_step = now;
}

// One learning update of weight w from the pre and post rates [Hz] now.
template <class M, class T>
RANVIER_HD T hebbian_update(const hebbian_params<T>& p, T w, T y_pre, T y_post, T theta = T(0)) {
  if (p.form == rate_form::scaling) return clip(w * M::exp(p.scale_rate * (p.target - y_post)), p.w_min, p.w_max);
  if (p.form == rate_form::bcm) return clip(w + p.eta * y_pre * y_post * (y_post - theta), p.w_min, p.w_max);
  T dw = p.eta * y_pre * y_post;
  if (p.oja) dw -= p.eta * y_post * y_post * w;
  return clip(w + dw, p.w_min, p.w_max);
}

// BCM: a postsynaptic cell's threshold θ [Hz] at a learning step, its rate y [Hz] now.
template <class T> RANVIER_HD T bcm_threshold(const hebbian_params<T>& p, T theta, T y) {
  const T target = y * y * p.theta_scale;
  return target + (theta - target) * p.theta_decay;
}

}  // namespace ranvier::core
