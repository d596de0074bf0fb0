// High-voltage-activated (L-type) Ca²⁺ channel of Reuveni et al. 1993
// (J Neurosci 13:4609) in the form of Hay et al. 2011 (PLoS Comput Biol
// 7:e1002107, "Ca_HVA"): m²h with Hodgkin–Huxley-form rates, no temperature
// dependence. The current is ohmic through e_Ca (gbar, as Hay et al.) plus,
// optionally, a Goldman–Hodgkin–Katz part with permeability pbar; both are
// Ca²⁺ current, which a pool (cad) at the compartment integrates.
#pragma once

#include "core/dmath.hpp"
#include "core/gating.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/ions.hpp"
#include "core/mechanisms/mechanism.hpp"

namespace ranvier::core {

struct cal {
  static constexpr const char* name = "cal";
  static constexpr const char* doc =
      "high-voltage-activated (L-type) Ca (Reuveni et al. 1993 as Hay et al. 2011 Ca_HVA), m2h; ohmic (gbar) "
      "and GHK (pbar) current; temperature-independent";
  enum param : int {
    gbar,  // maximal conductance of the ohmic part [S/cm²]
    pbar,  // maximal permeability of the GHK part [cm/s]
    nuser,
    dt = nuser,  // derived: the step [ms]
    env,         // derived: ca_env::count values from here (e_Ca, [Ca²⁺]o, RT/F, dynamic)
    nparam = env + ca_env::count
  };
  static constexpr param_spec params[nuser] = {
      {"gbar", "S/cm2", 0.00001, "maximal conductance of the ohmic part, i = gbar*m2h*(v - eca)"},
      {"pbar", "cm/s", 0.0, "maximal permeability of the GHK part, i = pbar*m2h*ghk(v, cai, cao)"}};
  enum state : int { m, h, nstate };
  static constexpr const char* states[nstate] = {"m", "h"};
  static constexpr bool uses_cai = true, writes_cai = false, carries_ca = true;

  static void derive(double* p, const derive_ctx& c) {
    p[dt] = c.dt;
    ca_env::derive(p + env, c);
  }

  template <class T> struct gates {
    T minf, mrate, hinf, hrate;  // [1], α + β [1/ms]
  };
  template <class M, class T>
  RANVIER_HD static gates<T> gates_at(T v /* [mV] */) {
    const T am = T(0.055 * 3.8) * vtrap<M>((T(-27) - v) * T(1.0 / 3.8));  // 0.055·(−27−v)/(e^((−27−v)/3.8) − 1)
    const T bm = T(0.94) * M::exp((T(-75) - v) * T(1.0 / 17));
    const T ah = T(0.000457) * M::exp((T(-13) - v) * T(1.0 / 50));
    const T bh = T(0.0065) / (M::exp((T(-15) - v) * T(1.0 / 28)) + T(1));
    gates<T> r;
    r.mrate = am + bm;
    r.minf = am / r.mrate;
    r.hrate = ah + bh;
    r.hinf = ah / r.hrate;
    return r;
  }

  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T cai, flux<T>& f) {
    add_ca_current<M>(p + env, p[gbar], p[pbar], s[m] * s[m] * s[h], v, cai, f);
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s, T v, T& /*cai*/, T /*ica*/) {
    const auto r = gates_at<M>(v);
    s[m] = relax<M>(s[m], r.minf, T(1) / r.mrate, p[dt]);
    s[h] = relax<M>(s[h], r.hinf, T(1) / r.hrate, p[dt]);
  }
  template <class M, class T>
  RANVIER_HD static void init(const T* /*p*/, T* s, T v, T /*cai*/) {
    const auto r = gates_at<M>(v);
    s[m] = r.minf;
    s[h] = r.hinf;
  }
};

}  // namespace ranvier::core
