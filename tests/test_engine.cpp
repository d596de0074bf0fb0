// The CPU reference engine: synaptic delivery timing and kinetics, Poisson
// generators, clamps, recording, bit-identical results for any thread count
// and chunking, the precisions and the fast mode, and the run driver's
// outputs (written whole or not at all).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <csignal>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <variant>
#include <filesystem>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "core/delay_runs.hpp"
#include "core/dmath.hpp"
#include "host/engines/batch_pipeline.hpp"
#include "host/engines/engine.hpp"
#include "host/engines/spike_order.hpp"
#include "host/engines/static_rows.hpp"
#include "host/errors.hpp"
#include "host/estimate.hpp"
#include "host/model/check.hpp"
#include "host/pack/image.hpp"
#include "host/run.hpp"
#include "support.hpp"

using namespace ranvier;
using namespace ranvier::test;

namespace {

// A driven HH cell "src" projecting onto a passive cell "dst" through one
// connection of weight w [µS] and delay d [ms]; dst's receptor conductance is
// recorded every step.
network pair_network(double w, double d) {
  network net = hh_cell(10.0, 5.0, 40.0, 30.0, 0.025);
  net.populations[0].name = "src";
  net.stimuli[0].population = "src";
  net.records.clear();
  cell_desc passive;
  passive.name = "passive";
  passive.area = 500.0;
  mechanism_desc leak;
  leak.kind = "leak";
  leak.name = "leak";
  leak.params["g"] = 1e-4;
  leak.params["e"] = -70.0;
  passive.mechanisms.push_back(leak);
  passive.receptors.push_back(receptor_desc::expsyn("ampa", 2.0, 0.0));
  passive.init["v"] = distribution::constant(-70.0);
  net.cells.push_back(passive);
  population_desc dst;
  dst.name = "dst";
  dst.size = 1;
  dst.cell = "passive";
  net.populations.push_back(dst);
  projection_desc p;
  p.name = "syn";
  p.pre = "src";
  p.post = "dst";
  p.receptor = "ampa";
  p.rule = connect_rule::one_to_one;
  p.weight = distribution::constant(w);
  p.delay = distribution::constant(d);
  net.projections.push_back(p);
  add_record(net, "src", "spikes");
  add_record(net, "dst", "ampa.g");
  add_record(net, "dst", "v");
  return net;
}

// A mixed network: Poisson drive onto Traub–Miles cells (COBAHH-like) and a
// driven HH population, all recurrently connected, with drawn weights and
// delays; small enough for a test, active enough to exercise every stage.
network mixed_network(precision prec = precision::double_, arith_mode mode = arith_mode::deterministic) {
  network net = example("cobahh.toml");
  net.sim.duration = 200.0;
  net.sim.prec = prec;
  net.sim.mode = mode;
  for (auto& p : net.populations) p.size /= 4;  // 800 exc, 200 inh
  for (auto& pr : net.projections) {
    pr.probability = 0.08;
    pr.delay = distribution::uniform(0.1, 1.5);
  }
  add_poisson_drive(net, "drive", 100, 20.0, "exc", "exc", 5, 0.002, 0.006);
  net.populations.back().start = 20.0;
  net.populations.back().stop = 150.0;
  net.projections.back().delay = distribution::constant(0.5);
  add_record(net, "inh", "traub_miles.h", {0, 5, 7}, 0.5);
  return net;
}

}  // namespace

TEST_SUITE("engine") {

TEST_CASE("a spike arrives after its delay and steps the receptor conductance by the weight") {
  const double w = 0.004, d = 1.5, dt = 0.025;
  const auto o = run(pair_network(w, d), which::cpu);
  const auto src = spike_times(o, "src");
  REQUIRE(!src.empty());
  const auto& g = o.traces.at(1);  // dst ampa.g, every step from t = 0
  // The spike of time t_s steps g by w at t_s + d (core/events.hpp): at the
  // start of the step from t_s + d, whose decay then applies. Sample k holds
  // the state at t = k·dt.
  const std::int64_t arrive = std::llround((src[0] + d) / dt);
  const double decay = core::det_exp(-dt / 2.0);
  for (std::int64_t k = 1; k <= arrive; ++k) REQUIRE(g.values[k] == 0.0);
  CHECK(g.values[arrive + 1] == doctest::Approx(w * decay).epsilon(1e-12));
  CHECK(g.values[arrive + 41] == doctest::Approx(w * std::pow(decay, 41)).epsilon(1e-12));
  // And it depolarises the passive cell, which was at rest.
  const auto& v = o.traces.at(2).values;
  CHECK(v[arrive] == doctest::Approx(-70.0).epsilon(1e-9));
  CHECK(v[arrive + 20] > -70.0 + 0.1);
}

TEST_CASE("Poisson generators fire at their rate within their window") {
  const auto o = run(poisson_net(2000, 25.0, 100.0, 900.0, 1000.0), which::cpu);
  for (const auto& s : o.spikes) {
    CHECK(s.step > 1000);   // not before 100 ms (the step from 100 ms ends at 100.1 ms)
    CHECK(s.step <= 9000);  // none after 900 ms
  }
  const double expected = 2000 * 25.0 * 0.8;  // cells × Hz × s
  CAPTURE(o.spikes.size());
  CHECK(std::fabs(static_cast<double>(o.spikes.size()) - expected) < 5 * std::sqrt(expected));
  // Recorded in (step, gid) order.
  CHECK(std::is_sorted(o.spikes.begin(), o.spikes.end(),
                       [](auto& a, auto& b) { return a.step != b.step ? a.step < b.step : a.gid < b.gid; }));
}

TEST_CASE("Poisson generators with a cycle of rates fire at each phase's rate, the phases counted from start") {
  network net = poisson_net(2000, 0.0, 100.0, 850.0, 1000.0);
  population_desc& p = net.populations[0];
  p.rates = {40.0, 0.0, 10.0};  // [Hz], instead of the rate
  p.rate_interval = 50.0;       // [ms]
  check(net);
  const auto o = run(net, which::cpu);
  // Phase k of the cycle: the steps [1000 + 500·k, 1000 + 500·(k + 1)), rate rates[k % 3].
  std::vector<double> count(15, 0.0);
  for (const auto& s : o.spikes) {
    const std::int64_t step = s.step - 1;  // the emitting step
    REQUIRE(step >= 1000);
    REQUIRE(step < 8500);
    ++count[static_cast<std::size_t>((step - 1000) / 500)];
  }
  for (std::size_t k = 0; k < 15; ++k) {
    const double expected = 2000 * p.rates[k % 3] * 0.05;  // cells × Hz × s
    CAPTURE(k);
    CAPTURE(count[k]);
    if (expected == 0.0) CHECK(count[k] == 0.0);
    else CHECK(std::fabs(count[k] - expected) < 5 * std::sqrt(expected));
  }
}

TEST_CASE("huge finite times are never: stimulus and Poisson windows, refractory periods and record intervals") {
  // A time of 1e30 ms is beyond any run: a start then never comes and a
  // stop never cuts off (it used to overflow the conversion to steps).
  const auto spikes_of = [](const outcome& o) { return o.counts.at(0); };
  {
    network on = hh_cell(10.0, 5.0, 1e30, 100.0, 0.025);  // stop = 5 + 1e30 ms
    CHECK(spikes_of(run(on, which::cpu)) > 3);
    network later = hh_cell(10.0, 1e30, 10.0, 100.0, 0.025);  // start = 1e30 ms, stop never
    later.stimuli[0].stop = infinity;
    CHECK(spikes_of(run(later, which::cpu)) == 0);
  }
  {
    network net = poisson_net(100, 100.0, 0.0, 1e30, 100.0);
    CHECK(run(net, which::cpu).spikes.size() > 500);  // 100 cells x 100 Hz x 0.1 s = 1000
    net.populations[0].start = 1e30;
    net.populations[0].stop = infinity;
    CHECK(run(net, which::cpu).spikes.empty());
  }
  {
    // A LIF cell driven far above threshold, refractory for 2e17 ms = 8e18
    // steps (more than the never-fired sentinel, 2^62 steps, is old): one
    // spike, the first.
    network net;
    net.sim.dt = 0.025;
    net.sim.duration = 50.0;
    add_model_population(net, "lif_cell", "lif", {{"t_ref", 2e17}}, {receptor_desc::exp_current("in", 2.0)}, "cell", 1);
    stimulus_desc s;
    s.population = "cell";
    s.amp = {10.0};  // [nA]
    net.stimuli.push_back(s);
    add_record(net, "cell", "spikes");
    add_record(net, "cell", "v", {0}, 1e30);  // sampled at t = 0 only
    const auto o = run(net, which::cpu);
    CHECK(o.spikes.size() == 1);
    REQUIRE(o.traces.size() == 2);  // the spikes' slot and v's
    CHECK(o.traces[1].steps == std::vector<std::int64_t>{0});
  }
}

TEST_CASE("inputs that could overflow the ring's fixed point onto one cell are refused before the run") {
  // The ring holds a step's sum onto a target in 64-bit fixed point (2^-40 of
  // the weight's unit): below 2^23. Each weight is within the checker's 8e6,
  // their sum onto one cell need not be.
  const auto net_with = [](std::int64_t sources, double w, bool plastic, bool twice) {
    network net;
    net.sim.dt = 0.1;
    net.sim.duration = 5.0;
    add_model_population(net, "lif_cell", "lif", {}, {receptor_desc::expsyn("exc", 2.0, 0.0)}, "cell", 3);
    population_desc in;
    in.name = "in";
    in.kind = twice ? population_kind::spike_times : population_kind::poisson;
    in.size = sources;
    in.rate = 10.0;
    if (twice) in.spikes = {{1.0, 0, 0}, {1.0, 0, 0}};  // source 0 fires twice in one step
    net.populations.push_back(in);
    projection_desc p = projection("in", "cell", "exc");
    p.weight = distribution::constant(w);
    if (plastic) {
      p.weight = distribution::constant(1.0);
      p.plasticity.rule = plasticity_rule::stdp;
      p.plasticity.a_plus = 1.0;
      p.plasticity.a_minus = 1.0;
      p.plasticity.w_max = w;  // the weights may grow to w
    }
    net.projections.push_back(p);
    return net;
  };
  const auto err = [](const network& net) { return error_of([&] { run(net, which::cpu); }); };
  CHECK(contains(err(net_with(2, 5e6, false, false)),
                 "the inputs onto cell 0 of population 'cell' (cell type 'lif_cell', its input location 0) can sum to 1e+07"));
  CHECK(contains(err(net_with(2000, 5000.0, false, false)), "can sum to 1e+07"));
  CHECK(contains(err(net_with(2000, 5000.0, true, false)), "can sum to 1e+07"));  // plastic: at w_max
  CHECK(contains(err(net_with(1, 5e6, false, true)), "can sum to 1e+07"));        // two spikes in one step
  CHECK(err(net_with(1000, 5000.0, false, false)) == "");                        // 5e6: within the range
  CHECK(err(net_with(1000, 5000.0, true, false)) == "");
}

namespace {

// The most spikes of a run in any window of `b` steps.
std::uint64_t busiest_window(const outcome& o, std::int64_t b) {
  std::map<std::int64_t, std::uint64_t> per_step;
  for (const auto& s : o.spikes) ++per_step[s.step];
  std::vector<std::pair<std::int64_t, std::uint64_t>> steps(per_step.begin(), per_step.end());
  std::uint64_t most = 0, in = 0;
  for (std::size_t a = 0, e = 0; a < steps.size(); in -= steps[a].second, ++a) {
    while (e < steps.size() && steps[e].first < steps[a].first + b) in += steps[e++].second;
    most = std::max(most, in);
  }
  return most;
}

void drive(network& net, const std::string& population, double amp) {
  stimulus_desc s;
  s.population = population;
  s.amp = {amp};  // [nA]
  net.stimuli.push_back(s);
}

}  // namespace

TEST_CASE("no window of a run holds more spikes than a GPU batch's record is sized for") {
  // The CUDA engine sizes a batch so that every spike it can make fits its
  // record (image::max_spikes_in). Cells driven as hard as they go: LIF with
  // a 2 ms refractory period (a spike every 81 steps of 0.025 ms) and without
  // (a spike every step), Izhikevich, AdEx, FitzHugh-Nagumo, squid HH
  // membrane cells, Poisson generators at 5 kHz, a given-time source firing
  // twice in one step. Every window of B steps of the CPU run against the
  // bound; the LIF cells alone fill their bound exactly, so a bound that
  // assumed one step more between their spikes would fail.
  network lif = hh_cell(0.0, 0.0, 0.0, 50.0, 0.025);
  lif.cells.clear();
  lif.populations.clear();
  lif.records.clear();
  add_model_population(lif, "lif_ref", "lif", {{"t_ref", 2.0}}, {receptor_desc::exp_current("syn", 1.0)}, "lif_ref", 20);
  add_model_population(lif, "lif_0", "lif", {{"t_ref", 0.0}}, {}, "lif_0", 20);
  drive(lif, "lif_ref", 1000.0);
  drive(lif, "lif_0", 1000.0);
  add_record(lif, "lif_ref", "spikes");
  add_record(lif, "lif_0", "spikes");

  network all = hh_cell(1000.0, 0.0, 50.0, 50.0, 0.025);  // 10 nA into one squid HH cell
  for (const auto& c : lif.cells) all.cells.push_back(c);
  for (const auto& p : lif.populations) all.populations.push_back(p);
  for (const auto& s : lif.stimuli) all.stimuli.push_back(s);
  for (const auto& r : lif.records) all.records.push_back(r);
  add_model_population(all, "izh", "izhikevich", {}, {}, "izh", 10);
  add_model_population(all, "adex", "adex", {}, {}, "adex", 10);
  add_model_population(all, "fhn", "fhn", {}, {}, "fhn", 10);
  drive(all, "izh", 0.05);
  drive(all, "adex", 5.0);
  drive(all, "fhn", 1.0);
  population_desc poisson;
  poisson.name = "poisson";
  poisson.kind = population_kind::poisson;
  poisson.size = 30;
  poisson.rate = 4000.0;  // [Hz]: 10 % of the steps (the most a source delivers within 5 %)
  all.populations.push_back(poisson);
  add_spike_source(all, "given", 2, {{1.0, 0}, {1.0, 0}, {1.0, 1}, {1.01, 1}, {30.0, 0}}, "lif_ref", "syn", 0.0);
  for (const char* p : {"izh", "adex", "fhn", "poisson", "given"}) add_record(all, p, "spikes");

  for (network* net : {&lif, &all}) {
    check(*net);
    const auto img = std::get<image<double>>(pack(*net, 1));
    const auto o = run(*net, which::cpu, 2);
    CAPTURE(o.spikes.size());
    for (std::int64_t b : {1, 2, 3, 80, 81, 82, 162, 163, 1000}) {
      CAPTURE(b);
      const std::uint64_t seen = busiest_window(o, b), bound = img.max_spikes_in(b);
      CAPTURE(seen);
      CAPTURE(bound);
      if (net == &lif)
        CHECK(seen == bound);  // tight: every cell at its fastest, in phase
      else
        CHECK(seen <= bound);
    }
  }
  // The plan: the longest batch whose bound fits, and a record that holds it.
  check(lif);
  const auto img = std::get<image<double>>(pack(lif, 1));
  const batch_plan p = plan_batch(img, 10000, 1000);  // 20 cells every step, 20 every 81 steps
  CHECK(p.steps == 493);                                   // 20·493 + 20·7 = 10000
  CHECK(p.capacity == 10000);
  CHECK(img.max_spikes_in(494) == 10020);
  CHECK(plan_batch(img, 5, 1000).steps == 1);  // a step that cannot fit still gets a batch of its own
  // COBAHH at 1,024,000 cells (its detectors' dead time 3 ms = 30 steps):
  // 120 steps a batch in the CUDA engine's 4M entries, where "every source
  // once a step" allowed 4.
  network big = example("cobahh.toml");
  for (auto& pop : big.populations) pop.size *= 256;
  big.sim.prec = precision::single;
  big.projections.clear();
  big.records.clear();
  check(big);
  const auto bimg = std::get<image<float>>(pack(big, 2));
  CHECK(bimg.ncells() == 1024000);
  CHECK(plan_batch(bimg, 4u << 20, 1000).steps == 120);
}

TEST_CASE("delays stored in 16 bits and in 32 give the same run") {
  // COBAHH with delays drawn from 0.1 to 2 ms (so that they are kept per
  // connection, not by class), 100 ms, with a silent source whose
  // projection draws its delays too: up to 2 ms, every delay in 16 bits;
  // up to 7000 ms (70000 steps), in 32. Nothing else changes (the
  // projection comes last, its source is the last population), so the
  // spikes must be the same, on 1 and 2 threads.
  network narrow = example("cobahh.toml");
  narrow.sim.duration = 100.0;
  for (auto& p : narrow.projections) p.delay = distribution::uniform(0.1, 2.0);
  network wide = with_wide_delays(narrow, "exc", "exc");
  add_spike_source(narrow, "far", 1, {}, "exc", "exc", 0.001);
  narrow.projections.back().delay = distribution::uniform(1.0, 2.0);
  check(narrow);
  check(wide);
  {
    const auto a = std::get<image<double>>(pack(narrow, 1));
    const auto b = std::get<image<double>>(pack(wide, 1));
    CHECK(a.delay.empty());
    CHECK(a.delay16.size() == a.target.size());
    CHECK(b.delay16.empty());
    CHECK(b.delay.size() == b.target.size());
    CHECK(a.class_delay.empty());
    CHECK(b.class_delay.empty());
    // The same connections, the same delays, the new source's row last.
    REQUIRE(b.nsources == a.nsources);
    const std::uint64_t common = a.row[a.nsources - 1];
    bool same = true;
    for (std::uint64_t c = 0; c < common; ++c) same = same && a.delay_at(c) == b.delay_at(c) && a.target[c] == b.target[c];
    CHECK(same);
    std::uint64_t beyond = 0;
    for (std::uint64_t c = common; c < b.target.size(); ++c) beyond += b.delay_at(c) > 65535;
    CHECK(beyond > 0);
  }
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    const auto x = run(narrow, which::cpu, threads);
    const auto y = run(wide, which::cpu, threads);
    CHECK(x.spikes.size() > 1000);
    CHECK(x.spikes == y.spikes);
    // One share: the 32-bit delays' runs pay (static_rows).
    if (threads == 1) CHECK(contains(y.engine, "delays by run"));
  }
}

TEST_CASE("connections by class and one by one give the same run") {
  // COBAHH's weights and delays are one constant per projection: a class a
  // connection gives both (5 B a connection). A silent source whose
  // projection draws its weights takes the classes away (weights and
  // 16-bit delays one by one); with drawn delays instead, the classes give
  // the weight only. 100 ms on 1 and 2 threads: the same spikes.
  network by_class = example("cobahh.toml");
  by_class.sim.duration = 100.0;
  network weights = by_class, delays = by_class;
  add_spike_source(by_class, "far", 1, {}, "exc", "exc", 0.001);
  add_spike_source(weights, "far", 1, {}, "exc", "exc", 0.001);
  weights.projections.back().weight = distribution::uniform(0.001, 0.002);
  add_spike_source(delays, "far", 1, {}, "exc", "exc", 0.001);
  delays.projections.back().delay = distribution::uniform(1.0, 2.0);
  for (auto* n : {&by_class, &weights, &delays}) check(*n);
  {
    const auto a = std::get<image<double>>(pack(by_class, 1));
    const auto b = std::get<image<double>>(pack(weights, 1));
    const auto c = std::get<image<double>>(pack(delays, 1));
    CHECK(a.cls.size() == a.target.size());
    CHECK(a.class_weight.size() == 3);  // excitatory, inhibitory, the silent source's
    CHECK(a.class_delay.size() == 3);
    CHECK(a.weight.empty());
    CHECK(a.delay16.empty());
    CHECK(b.cls.empty());
    CHECK(b.weight.size() == b.target.size());
    CHECK(c.cls.size() == c.target.size());
    CHECK(c.class_delay.empty());
    CHECK(c.delay16.size() == c.target.size());
    // The device holds 5 B a static connection by class against 14.
    const double n = static_cast<double>(a.target.size());
    CHECK(static_cast<double>(b.memory_bytes() - a.memory_bytes()) / n == doctest::Approx(9.0).epsilon(0.01));
  }
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    const auto x = run(by_class, which::cpu, threads);
    const auto y = run(weights, which::cpu, threads);
    const auto z = run(delays, which::cpu, threads);
    CHECK(x.spikes.size() > 1000);
    CHECK(x.spikes == y.spikes);
    CHECK(x.spikes == z.spikes);
  }
}

TEST_CASE("the CUDA engine's batches in flight: every step taken once, in order, whatever pauses") {
  // A simulated device: batches run in the order they were queued, each
  // from the step the one before stopped at, taking all its steps or, where
  // its record fills, fewer (at least 1). The host side must give every
  // step exactly once, never reuse a record half still in flight, and finish
  // the batches in order.
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    for (std::int64_t nsteps : {1, 7, 200, 1001}) {
      for (std::int64_t batch : {1, 3, 50, 1000}) {
        CAPTURE(seed);
        CAPTURE(nsteps);
        CAPTURE(batch);
        std::uint64_t r = seed * 0x9E3779B97F4A7C15ull;
        const auto random = [&r](std::int64_t n) {  // in [1, n]
          r = r * 6364136223846793005ull + 1442695040888963407ull;
          return 1 + static_cast<std::int64_t>((r >> 33) % static_cast<std::uint64_t>(n));
        };
        struct queued {
          int half;
          std::int64_t k;
        };
        std::vector<queued> flight;
        std::int64_t device_step = 0, enqueued = 0, finished = 0;
        bool ok = true;
        run_batches(
            nsteps, batch,
            [&](int half, std::int64_t k) {
              for (const auto& q : flight) ok = ok && q.half != half;  // the half is free
              ok = ok && k >= 1 && k <= batch && flight.size() < 2;
              flight.push_back({half, k});
              ++enqueued;
            },
            [&](int half) -> std::int64_t {
              ok = ok && !flight.empty() && flight.front().half == half;  // in order
              const std::int64_t k = flight.front().k;
              flight.erase(flight.begin());
              const std::int64_t taken = random(4) == 1 ? random(k) : k;  // a quarter pause somewhere
              device_step += taken;
              ++finished;
              return taken;
            });
        CHECK(ok);
        CHECK(flight.empty());
        CHECK(enqueued == finished);
        CHECK(device_step == nsteps);
      }
    }
  }
}

TEST_CASE("a batch's recorded spikes are ordered by (step, gid) as a full sort orders them") {
  // The device's record: steps in order, each step's spikes in the order
  // its threads claimed slots (here shuffled), repeats where a given-time
  // source fires twice. Runs short and long (the radix sort from 256 on),
  // source counts from 1 to 2^32 − 1 (one to three radix passes).
  core::stream rng(7, core::stream_purpose::init, 0, 0);
  std::vector<std::uint32_t> keys, tmp;
  for (std::uint64_t nsources : {1ull, 300ull, 2048ull, 2049ull, 1020000ull, 4294967295ull}) {
    for (std::size_t run : {std::size_t{1}, std::size_t{255}, std::size_t{256}, std::size_t{5000}}) {
      CAPTURE(nsources);
      CAPTURE(run);
      std::vector<kernels::device_spike> batch;
      for (std::int64_t step = 41; step < 45; ++step)
        for (std::size_t i = 0; i < run + static_cast<std::size_t>(step % 3); ++i)
          batch.push_back({step, rng.below(static_cast<std::uint32_t>(std::min<std::uint64_t>(nsources, 4294967295ull))), 0});
      auto want = batch;
      std::sort(want.begin(), want.end(), [](const auto& a, const auto& b) { return a.step != b.step ? a.step < b.step : a.gid < b.gid; });
      order_recorded_spikes(batch.data(), batch.size(), static_cast<std::uint32_t>(std::min<std::uint64_t>(nsources, 4294967295ull)), keys, tmp);
      bool same = batch.size() == want.size();
      for (std::size_t i = 0; same && i < batch.size(); ++i) same = batch[i].step == want[i].step && batch[i].gid == want[i].gid;
      CHECK(same);
    }
  }
  // Steps out of order: not the device's record; refused, not misordered.
  std::vector<kernels::device_spike> bad{{5, 1, 0}, {4, 0, 0}};
  CHECK_THROWS_AS(order_recorded_spikes(bad.data(), bad.size(), 2, keys, tmp), internal_error);
}

TEST_CASE("the device memory estimate counts large groups in 64 bits") {
  image<double> img;
  img.groups.emplace_back();
  img.groups[0].ncells = 400000000;  // 4e8 cells x 12 B = 4.8e9 B: above 2^32, wrapped in 32 bits
  CHECK(img.memory_bytes() >= 4800000000ULL);
}

TEST_CASE("a network that cannot fit in memory is refused before anything is built") {
  // 2e6 Poisson sources onto 2e6 cells with probability 1: 4e12 connections,
  // about 20 TB by the estimate (5 B each: target and class). It used to
  // start building and end in std::bad_alloc.
  network net;
  net.sim.dt = 0.1;
  net.sim.duration = 10.0;
  add_model_population(net, "lif_cell", "lif", {}, {receptor_desc::expsyn("exc", 2.0, 0.0)}, "cell", 2000000);
  population_desc in;
  in.name = "in";
  in.kind = population_kind::poisson;
  in.size = 2000000;
  in.rate = 1.0;
  net.populations.push_back(in);
  projection_desc p = projection("in", "cell", "exc");
  p.rule = connect_rule::fixed_probability;
  p.probability = 1.0;
  p.weight = distribution::constant(1e-6);
  net.projections.push_back(p);
  check(net);
  const std::string msg = error_of([&] { check_memory(net); });
  CAPTURE(msg);
  // 4e12 connections x 5 B: 2e4 GB, the most.
  CHECK(contains(msg, "the network needs about 2e+04 GB of memory while running"));
  CHECK(contains(msg, "the most: static connections, 2e+04 GB"));
  CHECK(contains(msg, "ranvier info"));
  // A small network passes.
  net.projections[0].probability = 1e-5;
  CHECK(error_of([&] { check_memory(net); }) == "");
}

TEST_CASE("the resource estimate is close to what is built and written") {
  // Connections and device bytes against the packed image, disk bytes
  // against the files a run writes.
  for (const std::string name : {"cobahh.toml", "hh_single.toml", "ball_and_stick.toml", "stdp_song.toml"}) {
    CAPTURE(name);
    network net = example(name);
    net.sim.duration = std::min(net.sim.duration, 200.0);
    check(net);
    const resource_estimate e = estimate_resources(net);
    any_image img = pack(net, 1);
    std::visit(
        [&](auto& im) {
          const double built = static_cast<double>(im.nconnections());
          CHECK(std::fabs(e.connections - built) <= 0.01 * built + 1.0);
          CHECK(e.cells == static_cast<double>(im.ncells()));
          CHECK(e.compartments == static_cast<double>(im.ncompartments()));
          // The image's count leaves out the engine's recording buffers.
          const double device = static_cast<double>(im.memory_bytes());
          double estimated = e.device_bytes;
          for (const auto& p : e.parts)
            if (p.name == "recording") estimated -= p.device_bytes;
          CAPTURE(device);
          CAPTURE(estimated);
          CHECK(estimated >= 0.7 * device - 1e4);
          CHECK(estimated <= 1.5 * device + 1e4);
        },
        img);
    namespace fs = std::filesystem;
    const scratch_output out("ranvier_test_estimate");
    const auto s = run_network(net, out.opt);
    double sampled = 0.0, spikes = 0.0;
    for (const auto& f : s.files) (f.filename() == "spikes.csv" ? spikes : sampled) += static_cast<double>(fs::file_size(f));
    CAPTURE(sampled);
    CAPTURE(e.disk_bytes);
    CHECK(e.disk_bytes >= 0.6 * sampled);
    CHECK(e.disk_bytes <= 1.6 * sampled + 100.0);
    // Spikes: the estimate per Hz times the recorded cells' mean rate.
    double rate = 0.0, cells = 0.0;
    for (const auto& p : s.populations) {
      rate += p.rate_hz * static_cast<double>(p.size);
      cells += static_cast<double>(p.size);
    }
    if (spikes > 1000.0 && cells > 0) {
      const double predicted = e.spike_bytes_per_hz * rate / cells;
      CAPTURE(predicted);
      CAPTURE(spikes);
      CHECK(predicted >= 0.5 * spikes);
      CHECK(predicted <= 2.0 * spikes);
    }
  }
}

TEST_CASE("a clamp with one amplitude per cell drives only its cells") {
  network net = hh_cell(0.0);
  net.populations[0].size = 5;
  stimulus_desc s;
  s.population = "hh";
  s.cells = {1, 3};
  s.amp = {0.1, 0.2};  // 10 and 20 µA/cm²
  s.start = 10.0;
  s.stop = 60.0;
  net.stimuli.push_back(s);
  net.sim.duration = 80.0;
  const auto o = run(net, which::cpu);
  CHECK(o.counts[0] == 0);
  CHECK(o.counts[2] == 0);
  CHECK(o.counts[4] == 0);
  CHECK(o.counts[1] >= 3);
  CHECK(o.counts[3] > o.counts[1]);  // stronger drive, higher rate
}

TEST_CASE("results are bit-identical for 1, 2 and 3 threads and any chunking") {
  const network net = mixed_network();
  const auto one = run(net, which::cpu, 1, 1000);
  const auto two = run(net, which::cpu, 2, 1000);
  const auto steps = run(net, which::cpu, 2, 7);  // chunks that do not divide anything
  MESSAGE(one.spikes.size() << " spikes");
  CHECK(two.engine.find("(2 threads,") != std::string::npos);  // large enough to be shared
  CHECK(one.spikes.size() > 5000);
  check_identical(one, two);
  check_identical(one, steps);
  // Three threads (more than this machine's cores): shares of 64-cell
  // chunks that end mid-population, static rows split three ways.
  network wide = mixed_network();
  wide.sim.duration = 60.0;
  for (auto& p : wide.populations) p.size = p.size * 7 / 4;  // 1400 exc, 350 inh
  const auto a = run(wide, which::cpu, 1, 1000);
  const auto b = run(wide, which::cpu, 3, 13);
  CHECK(b.engine.find("(3 threads,") != std::string::npos);
  CHECK(a.spikes.size() > 1000);
  check_identical(a, b);
}

#if defined(_OPENMP)
TEST_CASE("a run inside another parallel region, with a team smaller than the engine's shares, gives the same results") {
  network net = mixed_network();
  net.sim.duration = 60.0;
  const auto two = run(net, which::cpu, 2);
  const int levels = omp_get_max_active_levels();
  omp_set_max_active_levels(1);  // the engine's region inside this one gets one thread
  outcome nested;
  int inner_team = 0;
#pragma omp parallel num_threads(2)
  {
#pragma omp single
    {
#pragma omp parallel num_threads(2)
      inner_team = omp_get_num_threads();
      nested = run(net, which::cpu, 2);
    }
  }
  omp_set_max_active_levels(levels);
  CHECK(inner_team == 1);
  CHECK(contains(nested.engine, "2 threads"));
  check_identical(two, nested);
}
#endif

TEST_CASE("single precision and fast mode stay close to double, deterministic") {
  const double dt = 0.025;
  const auto ref = spike_times(run(hh_cell(10.0), which::cpu), "hh");
  for (auto [prec, mode] : {std::pair{precision::single, arith_mode::deterministic},
                            std::pair{precision::double_, arith_mode::fast},
                            std::pair{precision::single, arith_mode::fast}}) {
    network net = hh_cell(10.0);
    net.sim.prec = prec;
    net.sim.mode = mode;
    const auto o = run(net, which::cpu);
    CAPTURE(o.engine);
    const auto t = spike_times(o, "hh");
    REQUIRE(t.size() == ref.size());
    // Rounding differences shift a crossing by at most a step over this train.
    for (std::size_t i = 0; i < t.size(); ++i) CHECK(std::fabs(t[i] - ref[i]) <= dt + 1e-9);
  }
}

TEST_CASE("engine choice: cpu on request; cuda refused clearly where it cannot run") {
  std::string why;
  auto e = make_engine(pack(hh_cell(1.0)), {engine_choice::cpu, 1}, &why);
  CHECK(e->describe().find("cpu") == 0);
  std::string reason;
  if (!cuda_available(&reason)) {
    MESSAGE("no CUDA here: " << reason);
    CHECK_THROWS_WITH_AS(make_engine(pack(hh_cell(1.0)), {engine_choice::cuda, 1}),
                         doctest::Contains("valid here: engine = \"cpu\""), model_error);
    auto a = make_engine(pack(hh_cell(1.0)), {engine_choice::automatic, 1}, &why);
    CHECK(a->describe().find("cpu") == 0);
    CHECK(why.find("picked the CPU engine") != std::string::npos);
  }
}

TEST_CASE("the driver writes complete outputs, and a bad model leaves earlier outputs untouched") {
  namespace fs = std::filesystem;
  const scratch_output out("ranvier_test_outputs");
  const fs::path& dir = out.dir;
  const run_options& opt = out.opt;
  const auto s = run_network(example("hh_single.toml"), opt);
  CHECK(s.populations.at(0).spikes == 7);
  const std::string spikes = read_text((dir / "spikes.csv").string());
  CHECK(spikes.rfind("time_ms,population,index\n11.925,hh,0\n", 0) == 0);
  const std::string v = read_text((dir / "hh.v.csv").string());
  CHECK(v.rfind("time_ms,0\n0.000,-65\n0.025,", 0) == 0);
  CHECK(std::count(v.begin(), v.end(), '\n') == 1 + 4801);  // header + t = 0 … 120 ms
  for (const auto& f : fs::directory_iterator(dir)) CHECK(f.path().extension() != ".partial");

  network bad = example("hh_single.toml");
  bad.sim.dt = -1.0;
  CHECK_THROWS_AS(run_network(bad, opt), model_error);
  CHECK(read_text((dir / "spikes.csv").string()) == spikes);
  CHECK(read_text((dir / "hh.v.csv").string()) == v);
}

TEST_CASE("every cell firing in one step, again and again: no spike, event or sample is lost, with any threads") {
  const std::int64_t n = 5000;
  const network net = synchronous_network(n);
  const auto one = run(net, which::cpu, 1, 37);
  std::map<std::int64_t, std::int64_t> per_step;
  for (const auto& s : one.spikes) ++per_step[s.step];
  CAPTURE(per_step.size());
  CHECK(per_step.size() >= 7);  // the burst, the volley it causes, and the current step's
  for (const auto& [step, count] : per_step) {
    CAPTURE(step);
    CHECK(count == n);  // the burst at 5 ms; then every cell, together, each time
  }
  check_identical(one, run(net, which::cpu, 2, 1000));
  check_identical(one, run(net, which::cpu, 3, 1));
}

TEST_CASE("a voltage outside v_bounds stops the run at its step; the outputs up to there are written and marked") {
  namespace fs = std::filesystem;
  const scratch_output out("ranvier_test_numerical_failure");
  const fs::path& dir = out.dir;
  const run_options& opt = out.opt;
  network net = example("hh_single.toml");  // 1000 µm², dt 0.025 ms, 120 ms
  net.stimuli.at(0).amp = {1e6};            // [nA]: v jumps by about 2.4e6 mV in the first step
  net.stimuli.at(0).start = 50.0;
  net.stimuli.at(0).stop = 110.0;
  const auto s = run_network(net, opt);
  CHECK(s.status == run_status::numerical_failure);
  CAPTURE(s.stopped_why);
  // The stimulus is on from step 2000; v at the end of that step, t = 50.025 ms, is out.
  CHECK(contains(s.stopped_why, "numerical failure at t = 50.025 ms: population hh, cell 0: v left v_bounds [-1000, 1000] mV"));
  CHECK(contains(s.stopped_why, "dt = 0.025 ms"));
  CHECK(s.steps >= 2001);  // to the end of the chunk of steps it was found in
  const std::string summary = read_text((dir / "summary.json").string());
  CHECK(contains(summary, "\"status\": \"numerical failure\""));
  CHECK(json_number(summary, {"steps"}) == static_cast<double>(s.steps));
  const std::string v = read_text((dir / "hh.v.csv").string());
  // Header, t = 0 … the failing step 2001 (t = 50.025 ms): the samples the
  // chunk took after it are not written.
  CHECK(std::count(v.begin(), v.end(), '\n') == 1 + 2001 + 1);
  CHECK(contains(v, "\n50.000,-64.97"));
  CHECK(contains(v, "\n50.025,2458195"));
  CHECK(v.substr(v.rfind('\n', v.size() - 2) + 1, 7) == "50.025,");
  for (const auto& f : fs::directory_iterator(dir)) {
    CHECK(f.path().extension() != ".partial");
    CHECK(f.path().filename() != "progress.json");
  }
  // Wider bounds let the same run go on (the cell recovers after the pulse).
  net.sim.v_bounds = {-1e7, 1e7};
  CHECK(run_network(net, opt).status == run_status::complete);
  // Bad bounds are refused with the key.
  net.sim.v_bounds = {10.0, -10.0};
  CHECK(contains(error_of([&] { check(net); }), "v_bounds"));
  net.sim.v_bounds = {-10.0};
  CHECK(contains(error_of([&] { check(net); }), "v_bounds has 1 value"));
}

TEST_CASE("a NaN in any state of a cell is found, with its cell type, cell, place and variable") {
  // Set in the image before the engine takes it: the scan at the end of a
  // chunk finds it even where the detector has not (yet) seen the voltage.
  network net = cable_network();
  any_image img = pack(net, 1);
  auto& im = std::get<image<double>>(img);
  auto& g = im.groups.at(0);
  REQUIRE(g.cable);
  REQUIRE(!g.mechs.empty());
  const auto& m = g.mechs.back();
  const std::uint32_t inst = m.ninst() - 1;
  g.mechs.back().state.at(0)[g.place(static_cast<std::size_t>(inst) * g.ncells + 1, m.ninst())] =
      std::numeric_limits<double>::quiet_NaN();
  const std::string name = g.mechs.back().name + "." + g.mechs.back().state_names.at(0);
  const std::uint32_t node = m.node.at(inst);
  auto eng = make_cpu_engine(std::move(img), 1);
  const auto f = eng->find_fault(-1000.0, 1000.0);
  REQUIRE(f);
  CHECK(f->step == -1);
  CHECK(f->variable == name);
  CHECK(f->cell == 1);
  CHECK(f->place == inst);
  CHECK(f->node == node);
  CHECK(std::isnan(f->value));
}

TEST_CASE("an interrupted run stops between chunks, commits its outputs and says so") {
  namespace fs = std::filesystem;
  const scratch_output out("ranvier_test_interrupted");
  const fs::path& dir = out.dir;
  const run_options& opt = out.opt;
  request_interrupt(SIGTERM);  // what the handler does on SIGTERM
  const auto s = run_network(example("hh_single.toml"), opt);
  CHECK(interrupt_signal() == 0);  // handled, and cleared
  CHECK(s.status == run_status::interrupted);
  CHECK(s.signal == SIGTERM);
  CHECK(s.steps == 0);
  CHECK(contains(s.stopped_why, "interrupted by SIGTERM at t = 0.000 ms"));
  CHECK(contains(read_text((dir / "summary.json").string()), "\"status\": \"interrupted\""));
  CHECK(read_text((dir / "hh.v.csv").string()) == "time_ms,0\n0.000,-65\n");  // the initial sample, nothing more
  CHECK(!fs::exists(dir / "progress.json"));
  // The next run is not interrupted.
  CHECK(run_network(example("hh_single.toml"), opt).status == run_status::complete);
}

TEST_CASE("kinetic receptors with drawn delays: ordering a source's connections by delay changes no state") {
  // kinetic_drawn_delays: a release state a connection, delays drawn in 16
  // bits. A silent source whose projection allows 7000 ms puts every delay
  // in 32 bits, its row's delays spread wider than the row (ordered by a
  // stable sort, not by counting). On 1 and 2 threads: the same spikes and
  // the same release states. (That they are exported in the image's order
  // although the engine orders its rows by delay: the next test.)
  const network narrow = kinetic_drawn_delays();
  const network wide = with_wide_delays(narrow, "cell", "ampa");
  check(narrow);
  check(wide);
  {
    const auto a = std::get<image<double>>(pack(narrow, 1));
    const auto b = std::get<image<double>>(pack(wide, 1));
    CHECK(a.delay16.size() == a.target.size());
    CHECK(b.delay.size() == b.target.size());
    CHECK(a.release_state.size() == a.target.size());
  }
  const auto release = [](const outcome& o, const char* name) {
    for (const auto& s : o.state)
      if (s.name == name) return s.values;
    return std::vector<double>{};
  };
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    const auto x = run(narrow, which::cpu, threads);
    const auto y = run(wide, which::cpu, threads);
    CHECK(x.spikes.size() > 100);
    CHECK(x.spikes == y.spikes);
    for (const char* name : {"release_end", "release_q", "release_w"}) {
      CAPTURE(name);
      const auto u = release(x, name), v = release(y, name);
      REQUIRE(u.size() > 1000);
      REQUIRE(v.size() == u.size() + 40);  // the silent source's connections last
      CHECK(std::equal(u.begin(), u.end(), v.begin()));
    }
  }
}

namespace {

// Checks order_static_rows' result on `after` against the image `before` it
// was given: each row the same connections (perm, within the row), by share
// then delay, stably; the shares' starts; and, where made, runs that cover
// each row, of one share and one delay each, with the row's delays gone,
// that the device's lanes walk to the right delays (core::run_cursor).
// Returns the number of (share, delay) pairs over all rows.
template <class Owner>
std::uint64_t check_ordered_rows(const image<double>& before, const image<double>& after, const static_rows& rows,
                                 std::size_t shares, Owner&& owner) {
  std::uint64_t pairs = 0, bad_perm = 0, bad_order = 0, bad_part = 0, bad_run = 0, bad_lane = 0;
  REQUIRE(rows.perm.size() == before.target.size());
  for (std::size_t i = 0; i < before.nsources; ++i) {
    const std::uint64_t a = before.row[i], b = before.row[i + 1];
    std::vector<std::uint8_t> seen(b - a, 0);
    std::map<std::pair<std::size_t, std::uint32_t>, int> distinct;
    for (std::uint64_t c = a; c < b; ++c) {
      const std::uint64_t o = rows.perm[c];
      if (o < a || o >= b || seen[o - a]++) {
        ++bad_perm;
        continue;
      }
      bad_perm += after.target[c] != before.target[o] || after.weight_at(c) != before.weight_at(o);
      if (!rows.has_runs()) bad_perm += after.delay_at(c) != before.delay_at(o);
      if (!after.release_state.empty())
        bad_perm += std::memcmp(&after.release_state[c], &before.release_state[o], sizeof(after.release_state[c])) != 0;
      distinct[{owner(before.target[o]), before.delay_at(o)}] = 1;
      if (c > a) {  // (share, delay, the image's index) ascending
        const std::uint64_t p = rows.perm[c - 1];
        const auto key = [&](std::uint64_t x) {
          return std::make_tuple(owner(before.target[x]), before.delay_at(x), x);
        };
        bad_order += !(key(p) < key(o));
      }
    }
    pairs += distinct.size();
    for (std::size_t k = 1; k < shares; ++k) {  // share k starts where the first of its connections is
      const std::uint64_t at = rows.part[i * (shares - 1) + k - 1];
      bad_part += at < a || at > b;
      for (std::uint64_t c = a; c < b; ++c) bad_part += (owner(after.target[c]) >= k) != (c >= at);
    }
    if (!rows.has_runs()) continue;
    std::uint64_t from = a;
    for (std::uint64_t r = rows.run_row[i]; r < rows.run_row[i + 1]; ++r) {
      const std::uint64_t to = a + rows.run_end[r];
      bad_run += to <= from || to > b;
      for (std::uint64_t c = from; c < to && c < b; ++c)
        bad_run += before.delay_at(rows.perm[c]) != rows.run_delay[r] ||
                   owner(after.target[c]) != owner(after.target[from]);
      from = to;
    }
    bad_run += from != b;
    bad_run += rows.run_row[i + 1] - rows.run_row[i] != distinct.size();  // maximal runs: one a pair
    // The CUDA engine's walk (kernels/launch.cuh): 32 lanes, each its own
    // cursor over offsets lane, lane + 32, …; and one lane over them all.
    for (std::uint32_t stride : {32u, 1u}) {
      for (std::uint32_t lane = 0; lane < stride; ++lane) {
        core::run_cursor cursor{rows.run_end.data(), rows.run_delay.data(), static_cast<std::uint32_t>(rows.run_row[i])};
        for (std::uint64_t o = lane; a + o < b; o += stride)
          bad_lane += cursor.delay_at(static_cast<std::uint32_t>(o)) != before.delay_at(rows.perm[a + o]);
        bad_lane += cursor.r > rows.run_row[i + 1];
      }
    }
  }
  CHECK(bad_perm == 0);
  CHECK(bad_order == 0);
  CHECK(bad_part == 0);
  CHECK(bad_run == 0);
  CHECK(bad_lane == 0);
  return pairs;
}

}  // namespace

TEST_CASE("static rows ordered by share and delay: the same connections, and runs of one share and one delay") {
  // COBAHH with delays drawn from 0.1 to 2 ms (16 bits a connection: ~80
  // connections a row over 20 delays, where runs do not pay) and from 0.1
  // to 0.5 ms (5 delays: they pay); the kinetic network (release states
  // moved with their connections) with 40 cells and delays up to 3 ms (they
  // do not pay) and with 1000 cells and delays up to 0.3 ms (they pay); and
  // a silent source with 7000 ms delays (32 bits, a row whose delays spread
  // wider than it has connections). Each ordered for 1 share and for 3 (the
  // target's gid mod 3), with runs allowed and not.
  network cobahh = example("cobahh.toml"), short_cobahh = cobahh;
  for (auto& p : cobahh.projections) p.delay = distribution::uniform(0.1, 2.0);
  for (auto& p : short_cobahh.projections) p.delay = distribution::uniform(0.1, 0.5);
  const network nets[] = {cobahh, short_cobahh, kinetic_drawn_delays(), kinetic_drawn_delays(0.3, 1000),
                          with_wide_delays(cobahh, "exc", "exc")};
  int made = 0, not_paying = 0;
  for (const network& net : nets) {
    check(net);
    auto img = std::get<image<double>>(pack(net, 1));
    REQUIRE(img.class_delay.empty());
    // Release states told apart, so that a misplaced one shows.
    for (std::size_t c = 0; c < img.release_state.size(); ++c) img.release_state[c].end = static_cast<std::int64_t>(c);
    const bool wide = img.delay16.empty();
    CAPTURE(wide);
    for (std::size_t shares : {1, 3}) {
      CAPTURE(shares);
      const auto owner = [shares](std::uint32_t t) { return static_cast<std::size_t>(t % shares); };
      for (bool runs : {false, true}) {
        CAPTURE(runs);
        image<double> ordered = img;
        const static_rows rows = order_static_rows(ordered, 2, shares, owner, true, runs);
        CHECK(rows.part.size() == (shares - 1) * img.nsources);
        const std::uint64_t pairs = check_ordered_rows(img, ordered, rows, shares, owner);
        const bool pay = delay_runs_pay(pairs, img.nsources, img.target.size(), wide ? 4 : 2);
        CHECK(rows.has_runs() == (runs && pay));
        CHECK(ordered.delay16.empty() == (rows.has_runs() || wide));
        CHECK(ordered.delay.empty() == (rows.has_runs() || !wide));
        if (rows.has_runs()) CHECK(rows.run_end.size() == pairs);
        if (shares == 1) CHECK(single_share_delay_runs(img) == pairs);
        made += rows.has_runs();
        not_paying += runs && !pay;
      }
    }
  }
  CHECK(made >= 5);  // short COBAHH and short kinetic for 1 and 3 shares, wide for 1
  CHECK(not_paying >= 2);
  // Runs that do not pay: one connection a row, its own delay (8 B a run
  // and 8 a row against 2 a connection): the delays stay per connection.
  image<double> img;
  img.nsources = 4;
  img.row = {0, 1, 2, 3, 4};
  img.target = {3, 2, 1, 0};
  img.weight = {1.0, 2.0, 3.0, 4.0};
  img.delay16 = {5, 6, 7, 8};
  CHECK(!delay_runs_pay(4, 4, 4, 2));
  CHECK(delay_runs_pay(10, 4, 100, 2));
  const static_rows rows = order_static_rows(img, 1, 1, [](std::uint32_t) { return std::size_t{0}; }, false, true);
  CHECK(!rows.has_runs());
  CHECK(img.delay16 == std::vector<std::uint16_t>{5, 6, 7, 8});
  CHECK(single_share_delay_runs(img) == 4);
}

TEST_CASE("delays by run and per connection give the same run, states included") {
  // The networks of the last test whose runs pay, run with delays by run
  // and with them per connection (engine_options::delay_runs), on 1 and 2
  // threads: the same spikes, counts, state and saved state (release states
  // in the image's order); the description says which. (The 32-bit delays'
  // runs: "delays stored in 16 bits and in 32", whose ring of 70000 rows is
  // too large to hold four times here.)
  network short_cobahh = example("cobahh.toml");
  short_cobahh.sim.duration = 100.0;
  for (auto& p : short_cobahh.projections) p.delay = distribution::uniform(0.1, 0.5);
  const network nets[] = {short_cobahh, kinetic_drawn_delays(0.3, 1000)};
  for (const network& net : nets) {
    check(net);
    for (int threads : {1, 2}) {
      CAPTURE(threads);
      cuda_settings per_connection;
      per_connection.delay_runs = false;
      const auto x = run_packed(pack(net, threads), which::cpu, threads);
      const auto y = run_packed(pack(net, threads), which::cpu, threads, 1000, 0, per_connection);
      CHECK(contains(x.engine, "delays by run"));
      CHECK(!contains(y.engine, "delays by run"));
      CHECK(x.spikes.size() > 100);
      check_identical(x, y);
      check_same_state(x.saved, y.saved);
    }
  }
}

TEST_CASE("release states are exported in the image's order, however the engine orders its rows") {
  // 50 sources each given one spike at 2 ms, all to all onto 1000 LIF cells
  // with a kinetic AMPA receptor, delays drawn from 0.1 to 3 ms (the rows
  // ordered by delay in the engine, by run or not) and from 0.1 to 0.3 ms
  // (by run): after 10 ms each connection's release closed at the spike's
  // step + 1 + its delay + the pulse, so its exported `release_end` less the
  // image's delay of that connection is one number for all, on 1 and 2
  // threads. An export in the engine's order would pair ends with other
  // connections' delays.
  for (double max_delay : {3.0, 0.3}) {
    CAPTURE(max_delay);
    network net;
    net.sim.dt = 0.1;
    net.sim.duration = 10.0;
    add_model_population(net, "lif_cell", "lif", {}, {receptor_desc::of("ampa", "ampa")}, "cell", 1000);
    std::vector<given_spike> at;
    for (std::int64_t i = 0; i < 50; ++i) at.push_back({2.0, i, 0});
    add_spike_source(net, "src", 50, at, "cell", "ampa", 0.02);
    net.projections.back().delay = distribution::uniform(0.1, max_delay);
    check(net);
    const auto img = std::get<image<double>>(pack(net, 1));
    REQUIRE(img.release_state.size() == img.target.size());
    for (int threads : {1, 2}) {
      CAPTURE(threads);
      const auto o = run_packed(pack(net, threads), which::cpu, threads);
      CHECK(contains(o.engine, threads == 1 ? "1 thread" : "2 threads"));
      if (max_delay < 1.0) CHECK(contains(o.engine, "delays by run"));
      std::vector<double> ends;
      for (const auto& s : o.state)
        if (s.name == "release_end") ends = s.values;
      REQUIRE(ends.size() == img.target.size());
      std::set<std::uint32_t> delays;
      std::uint64_t off = 0;
      const double first = ends[0] - img.delay_at(0);
      for (std::uint64_t c = 0; c < ends.size(); ++c) {
        delays.insert(img.delay_at(c));
        off += ends[c] - img.delay_at(c) != first;
      }
      CHECK(delays.size() >= (max_delay < 1.0 ? 3u : 30u));
      CHECK(off == 0);
    }
  }
}

TEST_CASE("spikes of spike records only: the engine hands over the full list's spikes of those sources, and batches "
          "are planned for them") {
  // COBAHH for 100 ms with spikes recorded of three excitatory and two
  // inhibitory cells: the same run with every spike handed over, filtered
  // to those five sources, is what the engine hands over with
  // spikes_of_records_only; nothing else changes (states, counts).
  const network net = cobahh_five_recorded(100.0);
  check(net);
  auto all = std::get<image<double>>(pack(net, 1));
  auto only = all;
  only.spikes_of_records_only = true;
  const std::vector<std::uint8_t> kept = only.kept_sources();
  REQUIRE(kept == all.recorded_sources());
  CHECK(all.kept_sources().empty());
  CHECK(std::count(kept.begin(), kept.end(), std::uint8_t{1}) == 5);
  CHECK(kept[0] == 1);
  CHECK(kept[3200] == 1);  // inh cell 0
  CHECK(kept[1] == 0);
  for (const int threads : {1, 2}) {
    const outcome full = run_packed(all, which::cpu, threads);
    const outcome some = run_packed(only, which::cpu, threads);
    std::vector<spike_event> expected;
    for (const auto& e : full.spikes)
      if (kept[e.gid]) expected.push_back(e);
    CHECK(full.spikes.size() > 10000);
    CHECK_FALSE(expected.empty());
    CHECK(some.spikes == expected);
    CHECK(some.counts == full.counts);
    check_same_state(full.saved, some.saved);
  }

  // The bound the CUDA engine's batches are planned with: only the kept
  // sources' spikes (5 of COBAHH's 4000 cells, one group, one bound a
  // cell), so batches are longer; plan_batch the longest batch within the
  // entries.
  REQUIRE(all.groups.size() == 1);
  REQUIRE(all.nsources == 4000);
  for (const std::int64_t steps : {1, 2, 7, 31, 1000}) {
    const std::vector<std::uint8_t> every(all.nsources, 1), none(all.nsources, 0);
    CHECK(all.max_spikes_in(steps, &every) == all.max_spikes_in(steps));
    CHECK(all.max_spikes_in(steps, &none) == 0);
    CHECK(all.max_spikes_in(steps, &kept) * 4000 == 5 * all.max_spikes_in(steps));
  }
  const batch_plan whole = plan_batch(all, 100000, 1000), planned = plan_batch(all, 100000, 1000, kept);
  CHECK(planned.steps == 1000);
  CHECK(whole.steps < planned.steps);
  const batch_plan tight = plan_batch(all, 50, 1000, kept);
  CHECK(all.max_spikes_in(tight.steps, &kept) <= 50);
  CHECK(all.max_spikes_in(tight.steps + 1, &kept) > 50);
  CHECK(tight.capacity == all.max_spikes_in(tight.steps, &kept));

  // Given-time sources: their busiest window of the kept ones only. The
  // synchronous network's sources all fire at 5 ms: of three kept, three.
  network sync = synchronous_network(100);
  check(sync);
  const auto img = std::get<image<double>>(pack(sync, 1));
  REQUIRE(img.spike_sources.size() == 1);
  std::vector<std::uint8_t> three(img.nsources, 0);
  const std::uint32_t base = img.spike_sources[0].params.gid_base;
  three[base] = three[base + 50] = three[base + 99] = 1;
  CHECK(img.max_spikes_in(1, &three) == 3);
  CHECK(img.max_spikes_in(1) == 200);
}

}  // TEST_SUITE
