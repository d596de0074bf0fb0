// Calcium-based plasticity (Graupner & Brunel 2012, PNAS 109:3991): each
// synapse has a calcium variable c [1] made of transients, one per
// presynaptic spike (the NMDA-mediated influx, c_pre, D after the spike
// reaches the synapse) and one per postsynaptic spike (the back-propagating
// action potential, c_post), each decaying with tau_ca:
//   c(t) = Σ_pre c_pre·e^(−(t − t_i − D)/tau_ca) + Σ_post c_post·e^(−(t − t_j)/tau_ca),
// and an efficacy ρ in [0, 1] that potentiates while c is above θ_p and
// depresses while it is above θ_d:
//   tau_rho·dρ/dt = γ_p·(1 − ρ)·Θ(c − θ_p) − γ_d·ρ·Θ(c − θ_d).
// The weight is w = w_min + ρ·(w_max − w_min), so in w:
//   dw/dt = [γ_p·(w_max − w)·Θ(c − θ_p) − γ_d·(w − w_min)·Θ(c − θ_d)]/tau_rho.
// This is Graupner & Brunel's equation without its bistability term
// −ρ(1 − ρ)(ρ* − ρ) and without its noise (as in their analysis of the
// drift, and in Higgins, Graupner & Brunel 2014): between two calcium
// events c decays as one exponential, so it stays above a threshold θ for
// tau_ca·ln(c/θ) and the equation is linear with constant coefficients on
// each of the (at most three) pieces — solved exactly, event-driven: no work
// per synapse between its events, and the same result at any step size that
// puts the spikes on the same times.
//
// Each connection keeps its weight and calcium at its last event and that
// event's step (calcium_synapse); what it delivers at an arrival is the
// weight now (calcium_weight_at). The weight reported (plastic_synapse::w:
// records, histograms, the exported state) is the one the connection will
// settle at when its present calcium has decayed below both thresholds,
// if no further spike comes — the weight a plasticity protocol measures
// once it is over.
//
// Times are whole steps: D is rounded to steps (lag), an event at step k is
// at k·dt. Two events at one step add their jumps in the engines' fixed
// order (the late presynaptic ones, the arrivals, then the postsynaptic ones).
#pragma once

#include <cstdint>

#include "core/dmath.hpp"
#include "core/hd.hpp"

namespace ranvier::core {

template <class T> struct calcium_params {
  T c_pre, c_post;      // the transients' amplitudes [1]
  T theta_d, theta_p;   // depression and potentiation thresholds [1]
  T ca_steps;           // tau_ca/dt [steps]
  T ca_rate;            // dt/tau_ca [1/step]
  T rate_p, rate_d;     // γ_p·dt/tau_rho, γ_d·dt/tau_rho [1/step]
  T w_both;             // where w relaxes while c is above both thresholds [weight unit]
  T w_min, w_max;       // [weight unit]
  std::uint32_t lag;    // D [steps]: the presynaptic transient starts this long after the arrival
};

template <class T> struct calcium_synapse {
  T w;                // the weight at step `step` [weight unit]
  T c;                // the calcium just after that step's events [1]
  std::int64_t step;  // the connection's last event
};

// The weight after `len` steps (a real number, or +inf) without events,
// from weight w and calcium c.
template <class M, class T>
RANVIER_HD T calcium_drift(const calcium_params<T>& p, T w, T c, T len) {
  const T tp = c > p.theta_p ? p.ca_steps * ln_of(c / p.theta_p) : T(0);  // steps above θ_p
  const T td = c > p.theta_d ? p.ca_steps * ln_of(c / p.theta_d) : T(0);  // steps above θ_d
  const T lo = tp < td ? tp : td, hi = tp < td ? td : tp;
  const T both = lo < len ? lo : len;
  const T one = (hi < len ? hi : len) - both;  // then above one threshold only
  if (both > T(0)) w = p.w_both + (w - p.w_both) * M::exp(-(p.rate_p + p.rate_d) * both);
  if (one > T(0)) {
    if (tp > td) w = p.w_max + (w - p.w_max) * M::exp(-p.rate_p * one);
    else w = p.w_min + (w - p.w_min) * M::exp(-p.rate_d * one);
  }
  return w;
}

// The weight of connection state s at step `now` (>= s.step).
template <class M, class T>
RANVIER_HD T calcium_weight_at(const calcium_params<T>& p, const calcium_synapse<T>& s, std::int64_t now) {
  return now == s.step ? s.w : calcium_drift<M>(p, s.w, s.c, static_cast<T>(now - s.step));
}

// A calcium transient of amplitude `jump` on connection state s at step
// `now`; `settled` becomes the weight it will settle at. Returns the
// weight at `now`.
template <class M, class T>
RANVIER_HD T calcium_event(const calcium_params<T>& p, calcium_synapse<T>& s, T& settled, std::int64_t now, T jump) {
  if (now != s.step) {
    const T len = static_cast<T>(now - s.step);
    s.w = calcium_drift<M>(p, s.w, s.c, len);
    s.c = s.c * M::exp(-p.ca_rate * len);
    s.step = now;
  }
  s.c += jump;
  settled = calcium_drift<M>(p, s.w, s.c, infinity_of<T>());
  return s.w;
}

}  // namespace ranvier::core
