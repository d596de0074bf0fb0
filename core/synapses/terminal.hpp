// The presynaptic terminal of a connection: how much of its weight a spike
// delivers. Two models, one state per connection (per synaptic contact),
// advanced at each of its spikes' arrivals in closed form over the interval
// since the last one — nothing is stepped between spikes.
//
// Tsodyks–Markram short-term plasticity (Tsodyks & Markram 1997, PNAS
// 94:719; with facilitation, Markram, Wang & Tsodyks 1998, PNAS 95:5323; the
// form of NEST's tsodyks2_synapse): a fraction x of resources is available
// and a spike uses the fraction u of it. At the n-th spike, Δ after the
// previous one,
//   u_n = U + u_{n−1}·(1 − U)·e^(−Δ/tau_facil)     (u_n = U without facilitation)
//   x_n = 1 + (x_{n−1} − u_{n−1}·x_{n−1} − 1)·e^(−Δ/tau_rec)
// and the spike delivers w·u_n·x_n. The first spike finds x = 1, u = U.
//
// Quantal release (the seed's terminal; del Castillo & Katz 1954; Vere-Jones
// 1966 for the pool): the terminal has `sites` release sites, each holding
// at most one ready vesicle. A spike raises the terminal's Ca²⁺ by a fixed
// influx, [Ca] → [Ca] + ca_jump, which otherwise relaxes to ca_rest,
// d[Ca]/dt = −([Ca] − ca_rest)/tau_ca; the release probability of a ready
// vesicle follows from the [Ca] just after the influx (Hill: [Ca]ⁿ/([Ca]ⁿ +
// K_dⁿ), cooperative binding of n ions; sigmoid: 1/(1 + e^(−([Ca] − K_d)/s));
// threshold: 1 when [Ca] ≥ K_d, else 0). An empty site is refilled with
// probability 1 − e^(−Δ/tau_rec) since the last spike, so the mean pool
// obeys dN/dt = (N_max − N)/tau_rec; the number released is Binomial(N, P),
// each vesicle delivering one quantum, the weight w. With a fixed P the
// mean release is Tsodyks–Markram's depression with U = P.
//
// The influx may instead come from voltage-gated Ca²⁺ channels (the seed's
// d[Ca]/dt = −β·I_Ca − ([Ca] − ca_rest)/tau_ca): an HH-type current
// I_Ca = g_ca·m^p·(V − E_Ca), dm/dt = (m∞(V) − m)/tau_m,
// m∞ = 1/(1 + e^(−(V − v_half)/k)), driven by the terminal's action
// potential, a stereotyped waveform V(t) = v_rest + (v_peak − v_rest)·e^(−t²/2σ²)
// of half-width ap_width (σ = ap_width/(2·√(2·ln 2))). Its influx beyond
// the resting current, −β·∫(I_Ca − I_Ca,rest) dt over the spike, is
// computed once at pack time (hh_calcium_influx) and is the spike's jump:
// exact while spikes do not overlap (m back at rest between them: spikes
// further apart than the action potential and a few tau_m, i.e. below some
// hundred Hz), since the channels then see the same voltage at every spike.
// The removal of Ca²⁺ between spikes (tau_ca, milliseconds to tens) is
// slower than the influx (the action potential's fraction of a
// millisecond), which is taken as instantaneous.
//
// Random draws: Philox (core/rng.hpp), purpose `release`, id the
// projection, index the connection (the image's order), blocks from the
// arrival step · 1024: the same on every engine and thread count.
#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/rng.hpp"

namespace ranvier::core {

enum class terminal_model : int { none = 0, tsodyks_markram = 1, quantal = 2 };
enum class release_form : int { hill = 0, sigmoid = 1, threshold = 2 };

// At most this many release sites a terminal: every spike draws one word per
// site (refill or release) from at most 1024 Philox blocks.
inline constexpr std::uint32_t max_release_sites = 4096;

template <class T> struct terminal_params {
  terminal_model model = terminal_model::none;
  T u = T(0);           // Tsodyks–Markram: U, the utilisation of a spike at rest [1]
  T rec_rate = T(0);    // dt/tau_rec: recovery of resources, refill of a site [1]
  T facil_rate = T(0);  // dt/tau_facil; 0: no facilitation [1]
  std::uint32_t sites = 1;  // quantal: release sites [1]
  T ca_rest = T(0);     // [mM]
  T ca_jump = T(0);     // influx a spike [mM]
  T ca_rate = T(0);     // dt/tau_ca [1]
  release_form form = release_form::hill;
  T hill_n = T(4);      // [1]
  T k_d = T(0);         // [mM]
  T slope = T(1);       // sigmoid s [mM]
  std::uint64_t seed = 0;
  std::uint32_t id = 0;  // the projection's index, for the random streams
};

// The HH-type channels of a terminal and its action potential (above).
struct hh_calcium_channel {
  double v_rest = -70.0;   // [mV]
  double v_peak = 30.0;    // [mV]
  double ap_width = 0.5;   // the action potential's half-width [ms]
  double g_ca = 0.001;     // [µS]
  double e_ca = 120.0;     // [mV]
  double v_half = -20.0;   // m∞'s midpoint [mV]
  double k = 6.0;          // m∞'s slope factor [mV]
  double tau_m = 0.3;      // [ms]
  double p = 2.0;          // the activation's exponent [1]
  double beta = 0.03;      // [mM/(nA·ms)]: Ca²⁺ per charge, over the terminal's volume and buffering (the defaults: about 1e-3 mM a spike)
};

// The Ca²⁺ influx of one action potential through channel c [mM]:
// −β·∫(I_Ca − I_Ca,rest) dt, by classical RK4 on m in steps of σ/200 from
// −6σ to 6σ + 30·tau_m (with the current integrated by Simpson's rule
// alongside). Host side, double.
inline double hh_calcium_influx(const hh_calcium_channel& c) {
  const double sigma = c.ap_width / (2.0 * __builtin_sqrt(2.0 * 0.69314718055994530942));
  const auto v_at = [&](double t) { return c.v_rest + (c.v_peak - c.v_rest) * det_exp(-t * t / (2.0 * sigma * sigma)); };
  const auto m_inf = [&](double v) { return 1.0 / (1.0 + det_exp(-(v - c.v_half) / c.k)); };
  const auto current = [&](double v, double m) { return c.g_ca * det_exp(c.p * det_log(m > 0.0 ? m : 1e-300)) * (v - c.e_ca); };
  const double m_rest = m_inf(c.v_rest), i_rest = current(c.v_rest, m_rest);
  const double h = sigma / 200.0, t0 = -6.0 * sigma, t1 = 6.0 * sigma + 30.0 * c.tau_m;
  double m = m_rest, charge = 0.0;  // ∫(I − I_rest) dt [nA·ms]
  for (double t = t0; t < t1; t += h) {
    const auto rate = [&](double tt, double mm) { return (m_inf(v_at(tt)) - mm) / c.tau_m; };
    const double k1 = rate(t, m), k2 = rate(t + h / 2, m + h / 2 * k1), k3 = rate(t + h / 2, m + h / 2 * k2),
                 k4 = rate(t + h, m + h * k3);
    const double m_mid = m + h / 2 * (k1 + k2) / 2, m_end = m + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    charge += h / 6 * ((current(v_at(t), m) - i_rest) + 4 * (current(v_at(t + h / 2), m_mid) - i_rest) +
                       (current(v_at(t + h), m_end) - i_rest));
    m = m_end;
  }
  return -c.beta * charge;
}

// Per connection. `last`: the step of its last arrival (never: far back).
template <class T> struct terminal_state {
  T u = T(0);               // Tsodyks–Markram: u at the last spike [1]
  T x = T(1);               // Tsodyks–Markram: x at the last spike [1]
  T ca = T(0);              // quantal: [Ca²⁺] just after the last spike's influx [mM]
  std::uint32_t ready = 0;  // quantal: ready vesicles after the last spike (set to sites at the start)
  std::uint32_t released = 0;  // quantal: vesicles the last spike released
  // In single precision the four bytes that would be padding, named and
  // zero: checkpoints checksum and compare state byte for byte.
  struct none {};
  [[no_unique_address]] std::conditional_t<sizeof(T) == 4, std::uint32_t, none> spare{};
  std::int64_t last = std::numeric_limits<std::int64_t>::min() / 2;
};
static_assert(sizeof(terminal_state<float>) == 32 && sizeof(terminal_state<double>) == 40,
              "terminal_state has no padding bytes");

// What a record of a connection reads (0: its weight, elsewhere), and a
// terminal's value of each other field at step `now`: u and x at its last
// spike, [Ca²⁺]_pre now (relaxed towards rest since the last influx), the
// ready and released vesicles of its last spike. Records read it in
// deterministic arithmetic on both engines.
// What a record samples of each connection: its weight, its terminal's
// state, or its cleft's (core/synapses/cleft.hpp: [NT] and the open
// fraction of its receptors).
enum class connection_field : int { weight = 0, u = 1, x = 2, ca_pre = 3, ready = 4, released = 5, nt = 6, open = 7 };
template <class T>
RANVIER_HD T terminal_value(const terminal_params<T>& p, const terminal_state<T>& s, connection_field f,
                            std::int64_t now) {
  switch (f) {
    case connection_field::u: return s.u;
    case connection_field::x: return s.x;
    case connection_field::ca_pre:
      if (s.last == std::numeric_limits<std::int64_t>::min() / 2) return p.ca_rest;
      return p.ca_rest + (s.ca - p.ca_rest) * det_exp(-static_cast<T>(now - s.last) * p.ca_rate);
    case connection_field::ready: return static_cast<T>(s.ready);
    case connection_field::released: return static_cast<T>(s.released);
    default: return T(0);
  }
}

// The release probability of a ready vesicle at [Ca] = ca [mM].
template <class M, class T> RANVIER_HD T release_probability(const terminal_params<T>& p, T ca) {
  switch (p.form) {
    case release_form::threshold:
      return ca >= p.k_d ? T(1) : T(0);
    case release_form::sigmoid:
      return T(1) / (T(1) + M::exp(-(ca - p.k_d) / p.slope));
    case release_form::hill:
    default: {
      if (!(ca > T(0))) return T(0);
      const T r = static_cast<T>(det_pow(static_cast<double>(p.k_d / ca), static_cast<double>(p.hill_n)));
      return T(1) / (T(1) + r);  // cⁿ/(cⁿ + Kⁿ) = 1/(1 + (K/c)ⁿ)
    }
  }
}

// The 32-bit threshold of a Bernoulli draw of probability q: a word w fires
// when w < threshold (q = 1: always).
RANVIER_HD std::uint64_t bernoulli_threshold(double q) {
  if (!(q > 0.0)) return 0;
  if (q >= 1.0) return std::uint64_t(1) << 32;
  return static_cast<std::uint64_t>(q * 4294967296.0);
}

// Connection `index`'s spike arriving at step `now` on terminal state s:
// advances s and returns the factor of the weight it delivers (u·x, or the
// number of vesicles released).
template <class M, class T>
RANVIER_HD T terminal_release(const terminal_params<T>& p, terminal_state<T>& s, std::int64_t now,
                              std::uint32_t index) {
  constexpr std::int64_t never = std::numeric_limits<std::int64_t>::min() / 2;
  const bool first = s.last == never;
  const T since = first ? T(0) : static_cast<T>(now - s.last);  // [steps]
  s.last = now;
  if (p.model == terminal_model::tsodyks_markram) {
    if (first) {
      s.u = p.u;
      s.x = T(1);
    } else {
      const T u = p.facil_rate > T(0) ? p.u + s.u * (T(1) - p.u) * M::exp(-since * p.facil_rate) : p.u;
      s.x = T(1) + (s.x - s.u * s.x - T(1)) * M::exp(-since * p.rec_rate);
      s.u = u;
    }
    return s.u * s.x;
  }
  // Quantal: calcium, refill, release.
  s.ca = first ? p.ca_rest + p.ca_jump : p.ca_rest + (s.ca - p.ca_rest) * M::exp(-since * p.ca_rate) + p.ca_jump;
  stream draws(p.seed, stream_purpose::release, p.id, index, static_cast<std::uint64_t>(now) << 10);
  if (!first && s.ready < p.sites) {
    const std::uint64_t refill = bernoulli_threshold(-static_cast<double>(M::expm1(-since * p.rec_rate)));
    std::uint32_t back = 0;
    for (std::uint32_t k = s.ready; k < p.sites; ++k) back += draws.next_u32() < refill;
    s.ready += back;
  }
  const std::uint64_t fire = bernoulli_threshold(static_cast<double>(release_probability<M>(p, s.ca)));
  std::uint32_t out = 0;
  for (std::uint32_t k = 0; k < s.ready; ++k) out += draws.next_u32() < fire;
  s.ready -= out;
  s.released = out;
  return static_cast<T>(out);
}

}  // namespace ranvier::core
