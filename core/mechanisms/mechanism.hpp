// The contract every density mechanism (ion channel, leak, calcium pool) of
// core/mechanisms/ meets, and the dispatch from a mechanism's registry index
// to its code. A mechanism is a struct of static members:
//
//   name, doc                     how model files, records and docs name it
//   params[nuser]                 the user parameters (param_spec: unit, default, meaning)
//   nparam                        nuser + the parameters derive() computes
//   states[], nstate              its state variables (gates; a pool's own state is the node's cai)
//   uses_cai, writes_cai,         whether it reads [Ca²⁺]i, advances it (a pool), or carries a
//   carries_ca                    Ca²⁺ current that a pool at its compartment integrates
//   passive                       (optional) passive membrane: i = g·(v − e) with parameters g
//                                 [S/cm²] and e [mV] first and no states. Folded-in spines
//                                 scale its g, and on cable cells the host folds it into the
//                                 cable's per-node constants instead of stepping it.
//   derive(double* p, ctx)        host side: p[nuser..nparam) from p[0..nuser), dt, celsius, ions
//   current<M>(p, s, v, cai, f)   adds its density current and slope conductance at v to f
//   advance<M>(p, s, v, cai, ica) advances its states over one step at the new v (a pool: cai)
//   init<M>(p, s, v, cai)         steady state at v (NEURON's INITIAL block)
//
// p points at this instance's nparam parameters (one set per compartment it
// is inserted in: parameters may vary along a dendrite), s at its nstate
// states. Everything is RANVIER_HD and templated on the math mode M, so one
// source expression serves the CPU engine's vector loops and the CUDA kernels.
#pragma once

#include <cstdint>

#include "core/hd.hpp"

namespace ranvier::core {

// The ions a mechanism may take its reversal potential from.
enum class ion : std::uint8_t { none, na, k, ca, cl };

struct param_spec {
  const char* name;
  const char* unit;
  double default_value;
  const char* doc;
  // A reversal potential of this ion: when the mechanism's own value is not
  // given, the cell type's value for the ion (its [ions] table) is used, and
  // only when that is not given either, default_value.
  ion reversal = ion::none;
};

// What derive() may use besides the user parameters of its instance.
struct derive_ctx {
  double dt = 0.025;          // time step [ms]
  double celsius = 6.3;       // temperature [°C]
  double ktf = 24.0;          // RT/F at celsius [mV]
  double cao = 2.0;           // external Ca²⁺ [mM]
  double eca = 130.0;         // the Ca²⁺ reversal potential where it is constant [mV]
  bool ca_dynamic = false;    // a pool at this compartment changes [Ca²⁺]i: e_Ca by Nernst every step
  // Receptors on a neuron model with exact current propagators
  // (core/neurons/neuron.hpp): its linear membrane; 0 otherwise.
  double tau_m = 0.0;         // membrane time constant [ms]
  double cm = 0.0;            // membrane capacitance [nF]
};

// What one mechanism instance adds at its compartment during a step: the
// density current [mA/cm²] (outward positive) and its slope conductance
// di/dv [S/cm²], and of these the part carried by Ca²⁺, for the pools.
template <class T> struct flux {
  T i{};
  T g{};
  T ica{};
  T gca{};
};

// A list of mechanism (or receptor) types; a type's kind is its index.
template <class... Ms> struct type_list {
  static constexpr int size = sizeof...(Ms);
};

// The K-th type of a list, at compile time (kernels specialised by kind).
template <int K, class L> struct type_at;
template <int K, class M0, class... Ms> struct type_at<K, type_list<M0, Ms...>> : type_at<K - 1, type_list<Ms...>> {};
template <class M0, class... Ms> struct type_at<0, type_list<M0, Ms...>> {
  using type = M0;
};

// Calls f.template operator()<M>() for the kind-th type M of the list.
// Dispatch happens once per mechanism and step, outside the loops over
// compartments and cells, so those loops see one type and vectorise.
template <class... Ms, class F>
RANVIER_HD void dispatch(type_list<Ms...>, int kind, F&& f) {
  int i = 0;
  (void)((kind == i++ ? (f.template operator()<Ms>(), true) : false) || ...);
}

// Calls f.template operator()<M>(index) for every type of the list (host
// side: building registries).
template <class... Ms, class F>
void for_each_type(type_list<Ms...>, F&& f) {
  int i = 0;
  (f.template operator()<Ms>(i++), ...);
}

// Whether a mechanism is passive membrane (spines folded into a region's
// membrane scale its conductances, as they scale the capacitance).
template <class Mech>
constexpr bool is_passive() {
  if constexpr (requires { Mech::passive; }) {
    static_assert(!Mech::passive || Mech::nstate == 0, "a passive mechanism has no states");
    return Mech::passive;
  } else {
    return false;
  }
}

// At least one, for the arrays of names of mechanisms without states.
inline constexpr int at_least_one(int n) { return n > 0 ? n : 1; }

}  // namespace ranvier::core
