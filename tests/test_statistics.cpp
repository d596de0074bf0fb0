// Two-level statistical tests of the random parts: for each of many seeds a
// chi-square goodness-of-fit test of what was drawn against its exact
// distribution, then a Kolmogorov–Smirnov test that the seeds' p-values are
// uniform on [0, 1]. A generator that is slightly off in every seed passes
// each chi-square but fails the second level; one that is right passes both
// (a false alarm at the thresholds below: 1 in 10^4 per test).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "host/pack/image.hpp"
#include "support.hpp"

using namespace ranvier;
using namespace ranvier::test;

namespace {

// ln Γ(a) for a > 0: Stirling's series after shifting a above 20 with
// Γ(a + 1) = a·Γ(a).
double ln_gamma(double a) {
  double shift = 0.0;
  while (a < 20.0) {  // the series's next term, 1/(1188·a^9), is then below 2e-15
    shift -= std::log(a);
    a += 1.0;
  }
  const double z = 1.0 / (a * a);
  return shift + (a - 0.5) * std::log(a) - a + 0.5 * std::log(2.0 * M_PI) +
         (1.0 / 12.0 - z * (1.0 / 360.0 - z * (1.0 / 1260.0 - z / 1680.0))) / a;
}

// Q(a, x) = Γ(a, x)/Γ(a), the regularised upper incomplete gamma function:
// by its power series for x < a + 1, else by its continued fraction
// (evaluated with the modified Lentz method).
double upper_gamma_q(double a, double x) {
  if (x <= 0.0) return 1.0;
  const double front = std::exp(-x + a * std::log(x) - ln_gamma(a));
  if (x < a + 1.0) {
    double term = 1.0 / a, sum = term;
    for (int n = 1; n < 10000 && std::fabs(term) > 1e-16 * std::fabs(sum); ++n) {
      term *= x / (a + n);
      sum += term;
    }
    return 1.0 - front * sum;
  }
  const double tiny = 1e-300;
  double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
  for (int i = 1; i < 10000; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < 1e-15) break;
  }
  return front * h;
}

// The p-value of a chi-square statistic with k degrees of freedom.
double chi_square_p(double chi2, int k) { return upper_gamma_q(0.5 * k, 0.5 * chi2); }

// Chi-square of observed counts against expected probabilities over n
// draws, bins with an expected count below 5 merged with their neighbour
// (from the top down); its p-value.
double chi_square_test(const std::vector<double>& observed, const std::vector<double>& prob, double n) {
  std::vector<double> o, e;
  double oc = 0, ec = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    oc += observed[i];
    ec += prob[i] * n;
    if (ec >= 5.0) {
      o.push_back(oc);
      e.push_back(ec);
      oc = ec = 0;
    }
  }
  if (!e.empty()) {
    o.back() += oc;
    e.back() += ec;
  }
  double chi2 = 0;
  for (std::size_t i = 0; i < o.size(); ++i) chi2 += (o[i] - e[i]) * (o[i] - e[i]) / e[i];
  return chi_square_p(chi2, static_cast<int>(o.size()) - 1);
}

// The p-value of the Kolmogorov–Smirnov test that `u` is uniform on [0, 1]
// (the asymptotic distribution with Stephens' small-sample correction).
double ks_uniform_p(std::vector<double> u) {
  std::sort(u.begin(), u.end());
  const double n = static_cast<double>(u.size());
  double d = 0;
  for (std::size_t i = 0; i < u.size(); ++i)
    d = std::max({d, (i + 1) / n - u[i], u[i] - i / n});
  const double lambda = (std::sqrt(n) + 0.12 + 0.11 / std::sqrt(n)) * d;
  double p = 0;
  for (int k = 1; k <= 100; ++k) p += 2.0 * ((k % 2) ? 1.0 : -1.0) * std::exp(-2.0 * k * k * lambda * lambda);
  return std::clamp(p, 0.0, 1.0);
}

// Binomial(n, p) probabilities of 0 … n, by the recursion from the mode's side in logs.
std::vector<double> binomial_pmf(int n, double p) {
  std::vector<double> pmf(n + 1);
  for (int k = 0; k <= n; ++k)
    pmf[k] = std::exp(ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0) + k * std::log(p) +
                      (n - k) * std::log1p(-p));
  return pmf;
}

constexpr int seeds = 40;
constexpr double false_alarm = 1e-4;  // each test's false-alarm rate

}  // namespace

TEST_SUITE("unit") {

TEST_CASE("the statistics' own functions: chi-square and KS p-values against known values") {
  CHECK(chi_square_p(3.841458820694124, 1) == doctest::Approx(0.05).epsilon(1e-9).scale(0));
  CHECK(chi_square_p(18.307038053275146, 10) == doctest::Approx(0.05).epsilon(1e-9).scale(0));
  CHECK(chi_square_p(124.34211340400407, 100) == doctest::Approx(0.05).epsilon(1e-9).scale(0));
  CHECK(chi_square_p(2.0, 2) == doctest::Approx(std::exp(-1.0)).epsilon(1e-12).scale(0));
  // KS: p = 0.05 at λ = 1.3581 (asymptotic); equally spaced values are
  // perfectly uniform (p = 1), all at one end are not (p ~ 0).
  std::vector<double> even, bunched;
  for (int i = 0; i < 100; ++i) {
    even.push_back((i + 0.5) / 100.0);
    bunched.push_back(0.01 * i / 100.0);
  }
  CHECK(ks_uniform_p(even) > 0.999);
  CHECK(ks_uniform_p(bunched) < 1e-10);
}

}  // TEST_SUITE

TEST_SUITE("connectivity") {

TEST_CASE("two-level: Poisson generators' counts are Binomial(steps, 1 - e^(-rate dt)) in every seed") {
  // 1000 generators at 20 Hz for 1 s at dt = 0.1 ms: each cell's count is
  // Binomial(10000, 1 − e^(−0.002)), whatever the seed.
  const int steps = 10000;
  const double rate = 20.0, dt = 0.1;
  const auto pmf = binomial_pmf(steps, -std::expm1(-rate * dt * 1e-3));
  // The same test against a rate 2 % off must reject: the test has power.
  const auto pmf_off = binomial_pmf(steps, -std::expm1(-1.02 * rate * dt * 1e-3));
  std::vector<double> p_values, p_off;
  for (int seed = 1; seed <= seeds; ++seed) {
    network net = poisson_net(1000, rate, 0.0, 1000.0, 1000.0, dt);
    net.sim.seed = static_cast<std::uint64_t>(seed);
    const auto o = run(net, which::cpu);
    std::vector<double> hist(steps + 1, 0.0);
    for (std::uint32_t c = 0; c < 1000; ++c) hist[o.counts.at(c)] += 1;
    p_values.push_back(chi_square_test(hist, pmf, 1000.0));
    p_off.push_back(chi_square_test(hist, pmf_off, 1000.0));
  }
  CHECK(ks_uniform_p(p_off) < false_alarm);
  const double ks = ks_uniform_p(p_values);
  MESSAGE("Poisson counts: KS p-value of " << seeds << " chi-square p-values " << ks << ", smallest p "
                                           << *std::min_element(p_values.begin(), p_values.end()));
  CHECK(*std::min_element(p_values.begin(), p_values.end()) > false_alarm / seeds);
  CHECK(ks > false_alarm);
}

TEST_CASE("two-level: Poisson generators' intervals are geometric in every seed") {
  // The steps between successive spikes of one generator: Geometric(q), q = 1 − e^(−rate dt).
  const double rate = 50.0, dt = 0.1;
  const double q = -std::expm1(-rate * dt * 1e-3);
  std::vector<double> p_values;
  for (int seed = 1; seed <= seeds; ++seed) {
    network net = poisson_net(200, rate, 0.0, 1000.0, 1000.0, dt);
    net.sim.seed = static_cast<std::uint64_t>(100 + seed);
    const auto o = run(net, which::cpu);
    std::vector<std::vector<std::int64_t>> per(200);
    for (const auto& s : o.spikes) per.at(s.gid).push_back(s.step);
    const int max_k = 2000;
    std::vector<double> hist(max_k + 1, 0.0), prob(max_k + 1, 0.0);
    double n = 0;
    for (const auto& t : per)
      for (std::size_t i = 1; i < t.size(); ++i) {
        hist[std::min<std::int64_t>(max_k, t[i] - t[i - 1])] += 1;
        n += 1;
      }
    // P(interval = k) = (1 − q)^(k−1)·q for k >= 1; the last bin takes the tail.
    double tail = 1.0;
    for (int k = 1; k < max_k; ++k) {
      prob[k] = std::pow(1.0 - q, k - 1) * q;
      tail -= prob[k];
    }
    prob[max_k] = tail;
    p_values.push_back(chi_square_test(hist, prob, n));
  }
  const double ks = ks_uniform_p(p_values);
  MESSAGE("Poisson intervals: KS p-value " << ks);
  CHECK(*std::min_element(p_values.begin(), p_values.end()) > false_alarm / seeds);
  CHECK(ks > false_alarm);
}

TEST_CASE("two-level: fixed-probability in-degrees are Binomial(pre, p) in every seed") {
  std::vector<double> p_values;
  const int pre = 500, post = 2000;
  const double p = 0.05;
  const auto pmf = binomial_pmf(pre, p);
  for (int seed = 1; seed <= seeds; ++seed) {
    network net = poisson_net(pre, 1.0, 0.0, 1.0, 1.0);
    // One target population of LIF cells, fixed_probability from the sources.
    add_model_population(net, "lif_cell", "lif", {}, {receptor_desc::exp_current("in", 2.0)}, "cells", post);
    projection_desc pr = projection(net.populations[0].name, "cells", "in");
    pr.rule = connect_rule::fixed_probability;
    pr.probability = p;
    pr.weight = distribution::constant(0.01);
    net.projections = {pr};
    net.sim.seed = static_cast<std::uint64_t>(200 + seed);
    const any_image img = pack(net, 1);
    std::vector<double> indegree(post, 0.0);
    std::visit(
        [&](const auto& im) {
          for (auto t : im.target) indegree.at(t - im.groups.at(0).receptors.at(0).target_base) += 1;
        },
        img);
    std::vector<double> hist(pre + 1, 0.0);
    for (double k : indegree) hist[static_cast<std::size_t>(k)] += 1;
    p_values.push_back(chi_square_test(hist, pmf, post));
  }
  const double ks = ks_uniform_p(p_values);
  MESSAGE("fixed_probability in-degrees: KS p-value " << ks);
  CHECK(*std::min_element(p_values.begin(), p_values.end()) > false_alarm / seeds);
  CHECK(ks > false_alarm);
}

}  // TEST_SUITE
