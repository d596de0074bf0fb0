// The CPU engine on cable cells and the pieces that came with them: results
// bit-identical for any thread count and chunking in networks that mix
// point and cable cells, spike sources with given times acting exactly at
// time + delay, receptors spread over a region by length, the Exp2Syn peak,
// records along sections, model files of cable cells.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numbers>

#include "core/cable/cable_cell.hpp"
#include "host/build/morphology.hpp"
#include "host/errors.hpp"
#include "host/io/spike_file.hpp"
#include "host/io/text.hpp"
#include "host/model/model_file.hpp"
#include "host/run.hpp"
#include "support.hpp"

using namespace ranvier;
using namespace ranvier::test;


TEST_SUITE("engine") {

TEST_CASE("a network of point and cable cells is bit-identical for 1 and 2 threads and any chunking") {
  const network net = cable_network();
  const auto one = run(net, which::cpu, 1, 1000);
  const auto two = run(net, which::cpu, 2, 1000);
  const auto odd = run(net, which::cpu, 2, 7);
  CHECK(two.engine.find("(2 threads,") != std::string::npos);
  const auto cable_spikes = spike_times(one, "cell", 0).size() + spike_times(one, "cell", 5).size();
  MESSAGE(one.spikes.size() << " spikes, " << cable_spikes << " of two of the ball-and-sticks");
  CHECK(cable_spikes > 0);  // the cable cells take part
  REQUIRE(one.traces.at(4).values.size() > 0);  // v along the dendrites: the traces compared hold samples
  for (const auto* o : {&two, &odd}) check_identical(one, *o);
}

TEST_CASE("the CPU engine's block layout of cable groups leaves results bit-identical") {
  // Cable groups are laid out in blocks of 1 to 16 cells (the SIMD width of
  // the solver's loops); 48 cells make full blocks for 1, 8 and 16 and a
  // part block for 5. Every layout gives the same spikes, traces and state,
  // in the model's canonical order.
  const network net = cable_network();
  const auto base = run(net, which::cpu, 1, 1000, 1);
  REQUIRE(base.spikes.size() > 0);
  for (std::uint32_t block : {5u, 8u, 16u, 0u}) {
    CAPTURE(block);
    check_identical(base, run(net, which::cpu, 2, 333, block));
  }
  CHECK_THROWS_WITH_AS(run(net, which::cpu, 1, 1000, 17), doctest::Contains("at most 16"), internal_error);
}

TEST_CASE("a spike of given time t acts at exactly t + delay") {
  // A passive point cell with an ExpSyn, fed by a spike_times source: the
  // conductance is zero until the step starting at t + delay, which steps it
  // by the weight and decays it once (the sample at t + delay + dt).
  network net = hh_cell(0.0, 0.0, 0.0, 12.0, 0.025);
  net.cells[0].receptors.push_back(receptor_desc::expsyn("syn", 2.0, 0.0));
  add_spike_source(net, "src", 2, {{2.0, 0}, {5.5, 1}, {5.5, 0}}, "hh", "syn", 0.01, 1.5);
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
  auto& in = net.populations[1];
  REQUIRE(in.spikes.size() == 3);
  CHECK(in.spikes[2].time == 7.25);
  CHECK(in.spikes[2].index == 1);
  CHECK(in.spikes[2].line == 5);
  // A spike of the file is reported at its line, one added in C++ by its
  // entry in spikes.
  in.spikes[2].time = 0.01;         // before the end of the first step
  in.spikes.push_back({2.0, 5, 0});  // no source 5
  std::string msg = error_of([&] { check(net); });
  CHECK(msg.find("spike_file.csv:5: the spike is at 0.01 ms; valid: times of at least one step") != std::string::npos);
  CHECK(msg.find("spikes[3] is of source 5, outside [0, 2)") != std::string::npos);
  // Many bad spikes: five reported, the rest counted.
  in.spikes.assign(12, {-1.0, 0, 0});
  msg = error_of([&] { check(net); });
  CHECK(msg.find("spikes[4] is at -1.0 ms") != std::string::npos);
  CHECK(msg.find("spikes[5]") == std::string::npos);
  CHECK(msg.find("7 more spikes are wrong") != std::string::npos);
  // Times for every source are kept once, not once a source: a population
  // too large for them is refused, not built.
  in.spikes.clear();
  in.size = 2'000'000'000;
  in.times.assign(1000, 1.0);
  msg = error_of([&] { check(net); });
  CHECK(msg.find("at most 1000000000 spikes a population") != std::string::npos);
  // A byte-order mark before the header (a spreadsheet's "CSV UTF-8") is not part of it.
  const auto bom = parse_spike_file("\xEF\xBB\xBFtime_ms,index\n1.0,0\n", "bom.csv");
  REQUIRE(bom.size() == 1);
  CHECK(bom[0].time == 1.0);
  // A file that cannot be opened: named after the key that names it, with where it was looked for.
  std::string text = read_text_file(dir + "spike_file.toml", "model file");
  const auto at = text.find("file = \"spike_file.csv\"");
  REQUIRE(at != std::string::npos);
  text.replace(at, 23, "file = \"no_such.csv\"");
  msg = error_of([&] { parse_model(text, dir + "spike_file.toml"); });
  CAPTURE(msg);
  CHECK(contains(msg, "spike_file.toml:27:8: population[1] 'input'.file: "));
  CHECK(contains(msg, "no_such.csv: cannot open the spike file: No such file or directory (looked for /"));
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
  add_spike_source(net, "src", 1, {{1.0, 0}}, "hh", "syn", 0.004);
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

TEST_CASE("model files of cable cells: the examples run, every cell fires, every trace is whole and physiological") {
  for (const char* name : {"ball_and_stick.toml", "myelinated_axon.toml", "swc_neuron.toml", "active_dendrite.toml"}) {
    CAPTURE(name);
    const network net = example(name);
    const auto o = run(net, which::cpu);
    for (const auto& p : o.populations) {
      if (net.populations[&p - o.populations.data()].kind != population_kind::cell) continue;
      CAPTURE(p.name);
      for (std::uint32_t c = 0; c < p.size; ++c) CHECK(o.counts.at(p.gid_base + c) > 0);
    }
    for (std::size_t r = 0; r < net.records.size(); ++r) {
      const auto& rd = net.records[r];
      if (rd.variable == "spikes") continue;
      CAPTURE(rd.population + "." + rd.variable);
      const auto& tb = o.traces.at(r);
      const auto every = rd.interval > 0.0 ? std::llround(rd.interval / o.dt) : 1;
      REQUIRE(tb.steps.size() == static_cast<std::size_t>(o.steps / every + 1));
      REQUIRE(tb.values.size() % tb.steps.size() == 0);
      for (double x : tb.values) {
        REQUIRE(std::isfinite(x));
        if (rd.variable == "v") {
          CHECK(x > -100.0);
          CHECK(x < 70.0);
        }
      }
    }
    if (std::string(name) == "swc_neuron.toml") {
      // The inputs fire the pyramidal cell repetitively (not once, then
      // spikes that stay below the detector), and the step from 100 ms
      // fires it faster.
      const auto t = spike_times(o, "pyr");
      const auto before = std::count_if(t.begin(), t.end(), [](double x) { return x < 100.0; });
      CHECK(before >= 4);
      CHECK(static_cast<std::ptrdiff_t>(t.size()) - before > before);
    }
    if (std::string(name) == "active_dendrite.toml") {
      // The tuft's step (70-75 ms) fires a Ca spike: above 0 mV, above
      // -20 mV for longer than the step, [Ca]i up severalfold, and the
      // soma fires from it.
      const auto& tuft = o.traces.at(3);  // v at tuft(0.5)
      const auto& cai = o.traces.at(4);   // [Ca]i there
      double peak = -1e9, above = 0.0, ca0 = 0.0, ca = 0.0;
      for (std::size_t k = 0; k < tuft.steps.size(); ++k) {
        const double t = static_cast<double>(tuft.steps[k]) * o.dt;
        if (t < 70.0 - 1e-9 || t >= 100.0) continue;
        peak = std::max(peak, tuft.values[k]);
        above += tuft.values[k] > -20.0 ? o.dt : 0.0;
        if (ca0 == 0.0) ca0 = cai.values[k];
        ca = std::max(ca, cai.values[k]);
      }
      CHECK(peak > 0.0);
      CHECK(above > 6.0);
      CHECK(ca > 3.0 * ca0);
      const auto t = spike_times(o, "cell");
      CHECK(std::count_if(t.begin(), t.end(), [](double x) { return x > 70.0 && x < 90.0; }) == 1);
    }
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

TEST_SUITE("engine") {

// kernels/advance.cu runs core::cable_step with W = 1 per thread, the state
// in one block of all cells and the scratch of all cells interleaved (node
// i of cell k at i·ncells + k), two scratch arrays a node or, where a
// mechanism carries Ca²⁺ current, four (kernels/README.md); the CPU engine
// runs it with W = 16 lanes, the state in blocks of 16 cells (the last
// narrower) and a per-thread scratch. Emulating the kernel's calls here
// checks, without a GPU, that the two give the same arithmetic on every
// cell of every cable group of `net`, and that no call writes another
// cell's scratch (a race on the GPU). Returns the spikes counted.
template <class T>
std::size_t check_kernel_emulation(const network& net) {
  const auto cpu = run(net, which::cpu, 1);
  CHECK(cpu.engine.find("(1 thread,") != std::string::npos);
  image<T> img = std::get<image<T>>(pack(net, 1));
  std::vector<std::int64_t> ring(static_cast<std::size_t>(img.ring_depth) * img.ntargets, 0);
  std::vector<std::int64_t> ends(img.pulse.empty() ? 0 : ring.size(), 0);  // the pulse ring, as the engines keep it
  std::size_t spikes = 0;
  for (auto& g : img.groups) {
    REQUIRE(g.cable);
    CAPTURE(g.cell_type);
    const auto view = g.cable_view();
    const std::size_t n = static_cast<std::size_t>(g.nnodes) * g.ncells;
    std::vector<T> scratch((view.has_ca ? 4 : 2) * n);  // as the CUDA engine allocates it
    core::cable_scratch<T> S{scratch.data(), scratch.data() + n, view.has_ca ? scratch.data() + 2 * n : nullptr,
                             view.has_ca ? scratch.data() + 3 * n : nullptr, g.ncells, 0};
    std::size_t foreign_writes = 0;
    for (std::int64_t step = 0; step < img.nsteps; ++step) {
      const std::size_t row = static_cast<std::size_t>(step % img.ring_depth) * img.ntargets;
      const core::step_ctx ctx{step, ring.data() + row, ends.empty() ? nullptr : ends.data() + row};
      for (std::uint32_t c = 0; c < g.ncells; ++c) {
        S.base = c;
        const std::vector<T> before = step < 10 ? scratch : std::vector<T>();
        core::cable_step<core::deterministic_math, T, 1>(view, ctx, c, 1, S, [](std::uint32_t) {});
        if (step < 10)
          for (std::size_t i = 0; i < scratch.size(); ++i)
            if (i % g.ncells != c && std::memcmp(&scratch[i], &before[i], sizeof(T)) != 0) ++foreign_writes;
      }
    }
    CHECK(foreign_writes == 0);
    for (auto k : g.spike_count) spikes += k;
    check_group_state(g, cpu);
  }
  std::size_t cpu_spikes = 0;
  for (auto k : cpu.counts) cpu_spikes += k;
  CHECK(spikes == cpu_spikes);
  return spikes;
}

TEST_CASE_TEMPLATE("the CUDA kernel's call of the cable step (one cell, interleaved scratch) gives the CPU engine's bits",
                   T, float, double) {
  const precision prec = precision_of(T{});
  SUBCASE("calcium: four scratch arrays") {
    network net = example("active_dendrite.toml");
    net.sim.duration = 25.0;
    net.sim.prec = prec;
    net.populations[0].size = 40;  // the CPU engine's layout: blocks of 16, 16 and 8 cells
    net.stimuli[0].amp = {0.6};
    net.cells[0].init["v"] = distribution::uniform(-75.0, -65.0);  // every cell its own trajectory
    check(net);
    REQUIRE(std::get<image<T>>(pack(net, 1)).groups.at(0).cable_view().has_ca);
    CHECK(check_kernel_emulation<T>(net) > 5);
  }
  SUBCASE("no calcium: two scratch arrays, no Ca²⁺ current") {
    network net = example("myelinated_axon.toml");
    net.sim.prec = prec;
    net.measures.clear();
    for (auto& p : net.populations) p.size = 20;
    for (auto& c : net.cells) c.init["v"] = distribution::uniform(-70.0, -62.0);
    check(net);
    auto img = std::get<image<T>>(pack(net, 1));
    for (auto& g : img.groups) REQUIRE(!g.cable_view().has_ca);
    CHECK(check_kernel_emulation<T>(net) >= 40);  // every axon fires at least once
  }
}

}  // TEST_SUITE
