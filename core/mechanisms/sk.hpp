// Small-conductance Ca²⁺-activated K⁺ (SK) channel after Köhler et al. 1996
// (Science 273:1709) in the form of Hay et al. 2011 (PLoS Comput Biol
// 7:e1002107, "SK_E2"): one gate z that relaxes with τ = ztau toward a Hill
// function of [Ca²⁺]i, z∞ = 1/(1 + (0.00043 mM/[Ca²⁺]i)^4.8); voltage- and
// temperature-independent. As published, [Ca²⁺]i below 1e-7 mM is raised by
// 1e-7 mM (keeps z∞ finite at zero).
#pragma once

#include "core/dmath.hpp"
#include "core/gating.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/ions.hpp"
#include "core/mechanisms/mechanism.hpp"

namespace ranvier::core {

struct sk {
  static constexpr const char* name = "sk";
  static constexpr const char* doc =
      "SK, Ca-activated K (Koehler et al. 1996 as Hay et al. 2011 SK_E2), z; z_inf = 1/(1 + (0.00043/cai)^4.8)";
  enum param : int {
    gbar,  // maximal conductance [S/cm²]
    ek,    // K reversal [mV]
    ztau,  // time constant of z [ms]
    nuser,
    dt = nuser,  // derived: the step [ms]
    nparam
  };
  static constexpr param_spec params[nuser] = {{"gbar", "S/cm2", 0.000001, "maximal conductance"},
                                               {"ek", "mV", -85.0, "K reversal potential", ion::k},
                                               {"ztau", "ms", 1.0, "time constant of the gate"}};
  enum state : int { z, nstate };
  static constexpr const char* states[nstate] = {"z"};
  static constexpr bool uses_cai = true, writes_cai = false, carries_ca = false;

  static void derive(double* p, const derive_ctx& c) { p[dt] = c.dt; }

  // The half-activation [Ca²⁺]i [mM], its logarithm, and the Hill coefficient [1].
  static constexpr double kd = 0.00043, ln_kd = -7.751725349276666, hill = 4.8;

  // z∞ at [Ca²⁺]i = cai [mM]: (kd/ca)^4.8 as e^(4.8·(ln kd − ln ca)).
  template <class M, class T>
  RANVIER_HD static T zinf(T cai) {
    const T ca = select(cai < T(1e-7), cai + T(1e-7), cai);
    return T(1) / (T(1) + M::exp(T(hill) * (T(ln_kd) - ln_of(ca))));
  }

  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T /*cai*/, flux<T>& f) {
    const T g = p[gbar] * s[z];
    f.i += g * (v - p[ek]);
    f.g += g;
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s, T /*v*/, T& cai, T /*ica*/) {
    s[z] = relax<M>(s[z], zinf<M>(cai), p[ztau], p[dt]);
  }
  template <class M, class T>
  RANVIER_HD static void init(const T* /*p*/, T* s, T /*v*/, T cai) {
    s[z] = zinf<M>(cai);
  }
};

}  // namespace ranvier::core
