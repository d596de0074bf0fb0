// First-order receptor kinetics with a transmitter pulse per spike
// (Destexhe, Mainen & Sejnowski 1994, Neural Comput 6:14): each arrival
// releases transmitter [T] = t_max for `duration`; the fraction of open
// receptors of that release follows dr/dt = alpha·[T]·(1 − r) − beta·r, and
// the synapse's conductance is the weight w [µS] times r. While [T] is
// constant the update is exact: towards r∞ = alpha·t_max/(alpha·t_max + beta)
// with tau_on = 1/(alpha·t_max + beta) during the pulse, and decaying with
// beta after it.
//
// As in Destexhe et al.'s scheme, each connection has its own receptors: a
// release starts from the connection's residual r, what is left of its last
// release, and a release while the connection's pulse is still on extends
// that pulse (to `duration` from the new release). The location's receptor
// still needs only three states whatever the number of connections: S_on =
// Σ w·r over the connections whose pulse is on, g_on = Σ w over them, and
// S_off = Σ w·r over the rest; g = S_on + S_off. Each connection keeps a
// release state (kinetic_release_state: when its pulse closes, its w·r then,
// its weight) and kinetic_release schedules its moves through three rings:
// its weight into g_on when its pulse opens and out when it closes (the ring
// and the pulse ring), and its w·r from S_off to S_on when it opens and
// back when it closes (the transfer ring), both amounts computed exactly.
//
// `Defaults` gives the kind's name and default rates: the generic kinetic
// receptor, AMPA, GABA_A and NMDA (with the Mg²⁺ block of Jahr & Stevens
// 1990, B(v) = 1/(1 + [Mg²⁺]/3.57·e^(−0.062·v)), and the fraction of its
// current carried by Ca²⁺, for records and calcium-based rules).
#pragma once

#include <cstdint>
#include <limits>

#include "core/dmath.hpp"
#include "core/fixed_point.hpp"
#include "core/hd.hpp"
#include "core/synapses/receptor.hpp"

namespace ranvier::core {

template <class Defaults>
struct kinetic_receptor {
  static constexpr const char* name = Defaults::name;
  static constexpr const char* doc = Defaults::doc;
  static constexpr bool nmda = Defaults::nmda;
  enum param : int {
    alpha,     // binding rate [1/(ms·mM)]
    beta,      // unbinding rate [1/ms]
    t_max,     // transmitter concentration during a pulse [mM]
    duration,  // pulse duration [ms]
    e,         // reversal potential [mV]
    mg,        // NMDA only: external Mg²⁺ [mM]
    ca_frac,   // NMDA only: fraction of the current carried by Ca²⁺ [1]
    r_inf,     // derived: alpha·t_max/(alpha·t_max + beta) [1]
    decay_on,  // derived: e^(−dt/tau_on) [1]
    decay_off, // derived: e^(−beta·dt) [1]
    on_rate,   // derived: dt/tau_on = dt·(alpha·t_max + beta) [1]
    off_rate,  // derived: dt·beta [1]
    e_pulse,   // derived: e^(−pulse/tau_on) over the pulse's whole steps [1]
    nparam
  };
  static_assert(nparam <= max_receptor_params);
  // The user parameters: the first five, and for NMDA mg and ca_frac too.
  static constexpr int nuser = nmda ? 7 : 5;
  static constexpr param_spec params[7] = {
      {"alpha", "1/(ms mM)", Defaults::alpha, "binding rate"},
      {"beta", "1/ms", Defaults::beta, "unbinding rate"},
      {"t_max", "mM", 1.0, "transmitter concentration during a pulse"},
      {"duration", "ms", 1.0, "transmitter pulse duration"},
      {"e", "mV", Defaults::e, "reversal potential"},
      {"mg", "mM", 1.0, "external Mg2+ (the NMDA block)"},
      {"ca_frac", "1", 0.1, "fraction of the NMDA current carried by Ca2+"}};
  static constexpr int pulse_param = duration;
  static constexpr bool per_connection_release = true;  // kinetic_release, one state per connection
  static constexpr int ca_fraction_param = nmda ? ca_frac : -1;  // records RECEPTOR.ica
  enum state : int { s_on, g_on, s_off, nstate };
  static constexpr const char* states[nstate] = {"S_on", "g_on", "S_off"};

  static void derive(double* p, const derive_ctx& c) {
    const double rate = p[alpha] * p[t_max] + p[beta];  // 1/tau_on [1/ms]
    p[r_inf] = p[alpha] * p[t_max] / rate;
    p[decay_on] = det_exp(-c.dt * rate);
    p[decay_off] = det_exp(-c.dt * p[beta]);
    // The pulse as the ring applies it: whole steps.
    const double open = static_cast<double>(pulse_steps(p[duration], c.dt)) * c.dt;
    p[on_rate] = c.dt * rate;
    p[off_rate] = c.dt * p[beta];
    p[e_pulse] = det_exp(-open * rate);
  }

  // w: the weights whose pulses open this step; w_end: those whose pulses
  // close; moved: w·r moved from S_on to S_off (pulses closing) less that
  // moved back (pulses opening, their residuals).
  template <class M, class T>
  RANVIER_HD static void deliver_pulse(const T*, T* s, T w, T w_end, T moved) {
    s[g_on] += w - w_end;
    s[s_on] -= moved;
    s[s_off] += moved;
  }
  // The Mg²⁺ block and its derivative at v.
  template <class M, class T>
  RANVIER_HD static T block(const T* p, T v, T& dblock) {
    const T x = p[mg] * T(1.0 / 3.57) * M::exp(T(-0.062) * v);
    const T b = T(1) / (T(1) + x);
    dblock = b * b * x * T(0.062);
    return b;
  }
  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T& i, T& gsum) {
    const T g = s[s_on] + s[s_off];
    if constexpr (nmda) {
      T db;
      const T b = block<M>(p, v, db);
      i += g * b * (v - p[e]);
      gsum += g * (b + db * (v - p[e]));
    } else {
      i += g * (v - p[e]);
      gsum += g;
    }
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s) {
    const T target = p[r_inf] * s[g_on];
    s[s_on] = target + (s[s_on] - target) * p[decay_on];
    s[s_off] = s[s_off] * p[decay_off];
  }
  template <class T>
  RANVIER_HD static T conductance(const T*, const T* s) {
    return s[s_on] + s[s_off];
  }
};

struct kinetic_defaults {
  static constexpr const char* name = "kinetic";
  static constexpr const char* doc =
      "first-order receptor kinetics, dr/dt = alpha [T] (1 - r) - beta r, a transmitter pulse per spike (Destexhe, "
      "Mainen & Sejnowski 1994); g = w r";
  static constexpr double alpha = 1.1, beta = 0.19, e = 0.0;
  static constexpr bool nmda = false;
};
struct ampa_defaults {
  static constexpr const char* name = "ampa";
  static constexpr const char* doc = "AMPA: first-order kinetics with Destexhe et al.'s rates (alpha 1.1, beta 0.19), e 0 mV";
  static constexpr double alpha = 1.1, beta = 0.19, e = 0.0;
  static constexpr bool nmda = false;
};
struct gaba_a_defaults {
  static constexpr const char* name = "gaba_a";
  static constexpr const char* doc =
      "GABA_A: first-order kinetics with Destexhe et al.'s rates (alpha 5, beta 0.18), e -80 mV";
  static constexpr double alpha = 5.0, beta = 0.18, e = -80.0;
  static constexpr bool nmda = false;
};
struct nmda_defaults {
  static constexpr const char* name = "nmda";
  static constexpr const char* doc =
      "NMDA: first-order kinetics (alpha 0.072, beta 0.0066) times the Mg2+ block of Jahr & Stevens (1990)";
  static constexpr double alpha = 0.072, beta = 0.0066, e = 0.0;
  static constexpr bool nmda = true;
};

using kinetic = kinetic_receptor<kinetic_defaults>;
using ampa = kinetic_receptor<ampa_defaults>;
using gaba_a = kinetic_receptor<gaba_a_defaults>;
using nmda = kinetic_receptor<nmda_defaults>;

// What kinetic_release reads of a kinetic receptor's parameters.
template <class T> struct kinetic_release_params {
  T r_inf;     // alpha·t_max/(alpha·t_max + beta) [1]
  T on_rate;   // dt/tau_on [1]
  T off_rate;  // dt·beta [1]
  T e_pulse;   // e^(−pulse/tau_on) over the pulse's whole steps [1]
};
template <class T, class P> kinetic_release_params<T> release_params_of(const P* p) {
  using K = kinetic;  // every kind has the same parameter layout
  return {static_cast<T>(p[K::r_inf]), static_cast<T>(p[K::on_rate]), static_cast<T>(p[K::off_rate]),
          static_cast<T>(p[K::e_pulse])};
}

// A connection's release state on a first-order kinetic receptor, as
// Destexhe et al.'s NEURON implementation keeps r0 and t0 per NetCon.
template <class T> struct kinetic_release_state {
  std::int64_t end = std::numeric_limits<std::int64_t>::min() / 2;  // the step its last pulse closes [steps]
  T q = T(0);  // its w·r at that step [µS]
  T w = T(0);  // the weight of that release [µS]
};

// One release of a connection (state S, weight w [µS]) arriving at step a on
// a kinetic receptor whose pulse lasts `pulse` steps. The caller has set
// S.end to a + pulse and passes the end before, old_end (the CUDA kernels by
// an atomic maximum: a source given two times in one step releases twice in
// it, the second release changing nothing). add(ring, step, value) adds a
// fixed-point value to the row of `step` of ring 0 (weights whose pulses
// open: g_on up), 1 (weights whose pulses close: g_on down) or 2 (w·r moved
// from S_on to S_off; negative: back). The connection's residual, w·r
// decayed with beta since its last pulse closed, moves from S_off to S_on
// and relaxes towards w·r∞ during the pulse; at the pulse's end its w·r,
// computed here exactly, moves back. A release while the connection's pulse
// is still on extends that pulse to `pulse` steps from a: the moves
// scheduled at the old end are taken back and scheduled at the new one.
template <class M, class T, class Add>
RANVIER_HD void kinetic_release(const kinetic_release_params<T>& p, std::uint32_t pulse, kinetic_release_state<T>& S,
                                std::int64_t old_end, T w, std::int64_t a, Add&& add) {
  const std::int64_t end = a + static_cast<std::int64_t>(pulse);
  if (old_end >= end) return;  // a second release in the step: the pulse is on until `end` already
  if (a < old_end) {
    add(1, old_end, -to_fixed(S.w));
    add(2, old_end, -to_fixed(S.q));
    const T target = S.w * p.r_inf;
    const T now = target + (S.q - target) * M::exp(static_cast<T>(old_end - a) * p.on_rate);  // w·r at a
    S.q = target + (now - target) * p.e_pulse;
    add(1, end, to_fixed(S.w));
    add(2, end, to_fixed(S.q));
    return;
  }
  const T q0 = S.q == T(0) ? T(0) : S.q * M::exp(-static_cast<T>(a - old_end) * p.off_rate);
  add(0, a, to_fixed(w));
  add(2, a, -to_fixed(q0));
  const T target = w * p.r_inf;
  S.q = target + (q0 - target) * p.e_pulse;
  S.w = w;
  add(1, end, to_fixed(w));
  add(2, end, to_fixed(S.q));
}

// The host's update of S.end (one thread per connection): the end before.
template <class T> std::int64_t claim_release(kinetic_release_state<T>& S, std::int64_t end) {
  const std::int64_t old = S.end;
  if (end > old) S.end = end;
  return old;
}

}  // namespace ranvier::core
