// What the channels of Mainen & Sejnowski 1996 (Nature 382:363) share: their
// rate function, and the first-power K⁺ gate of their kv and km channels,
// whose rates are that function at +v and −v about one midpoint.
#pragma once

#include "core/dmath.hpp"
#include "core/gating.hpp"
#include "core/hd.hpp"

namespace ranvier::core {

// a·(v − θ)/(1 − e^(−(v − θ)/q)) [1/ms] with a [1/ms], θ, q [mV]: the
// original's "trap0", i.e. a·q·x/(1 − e^(−x)) with x = (v − θ)/q, taken
// through vtrap so that it is a·q at v = θ.
template <class M, class T>
RANVIER_HD T ms96_rate(T v, T theta, T a, T q) {
  return a * q * vtrap<M>((theta - v) / q);
}

// The K⁺ gate n: α = ms96_rate(v, θ, Ra, q), β = ms96_rate(−v, −θ, Rb, q)
// (= −Rb·(v − θ)/(1 − e^((v − θ)/q))), n∞ = α/(α + β), τ = 1/(tadj·(α + β)).
// One exponential-Euler step with dt_tadj = dt·tadj [ms].
template <class M, class T>
RANVIER_HD T ms96_n_step(T n, T v, T theta, T ra, T rb, T q, T dt_tadj) {
  const T a = ms96_rate<M>(v, theta, ra, q);
  const T b = ms96_rate<M>(-v, -theta, rb, q);
  const T sum = a + b;
  return relax<M>(n, a / sum, T(1) / sum, dt_tadj);
}
template <class M, class T>
RANVIER_HD T ms96_n_inf(T v, T theta, T ra, T rb, T q) {
  const T a = ms96_rate<M>(v, theta, ra, q);
  return a / (a + ms96_rate<M>(-v, -theta, rb, q));
}

}  // namespace ranvier::core
