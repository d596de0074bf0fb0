// A-type K⁺ channel of Migliore et al. 1999 (J Comput Neurosci 7:5), the
// proximal form ("kaprox", within 100 µm of the soma in CA1 pyramidal
// cells): activation n and inactivation l, each to the first power. Steady
// states and τn from Boltzmann-like exponentials in which the gating charge ζ
// (and, for n, its voltage dependence through pw, tq, qq) and γ (gmn, gml)
// enter as in an Eyring rate model, with the model's own constants F = 9.648e4
// C/mol, R = 8.315 J/(K·mol), 0 °C = 273.16 K. τn is divided by
// qt = 5^((celsius − 24)/10) and floored at nmin; τl = 0.26·(v + 50) ms,
// floored at lmin. The conductance is not scaled by temperature.
#pragma once

#include "core/dmath.hpp"
#include "core/gating.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/mechanism.hpp"

namespace ranvier::core {

struct ka {
  static constexpr const char* name = "ka";
  static constexpr const char* doc =
      "A-type K, proximal (Migliore et al. 1999 kaprox), n*l; tau_n / 5^((celsius - 24)/10), floored at 0.1 ms; "
      "tau_l floored at 2 ms";
  enum param : int {
    gbar,  // maximal conductance [S/cm²]
    ek,    // K reversal [mV]
    nuser,
    dt = nuser,  // derived: the step [ms]
    qt,          // derived: 5^((celsius − 24)/10) [1]
    frt,         // derived: 1e-3·F/(R·(273.16 + celsius)) with the model's F, R [1/mV]
    nparam
  };
  static constexpr param_spec params[nuser] = {{"gbar", "S/cm2", 0.008, "maximal conductance"},
                                               {"ek", "mV", -90.0, "K reversal potential", ion::k}};
  enum state : int { n, l, nstate };
  static constexpr const char* states[nstate] = {"n", "l"};
  static constexpr bool uses_cai = false, writes_cai = false, carries_ca = false;

  // The published constants (proximal): half-activation vhalfn, vhalfl [mV];
  // gating charges zetan, zetal and pw, whose weight for n varies about tq
  // with slope qq [mV]; gmn, gml [1]; a0n [1/ms]; the floors nmin, lmin [ms];
  // q10 [1] about 24 °C; qtl [1].
  static constexpr double vhalfn = 11, vhalfl = -56, a0n = 0.05, zetan = -1.5, zetal = 3, gmn = 0.55, gml = 1;
  static constexpr double lmin = 2, nmin = 0.1, pw = -1, tq = -40, qq = 5, q10 = 5, qtl = 1;
  static constexpr double model_faraday = 9.648e4, model_gas_constant = 8.315, model_zero_c = 273.16;

  static void derive(double* p, const derive_ctx& c) {
    p[dt] = c.dt;
    p[qt] = det_pow(q10, (c.celsius - 24.0) / 10.0);
    p[frt] = 1e-3 * model_faraday / (model_gas_constant * (model_zero_c + c.celsius));
  }

  template <class T> struct gates {
    T ninf, ntau, linf, ltau;  // [1], [ms]
  };
  template <class M, class T>
  RANVIER_HD static gates<T> gates_at(const T* p, T v /* [mV] */) {
    const T f = p[frt];
    const T zeta = T(zetan) + T(pw) / (T(1) + M::exp((v - T(tq)) * T(1.0 / qq)));
    const T un = zeta * (v - T(vhalfn)) * f;
    const T alpn = M::exp(un);
    const T betn = M::exp(un * T(gmn));
    const T alpl = M::exp(T(zetal) * (v - T(vhalfl)) * f);
    gates<T> r;
    r.ninf = T(1) / (T(1) + alpn);
    const T taun = betn / (p[qt] * T(a0n) * (T(1) + alpn));
    r.ntau = select(taun < T(nmin), T(nmin), taun);
    r.linf = T(1) / (T(1) + alpl);
    const T taul = T(0.26) * (v + T(50)) / T(qtl);
    r.ltau = select(taul < T(lmin / qtl), T(lmin / qtl), taul);
    return r;
  }

  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T /*cai*/, flux<T>& f) {
    const T g = p[gbar] * s[n] * s[l];
    f.i += g * (v - p[ek]);
    f.g += g;
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T* p, T* s, T v, T& /*cai*/, T /*ica*/) {
    const auto r = gates_at<M>(p, v);
    s[n] = relax<M>(s[n], r.ninf, r.ntau, p[dt]);
    s[l] = relax<M>(s[l], r.linf, r.ltau, p[dt]);
  }
  template <class M, class T>
  RANVIER_HD static void init(const T* p, T* s, T v, T /*cai*/) {
    const auto r = gates_at<M>(p, v);
    s[n] = r.ninf;
    s[l] = r.linf;
  }
};

}  // namespace ranvier::core
