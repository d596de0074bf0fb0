// Passive leak (NEURON's `pas`): i = g·(v − e).
#pragma once

#include "core/hd.hpp"

namespace ranvier::core::leak {

enum param : int {
  gl,  // conductance [S/cm²]
  el,  // reversal [mV]
  nparam
};

template <class T>
RANVIER_HD void current(const T* p, T v, T& i, T& g) {
  i += p[gl] * (v - p[el]);
  g += p[gl];
}

}  // namespace ranvier::core::leak
