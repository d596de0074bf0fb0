// Presynaptic terminals (core/synapses/terminal.hpp): Tsodyks–Markram
// short-term plasticity against the closed-form recursion written here, and
// quantal release against the binomial distribution, the pool's depletion
// and recovery in closed form, paired-pulse ratios from residual Ca²⁺, and
// the mean of the stochastic model against the deterministic one.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/fixed_point.hpp"
#include "support.hpp"

using namespace ranvier;
using namespace ranvier::test;

namespace {

constexpr double dt = 0.1;  // [ms], terminal_net's

// Spike times whose arrival step (1 ms later) ends at a multiple of the
// period [ms]: the samples every `period` show each arrival's weight.
std::vector<double> train(int spikes, double period) {
  std::vector<double> t;
  for (int k = 1; k <= spikes; ++k) t.push_back(k * period - 1.0 - dt);
  return t;
}

// The weights delivered at each spike of the train (rows) by each cell
// (columns) of record r, in units of w.
std::vector<std::vector<double>> per_spike(const outcome& o, std::size_t r, int spikes, double w) {
  const auto& tb = o.traces.at(r);
  const std::size_t ncol = tb.values.size() / tb.steps.size();
  std::vector<std::vector<double>> out;
  for (std::size_t row = 1; row < tb.steps.size() && static_cast<int>(out.size()) < spikes; ++row)
    out.emplace_back(tb.values.begin() + static_cast<std::ptrdiff_t>(row * ncol),
                     tb.values.begin() + static_cast<std::ptrdiff_t>((row + 1) * ncol));
  for (auto& row : out)
    for (auto& x : row) x /= w;
  return out;
}

terminal_desc tsodyks_markram(double u, double tau_rec, double tau_facil) {
  terminal_desc d;
  d.model = terminal_kind::tsodyks_markram;
  d.u = u;
  d.tau_rec = tau_rec;
  d.tau_facil = tau_facil;
  return d;
}

// Quantal release with release probability p at every spike (no residual
// Ca²⁺: it is removed within the step).
terminal_desc quantal_fixed(std::int64_t sites, double p, double tau_rec) {
  terminal_desc d;
  d.model = terminal_kind::quantal;
  d.sites = sites;
  d.tau_rec = tau_rec;
  d.ca_rest = 0.0;
  d.ca_jump = 1e-3;
  d.tau_ca = 1e-3;
  d.curve = release_curve::hill;
  d.hill_n = 1.0;
  d.k_d = 1e-3 * (1.0 - p) / p;  // P = c/(c + K_d) = p at c = 1e-3
  return d;
}

double mean(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}
double variance(const std::vector<double>& v) {
  const double m = mean(v);
  double s = 0.0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size() - 1);
}

}  // namespace

TEST_SUITE("validation") {

TEST_CASE("Tsodyks-Markram: the responses to a regular train follow the recursion, depressing and facilitating") {
  // Markram, Wang & Tsodyks (1998): u_n = U + u_(n-1) (1 - U) e^(-D/tau_facil),
  // x_n = 1 + (x_(n-1) - u_(n-1) x_(n-1) - 1) e^(-D/tau_rec), amplitude w u_n x_n.
  struct setting {
    const char* what;
    double u, tau_rec, tau_facil, period;
  };
  for (const setting s : {setting{"depressing", 0.5, 800.0, 0.0, 50.0}, setting{"facilitating", 0.1, 100.0, 1000.0, 20.0},
                          setting{"depressing with facilitation", 0.3, 400.0, 50.0, 10.0}}) {
    CAPTURE(s.what);
    const int spikes = 12;
    const double w = 0.01;
    const auto o = run(terminal_net(1, train(spikes, s.period), {tsodyks_markram(s.u, s.tau_rec, s.tau_facil)}, w,
                                    s.period, spikes * s.period + 1.0),
                       which::cpu);
    const auto got = per_spike(o, 0, spikes, w);
    REQUIRE(got.size() == static_cast<std::size_t>(spikes));
    double u = s.u, x = 1.0, worst = 0.0, lo = 1e9, hi = 0.0;
    for (int n = 0; n < spikes; ++n) {
      if (n > 0) {
        const double un = s.tau_facil > 0 ? s.u + u * (1 - s.u) * std::exp(-s.period / s.tau_facil) : s.u;
        x = 1 + (x - u * x - 1) * std::exp(-s.period / s.tau_rec);
        u = un;
      }
      const double want = std::round(w * u * x * core::fixed_scale) / core::fixed_scale / w;
      worst = std::max(worst, std::fabs(got[static_cast<std::size_t>(n)][0] - want));
      lo = std::min(lo, want);
      hi = std::max(hi, want);
    }
    CAPTURE(worst);
    CHECK(worst < 2e-10);  // two units of the ring's rounding: 2^-40 uS is 9.1e-11 of a 0.01 uS weight
    CHECK(hi > 1.5 * lo);  // the train changes the responses
  }
}

TEST_CASE("quantal release: the vesicle counts of a spike are Binomial(sites, P) (chi-square)") {
  const std::int64_t n = 3000, sites = 8;
  const double p = 0.3, w = 0.001;
  const auto o = run(terminal_net(n, {5.0 - 1.0 - dt}, {quantal_fixed(sites, p, 100.0)}, w, 5.0, 6.0), which::cpu);
  const auto k = per_spike(o, 0, 1, w).at(0);
  std::vector<double> observed(static_cast<std::size_t>(sites) + 1, 0.0);
  for (double x : k) {
    const auto i = static_cast<std::size_t>(std::lround(x));
    REQUIRE(i <= static_cast<std::size_t>(sites));
    REQUIRE(std::fabs(x - static_cast<double>(i)) < 1e-9);  // whole quanta
    observed[i] += 1.0;
  }
  // Expected counts; bins below 5 expected merged into their neighbour.
  std::vector<double> expected;
  for (std::int64_t i = 0; i <= sites; ++i) {
    double c = 1.0;
    for (std::int64_t j = 0; j < i; ++j) c = c * static_cast<double>(sites - j) / static_cast<double>(j + 1);
    expected.push_back(static_cast<double>(n) * c * std::pow(p, static_cast<double>(i)) * std::pow(1 - p, static_cast<double>(sites - i)));
  }
  double chi2 = 0.0, e_acc = 0.0, o_acc = 0.0;
  int bins = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    e_acc += expected[i];
    o_acc += observed[i];
    if (e_acc >= 5.0 || i + 1 == expected.size()) {
      chi2 += (o_acc - e_acc) * (o_acc - e_acc) / e_acc;
      ++bins;
      e_acc = o_acc = 0.0;
    }
  }
  MESSAGE("chi-square " << chi2 << " over " << bins << " bins; mean " << mean(k) << " (binomial " << sites * p << ")");
  // 99.9 % quantile of chi-square with bins - 1 degrees of freedom (7 bins: 22.46, 8: 24.32, 9: 26.12).
  const double limit = bins <= 7 ? 22.46 : bins == 8 ? 24.32 : 26.12;
  CHECK(bins >= 7);
  CHECK(chi2 < limit);
}

TEST_CASE("quantal release: the pool depletes and recovers as the closed form says, and its mean is Tsodyks-Markram's depression") {
  // A train at 50 Hz with a fixed P: E[k_n] = P E[N_n], E[N_(n+1)] = N - (N -
  // (1 - P) E[N_n]) e^(-D/tau_rec); the mean fraction released, E[k_n]/N, is
  // Tsodyks-Markram's u x with U = P and the same tau_rec (run beside it).
  const std::int64_t n = 3000, sites = 10;
  const int spikes = 10;
  const double p = 0.4, tau_rec = 150.0, period = 20.0, w = 0.001;
  const auto o = run(terminal_net(n, train(spikes, period), {quantal_fixed(sites, p, tau_rec), tsodyks_markram(p, tau_rec, 0.0)},
                                  w, period, spikes * period + 1.0),
                     which::cpu);
  const auto q = per_spike(o, 0, spikes, w), tm = per_spike(o, 1, spikes, w);
  REQUIRE(q.size() == static_cast<std::size_t>(spikes));
  double ready = static_cast<double>(sites), worst_sigma = 0.0, first = 0.0, last = 0.0;
  for (int s = 0; s < spikes; ++s) {
    const double want = p * ready;
    const double m = mean(q[static_cast<std::size_t>(s)]);
    const double se = std::sqrt(variance(q[static_cast<std::size_t>(s)]) / static_cast<double>(n));
    worst_sigma = std::max(worst_sigma, std::fabs(m - want) / se);
    CAPTURE(s);
    CHECK(std::fabs(m - want) < 4.5 * se);
    // Tsodyks-Markram's deterministic response, per site, is the same mean.
    // (to the ring's rounding: 2^-40 uS is 9.1e-10 of w, times the sites)
    CHECK(std::fabs(tm[static_cast<std::size_t>(s)][0] * static_cast<double>(sites) - want) < 2e-8);
    ready = static_cast<double>(sites) - (static_cast<double>(sites) - (ready - want)) * std::exp(-period / tau_rec);
    if (s == 0) first = m;
    last = m;
  }
  MESSAGE("largest deviation from the closed form " << worst_sigma << " standard errors; mean release "
                                                    << first << " -> " << last << " vesicles");
  CHECK(last < 0.6 * first);  // it depresses
}

TEST_CASE("terminal records: u, x, [Ca2+]_pre, ready and released vesicles of chosen connections, as the run left them") {
  const std::int64_t n = 3;
  network net = terminal_net(n, {10.0, 13.0, 30.0}, {tsodyks_markram(0.3, 200.0, 100.0), quantal_fixed(6, 0.5, 50.0)},
                             0.001, 0.0, 40.0);
  net.projections[1].terminal.tau_ca = 5.0;  // [Ca2+]_pre relaxes visibly between samples
  const std::vector<std::pair<std::string, std::string>> recs = {
      {"t0", "u"}, {"t0", "x"}, {"t1", "ca_pre"}, {"t1", "ready"}, {"t1", "released"}};
  for (const auto& [proj, var] : recs) {
    record_desc r;
    r.projection = proj;
    r.variable = var;
    r.connections = {{0, 0}, {2, 2}};
    r.interval = 0.5;
    net.records.push_back(r);
  }
  const auto o = run(net, which::cpu);
  const std::size_t first = o.traces.size() - recs.size();
  const auto state = [&](const std::string& name) {
    for (const auto& a : o.state)
      if (a.name == name) return a.values;
    FAIL("no state " << name);
    return std::vector<double>{};
  };
  for (std::size_t k = 0; k < recs.size(); ++k) {
    const auto& tb = o.traces[first + k];
    CAPTURE(recs[k].second);
    REQUIRE(tb.steps.size() == 81);  // 0, 0.5, ..., 40 ms
    const auto exported = state(recs[k].first + "." + recs[k].second);
    const std::size_t last = (tb.steps.size() - 1) * 2;
    for (std::size_t col = 0; col < 2; ++col) {
      const std::size_t c = col * 2;  // connections 0 and 2 (one to one)
      if (recs[k].second != "ca_pre") {
        CHECK(tb.values[last + col] == exported[c]);
        continue;
      }
      // The sample relaxes towards rest (0 here) since the last influx, at 31 ms.
      const double want = exported[c] * std::exp(-(40.0 - 31.0) / 5.0);
      CHECK(std::fabs(tb.values[last + col] - want) < 1e-12 * exported[c]);
      CHECK(tb.values[last + col] < 0.5 * exported[c]);
    }
  }
}

TEST_CASE("quantal release: residual Ca2+ facilitates a second release, a depleted pool depresses it (paired-pulse ratios)") {
  // Two spikes 10 ms apart. Facilitation: P from a Hill curve (n = 4) of
  // [Ca] after the influx; the second spike finds e^(-10/20) of the first's
  // Ca2+ still there. Depression: P close to 1 empties the pool, which
  // refills little in 10 ms.
  const std::int64_t n = 3000, sites = 10;
  const double w = 0.001, gap = 10.0, tau_rec = 500.0;
  terminal_desc fac = quantal_fixed(sites, 0.5, tau_rec);
  fac.tau_ca = 20.0;  // the Ca2+ of the first spike stays
  fac.hill_n = 4.0;
  fac.k_d = 2e-3;
  terminal_desc dep = fac;
  dep.k_d = 2e-4;
  const auto o = run(terminal_net(n, {gap - 1.0 - dt, 2 * gap - 1.0 - dt}, {fac, dep}, w, gap, 2 * gap + 1.0), which::cpu);
  for (std::size_t r = 0; r < 2; ++r) {
    const terminal_desc& d = r == 0 ? fac : dep;
    const auto k = per_spike(o, r, 2, w);
    const auto P = [&](double ca) { return 1.0 / (1.0 + std::pow(d.k_d / ca, d.hill_n)); };
    const double p1 = P(d.ca_jump), p2 = P(d.ca_jump * std::exp(-gap / d.tau_ca) + d.ca_jump);
    const double n1 = static_cast<double>(sites);
    const double n2 = n1 - (n1 - (1 - p1) * n1) * std::exp(-gap / tau_rec);  // E[ready] at the second spike
    const double want = p2 * n2 / (p1 * n1);
    const double m1 = mean(k[0]), m2 = mean(k[1]);
    const double ppr = m2 / m1;
    // Its standard error, to first order.
    const double se = ppr * std::sqrt(variance(k[0]) / (m1 * m1) + variance(k[1]) / (m2 * m2)) / std::sqrt(static_cast<double>(n));
    MESSAGE(std::string(r == 0 ? "facilitating" : "depressing") << ": P " << p1 << " then " << p2 << "; paired-pulse ratio " << ppr
                                                     << " (closed form " << want << ", standard error " << se << ")");
    CHECK(std::fabs(ppr - want) < 4.5 * se);
    if (r == 0) CHECK(ppr > 2.0);
    else CHECK(ppr < 0.5);
  }
}

}  // TEST_SUITE

TEST_SUITE("model_file") {

// A release's transmitter in a cleft of defaults (V_max 1 mM/ms, K_m 0.5 mM,
// k_deg 0.5/ms), stepped here by classical RK4 at h = 1e-4 ms (1000 steps a
// step of the engine's): [NT] and the kinetic receptors' r (α, β) from
// [NT]0 and r = 0, at times `at` [ms] after the release.
struct cleft_reference {
  std::vector<double> nt, r;
};
cleft_reference cleft_solution(const cleft_desc& d, double nt0, const std::vector<double>& at) {
  cleft_reference out;
  const double h = 1e-4;
  double nt = nt0, r = 0.0, t = 0.0;
  const auto rates = [&](double n, double x, double& dn, double& dx) {
    dn = -d.vmax * n / (d.km + n) - d.k_deg * n;
    dx = d.alpha * n * (1.0 - x) - d.beta * x;
  };
  for (double target : at) {
    while (t < target - h / 2) {
      double a1, b1, a2, b2, a3, b3, a4, b4;
      rates(nt, r, a1, b1);
      rates(nt + h / 2 * a1, r + h / 2 * b1, a2, b2);
      rates(nt + h / 2 * a2, r + h / 2 * b2, a3, b3);
      rates(nt + h * a3, r + h * b3, a4, b4);
      nt += h / 6 * (a1 + 2 * a2 + 2 * a3 + a4);
      r += h / 6 * (b1 + 2 * b2 + 2 * b3 + b4);
      t += h;
    }
    out.nt.push_back(nt);
    out.r.push_back(r);
  }
  return out;
}

TEST_CASE("cleft: [NT] after a release decays as the Michaelis-Menten ODE, and each receptor opens as its model says") {
  // One spike at 5 ms (arriving at 6 ms) onto one cell through four
  // projections with clefts: ionotropic, metabotropic and kinetic
  // receptors (one quantum of 1 mM), and an ionotropic one behind a
  // Tsodyks-Markram terminal (u·x = 0.3 of a quantum at the first spike).
  network net;
  net.sim.dt = dt;
  net.sim.duration = 40.0;
  add_model_population(net, "post", "lif", {{"v_th", 100.0}},
                       {receptor_desc::of("iono", "cleft"), receptor_desc::of("metab", "cleft"),
                        receptor_desc::of("kin", "cleft"), receptor_desc::of("tm", "cleft")},
                       "post", 1);
  population_desc pre;
  pre.name = "pre";
  pre.kind = population_kind::spike_times;
  pre.size = 1;
  pre.times = {5.0};
  net.populations.push_back(pre);
  const double w = 0.002;  // g_max [uS]
  const auto add = [&](const char* receptor, cleft_kind model) -> projection_desc& {
    projection_desc p = projection("pre", "post", receptor);
    p.name = receptor;
    p.weight = distribution::constant(w);
    p.delay = distribution::constant(1.0);
    p.cleft.model = model;
    net.projections.push_back(p);
    return net.projections.back();
  };
  add("iono", cleft_kind::ionotropic);
  add("metab", cleft_kind::metabotropic).cleft.nt_half = 0.3;
  add("kin", cleft_kind::kinetic);
  auto& tm = add("tm", cleft_kind::ionotropic);
  tm.terminal.model = terminal_kind::tsodyks_markram;
  tm.terminal.u = 0.3;
  for (const char* p : {"iono", "metab", "kin", "tm"}) {
    record_desc r;
    r.projection = p;
    r.variable = "nt";
    r.connections = {{0, 0}};
    net.records.push_back(r);
    r.variable = "open";
    net.records.push_back(r);
    add_record(net, "post", std::string(p) + ".g", {0}, 0.0);
  }
  check(net);
  const auto o = run(net, which::cpu);
  REQUIRE(o.traces.size() == 12);
  const double t_release = 6.0;
  std::vector<double> at;  // sample times after the release
  for (std::int64_t s : o.traces[0].steps) at.push_back(static_cast<double>(s) * dt - t_release);
  const cleft_desc defaults;
  double worst_nt = 0.0, worst_open = 0.0, worst_g = 0.0;
  for (int k = 0; k < 4; ++k) {
    const cleft_desc& d = net.projections[static_cast<std::size_t>(k)].cleft;
    const double nt0 = k == 3 ? 0.3 : 1.0;
    std::vector<double> after;
    for (double t : at) after.push_back(std::max(t, 0.0));
    const auto ref = cleft_solution(d, nt0, after);
    const auto& nt = o.traces[static_cast<std::size_t>(3 * k)].values;
    const auto& open = o.traces[static_cast<std::size_t>(3 * k + 1)].values;
    const auto& g = o.traces[static_cast<std::size_t>(3 * k + 2)].values;
    REQUIRE(nt.size() == at.size());
    for (std::size_t i = 0; i < at.size(); ++i) {
      CAPTURE(k);
      CAPTURE(at[i]);
      // A sample at time t is the state after the step ending at t; the
      // release happens at the start of the step that starts at t_release.
      if (at[i] < 0.5 * dt) {  // before the release: an empty cleft, a closed receptor
        CHECK(nt[i] == 0.0);
        CHECK(g[i] == 0.0);
        continue;
      }
      const auto open_at = [&](double n, double r) {
        if (d.model == cleft_kind::ionotropic) return n / (d.kd + n);
        if (d.model == cleft_kind::kinetic) return r;
        const double s0 = 1.0 / (1.0 + std::exp(d.nt_half / d.slope));
        return (1.0 / (1.0 + std::exp(-(n - d.nt_half) / d.slope)) - s0) / (1.0 - s0);
      };
      const double want_open = open_at(ref.nt[i], ref.r[i]);
      worst_nt = std::max(worst_nt, std::fabs(nt[i] - ref.nt[i]) / nt0);
      worst_open = std::max(worst_open, std::fabs(open[i] - want_open));
      CHECK(std::fabs(nt[i] - ref.nt[i]) <= 1e-6 * nt0);
      CHECK(std::fabs(open[i] - want_open) <= 1e-6);
      // The receptor holds over each step the conductance of the step's
      // start: the sample after a step is w times the open fraction before it.
      // (The step of the release starts with [NT]0 and r = 0, which no sample shows.)
      const double before = at[i - 1] < 0.5 * dt ? open_at(nt0, 0.0) : open[i - 1];
      worst_g = std::max(worst_g, std::fabs(g[i] - w * before));
      CHECK(std::fabs(g[i] - w * before) <= 4.0 * core::fixed_unit + 1e-6 * w * (at[i - 1] < 0.5 * dt ? 1.0 : 0.0));
    }
  }
  MESSAGE("largest |[NT] - RK4 at 1e-4 ms| / [NT]0 " << worst_nt << ", open fraction " << worst_open
                                                     << ", conductance against w·open " << worst_g << " uS");
  CHECK(defaults.vmax == 1.0);
}

// The Ca2+ influx of one action potential through HH-type channels, by
// exponential Euler on m (the voltage at each step's middle) and the
// trapezoidal rule on the current, in steps of 1e-4 ms from 5 ms before
// the peak to 15 ms after — independent of core::hh_calcium_influx's RK4
// and Simpson in steps of σ/200.
double influx_reference(const core::hh_calcium_channel& c) {
  const double sigma = c.ap_width / (2.0 * std::sqrt(2.0 * std::log(2.0)));
  const auto v_at = [&](double t) { return c.v_rest + (c.v_peak - c.v_rest) * std::exp(-t * t / (2 * sigma * sigma)); };
  const auto m_inf = [&](double v) { return 1.0 / (1.0 + std::exp(-(v - c.v_half) / c.k)); };
  const auto current = [&](double v, double m) { return c.g_ca * std::pow(m, c.p) * (v - c.e_ca); };
  const double h = 1e-4, rest = current(c.v_rest, m_inf(c.v_rest));
  double m = m_inf(c.v_rest), q = 0.0, i0 = 0.0;
  for (double t = -5.0; t < 15.0; t += h) {
    const double m1 = m_inf(v_at(t + h / 2)) + (m - m_inf(v_at(t + h / 2))) * std::exp(-h / c.tau_m);
    const double i1 = current(v_at(t + h), m1) - rest;
    q += h * (i0 + i1) / 2;
    m = m1;
    i0 = i1;
  }
  return -c.beta * q;
}

TEST_CASE("presynaptic Ca2+ through HH-type channels: a spike's influx is their charge through the action potential") {
  core::hh_calcium_channel c;  // the defaults
  const double jump = core::hh_calcium_influx(c), want = influx_reference(c);
  CAPTURE(jump);
  CAPTURE(want);
  CHECK(std::fabs(jump - want) <= 1e-6 * want);
  CHECK(want > 1e-4);  // a sizeable influx at the defaults
  // A wider action potential keeps the channels open longer: more Ca2+ (the
  // effect of spike broadening, e.g. by K+ channel block); a lower peak less.
  core::hh_calcium_channel wide = c, low = c;
  wide.ap_width = 1.0;
  low.v_peak = 0.0;
  const double j_wide = core::hh_calcium_influx(wide), j_low = core::hh_calcium_influx(low);
  CHECK(std::fabs(j_wide - influx_reference(wide)) <= 1e-6 * j_wide);
  CHECK(std::fabs(j_low - influx_reference(low)) <= 1e-6 * j_low);
  CHECK(j_wide > 1.5 * jump);
  CHECK(j_low < jump);
  MESSAGE("influx at half-width 0.5 ms " << jump << " mM (reference " << want << "), 1 ms " << j_wide
                                         << " mM, peak 0 mV " << j_low << " mM");
  // The model file's influx = "hh" packs that influx as the terminal's jump.
  const std::string base = one_projection_model() + "[projection.terminal]\nmodel = \"quantal\"\ninflux = \"hh\"\n";
  const network net = parse_model(base + "ap_width = 1.0\n", "hh.toml");
  check(net);
  const auto img = std::get<image<double>>(pack(net, 1));
  CHECK(img.plastic.at(0).terminal.ca_jump == j_wide);
  const auto err = [&](const std::string& extra) {
    return error_of([&] { check(parse_model(base + extra, "bad.toml")); });
  };
  CHECK(contains(err("ca_jump = 1e-3\n"), "'ca_jump' applies only when influx = \"fixed\""));
  CHECK(contains(err("v_peak = -80\n"), "v_peak = -80.0 mV is not above v_rest = -70.0 mV"));
  CHECK(contains(err("tau_m = 0\n"), "a time constant > 0 [ms]"));
  CHECK(contains(err("beta = -1\n"), "beta = -1.0 mM/(nA*ms) is not a finite number >= 0"));
  CHECK(contains(error_of([&] {
                   check(parse_model(one_projection_model() + "[projection.terminal]\nmodel = \"quantal\"\ng_ca = 0.1\n", "b.toml"));
                 }),
                 "'g_ca' applies only when influx = \"hh\""));
}

TEST_CASE("[projection.terminal]: values read with their defaults; bad ones reported with what would be valid") {
  const std::string base = one_projection_model() + "[projection.terminal]\n";
  const auto err = [&](const std::string& extra) {
    return error_of([&] { check(parse_model(base + extra, "bad.toml")); });
  };
  const network tm = parse_model(base + "model = \"tsodyks_markram\"\nu = 0.2\ntau_facil = 500\n", "tm.toml");
  CHECK(tm.projections[0].terminal.model == terminal_kind::tsodyks_markram);
  CHECK(tm.projections[0].terminal.u == 0.2);
  CHECK(tm.projections[0].terminal.tau_facil == 500.0);
  CHECK(tm.projections[0].terminal.tau_rec == 800.0);  // the default
  CHECK(tm.projections[0].is_dynamic());
  const network q = parse_model(base + "model = \"quantal\"\nsites = 6\nprobability = \"sigmoid\"\nslope = 1e-4\n", "q.toml");
  CHECK(q.projections[0].terminal.model == terminal_kind::quantal);
  CHECK(q.projections[0].terminal.sites == 6);
  CHECK(q.projections[0].terminal.curve == release_curve::sigmoid);
  CHECK(q.projections[0].terminal.slope == 1e-4);
  CHECK(err("model = \"quantal\"\nsites = 6\n") == "");
  CHECK(contains(err("u = 0.5\n"), "required key 'model' is missing"));
  CHECK(contains(err("model = \"markram\"\n"), "\"tsodyks_markram\", \"quantal\""));
  CHECK(contains(err("model = \"tsodyks_markram\"\nu = 0\n"), "u = 0.0 is not in (0, 1]"));
  CHECK(contains(err("model = \"tsodyks_markram\"\ntau_rec = -1\n"), "a time constant > 0 [ms]"));
  CHECK(contains(err("model = \"tsodyks_markram\"\nsites = 3\n"), "'sites' applies only when model = \"quantal\""));
  CHECK(contains(err("model = \"quantal\"\nu = 0.3\n"), "'u' applies only when model = \"tsodyks_markram\""));
  CHECK(contains(err("model = \"quantal\"\nsites = 0\n"), "sites = 0 is not in [1, 4096]"));
  CHECK(contains(err("model = \"quantal\"\nk_d = 0\n"), "a concentration > 0 [mM]"));
  CHECK(contains(err("model = \"quantal\"\nprobability = \"linear\"\n"), "\"hill\", \"sigmoid\", \"threshold\""));
  CHECK(contains(err("model = \"quantal\"\nca_jump = -1\n"), "ca_jump = -1.0 mM is not a concentration >= 0"));
  CHECK(contains(err("model = \"quantal\"\nsite = 3\n"), "unknown key 'site'"));
  // Records of the terminals: their model's variables, of chosen connections.
  const std::string rec = "[[record]]\nprojection = \"ff\"\n";
  CHECK(err("model = \"quantal\"\n" + rec + "variable = \"released\"\nconnections = [[0, 1]]\n") == "");
  CHECK(err("model = \"tsodyks_markram\"\n" + rec + "variable = \"x\"\nconnections = [[0, 1]]\n") == "");
  CHECK(contains(err("model = \"tsodyks_markram\"\n" + rec + "variable = \"ready\"\nconnections = [[0, 1]]\n"),
                 "'ready' is not recorded from projection 'ff'; valid: \"weight\", \"weight_histogram\", \"weights\", \"u\", \"x\""));
  CHECK(contains(err("model = \"quantal\"\n" + rec + "variable = \"ca_pre\"\n"), "no connections to record"));
  CHECK(contains(err("model = \"quantal\"\n" + rec + "variable = \"weights\"\n"), "projection 'ff' is not plastic"));
}

TEST_CASE("[projection.cleft]: values read with their defaults; bad ones reported with what would be valid") {
  // one_projection_model's receptor 'exc' is an expsyn; a cleft needs one of kind "cleft".
  std::string model = one_projection_model();
  const auto cleft_receptor = [](std::string m) {
    const std::string from = "[[cell.c.receptor]]\nname = \"exc\"\n";
    return m.replace(m.find(from), from.size(), from + "kind = \"cleft\"\n");
  };
  const auto err = [&](const std::string& extra, bool cleft_kind_receptor = true) {
    const std::string m = cleft_kind_receptor ? cleft_receptor(model) : model;
    return error_of([&] { check(parse_model(m + "[projection.cleft]\n" + extra, "bad.toml")); });
  };
  const network k = parse_model(cleft_receptor(model) + "[projection.cleft]\nmodel = \"kinetic\"\nalpha = 2\n", "k.toml");
  CHECK(k.projections[0].cleft.model == cleft_kind::kinetic);
  CHECK(k.projections[0].cleft.alpha == 2.0);
  CHECK(k.projections[0].cleft.beta == 0.19);  // the default
  CHECK(k.projections[0].is_dynamic());
  CHECK(err("model = \"ionotropic\"\nkd = 0.3\nvmax = 2\nkm = 0.2\nk_deg = 0\nquantum = 0.5\n") == "");
  CHECK(err("model = \"metabotropic\"\nnt_half = 0.2\nslope = 0.05\n") == "");
  CHECK(contains(err("model = \"ionotropic\"\n", false),
                 "receptor 'exc' is of kind \"expsyn\"; the connections of a projection with a cleft reach their cell "
                 "through a receptor of kind \"cleft\""));
  CHECK(contains(error_of([&] { check(parse_model(cleft_receptor(model), "bad.toml")); }),
                 "receptor 'exc' is of kind \"cleft\", which only projections with a synaptic cleft feed"));
  CHECK(contains(err("kd = 1\n"), "required key 'model' is missing"));
  CHECK(contains(err("model = \"nicotinic\"\n"), "\"ionotropic\", \"metabotropic\", \"kinetic\""));
  CHECK(contains(err("model = \"ionotropic\"\nkm = 0\n"), "a concentration > 0 [mM]"));
  CHECK(contains(err("model = \"ionotropic\"\nvmax = -1\n"), "vmax = -1.0 mM/ms is not a finite rate >= 0"));
  CHECK(contains(err("model = \"kinetic\"\nbeta = 0\n"), "an unbinding rate > 0 [1/ms]"));
  CHECK(contains(err("model = \"ionotropic\"\nalpha = 1\n"), "'alpha' applies only when model = \"kinetic\""));
  CHECK(contains(err("model = \"kinetic\"\nkd = 1\n"), "'kd' applies only when model = \"ionotropic\""));
  CHECK(contains(err("model = \"ionotropic\"\n[projection.plasticity]\nrule = \"calcium\"\nw_max = 0.01\n"),
                 "a cleft with rule = \"calcium\" is not supported"));
  const std::string rec = "[[record]]\nprojection = \"ff\"\n";
  CHECK(err("model = \"kinetic\"\n" + rec + "variable = \"nt\"\nconnections = [[0, 1]]\n") == "");
  CHECK(err("model = \"kinetic\"\n" + rec + "variable = \"open\"\nconnections = [[0, 1]]\n") == "");
  CHECK(contains(err("model = \"kinetic\"\n" + rec + "variable = \"ca_pre\"\nconnections = [[0, 1]]\n"),
                 "valid: \"weight\", \"weight_histogram\", \"weights\", \"nt\", \"open\""));
}

}  // TEST_SUITE

TEST_SUITE("engine") {

TEST_CASE("the examples of terminals and homeostasis check and run: depression, facilitation, failures and releases") {
  {
    const auto o = run(example("stp.toml"), which::cpu);
    // The terminals at the end: the depressing one's resources used up more
    // than the facilitating one's, whose u has grown above its U = 0.1.
    double x_dep = -1, u_fac = -1;
    for (const auto& a : o.state) {
      if (a.name == "depressing.x") x_dep = a.values.at(0);
      if (a.name == "facilitating.u") u_fac = a.values.at(0);
    }
    CHECK(x_dep > 0.0);
    CHECK(x_dep < 0.9);
    CHECK(u_fac > 0.15);
  }
  {
    const auto o = run(example("stochastic_synapse.toml"), which::cpu);
    double failures = 0, releases = 0;
    for (const auto& a : o.state)
      if (a.name == "synapse.released")
        for (double k : a.values) (k == 0 ? failures : releases) += 1;
    CHECK(failures + releases == 20);
    CHECK(releases > 0);
    // The clefts were filled and cleared: the largest [NT] sampled is some
    // vesicles' quanta, and the cleft is empty again 100 ms after the last spike.
    std::size_t nt_record = 0;
    for (std::size_t r = 0; r < o.traces.size(); ++r)
      if (example("stochastic_synapse.toml").records[r].variable == "nt") nt_record = r;
    const auto& nt = o.traces.at(nt_record).values;
    const double peak = *std::max_element(nt.begin(), nt.end());
    CHECK(peak >= 1.0);   // at least one quantum (1 mM)
    CHECK(peak <= 10.0);  // at most the ten sites' (and what is left of earlier releases, long cleared)
    CHECK(nt.back() == 0.0);
  }
  {
    network net = example("homeostasis.toml");
    net.sim.duration = 1000.0;
    const auto o = run(net, which::cpu);
    CHECK(o.spikes.size() > 1000);
  }
}

}  // TEST_SUITE
