// Helpers shared by the engine, validation and GPU tests: small networks built
// with the C++ description API, and running an engine to completion while
// keeping everything it recorded.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "host/model/check.hpp"
#include "host/engines/engine.hpp"
#include "host/errors.hpp"
#include "host/pack/image.hpp"
#include "host/model/model.hpp"
#include "host/model/model_file.hpp"
#include "host/run.hpp"

#ifndef RANVIER_TEST_DATA_DIR
#define RANVIER_TEST_DATA_DIR "tests"
#endif
#ifndef RANVIER_SOURCE_DIR
#define RANVIER_SOURCE_DIR "."
#endif

namespace ranvier::test {

// Everything one run produced.
struct outcome {
  std::string engine;
  std::vector<spike_event> spikes;
  std::vector<trace_buffer> traces;
  std::vector<named_array> state;
  std::vector<std::uint32_t> counts;
  std::vector<population_layout> populations;
  double dt = 0.0;
  std::int64_t steps = 0;
  engine_state saved;  // the engine's whole state at the end (save_state)
};

enum class which { cpu, cuda };

// Checks, packs and runs `net` to its end on the given engine, in chunks of
// `chunk` steps; the CPU engine with `cable_block` cells per block of cable
// groups (0: its own choice).
outcome run(const network& net, which e, int threads = 1, std::int64_t chunk = 1000, std::uint32_t cable_block = 0);
// The same for a packed image (which a test may have changed); the CUDA
// engine with `settings`, and both with its delay_runs.
outcome run_packed(any_image img, which e, int threads = 1, std::int64_t chunk = 1000, std::uint32_t cable_block = 0,
                   const cuda_settings& settings = {});

// Runs `net` to its end like run(), but in two pieces: engine `first` with
// `threads1` threads to step `split`, its state saved (and, with `file`,
// written to that checkpoint directory and read back), then a fresh engine
// `second` with `threads2` threads, made from the model packed again and
// the saved state, to the end. The outcome holds both pieces' recordings,
// and both engines' descriptions ("A, then B").
outcome run_resumed(const network& net, std::int64_t split, which first, int threads1, which second, int threads2,
                    const std::filesystem::path& file = {});

// check_identical, and every section of the two engines' saved states the
// same bytes.
void check_same_state(const engine_state& a, const engine_state& b);

// One squid HH cell (NEURON's hh, 1000 µm², so 0.01 nA per µA/cm²) with a
// current step of `density` [µA/cm²] from `start` for `dur` [ms], its
// voltage recorded every step.
network hh_cell(double density_uA_cm2, double start_ms = 10.0, double dur_ms = 100.0, double tstop_ms = 120.0,
                double dt_ms = 0.025);

// Adds a [[record]] of `variable` ("spikes", "v", …) of some cells (all if
// none given) every `interval` ms (0: every step).
void add_record(network& net, const std::string& population, const std::string& variable,
                std::vector<std::int64_t> cells = {}, double interval = 0.0);

// Adds a cell type `cell` of neuron model `model` (core/neurons/) with the
// given parameters and receptors, and a population `population` of `size`
// of it.
void add_model_population(network& net, const std::string& cell, const std::string& model,
                          std::map<std::string, double> params, std::vector<receptor_desc> receptors,
                          const std::string& population, std::int64_t size);

// A projection named "pre->post" onto `receptor`; the caller sets its rule.
projection_desc projection(const std::string& pre, const std::string& post, const std::string& receptor);

// Adds a Poisson population `name` of `size` generators at `rate` [Hz] and a
// fixed in-degree projection from it onto `target`'s receptor, weights drawn
// uniformly in [w_lo, w_hi] [µS]; its spikes are recorded.
void add_poisson_drive(network& net, const std::string& name, std::int64_t size, double rate,
                       const std::string& target, const std::string& receptor, std::int64_t indegree, double w_lo,
                       double w_hi);

// Adds a spike_times population `name` firing `spikes` and an all-to-all
// projection from it onto `target`'s receptor with weight w [µS] and delay
// [ms].
void add_spike_source(network& net, const std::string& name, std::int64_t size, std::vector<given_spike> spikes,
                      const std::string& target, const std::string& receptor, double w, double delay = 1.0);

// Spike times [ms] of one population (all cells) in an outcome.
std::vector<double> spike_times(const outcome& o, const std::string& population, std::uint32_t cell = 0);

// An example model file from examples/, or a validation model from
// tests/validation/models/.
network example(const std::string& name);
network validation_model(const std::string& name);

// Whether `part` occurs in `s`; how many lines `s` has (0 if empty).
bool contains(const std::string& s, const std::string& part);
int count_lines(const std::string& s);

// The message of the model_error f() throws ("" if none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const model_error& e) {
    return e.what();
  }
  return "";
}

// Runs `net` on the CPU as `ranvier run` does (without files), for its
// summary: measurements, counts.
run_summary run_measured(const network& net);

// A network of point and cable cells connected both ways (ball-and-sticks
// with receptors spread over their dendrites, NMDA among them, and GABA_A at
// the soma; COBAHH cells), with gap
// junctions, Poisson and given-time sources, and records along a section
// and of a receptor's conductance and current.
network cable_network();

// A network of every neuron model (LIF with current, conductance and pulse
// receptors, Izhikevich, AdEx with kinetic NMDA, GABA_A and GABA_B receptors,
// FitzHugh–Nagumo) driven by Poisson sources,
// connected to each other with excitatory and inhibitory (negative current)
// weights and drawn delays, recording spikes, v and the models' states.
network model_network();

// A plastic network: Poisson inputs onto conductance LIF cells through
// additive all-to-all STDP with drawn delays and a dendritic delay, and
// through a Hebbian projection with Oja's term onto a pulse receptor; recurrent current-based
// connections among the cells with nearest, multiplicative STDP; STDP onto
// AMPA and static recurrent NMDA (kinetic receptors), with two sources
// given twice within a step; Tsodyks-Markram terminals on static weights
// and quantal terminals under STDP; BCM and homeostatic scaling; spikes and
// v recorded.
network plastic_network();
// Sources given twice in a step through STDP and a Hebbian rule learning
// every step (tests/support.cpp).
network repeated_sources_network();

// COBAHH (examples/cobahh.toml) for `ms` with spikes recorded of five
// cells only: excitatory 0, 5 and 3199, inhibitory 0 and 799 (gids 0, 5,
// 3199, 3200, 3999).
network cobahh_five_recorded(double ms);

// The network and a silent one-cell source whose projection onto `target`'s
// `receptor` draws delays of 6000 to 7000 ms (beyond 65535 steps at dt =
// 0.1 ms): every static delay then kept per connection in 32 bits.
network with_wide_delays(network net, const std::string& target, const std::string& receptor);

// 200 Poisson sources (20 Hz) onto `cells` LIF cells with an AMPA receptor
// (a kinetic release state a connection), p = 0.3, delays drawn from 0.1
// to `max_delay` [ms] (kept per connection, in 16 bits), 200 ms; the
// cells' spikes recorded.
network kinetic_drawn_delays(double max_delay = 3.0, std::int64_t cells = 40);

// A network of one Poisson population "noise" of n sources at `rate` [Hz]
// from `start` to `stop` [ms], its spikes recorded, `duration` [ms] at dt [ms].
network poisson_net(std::int64_t n, double rate, double start, double stop, double duration, double dt = 0.1);

// A fresh directory `name` under the temporary directory, removed again at
// the end, and run options that write there without a progress line.
struct scratch_output {
  std::filesystem::path dir;
  run_options opt;
  explicit scratch_output(const std::string& name);
  ~scratch_output();
};

// n identical LIF cells under one current step, each with 50 inputs from
// the others, and n given-time sources that all fire at t = 5 ms onto them
// one to one: every cell fires in the same steps (the spike, record and
// ring buffers' worst case).
network synchronous_network(std::int64_t n);

// n LIF cells that never fire, each with a one-step pulse receptor per
// projection ("r0", "r1", ...: its conductance after an arrival's step is
// the weight that arrival delivered), and n given-time sources firing
// `times` [ms] each, one to one onto them through `terminals.size()`
// projections of weight w with the given terminals (delay 1 ms, dt 0.1 ms).
// The pulse conductances of all cells are recorded every `interval` ms.
network terminal_net(std::int64_t n, const std::vector<double>& times, const std::vector<terminal_desc>& terminals,
                     double w, double interval, double tstop);

// A small model file: 10 Poisson sources onto 5 LIF cells ("p", receptor
// "exc"), all to all, projection "ff" last, so that a test can append its
// tables ([projection.plasticity], ...) and records.
std::string one_projection_model();

// Checks that two runs are the same bit for bit: spikes, spike counts, every
// trace's steps and values, every state array (== on each value), and says
// which engines were compared (device-check reports the "vs cuda" lines).
void check_identical(const outcome& a, const outcome& b);

// Checks that every state array of group g equals, bit for bit, the array of
// the same name in the engine run `cpu` (the kernel-emulation tests).
template <class T> void check_group_state(const group_storage<T>& g, const outcome& cpu);

precision precision_of(float);
precision precision_of(double);

// A malformed input file of the tests: its first two lines say what its
// error must say, "# expect: SUBSTRING" and "# line: N".
struct bad_file {
  std::string path;
  std::string name;    // the file name
  std::string expect;  // the substring the message must contain
  std::string line;    // the line the message must name
};
// Every file with extension `ext` (".toml") in `dir`, sorted; REQUIREs the
// two header lines of each.
std::vector<bad_file> bad_files(const std::string& dir, const std::string& ext);

// A whole file (REQUIREs that it exists).
std::string read_text(const std::string& path);

// The few numbers the tests need from the committed reference JSON files,
// without a JSON library: the number (or array of numbers) after the last of
// `keys`, each key searched after the previous one.
double json_number(const std::string& json, const std::vector<std::string>& keys);
std::vector<double> json_numbers(const std::string& json, const std::vector<std::string>& keys);
// The text of the JSON object that is the value of `key`, from its '{' to
// the matching '}', and the objects of the array that is its value (the
// reference files have no braces inside strings).
std::string object_of(const std::string& json, const std::string& key);
std::vector<std::string> objects_of(const std::string& json, const std::string& key);

}  // namespace ranvier::test
