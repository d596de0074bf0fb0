// Plasticity (core/plasticity/): the STDP window from isolated pairs at
// Δt from −100 to +100 ms against the seed's formula, with and without
// axonal and dendritic delays, for both pairings and both updates; random
// spike trains against an independent implementation written here; and the
// model-file side (parameters, errors).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <filesystem>

#include <fmt/format.h>

#include "support.hpp"

using namespace ranvier;
using namespace ranvier::test;

namespace {

// A named state array of an outcome.
const std::vector<double>& state_of(const outcome& o, const std::string& name) {
  for (const auto& a : o.state)
    if (a.name == name) return a.values;
  FAIL("no state array " << name);
  static const std::vector<double> none;
  return none;
}

// n postsynaptic LIF cells, each with its own presynaptic source (one to
// one, plastic, onto a current receptor with weights far too small to make
// it fire) and its own driver (one to one, a large current that makes it
// fire once at each driver spike's arrival). pre[i] and drive[i] are cell
// i's spike times [ms].
network pairing_network(const std::vector<std::vector<double>>& pre, const std::vector<std::vector<double>>& drive,
                        double tstop, const plasticity_desc& rule, double w0, double axonal_delay) {
  network net;
  net.sim.dt = 0.1;
  net.sim.duration = tstop;
  add_model_population(net, "post", "lif", {{"tau_m", 5.0}, {"t_ref", 5.0}},  // the driver's current has decayed when it ends
                       {receptor_desc::exp_current("plastic", 2.0), receptor_desc::exp_current("drive", 0.5)}, "post",
                       static_cast<std::int64_t>(pre.size()));
  const auto source = [&](const std::string& name, const std::vector<std::vector<double>>& times) {
    population_desc s;
    s.name = name;
    s.kind = population_kind::spike_times;
    s.size = static_cast<std::int64_t>(times.size());
    for (std::size_t i = 0; i < times.size(); ++i)
      for (double t : times[i]) s.spikes.push_back({t, static_cast<std::int64_t>(i), 0});
    net.populations.push_back(s);
  };
  source("pre", pre);
  source("driver", drive);
  projection_desc pl = projection("pre", "post", "plastic");
  pl.name = "stdp";
  pl.rule = connect_rule::one_to_one;
  pl.weight = distribution::constant(w0);
  pl.delay = distribution::constant(axonal_delay);
  pl.plasticity = rule;
  net.projections.push_back(pl);
  projection_desc d = projection("driver", "post", "drive");
  d.rule = connect_rule::one_to_one;
  d.weight = distribution::constant(50.0);  // 50 nA for 0.5 ms: far above threshold within one step
  d.delay = distribution::constant(0.1);
  net.projections.push_back(d);
  add_record(net, "post", "spikes");
  add_record(net, "pre", "spikes");
  return net;
}

plasticity_desc stdp(stdp_pairing pairing, stdp_update update, double post_delay = 0.0) {
  plasticity_desc d;
  d.rule = plasticity_rule::stdp;
  d.pairing = pairing;
  d.update = update;
  d.a_plus = 1e-4;
  d.a_minus = 1.05e-4;
  d.tau_plus = 16.8;
  d.tau_minus = 33.7;
  d.w_min = 0.0;
  d.w_max = 2e-3;
  d.post_delay = post_delay;
  return d;
}

// The spike times of each cell of a population, from an outcome [ms].
std::vector<std::vector<double>> times_by_cell(const outcome& o, const std::string& population, std::size_t n) {
  std::vector<std::vector<double>> t(n);
  for (const auto& p : o.populations) {
    if (p.name != population) continue;
    for (const auto& s : o.spikes)
      if (s.gid >= p.gid_base && s.gid < p.gid_base + n) t[s.gid - p.gid_base].push_back(static_cast<double>(s.step) * o.dt);
  }
  return t;
}

// Runs net on the CPU engine with 1, 2 and 3 threads (it must have cells for
// three), checks that the runs are bit-identical, and returns the first.
outcome same_on_1_2_3_threads(const network& net) {
  const auto one = run(net, which::cpu, 1);
  for (int t : {2, 3}) {
    const auto o = run(net, which::cpu, t);
    CHECK(contains(o.engine, fmt::format("{} threads", t)));
    check_identical(one, o);
  }
  return one;
}

// Adds a record of a projection's weights ("weight": the given connections;
// "weight_histogram": the given bins) every `interval` ms; returns it.
record_desc& add_weight_record(network& net, const std::string& projection, const std::string& variable,
                               double interval, std::vector<std::pair<std::int64_t, std::int64_t>> connections = {},
                               std::int64_t bins = 20) {
  record_desc r;
  r.projection = projection;
  r.variable = variable;
  r.connections = std::move(connections);
  r.bins = bins;
  r.interval = interval;
  net.records.push_back(r);
  return net.records.back();
}

}  // namespace

TEST_SUITE("validation") {

TEST_CASE("STDP window: isolated pairs from -100 to +100 ms change the weight by the seed's formula") {
  struct setting {
    const char* what;
    stdp_pairing pairing;
    stdp_update update;
    double axonal, dendritic;  // [ms]
  };
  const setting settings[] = {
      {"all-to-all, no delays", stdp_pairing::all_to_all, stdp_update::additive, 0.1, 0.0},
      {"nearest, no delays", stdp_pairing::nearest, stdp_update::additive, 0.1, 0.0},
      {"all-to-all, axonal 3.7 ms and dendritic 1.2 ms", stdp_pairing::all_to_all, stdp_update::additive, 3.7, 1.2},
      {"nearest, axonal 3.7 ms and dendritic 1.2 ms", stdp_pairing::nearest, stdp_update::additive, 3.7, 1.2},
      {"multiplicative, axonal 2 ms", stdp_pairing::all_to_all, stdp_update::multiplicative, 2.0, 0.0},
  };
  const double w0 = 1e-3;
  for (const auto& s : settings) {
    const std::string what = s.what;
    CAPTURE(what);
    // Pair i: the driver makes the cell fire near 150 ms; the presynaptic
    // spike comes Δt_i earlier (or later), Δt_i = −100 ... +100 ms.
    std::vector<std::vector<double>> pre, drive;
    for (int i = 0; i <= 200; ++i) {
      const double lag = (i - 100) * 1.0;  // t_post − t_pre at the synapse [ms] (one pair at exactly 0)
      drive.push_back({150.0});
      pre.push_back({150.2 + s.dendritic - lag - s.axonal});  // the cell fires at 150.2: driver delay + one step
    }
    const auto rule = stdp(s.pairing, s.update, s.dendritic);
    const auto o = run(pairing_network(pre, drive, 300.0, rule, w0, s.axonal), which::cpu);
    const auto post_t = times_by_cell(o, "post", pre.size());
    const auto pre_t = times_by_cell(o, "pre", pre.size());
    const auto& w = state_of(o, "stdp.weight");
    REQUIRE(w.size() == pre.size());
    std::size_t checked = 0;
    double worst = 0.0;
    for (std::size_t i = 0; i < pre.size(); ++i) {
      CAPTURE(i);
      REQUIRE(post_t[i].size() == 1);  // one pair: the plastic input never makes the cell fire
      REQUIRE(pre_t[i].size() == 1);
      const double dt_syn = (post_t[i][0] + s.dendritic) - (pre_t[i][0] + s.axonal);
      double want = dt_syn > -1e-9 ? rule.a_plus * std::exp(-dt_syn / rule.tau_plus)
                                  : -rule.a_minus * std::exp(dt_syn / rule.tau_minus);
      if (s.update == stdp_update::multiplicative)  // the first event of the pair scales by the weight it finds
        want *= dt_syn > -1e-9 ? (rule.w_max - w0) / rule.w_max : w0 / rule.w_max;
      const double got = w[i] - w0;
      CAPTURE(dt_syn);
      CAPTURE(got);
      CAPTURE(want);
      const double rel = std::fabs(got - want) / std::fabs(want);
      worst = std::max(worst, rel);
      CHECK(rel < 1e-6);
      ++checked;
    }
    CHECK(checked == 201);
    MESSAGE(what << ": largest relative error of the 201 pairs " << worst);
  }
}

TEST_CASE("STDP on random spike trains with drawn delays matches an independent pair-sum implementation") {
  // 60 cells, 40 presynaptic spikes and up to 40 postsynaptic ones each, on
  // the 0.1 ms grid (coincidences at the synapse happen). Small changes and
  // wide bounds: no clipping, so the weight change is the sum over pairs.
  std::mt19937_64 gen(20261128);
  std::uniform_int_distribution<int> when(20, 4980);  // [steps of 0.1 ms]
  std::vector<std::vector<double>> pre(60), drive(60);
  for (std::size_t i = 0; i < pre.size(); ++i)
    for (int k = 0; k < 40; ++k) {
      pre[i].push_back(when(gen) * 0.1);
      drive[i].push_back(when(gen) * 0.1);
    }
  for (const auto pairing : {stdp_pairing::all_to_all, stdp_pairing::nearest}) {
    const bool nearest = pairing == stdp_pairing::nearest;
    CAPTURE(nearest);
    auto rule = stdp(pairing, stdp_update::additive, 0.7);
    rule.w_min = -1.0;  // a current receptor: no clipping within the run
    rule.w_max = 1.0;
    network net = pairing_network(pre, drive, 520.0, rule, 1e-5, 0.0);
    net.projections[0].delay = distribution::uniform(0.1, 6.0);
    check(net);
    const auto img = std::get<image<double>>(pack(net, 1));
    REQUIRE(img.plastic.size() == 1);
    const auto& P = img.plastic[0];
    const auto o = run(net, which::cpu);
    const auto post_t = times_by_cell(o, "post", pre.size());
    const auto pre_t = times_by_cell(o, "pre", pre.size());
    const auto& w = state_of(o, "stdp.weight");
    std::set<double> delays;
    double worst = 0.0;
    std::size_t pairs = 0, coincident = 0;
    for (std::size_t c = 0; c < P.pre.size(); ++c) {
      const std::uint32_t i = P.pre[c];
      REQUIRE(P.post[c] == i);
      const double axonal = P.delay[c] * 0.1;
      delays.insert(axonal);
      std::vector<double> a, b;  // arrivals and postsynaptic events at the synapse, before the end
      for (double t : pre_t[i])
        if (t + axonal < 520.0 - 1e-9) a.push_back(t + axonal);
      for (double t : post_t[i])
        if (t + 0.7 < 520.0 - 1e-9) b.push_back(t + 0.7);
      double want = 0.0;
      if (!nearest) {
        for (double ta : a)
          for (double tb : b) {
            const double d = tb - ta;  // pre before or with post: potentiation
            want += d > -1e-9 ? rule.a_plus * std::exp(-d / rule.tau_plus) : -rule.a_minus * std::exp(d / rule.tau_minus);
            ++pairs;
            coincident += std::fabs(d) < 1e-9;
          }
      } else {
        // Each postsynaptic event with the latest arrival at or before it;
        // each arrival with the latest postsynaptic event strictly before it.
        for (double tb : b) {
          double last = -1e300;
          for (double ta : a)
            if (ta <= tb + 1e-9) last = std::max(last, ta);
          if (last > -1e300) want += rule.a_plus * std::exp(-(tb - last) / rule.tau_plus), ++pairs;
        }
        for (double ta : a) {
          double last = -1e300;
          for (double tb : b)
            if (tb < ta - 1e-9) last = std::max(last, tb);
          if (last > -1e300) want -= rule.a_minus * std::exp(-(ta - last) / rule.tau_minus), ++pairs;
        }
      }
      const double got = w[c] - 1e-5;
      const double err = std::fabs(got - want);
      worst = std::max(worst, err);
      CAPTURE(c);
      CHECK(err < 1e-12 + 1e-9 * std::fabs(want));
    }
    CHECK(delays.size() > 30);  // heterogeneous delays
    CHECK(5200 > 10 * P.stdp.block);  // the run crosses more than ten rebases of the traces (stdp.hpp)
    CHECK(pairs > 1000);
    MESSAGE(std::string(nearest ? "nearest" : "all-to-all") << ": " << pairs << " pairs (" << coincident
                                                   << " coincident), largest error " << worst);
  }
}

TEST_CASE("Hebbian: of two input groups at the same rate, the correlated one gains more weight") {
  // 50 sources firing together (one Poisson train at 10 Hz, shared) and 50
  // independent Poisson sources at 10 Hz, onto 10 conductance LIF cells.
  std::mt19937_64 gen(7);
  std::exponential_distribution<double> isi(0.01);  // [1/ms]: 10 Hz
  std::vector<double> shared;
  for (double t = isi(gen); t < 3000.0; t += isi(gen)) shared.push_back(std::round(t * 10.0) / 10.0 + 0.1);
  network net;
  net.sim.dt = 0.1;
  net.sim.duration = 3000.0;
  add_model_population(net, "lif", "lif", {{"cm", 0.2}, {"tau_m", 20.0}, {"v_th", -54.0}, {"v_reset", -70.0}},
                       {receptor_desc::expsyn("exc", 5.0, 0.0)}, "post", 10);
  population_desc a;
  a.name = "correlated";
  a.kind = population_kind::spike_times;
  a.size = 50;
  a.times = shared;
  net.populations.push_back(a);
  population_desc b;
  b.name = "independent";
  b.kind = population_kind::poisson;
  b.size = 50;
  b.rate = 1000.0 * shared.size() / 3000.0;  // the same mean rate
  net.populations.push_back(b);
  for (const char* pre : {"correlated", "independent"}) {
    projection_desc p = projection(pre, "post", "exc");
    p.name = pre;
    p.rule = connect_rule::all_to_all;
    p.weight = distribution::constant(0.0005);
    p.plasticity.rule = plasticity_rule::hebbian;
    p.plasticity.eta = 1e-9;
    p.plasticity.tau_rate = 20.0;
    p.plasticity.interval = 1.0;
    p.plasticity.w_max = 0.02;
    net.projections.push_back(p);
  }
  add_record(net, "post", "spikes");
  const auto o = run(net, which::cpu);
  const auto mean_gain = [&](const std::string& proj) {
    const auto& w = state_of(o, proj + ".weight");
    double s = 0.0;
    for (double x : w) s += x - 0.0005;
    return s / static_cast<double>(w.size());
  };
  const double ga = mean_gain("correlated"), gb = mean_gain("independent");
  std::uint64_t post_spikes = 0;
  for (std::uint32_t k = 0; k < 10; ++k) post_spikes += o.counts[k];
  CAPTURE(ga);
  CAPTURE(gb);
  CAPTURE(post_spikes);
  MESSAGE("mean weight gain: correlated " << ga << " uS, independent " << gb << " uS; " << post_spikes << " postsynaptic spikes");
  CHECK(post_spikes > 100);  // the cells fire: there is something to correlate with
  CHECK(gb > 0.0);
  CHECK(ga > 1.5 * gb);
  CHECK(ga < 0.018);  // far from the bound, which would hide the difference
}

TEST_CASE("homeostatic scaling: cells driven at two strengths both return to the target rate, their weights scaled in opposite directions") {
  // 100 conductance-based LIF cells, each receiving 50 Poisson inputs
  // through a scaled projection (target 10 Hz, tau_scaling 1 s). Driven at
  // 3 Hz an input, the cells start below the target; at 24 Hz, far above.
  const double target = 10.0, tstop = 8000.0;
  struct drive {
    double rate, early, late, w_ratio;
  };
  std::vector<drive> drives = {{3.0, 0, 0, 0}, {24.0, 0, 0, 0}};
  for (auto& d : drives) {
    network net;
    net.sim.dt = 0.1;
    net.sim.duration = tstop;
    add_model_population(net, "lif", "lif", {{"cm", 0.2}, {"tau_m", 20.0}, {"v_th", -54.0}, {"v_reset", -70.0}},
                         {receptor_desc::expsyn("exc", 5.0, 0.0)}, "post", 100);
    add_poisson_drive(net, "in", 400, d.rate, "post", "exc", 50, 0.001, 0.003);
    auto& pr = net.projections.back();
    pr.plasticity.rule = plasticity_rule::scaling;
    pr.plasticity.target_rate = target;
    pr.plasticity.tau_scaling = 1000.0;
    pr.plasticity.tau_rate = 500.0;
    pr.plasticity.interval = 10.0;
    pr.plasticity.w_max = 0.05;
    add_record(net, "post", "spikes");
    check(net);
    const auto o = run(net, which::cpu);
    const auto rate_in = [&](double from, double to) {
      double n = 0;
      for (const auto& sp : o.spikes) {
        const double t = static_cast<double>(sp.step) * o.dt;
        n += sp.gid < 100 && t >= from && t < to;
      }
      return n / 100.0 / ((to - from) / 1000.0);
    };
    d.early = rate_in(0.0, 500.0);
    d.late = rate_in(tstop - 2000.0, tstop);
    const auto img = std::get<image<double>>(pack(net, 1));
    const auto& w = state_of(o, img.plastic.at(0).name + ".weight");
    double before = 0.0, after = 0.0;
    for (std::size_t c = 0; c < w.size(); ++c) {
      before += img.plastic[0].syn[c].w;
      after += w[c];
    }
    d.w_ratio = after / before;
    MESSAGE("input " << d.rate << " Hz: output " << d.early << " Hz in the first 0.5 s, " << d.late
                     << " Hz in the last 2 s (target " << target << "); weights x" << d.w_ratio);
    CHECK(std::fabs(d.late - target) < 0.1 * target);
  }
  CHECK(drives[0].early < 0.7 * target);  // the weak drive starts below the target ...
  CHECK(drives[1].early > 2.0 * target);  // ... the strong one far above
  CHECK(drives[0].w_ratio > 1.2);
  CHECK(drives[1].w_ratio < 0.8);
}

TEST_CASE("BCM: cells exposed to two input patterns become selective to one, the threshold tracking their rate") {
  // Two groups of 25 inputs; every 100 ms one group, drawn at random, fires
  // at 30 Hz and the other at 3 Hz (Poisson trains drawn here). Each of 20
  // conductance-based LIF cells receives all 50 inputs through a BCM
  // projection (Bienenstock, Cooper & Munro 1982): the pattern a cell
  // answers more strongly grows, the other shrinks below the sliding
  // threshold, so the cell ends selective.
  const double tstop = 90000.0, window = 100.0;
  std::mt19937_64 gen(11);
  std::vector<int> pattern;
  for (double t = 0; t < tstop; t += window) pattern.push_back(static_cast<int>(gen() % 2));
  population_desc in;
  in.name = "in";
  in.kind = population_kind::spike_times;
  in.size = 50;
  for (std::int64_t i = 0; i < 50; ++i) {
    double t = 0.0;
    for (;;) {
      // A Poisson train at the rate of the window it is in (thinning from 30 Hz).
      t += std::exponential_distribution<double>(0.03)(gen);
      if (t >= tstop - 1.0) break;
      const bool active = pattern[static_cast<std::size_t>(t / window)] == static_cast<int>(i / 25);
      if (active || std::uniform_real_distribution<double>(0.0, 1.0)(gen) < 0.1)
        in.spikes.push_back({std::round(t * 10.0) / 10.0 + 0.1, i, 0});
    }
  }
  network net;
  net.sim.dt = 0.1;
  net.sim.duration = tstop;
  add_model_population(net, "lif", "lif", {{"cm", 0.2}, {"tau_m", 20.0}, {"v_th", -54.0}, {"v_reset", -70.0}},
                       {receptor_desc::expsyn("exc", 5.0, 0.0)}, "post", 20);
  net.populations.push_back(in);
  projection_desc p = projection("in", "post", "exc");
  p.name = "bcm";
  p.rule = connect_rule::all_to_all;
  p.weight = distribution::uniform(0.0004, 0.0008);
  p.plasticity.rule = plasticity_rule::bcm;
  p.plasticity.eta = 3e-10;
  p.plasticity.tau_rate = 50.0;
  p.plasticity.tau_theta = 1000.0;
  p.plasticity.theta_rate = 40.0;
  p.plasticity.interval = 10.0;
  p.plasticity.w_max = 0.003;
  net.projections.push_back(p);
  add_record(net, "post", "spikes");
  check(net);
  const auto o = run(net, which::cpu);
  const auto img = std::get<image<double>>(pack(net, 1));
  const auto& P = img.plastic.at(0);
  const auto& w = state_of(o, "bcm.weight");
  int selective = 0, prefers_a = 0;
  std::vector<double> ratios;
  double worst = 1e9;
  for (std::uint32_t j = 0; j < 20; ++j) {
    double ga = 0.0, gb = 0.0;
    for (std::uint64_t c = 0; c < w.size(); ++c)
      if (P.post[c] == j) (P.pre[c] < 25 ? ga : gb) += w[c] / 25.0;
    const double ratio = std::max(ga, gb) / std::max(1e-12, std::min(ga, gb));
    worst = std::min(worst, ratio);
    ratios.push_back(ratio);
    selective += ratio > 3.0 && std::max(ga, gb) > 0.0003;  // one pattern's weights kept (half the initial mean or more)
    prefers_a += ga > gb;
  }
  const auto& theta = state_of(o, "bcm.theta");
  double mean_theta = 0.0;
  for (double x : theta) mean_theta += x / static_cast<double>(theta.size());
  const double rate = static_cast<double>(std::count_if(o.spikes.begin(), o.spikes.end(), [&](const spike_event& sp) {
                        return sp.gid < 20 && static_cast<double>(sp.step) * o.dt > tstop - 5000.0;
                      })) / 20.0 / 5.0;
  MESSAGE(selective << " of 20 cells selective (preferred/other mean weight > 3, preferred > 3e-4 uS; the least selective " << worst << "), "
                    << prefers_a << " prefer pattern A; mean threshold " << mean_theta << " Hz, output " << rate
                    << " Hz in the last 5 s");
  CHECK(selective >= 14);
  CHECK(rate > 2.0);  // the cells still answer
  CHECK(mean_theta > 1.0);
  std::sort(ratios.begin(), ratios.end());
  CHECK(ratios[10] > 5.0);  // the median cell: its preferred pattern's weights 5x the other's
  CAPTURE(ratios[10]);
}

// Graupner & Brunel's rule (without its bistability term and noise), for
// one synapse, integrated here independently of the engine: the calcium as
// the sum of its transients at each time, the efficacy ρ by the midpoint
// rule in steps of h = 1 µs wherever c is above a threshold (ρ does not
// move elsewhere). Events [ms] at the synapse: the presynaptic transients'
// starts (arrival + D) and the postsynaptic spikes (+ post_delay).
// Returns ρ at the end. Its error: at most h/2·(γ_p + γ_d)/tau_rho in ρ
// per threshold crossing (the midpoint rule's Θ is off by at most half a
// step there), O(h²) elsewhere.
double graupner_brunel_rho(const plasticity_desc& d, std::vector<double> pre, std::vector<double> post, double rho) {
  struct event {
    double t, jump;
  };
  std::vector<event> ev;
  for (double t : pre) ev.push_back({t, d.c_pre});
  for (double t : post) ev.push_back({t, d.c_post});
  std::sort(ev.begin(), ev.end(), [](const event& a, const event& b) { return a.t < b.t; });
  const double h = 0.001, theta_min = std::min(d.theta_d, d.theta_p);
  const auto calcium = [&](double t) {  // every transient that started at or before t
    double c = 0.0;
    for (const auto& e : ev)
      if (e.t <= t) c += e.jump * std::exp(-(t - e.t) / d.tau_ca);
    return c;
  };
  for (std::size_t k = 0; k < ev.size(); ++k) {
    const double end = k + 1 < ev.size() ? ev[k + 1].t : ev[k].t + 50.0 * d.tau_ca;
    if (end <= ev[k].t) continue;
    const double c0 = calcium(ev[k].t);
    const double step_decay = std::exp(-h / d.tau_ca);
    double c_mid = c0 * std::exp(-0.5 * h / d.tau_ca);
    for (double t = ev[k].t; t < end && c_mid > theta_min * 0.99; t += h) {
      const double len = std::min(h, end - t);
      const double drift = (d.gamma_p * (1.0 - rho) * (c_mid > d.theta_p) - d.gamma_d * rho * (c_mid > d.theta_d)) / d.tau_rho;
      rho += len * drift;
      c_mid *= step_decay;
    }
  }
  return rho;
}

// The calcium rule with Graupner & Brunel's DP parameters (2012, their
// table: tau_ca 20 ms, c_pre 1, c_post 2, θ_d 1, θ_p 1.3, γ_d 200,
// γ_p 321.808, tau 150 s, D 13.7 ms), weights in [0, 2e-3] nA.
plasticity_desc graupner_brunel() {
  plasticity_desc d;
  d.rule = plasticity_rule::calcium;
  d.w_min = 0.0;
  d.w_max = 2e-3;
  return d;
}

TEST_CASE("calcium rule (Graupner & Brunel): 60 pairs at 1 Hz give the rule's STDP curve, as integrated independently") {
  // Cell i: 60 pairs at 1 Hz with t_post − t_pre = Δt_i; the driver makes
  // it fire at 150.2 ms + k s, the presynaptic spike comes Δt_i earlier.
  const std::vector<double> lags = {-100, -60, -40, -30, -20, -15, -10, -5, 0, 5, 10, 15, 20, 30, 40, 60, 100};
  std::vector<std::vector<double>> pre, drive;
  for (double lag : lags) {
    pre.emplace_back();
    drive.emplace_back();
    for (int k = 0; k < 60; ++k) {
      drive.back().push_back(150.0 + 1000.0 * k);
      pre.back().push_back(150.2 - lag - 1.0 + 1000.0 * k);  // axonal delay 1 ms
    }
  }
  const auto rule = graupner_brunel();
  const double w0 = 1e-3;  // ρ = 0.5
  const auto o = run(pairing_network(pre, drive, 61000.0, rule, w0, 1.0), which::cpu);
  const auto post_t = times_by_cell(o, "post", lags.size());
  const auto pre_t = times_by_cell(o, "pre", lags.size());
  const auto& w = state_of(o, "stdp.weight");
  REQUIRE(w.size() == lags.size());
  double worst = 0.0;
  std::vector<double> drho(lags.size());
  for (std::size_t i = 0; i < lags.size(); ++i) {
    CAPTURE(lags[i]);
    REQUIRE(post_t[i].size() == 60);  // the plastic input never makes the cell fire
    REQUIRE(pre_t[i].size() == 60);
    std::vector<double> pre_syn;
    for (double t : pre_t[i]) pre_syn.push_back(t + 1.0 + rule.delay_pre);
    const double want = graupner_brunel_rho(rule, pre_syn, post_t[i], 0.5) - 0.5;
    drho[i] = w[i] / rule.w_max - 0.5;
    CAPTURE(drho[i]);
    CAPTURE(want);
    worst = std::max(worst, std::fabs(drho[i] - want));
    // The reference's own error: 60 pairs, at most 4 crossings each, h/2·(γ_p + γ_d)/tau_rho each.
    CHECK(std::fabs(drho[i] - want) < 60 * 4 * 0.0005 * (rule.gamma_p + rule.gamma_d) / rule.tau_rho);
  }
  std::string curve;
  for (std::size_t i = 0; i < lags.size(); ++i) curve += fmt::format(" {:+.0f}:{:+.3f}", lags[i], drho[i]);
  MESSAGE("Δρ by Δt [ms]:" << curve << "; largest difference from the independent integration " << worst);
  // The DP curve: potentiation for pre-before-post within about 20 ms,
  // depression for post-before-pre, and little change far apart.
  const auto at = [&](double lag) { return drho[static_cast<std::size_t>(std::find(lags.begin(), lags.end(), lag) - lags.begin())]; };
  CHECK(at(10) > 0.05);
  CHECK(at(-20) < -0.05);
  CHECK(std::fabs(at(100)) < 0.5 * std::fabs(at(10)));
}

TEST_CASE("calcium rule: low-frequency presynaptic trains depress, high-frequency ones potentiate") {
  // 100 presynaptic spikes at 1 to 100 Hz, the cell silent (its plastic
  // input is far below threshold): only presynaptic transients, here of
  // c_pre = 1.2, which alone cross θ_d (1) but not θ_p (1.3); at high
  // frequency they sum above θ_p. Starting at ρ = 0.5.
  const std::vector<double> rates = {1, 5, 10, 20, 30, 50, 100};  // [Hz]
  std::vector<std::vector<double>> pre, drive;
  double tstop = 0.0;
  for (double f : rates) {
    pre.emplace_back();
    drive.emplace_back();
    for (int k = 0; k < 100; ++k) pre.back().push_back(10.0 + k * 1000.0 / f);
    tstop = std::max(tstop, pre.back().back() + 500.0);
  }
  auto rule = graupner_brunel();
  rule.c_pre = 1.2;
  const auto o = run(pairing_network(pre, drive, tstop, rule, 1e-3, 1.0), which::cpu);
  const auto pre_t = times_by_cell(o, "pre", rates.size());
  const auto& w = state_of(o, "stdp.weight");
  REQUIRE(w.size() == rates.size());
  std::string curve;
  std::vector<double> drho;
  for (std::size_t i = 0; i < rates.size(); ++i) {
    CAPTURE(rates[i]);
    std::vector<double> pre_syn;
    for (double t : pre_t[i]) pre_syn.push_back(t + 1.0 + rule.delay_pre);
    const double want = graupner_brunel_rho(rule, pre_syn, {}, 0.5) - 0.5;
    drho.push_back(w[i] / rule.w_max - 0.5);
    CAPTURE(drho.back());
    CAPTURE(want);
    CHECK(std::fabs(drho.back() - want) < 100 * 2 * 0.0005 * (rule.gamma_p + rule.gamma_d) / rule.tau_rho);
    curve += fmt::format(" {:.0f} Hz:{:+.4f}", rates[i], drho.back());
  }
  MESSAGE("Δρ after 100 spikes:" << curve);
  CHECK(drho.front() < -0.01);  // 1 Hz: depression
  CHECK(drho.back() > 0.01);    // 100 Hz: potentiation
}

// Dopamine-modulated STDP: one LIF cell fired by a driver at `drive` [ms]
// (as in pairing_network), n sources with spike lists pre[i] onto it
// (plastic, a current receptor, far below threshold), and a modulatory
// population of one source firing at `reward` [ms].
network dopamine_network(const std::vector<std::vector<double>>& pre, const std::vector<double>& drive,
                         const std::vector<double>& reward, double tstop, const plasticity_desc& rule, double w0) {
  network net;
  net.sim.dt = 0.1;
  net.sim.duration = tstop;
  add_model_population(net, "post", "lif", {{"tau_m", 5.0}, {"t_ref", 5.0}},
                       {receptor_desc::exp_current("plastic", 2.0), receptor_desc::exp_current("drive", 0.5)}, "post", 1);
  const auto source = [&](const std::string& name, const std::vector<std::vector<double>>& times) {
    population_desc s;
    s.name = name;
    s.kind = population_kind::spike_times;
    s.size = static_cast<std::int64_t>(times.size());
    for (std::size_t i = 0; i < times.size(); ++i)
      for (double t : times[i]) s.spikes.push_back({t, static_cast<std::int64_t>(i), 0});
    net.populations.push_back(s);
  };
  source("pre", pre);
  source("driver", {drive});
  source("dopamine", {reward});
  projection_desc pl = projection("pre", "post", "plastic");
  pl.name = "da";
  pl.rule = connect_rule::all_to_all;
  pl.weight = distribution::constant(w0);
  pl.delay = distribution::constant(1.0);
  pl.plasticity = rule;
  net.projections.push_back(pl);
  projection_desc d = projection("driver", "post", "drive");
  d.rule = connect_rule::all_to_all;
  d.weight = distribution::constant(50.0);
  d.delay = distribution::constant(0.1);
  net.projections.push_back(d);
  add_record(net, "post", "spikes");
  add_record(net, "pre", "spikes");
  add_record(net, "dopamine", "spikes");
  return net;
}

plasticity_desc dopamine_stdp(double a_plus, double a_minus, double w_min, double w_max) {
  plasticity_desc d;
  d.rule = plasticity_rule::dopamine_stdp;
  d.modulator = "dopamine";
  d.a_plus = a_plus;
  d.a_minus = a_minus;
  d.w_min = w_min;
  d.w_max = w_max;
  return d;
}

// Poisson spike times at `rate` [Hz] in [start, stop) ms on the 0.1 ms
// grid, none within `gap` ms of the one before (a driver's times: the cell
// is refractory for 5 ms).
std::vector<double> poisson_times(std::mt19937_64& gen, double rate, double start, double stop, double gap = 0.0) {
  std::vector<double> t;
  for (double x = start;;) {
    x += std::exponential_distribution<double>(rate / 1000.0)(gen);
    if (x >= stop) return t;
    const double r = std::round(x * 10.0) / 10.0;
    if (t.empty() || r - t.back() > gap) t.push_back(r);
  }
}

// Dopamine-modulated STDP without clipping, written here in closed form
// from the spike times at the synapse (all-to-all pairing): each pre and
// post event adds its window's sum e_k to the eligibility, and
// w(T) = w0 + Σ_k e_k·∫_{t_k}^T e^(−(t − t_k)/tau_c)·d(t) dt with
// d(t) = d_tonic + Σ_r d_spike·e^(−(t − t_r)/tau_d), the integrals exact.
double izhikevich_weight(const plasticity_desc& d, const std::vector<double>& pre, const std::vector<double>& post,
                         const std::vector<double>& reward, double T, double w0) {
  struct event {
    double t, e;
  };
  std::vector<event> ev;
  for (double tp : post) {  // potentiation: every pre at or before it
    if (tp > T) continue;
    double e = 0.0;
    for (double ti : pre)
      if (ti <= tp) e += d.a_plus * std::exp(-(tp - ti) / d.tau_plus);
    ev.push_back({tp, e});
  }
  for (double ti : pre) {  // depression: every post strictly before it
    if (ti > T) continue;
    double e = 0.0;
    for (double tp : post)
      if (tp < ti) e -= d.a_minus * std::exp(-(ti - tp) / d.tau_minus);
    ev.push_back({ti, e});
  }
  const double tau_both = 1.0 / (1.0 / d.tau_c + 1.0 / d.tau_d);
  double w = w0;
  for (const auto& k : ev) {
    double integral = d.d_tonic * d.tau_c * (1.0 - std::exp(-(T - k.t) / d.tau_c));
    for (double tr : reward) {
      if (tr > T) continue;
      const double s0 = std::max(k.t, tr);
      integral += d.d_spike * std::exp(-(s0 - k.t) / d.tau_c - (s0 - tr) / d.tau_d) * tau_both *
                  (1.0 - std::exp(-(T - s0) / tau_both));
    }
    w += k.e * integral;
  }
  return w;
}

TEST_CASE("dopamine-modulated STDP: weights and their samples equal the closed form of Izhikevich's equations") {
  // 20 sources at 5 Hz onto a cell fired at 5 Hz, rewards (a modulator
  // spike each) at 0.5 Hz, tonic dopamine, 20 s; bounds far away (no
  // clipping), so the weight is w0 + Σ e_k·∫ c·d exactly.
  std::mt19937_64 gen(7);
  std::vector<std::vector<double>> pre(20);
  for (auto& p : pre) p = poisson_times(gen, 5.0, 1.0, 19900.0);
  const auto drive = poisson_times(gen, 5.0, 1.0, 19900.0, 6.0);
  const auto reward = poisson_times(gen, 0.5, 1.0, 19900.0);
  auto rule = dopamine_stdp(1e-4, 1.5e-4, -1.0, 1.0);
  rule.d_tonic = 0.01;
  rule.post_delay = 0.7;
  network net = dopamine_network(pre, drive, reward, 20000.0, rule, 0.0);
  add_weight_record(net, "da", "weight", 1000.0, {{0, 0}, {7, 0}, {19, 0}});
  const auto o = run(net, which::cpu);
  const auto pre_t = times_by_cell(o, "pre", pre.size());
  const auto post_t = times_by_cell(o, "post", 1)[0];
  const auto reward_t = times_by_cell(o, "dopamine", 1)[0];
  REQUIRE(post_t.size() == drive.size());  // the plastic input never makes the cell fire
  std::vector<double> post_syn;
  for (double t : post_t) post_syn.push_back(t + rule.post_delay);
  const auto at_synapse = [&](std::size_t i) {
    std::vector<double> t;
    for (double x : pre_t[i]) t.push_back(x + 1.0);  // axonal delay 1 ms
    return t;
  };
  const auto& w = state_of(o, "da.weight");
  REQUIRE(w.size() == pre.size());
  double worst = 0.0, largest = 0.0;
  for (std::size_t i = 0; i < pre.size(); ++i) {
    const double want = izhikevich_weight(rule, at_synapse(i), post_syn, reward_t, 20000.0, 0.0);
    CAPTURE(i);
    CAPTURE(w[i]);
    CAPTURE(want);
    CHECK(std::fabs(w[i] - want) <= 1e-10 * std::max(1e-4, std::fabs(want)));
    worst = std::max(worst, std::fabs(w[i] - want));
    largest = std::max(largest, std::fabs(want));
  }
  // The samples: each equals the closed form at its time.
  const auto& tb = o.traces.back();
  REQUIRE(tb.steps.size() == 21);
  const std::size_t cells[] = {0, 7, 19};
  for (std::size_t r = 0; r < tb.steps.size(); ++r)
    for (std::size_t k = 0; k < 3; ++k) {
      const double T = static_cast<double>(tb.steps[r]) * o.dt;
      const double want = izhikevich_weight(rule, at_synapse(cells[k]), post_syn, reward_t, T, 0.0);
      CAPTURE(T);
      CHECK(std::fabs(tb.values[r * 3 + k] - want) <= 1e-10 * std::max(1e-4, std::fabs(want)));
      worst = std::max(worst, std::fabs(tb.values[r * 3 + k] - want));
    }
  MESSAGE("largest |w| " << largest << ", largest difference from the closed form " << worst << " ("
                         << reward_t.size() << " rewards, " << post_t.size() << " postsynaptic spikes)");
  CHECK(largest > 1e-3);  // the weights did move
}

TEST_CASE("dopamine-modulated STDP: the synapse whose pairings a delayed reward follows grows, the others do not") {
  // Izhikevich (2007): 50 sources at 1 Hz onto a cell fired at 1 Hz at
  // random. Every 10 s source 0 fires and the cell fires 5 ms later; a
  // reward follows 1 to 3 s later. Source 1 gets the same pairings 5 s
  // after source 0's, which the next reward follows only 6 to 8 s later,
  // when its eligibility has decayed (tau_c = 1 s). 500 s, 50 rewards.
  std::mt19937_64 gen(2007);
  const double tstop = 500000.0;
  std::vector<std::vector<double>> pre(50);
  for (auto& p : pre) p = poisson_times(gen, 1.0, 1.0, tstop - 100.0);
  auto drive = poisson_times(gen, 1.0, 1.0, tstop - 100.0, 6.0);
  std::vector<double> reward;
  for (double t = 2000.0; t + 8000.0 < tstop; t += 10000.0) {
    pre[0].push_back(t);
    drive.push_back(t + 4.9);  // the cell fires 5 ms after t (driver delay and a step)
    pre[1].push_back(t + 5000.0);
    drive.push_back(t + 5004.9);
    reward.push_back(std::round((t + std::uniform_real_distribution<double>(1000.0, 3000.0)(gen)) * 10.0) / 10.0);
  }
  for (auto* v : {&pre[0], &pre[1], &drive}) std::sort(v->begin(), v->end());
  const auto rule = dopamine_stdp(1e-5, 1.5e-5, 0.0, 4e-3);
  const double w0 = 1e-3;
  const auto o = run(dopamine_network(pre, drive, reward, tstop, rule, w0), which::cpu);
  const auto& w = state_of(o, "da.weight");
  REQUIRE(w.size() == 50);
  double others = 0.0, top_other = 0.0;
  for (std::size_t i = 2; i < 50; ++i) {
    others += w[i] / 48.0;
    top_other = std::max(top_other, w[i]);
  }
  MESSAGE("rewarded synapse " << w[0] << ", paired but unrewarded " << w[1] << ", the 48 others: mean " << others
                              << ", largest " << top_other << " (start " << w0 << ", bounds [0, 0.004]); "
                              << reward.size() << " rewards");
  CHECK(w[0] - w0 > 0.5 * (rule.w_max - w0));  // more than half way to its bound
  CHECK(w[1] < w0);     // the same pairings, not followed by a reward within tau_c: no growth
  CHECK(others < w0);   // the others drift down (a_minus > a_plus), none near the rewarded one
  CHECK(w[0] - top_other > 0.25 * (rule.w_max - w0));
}

TEST_CASE("examples/bcm.toml: with two groups taking turns, every cell ends selective to one, the threshold shared") {
  const network net = example("bcm.toml");
  const auto o = run(net, which::cpu);
  const auto img = std::get<image<double>>(pack(net, 1));
  const auto& wa = state_of(o, "a.weight");
  const auto& wb = state_of(o, "b.weight");
  // Per cell, the mean weight of each group.
  std::vector<double> ga(20, 0.0), gb(20, 0.0);
  for (std::size_t c = 0; c < wa.size(); ++c) ga[img.plastic[0].post[c]] += wa[c] / 25.0;
  for (std::size_t c = 0; c < wb.size(); ++c) gb[img.plastic[1].post[c]] += wb[c] / 25.0;
  int selective = 0, prefer_a = 0;
  double least = 1e300;
  for (std::size_t j = 0; j < 20; ++j) {
    const double ratio = std::max(ga[j], gb[j]) / std::max(1e-12, std::min(ga[j], gb[j]));
    least = std::min(least, ratio);
    selective += ratio > 3.0 && std::max(ga[j], gb[j]) > 3e-4;
    prefer_a += ga[j] > gb[j];
  }
  MESSAGE(selective << " of 20 cells selective, " << prefer_a << " to group a; the least selective's ratio " << least);
  CHECK(selective == 20);
  // The two projections' thresholds of a cell are one (the same postsynaptic spikes, the same parameters).
  CHECK(state_of(o, "a.theta") == state_of(o, "b.theta"));
}

TEST_CASE("examples/dopamine_stdp.toml: the rewarded input's weight reaches its bound, the others' do not grow") {
  const auto o = run(example("dopamine_stdp.toml"), which::cpu);
  const auto& paired = state_of(o, "paired.weight");
  const auto& others = state_of(o, "others.weight");
  REQUIRE(paired.size() == 2);
  REQUIRE(others.size() == 48);
  double mean = 0.0, top = 0.0;
  for (double w : others) {
    mean += w / 48.0;
    top = std::max(top, w);
  }
  MESSAGE("rewarded " << paired[0] << " nA, paired but unrewarded " << paired[1] << " nA, others: mean " << mean
                      << ", largest " << top << " (start 0.001, bound 0.004)");
  CHECK(paired[0] > 0.0039);
  CHECK(paired[1] < 0.0011);
  CHECK(mean < 0.001);
  CHECK(top < paired[0] - 0.001);
}

TEST_CASE("Hebbian with Oja's term: the weight vector's norm converges to the fixed point of the rates") {
  // Five sources with regular trains at 5-30 Hz; the postsynaptic cell fires
  // regularly at 20 Hz from a driver, whatever the plastic weights (their
  // receptor barely moves a 100 nF cell). The rule then converges to
  // w_i* = <y_i·y_j>/<y_j²> over the learning instants, computed here from
  // the spike times with the rate filter written out.
  const double tau = 500.0, eta = 2e-6, tstop = 20000.0;  // averaging over 1/(eta·y_post²) = 1250 updates
  const std::vector<double> rates{5.0, 10.0, 15.0, 20.0, 30.0};
  std::vector<std::vector<double>> pre(rates.size()), drive(1);
  for (std::size_t i = 0; i < rates.size(); ++i)
    for (double t = 3.0 + 1.7 * i; t < tstop; t += 1000.0 / rates[i]) pre[i].push_back(std::round(t * 10.0) / 10.0);
  for (double t = 10.0; t < tstop; t += 50.0) drive[0].push_back(t);
  network net;
  net.sim.dt = 0.1;
  net.sim.duration = tstop;
  add_model_population(net, "post", "lif", {{"cm", 100.0}, {"tau_m", 5.0}, {"t_ref", 5.0}},
                       {receptor_desc::exp_current("plastic", 2.0), receptor_desc::exp_current("drive", 0.5)}, "post", 1);
  population_desc src;
  src.name = "pre";
  src.kind = population_kind::spike_times;
  src.size = static_cast<std::int64_t>(rates.size());
  for (std::size_t i = 0; i < rates.size(); ++i)
    for (double t : pre[i]) src.spikes.push_back({t, static_cast<std::int64_t>(i), 0});
  net.populations.push_back(src);
  population_desc drv;
  drv.name = "driver";
  drv.kind = population_kind::spike_times;
  drv.size = 1;
  drv.times = drive[0];
  net.populations.push_back(drv);
  projection_desc pl = projection("pre", "post", "plastic");
  pl.name = "oja";
  pl.rule = connect_rule::all_to_all;
  pl.weight = distribution::constant(0.1);
  pl.plasticity.rule = plasticity_rule::hebbian;
  pl.plasticity.eta = eta;
  pl.plasticity.tau_rate = tau;
  pl.plasticity.interval = 1.0;
  pl.plasticity.oja = true;
  pl.plasticity.w_min = -10.0;
  pl.plasticity.w_max = 10.0;
  net.projections.push_back(pl);
  projection_desc d = projection("driver", "post", "drive");
  d.rule = connect_rule::all_to_all;
  d.weight = distribution::constant(20000.0);
  d.delay = distribution::constant(0.1);
  net.projections.push_back(d);
  add_record(net, "post", "spikes");
  add_record(net, "pre", "spikes");
  const auto o = run(net, which::cpu);
  const auto post_t = spike_times(o, "post");
  REQUIRE(post_t.size() == drive[0].size());  // one spike per drive, none from the plastic input
  // Filtered rates [Hz] at learning instant t (spikes at or before t), over the second half.
  const auto y = [&](const std::vector<double>& spikes, double t) {
    double r = 0.0;
    for (double s : spikes)
      if (s <= t + 1e-9) r += 1000.0 / tau * std::exp(-(t - s) / tau);
    return r;
  };
  std::vector<std::vector<double>> pre_t(rates.size());
  for (const auto& pop : o.populations)
    if (pop.name == "pre")
      for (const auto& s : o.spikes)
        if (s.gid >= pop.gid_base && s.gid < pop.gid_base + rates.size())
          pre_t[s.gid - pop.gid_base].push_back(static_cast<double>(s.step) * o.dt);
  std::vector<double> a(rates.size(), 0.0);
  double b = 0.0;
  for (double t = tstop / 2; t <= tstop - 1.0; t += 1.0) {
    const double yj = y(post_t, t);
    b += yj * yj;
    for (std::size_t i = 0; i < rates.size(); ++i) a[i] += y(pre_t[i], t) * yj;
  }
  const auto& w = state_of(o, "oja.weight");
  double norm = 0.0, want = 0.0;
  for (std::size_t i = 0; i < rates.size(); ++i) {
    norm += w[i] * w[i];
    want += (a[i] / b) * (a[i] / b);
    CAPTURE(i);
    CHECK(std::fabs(w[i] - a[i] / b) < 0.02 * a[i] / b + 0.005);
  }
  norm = std::sqrt(norm);
  want = std::sqrt(want);
  MESSAGE("Oja: |w| = " << norm << ", fixed point of the rates " << want);
  CHECK(std::fabs(norm - want) < 0.002 * want);
  CHECK(std::fabs(want - std::sqrt(5.0 * 5 + 10 * 10 + 15 * 15 + 20 * 20 + 30 * 30) / 20.0) < 0.05 * want);  // ≈ ν_i/ν_post
}

}  // TEST_SUITE("validation")

TEST_SUITE("engine") {

TEST_CASE("an STDP network gives the same weights, traces, samples and spikes on 1, 2 and 3 threads") {
  // Without the Hebbian projection every step but the traces' rebases is an
  // ordinary one: each thread updates the connections onto its own cells,
  // in its own order of the rows; samples and exports in the image's order.
  network net = plastic_network();
  net.populations[0].size = 1600;  // enough cells for three threads (500 a thread)
  net.sim.duration = 150.0;
  net.projections.pop_back();  // heb
  const auto img = std::get<image<double>>(pack(net, 1));
  const auto& P = img.plastic.at(0);  // ff
  std::vector<std::pair<std::int64_t, std::int64_t>> chosen;
  for (std::uint64_t c = 0; c < P.syn.size(); c += P.syn.size() / 7) chosen.push_back({P.pre[c], P.post[c]});
  const record_desc w = add_weight_record(net, "ff", "weight", 10.0, chosen);
  add_weight_record(net, "rec", "weight_histogram", 25.0);
  const auto one = same_on_1_2_3_threads(net);
  // The sampled weights are those of the chosen connections: at the end, the exported weights there.
  const auto& wt = one.traces.at(one.traces.size() - 2);
  const auto& exported = state_of(one, "ff.weight");
  REQUIRE(wt.steps.size() >= 2);
  const std::size_t ncol = w.connections.size();
  for (std::size_t i = 0; i < ncol; ++i) {
    std::uint64_t c = 0;
    while (P.pre[c] != w.connections[i].first || P.post[c] != w.connections[i].second) ++c;
    CAPTURE(i);
    CHECK(wt.values[(wt.steps.size() - 1) * ncol + i] == exported[c]);
  }
  std::size_t moved = 0;
  for (std::size_t c = 0; c < exported.size(); ++c) moved += exported[c] != P.syn[c].w;
  CHECK(moved > exported.size() / 2);
}

TEST_CASE("every array of a plastic network's state has a name of its own: STDP's trace beside a terminal's x") {
  // The plastic network with its Tsodyks-Markram terminals under STDP too:
  // the pre trace (".x_trace") and the terminal's resources (".x") are two
  // arrays; a name given twice would lose one in a dict (Python's state()).
  network net = plastic_network();
  for (auto& p : net.projections) {
    if (p.name != "stp") continue;
    p.plasticity.rule = plasticity_rule::stdp;
    p.plasticity.a_plus = 0.0001;
    p.plasticity.a_minus = 0.000105;
    p.plasticity.w_max = 0.004;
  }
  check(net);
  const auto o = run(net, which::cpu);
  std::set<std::string> names;
  for (const auto& a : o.state) CHECK_MESSAGE(names.insert(a.name).second, a.name);
  const auto& trace = state_of(o, "stp.x_trace");
  const auto& x = state_of(o, "stp.x");
  REQUIRE(trace.size() == x.size());
  CHECK(trace != x);
}

TEST_CASE("sources given twice in a step drive plastic projections the same on 1, 2 and 3 threads") {
  // Each source's repeats must be taken by one thread in a row (the CUDA
  // engine's warp takes them so), else two threads update its connections
  // at once and updates are lost (repeated_sources_network).
  network net = repeated_sources_network();
  check(net);
  const auto one = same_on_1_2_3_threads(net);
  CHECK(one.spikes.size() > 300);
  const auto img = std::get<image<double>>(pack(net, 1));
  for (std::size_t q = 0; q < img.plastic.size(); ++q) {
    CAPTURE(img.plastic[q].name);
    const auto& w = state_of(one, img.plastic[q].name + ".weight");
    std::size_t moved = 0;
    for (std::size_t c = 0; c < w.size(); ++c) moved += w[c] != img.plastic[q].syn[c].w;
    CHECK(moved > w.size() / 2);
  }
}

TEST_CASE("a plastic network gives the same weights, traces and spikes on 1, 2 and 3 threads, and its weights move") {
  // STDP in both pairings and updates, Hebbian with Oja's term, BCM,
  // scaling, the calcium rule with and without its presynaptic lag,
  // dopamine-modulated STDP (a dopamine state per thread), kinetic
  // receptors' releases, Tsodyks-Markram and quantal terminals: the
  // Hebbian rates shared out by source on ordinary steps, its learning
  // steps and the STDP rebases shared after a barrier.
  network net = plastic_network();
  net.populations[0].size = 1600;  // enough cells for three threads (500 a thread)
  const auto one = same_on_1_2_3_threads(net);
  const auto img = std::get<image<double>>(pack(net, 1));
  for (std::size_t q = 0; q < img.plastic.size(); ++q) {
    CAPTURE(img.plastic[q].name);
    if (img.plastic[q].rule == core::plastic_rule::none && img.plastic[q].term.empty()) {
      // Fixed weights, clefts only: at 15 Hz and about 20 ms until a cleft is empty, a quarter hold transmitter.
      const auto& nt = state_of(one, img.plastic[q].name + ".nt");
      CHECK(std::count_if(nt.begin(), nt.end(), [](double v) { return v > 0.0; }) > static_cast<std::ptrdiff_t>(nt.size() / 10));
      continue;
    }
    if (img.plastic[q].rule == core::plastic_rule::none) {
      // Fixed weights, dynamic terminals: most of them have left their resting state.
      const auto& x = state_of(one, img.plastic[q].name + ".x");
      std::size_t used = 0;
      for (double v : x) used += v < 1.0;
      CHECK(used > x.size() / 2);
      continue;
    }
    const auto& w = state_of(one, img.plastic[q].name + ".weight");
    std::size_t moved = 0;
    for (std::size_t c = 0; c < w.size(); ++c) moved += w[c] != img.plastic[q].syn[c].w;
    CHECK(moved > w.size() / 2);
  }
  // The quantal terminals released and failed.
  const auto& released = state_of(one, "quantal.released");
  const auto& ready = state_of(one, "quantal.ready");
  CHECK(std::count_if(released.begin(), released.end(), [](double k) { return k > 0; }) > 100);
  CHECK(std::count_if(ready.begin(), ready.end(), [](double k) { return k < 4; }) > 100);
}

TEST_CASE("weights out: chosen connections sampled, a histogram over time, every weight at the end") {
  network net = plastic_network();
  const auto img = std::get<image<double>>(pack(net, 1));
  const auto& P = img.plastic.at(0);  // ff
  // Two connections that exist: the first two of the CSR.
  const std::pair<std::int64_t, std::int64_t> c0{P.pre[0], P.post[0]}, c1{P.pre[1], P.post[1]};
  add_weight_record(net, "ff", "weight", 50.0, {c0, c1});
  add_weight_record(net, "ff", "weight_histogram", 100.0, {}, 10);
  record_desc f;
  f.projection = "ff";
  f.variable = "weights";
  net.records.push_back(f);
  check(net);
  const auto o = run(net, which::cpu);
  const auto& final_w = state_of(o, "ff.weight");
  const std::size_t nw = net.records.size() - 3, nh = nw + 1;
  // The weight trace: 11 rows (0, 50, ..., 500 ms), the first the initial weights, the last the final ones.
  REQUIRE(o.traces[nw].steps.size() == 11);
  CHECK(o.traces[nw].values[0] == P.syn[0].w);
  CHECK(o.traces[nw].values[20] == final_w[0]);
  CHECK(o.traces[nw].values[21] == final_w[1]);
  // The histogram: 6 rows of 10 bins, each row counting every connection.
  REQUIRE(o.traces[nh].steps.size() == 6);
  for (std::size_t r = 0; r < 6; ++r) {
    double n = 0.0;
    for (std::size_t b = 0; b < 10; ++b) n += o.traces[nh].values[r * 10 + b];
    CHECK(n == static_cast<double>(P.syn.size()));
  }
  // The last row is the final weights' histogram.
  std::vector<double> want(10, 0.0);
  for (double x : final_w) want[std::min<std::size_t>(9, static_cast<std::size_t>(std::max(0.0, x / 0.01 * 10)))] += 1;
  for (std::size_t b = 0; b < 10; ++b) CHECK(o.traces[nh].values[50 + b] == want[b]);

  // Through the writer: the files and their first lines.
  const auto dir = std::filesystem::temp_directory_path() / "ranvier_weights_test";
  std::filesystem::remove_all(dir);
  run_options opt;
  opt.engine = engine_choice::cpu;
  opt.progress = false;
  opt.out = dir;
  run_network(net, opt);
  const std::string weights = read_text((dir / "ff.weights.csv").string());
  CHECK(std::count(weights.begin(), weights.end(), '\n') == static_cast<long>(P.syn.size()) + 1);  // header and a row each
  CHECK(weights.rfind("pre,post,weight,delay_ms\n", 0) == 0);
  const std::string trace = read_text((dir / "ff.weight.csv").string());
  CHECK(trace.rfind(fmt::format("time_ms,{}->{},{}->{}\n", c0.first, c0.second, c1.first, c1.second), 0) == 0);
  const std::string hist = read_text((dir / "ff.weight_histogram.csv").string());
  CHECK(hist.rfind("time_ms,0.0005,0.0015,", 0) == 0);
  CHECK(std::count(hist.begin(), hist.end(), '\n') == 7);  // header and 6 rows
  std::filesystem::remove_all(dir);
}

TEST_CASE("bad plasticity and weight records are reported with what would be valid") {
  const auto err = [](const std::string& extra) {
    network net = plastic_network();
    net.records.clear();
    return error_of([&] {
      std::string text = one_projection_model() + extra;
      check(parse_model(text, "bad.toml"));
    });
  };
  const std::string stdp = "[projection.plasticity]\nrule = \"stdp\"\na_plus = 1e-4\na_minus = 1e-4\n";
  CHECK(err(stdp + "w_max = 0.01\n") == "");
  CHECK(contains(err(stdp), "required key 'w_max' is missing"));
  CHECK(contains(err(stdp + "w_max = 0.0005\n"), "initial weights in [0.001, 0.001] uS are not all within the bounds"));
  CHECK(contains(err(stdp + "w_max = 0.01\nw_min = -0.01\n"), "w_min = -0.01 uS is negative"));
  CHECK(contains(err(stdp + "w_max = 0.01\ntau_plus = 0\n"), "a time constant > 0 [ms]"));
  CHECK(contains(err(stdp + "w_max = 0.01\neta = 1\n"), "'eta' applies only when rule = \"hebbian\""));
  CHECK(contains(err(stdp + "w_max = 0.01\npairing = \"all\"\n"), "\"all_to_all\", \"nearest\""));
  CHECK(contains(err("[projection.plasticity]\nrule = \"ltp\"\n"), "\"stdp\", \"hebbian\", \"scaling\", \"bcm\", \"calcium\", \"dopamine_stdp\""));
  const std::string scaling = "[projection.plasticity]\nrule = \"scaling\"\n";
  CHECK(err(scaling + "target_rate = 5\ntau_scaling = 1000\n") == "");
  CHECK(contains(err(scaling + "tau_scaling = 1000\n"), "required key 'target_rate' is missing"));
  CHECK(contains(err(scaling + "target_rate = 5\ntau_scaling = 0\n"), "a time constant > 0 [ms]"));
  CHECK(contains(err(scaling + "target_rate = -5\ntau_scaling = 100\n"), "a rate > 0 [Hz]"));
  CHECK(contains(err(scaling + "target_rate = 5\ntau_scaling = 100\neta = 1\n"), "'eta' applies only when rule = \"hebbian\""));
  CHECK(contains(err(stdp + "w_max = 0.01\ntarget_rate = 5\n"), "'target_rate' applies only when rule = \"scaling\""));
  const std::string bcm = "[projection.plasticity]\nrule = \"bcm\"\n";
  CHECK(err(bcm + "eta = 1e-9\nw_max = 0.01\n") == "");
  CHECK(contains(err(bcm + "w_max = 0.01\n"), "required key 'eta' is missing"));
  CHECK(contains(err(bcm + "eta = 1e-9\ntheta_rate = 0\n"), "a rate > 0 [Hz]"));
  CHECK(contains(err(bcm + "eta = 1e-9\ntau_theta = -1\n"), "a time constant > 0 [ms]"));
  CHECK(contains(err(stdp + "w_max = 0.01\ntau_theta = 5\n"), "'tau_theta' applies only when rule = \"bcm\""));
  CHECK(contains(err(stdp + "w_max = 0.01\ninterval = 5\n"),
                 "'interval' applies only when rule = \"hebbian\", \"scaling\" or \"bcm\""));
  CHECK(contains(err(stdp + "w_max = 0.01\nwmax = 1\n"), "unknown key 'wmax'"));
  const std::string calcium = "[projection.plasticity]\nrule = \"calcium\"\n";
  CHECK(err(calcium + "w_max = 0.01\n") == "");
  CHECK(err(calcium + "w_max = 0.01\ntau_ca = 15\nc_pre = 0.9\nc_post = 0.9\ntheta_d = 1\ntheta_p = 1.3\n"
                      "gamma_d = 250\ngamma_p = 550\ntau_rho = 1e5\ndelay_pre = 4.6\npost_delay = 1\n") == "");
  CHECK(contains(err(calcium), "required key 'w_max' is missing"));
  CHECK(contains(err(calcium + "w_max = 0.01\ntau_ca = 0\n"), "a time constant > 0 [ms]"));
  CHECK(contains(err(calcium + "w_max = 0.01\ntheta_p = -1\n"), "a threshold > 0 [1]"));
  CHECK(contains(err(calcium + "w_max = 0.01\ngamma_p = -3\n"), "gamma_p = -3.0 is not a finite number >= 0"));
  CHECK(contains(err(calcium + "w_max = 0.01\ndelay_pre = -2\n"), "delay_pre = -2.0 ms is not a time >= 0"));
  CHECK(contains(err(calcium + "w_max = 0.01\na_plus = 1\n"), "'a_plus' applies only when rule = \"stdp\""));
  CHECK(contains(err(stdp + "w_max = 0.01\ntheta_d = 1\n"), "'theta_d' applies only when rule = \"calcium\""));
  const std::string da = "[projection.plasticity]\nrule = \"dopamine_stdp\"\na_plus = 1e-4\na_minus = 1e-4\nw_max = 0.01\n";
  CHECK(err(da + "modulator = \"in\"\n") == "");
  CHECK(err(da + "modulator = \"in\"\ntau_c = 500\ntau_d = 100\nd_spike = 0.2\nd_tonic = 0.01\npairing = \"nearest\"\n"
                 "post_delay = 1\n") == "");
  CHECK(contains(err(da), "required key 'modulator' is missing"));
  CHECK(contains(err(da + "modulator = \"vta\"\n"), "undefined population 'vta'"));
  CHECK(contains(err(da + "modulator = \"in\"\ntau_c = 0\n"), "a time constant > 0 [ms]"));
  CHECK(contains(err(da + "modulator = \"in\"\nd_spike = -1\n"), "d_spike = -1.0 uM is not a concentration >= 0"));
  CHECK(contains(err(da + "modulator = \"in\"\nupdate = \"multiplicative\"\n"), "'update' applies only when rule = \"stdp\""));
  CHECK(contains(err(stdp + "w_max = 0.01\ntau_c = 5\n"), "'tau_c' applies only when rule = \"dopamine_stdp\""));
  // Records of weights.
  const std::string rec = "[[record]]\nprojection = \"ff\"\n";
  CHECK(err(stdp + "w_max = 0.01\n" + rec + "variable = \"weights\"\n") == "");
  CHECK(contains(err(rec + "variable = \"weights\"\n"), "projection 'ff' is not plastic"));
  CHECK(contains(err(stdp + "w_max = 0.01\n" + rec + "variable = \"weight\"\n"), "no connections to record"));
  CHECK(contains(err(stdp + "w_max = 0.01\n" + rec + "variable = \"weight\"\nconnections = [[10, 0]]\n"),
                 "connection [10, 0] is outside the populations"));
  CHECK(contains(err(stdp + "w_max = 0.01\n" + rec + "variable = \"weights\"\ninterval = 5\n"),
                 "\"weights\" are written once, at the end"));
  CHECK(contains(err(stdp + "w_max = 0.01\n" + rec + "variable = \"v\"\n"), "\"weight\", \"weight_histogram\", \"weights\""));
  CHECK(contains(err(stdp + "w_max = 0.01\n" + "[[record]]\nprojection = \"fff\"\nvariable = \"weights\"\n"),
                 "undefined projection 'fff'; valid: 'ff'"));
}

}  // TEST_SUITE("engine")

TEST_SUITE("long") {

// Song, Miller & Abbott (2000) as Brian2's examples/synapses/STDP.py
// (examples/stdp_song.toml; tools/peers/brian2_stdp_song.py ran Brian2 on
// this machine, tests/validation/data/brian2_stdp_song.json): 100 s, three
// seeds each. The final weights are bimodal; the fractions near each bound,
// the histogram and the output rate agree within the seeds' spread.
TEST_CASE("Song et al. 2000: bimodal weights, their histogram and the output rate agree with Brian2's") {
  const std::string json = read_text(std::string(RANVIER_TEST_DATA_DIR) + "/validation/data/brian2_stdp_song.json");
  const auto runs = objects_of(json, "runs");
  REQUIRE(runs.size() >= 3);
  const std::size_t bins = static_cast<std::size_t>(json_number(json, {"bins"}));
  struct stats {
    double below = 0, above = 0, rate = 0;
    std::vector<double> hist;
  };
  const auto mean_of = [&](const std::vector<stats>& v) {
    stats m;
    m.hist.assign(bins, 0.0);
    for (const auto& s : v) {
      m.below += s.below / v.size();
      m.above += s.above / v.size();
      m.rate += s.rate / v.size();
      for (std::size_t b = 0; b < bins; ++b) m.hist[b] += s.hist[b] / v.size();
    }
    return m;
  };
  std::vector<stats> brian, ours;
  for (const auto& r : runs) {
    stats s;
    s.below = json_number(r, {"fraction_below_0.1"});
    s.above = json_number(r, {"fraction_above_0.9"});
    s.rate = json_number(r, {"rate_last_10s_hz"});
    s.hist = json_numbers(r, {"weights_histogram"});
    REQUIRE(s.hist.size() == bins);
    brian.push_back(s);
  }
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    network net = example("stdp_song.toml");
    net.sim.seed = seed;
    const auto o = run(net, which::cpu, 1, 100000);
    const auto& w = state_of(o, "stdp.weight");
    REQUIRE(w.size() == 1000);
    stats s;
    s.hist.assign(bins, 0.0);
    for (double x : w) {
      const double u = x / 1e-4;  // in units of w_max
      s.below += (u < 0.1) / 1000.0;
      s.above += (u > 0.9) / 1000.0;
      s.hist[std::min<std::size_t>(bins - 1, static_cast<std::size_t>(u * bins))] += 1.0;
    }
    for (const auto& e : o.spikes)
      if (e.gid == 0 && static_cast<double>(e.step) * o.dt >= 90000.0) s.rate += 0.1;  // spikes in 10 s [Hz]
    MESSAGE("Ranvier seed " << seed << ": below 0.1 " << s.below << ", above 0.9 " << s.above << ", rate " << s.rate
                            << " Hz");
    ours.push_back(s);
  }
  const stats b = mean_of(brian), r = mean_of(ours);
  MESSAGE("mean of 3 seeds: below 0.1 " << r.below << " (Brian2 " << b.below << "), above 0.9 " << r.above
                                        << " (Brian2 " << b.above << "), rate " << r.rate << " Hz (Brian2 " << b.rate
                                        << " Hz)");
  // Bimodal: far more weight near the bounds than a uniform distribution's 10 % each.
  CHECK(r.below > 0.15);
  CHECK(r.above > 0.15);
  CHECK(std::fabs(r.below - b.below) < 0.04);
  CHECK(std::fabs(r.above - b.above) < 0.04);
  CHECK(std::fabs(r.rate - b.rate) < 0.15 * b.rate);
  // The histograms: total variation distance of the mean normalised histograms.
  double tv = 0.0;
  for (std::size_t k = 0; k < bins; ++k) tv += 0.5 * std::fabs(r.hist[k] - b.hist[k]) / 1000.0;
  MESSAGE("total variation distance between the mean histograms: " << tv);
  CHECK(tv < 0.08);
}

}  // TEST_SUITE("long")
