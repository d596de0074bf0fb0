// Hyperpolarization-activated cation (HCN) channel of Kole et al. 2006
// (J Neurosci 26:1677) in the form of Hay et al. 2011 (PLoS Comput Biol
// 7:e1002107, "Ih"): one gate m with Hodgkin–Huxley-form rates, a
// non-specific current with reversal ehcn; no temperature dependence.
#pragma once

#include "core/dmath.hpp"
#include "core/gating.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/mechanism.hpp"

namespace ranvier::core {

struct ih {
  static constexpr const char* name = "ih";
  static constexpr const char* doc =
      "HCN (Kole et al. 2006 as Hay et al. 2011 Ih), m; non-specific current; temperature-independent";
  enum param : int {
    gbar,  // maximal conductance [S/cm²]
    ehcn,  // reversal of the mixed Na⁺/K⁺ current [mV]
    nuser,
    dt = nuser,  // derived: the step [ms]
    nparam
  };
  static constexpr param_spec params[nuser] = {{"gbar", "S/cm2", 0.00001, "maximal conductance"},
                                               {"ehcn", "mV", -45.0, "reversal potential (non-specific)"}};
  enum state : int { m, nstate };
  static constexpr const char* states[nstate] = {"m"};
  static constexpr bool uses_cai = false, writes_cai = false, carries_ca = false;

  static void derive(double* p, const derive_ctx& c) { p[dt] = c.dt; }

  // α = 0.00643·(v + 154.9)/(e^((v + 154.9)/11.9) − 1), β = 0.193·e^(v/33.1) [1/ms].
  template <class M, class T>
  RANVIER_HD static void rates(T v /* [mV] */, T& minf, T& mrate) {
    const T a = T(0.001 * 6.43 * 11.9) * vtrap<M>((v + T(154.9)) * T(1.0 / 11.9));
    const T b = T(0.001 * 193) * M::exp(v * T(1.0 / 33.1));
    mrate = a + b;
    minf = a / mrate;
  }

  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T /*cai*/, flux<T>& f) {
    const T g = p[gbar] * s[m];
    f.i += g * (v - p[ehcn]);
    f.g += g;
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s, T v, T& /*cai*/, T /*ica*/) {
    T minf, mrate;
    rates<M>(v, minf, mrate);
    s[m] = relax<M>(s[m], minf, T(1) / mrate, p[dt]);
  }
  template <class M, class T>
  RANVIER_HD static void init(const T* /*p*/, T* s, T v, T /*cai*/) {
    T minf, mrate;
    rates<M>(v, minf, mrate);
    s[m] = minf;
  }
};

}  // namespace ranvier::core
