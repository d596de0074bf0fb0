// Validation of the neuron models of core/neurons/ (LIF, Izhikevich, AdEx,
// FitzHugh–Nagumo) and the receptors made for them: each against a closed
// form, or against an independent fine-step Runge–Kutta solution written
// here, whose distance to Ranvier's must shrink at the scheme's order as dt
// does. The model-file side (parameters, errors) is tested here too.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/fixed_point.hpp"
#include "core/synapses/kinetic.hpp"
#include "host/model/mechanisms.hpp"
#include "support.hpp"

using namespace ranvier;
using namespace ranvier::test;

namespace {

// One cell of a neuron model, its v (and `extra` variables) recorded every step.
network model_cell(const std::string& model, std::map<std::string, double> params, double tstop, double dt,
                   std::vector<receptor_desc> receptors = {}, std::vector<std::string> extra = {}) {
  network net;
  net.sim.dt = dt;
  net.sim.duration = tstop;
  add_model_population(net, "cell", model, std::move(params), std::move(receptors), "pop", 1);
  add_record(net, "pop", "spikes");
  add_record(net, "pop", "v");
  for (const auto& x : extra) add_record(net, "pop", x);
  return net;
}

// The values of record r (one column) at each of its steps, and their times.
struct series {
  std::vector<double> t, y;
};
series trace(const outcome& o, std::size_t r) {
  series s;
  for (std::size_t i = 0; i < o.traces.at(r).steps.size(); ++i) {
    s.t.push_back(static_cast<double>(o.traces[r].steps[i]) * o.dt);
    s.y.push_back(o.traces[r].values[i]);
  }
  return s;
}

// A connection's open fraction r at time t [ms] in Destexhe, Mainen &
// Sejnowski's scheme, in closed form piece by piece: releases at `times`
// [ms] (ascending) open transmitter for `dur` ms each, a release while the
// pulse is open extending it to `dur` from itself; during a pulse r relaxes
// towards r_inf at `rate` = alpha·t_max + beta [1/ms], after it decays at
// beta [1/ms]. With `residual` false, each release starts from closed
// receptors instead (what the receptors did before they carried residuals).
double kinetic_r(const std::vector<double>& times, double dur, double rate, double r_inf, double beta, double t,
                 bool residual = true) {
  if (!residual) {
    double sum = 0.0;
    for (double a : times) sum += kinetic_r({a}, dur, rate, r_inf, beta, t);
    return sum;
  }
  std::vector<std::pair<double, double>> on;  // pulses [start, end)
  for (double a : times) {
    if (!on.empty() && a < on.back().second - 1e-9) on.back().second = a + dur;
    else on.push_back({a, a + dur});
  }
  double r = 0.0, now = 0.0;  // r at `now`
  const auto go = [&](double until, bool open) {
    const double d = until - now;
    r = open ? r_inf + (r - r_inf) * std::exp(-d * rate) : r * std::exp(-beta * d);
    now = until;
  };
  for (const auto& [start, end] : on) {
    if (t <= start) break;
    go(start, false);
    if (t <= end) {
      go(t, true);
      return r;
    }
    go(end, true);
  }
  if (t > now) go(t, false);
  return r;
}

// One classic RK4 step of y' = f(y) at step h, for the reference solutions.
template <std::size_t N, class F>
std::array<double, N> rk4_step(const std::array<double, N>& y, double h, F&& f) {
  auto add = [](const std::array<double, N>& a, const std::array<double, N>& b, double s) {
    std::array<double, N> r;
    for (std::size_t i = 0; i < N; ++i) r[i] = a[i] + s * b[i];
    return r;
  };
  const std::array<double, N> k1 = f(y);
  const std::array<double, N> k2 = f(add(y, k1, h / 2));
  const std::array<double, N> k3 = f(add(y, k2, h / 2));
  const std::array<double, N> k4 = f(add(y, k3, h));
  std::array<double, N> yn;
  for (std::size_t c = 0; c < N; ++c) yn[c] = y[c] + h / 6 * (k1[c] + 2 * k2[c] + 2 * k3[c] + k4[c]);
  return yn;
}

// Classic RK4 on a system with a threshold and reset, at step h, for the
// reference solutions: f(y) the derivative, fired(y) and reset(y) the rule.
// Returns the spike times (the fine step at which the threshold is reached).
template <std::size_t N>
std::vector<double> rk4_spikes(std::array<double, N> y, double tstop, double h,
                               const std::function<std::array<double, N>(const std::array<double, N>&)>& f,
                               const std::function<bool(const std::array<double, N>&, const std::array<double, N>&)>& fired,
                               const std::function<void(std::array<double, N>&)>& reset) {
  std::vector<double> spikes;
  const long n = std::lround(tstop / h);
  for (long i = 0; i < n; ++i) {
    std::array<double, N> yn = rk4_step(y, h, f);
    if (fired(y, yn)) {
      spikes.push_back((i + 1) * h);
      reset(yn);
    }
    y = yn;
  }
  return spikes;
}

// The largest difference between the first n spike times of a and b [ms]
// (both must have at least n).
double spike_error(const std::vector<double>& a, const std::vector<double>& b, std::size_t n) {
  REQUIRE(a.size() >= n);
  REQUIRE(b.size() >= n);
  double e = 0.0;
  for (std::size_t i = 0; i < n; ++i) e = std::max(e, std::fabs(a[i] - b[i]));
  return e;
}

// Checks that the error at dt, dt/2, dt/4 falls at first order: each halving
// at least divides it by `min_ratio`, and the finest is below `finest`.
void check_first_order(const std::vector<double>& errors, double min_ratio, double finest) {
  CAPTURE(errors[0]);
  CAPTURE(errors[1]);
  CAPTURE(errors[2]);
  CHECK(errors[0] / errors[1] > min_ratio);
  CHECK(errors[1] / errors[2] > min_ratio);
  CHECK(errors[2] < finest);
}

}  // namespace

TEST_SUITE("validation") {

TEST_CASE("LIF under constant current: v is the closed form at every step, spikes at the first step past threshold") {
  // cm 0.25 nF, tau_m 10 ms: R = 40 MOhm; i_e 0.5 nA: R·I = 20 mV above e_l.
  const double cm = 0.25, tau = 10.0, el = -70.0, vth = -55.0, vreset = -70.0, tref = 2.0, ie = 0.5, dt = 0.1;
  const auto o = run(model_cell("lif", {{"cm", cm}, {"tau_m", tau}, {"e_l", el}, {"v_th", vth}, {"v_reset", vreset},
                                        {"t_ref", tref}, {"i_e", ie}},
                                100.0, dt),
                     which::cpu);
  const double ri = ie / cm * tau;  // [mV]
  // Crossing time from reset: t* = tau·ln(R·I/(R·I − (v_th − e_l))) = 13.863 ms, not near a grid point.
  const double tstar = tau * std::log(ri / (ri - (vth - el)));
  std::vector<double> expected;
  double t0 = 0.0;  // when v starts from e_l (= v_reset)
  while (true) {
    const double ts = std::ceil((t0 + tstar) / dt - 1e-9) * dt;
    if (ts > 100.0 + 1e-9) break;
    expected.push_back(ts);
    t0 = ts + tref;
  }
  const auto got = spike_times(o, "pop");
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(std::fabs(got[i] - expected[i]) < 1e-9);
  }
  // v between spikes, against v(t) = e_l + R·I·(1 − e^(−(t − t0)/tau)), and held at v_reset for t_ref.
  const auto v = trace(o, 1);
  double worst = 0.0;
  std::size_t held = 0;
  for (std::size_t i = 0; i < v.t.size(); ++i) {
    double last = -1.0;
    for (double s : expected)
      if (s <= v.t[i] + 1e-9) last = s;
    const double start = last < 0 ? 0.0 : last + tref;
    if (v.t[i] < start - 1e-9) {
      CHECK(v.y[i] == vreset);
      ++held;
      continue;
    }
    if (last >= 0 && std::fabs(v.t[i] - last) < 1e-9) continue;  // the reset itself
    const double want = el + ri * (1.0 - std::exp(-(v.t[i] - start) / tau));
    worst = std::max(worst, std::fabs(v.y[i] - want));
  }
  CAPTURE(worst);
  CHECK(worst < 1e-11);
  // t_ref/dt − 1 samples a spike strictly inside its hold (the reset and the hold's end show v_reset too).
  CHECK(held >= (expected.size() - 1) * static_cast<std::size_t>(std::lround(tref / dt) - 1));
}

TEST_CASE("LIF with current synapses is integrated exactly: one exponential or alpha PSC against its closed form") {
  const double cm = 0.25, tau_m = 10.0, el = -70.0, w = 0.3, dt = 0.1, t_in = 5.0, delay = 1.0;
  for (const double tau_s : {2.0, 10.0, 0.5}) {  // 10: the degenerate tau_s = tau_m
    for (const char* kind : {"exp_current", "alpha_current"}) {
      CAPTURE(kind);
      CAPTURE(tau_s);
      receptor_desc r = std::string(kind) == "exp_current" ? receptor_desc::exp_current("syn", tau_s)
                                                            : receptor_desc::alpha_current("syn", tau_s);
      network net = model_cell("lif", {{"cm", cm}, {"tau_m", tau_m}, {"e_l", el}, {"v_th", 100.0},
                                       {"v_reset", -80.0}},
                               40.0, dt, {r});
      add_spike_source(net, "in", 1, {{t_in, 0}}, "pop", "syn", w, delay);
      const auto v = trace(run(net, which::cpu), 1);
      const double ta = t_in + delay;  // arrival
      double worst = 0.0, peak = 0.0;
      for (std::size_t i = 0; i < v.t.size(); ++i) {
        const double t = v.t[i] - ta;
        double want = el;
        if (t > 1e-9) {
          const double k = 1.0 / tau_m - 1.0 / tau_s;
          if (std::string(kind) == "exp_current") {
            // ∫0^t e^(−(t−u)/tau_m)·w·e^(−u/tau_s) du / cm
            want += std::fabs(k) < 1e-12 ? w / cm * t * std::exp(-t / tau_m)
                                         : w / cm * std::exp(-t / tau_m) * (std::exp(k * t) - 1.0) / k;
          } else {
            // ∫0^t e^(−(t−u)/tau_m)·w·(u/tau_s)·e^(1−u/tau_s) du / cm
            const double b = std::fabs(k) < 1e-12 ? t * t / 2 : t * std::exp(k * t) / k - (std::exp(k * t) - 1.0) / (k * k);
            want += w * std::exp(1.0) / (cm * tau_s) * std::exp(-t / tau_m) * b;
          }
        }
        worst = std::max(worst, std::fabs(v.y[i] - want));
        peak = std::max(peak, want - el);
      }
      CAPTURE(worst);
      CAPTURE(peak);
      CHECK(peak > 0.1);
      CHECK(worst < 1e-12 * std::max(1.0, peak) * 100);
    }
  }
}

TEST_CASE("LIF with conductance synapses converges at first order to a fine-step solution") {
  // Five arrivals on an alpha and an exponential conductance, subthreshold.
  const double cm = 0.2, tau_m = 15.0, el = -65.0, tstop = 60.0;
  const double tau_a = 1.5, ea = 0.0, tau_e = 5.0, ee = -80.0, wa = 0.01, we = 0.02;
  const std::vector<double> arrivals{5.0, 12.0, 13.0, 25.0, 40.0};
  // The reference: RK4 at 1 us with the conductances in closed form.
  auto g_at = [&](double t, bool alpha) {
    double g = 0.0;
    for (double a : arrivals)
      if (t > a) {
        const double s = t - a;
        g += alpha ? wa * s / tau_a * std::exp(1.0 - s / tau_a) : we * std::exp(-s / tau_e);
      }
    return g;
  };
  auto reference_v = [&](double t_end) {
    const double h = 0.001;
    double v = el, t = 0.0;
    auto f = [&](double tt, double vv) {
      return (-(cm / tau_m) * (vv - el) - g_at(tt, true) * (vv - ea) - g_at(tt, false) * (vv - ee)) / cm;
    };
    const long n = std::lround(t_end / h);
    for (long i = 0; i < n; ++i) {
      const double k1 = f(t, v), k2 = f(t + h / 2, v + h / 2 * k1), k3 = f(t + h / 2, v + h / 2 * k2),
                   k4 = f(t + h, v + h * k3);
      v += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
      t += h;
    }
    return v;
  };
  std::vector<double> ref;
  for (double t = 2.0; t <= tstop + 1e-9; t += 2.0) ref.push_back(reference_v(t));
  std::vector<double> errors;
  for (const double dt : {0.1, 0.05, 0.025}) {
    network net = model_cell("lif", {{"cm", cm}, {"tau_m", tau_m}, {"e_l", el}, {"v_th", 100.0}, {"v_reset", -80.0}},
                             tstop, dt, {receptor_desc::alphasyn("ampa", tau_a, ea), receptor_desc::expsyn("gaba", tau_e, ee)});
    std::vector<given_spike> sp;
    for (double a : arrivals) sp.push_back({a - 1.0, 0, 0});
    add_spike_source(net, "a", 1, sp, "pop", "ampa", wa, 1.0);
    add_spike_source(net, "b", 1, sp, "pop", "gaba", we, 1.0);
    const auto v = trace(run(net, which::cpu), 1);
    double e = 0.0;
    for (std::size_t i = 0; i < v.t.size(); ++i) {
      const double k = v.t[i] / 2.0;
      if (v.t[i] < 1.0 || std::fabs(k - std::round(k)) > 1e-6) continue;
      e = std::max(e, std::fabs(v.y[i] - ref[static_cast<std::size_t>(std::lround(k)) - 1]));
    }
    errors.push_back(e);
  }
  // Measured 0.255, 0.126, 0.062 mV: the conductance frozen over a step.
  check_first_order(errors, 1.8, 0.07);
}

TEST_CASE("Izhikevich regular spiking converges at first order to a fine-step solution") {
  const double a = 0.02, b = 0.2, c = -65.0, d = 8.0, ie = 0.01, cmf = 0.001;  // 10 pA: 10 mV/ms
  const auto ref = rk4_spikes<2>(
      {c, b * c}, 200.0, 1e-4,
      [&](const std::array<double, 2>& y) {
        return std::array<double, 2>{0.04 * y[0] * y[0] + 5 * y[0] + 140 - y[1] + ie / cmf, a * (b * y[0] - y[1])};
      },
      [](const std::array<double, 2>&, const std::array<double, 2>& yn) { return yn[0] >= 30.0; },
      [&](std::array<double, 2>& y) {
        y[0] = c;
        y[1] += d;
      });
  REQUIRE(ref.size() >= 5);
  std::vector<double> errors;
  for (const double dt : {0.02, 0.01, 0.005}) {
    const auto o = run(model_cell("izhikevich", {{"i_e", ie}}, 200.0, dt), which::cpu);
    errors.push_back(spike_error(spike_times(o, "pop"), ref, 5));
  }
  CHECK(errors[2] > 0.0);
  check_first_order(errors, 1.6, 0.1);
}

TEST_CASE("AdEx with adaptation converges at first order to a fine-step solution") {
  const double cm = 0.281, gl = 0.030, el = -70.6, vt = -50.4, dT = 2.0, vpeak = 0.0, vr = -70.6, a = 0.004,
               b = 0.0805, tw = 144.0, ie = 0.8;
  const auto ref = rk4_spikes<2>(
      {el, 0.0}, 300.0, 2e-5,
      [&](const std::array<double, 2>& y) {
        const double v = std::min(y[0], vpeak);  // a stage past the peak only says the spike is on
        return std::array<double, 2>{(-gl * (v - el) + gl * dT * std::exp((v - vt) / dT) - y[1] + ie) / cm,
                                     (a * (v - el) - y[1]) / tw};
      },
      [&](const std::array<double, 2>&, const std::array<double, 2>& yn) { return yn[0] >= vpeak; },
      [&](std::array<double, 2>& y) {
        y[0] = vr;
        y[1] += b;
      });
  REQUIRE(ref.size() >= 6);
  // Adaptation: the intervals lengthen.
  CHECK(ref[5] - ref[4] > ref[1] - ref[0]);
  std::vector<double> errors;
  for (const double dt : {0.02, 0.01, 0.005}) {
    const auto o = run(model_cell("adex", {{"i_e", ie}}, 300.0, dt), which::cpu);
    errors.push_back(spike_error(spike_times(o, "pop"), ref, 6));
  }
  // Measured 0.69, 0.36, 0.19 ms on the sixth spike (the error of each interval adds up).
  check_first_order(errors, 1.8, 0.21);
}

TEST_CASE("FitzHugh-Nagumo in the seed's form oscillates, converging at first order to a fine-step solution") {
  const double a = 0.7, b = 0.8, c = 3.0, ie = -0.4, tstop = 60.0;  // FitzHugh's oscillatory regime (z = -0.4)
  // The resting point of the unforced cell, where the model starts.
  double v0 = -1.0;
  for (int i = 0; i < 100; ++i) v0 -= (v0 - v0 * v0 * v0 / 3 + (a - v0) / b) / (1 - v0 * v0 - 1 / b);
  // The reference V at every whole ms: RK4 at 1e-4 ms.
  std::vector<double> ref;
  {
    const double h = 1e-4;
    std::array<double, 2> y = {v0, (a - v0) / b};  // v, R
    auto f = [&](const std::array<double, 2>& q) {
      return std::array<double, 2>{c * (q[0] - q[0] * q[0] * q[0] / 3 + q[1] + ie), -(q[0] - a + b * q[1]) / c};
    };
    const long per_ms = std::lround(1.0 / h);
    for (long i = 1; i <= std::lround(tstop / h); ++i) {
      y = rk4_step(y, h, f);
      if (i % per_ms == 0) ref.push_back(y[0]);
    }
  }
  std::vector<double> errors;
  std::size_t spikes = 0;
  for (const double dt : {0.02, 0.01, 0.005}) {
    const auto o = run(model_cell("fhn", {{"i_e", ie}}, tstop, dt, {}, {"R"}), which::cpu);
    spikes = spike_times(o, "pop").size();
    const auto v = trace(o, 1);
    double e = 0.0;
    for (std::size_t i = 0; i < v.t.size(); ++i) {
      const double ms = std::round(v.t[i]);
      if (ms < 1.0 || std::fabs(v.t[i] - ms) > 1e-6) continue;
      e = std::max(e, std::fabs(v.y[i] - ref[static_cast<std::size_t>(ms) - 1]));
    }
    errors.push_back(e);
  }
  CAPTURE(spikes);
  CHECK(spikes >= 4);  // it oscillates: one crossing of v_th = 1 a cycle
  check_first_order(errors, 1.8, 0.05);
}

TEST_CASE("pulse conductance: each arrival opens its weight for the duration, overlapping pulses add, through static and plastic connections") {
  const double dt = 0.1, dur = 1.3;  // 13 steps
  network net = model_cell("lif", {{"v_th", 100.0}}, 30.0, dt,
                           {receptor_desc::of("pls", "pulsesyn", {{"duration", dur}, {"e", 0.0}})}, {"pls.g"});
  // Static arrivals at 5, 5.5 (overlapping), 12; plastic ones (rates 0: constant weights) at 5.8 and 20.
  add_spike_source(net, "a", 1, {{4.0, 0, 0}, {4.5, 0, 0}, {11.0, 0, 0}}, "pop", "pls", 0.001, 1.0);
  add_spike_source(net, "b", 1, {{4.8, 0, 0}, {19.0, 0, 0}}, "pop", "pls", 0.004, 1.0);
  net.projections.back().plasticity.rule = plasticity_rule::stdp;
  net.projections.back().plasticity.w_max = 0.01;
  check(net);
  const auto g = trace(run(net, which::cpu), 2);
  const std::vector<std::pair<double, double>> arrivals{{5.0, 0.001}, {5.5, 0.001}, {12.0, 0.001}, {5.8, 0.004}, {20.0, 0.004}};
  std::size_t open_steps = 0;
  for (std::size_t i = 0; i < g.t.size(); ++i) {
    // A sample at T shows the step from T − dt: the arrivals at or before T − dt whose pulse is still open then.
    double want = 0.0;
    for (const auto& [ta, w] : arrivals)
      if (ta <= g.t[i] - dt + 1e-9 && ta + dur > g.t[i] - dt + 1e-9) want += std::round(w * core::fixed_scale) / core::fixed_scale;
    CAPTURE(g.t[i]);
    CHECK(std::fabs(g.y[i] - want) < 1e-15);
    open_steps += want > 0.0;
  }
  CHECK(open_steps == 21 + 13 + 13);  // [5.0, 7.1) (three overlapping pulses), [12, 13.3), [20, 21.3)
}

TEST_CASE("a connection's releases on a kinetic receptor carry its residual and extend a pulse still on, as per-connection r") {
  // Two connections onto one NMDA location, releases close together (their
  // residuals matter: beta = 0.0066/ms) and within one pulse (extended);
  // the receptor's three states driven through the rings by
  // core::kinetic_release (a release given twice in a step counting once)
  // against each connection's r stepped on its own.
  using K = ranvier::core::nmda;
  double p[K::nparam] = {};
  for (int q = 0; q < K::nuser; ++q) p[q] = K::params[q].default_value;
  ranvier::core::derive_ctx dctx;
  dctx.dt = 0.1;
  K::derive(p, dctx);
  const std::uint32_t pulse = 10;  // 1 ms at 0.1 ms
  const double decay_on = p[K::decay_on], decay_off = p[K::decay_off], r_inf = p[K::r_inf];
  const auto rp = ranvier::core::release_params_of<double>(p);
  const std::int64_t nsteps = 3000;
  const std::vector<std::pair<double, std::vector<std::int64_t>>> conns = {
      {0.5, {10, 15, 18, 19, 19, 40, 52, 64, 300, 305, 2000}}, {0.3, {12, 13, 40, 400}}};  // 19 twice: one release
  std::vector<std::vector<std::int64_t>> ring(3, std::vector<std::int64_t>(nsteps + pulse + 1, 0));
  const auto add = [&](int which, std::int64_t step, std::int64_t v) { ring[which][static_cast<std::size_t>(step)] += v; };
  std::vector<ranvier::core::kinetic_release_state<double>> st(conns.size());
  double s[K::nstate] = {};
  std::vector<double> r(conns.size(), 0.0);
  std::vector<std::int64_t> on_until(conns.size(), -1);
  double worst = 0, peak = 0;
  for (std::int64_t n = 0; n < nsteps; ++n) {
    for (std::size_t i = 0; i < conns.size(); ++i)
      for (auto a : conns[i].second)
        if (a == n) {
          const std::int64_t old = ranvier::core::claim_release(st[i], a + pulse);
          ranvier::core::kinetic_release<ranvier::core::deterministic_math>(rp, pulse, st[i], old, conns[i].first, a, add);
          on_until[i] = n + pulse;  // the reference: the pulse lasts `pulse` steps from the latest release
        }
    // Deliver this step's rows, then advance one step.
    using M = ranvier::core::deterministic_math;
    const auto row = [&](int which) { return ranvier::core::from_fixed<double>(ring[which][static_cast<std::size_t>(n)]); };
    K::deliver_pulse<M>(p, s, row(0), row(1), row(2));
    K::advance<M>(p, s);
    double g_ref = 0;
    for (std::size_t i = 0; i < conns.size(); ++i) {
      r[i] = n < on_until[i] ? r_inf + (r[i] - r_inf) * decay_on : r[i] * decay_off;
      g_ref += conns[i].first * r[i];
    }
    worst = std::max(worst, std::fabs(K::conductance(p, s) - g_ref));
    peak = std::max(peak, g_ref);
  }
  MESSAGE("largest |g - sum w r| " << worst << " uS, peak " << peak << " uS");
  CHECK(peak > 0.1);
  CHECK(worst < 1e-9 * peak);
}

TEST_CASE("first-order kinetic receptors: the response to square transmitter pulses is the closed form, the second release starting from the first's residual") {
  // Destexhe, Mainen & Sejnowski (1994): during a pulse r -> r_inf with
  // tau_on = 1/(alpha t_max + beta), after it r decays with beta; one
  // connection's second release starts from what is left of its first.
  struct kind {
    const char* name;
    double alpha, beta, e;
  };
  for (const kind k : {kind{"ampa", 1.1, 0.19, 0.0}, kind{"gaba_a", 5.0, 0.18, -80.0}, kind{"kinetic", 2.0, 0.5, 0.0}}) {
    CAPTURE(k.name);
    const double dt = 0.025, dur = 1.0, w = 0.003;
    network net = model_cell("lif", {{"v_th", 100.0}}, 40.0, dt, {receptor_desc{}}, {"syn.g"});
    net.cells[0].receptors[0].name = "syn";
    net.cells[0].receptors[0].kind = k.name;
    if (std::string(k.name) == "kinetic")
      net.cells[0].receptors[0].params = {{"alpha", k.alpha}, {"beta", k.beta}, {"duration", dur}};
    add_spike_source(net, "in", 1, {{4.0, 0, 0}, {9.5, 0, 0}}, "pop", "syn", w, 1.0);  // arrivals at 5 and 10.5
    check(net);
    const auto g = trace(run(net, which::cpu), 2);
    const double wq = std::round(w * core::fixed_scale) / core::fixed_scale;
    const double rate = k.alpha * 1.0 + k.beta, rinf = k.alpha / rate;
    double worst = 0.0, peak = 0.0, residual = 0.0;
    for (std::size_t i = 0; i < g.t.size(); ++i) {
      const double want = wq * kinetic_r({5.0, 10.5}, dur, rate, rinf, k.beta, g.t[i]);
      worst = std::max(worst, std::fabs(g.y[i] - want));
      peak = std::max(peak, want);
      residual = std::max(residual, std::fabs(want - wq * kinetic_r({5.0, 10.5}, dur, rate, rinf, k.beta, g.t[i], false)));
    }
    CAPTURE(worst);
    CAPTURE(peak);
    CAPTURE(residual);
    CHECK(peak > 0.3 * w);
    CHECK(residual > 1e-3 * peak);  // the first release's residual shows (e^(-0.5 * 4.5) = 0.1 for "kinetic")
    // Rounding: the moves of w r through the fixed-point ring, 2^-40 uS each.
    CHECK(worst < 4.0 / core::fixed_scale);
  }
}

TEST_CASE("kinetic receptors: each connection's release starts from its own residual, a release while its pulse is on extends it, a second release in one step changes nothing; static and plastic connections") {
  // Two connections onto one NMDA location (one static, one plastic with
  // constant weights) and one onto an AMPA location: a 100 Hz burst of ten
  // (NMDA's residual decays over 150 ms), releases 0.5 ms apart (within one
  // 1 ms pulse), and a source given twice within one step; against each
  // connection's r in closed form (kinetic_r).
  const double dt = 0.05, dur = 1.0;
  network net = model_cell("lif", {{"v_th", 100.0}}, 300.0, dt,
                           {receptor_desc::of("nmda", "nmda"), receptor_desc::of("ampa", "ampa")}, {"nmda.g", "ampa.g"});
  std::vector<given_spike> burst;
  for (int i = 0; i < 10; ++i) burst.push_back({4.0 + 10.0 * i, 0, 0});
  for (double t : {120.0, 120.5, 150.0, 150.02}) burst.push_back({t, 0, 0});  // 150.02 rounds to 150.0's step
  add_spike_source(net, "a", 1, burst, "pop", "nmda", 0.002, 1.0);
  add_spike_source(net, "b", 1, {{20.0, 0, 0}, {24.0, 0, 0}, {120.2, 0, 0}, {200.0, 0, 0}}, "pop", "nmda", 0.003, 1.0);
  net.projections.back().plasticity.rule = plasticity_rule::stdp;  // rates 0: constant weights
  net.projections.back().plasticity.w_max = 0.01;
  add_spike_source(net, "c", 1, {{10.0, 0, 0}, {12.0, 0, 0}, {12.5, 0, 0}, {30.0, 0, 0}}, "pop", "ampa", 0.001, 1.0);
  check(net);
  const auto o = run(net, which::cpu);
  const auto nmda = trace(o, 2), ampa = trace(o, 3);
  const auto q = [](double w) { return std::round(w * core::fixed_scale) / core::fixed_scale; };
  const auto arrivals = [dt](const std::vector<given_spike>& s) {
    std::vector<double> t;
    for (const auto& x : s) t.push_back(std::round(x.time / dt) * dt + 1.0);  // given times fall on whole steps
    return t;
  };
  const auto a = arrivals(burst);
  const std::vector<double> b = {21.0, 25.0, 121.2, 201.0}, c = {11.0, 13.0, 13.5, 31.0};
  const double n_rate = 0.072 + 0.0066, n_rinf = 0.072 / n_rate, a_rate = 1.1 + 0.19, a_rinf = 1.1 / a_rate;
  double worst = 0.0, peak = 0.0, residual = 0.0;
  for (std::size_t i = 0; i < nmda.t.size(); ++i) {
    const double t = nmda.t[i];
    const auto g = [&](bool res) {
      return q(0.002) * kinetic_r(a, dur, n_rate, n_rinf, 0.0066, t, res) +
             q(0.003) * kinetic_r(b, dur, n_rate, n_rinf, 0.0066, t, res);
    };
    const double want = g(true);
    worst = std::max(worst, std::fabs(nmda.y[i] - want));
    peak = std::max(peak, want);
    residual = std::max(residual, std::fabs(want - g(false)));
    const double want_ampa = q(0.001) * kinetic_r(c, dur, a_rate, a_rinf, 0.19, t);
    worst = std::max(worst, std::fabs(ampa.y[i] - want_ampa));
  }
  MESSAGE("NMDA peak " << peak << " uS; largest |g - sum w r| " << worst << " uS; without residuals off by up to "
                       << residual << " uS");
  CHECK(peak > 0.001);
  CHECK(residual > 0.2 * peak);  // what the residuals change in the burst
  // Rounding: the moves of w r through the fixed-point ring, 2^-40 uS each.
  CHECK(worst < 16.0 / core::fixed_scale);
}

TEST_CASE("NMDA: the Mg2+ block is Jahr & Stevens' curve; current and slope conductance follow from it") {
  const kind_info* info = find_receptor("nmda");
  REQUIRE(info);
  core::derive_ctx ctx;
  ctx.dt = 0.025;
  for (const double mg : {0.0, 1.0, 2.0}) {
    std::vector<double> user;
    for (const auto& p : info->params) user.push_back(std::string_view(p.name) == "mg" ? mg : p.default_value);
    const auto all = kind_parameters(*info, user, ctx);
    double p[core::max_receptor_params] = {};
    std::copy(all.begin(), all.end(), p);
    const double s[3] = {0.002, 0.0, 0.001};  // S_on, g_on, S_off: g = 0.003 uS
    for (double v = -100.0; v <= 40.0; v += 5.0) {
      CAPTURE(mg);
      CAPTURE(v);
      const double b = 1.0 / (1.0 + mg / 3.57 * std::exp(-0.062 * v));
      double i = 0.0, gs = 0.0;
      core::nmda::current<core::deterministic_math>(p, s, v, i, gs);
      CHECK(std::fabs(i - 0.003 * b * (v - 0.0)) < 1e-15);
      // The slope conductance is di/dv (it enters the implicit step).
      const double h = 1e-4;
      double ip = 0.0, im = 0.0, g0 = 0.0;
      core::nmda::current<core::deterministic_math>(p, s, v + h, ip, g0);
      core::nmda::current<core::deterministic_math>(p, s, v - h, im, g0);
      CHECK(std::fabs(gs - (ip - im) / (2 * h)) < 1e-9);
    }
  }
}

TEST_CASE("NMDA's Ca2+ current is recorded as RECEPTOR.ica, ca_frac of its current; other receptors have none") {
  network net =
      model_cell("adex", {}, 50.0, 0.05, {receptor_desc::of("nmda", "nmda", {{"ca_frac", 0.12}})}, {"nmda.i", "nmda.ica"});
  add_spike_source(net, "in", 1, {{5.0, 0, 0}, {10.0, 0, 0}, {12.0, 0, 0}}, "pop", "nmda", 0.01, 1.0);
  check(net);
  const auto o = run(net, which::cpu);
  const auto i = trace(o, 2), ica = trace(o, 3);
  REQUIRE(i.y.size() == ica.y.size());
  double largest = 0.0;
  for (std::size_t k = 0; k < i.y.size(); ++k) {
    CHECK(std::fabs(ica.y[k] - 0.12 * i.y[k]) <= 1e-15 * std::fabs(i.y[k]) + 1e-30);
    largest = std::max(largest, std::fabs(ica.y[k]));
  }
  CHECK(largest > 1e-6);  // there was an NMDA current
  network bad = model_cell("lif", {}, 10.0, 0.1, {receptor_desc::expsyn("ampa", 2.0, 0.0)}, {"ampa.ica"});
  CHECK(contains(error_of([&] { check(bad); }), "'ampa.ica' is not a variable"));
}

TEST_CASE("GABA_B: R and G follow the kinetic scheme exactly; a burst opens the channels, a single release almost not") {
  // Destexhe et al. (1998): dR/dt = K1 [T] (1 - R) - K2 R, dG/dt = K3 R - K4 G,
  // g = gmax G^4/(G^4 + Kd); releases of 0.5 mM for 0.3 ms.
  const double dt = 0.025, k1 = 0.52, k2 = 0.0045, k3 = 0.18, k4 = 0.034, kd = 100.0, tmax = 0.5, dur = 0.3,
               gmax = 0.001;
  double peak_single = 0.0, peak_burst = 0.0;
  for (const int n : {1, 10}) {
    CAPTURE(n);
    network net = model_cell("lif", {{"v_th", 100.0}}, 400.0, dt, {receptor_desc::of("gb", "gabab")}, {"gb.g", "gb.G"});
    std::vector<given_spike> sp;
    for (int k = 0; k < n; ++k) sp.push_back({4.0 + 10.0 * k, 0, 0});  // arrivals at 5, 15, ... (100 Hz)
    add_spike_source(net, "in", 1, sp, "pop", "gb", 1.0, 1.0);
    check(net);
    const auto o = run(net, which::cpu);
    const auto g = trace(o, 2), G = trace(o, 3);
    // The reference: RK4 at 1 us with [T] as the pulses give it.
    const auto conc = [&](double t) {
      int on = 0;
      for (int k = 0; k < n; ++k) on += t >= 5.0 + 10.0 * k - 1e-9 && t < 5.0 + 10.0 * k + dur - 1e-9;
      return tmax * on;
    };
    const double h = 0.001;
    double r = 0.0, gp = 0.0, worst = 0.0, top = 0.0;
    std::size_t next = 0;
    const long steps = std::lround(400.0 / h);
    for (long s = 0; s <= steps; ++s) {
      const double t = s * h;
      while (next < G.t.size() && G.t[next] <= t + 1e-9) {
        if (std::fabs(G.t[next] - t) < 1e-9) {
          worst = std::max(worst, std::fabs(G.y[next] - gp));
          top = std::max(top, gp);
        }
        ++next;
      }
      // [T] is constant on [t, t + h): pulses start and end on the 25 us grid.
      const double c = conc(t + h / 2);
      const auto f = [&](const std::array<double, 2>& q) {  // R, G
        return std::array<double, 2>{k1 * c * (1 - q[0]) - k2 * q[0], k3 * q[0] - k4 * q[1]};
      };
      const auto y = rk4_step(std::array<double, 2>{r, gp}, h, f);
      r = y[0];
      gp = y[1];
    }
    CAPTURE(worst);
    CAPTURE(top);
    CHECK(top > 0.0);
    CHECK(worst < 1e-9 * top);
    // g = gmax G^4/(G^4 + Kd) at every sample.
    double gmax_seen = 0.0;
    for (std::size_t k = 0; k < g.t.size(); ++k) {
      const double g4 = std::pow(G.y[k], 4);
      CHECK(std::fabs(g.y[k] - gmax * g4 / (g4 + kd)) < 1e-12 * gmax);
      gmax_seen = std::max(gmax_seen, g.y[k]);
    }
    (n == 1 ? peak_single : peak_burst) = gmax_seen;
  }
  MESSAGE("GABA_B peak conductance: single release " << peak_single << " uS, burst of 10 at 100 Hz " << peak_burst << " uS");
  CHECK(peak_burst > 0.1 * gmax);
  CHECK(peak_single < 1e-3 * peak_burst);  // nonlinear: one release opens almost nothing
}

TEST_CASE("alpha conductance: one event peaks at its weight at t = tau after arrival") {
  for (const double tau : {0.5, 2.0, 7.5}) {
    CAPTURE(tau);
    const double w = 0.004, dt = 0.025;
    network net = model_cell("lif", {{"v_th", 100.0}}, 40.0, dt, {receptor_desc::alphasyn("syn", tau, 0.0)}, {"syn.g"});
    add_spike_source(net, "in", 1, {{4.0, 0, 0}}, "pop", "syn", w, 1.0);
    const auto g = trace(run(net, which::cpu), 2);
    // The weight as the ring delivers it: rounded to the fixed-point unit (2^-40 uS).
    const double wq = std::round(w * core::fixed_scale) / core::fixed_scale;
    const auto top = std::max_element(g.y.begin(), g.y.end());
    const double t_peak = g.t[static_cast<std::size_t>(top - g.y.begin())];
    CHECK(std::fabs(t_peak - (5.0 + tau)) < 1e-9);
    // Rounding of up to 300 steps of products: a few ulps each.
    CHECK(std::fabs(*top - wq) < 1e-13 * wq);
    // And the whole course is the closed form.
    double worst = 0.0;
    for (std::size_t i = 0; i < g.t.size(); ++i) {
      const double s = g.t[i] - 5.0;
      const double want = s > 1e-9 ? wq * s / tau * std::exp(1.0 - s / tau) : 0.0;
      worst = std::max(worst, std::fabs(g.y[i] - want));
    }
    CHECK(worst < 1e-13 * w);
  }
}

}  // TEST_SUITE("validation")

TEST_SUITE("model") {

TEST_CASE("neuron models from a model file: parameters, defaults and initial state") {
  const network net = parse_model(R"(
[simulation]
dt = 0.1
duration = 50
[cell.exc]
model = "adex"
i_e = 0.8
a = 0.002
[[cell.exc.receptor]]
name = "ampa"
kind = "alphasyn"
tau = 1.0
[cell.izh]
model = "izhikevich"
d = 2.0
[cell.izh.init]
v = -70.0
[[population]]
name = "e"
cell = "exc"
size = 2
[[population]]
name = "i"
cell = "izh"
size = 1
[[record]]
population = "e"
variable = "w"
[[record]]
population = "i"
variable = "u"
)",
                                  "neurons.toml");
  check(net);
  const auto o = run(net, which::cpu);
  // w starts at 0 and grows with the first spike; u starts at b·v = 0.2·(−70).
  CHECK(o.traces[0].values[0] == 0.0);
  CHECK(o.traces[1].values[0] == doctest::Approx(-14.0).epsilon(1e-12));
  CHECK(o.counts[0] > 0);
}

TEST_CASE("bad neuron model descriptions are reported with what would be valid") {
  const auto err = [](const std::string& cell) {
    return error_of([&] {
      check(parse_model("[simulation]\ndt = 0.1\nduration = 10\n[cell.c]\n" + cell + "\n[[population]]\nname = \"p\"\ncell = \"c\"\nsize = 1\n",
                        "bad.toml"));
    });
  };
  CHECK(contains(err("model = \"lifx\""), "unknown neuron model 'lifx'"));
  CHECK(contains(err("model = \"lifx\""), "lif, izhikevich, adex, fhn"));
  CHECK(contains(err("model = \"lif\"\ntau = 3"), "'tau' is not a parameter of the lif model"));
  CHECK(contains(err("model = \"lif\"\ntau = 3"), "tau_m [ms]"));
  CHECK(contains(err("model = \"lif\"\narea = 100"), "'area' is not a parameter of the lif model"));
  CHECK(contains(err("model = \"lif\"\ntau_m = -3"), "bad.toml:6"));
  CHECK(contains(err("model = \"lif\"\ntau_m = -3"), "a number > 0 [ms]"));
  CHECK(contains(err("model = \"lif\"\nt_ref = -1"), "a time >= 0 [ms]"));
  CHECK(contains(err("model = \"lif\"\nv_reset = -50"), "v_reset = -50.0 mV is not below v_th = -55.0 mV"));
  CHECK(contains(err("model = \"adex\"\ncm = 0"), "a number > 0 [nF]"));
  CHECK(contains(err("model = \"izhikevich\"\n[cell.c.init]\nu = 1e400"), "u"));
  CHECK(err("model = \"izhikevich\"\n[cell.c.init]\nu = -20") == "");
  CHECK(err("model = \"lif\"") == "");
}

TEST_CASE("current receptors take weights of either sign; conductance receptors only >= 0") {
  const auto with = [](const std::string& kind, double w) {
    return error_of([&] {
      network net = model_cell("lif", {}, 10.0, 0.1, {receptor_desc{}});
      net.cells[0].receptors[0].name = "syn";
      net.cells[0].receptors[0].kind = kind;
      add_spike_source(net, "in", 1, {{1.0, 0, 0}}, "pop", "syn", w, 1.0);
      check(net);
    });
  };
  CHECK(with("exp_current", -0.5) == "");
  CHECK(with("alpha_current", -0.5) == "");
  CHECK(contains(with("expsyn", -0.5), "a conductance >= 0 [uS]"));
  CHECK(contains(with("alphasyn", -0.5), "a conductance >= 0 [uS]"));
  CHECK(contains(with("exp_current", -1e9), "at least"));
}

TEST_CASE("a network of every neuron model runs the same on 1 and 2 threads, every population firing") {
  network net = model_network();
  net.populations[0].size = 700;  // enough work for two threads to share
  const auto one = run(net, which::cpu, 1);
  const auto two = run(net, which::cpu, 2);
  CHECK(contains(two.engine, "2 threads"));
  check_identical(one, two);
  for (const auto& p : one.populations) {
    if (p.name.rfind("d_", 0) == 0) continue;
    CAPTURE(p.name);
    std::uint64_t n = 0;
    for (std::uint32_t c = 0; c < p.size; ++c) n += one.counts[p.gid_base + c];
    CHECK(n > p.size);  // more than a spike a cell in 200 ms
  }
}

TEST_CASE("the integrate-and-fire and plasticity examples check, run a little, and every cell population fires") {
  for (const char* name : {"brunel.toml", "stdp_song.toml", "hebbian.toml"}) {
    CAPTURE(name);
    network net = example(name);
    check(net);
    net.sim.duration = std::string(name) == "brunel.toml" ? 100.0 : 1000.0;
    const auto o = run(net, which::cpu, 2);
    for (const auto& p : o.populations) {
      if (p.kind != population_kind::cell) continue;
      CAPTURE(p.name);
      std::uint64_t n = 0;
      for (std::uint32_t c = 0; c < p.size; ++c) n += o.counts[p.gid_base + c];
      CHECK(n >= p.size);  // at least a spike a cell
    }
  }
}

TEST_CASE("an inhibitory current PSC hyperpolarises a LIF cell by its closed form's sign and size") {
  network net = model_cell("lif", {{"v_th", 100.0}}, 30.0, 0.1, {receptor_desc::exp_current("inh", 5.0)});
  add_spike_source(net, "in", 1, {{5.0, 0, 0}}, "pop", "inh", -0.4, 1.0);
  const auto v = trace(run(net, which::cpu), 1);
  const double lowest = *std::min_element(v.y.begin(), v.y.end());
  // Peak of (w/cm)·(e^(−t/tau_m) − e^(−t/tau_s))/(1/tau_s − 1/tau_m), tau_m 10, tau_s 5, w −0.4 nA, cm 0.25 nF.
  const double tp = std::log(10.0 / 5.0) / (1.0 / 5.0 - 1.0 / 10.0);
  const double peak = -0.4 / 0.25 * (std::exp(-tp / 10.0) - std::exp(-tp / 5.0)) / (1.0 / 5.0 - 1.0 / 10.0);
  CAPTURE(lowest);
  CHECK(lowest < -70.0 + 0.99 * peak);
  CHECK(lowest >= -70.0 + peak - 1e-9);
}

}  // TEST_SUITE("model")

TEST_SUITE("engine") {

// kernels/advance.cu runs core::point_step with W = 1 lane per thread; the
// CPU engine with W = 64. Emulating the kernel's calls on every model group
// (unconnected cells under a current step, each from its own v) checks
// without a GPU that both give the same bits on every state array.
// The model network's cells alone (no projections, generators or records),
// in T's precision, for 100 ms.
template <class T> network model_cells() {
  network net = model_network();
  net.projections.clear();
  net.populations.erase(std::remove_if(net.populations.begin(), net.populations.end(),
                                       [](const population_desc& p) { return p.kind != population_kind::cell; }),
                        net.populations.end());
  net.records.clear();
  net.sim.prec = precision_of(T{});
  net.sim.duration = 100.0;
  return net;
}

TEST_CASE_TEMPLATE("the CUDA kernel's call of the model step (one lane) gives the CPU engine's bits", T, float, double) {
  network net = model_cells<T>();
  for (auto& c : net.cells) {
    c.init["v"] = c.model == "fhn" ? distribution::uniform(-1.5, -1.0) : distribution::uniform(-70.0, -60.0);
    stimulus_desc st;
    st.population = c.name;
    st.amp = {c.model == "izhikevich" ? 0.012 : c.model == "fhn" ? -0.2 : 0.9};  // FHN: i_e − 0.2 = −0.4 oscillates
    st.start = 10.0;
    net.stimuli.push_back(st);
  }
  check(net);
  const auto cpu = run(net, which::cpu, 1);
  image<T> img = std::get<image<T>>(pack(net, 1));
  std::vector<std::int64_t> ring(static_cast<std::size_t>(img.ring_depth) * img.ntargets, 0);
  std::vector<std::int64_t> ends(img.pulse.empty() ? 0 : ring.size(), 0);  // the pulse ring, as the engines keep it
  std::size_t spikes = 0;
  for (auto& g : img.groups) {
    CAPTURE(g.cell_type);
    REQUIRE(g.model >= 0);
    const auto view = g.point_view();
    for (std::int64_t step = 0; step < img.nsteps; ++step) {
      const std::size_t row = static_cast<std::size_t>(step % img.ring_depth) * img.ntargets;
      const core::step_ctx ctx{step, ring.data() + row, ends.empty() ? nullptr : ends.data() + row};
      for (std::uint32_t c = 0; c < g.ncells; ++c) {
        core::lanes<T, 1> L;
        L.first = c;
        core::point_step<core::deterministic_math>(view, ctx, L, [](std::uint32_t) {});
      }
    }
    std::size_t mine = 0;
    for (auto k : g.spike_count) mine += k;
    CHECK(mine > g.ncells);  // every model fires under its step
    spikes += mine;
    check_group_state(g, cpu);
  }
  std::size_t cpu_spikes = 0;
  for (auto k : cpu.counts) cpu_spikes += k;
  CHECK(spikes == cpu_spikes);
}

TEST_CASE_TEMPLATE("the CPU engine's lanes give the one-lane model step's bits, with conductance and current inputs",
                   T, float, double) {
  // Every model of the model network with its receptors (conductance,
  // current and pulse ones) and a stimulus; each step's ring row filled with
  // the same drawn inputs for both. The CPU engine's 64 lanes take the
  // stateless models' vector path (conductance inputs or none, refractory
  // hold selected), the CUDA kernels' one lane the general loop.
  network net = model_cells<T>();
  for (auto& c : net.cells) {
    stimulus_desc st;
    st.population = c.name;
    st.amp = {c.model == "izhikevich" ? 0.006 : c.model == "fhn" ? -0.2 : 0.4};
    st.start = 10.0;
    net.stimuli.push_back(st);
  }
  check(net);
  image<T> lanes = std::get<image<T>>(pack(net, 1)), one = lanes;
  const std::size_t nt = lanes.ntargets, rows = static_cast<std::size_t>(lanes.ring_depth) * nt;
  std::vector<std::int64_t> ring_a(rows, 0), ring_b(rows, 0), ends_a(lanes.pulse.empty() ? 0 : rows, 0), ends_b = ends_a;
  std::mt19937_64 gen(677);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::size_t fired = 0, held = 0;
  for (std::int64_t step = 0; step < lanes.nsteps; ++step) {
    const std::size_t row = static_cast<std::size_t>(step % lanes.ring_depth) * nt;
    for (std::size_t t = 0; t < nt; ++t) {  // a third of the targets take an input this step
      const double x = u(gen);
      const std::int64_t w = x < 1.0 / 3 ? core::to_fixed(static_cast<T>(0.004 + 0.03 * x)) : 0;
      ring_a[row + t] = ring_b[row + t] = w;
      if (!ends_a.empty()) ends_a[row + t] = ends_b[row + t] = u(gen) < 0.2 ? w : 0;
    }
    const core::step_ctx a{step, ring_a.data() + row, ends_a.empty() ? nullptr : ends_a.data() + row};
    const core::step_ctx b{step, ring_b.data() + row, ends_b.empty() ? nullptr : ends_b.data() + row};
    for (std::size_t gi = 0; gi < lanes.groups.size(); ++gi) {
      const auto va = lanes.groups[gi].point_view(), vb = one.groups[gi].point_view();
      const std::uint32_t n = lanes.groups[gi].ncells;
      for (std::uint32_t c0 = 0; c0 < n; c0 += 64) {
        core::lanes<T, 64> L;
        L.first = c0;
        L.n = static_cast<int>(std::min<std::uint32_t>(64, n - c0));
        core::point_step<core::deterministic_math>(va, a, L, [&](std::uint32_t) { ++fired; });
      }
      for (std::uint32_t c = 0; c < n; ++c) {
        core::lanes<T, 1> L;
        L.first = c;
        core::point_step<core::deterministic_math>(vb, b, L, [](std::uint32_t) {});
      }
      for (std::uint32_t c = 0; c < n; ++c) held += step + 1 - lanes.groups[gi].last_spike[c] < lanes.groups[gi].refractory;
    }
  }
  for (std::size_t gi = 0; gi < lanes.groups.size(); ++gi) {
    const auto& ga = lanes.groups[gi];
    const auto& gb = one.groups[gi];
    CAPTURE(ga.cell_type);
    for (int k = 0; k < ga.narrays(); ++k) {
      const std::string name = ga.array_name(k);
      CAPTURE(name);
      std::size_t differ = 0;
      for (std::size_t i = 0; i < ga.array(k).size(); ++i) differ += ga.array(k)[i] != gb.array(k)[i];
      CHECK(differ == 0);
    }
    CHECK(ga.last_spike == gb.last_spike);
    CHECK(ga.spike_count == gb.spike_count);
  }
  CHECK(fired > 10 * lanes.groups.size() * 150);  // every group fires, many times
  CHECK(held > 0);                                  // and spends steps refractory
  MESSAGE(fired << " spikes, " << held << " cell-steps refractory");
}

}  // TEST_SUITE("engine")
