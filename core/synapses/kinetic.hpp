// First-order receptor kinetics with a transmitter pulse per spike
// (Destexhe, Mainen & Sejnowski 1994, Neural Comput 6:14): each arrival
// releases transmitter [T] = t_max for `duration`; the fraction of open
// receptors of that release follows dr/dt = alpha·[T]·(1 − r) − beta·r, and
// the synapse's conductance is the weight w [µS] times r. While [T] is
// constant the update is exact: towards r∞ = alpha·t_max/(alpha·t_max + beta)
// with tau_on = 1/(alpha·t_max + beta) during the pulse, and decaying with
// beta after it.
//
// Converging arrivals add linearly, each release with its own receptors
// starting closed (r = 0), so that a location needs three states whatever
// the number of connections: S_on = Σ w·r over the releases whose pulse is
// on, g_on = Σ w over them, and S_off = Σ w·r over the rest. An arrival adds
// w to g_on; when its pulse closes (the pulse ring tells the receptor), its
// share w·ρ, ρ = r∞·(1 − e^(−duration/tau_on)), moves from S_on to S_off;
// g = S_on + S_off. Destexhe et al.'s scheme also carries a connection's
// residual r into its next release; here a release starts from closed
// receptors — the same for AMPA and GABA_A at the rates of a network (the
// residual of one 50 ms earlier is e^(−0.19·49) ≈ 1e-4), an overestimate of
// NMDA's current in high-frequency bursts (its residual decays over 150 ms).
//
// `Defaults` gives the kind's name and default rates: the generic kinetic
// receptor, AMPA, GABA_A and NMDA (with the Mg²⁺ block of Jahr & Stevens
// 1990, B(v) = 1/(1 + [Mg²⁺]/3.57·e^(−0.062·v)), and the fraction of its
// current carried by Ca²⁺, for records and calcium-based rules).
#pragma once

#include "core/dmath.hpp"
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
    rho,       // derived: r of one release when its pulse closes [1]
    nparam
  };
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
    p[rho] = p[r_inf] * -det_expm1(-open * rate);
  }

  template <class M, class T>
  RANVIER_HD static void deliver_pulse(const T* p, T* s, T w, T w_end) {
    s[g_on] += w - w_end;
    const T moved = p[rho] * w_end;
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

}  // namespace ranvier::core
