// The Traub–Miles Na and K channels (Traub & Miles 1991) as used by the COBAHH
// benchmark (Brette et al. 2007, J Comput Neurosci 23:349, with the equations of
// Brian2's COBAHH example): Na m³h, delayed-rectifier K n⁴, all rates shifted
// by the threshold-setting voltage VT. Temperature-independent, as in the
// benchmark. The leak is a separate `leak` mechanism.
#pragma once

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/hh_type.hpp"
#include "core/mechanisms/mechanism.hpp"

namespace ranvier::core {

struct traub_miles {
  static constexpr const char* name = "traub_miles";
  static constexpr const char* doc =
      "Traub-Miles Na and K (COBAHH benchmark, Brette et al. 2007); temperature-independent";
  enum param : int {
    gnabar,  // Na maximal conductance [S/cm²]
    gkbar,   // K maximal conductance [S/cm²]
    ena,     // Na reversal [mV]
    ek,      // K reversal [mV]
    vt,      // rate-function offset VT [mV]
    nuser,
    dt = nuser,  // derived: the step [ms]
    nparam
  };
  static constexpr param_spec params[nuser] = {
      {"gnabar", "S/cm2", 0.1, "Na maximal conductance"},
      {"gkbar", "S/cm2", 0.03, "K maximal conductance"},
      {"ena", "mV", 50.0, "Na reversal potential", ion::na},
      {"ek", "mV", -90.0, "K reversal potential", ion::k},
      {"vt", "mV", -63.0, "rate-function offset VT"}};
  enum state : int { m, h, n, nstate };
  static constexpr const char* states[nstate] = {"m", "h", "n"};
  static constexpr bool uses_cai = false, writes_cai = false, carries_ca = false;

  static void derive(double* p, const derive_ctx& c) { p[dt] = c.dt; }

  template <class M, class T>
  RANVIER_HD static mhn_rates<T> rates_at(T v /* [mV] */, T vt_ /* [mV] */) {
    const T u = v - vt_;
    mhn_rates<T> r;
    r.am = T(1.28) * vtrap<M>((T(13) - u) * T(0.25));  // 0.32·(13−u) / (e^((13−u)/4) − 1)
    r.bm = T(1.4) * vtrap<M>((u - T(40)) * T(0.2));    // 0.28·(u−40) / (e^((u−40)/5) − 1)
    r.ah = T(0.128) * M::exp((T(17) - u) * T(1.0 / 18));
    r.bh = T(4) / (T(1) + M::exp((T(40) - u) * T(0.2)));
    r.an = T(0.16) * vtrap<M>((T(15) - u) * T(0.2));  // 0.032·(15−u) / (e^((15−u)/5) − 1)
    r.bn = T(0.5) * M::exp((T(10) - u) * T(0.025));
    return r;
  }

  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T /*cai*/, flux<T>& f) {
    T gnak;
    f.i += na_k_current(p[gnabar], p[gkbar], p[ena], p[ek], s[m], s[h], s[n], v, gnak);
    f.g += gnak;
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s, T v, T& /*cai*/, T /*ica*/) {
    advance_mhn<M>(rates_at<M>(v, p[vt]), p[dt], s[m], s[h], s[n]);
  }
  // The gates m, h, n (states 0–2) as x∞ and decay at v: rate tables (core/gating.hpp).
  static constexpr int ntable = 3;
  template <class M, class T>
  RANVIER_HD static void gates(const T* p, T v, T* inf, T* decay) {
    mhn_gates<M>(rates_at<M>(v, p[vt]), p[dt], inf, decay);
  }
  template <class M, class T>
  RANVIER_HD static void init(const T* p, T* s, T v, T /*cai*/) {
    init_mhn(rates_at<M>(v, p[vt]), s[m], s[h], s[n]);
  }
};

}  // namespace ranvier::core
