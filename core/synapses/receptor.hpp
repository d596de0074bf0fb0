// The contract every synaptic receptor (point mechanism, target of
// connections) of core/synapses/ meets. A receptor is a struct of static
// members, like a density mechanism (core/mechanisms/mechanism.hpp):
//
//   name, doc, params[nuser], nparam, states[], nstate, derive(p, ctx)
//   deliver<M>(p, s, w)           the summed weight w of this step's arrivals [µS]
//   current<M>(p, s, v, i, g)     adds its point current [nA] and slope conductance [µS] at v
//   advance<M>(p, s)              advances its states over one step
//   conductance(p, s)             its conductance now [µS], for records
//
// A current-based receptor (its weights are currents [nA], of either sign)
// also has `current_based = true` and
//   exact_dv(p, s)                the voltage change [mV] its current causes over the step on
//                                 the linear membrane of derive_ctx's tau_m and cm (exact
//                                 integration, Rotter & Diesmann 1999), for neuron models with
//                                 exact_currents (core/neurons/lif.hpp)
//
// A pulse receptor (core/synapses/pulsesyn.hpp, kinetic.hpp) has
// `pulse_param`, the index of its transmitter pulse's duration [ms], and
//   deliver_pulse<M>(p, s, w, w_end, moved)  the weights arriving now, the weights
//                                     whose pulses close now (arrivals pulse-steps ago), and
//                                     the transfer ring's row (kinetic receptors, below)
// instead of deliver; propagation writes each arrival's weight a second
// time, into the pulse ring's row where its pulse closes. A kinetic
// receptor (kinetic.hpp) also has `per_connection_release`: propagation
// keeps a release state per connection onto it and writes each release
// through core::kinetic_release, into the ring, the pulse ring and the
// transfer ring.
//
// Its parameters are one set per receptor of a cell type (all its locations
// share them) and travel inside the group's view; its states are one value
// per location and cell. Converging connections onto one location add
// linearly, as NetCons onto one NEURON ExpSyn do.
#pragma once

#include <cstdint>

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/mechanism.hpp"

namespace ranvier::core {

inline constexpr int max_receptor_params = 16;
inline constexpr int max_receptor_states = 3;

// Whole steps of a pulse of `ms` at step dt: rounded as delays, at least one
// (host/build/build.hpp's delay_steps; the kinetic receptors' derived
// parameters must see the pulse the ring applies).
inline std::int64_t pulse_steps(double ms, double dt) {
  const auto n = static_cast<std::int64_t>(ms / dt + 0.5 + 1e-9);
  return n < 1 ? 1 : n;
}

template <class Rec>
constexpr bool is_current_based() {
  if constexpr (requires { Rec::current_based; }) return Rec::current_based;
  else return false;
}
template <class Rec> inline constexpr bool current_based_v = is_current_based<Rec>();

// The fraction of a receptor's current carried by Ca²⁺: its `ca_fraction`
// parameter (NMDA's ca_frac), or 0.
template <class Rec>
constexpr bool has_ca_fraction() {
  if constexpr (requires { Rec::ca_fraction_param; }) return Rec::ca_fraction_param >= 0;
  else return false;
}
template <class Rec, class T>
RANVIER_HD T ca_fraction_of(const T* p) {
  if constexpr (has_ca_fraction<Rec>()) return p[Rec::ca_fraction_param];
  else return T(0);
}

// The unit of a receptor's weights: "nA" for current receptors, "uS" for
// conductances, or the receptor's own `weight_unit` (GABA_B's release size, "1").
template <class Rec>
constexpr const char* weight_unit_of() {
  if constexpr (requires { Rec::weight_unit; }) return Rec::weight_unit;
  else if constexpr (is_current_based<Rec>()) return "nA";
  else return "uS";
}

// The parameter that is a transmitter pulse's duration [ms] (a receptor told
// when each arrival's pulse closes: propagation writes its weight again
// that much later, into the pulse ring), or −1.
template <class Rec>
constexpr int pulse_param_of() {
  if constexpr (requires { Rec::pulse_param; }) return Rec::pulse_param;
  else return -1;
}

// Whether each connection onto the receptor keeps a release state
// (core::kinetic_release).
template <class Rec>
constexpr bool has_release() {
  if constexpr (requires { Rec::per_connection_release; }) return Rec::per_connection_release;
  else return false;
}

// Whether the receptor takes only connections with a synaptic cleft
// (core/synapses/cleftsyn.hpp).
template <class Rec>
constexpr bool needs_cleft() {
  if constexpr (requires { Rec::needs_cleft; }) return Rec::needs_cleft;
  else return false;
}

// Euler's number: an alpha function's rise state jumps by e·w so that its
// peak is w.
inline constexpr double euler_e = 2.718281828459045235;

// The exact propagators of a current I(t) = (i0 + x0·t/tau)·e^(−t/tau) onto a
// linear membrane (time constant tau_m [ms], capacitance cm [nF]) over a
// step dt [ms]: the voltage change is p_i·i0 + p_x·x0 [mV/nA]. An
// exponential current is x0 = 0. Computed on the host in double, with the
// limits where tau is close to tau_m.
struct current_propagators {
  double p_i = 0.0;
  double p_x = 0.0;
};
inline current_propagators propagate_current(double tau, double tau_m, double cm, double dt) {
  current_propagators r;
  if (!(tau_m > 0.0) || !(cm > 0.0)) return r;
  const double k = 1.0 / tau_m - 1.0 / tau;  // ∫ e^(−(dt−u)/tau_m)·f(u)·e^(−u/tau) du = e^(−dt/tau_m) ∫ f(u)·e^(k·u) du
  const double kd = k * dt;
  double a, b;  // ∫0^dt e^(k·u) du, ∫0^dt u·e^(k·u) du
  if (kd > -1e-3 && kd < 1e-3) {
    a = dt * (1.0 + kd / 2.0 + kd * kd / 6.0 + kd * kd * kd / 24.0);
    b = dt * dt * (0.5 + kd / 3.0 + kd * kd / 8.0 + kd * kd * kd / 30.0);
  } else {
    a = det_expm1(kd) / k;
    b = dt * det_exp(kd) / k - a / k;
  }
  const double em = det_exp(-dt / tau_m);
  r.p_i = em * a / cm;
  r.p_x = em * b / (tau * cm);
  return r;
}

}  // namespace ranvier::core
