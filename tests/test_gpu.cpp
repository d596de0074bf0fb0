// CPU vs CUDA: the two engines give bit-identical spikes and final state in
// deterministic mode, for both precisions, on the single HH cell and on the
// COBAHH network (1 s). Run by CTest with --require-device, which reports the
// suite as skipped, with the reason, where no device can be used; run without
// it on such a machine, these tests fail rather than pass.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <numeric>

#include "support.hpp"

using namespace ranvier;
using namespace ranvier::test;


TEST_SUITE("gpu") {

TEST_CASE_TEMPLATE("hh_single: CPU and CUDA engines agree bit for bit", T, float, double) {
  network net = example("hh_single.toml");
  net.sim.prec = precision_of(T{});
  check_identical(run(net, which::cpu), run(net, which::cuda));
}

TEST_CASE_TEMPLATE("cobahh, 1 s: CPU and CUDA engines agree bit for bit", T, float, double) {
  network net = example("cobahh.toml");
  net.sim.prec = precision_of(T{});
  const auto cpu = run(net, which::cpu, 2);
  const auto gpu = run(net, which::cuda);
  CHECK(cpu.spikes.size() > 100000);
  check_identical(cpu, gpu);
}

TEST_CASE("every cell firing in one step, again and again: CPU and CUDA agree bit for bit, nothing lost") {
  const network net = synchronous_network(20000);
  const auto cpu = run(net, which::cpu, 2);
  CHECK(cpu.spikes.size() >= 5 * 20000);
  check_identical(cpu, run(net, which::cuda));
}

TEST_CASE("batches whose record fills pause and the rest resume: CPU and CUDA agree bit for bit, nothing lost") {
  // Small record halves and long batches: the synchronous network's bursts
  // (every cell in one step; a record of 2.5 steps' worth, image::
  // max_spikes_in) and the sparse activity of the plastic network (STDP,
  // Hebbian, clefts, terminals) and of dopamine-modulated STDP (whose
  // modulation kernel runs after propagate; records of 1.1 steps' worth)
  // fill the record within a batch, so batches pause (device_clock::paused)
  // and their remaining steps run in later ones. That some batch must
  // pause is checked from the CPU's spikes: were none to pause, batches
  // would start at multiples of their length, and one of them records more
  // in its steps but the last than leaves room for a step.
  const auto paused_run = [](const network& net, double steps_worth, std::int64_t batch) {
    check(net);
    const outcome cpu = run(net, which::cpu, 2);
    any_image img = pack(net, 1);
    const auto [one_step, capacity] = std::visit(
        [&](const auto& im) {
          const std::uint64_t one = im.max_spikes_in(1);
          const auto entries = static_cast<std::uint64_t>(static_cast<double>(one) * steps_worth);
          return std::pair{one, std::max(plan_batch(im, entries, 1000).capacity, one)};
        },
        img);
    std::map<std::int64_t, std::uint64_t> in_batch;  // spikes stamped in a batch's steps but its last
    for (const auto& e : cpu.spikes)
      if ((e.step - 1) % batch != batch - 1) ++in_batch[(e.step - 1) / batch];
    bool must_pause = false;
    for (const auto& [b, n] : in_batch) must_pause = must_pause || n + one_step > capacity;
    CHECK(must_pause);
    const auto entries = static_cast<std::uint64_t>(static_cast<double>(one_step) * steps_worth);
    check_identical(cpu, run_packed(std::move(img), which::cuda, 1, 1000, 0, cuda_settings{entries, batch}));
  };
  network sync = synchronous_network(20000);
  add_record(sync, "cells", "v", {0, 7, 19999});
  paused_run(sync, 2.5, 200);
  network plastic = plastic_network();
  plastic.sim.duration = 100.0;
  paused_run(plastic, 1.1, 20);
  network dopamine = example("dopamine_stdp.toml");
  dopamine.sim.duration = 150.0;
  paused_run(dopamine, 1.1, 20);
}

TEST_CASE_TEMPLATE("fused steps and a propagate launch a step: CUDA gives the CPU's results both ways", T, float,
                   double) {
  // Fused (kernels::fused_propagation): each producer's warps propagate its
  // spikes, the last producer closes the step — here a point group alone
  // (COBAHH, with drawn delays so that arrivals reach every row of the
  // ring), point groups of every model with kinetic and pulse receptors and
  // Poisson sources (a generator closes the step), a cable cell, and the
  // plastic network (the plastic rules before fused producers). Both
  // ways against the CPU, saved states (whose rings the CUDA engine keeps a
  // row deeper) included; and with records small enough that batches pause.
  network drawn = example("cobahh.toml");
  drawn.sim.duration = 200.0;
  for (auto& pr : drawn.projections) pr.delay = distribution::uniform(0.1, 2.0);
  network models = model_network();
  network cable = example("ball_and_stick.toml");  // its given-time input made Poisson: a fused step
  for (auto& p : cable.populations)
    if (p.kind == population_kind::spike_times) {
      p.kind = population_kind::poisson;
      p.size = 20;
      p.rate = 60.0;
      p.times.clear();
      p.spikes.clear();
    }
  network plastic = plastic_network();  // every rule, terminal and cleft; its given-time source made Poisson
  plastic.sim.duration = 200.0;
  for (auto& p : plastic.populations)
    if (p.kind == population_kind::spike_times) {
      p.kind = population_kind::poisson;
      p.rate = 60.0;
      p.times.clear();
      p.spikes.clear();
    }
  for (network* net : {&drawn, &models, &cable, &plastic}) {
    net->sim.prec = precision_of(T{});
    check(*net);
    const outcome cpu = run(*net, which::cpu, 2);
    CHECK(cpu.spikes.size() > 0);
    for (const bool fused : {true, false}) {
      CAPTURE(fused);
      const outcome gpu = run_packed(pack(*net, 1), which::cuda, 1, 1000, 0, cuda_settings{0, 0, fused});
      CHECK(gpu.engine.find(fused ? "fused steps" : "propagate launched") != std::string::npos);
      check_identical(cpu, gpu);
      check_same_state(cpu.saved, gpu.saved);
    }
  }
  // Pausing fused batches: a record of one step's worth and batches of 20
  // steps, so that a batch pauses after any step with a spike but its last
  // — which, from the CPU's spikes, some batch has.
  const std::uint64_t entries = std::visit([](const auto& im) { return im.max_spikes_in(1); }, pack(drawn, 1));
  const outcome cpu = run(drawn, which::cpu, 2);
  CHECK(std::any_of(cpu.spikes.begin(), cpu.spikes.end(), [](const spike_event& e) { return (e.step - 1) % 20 != 19; }));
  check_identical(cpu, run_packed(pack(drawn, 1), which::cuda, 1, 1000, 0, cuda_settings{entries, 20, true}));
}

TEST_CASE("spikes of spike records only: CUDA hands over the CPU's, fused or not, and batches planned for them pause "
          "where they must") {
  // COBAHH with five cells' spikes recorded (a fused step; batches of 1000
  // steps planned for those five), and the synchronous network with half
  // its cells and sources recorded (a propagate launch a step), its record
  // 1.1 steps' worth of the kept sources' spikes and batches of 200 steps,
  // so that they pause. CPU and CUDA with spikes_of_records_only: the same
  // spikes (the kept sources', checked to be fewer than all), states, counts.
  const network cobahh = cobahh_five_recorded(300.0);
  network sync = synchronous_network(20000);
  std::erase_if(sync.records, [](const record_desc& r) { return r.variable == "spikes"; });
  std::vector<std::int64_t> half;
  for (std::int64_t c = 0; c < 20000; c += 2) half.push_back(c);
  add_record(sync, "cells", "spikes", half);
  add_record(sync, "burst", "spikes", half);
  const auto kept_only = [](const network& net) {
    check(net);
    any_image img = pack(net, 1);
    std::visit([](auto& im) { im.spikes_of_records_only = true; }, img);
    return img;
  };
  const outcome cpu = run_packed(kept_only(cobahh), which::cpu, 2);
  CHECK(cpu.spikes.size() > 10);
  CHECK(cpu.spikes.size() * 100 < std::accumulate(cpu.counts.begin(), cpu.counts.end(), std::uint64_t{0}));
  for (const bool fused : {true, false}) {
    const outcome gpu = run_packed(kept_only(cobahh), which::cuda, 1, 1000, 0, cuda_settings{0, 0, fused});
    check_identical(cpu, gpu);
    check_same_state(cpu.saved, gpu.saved);
  }
  const outcome cpu_sync = run_packed(kept_only(sync), which::cpu, 2);
  const std::uint64_t entries = std::visit(
      [](const auto& im) {
        const std::vector<std::uint8_t> kept = im.kept_sources();
        return im.max_spikes_in(1, &kept) * 11 / 10;
      },
      kept_only(sync));
  // Its 600 steps are three batches of 200: one of them must hold more than
  // its record half (entries), so it pauses.
  CHECK(cpu_sync.spikes.size() > 5 * entries);
  check_identical(cpu_sync, run_packed(kept_only(sync), which::cuda, 1, 1000, 0, cuda_settings{entries, 200}));
}

TEST_CASE("cobahh with Poisson drive and drawn delays: CPU and CUDA agree bit for bit") {
  network net = example("cobahh.toml");
  net.sim.duration = 300.0;
  for (auto& pr : net.projections) pr.delay = distribution::uniform(0.1, 2.0);
  add_poisson_drive(net, "drive", 200, 30.0, "inh", "exc", 10, 0.002, 0.01);
  check_identical(run(net, which::cpu, 2), run(net, which::cuda));
}

TEST_CASE_TEMPLATE("static connections by class, weights by class with delays one by one, and both one by one: CPU and "
                   "CUDA agree bit for bit", T, float, double) {
  // COBAHH's constant weights and delays: a class a connection gives both;
  // with drawn delays, the weight only; with drawn weights too, nothing (the
  // image's weight, 16-bit delay). 200 ms each, the CPU on 2 threads (its
  // rows ordered by owner and delay).
  network by_class = example("cobahh.toml");
  by_class.sim.duration = 200.0;
  by_class.sim.prec = precision_of(T{});
  network delays = by_class;
  for (auto& pr : delays.projections) pr.delay = distribution::uniform(0.1, 2.0);
  network weights = delays;
  for (auto& pr : weights.projections) pr.weight = distribution::uniform(0.5 * pr.weight.value, 1.5 * pr.weight.value);
  for (const network* net : {&by_class, &delays, &weights}) {
    const auto cpu = run(*net, which::cpu, 2);
    CHECK(cpu.spikes.size() > 10000);
    check_identical(cpu, run(*net, which::cuda));
  }
}

TEST_CASE_TEMPLATE("delays by run and per connection: CUDA gives the CPU's results both ways, states included", T, float,
                   double) {
  // Drawn delays whose rows' runs pay (host/engines/static_rows.hpp): COBAHH
  // with delays of 0.1 to 0.5 ms (16 bits), and the kinetic network
  // (release states, kept in the engine's order on the device and saved in
  // the image's), also with a silent source of 7000 ms delays (32 bits).
  // The CUDA engine with its delays by run (each warp one delay a run) and
  // per connection, against the CPU on 2 threads (its own runs, by owner);
  // the descriptions say which ran.
  network cobahh = example("cobahh.toml");
  cobahh.sim.duration = 200.0;
  cobahh.sim.prec = precision_of(T{});
  for (auto& p : cobahh.projections) p.delay = distribution::uniform(0.1, 0.5);
  network kinetic = kinetic_drawn_delays(0.3, 1000);
  kinetic.sim.prec = precision_of(T{});
  const network nets[] = {cobahh, kinetic, with_wide_delays(kinetic, "cell", "ampa")};
  for (const network& net : nets) {
    check(net);
    const auto cpu = run(net, which::cpu, 2);
    CHECK(contains(cpu.engine, "delays by run"));
    CHECK(cpu.spikes.size() > 100);
    for (bool runs : {true, false}) {
      CAPTURE(runs);
      cuda_settings settings;
      settings.delay_runs = runs;
      const auto gpu = run_packed(pack(net, 1), which::cuda, 1, 1000, 0, settings);
      CHECK(contains(gpu.engine, "delays by run") == runs);
      check_identical(cpu, gpu);
      check_same_state(cpu.saved, gpu.saved);
    }
  }
}

TEST_CASE_TEMPLATE("cable cells: CPU and CUDA engines agree bit for bit", T, float, double) {
  struct model {
    const char* name;
    network net;
  };
  const model models[] = {{"ball_and_stick", example("ball_and_stick.toml")},
                          {"branched", validation_model("branched.toml")},
                          {"swc_cell", validation_model("swc_cell.toml")},
                          {"active_dendrite", example("active_dendrite.toml")},
                          {"myelinated_axon", example("myelinated_axon.toml")}};
  for (const auto& m : models) {
    CAPTURE(m.name);
    network net = m.net;
    net.sim.prec = precision_of(T{});
    check_identical(run(net, which::cpu), run(net, which::cuda));
  }
}

TEST_CASE_TEMPLATE("a network of point and cable cells with gap junctions: CPU and CUDA agree bit for bit", T, float,
                   double) {
  network net = cable_network();
  net.sim.prec = precision_of(T{});
  net.sim.duration = 40.0;
  const auto cpu = run(net, which::cpu, 2);
  CHECK(cpu.spikes.size() > 100);
  check_identical(cpu, run(net, which::cuda));
}

TEST_CASE("secondorder = 2 on a cable cell: CPU and CUDA agree bit for bit") {
  network net = example("ball_and_stick.toml");
  net.sim.secondorder = 2;
  check_identical(run(net, which::cpu), run(net, which::cuda));
}

TEST_CASE_TEMPLATE("every neuron model (LIF, Izhikevich, AdEx, FHN) with current and conductance receptors: CPU and CUDA "
                   "agree bit for bit", T, float, double) {
  network net = model_network();
  net.sim.prec = precision_of(T{});
  const auto cpu = run(net, which::cpu, 2);
  CHECK(cpu.spikes.size() > 1000);
  check_identical(cpu, run(net, which::cuda));
}

TEST_CASE_TEMPLATE("STDP with drawn delays, both pairings and updates, and Hebbian with Oja: CPU and CUDA agree bit for "
                   "bit on weights, traces, rates, spikes", T, float, double) {
  network net = plastic_network();
  net.sim.prec = precision_of(T{});
  const auto cpu = run(net, which::cpu, 2);
  CHECK(cpu.spikes.size() > 100);
  check_identical(cpu, run(net, which::cuda));
}

TEST_CASE_TEMPLATE("sources given twice in a step through STDP and a Hebbian rule learning every step: CPU and CUDA "
                   "agree bit for bit", T, float, double) {
  network net = repeated_sources_network();
  net.sim.prec = precision_of(T{});
  check(net);
  const auto cpu = run(net, which::cpu, 2);
  CHECK(cpu.spikes.size() > 300);
  check_identical(cpu, run(net, which::cuda));
}

TEST_CASE("the CUDA engine's host timers: where the host's time went in a run") {
  // COBAHH for 200 ms through the run driver on the device: at least one
  // batch; the host waited for the device; enqueueing, waiting and taking
  // the record add up to no more than the run. The CPU engine has none.
  network net = example("cobahh.toml");
  net.sim.duration = 200.0;
  run_options opt;
  opt.engine = engine_choice::cuda;
  opt.progress = false;
  const run_summary s = run_network(net, opt);
  CHECK(contains(s.engine, "cuda"));
  CHECK(s.host.batches >= 1);
  CHECK(s.host.wait_s > 0.0);
  CHECK(s.host.take_s > 0.0);
  CHECK(s.host.enqueue_s + s.host.wait_s + s.host.take_s <= s.run_s);
  opt.engine = engine_choice::cpu;
  const run_summary c = run_network(net, opt);
  CHECK(c.host.batches == 0);
  CHECK(c.host.wait_s == 0.0);
}

TEST_CASE_TEMPLATE("presynaptic terminals (Tsodyks-Markram, quantal with sigmoid and Hill release) and their records: CPU "
                   "and CUDA agree bit for bit", T, float, double) {
  std::vector<double> times;
  for (int k = 0; k < 30; ++k) times.push_back(5.0 + 7.3 * k);
  terminal_desc tm;
  tm.model = terminal_kind::tsodyks_markram;
  tm.u = 0.2;
  tm.tau_rec = 150.0;
  tm.tau_facil = 400.0;
  terminal_desc sig;
  sig.model = terminal_kind::quantal;
  sig.sites = 12;
  sig.tau_rec = 80.0;
  sig.curve = release_curve::sigmoid;
  terminal_desc hill = sig;
  hill.curve = release_curve::hill;
  network net = terminal_net(200, times, {tm, sig, hill}, 0.001, 0.5, 230.0);
  net.sim.prec = precision_of(T{});
  for (const auto& [proj, var] : std::vector<std::pair<std::string, std::string>>{
           {"t0", "u"}, {"t0", "x"}, {"t1", "ca_pre"}, {"t1", "released"}, {"t2", "ready"}}) {
    record_desc r;
    r.projection = proj;
    r.variable = var;
    r.connections = {{0, 0}, {7, 7}, {199, 199}};
    r.interval = 0.5;
    net.records.push_back(r);
  }
  const auto cpu = run(net, which::cpu, 2);
  check_identical(cpu, run(net, which::cuda));
}

}  // TEST_SUITE
