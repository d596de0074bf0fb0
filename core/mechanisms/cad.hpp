// Calcium pool of a thin shell under the membrane (Destexhe et al. 1994,
// J Neurophysiol 72:803), in the form of Hay et al. 2011 (PLoS Comput Biol
// 7:e1002107, "CaDynamics_E2"): the Ca²⁺ current of the compartment's
// channels fills a shell of the given depth, of which only the fraction
// gamma stays free, and extrusion pulls [Ca²⁺]i back to minCai with time
// constant decay:
//   d[Ca]i/dt = −β·ica − ([Ca]i − mincai)/decay,  β = 1e4·gamma/(2·F·depth)
// (ica [mA/cm²], depth [µm], F [C/mol]: β in mM/ms per mA/cm²). Its state is
// the compartment's [Ca²⁺]i itself (it has no states of its own); [Ca²⁺]i
// starts at the cell's ca ion ci (default 5e-5 mM, NEURON's cai0), not at
// mincai, exactly as in NEURON, where the pool has no INITIAL block.
#pragma once

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/ions.hpp"
#include "core/mechanisms/mechanism.hpp"

namespace ranvier::core {

struct cad {
  static constexpr const char* name = "cad";
  static constexpr const char* doc =
      "Ca pool of a submembrane shell (Destexhe et al. 1994 as Hay et al. 2011 CaDynamics_E2): "
      "dcai/dt = -1e4*gamma*ica/(2*F*depth) - (cai - mincai)/decay";
  enum param : int {
    gamma,   // fraction of the entering Ca²⁺ that stays free (not buffered) [1]
    decay,   // time constant of extrusion [ms]
    depth,   // depth of the submembrane shell [µm]
    mincai,  // [Ca²⁺]i at rest, where extrusion stops [mM]
    nuser,
    beta = nuser,  // derived: 1e4·gamma/(2·F·depth) [mM/ms per mA/cm²]
    decay_factor,  // derived: e^(−dt/decay) [1]
    nparam
  };
  static constexpr param_spec params[nuser] = {
      {"gamma", "1", 0.05, "fraction of the entering Ca that stays free (not buffered)"},
      {"decay", "ms", 80.0, "time constant of extrusion toward mincai"},
      {"depth", "um", 0.1, "depth of the submembrane shell"},
      {"mincai", "mM", 1e-4, "[Ca]i at rest, where extrusion stops"}};
  static constexpr int nstate = 0;
  static constexpr const char* states[1] = {nullptr};
  static constexpr bool uses_cai = false, writes_cai = true, carries_ca = false;

  static void derive(double* p, const derive_ctx& c) {
    p[beta] = 1e4 * p[gamma] / (2.0 * faraday_c_per_mol * p[depth]);
    p[decay_factor] = det_exp(-c.dt / p[decay]);
  }

  template <class M, class T>
  RANVIER_HD static void current(const T*, const T*, T, T, flux<T>&) {}
  // Exact over the step at the step's ica: [Ca]i relaxes toward
  // mincai − β·ica·decay with time constant decay.
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* /*s*/, T /*v*/, T& cai, T ica) {
    const T target = p[mincai] - p[beta] * ica * p[decay];
    cai = target + (cai - target) * p[decay_factor];
  }
  template <class M, class T>
  RANVIER_HD static void init(const T*, T*, T, T) {}
};

}  // namespace ranvier::core
