// Passive leak (NEURON's `pas`): i = g·(v − e).
#pragma once

#include "core/hd.hpp"
#include "core/mechanisms/mechanism.hpp"

namespace ranvier::core {

struct leak {
  static constexpr const char* name = "leak";
  static constexpr const char* doc = "passive leak (NEURON's pas)";
  enum param : int {
    g,  // conductance [S/cm²]
    e,  // reversal [mV]
    nuser,
    nparam = nuser
  };
  static constexpr param_spec params[nuser] = {{"g", "S/cm2", 0.001, "conductance"},
                                               {"e", "mV", -70.0, "reversal potential"}};
  static constexpr int nstate = 0;
  static constexpr const char* states[1] = {nullptr};
  static constexpr bool uses_cai = false, writes_cai = false, carries_ca = false;
  static constexpr bool passive = true;  // spines folded into the membrane scale g

  static void derive(double*, const derive_ctx&) {}

  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* /*s*/, T v, T /*cai*/, flux<T>& f) {
    f.i += p[g] * (v - p[e]);
    f.g += p[g];
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T*, T*, T, T&, T) {}
  template <class M, class T>
  RANVIER_HD static void init(const T*, T*, T, T) {}
};

}  // namespace ranvier::core
