// Exponentially decaying synaptic conductance (NEURON's ExpSyn): each arriving
// weight w [µS] steps g up by w; g decays with time constant tau; the current
// is g·(v − e) [nA]. Converging connections add linearly.
#pragma once

#include "core/hd.hpp"

namespace ranvier::core::expsyn {

// Point current [nA] and conductance [µS].
template <class T>
RANVIER_HD void current(T g, T e /* [mV] */, T v, T& i, T& gsum) {
  i += g * (v - e);
  gsum += g;
}

// Exact decay over one step; decay = e^(−dt/tau), computed once at packing.
template <class T>
RANVIER_HD T advance(T g, T decay) {
  return g * decay;
}

}  // namespace ranvier::core::expsyn
