// Checkpoints and resume: a run split by a checkpoint equals the run in one
// piece, bit for bit (spikes, samples, every state array, weights, rings,
// spike history), for every kind of model, across thread counts and cable
// layouts, through the file and through `ranvier run` / `resume`'s driver
// with its outputs; damaged, foreign and mismatched checkpoints and outputs
// are refused with what is wrong. CPU against CUDA: the gpu suite.
#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "host/checkpoint.hpp"
#include "support.hpp"

using namespace ranvier;
using namespace ranvier::test;

namespace {

// A model of examples/ cut to `ms` (its outputs are not needed here).
network short_example(const std::string& name, double ms) {
  network net = example(name);
  net.sim.duration = ms;
  return net;
}

std::int64_t steps_of(const network& net) { return static_cast<std::int64_t>(net.sim.duration / net.sim.dt + 0.5); }

// The run in one piece against the run split at 3/7 of it, saved through
// a checkpoint file and resumed with other threads.
void check_split(const network& net, int threads_straight, int threads1, int threads2) {
  const outcome straight = run(net, which::cpu, threads_straight);
  const scratch_output d("ranvier_split");
  const outcome split = run_resumed(net, steps_of(net) * 3 / 7, which::cpu, threads1, which::cpu, threads2, d.dir);
  MESSAGE(straight.engine << " in one piece; split: " << split.engine);
  // The thread counts the subcase names are the ones that ran (a network
  // too small to share runs on one thread).
  const auto threads = [](int n) { return n == 1 ? std::string("(1 thread,") : fmt::format("({} threads,", n); };
  CHECK(contains(straight.engine, threads(threads_straight)));
  const std::size_t then = split.engine.find(", then ");
  REQUIRE(then != std::string::npos);
  CHECK(contains(split.engine.substr(0, then), threads(threads1)));
  CHECK(contains(split.engine.substr(then), threads(threads2)));
  check_identical(straight, split);
  check_same_state(straight.saved, split.saved);
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << text;
}

// Every output file of a run directory (not the checkpoints), by name.
std::map<std::string, std::string> outputs_of(const std::filesystem::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".csv") out[e.path().filename().string()] = read_file(e.path());
  return out;
}

}  // namespace

TEST_SUITE("engine") {

TEST_CASE("a run split by a checkpoint equals the run in one piece, bit for bit") {
  SUBCASE("plastic network: STDP, Hebbian, kinetic and pulse receptors, clefts, terminals, BCM, scaling; 1 then 2 threads") {
    network net = plastic_network();
    net.populations[0].size = 1600;  // enough cells for two threads
    net.sim.duration = 200.0;
    check_split(net, 2, 1, 2);
  }
  SUBCASE("plastic network in single precision, fast mode; 2 then 1 threads") {
    network net = plastic_network();
    net.populations[0].size = 1600;
    net.sim.duration = 150.0;
    net.sim.prec = precision::single;
    net.sim.mode = arith_mode::fast;
    check_split(net, 1, 2, 1);
  }
  SUBCASE("every neuron model, current, conductance, pulse and kinetic receptors; 2 then 1 threads") {
    network net = model_network();
    for (auto& p : net.populations)
      if (p.kind == population_kind::cell) p.size = 300;  // enough cells for two threads
    net.sim.duration = 80.0;
    check_split(net, 2, 2, 1);
  }
  SUBCASE("cable and point cells, gap junctions, records along a section; cable layouts of 1 and 2 threads") {
    network net = cable_network();
    net.sim.duration = 30.0;
    check_split(net, 1, 2, 1);
    check_split(net, 2, 1, 2);
  }
  SUBCASE("COBAHH (Traub-Miles, 4000 cells), 2 then 1 threads") { check_split(short_example("cobahh.toml", 20.0), 2, 2, 1); }
  SUBCASE("COBAHH in single precision (the 32-bit ring), 1 then 2 threads") {
    network net = short_example("cobahh.toml", 20.0);
    net.sim.prec = precision::single;
    check_split(net, 2, 1, 2);
  }
  SUBCASE("COBAHH in fast mode (rate tables), 1 then 2 threads") {
    network net = short_example("cobahh.toml", 20.0);
    net.sim.mode = arith_mode::fast;
    check_split(net, 1, 1, 2);
  }
  SUBCASE("dopamine-modulated STDP") { check_split(short_example("dopamine_stdp.toml", 300.0), 1, 1, 1); }
  SUBCASE("stochastic vesicle release") { check_split(short_example("stochastic_synapse.toml", 200.0), 1, 1, 1); }
  SUBCASE("active dendrite (calcium, NMDA spikes)") { check_split(short_example("active_dendrite.toml", 60.0), 1, 1, 1); }
  SUBCASE("Hebbian, BCM, homeostatic scaling, short-term plasticity") {
    check_split(short_example("hebbian.toml", 300.0), 1, 1, 1);
    check_split(short_example("bcm.toml", 300.0), 1, 1, 1);
    check_split(short_example("homeostasis.toml", 300.0), 1, 1, 1);
    check_split(short_example("stp.toml", 300.0), 1, 1, 1);
  }
  SUBCASE("a reconstructed neuron (SWC) and a myelinated axon") {
    check_split(short_example("swc_neuron.toml", 40.0), 1, 1, 1);
    check_split(short_example("myelinated_axon.toml", 5.0), 1, 1, 1);
  }
}

TEST_CASE("ranvier run with checkpoints, then resume: the outputs equal the run in one piece, byte for byte") {
  // stdp_song: weights sampled and as a histogram, final weights, spikes.
  const scratch_output whole("ranvier_ck_whole"), part("ranvier_ck_part");
  run_options o1 = whole.opt;
  o1.duration = 600.0;
  o1.engine = engine_choice::cpu;
  const run_summary s1 = run_network(example("stdp_song.toml"), o1);
  // To 250 ms (not a multiple of the interval: a checkpoint at the end too),
  // then on to 600 ms in two resumes, the second with another thread count.
  run_options o2 = part.opt;
  o2.duration = 250.0;
  o2.engine = engine_choice::cpu;
  o2.checkpoint_every = 100.0;
  const run_summary s2 = run_network(example("stdp_song.toml"), o2);
  CHECK(s2.checkpoint_step == 2500);
  run_options r;
  r.progress = false;
  r.duration = 420.0;
  const run_summary s3 = resume_run(part.dir / "checkpoint", r);
  CHECK(s3.resumed_from == 2500);
  CHECK(s3.checkpoint_step == 4200);
  r.duration = 600.0;
  r.threads = 2;
  const run_summary s4 = resume_run(part.dir / "checkpoint", r);
  CHECK(s4.resumed_from == 4200);
  CHECK(s4.spikes == s1.spikes);
  const auto a = outputs_of(whole.dir), b = outputs_of(part.dir);
  REQUIRE(a.size() == 4);
  REQUIRE(a.size() == b.size());
  for (const auto& [name, text] : a) {
    CAPTURE(name);
    CHECK(b.at(name) == text);
  }
  // Into a new directory: the outputs are copied up to the checkpoint and continued there.
  const scratch_output other("ranvier_ck_other");
  r.out = other.dir;
  r.duration = 600.0;
  resume_run(part.dir / "checkpoint", r);  // the checkpoint at 600 ms: nothing left to run
  CHECK(outputs_of(other.dir).at("spikes.csv") == a.at("spikes.csv"));
}

TEST_CASE("a measurement continues across a resume") {
  const scratch_output whole("ranvier_ck_measure_whole"), part("ranvier_ck_measure_part");
  network net = example("myelinated_axon.toml");
  const run_summary s1 = run_network(net, whole.opt);
  REQUIRE(!s1.measurements.empty());
  REQUIRE(s1.measurements[0].ok());
  run_options o = part.opt;
  o.duration = net.sim.duration / 2;
  o.checkpoint_every = net.sim.duration / 2;
  run_network(net, o);
  run_options r;
  r.progress = false;
  r.duration = net.sim.duration;
  const run_summary s2 = resume_run(part.dir / "checkpoint", r);
  REQUIRE(s2.measurements.size() == s1.measurements.size());
  CHECK(s2.measurements[0].t_from_ms == s1.measurements[0].t_from_ms);
  CHECK(s2.measurements[0].t_to_ms == s1.measurements[0].t_to_ms);
}

}  // TEST_SUITE("engine")

TEST_SUITE("unit") {

TEST_CASE("damaged, foreign and mismatched checkpoints are refused, saying what is wrong") {
  const scratch_output d("ranvier_ck_bad");
  run_options o = d.opt;
  o.duration = 50.0;
  o.checkpoint_every = 20.0;
  o.engine = engine_choice::cpu;
  run_network(example("stdp_song.toml"), o);
  const auto dir = d.dir / "checkpoint";
  const auto file = checkpoint_file(dir);
  const std::string good = read_file(file);
  REQUIRE(good.size() > 1000);
  run_options r;
  r.progress = false;
  const auto resume_error = [&] { return error_of([&] { resume_run(dir, r); }); };

  SUBCASE("a checkpoint written while a kill came leaves the previous one whole") {
    write_file(dir / "checkpoint.rvc.partial", good.substr(0, good.size() / 3));
    CHECK(read_checkpoint(dir).state.step == 500);
  }
  SUBCASE("one byte changed") {
    std::string bad = good;
    bad[bad.size() / 2] ^= 0x10;
    write_file(file, bad);
    const std::string e = resume_error();
    CHECK(contains(e, "the checkpoint is damaged (its checksum does not match: truncated or corrupted"));
    CHECK(contains(e, file.string()));
  }
  SUBCASE("truncated") {
    write_file(file, good.substr(0, good.size() - 100));
    CHECK(contains(resume_error(), "the checkpoint is damaged"));
    write_file(file, good.substr(0, 24));
    CHECK(contains(resume_error(), "the checkpoint is damaged (truncated: shorter than its header; 24 bytes)"));
    write_file(file, good.substr(0, 7));
    CHECK(contains(resume_error(), "not a Ranvier checkpoint (it does not start with RANVIER-CHECKPNT); it has only 7 bytes"));
  }
  SUBCASE("another format") {
    std::string bad = good;
    bad[16] = 7;
    write_file(file, bad);
    CHECK(contains(resume_error(), "a checkpoint of format 7; this Ranvier"));
  }
  SUBCASE("not a checkpoint, or none") {
    write_file(file, "[simulation]\ndt = 0.1\n");
    CHECK(contains(resume_error(), "not a Ranvier checkpoint"));
    std::filesystem::remove(file);
    CHECK(contains(resume_error(), "no checkpoint at " + file.string()));
  }
  SUBCASE("a network that no longer matches the state") {
    checkpoint c = read_checkpoint(dir);
    const auto at = c.model_text.find("delay = 0.1");
    REQUIRE(at != std::string::npos);
    c.model_text.replace(at, 11, "delay = 0.2");  // other delays
    write_checkpoint(dir, c);
    CHECK(contains(resume_error(), "the network rebuilt from the checkpoint's model differs from the one that wrote it"));
  }
  SUBCASE("an output changed since the checkpoint") {
    std::string spikes = read_file(d.dir / "spikes.csv");
    REQUIRE(spikes.size() > 40);
    spikes[30] = spikes[30] == '1' ? '2' : '1';
    write_file(d.dir / "spikes.csv", spikes);
    CHECK(contains(resume_error(), "spikes.csv was changed since the checkpoint was written"));
    write_file(d.dir / "spikes.csv", spikes.substr(0, 20));
    CHECK(contains(resume_error(), "spikes.csv is shorter than when the checkpoint was written"));
  }
  SUBCASE("bad settings for the resumed run") {
    r.duration = 10.0;
    CHECK(contains(resume_error(), "--duration 10 ms ends before the checkpoint (t = 50 ms)"));
    r.duration.reset();
    r.seed = 3;
    CHECK(contains(resume_error(), "a resumed run keeps the seed of the run it continues"));
    r.seed.reset();
    r.checkpoint_every = 0.01;
    CHECK(contains(resume_error(), "--checkpoint-every 0.01 ms: valid: a finite time of at least dt (0.1 ms)"));
  }
  SUBCASE("bad checkpoint settings for a run") {
    run_options b = d.opt;
    b.checkpoint_every = std::nan("");
    CHECK(contains(error_of([&] { run_network(example("stdp_song.toml"), b); }), "--checkpoint-every nan ms"));
    b.checkpoint_every = 10.0;
    CHECK(contains(error_of([&] { run_network(poisson_net(10, 5.0, 0.0, 10.0, 10.0), b); }),
                   "checkpoints keep the model's text, and this network was built in code"));
    b.checkpoint_every.reset();
    b.checkpoint_dir = d.dir / "elsewhere";
    CHECK(contains(error_of([&] { run_network(example("stdp_song.toml"), b); }), "--checkpoint-dir without --checkpoint-every"));
  }
}

TEST_CASE("checksum64: pieces of any size give the digest of the whole; a change anywhere changes it") {
  std::string text(1000, '\0');
  for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>(i * 37 + 11);
  const std::uint64_t whole = checksum_of(text.data(), text.size());
  for (std::size_t piece : {1, 3, 7, 8, 13, 64, 999}) {
    checksum64 c;
    for (std::size_t at = 0; at < text.size(); at += piece) c.update(text.data() + at, std::min(piece, text.size() - at));
    CHECK(c.digest() == whole);
  }
  for (std::size_t i = 0; i < text.size(); i += 97) {
    std::string t = text;
    t[i] ^= 1;
    CHECK(checksum_of(t.data(), t.size()) != whole);
  }
  CHECK(checksum_of(text.data(), 999) != whole);  // a byte shorter
  const std::string zeros(16, '\0');
  CHECK(checksum_of(zeros.data(), 8) != checksum_of(zeros.data(), 16));  // zeros still count
}

}  // TEST_SUITE("unit")

TEST_SUITE("gpu") {

TEST_CASE_TEMPLATE("a checkpoint written by one engine is resumed by the other, bit for bit", T, float, double) {
  network net = plastic_network();
  net.sim.duration = 200.0;
  net.sim.prec = precision_of(T{});
  const outcome straight = run(net, which::cpu, 2);
  const std::int64_t split = steps_of(net) * 3 / 7;
  const outcome cpu_to_gpu = run_resumed(net, split, which::cpu, 2, which::cuda, 0);
  check_identical(straight, cpu_to_gpu);
  check_same_state(straight.saved, cpu_to_gpu.saved);
  const outcome gpu_to_cpu = run_resumed(net, split, which::cuda, 0, which::cpu, 1);
  check_identical(straight, gpu_to_cpu);
  check_same_state(straight.saved, gpu_to_cpu.saved);
}

TEST_CASE("cable and point cells with gap junctions: CUDA resumes a CPU checkpoint and back, bit for bit") {
  network net = cable_network();
  net.sim.duration = 30.0;
  const outcome straight = run(net, which::cpu, 2);
  const std::int64_t split = steps_of(net) / 3;
  check_same_state(straight.saved, run_resumed(net, split, which::cpu, 2, which::cuda, 0).saved);
  check_same_state(straight.saved, run_resumed(net, split, which::cuda, 0, which::cpu, 2).saved);
}

}  // TEST_SUITE("gpu")
