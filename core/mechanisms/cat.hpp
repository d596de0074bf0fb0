// Low-voltage-activated (T-type) Ca²⁺ channel of Avery & Johnston 1996
// (J Neurosci 16:5567), time constants after Randall & Tsien 1997, in the
// form of Hay et al. 2011 (PLoS Comput Biol 7:e1002107, "Ca_LVAst"): m²h,
// Boltzmann steady states and sigmoid time constants, all taken at v + 10 mV
// (Hay et al.'s junction-potential shift). Time constants divided by
// qt = 2.3^((celsius − 21)/10) (Hay et al. fix qt at its 34 °C value; here it
// follows celsius). The current is ohmic through e_Ca plus, optionally, a
// Goldman–Hodgkin–Katz part, as for cal.
#pragma once

#include "core/dmath.hpp"
#include "core/gating.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/ions.hpp"
#include "core/mechanisms/mechanism.hpp"

namespace ranvier::core {

struct cat {
  static constexpr const char* name = "cat";
  static constexpr const char* doc =
      "low-voltage-activated (T-type) Ca (Avery & Johnston 1996 as Hay et al. 2011 Ca_LVAst), m2h; ohmic (gbar) "
      "and GHK (pbar) current; time constants / 2.3^((celsius - 21)/10)";
  enum param : int {
    gbar,  // maximal conductance of the ohmic part [S/cm²]
    pbar,  // maximal permeability of the GHK part [cm/s]
    nuser,
    dt_qt = nuser,  // derived: dt·qt, qt = 2.3^((celsius − 21)/10) [ms]
    env,            // derived: ca_env::count values from here (e_Ca, [Ca²⁺]o, RT/F, dynamic)
    nparam = env + ca_env::count
  };
  static constexpr param_spec params[nuser] = {
      {"gbar", "S/cm2", 0.00001, "maximal conductance of the ohmic part, i = gbar*m2h*(v - eca)"},
      {"pbar", "cm/s", 0.0, "maximal permeability of the GHK part, i = pbar*m2h*ghk(v, cai, cao)"}};
  enum state : int { m, h, nstate };
  static constexpr const char* states[nstate] = {"m", "h"};
  static constexpr bool uses_cai = true, writes_cai = false, carries_ca = true;

  static void derive(double* p, const derive_ctx& c) {
    p[dt_qt] = c.dt * det_pow(2.3, (c.celsius - 21.0) / 10.0);
    ca_env::derive(p + env, c);
  }

  template <class T> struct gates {
    T minf, mtau, hinf, htau;  // [1], [ms] at 21 °C
  };
  template <class M, class T>
  RANVIER_HD static gates<T> gates_at(T v /* [mV] */) {
    const T u = v + T(10);  // the published shift
    gates<T> r;
    r.minf = T(1) / (T(1) + M::exp((u + T(30)) * T(-1.0 / 6)));
    r.mtau = T(5) + T(20) / (T(1) + M::exp((u + T(25)) * T(0.2)));
    r.hinf = T(1) / (T(1) + M::exp((u + T(80)) * T(1.0 / 6.4)));
    r.htau = T(20) + T(50) / (T(1) + M::exp((u + T(40)) * T(1.0 / 7)));
    return r;
  }

  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T cai, flux<T>& f) {
    add_ca_current<M>(p + env, p[gbar], p[pbar], s[m] * s[m] * s[h], v, cai, f);
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s, T v, T& /*cai*/, T /*ica*/) {
    const auto r = gates_at<M>(v);
    s[m] = relax<M>(s[m], r.minf, r.mtau, p[dt_qt]);
    s[h] = relax<M>(s[h], r.hinf, r.htau, p[dt_qt]);
  }
  template <class M, class T>
  RANVIER_HD static void init(const T* /*p*/, T* s, T v, T /*cai*/) {
    const auto r = gates_at<M>(v);
    s[m] = r.minf;
    s[h] = r.hinf;
  }
};

}  // namespace ranvier::core
