// Large-conductance Ca²⁺- and voltage-activated K⁺ (BK) channel after the
// two-site model of Moczydlowski & Latorre 1983 (J Gen Physiol 82:511), in
// the first-order form used by many NEURON models ("cagk"): an open fraction
// o with
//   α = abar·[Ca]i / ([Ca]i + k1·e^(−2·d1·F·v/RT)),
//   β = bbar / (1 + [Ca]i / (k2·e^(−2·d2·F·v/RT))),
// o' = α·(1 − o) − β·o. Temperature enters through RT/F only (taken at
// celsius with the CODATA constants, where cagk hard-codes R = 8.313424).
#pragma once

#include "core/dmath.hpp"
#include "core/gating.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/mechanism.hpp"

namespace ranvier::core {

struct bk {
  static constexpr const char* name = "bk";
  static constexpr const char* doc =
      "BK, Ca- and voltage-activated K (Moczydlowski & Latorre 1983, NEURON's cagk), o; temperature through RT/F";
  enum param : int {
    gbar,  // maximal conductance [S/cm²]
    ek,    // K reversal [mV]
    nuser,
    dt = nuser,  // derived: the step [ms]
    c1,          // derived: −2·d1/(RT/F) [1/mV]
    c2,          // derived: −2·d2/(RT/F) [1/mV]
    nparam
  };
  static constexpr param_spec params[nuser] = {{"gbar", "S/cm2", 0.01, "maximal conductance"},
                                               {"ek", "mV", -90.0, "K reversal potential", ion::k}};
  enum state : int { o, nstate };
  static constexpr const char* states[nstate] = {"o"};
  static constexpr bool uses_cai = true, writes_cai = false, carries_ca = false;

  // The published constants: electrical distances d1, d2 [1] of the two
  // Ca²⁺ sites, their dissociation constants at 0 mV k1, k2 [mM], and the
  // rate constants abar, bbar [1/ms].
  static constexpr double d1 = 0.84, d2 = 1.0, k1 = 0.18, k2 = 0.011, abar = 0.48, bbar = 0.28;

  static void derive(double* p, const derive_ctx& c) {
    p[dt] = c.dt;
    p[c1] = -2.0 * d1 / c.ktf;
    p[c2] = -2.0 * d2 / c.ktf;
  }

  template <class M, class T>
  RANVIER_HD static void rates(const T* p, T v /* [mV] */, T cai /* [mM] */, T& oinf, T& rate) {
    const T a = T(abar) * cai / (cai + T(k1) * M::exp(p[c1] * v));
    const T b = T(bbar) / (T(1) + cai / (T(k2) * M::exp(p[c2] * v)));
    rate = a + b;
    oinf = a / rate;
  }

  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T /*cai*/, flux<T>& f) {
    const T g = p[gbar] * s[o];
    f.i += g * (v - p[ek]);
    f.g += g;
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s, T v, T& cai, T /*ica*/) {
    T oinf, rate;
    rates<M>(p, v, cai, oinf, rate);
    s[o] = relax<M>(s[o], oinf, T(1) / rate, p[dt]);
  }
  template <class M, class T>
  RANVIER_HD static void init(const T* p, T* s, T v, T cai) {
    T oinf, rate;
    rates<M>(p, v, cai, oinf, rate);
    s[o] = oinf;
  }
};

}  // namespace ranvier::core
