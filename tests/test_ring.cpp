// The ring's width: 32-bit words where every step's sum is exact at a scale
// no finer than the 64-bit ring's 2^-40 (choose_ring_scales), else 64-bit.
// What decides it, and that it never changes a result: the same spikes,
// states and rings as the 64-bit ring, on any threads, through checkpoints
// from one width to the other, and when a change of the model's weights
// leaves arrivals in flight that the 32-bit ring cannot hold. CPU against
// CUDA on both widths: the gpu suite.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <variant>

#include "host/engines/engine.hpp"
#include "host/engines/engine_state.hpp"
#include "host/model/check.hpp"
#include "host/pack/image.hpp"
#include "support.hpp"

using namespace ranvier;
using namespace ranvier::test;

namespace {

// COBAHH (4000 Traub–Miles cells) in single precision for `ms`: weights
// 0.006f and 0.067f µS, multiples of 2^-31 and 2^-27.
network cobahh_single(double ms) {
  network net = example("cobahh.toml");
  net.sim.duration = ms;
  net.sim.prec = precision::single;
  return net;
}

template <class T> image<T> packed(const network& net) {
  check(net);
  return std::get<image<T>>(pack(net, 1));
}

// The defining properties of a 32-bit ring, checked from the image alone:
// per receptor, every weight onto it a multiple of 2^-k, every target's
// worst sum (Σ |w|·2^k · the spikes its source can send in a step, `most`
// per source) within int32, and k the largest such scale up to 40.
template <class T> void check_scales(const image<T>& img, const std::vector<double>& most) {
  REQUIRE(img.narrow_ring());
  REQUIRE(img.ring_scale.size() == img.ntargets);
  std::vector<double> sum(img.ntargets, 0.0);
  bool multiples = true;
  for (std::uint32_t g = 0; g + 1 < img.row.size(); ++g)
    for (std::uint64_t c = img.row[g]; c < img.row[g + 1]; ++c) {
      const std::uint32_t t = img.target[c];
      const double q = std::ldexp(std::fabs(static_cast<double>(img.weight_at(c))), img.ring_scale[t]);
      multiples = multiples && q == std::floor(q);
      sum[t] += q * most[g];
    }
  CHECK(multiples);
  for (const auto& g : img.groups)
    for (const auto& rc : g.receptors) {
      double worst = 0.0;
      for (std::uint32_t j = 0; j < rc.ninst(); ++j)
        for (std::uint32_t c = 0; c < g.ncells; ++c) {
          const std::size_t t = rc.target_base + static_cast<std::size_t>(rc.first_location + j) * g.ncells + c;
          CHECK(img.ring_scale[t] == rc.scale);
          worst = std::max(worst, sum[t]);
        }
      CAPTURE(rc.name);
      CHECK(rc.scale <= 40);
      CHECK(worst <= 2147483647.0);
      if (rc.scale < 40) CHECK(worst * 2.0 > 2147483647.0);  // the largest scale
    }
}

// One LIF cell onto which `n` given-time sources, each firing `times`
// times within one step, project with weight w [nA] (a current receptor).
network fan_in(std::int64_t n, int times, double w) {
  network net;
  net.sim.dt = 0.1;
  net.sim.duration = 5.0;
  net.sim.prec = precision::single;
  add_model_population(net, "lif_cell", "lif", {}, {receptor_desc::exp_current("exc", 2.0)}, "cell", 1);
  population_desc in;
  in.name = "in";
  in.kind = population_kind::spike_times;
  in.size = n;
  for (std::int64_t i = 0; i < n; ++i)
    for (int k = 0; k < times; ++k) in.spikes.push_back({1.0 + 0.01 * k, i, 0});
  net.populations.push_back(in);
  projection_desc p = projection("in", "cell", "exc");
  p.rule = connect_rule::all_to_all;
  p.weight = distribution::constant(w);
  net.projections.push_back(p);
  return net;
}

// Conductance LIF cells with an expsyn and a pulse receptor and a current
// LIF population, driven by Poisson sources with dyadic weights (multiples
// of 2^-10 µS and 2^-4 nA) and a source given twice within a step, and
// connected to each other: a network the 32-bit ring takes, pulses and all.
network dyadic_network() {
  network net;
  net.sim.dt = 0.05;
  net.sim.duration = 150.0;
  add_model_population(net, "lif_cond", "lif", {{"tau_m", 20.0}},
                       {receptor_desc::expsyn("exc", 5.0, 0.0), receptor_desc::alphasyn("inh", 10.0, -80.0),
                        receptor_desc::of("pls", "pulsesyn", {{"duration", 1.0}, {"e", 0.0}})},
                       "cond", 120);
  add_model_population(net, "lif_psc", "lif", {{"t_ref", 2.0}}, {receptor_desc::exp_current("exc", 2.0)}, "psc", 80);
  add_record(net, "cond", "spikes");
  add_record(net, "psc", "spikes");
  add_record(net, "cond", "v", {0, 5}, 0.5);
  const auto drive = [&](const std::string& name, const std::string& target, const std::string& receptor, double w,
                         std::int64_t indegree) {
    add_poisson_drive(net, name, 100, 60.0, target, receptor, indegree, 0.0, 1.0);
    net.projections.back().weight = distribution::constant(w);
  };
  drive("d_exc", "cond", "exc", 0.0078125, 20);  // 2^-7 µS
  drive("d_pls", "cond", "pls", 0.001953125, 10);  // 2^-9 µS
  drive("d_psc", "psc", "exc", 0.5625, 20);       // 9·2^-4 nA
  add_spike_source(net, "twice", 1, {{20.0, 0, 0}, {20.01, 0, 0}}, "cond", "pls", 0.0009765625);  // 2^-10 µS
  projection_desc rec = projection("cond", "psc", "exc");
  rec.rule = connect_rule::fixed_probability;
  rec.probability = 0.1;
  rec.weight = distribution::constant(0.25);
  rec.delay = distribution::uniform(0.5, 3.0);
  net.projections.push_back(rec);
  projection_desc inh = projection("psc", "cond", "inh");
  inh.rule = connect_rule::fixed_probability;
  inh.probability = 0.1;
  inh.weight = distribution::constant(0.0625);
  net.projections.push_back(inh);
  return net;
}

// Runs `img` and the same image on the 64-bit ring on the CPU engine with
// 1 and 2 threads: the same spikes, samples, states (rings included, at
// 2^-40) and saved state.
template <class T> void check_same_as_wide(const image<T>& img, std::size_t least_spikes) {
  REQUIRE(img.narrow_ring());
  image<T> wide = img;
  widen_ring(wide);
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    const outcome a = run_packed(img, which::cpu, threads);
    const outcome b = run_packed(wide, which::cpu, threads);
    CHECK(a.spikes.size() >= least_spikes);
    check_identical(a, b);
    check_same_state(a.saved, b.saved);
  }
}

}  // namespace

TEST_SUITE("engine") {

TEST_CASE("the 32-bit ring is chosen where every sum is exact at a scale no finer than 2^-40") {
  SUBCASE("COBAHH in single precision: both receptors, each at its largest scale") {
    const auto img = packed<float>(cobahh_single(10.0));
    check_scales(img, std::vector<double>(img.nsources, 1.0));
    CHECK(img.groups[0].receptors[0].scale >= 31);  // 0.006f needs 2^-31
    auto wide = img;  // the device's bytes: 4 a ring word less, 1 a target's scale more
    widen_ring(wide);
    CHECK(wide.memory_bytes() - img.memory_bytes() == std::uint64_t{img.ring_depth} * img.ntargets * 4 - img.ntargets);
  }
  SUBCASE("in double precision 0.006 and 0.067 µS are no multiples of 2^-40: the 64-bit ring") {
    const auto img = packed<double>(example("cobahh.toml"));
    CHECK_FALSE(img.narrow_ring());
    CHECK(img.groups[0].receptors[0].scale == 40);
    network net = example("cobahh.toml");
    for (auto& p : net.projections) p.weight = distribution::constant(p.receptor == "exc" ? 0.005859375 : 0.0625);
    const auto dyadic = packed<double>(net);  // 3·2^-9 and 2^-4 µS: multiples in double too
    check_scales(dyadic, std::vector<double>(dyadic.nsources, 1.0));
  }
  SUBCASE("the scale follows the worst sum onto a target, a source's repeats within a step counted") {
    // 1024 inputs of 1 nA can sum to 2^10: 2^10·2^21 = 2^31 leaves int32, so 2^-20.
    CHECK(packed<float>(fan_in(1024, 1, 1.0)).groups[0].receptors[0].scale == 20);
    CHECK(packed<float>(fan_in(1023, 1, 1.0)).groups[0].receptors[0].scale == 21);
    CHECK(packed<float>(fan_in(512, 2, 1.0)).groups[0].receptors[0].scale == 20);  // each source twice in a step
    CHECK(packed<float>(fan_in(512, 1, 1.0)).groups[0].receptors[0].scale == 21);
    const auto most2 = [](const image<float>& img) {
      std::vector<double> m(img.nsources, 2.0);
      m[0] = 1.0;  // the LIF cell
      return m;
    };
    const auto img = packed<float>(fan_in(512, 2, 1.0));
    check_scales(img, most2(img));
  }
  SUBCASE("weights finer than 2^-40, or not multiples at the largest scale: the 64-bit ring") {
    CHECK_FALSE(packed<float>(fan_in(4, 1, std::ldexp(1.0, -41))).narrow_ring());
    CHECK(packed<float>(fan_in(4, 1, std::ldexp(1.0, -40))).narrow_ring());
    CHECK(packed<float>(fan_in(1023, 1, 1.0 + std::ldexp(1.0, -21))).narrow_ring());
    CHECK_FALSE(packed<float>(fan_in(1023, 1, 1.0 + std::ldexp(1.0, -22))).narrow_ring());
  }
  SUBCASE("plastic projections and kinetic receptors: the 64-bit ring") {
    network plastic = plastic_network();
    plastic.sim.prec = precision::single;
    CHECK_FALSE(packed<float>(plastic).narrow_ring());
    network kinetic = model_network();  // AdEx with NMDA, GABA_A and GABA_B
    kinetic.sim.prec = precision::single;
    CHECK_FALSE(packed<float>(kinetic).narrow_ring());
  }
  SUBCASE("pulse receptors, given-time sources and drawn delays: the 32-bit ring") {
    network net = dyadic_network();
    const auto img = packed<double>(net);
    std::vector<double> most(img.nsources, 1.0);
    most[img.nsources - 1] = 2.0;  // "twice", the last population
    check_scales(img, most);
    CHECK_FALSE(img.pulse.empty());
  }
}

TEST_CASE("the 32-bit ring gives the 64-bit ring's results bit for bit") {
  SUBCASE("COBAHH in single precision") { check_same_as_wide(packed<float>(cobahh_single(100.0)), 10000); }
  SUBCASE("pulse and current receptors, a source twice in a step, drawn delays; both precisions") {
    network net = dyadic_network();
    check_same_as_wide(packed<double>(net), 1000);
    net.sim.prec = precision::single;
    check_same_as_wide(packed<float>(net), 1000);
  }
}

TEST_CASE("a state moves between the 32-bit and the 64-bit ring; arrivals it cannot hold widen the ring") {
  const network net = cobahh_single(60.0);
  const auto narrow = packed<float>(net);
  auto wide = narrow;
  widen_ring(wide);
  const std::int64_t split = 250, steps = narrow.nsteps;
  // The run in one piece, then split at `split`: saved by an engine on one
  // image, resumed by another on the other (apply_image_state first, as the
  // driver and sessions do).
  const outcome straight = run_packed(narrow, which::cpu, 1);
  const auto resumed = [&](const image<float>& first, image<float> second, bool widened) {
    recording rec;
    engine_state st;
    {
      auto eng = make_cpu_engine(first, 2);
      eng->run(split, rec);
      st = eng->save_state();
    }
    apply_image_state(second, st);
    CHECK(second.narrow_ring() == !widened);
    auto eng = make_cpu_engine(std::move(second), 1);
    eng->resume_state(st);
    eng->run(steps - split, rec);
    return rec.spikes;
  };
  CHECK(straight.spikes.size() > 1000);
  CHECK(resumed(narrow, wide, true) == straight.spikes);
  CHECK(resumed(wide, narrow, false) == straight.spikes);

  // A state whose ring holds a value that is no multiple of the receptor's
  // 2^-k (the model's weights changed with arrivals in flight): the image
  // takes the 64-bit ring, and the value arrives whole.
  engine_state st;
  {
    recording rec;
    auto eng = make_cpu_engine(narrow, 1);
    eng->run(split, rec);
    st = eng->save_state();
  }
  state_section* ring = nullptr;
  for (auto& s : st.sections)
    if (s.name == "ring") ring = &s;
  REQUIRE(ring != nullptr);
  const std::uint64_t at = static_cast<std::uint64_t>((split + 1) % narrow.ring_depth) * narrow.ntargets;  // arrives next step
  std::int64_t q;
  std::memcpy(&q, ring->bytes.data() + at * 8, 8);
  q += 1;  // 2^-40 µS more onto target 0
  std::memcpy(ring->bytes.data() + at * 8, &q, 8);
  auto fitted = narrow;
  apply_image_state(fitted, st);
  CHECK_FALSE(fitted.narrow_ring());
  auto eng = make_cpu_engine(std::move(fitted), 1);
  eng->resume_state(st);
  CHECK(eng->save_state().find("ring")->bytes == ring->bytes);  // nothing rounded
  auto unfitted = narrow;  // resumed without apply_image_state: refused, not rounded
  auto eng2 = make_cpu_engine(std::move(unfitted), 1);
  CHECK_THROWS_AS(eng2->resume_state(st), internal_error);
}

TEST_CASE("a ring's rows move to a deeper ring and back, each step's arrivals to that step's row") {
  // Synthetic: depth 3, 2 targets; the value of (step s, target t) is
  // 10·s + t + 1 in row s % 3. At step 7 they move to 4 rows (the CUDA
  // engine's depth), back to 3, and from 4 rows with a value beyond the 3
  // rows (the row of step 7 + 3): refused.
  const std::size_t nt = 2;
  const std::int64_t at = 7;
  std::vector<std::int64_t> three(3 * nt);
  const auto value = [](std::int64_t s, std::size_t t) { return 10 * s + static_cast<std::int64_t>(t) + 1; };
  const auto row = [nt](std::int64_t s, std::int64_t depth) { return static_cast<std::size_t>(s % depth) * nt; };
  for (std::int64_t s = at; s < at + 3; ++s)
    for (std::size_t t = 0; t < nt; ++t) three[row(s, 3) + t] = value(s, t);
  const auto four = ring_rows_moved(three, nt, 3, 4, at, "ring");
  REQUIRE(four.size() == 4 * nt);
  for (std::int64_t s = at; s < at + 3; ++s)
    for (std::size_t t = 0; t < nt; ++t) CHECK(four[row(s, 4) + t] == value(s, t));
  for (std::size_t t = 0; t < nt; ++t) CHECK(four[row(at + 3, 4) + t] == 0);
  CHECK(ring_rows_moved(four, nt, 4, 3, at, "ring") == three);
  auto over = four;
  over[row(at + 3, 4) + 1] = 5;
  CHECK_THROWS_AS((void)ring_rows_moved(over, nt, 4, 3, at, "ring"), internal_error);
  CHECK_THROWS_AS((void)ring_rows_moved(three, nt, 4, 3, at, "ring"), internal_error);  // not 4 rows

  // A CPU engine's ring mid-run (COBAHH with delays drawn up to 2 ms): a
  // row deeper and back, the same.
  network drawn = example("cobahh.toml");
  drawn.sim.duration = 30.0;
  for (auto& pr : drawn.projections) pr.delay = distribution::uniform(0.1, 2.0);
  const auto img = packed<double>(drawn);
  REQUIRE(img.ring_depth > 10);
  recording rec;
  auto eng = make_cpu_engine(img, 2);
  eng->run(173, rec);
  const engine_state st = eng->save_state();
  std::vector<std::int64_t> ring(static_cast<std::size_t>(img.ring_depth) * img.ntargets);
  st.get("ring", ring);
  REQUIRE(std::any_of(ring.begin(), ring.end(), [](std::int64_t q) { return q != 0; }));
  const auto deeper = ring_rows_moved(ring, img.ntargets, img.ring_depth, img.ring_depth + 1, 173, "ring");
  CHECK(ring_rows_moved(deeper, img.ntargets, img.ring_depth + 1, img.ring_depth, 173, "ring") == ring);
}

}  // TEST_SUITE

TEST_SUITE("gpu") {

TEST_CASE("the 32-bit ring on the device: CUDA gives the CPU's results, and the same on the 64-bit ring") {
  const auto compare = [](const auto& img) {
    REQUIRE(img.narrow_ring());
    auto wide = img;
    widen_ring(wide);
    const outcome cpu = run_packed(img, which::cpu, 2);
    const outcome gpu = run_packed(img, which::cuda);
    check_identical(cpu, gpu);
    check_same_state(cpu.saved, gpu.saved);
    const outcome gpu_wide = run_packed(wide, which::cuda);
    check_identical(cpu, gpu_wide);
    check_same_state(cpu.saved, gpu_wide.saved);
  };
  compare(packed<float>(cobahh_single(200.0)));
  network net = dyadic_network();
  compare(packed<double>(net));
  net.sim.prec = precision::single;
  compare(packed<float>(net));
}

}  // TEST_SUITE
