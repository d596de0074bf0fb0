// Validation of the COBAHH benchmark network (examples/cobahh.toml) on the CPU
// engine: self-sustained, asynchronous, irregular activity for a second, with
// mean rates and irregularity compared to Brian2's for the same model
// (reference data from tools/peers/brian2_cobahh.py, five seeds).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "support.hpp"

using namespace ranvier;
using namespace ranvier::test;

namespace {

struct activity {
  double rate_exc = 0, rate_inh = 0;  // [Hz] over the whole second
  double min_bin_rate = 0;            // [Hz] lowest population rate in any 100 ms bin
  double rate_last = 0;               // [Hz] in the last 200 ms
  double bin_cv = 0;                  // CV of the population spike count in 1 ms bins, t >= 200 ms
  double isi_cv = 0;                  // mean CV of the interspike intervals (cells with >= 3 spikes)
};

activity measure(const outcome& o) {
  activity a;
  const auto& pe = o.populations.at(0);
  const auto& pi = o.populations.at(1);
  REQUIRE(pe.name == "exc");
  REQUIRE(pi.name == "inh");
  const std::uint32_t n = pe.size + pi.size;
  std::vector<double> bins100(10, 0), bins1(800, 0);
  std::vector<std::vector<double>> per_cell(n);
  double exc = 0, inh = 0, last = 0;
  for (const auto& s : o.spikes) {
    const double t = static_cast<double>(s.step) * o.dt;
    const bool is_exc = s.gid >= pe.gid_base && s.gid < pe.gid_base + pe.size;
    (is_exc ? exc : inh) += 1;
    const std::uint32_t cell = is_exc ? s.gid - pe.gid_base : pe.size + s.gid - pi.gid_base;
    per_cell[cell].push_back(t);
    bins100[std::min<std::size_t>(9, static_cast<std::size_t>(t / 100.0))] += 1;
    if (t > 200.0) bins1[std::min<std::size_t>(799, static_cast<std::size_t>(t - 200.0))] += 1;
    if (t > 800.0) last += 1;
  }
  a.rate_exc = exc / pe.size;
  a.rate_inh = inh / pi.size;
  a.min_bin_rate = *std::min_element(bins100.begin(), bins100.end()) / n / 0.1;
  a.rate_last = last / n / 0.2;
  const double mean = std::accumulate(bins1.begin(), bins1.end(), 0.0) / bins1.size();
  double var = 0;
  for (double b : bins1) var += (b - mean) * (b - mean);
  a.bin_cv = std::sqrt(var / bins1.size()) / mean;
  double cv_sum = 0;
  int cells = 0;
  for (const auto& t : per_cell) {
    if (t.size() < 3) continue;
    std::vector<double> isi;
    for (std::size_t i = 1; i < t.size(); ++i) isi.push_back(t[i] - t[i - 1]);
    const double m = std::accumulate(isi.begin(), isi.end(), 0.0) / isi.size();
    double v = 0;
    for (double x : isi) v += (x - m) * (x - m);
    cv_sum += std::sqrt(v / isi.size()) / m;
    ++cells;
  }
  a.isi_cv = cv_sum / cells;
  return a;
}

}  // namespace

TEST_SUITE("validation") {

TEST_CASE("COBAHH: self-sustained asynchronous irregular activity at Brian2's rates") {
  const std::string brian = read_text(std::string(RANVIER_TEST_DATA_DIR) + "/validation/data/brian2_cobahh.json");
  const double b_exc = json_number(brian, {"summary", "exc_rate_hz", "mean"});
  const double b_inh = json_number(brian, {"summary", "inh_rate_hz", "mean"});
  const double b_cv = json_number(brian, {"summary", "exc_mean_isi_cv", "mean"});

  network net = example("cobahh.toml");
  REQUIRE(net.sim.duration == 1000.0);
  double exc = 0, inh = 0, cv = 0;
  const int seeds = 3;
  for (int seed = 1; seed <= seeds; ++seed) {
    net.sim.seed = static_cast<std::uint64_t>(seed);
    const activity a = measure(run(net, which::cpu, 2));
    MESSAGE("seed " << seed << ": exc " << a.rate_exc << " Hz, inh " << a.rate_inh << " Hz, lowest 100 ms bin "
                    << a.min_bin_rate << " Hz, last 200 ms " << a.rate_last << " Hz, 1 ms bin CV " << a.bin_cv
                    << ", ISI CV " << a.isi_cv);
    // Self-sustained: no external input after t = 0, yet every 100 ms bin of
    // the second stays active, and the last 200 ms as active as the whole.
    CHECK(a.min_bin_rate > 10.0);
    CHECK(a.rate_last > 0.7 * (a.rate_exc * 0.8 + a.rate_inh * 0.2));
    // Asynchronous: the population count in 1 ms bins fluctuates little
    // (Brian2: CV 0.13–0.16; a population oscillation gives CV near 1).
    CHECK(a.bin_cv < 0.4);
    // Irregular: single cells fire with ISI CV above 1 (Poisson: 1).
    CHECK(a.isi_cv > 1.0);
    exc += a.rate_exc / seeds;
    inh += a.rate_inh / seeds;
    cv += a.isi_cv / seeds;
  }
  MESSAGE("mean of " << seeds << " seeds: exc " << exc << " Hz (Brian2 " << b_exc << "), inh " << inh << " Hz (Brian2 "
                     << b_inh << "), ISI CV " << cv << " (Brian2 " << b_cv << ")");
  // Tolerance 15 %. The rate of this chaotic network depends on the
  // realisation: across seeds Brian2's exc rate has sd 1.6 Hz (4 %) and
  // Ranvier's 2.5 Hz, so a mean of 3 seeds against a mean of 5 has a standard
  // error near 1.6 Hz (4 %). The rest is the method, which the two simulators
  // do not share: Brian2 integrates every variable by exponential Euler from
  // the old state, applies a spike in the next step and thresholds a level;
  // Ranvier uses NEURON's implicit Euler with staggered gates, applies a spike
  // one step (the minimum delay) later and detects upward crossings. With
  // the same seed-independent statistics that difference measured 4–6 % at
  // dt = 0.1 ms (10 Ranvier seeds against 5 Brian2 seeds).
  CHECK(exc == doctest::Approx(b_exc).epsilon(0.15).scale(0));
  CHECK(inh == doctest::Approx(b_inh).epsilon(0.15).scale(0));
  CHECK(cv == doctest::Approx(b_cv).epsilon(0.15).scale(0));
}

}  // TEST_SUITE

TEST_SUITE("validation") {

TEST_CASE("fast mode gives COBAHH's rates, irregularity and asynchrony of deterministic mode, over seeds") {
  // The two modes diverge spike by spike in this chaotic network, so they are
  // compared as distributions over 5 seeds (each seed: its own connectivity
  // and initial state, the same in both modes): for each statistic the means
  // must agree within 3 standard errors of their difference (the seeds' own
  // spread) and within 10 %.
  network net = example("cobahh.toml");
  const int seeds = 5;
  for (const auto prec : {precision::double_, precision::single}) {
    net.sim.prec = prec;
    std::vector<activity> det, fast;
    for (int seed = 1; seed <= seeds; ++seed) {
      net.sim.seed = static_cast<std::uint64_t>(seed);
      net.sim.mode = arith_mode::deterministic;
      det.push_back(measure(run(net, which::cpu, 2)));
      net.sim.mode = arith_mode::fast;
      fast.push_back(measure(run(net, which::cpu, 2)));
    }
    const auto compare = [&](const std::string what, double activity::*field) {
      const auto stats = [&](const std::vector<activity>& v) {
        double m = 0, s = 0;
        for (const auto& a : v) m += a.*field / v.size();
        for (const auto& a : v) s += (a.*field - m) * (a.*field - m) / (v.size() - 1);
        return std::pair{m, s};
      };
      const auto [md, vd] = stats(det);
      const auto [mf, vf] = stats(fast);
      const double se = std::sqrt(vd / seeds + vf / seeds);
      MESSAGE(std::string(to_string(prec)) << " " << what << ": deterministic " << md << " (sd " << std::sqrt(vd) << "), fast " << mf
                              << " (sd " << std::sqrt(vf) << "), difference " << mf - md << " = "
                              << (se > 0 ? (mf - md) / se : 0.0) << " standard errors");
      CHECK(std::fabs(mf - md) <= 3.0 * se);
      CHECK(std::fabs(mf - md) <= 0.10 * std::fabs(md));
    };
    compare("exc rate [Hz]", &activity::rate_exc);
    compare("inh rate [Hz]", &activity::rate_inh);
    compare("ISI CV", &activity::isi_cv);
    compare("1 ms population count CV (synchrony)", &activity::bin_cv);
  }
}

}  // TEST_SUITE
