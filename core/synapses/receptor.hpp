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
// Its parameters are one set per receptor of a cell type (all its locations
// share them) and travel inside the group's view; its states are one value
// per location and cell. Converging connections onto one location add
// linearly, as NetCons onto one NEURON ExpSyn do.
#pragma once

#include "core/hd.hpp"
#include "core/mechanisms/mechanism.hpp"

namespace ranvier::core {

inline constexpr int max_receptor_params = 6;
inline constexpr int max_receptor_states = 2;

}  // namespace ranvier::core
