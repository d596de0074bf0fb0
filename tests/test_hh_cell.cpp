// Validation of the single Hodgkin–Huxley cell on the CPU reference engine:
// rest, regular firing, agreement with an independent fine-step RK4 solution
// written here, and agreement with NEURON (spike times and rheobase at the
// same dt; reference data made by tools/peers/neuron_hh.py).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "support.hpp"

using namespace ranvier;
using namespace ranvier::test;

namespace {

std::string neuron_data() { return read_text(std::string(RANVIER_TEST_DATA_DIR) + "/validation/data/neuron_hh.json"); }

// An independent solution of the HH equations: classic fourth-order
// Runge–Kutta on (V, m, h, n) with libm's exp, at a step fine enough to be
// exact for these purposes. Spike times are upward crossings of 0 mV,
// interpolated linearly within the fine step.
std::vector<double> rk4_spike_times(double density, double start, double stop, double tstop, double h) {
  using state = std::array<double, 4>;  // V [mV], m, h, n
  auto rates = [](double v) {
    auto vtrap = [](double x, double y) { return std::fabs(x / y) < 1e-9 ? y * (1 - x / y / 2) : x / (std::exp(x / y) - 1); };
    return std::array<double, 6>{0.1 * vtrap(-(v + 40), 10), 4 * std::exp(-(v + 65) / 18),
                                 0.07 * std::exp(-(v + 65) / 20), 1 / (std::exp(-(v + 35) / 10) + 1),
                                 0.01 * vtrap(-(v + 55), 10), 0.125 * std::exp(-(v + 65) / 80)};
  };
  auto f = [&](double t, const state& y) {
    const double v = y[0], m = y[1], hh = y[2], n = y[3];
    const double j = (t >= start && t < stop) ? density : 0.0;  // [µA/cm²]
    const double i_ion = 0.12 * m * m * m * hh * (v - 50) + 0.036 * n * n * n * n * (v + 77) + 0.0003 * (v + 54.3);
    const auto r = rates(v);
    return state{(j - 1000.0 * i_ion) / 1.0,  // cm = 1 µF/cm²; i_ion in mA/cm²
                 r[0] * (1 - m) - r[1] * m, r[2] * (1 - hh) - r[3] * hh, r[4] * (1 - n) - r[5] * n};
  };
  const auto r0 = rates(-65.0);
  state y{-65.0, r0[0] / (r0[0] + r0[1]), r0[2] / (r0[2] + r0[3]), r0[4] / (r0[4] + r0[5])};
  std::vector<double> spikes;
  const long n = std::lround(tstop / h);
  for (long i = 0; i < n; ++i) {
    const double t = i * h;
    auto add = [](const state& a, const state& b, double s) {
      return state{a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2], a[3] + s * b[3]};
    };
    const state k1 = f(t, y);
    const state k2 = f(t + h / 2, add(y, k1, h / 2));
    const state k3 = f(t + h / 2, add(y, k2, h / 2));
    const state k4 = f(t + h, add(y, k3, h));
    state yn;
    for (int c = 0; c < 4; ++c) yn[c] = y[c] + h / 6 * (k1[c] + 2 * k2[c] + 2 * k3[c] + k4[c]);
    if (y[0] < 0.0 && yn[0] >= 0.0) spikes.push_back(t + h * (0.0 - y[0]) / (yn[0] - y[0]));
    y = yn;
  }
  return spikes;
}

std::size_t count_spikes(double density, double dt = 0.025) {
  return spike_times(run(hh_cell(density, 10.0, 100.0, 120.0, dt), which::cpu), "hh").size();
}

}  // namespace

TEST_SUITE("validation") {

TEST_CASE("an HH cell without input stays at rest") {
  const auto o = run(hh_cell(0.0, 10.0, 100.0, 200.0), which::cpu);
  CHECK(spike_times(o, "hh").empty());
  const auto& v = o.traces.at(1).values;
  REQUIRE(v.size() == 8001);  // t = 0, 0.025, …, 200 ms
  double lo = v[0], hi = v[0];
  for (double x : v) {
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  // NEURON's hh puts the resting potential at −65 mV to within a few
  // hundredths of a mV (el = −54.3 mV was chosen for that).
  CAPTURE(lo);
  CAPTURE(hi);
  CHECK(lo > -65.1);
  CHECK(hi < -64.9);
  CHECK(std::fabs(v.back() - v[v.size() - 401]) < 1e-4);  // settled: < 0.1 µV change over the last 10 ms
}

TEST_CASE("a 10 uA/cm2 step makes an HH cell fire regularly") {
  const auto t = spike_times(run(hh_cell(10.0), which::cpu), "hh");
  REQUIRE(t.size() >= 5);
  for (double s : t) {
    CHECK(s >= 10.0);  // none before the step
    CHECK(s < 111.0);  // none after it
  }
  // Regular: after the first, the interspike intervals agree within 1 %.
  std::vector<double> isi;
  for (std::size_t i = 1; i < t.size(); ++i) isi.push_back(t[i] - t[i - 1]);
  for (std::size_t i = 1; i < isi.size(); ++i) {
    CAPTURE(i);
    CHECK(isi[i] == doctest::Approx(isi[1]).epsilon(0.01).scale(0));
  }
  // About 68 Hz at 6.3 °C (period 14.7 ms).
  CHECK(isi[1] == doctest::Approx(14.7).epsilon(0.03).scale(0));
}

TEST_CASE("the HH cell is stable from dt = 0.025 to 0.1 ms") {
  // Implicit Euler for v and exponential Euler for the gates are stable at any
  // dt; what must hold in the range the model files use: the same 7 spikes of
  // the 10 µA/cm² train, a voltage that stays physiological, rest at rest.
  for (double dt : {0.025, 0.05, 0.1}) {
    CAPTURE(dt);
    const auto o = run(hh_cell(10.0, 10.0, 100.0, 120.0, dt), which::cpu);
    CHECK(spike_times(o, "hh").size() == 7);
    const auto& v = o.traces.at(1).values;
    CHECK(*std::min_element(v.begin(), v.end()) > -80.0);
    CHECK(*std::max_element(v.begin(), v.end()) < 55.0);
    const auto rest = run(hh_cell(0.0, 10.0, 100.0, 120.0, dt), which::cpu);
    CHECK(spike_times(rest, "hh").empty());
    CHECK(std::fabs(rest.traces.at(1).values.back() + 65.0) < 0.1);
  }
}

TEST_CASE("HH spike times converge to an RK4 solution at dt = 0.001 ms, at first order") {
  // The scheme is NEURON's default (implicit Euler for v, exponential Euler for
  // the gates at the new v): first order, so every period adds an error
  // proportional to dt and the k-th spike of a train drifts by k times that.
  // NEURON itself gives the same times (next test). What must hold: the first
  // spike within one step of the RK4 solution at dt = 0.025 ms, and every
  // spike's error shrinking in proportion to dt.
  const auto ref = rk4_spike_times(10.0, 10.0, 110.0, 120.0, 0.001);
  REQUIRE(ref.size() == 7);
  auto errors = [&](double dt) {
    const auto ours = spike_times(run(hh_cell(10.0, 10.0, 100.0, 120.0, dt), which::cpu), "hh");
    REQUIRE(ours.size() == ref.size());
    std::vector<double> e;
    // Ranvier stamps a spike at the end of its step; the RK4 time is the
    // interpolated crossing. Compare the crossing's step midpoint.
    for (std::size_t i = 0; i < ref.size(); ++i) e.push_back(ours[i] - dt / 2 - ref[i]);
    return e;
  };
  const double dt = 0.025;
  const auto e1 = errors(dt);
  const auto e2 = errors(dt / 2);
  const auto e4 = errors(dt / 4);
  for (std::size_t i = 0; i < ref.size(); ++i) {
    MESSAGE("spike " << i << " RK4 " << ref[i] << " ms; error at dt " << dt << ": " << e1[i] << " ms, at dt/2: " << e2[i]
                     << " ms, at dt/4: " << e4[i] << " ms");
  }
  CHECK(std::fabs(e1[0]) <= dt);
  // First order: halving dt halves the error (within the ±dt/2 quantisation of
  // the stamped times, hence the window 1.5–2.5 on the trains' later spikes,
  // whose errors are many steps long).
  for (std::size_t i = 2; i < ref.size(); ++i) {
    CAPTURE(i);
    CHECK(e1[i] / e2[i] == doctest::Approx(2.0).epsilon(0.25).scale(0));
    CHECK(e2[i] / e4[i] == doctest::Approx(2.0).epsilon(0.25).scale(0));
  }
}

TEST_CASE("with secondorder = 2, HH spike times converge to the RK4 solution at second order") {
  // NEURON's Crank–Nicolson option: v solved over dt/2 and extrapolated, the
  // gates staggered at half steps. Spike times here are the upward crossings
  // of 0 mV interpolated in the voltage trace (every step), so that they are
  // not rounded to the step. Second order: halving dt quarters the error, and
  // at dt = 0.025 ms every spike of the train is within one step of RK4.
  const auto ref = rk4_spike_times(10.0, 10.0, 110.0, 120.0, 0.001);
  REQUIRE(ref.size() == 7);
  auto errors = [&](double dt) {
    network net = hh_cell(10.0, 10.0, 100.0, 120.0, dt);
    net.sim.secondorder = 2;
    const auto o = run(net, which::cpu);
    const auto& v = o.traces.at(1).values;
    std::vector<double> t;
    for (std::size_t k = 1; k < v.size(); ++k)
      if (v[k - 1] < 0.0 && v[k] >= 0.0) t.push_back(dt * (k - 1 + (0.0 - v[k - 1]) / (v[k] - v[k - 1])));
    REQUIRE(t.size() == ref.size());
    std::vector<double> e;
    for (std::size_t i = 0; i < ref.size(); ++i) e.push_back(t[i] - ref[i]);
    return e;
  };
  const double dt = 0.025;
  const auto e1 = errors(2 * dt), e2 = errors(dt), e4 = errors(dt / 2);
  for (std::size_t i = 0; i < ref.size(); ++i) {
    MESSAGE("spike " << i << " RK4 " << ref[i] << " ms; error at dt " << 2 * dt << ": " << e1[i] << " ms, at "
                     << dt << ": " << e2[i] << " ms, at " << dt / 2 << ": " << e4[i] << " ms");
    CAPTURE(i);
    CHECK(std::fabs(e2[i]) < dt);
  }
  for (std::size_t i = 0; i < ref.size(); ++i) {
    CAPTURE(i);
    CHECK(e1[i] / e2[i] == doctest::Approx(4.0).epsilon(0.25).scale(0));
    CHECK(e2[i] / e4[i] == doctest::Approx(4.0).epsilon(0.25).scale(0));
  }
}

TEST_CASE("HH spike times match NEURON's at the same dt, step for step") {
  const std::string data = neuron_data();
  const double dt = json_number(data, {"dt_ms"});
  const auto neuron = json_numbers(data, {"spike_times_J10_ms"});
  const auto ours = spike_times(run(hh_cell(10.0, 10.0, 100.0, 120.0, dt), which::cpu), "hh");
  REQUIRE(ours.size() == neuron.size());
  // Same scheme (implicit Euler for v, exponential Euler for the gates at the
  // new v): the crossing falls in the same step. NEURON stamps a spike with the
  // time at the end of that step, as Ranvier does.
  for (std::size_t i = 0; i < ours.size(); ++i) {
    CAPTURE(i);
    CHECK(std::fabs(ours[i] - neuron[i]) < dt / 2);
  }
}

TEST_CASE("HH rheobase for a 100 ms step is within 0.1 uA/cm2 of NEURON's") {
  const std::string data = neuron_data();
  const double dt = json_number(data, {"dt_ms"});
  const double neuron = json_number(data, {"rheobase_uA_per_cm2"});
  // Bisection on [0, 20] µA/cm² to 1e-3 µA/cm²: lo never fires, hi does.
  double lo = 0.0, hi = 20.0;
  REQUIRE(count_spikes(lo, dt) == 0);
  REQUIRE(count_spikes(hi, dt) > 0);
  while (hi - lo > 1e-3) {
    const double mid = 0.5 * (lo + hi);
    (count_spikes(mid, dt) > 0 ? hi : lo) = mid;
  }
  const double ours = 0.5 * (lo + hi);
  MESSAGE("rheobase: ranvier " << ours << " uA/cm2, NEURON " << neuron << " uA/cm2");
  CHECK(std::fabs(ours - neuron) <= 0.1);
}

}  // TEST_SUITE
