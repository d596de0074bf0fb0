// The contract every integrate-and-fire-like neuron model of core/neurons/
// meets: a point neuron whose membrane is one equation of its own (with a
// threshold and reset) instead of NEURON-style density mechanisms. Its
// synaptic inputs are the same receptors (core/synapses/), its current
// clamps and gap junctions the same as a membrane point neuron's; they reach
// the model as one point current and slope conductance at the step's start
// voltage (core::if_step in core/point_cell.hpp). A model is a struct of
// static members:
//
//   name, doc, params[nuser], nparam, states[], nstate, derive(p, ctx)
//                             as a density mechanism's (core/mechanisms/mechanism.hpp)
//   state_units[]             the unit of each state
//   threshold_param, t_ref_param, reset_param
//                             the parameters that are the spike threshold [mV], the
//                             refractory period [ms] and the reset (below the threshold; −1: none)
//   initial_v(p)              host side: the resting v for the parameters [mV]
//   clamps                    true: after a spike v is held at the reset value for t_ref
//                             (NEST's iaf_*, aeif_*); false: t_ref is only the detector's dead time
//   exact_currents            true: current-based receptors enter through their exact
//                             propagators (receptor exact_dv), not as a current frozen
//                             over the step; the model's membrane is then linear with the
//                             time constant and capacitance membrane() gives
//   init<M>(p, s, v)          the states at the initial v
//   step<M>(p, s, v, ip, gp, dvx, dt)
//                             v after one step of dt [ms] from v, given the point current ip [nA]
//                             (outward positive) of the inputs at v, its slope gp [µS] and
//                             the exact-propagator increment dvx [mV]; advances s
//   hold<M>(p, s, v, ip, gp, dt)
//                             v after one refractory step (clamped); advances s
//   fired(p, v_old, v_new)    whether the step ends in a spike
//   reset(p, s, v)            the after-spike reset
//
// Everything is RANVIER_HD and templated on the math mode, so that the CPU
// engine's vector loops and the CUDA kernel run one source expression.
#pragma once

#include "core/hd.hpp"
#include "core/mechanisms/mechanism.hpp"

namespace ranvier::core {

inline constexpr int max_model_params = 16;
inline constexpr int max_model_states = 2;

}  // namespace ranvier::core
