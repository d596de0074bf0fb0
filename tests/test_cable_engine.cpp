// The CPU engine on cable cells and the pieces that came with them: results
// bit-identical for any thread count and chunking in networks that mix
// point and cable cells, spike sources with given times acting exactly at
// time + delay, receptors spread over a region by length, the Exp2Syn peak,
// records along sections, model files of cable cells.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <numbers>

#include "host/build/morphology.hpp"
#include "host/errors.hpp"
#include "host/run.hpp"
#include "support.hpp"

using namespace ranvier;
using namespace ranvier::test;

namespace {

// A network of both kinds: 48 ball-and-sticks (example ball_and_stick.toml's
// cell, spread excitation on their dendrites) and 800 Traub–Miles point
// neurons, connected both ways, driven by Poisson inputs; large enough that
// the CPU engine shares it between two threads.
network mixed_cable_network() {
  network net = example("ball_and_stick.toml");
  net.sim.duration = 60.0;
  net.populations[0].size = 48;
  auto& c = net.cells[0];
  c.receptors[0].spread = spread_rule::uniform_length;
  c.receptors[0].region.names = {"dend"};
  c.receptors[0].location = {};
  net.records.clear();
  network cob = example("cobahh.toml");
  for (auto& cell : cob.cells) net.cells.push_back(cell);
  for (auto p : cob.populations) {
    p.size /= 5;
    net.populations.push_back(p);
  }
  for (auto pr : cob.projections) {
    pr.probability = 0.1;
    net.projections.push_back(pr);
  }
  add_poisson_drive(net, "drive", 100, 40.0, "cell", "syn", 20, 0.0005, 0.002);
  add_poisson_drive(net, "drive2", 100, 40.0, "exc", "exc", 10, 0.002, 0.006);
  projection_desc up;  // point -> cable
  up.pre = "exc";
  up.post = "cell";
  up.receptor = "syn";
  up.rule = connect_rule::fixed_indegree;
  up.indegree = 10;
  up.weight = distribution::uniform(0.0005, 0.001);
  up.delay = distribution::uniform(0.5, 2.0);
  net.projections.push_back(up);
  projection_desc down;  // cable -> point
  down.pre = "cell";
  down.post = "inh";
  down.receptor = "exc";
  down.rule = connect_rule::fixed_probability;
  down.probability = 0.5;
  down.weight = distribution::constant(0.01);
  net.projections.push_back(down);
  add_record(net, "cell", "spikes");
  add_record(net, "exc", "spikes");
  record_desc r;
  r.population = "cell";
  r.variable = "v";
  r.cells = {0, 5, 23};
  r.along = "dend";
  net.records.push_back(r);
  return net;
}

}  // namespace

TEST_SUITE("engine") {

TEST_CASE("a network of point and cable cells is bit-identical for 1 and 2 threads and any chunking") {
  const network net = mixed_cable_network();
  const auto one = run(net, which::cpu, 1, 1000);
  const auto two = run(net, which::cpu, 2, 1000);
  const auto odd = run(net, which::cpu, 2, 7);
  CHECK(two.engine.find("(2 threads,") != std::string::npos);
  const auto cable_spikes = spike_times(one, "cell", 0).size() + spike_times(one, "cell", 5).size();
  MESSAGE(one.spikes.size() << " spikes, " << cable_spikes << " of two of the ball-and-sticks");
  CHECK(cable_spikes > 0);  // the cable cells take part
  for (const auto* o : {&two, &odd}) {
    REQUIRE(one.spikes.size() == o->spikes.size());
    CHECK(one.spikes == o->spikes);
    REQUIRE(one.state.size() == o->state.size());
    for (std::size_t i = 0; i < one.state.size(); ++i) {
      CAPTURE(one.state[i].name);
      CHECK(one.state[i].values == o->state[i].values);
    }
    CHECK(one.traces.at(2).values == o->traces.at(2).values);
  }
}

TEST_CASE("a spike of given time t acts at exactly t + delay") {
  // A passive point cell with an ExpSyn, fed by a spike_times source: the
  // conductance is zero until the step starting at t + delay, which steps it
  // by the weight and decays it once (the sample at t + delay + dt).
  network net = hh_cell(0.0, 0.0, 0.0, 12.0, 0.025);
  net.cells[0].receptors.push_back(receptor_desc::expsyn("syn", 2.0, 0.0));
  population_desc src;
  src.name = "src";
  src.kind = population_kind::spike_times;
  src.size = 2;
  src.spikes = {{2.0, 0}, {5.5, 1}, {5.5, 0}};
  net.populations.push_back(src);
  projection_desc p;
  p.pre = "src";
  p.post = "hh";
  p.receptor = "syn";
  p.rule = connect_rule::all_to_all;
  p.weight = distribution::constant(0.01);
  p.delay = distribution::constant(1.5);
  net.projections.push_back(p);
  add_record(net, "hh", "syn.g");
  add_record(net, "src", "spikes");
  const auto o = run(net, which::cpu);
  const auto& g = o.traces.at(2).values;  // sampled after each step: g at t = k·dt
  auto at = [&](double t) { return g[static_cast<std::size_t>(std::llround(t / 0.025))]; };
  CHECK(at(3.5) == 0.0);
  CHECK(at(3.525) == doctest::Approx(0.01 * std::exp(-0.025 / 2.0)).epsilon(1e-12));
  CHECK(at(7.0) > 0.0);
  const double before = at(7.0);
  CHECK(at(7.025) == doctest::Approx((before + 0.02) * std::exp(-0.025 / 2.0)).epsilon(1e-12));  // two spikes at 5.5
  CHECK(o.counts[o.populations[1].gid_base] == 2);
  CHECK(o.counts[o.populations[1].gid_base + 1] == 1);
  CHECK(spike_times(o, "src", 0) == std::vector<double>{2.0, 5.5});
}

TEST_CASE("spike_times populations read from a CSV file, and bad times are refused") {
  const std::string dir = std::string(RANVIER_TEST_DATA_DIR) + "/model_files/";
  network net = load_model_file(dir + "spike_file.toml");
  check(net);
  REQUIRE(net.populations[1].spikes.size() == 3);
  CHECK(net.populations[1].spikes[2].time == 7.25);
  CHECK(net.populations[1].spikes[2].index == 1);
  net.populations[1].spikes.push_back({0.01, 0});  // before the end of the first step
  const std::string msg = error_of([&] { check(net); });
  CHECK(msg.find("spike 3 of ") != std::string::npos);
  CHECK(msg.find("is at 0.01 ms; valid: times of at least one step") != std::string::npos);
}

TEST_CASE("a receptor spread over a dendrite by length spreads connections in proportion to segment length") {
  // A tapered dendrite cut into 8 segments of equal length: each gets 1/8 of
  // the connections (chi-square over 4000 connections), and the placement
  // is the same for any number of build threads.
  network net = example("ball_and_stick.toml");
  auto& c = net.cells[0];
  c.receptors[0].spread = spread_rule::uniform_length;
  c.receptors[0].region.names = {"dend"};
  c.receptors[0].location = {};
  c.morphology.discretization.type = discretization_desc::rule::nseg;
  c.morphology.discretization.nseg = 8;
  net.records.clear();  // the example records syn.i at the synapse's one place
  net.populations[1].size = 4000;
  net.populations[1].spikes.clear();
  net.populations[1].spikes.push_back({1.0, 0});
  check(net);
  const auto one = pack(net, 1), two = pack(net, 2);
  const auto& a = std::get<image<double>>(one);
  const auto& b = std::get<image<double>>(two);
  CHECK(a.target == b.target);
  std::map<std::uint32_t, int> per_target;
  for (auto t : a.target) ++per_target[t];
  REQUIRE(per_target.size() == 8);
  double chi2 = 0.0;
  for (const auto& [t, n] : per_target) chi2 += (n - 500.0) * (n - 500.0) / 500.0;
  CAPTURE(chi2);
  CHECK(chi2 < 24.3);  // 7 degrees of freedom, p = 0.001
}

TEST_CASE("an Exp2Syn event peaks at its weight") {
  // g(t) = w·factor·(e^(−t/τ2) − e^(−t/τ1)): sampled at exact steps, the
  // largest sample is within the curvature of the peak of w.
  network net = hh_cell(0.0, 0.0, 0.0, 20.0, 0.005);
  net.cells[0].receptors.push_back(receptor_desc::exp2syn("syn", 0.5, 3.0, 0.0));
  population_desc src;
  src.name = "src";
  src.kind = population_kind::spike_times;
  src.size = 1;
  src.spikes = {{1.0, 0}};
  net.populations.push_back(src);
  projection_desc p;
  p.pre = "src";
  p.post = "hh";
  p.receptor = "syn";
  p.rule = connect_rule::all_to_all;
  p.weight = distribution::constant(0.004);
  net.projections.push_back(p);
  add_record(net, "hh", "syn.g");
  add_record(net, "hh", "syn.i");
  const auto o = run(net, which::cpu);
  const auto& g = o.traces.at(2).values;
  const double peak = *std::max_element(g.begin(), g.end());
  CHECK(peak <= 0.004 * (1 + 1e-12));
  CHECK(peak > 0.004 * (1 - 1e-4));
  // i = g·(v − e) at the sampled v.
  const auto& i = o.traces.at(3).values;
  const auto& v = o.traces.at(1).values;
  for (std::size_t k = 0; k < g.size(); k += 97) CHECK(i[k] == doctest::Approx(g[k] * (v[k] - 0.0)).epsilon(1e-12));
}

TEST_CASE("model files of cable cells: the examples load, check and run") {
  for (const char* name : {"ball_and_stick.toml", "myelinated_axon.toml", "swc_neuron.toml"}) {
    CAPTURE(name);
    network net = example(name);
    net.sim.duration = 2.0;
    CHECK_NOTHROW(check(net));
    const auto o = run(net, which::cpu);
    CHECK(o.steps == std::llround(2.0 / net.sim.dt));
  }
}

TEST_CASE("a record along a section has one column per node, named by place") {
  network net = example("ball_and_stick.toml");
  net.sim.duration = 1.0;
  check(net);
  const auto img = std::get<image<double>>(pack(net, 1));
  const auto& rp = img.records.back();
  REQUIRE(rp.along == "dend");
  const std::vector<std::string> first{"0@soma(1)", "0@dend(0.03846)", "0@dend(0.1154)"};
  REQUIRE(rp.columns.size() == 15);  // start (the soma's end), 13 centres, end
  CHECK(std::vector<std::string>(rp.columns.begin(), rp.columns.begin() + 3) == first);
  CHECK(rp.columns.back() == "0@dend(1)");
}

}  // TEST_SUITE
