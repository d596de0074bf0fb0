// Running a model end to end: check, build, pack, pick an engine, step it in
// chunks while writing what is recorded, report. Shared by the `ranvier` CLI,
// the tests and the benchmarks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "host/engines/host_times.hpp"
#include "host/model/model.hpp"

namespace ranvier {

struct run_options {
  std::optional<engine_choice> engine;   // overrides [simulation] engine
  std::optional<double> duration;        // overrides [simulation] duration [ms]
  std::optional<std::uint64_t> seed;     // overrides [simulation] seed
  std::optional<std::filesystem::path> out;  // output directory; none: write nothing
  int threads = 0;                       // CPU engine and build threads; 0: OpenMP's default
  bool progress = true;                  // a progress line on stderr for runs longer than a few seconds
  bool cuda_fused = true;                // engine_options::cuda_fused (false: for benchmarks' comparison)
  bool delay_runs = true;                // engine_options::delay_runs (false: likewise)
  // Checkpoints (host/checkpoint.hpp): one at every multiple of this time
  // [ms] and one at the end (or when interrupted), into checkpoint_dir
  // (default: OUT/checkpoint); none without it. A resumed run keeps the
  // interval and directory of the run it continues unless given these.
  std::optional<double> checkpoint_every;
  std::optional<std::filesystem::path> checkpoint_dir;
};

struct population_summary {
  std::string name;
  std::uint64_t size = 0;
  std::uint64_t spikes = 0;
  double rate_hz = 0.0;  // mean rate per cell [Hz]
};

// A [[measure]] after the run: the first upward crossings of its threshold
// at two places of a cell, and the conduction velocity between them.
struct measurement {
  std::string name;
  std::string from, to;      // "node_5(0.5)"
  double distance_um = 0.0;  // path distance between them [µm]
  double t_from_ms = -1.0;   // crossing times [ms]; < 0: no crossing
  double t_to_ms = -1.0;
  bool ok() const { return t_from_ms >= 0.0 && t_to_ms > t_from_ms; }
  double delay_ms() const { return t_to_ms - t_from_ms; }
  double velocity_m_per_s() const { return ok() ? distance_um / delay_ms() * 1e-3 : 0.0; }  // µm/ms = 1e-3 m/s
};

// How a run ended. Anything but `complete` still writes every output up to
// the step reached (summary.json says which step) and exits non-zero.
enum class run_status { complete, numerical_failure, interrupted };
const char* to_string(run_status s);

struct run_summary {
  run_status status = run_status::complete;
  std::string stopped_why;  // not complete: what stopped it (the fault, the signal)
  int signal = 0;           // interrupted: the signal (SIGINT, SIGTERM)
  std::int64_t steps_planned = 0;
  std::int64_t resumed_from = -1;     // a resumed run: the checkpoint's step; −1: started at 0
  std::int64_t checkpoint_step = -1;  // the step of the last checkpoint written; −1: none
  std::filesystem::path checkpoint_dir;
  std::string engine;       // describe() of the engine that ran
  std::string engine_why;   // why it was picked
  std::uint64_t cells = 0;  // neurons (generators excluded)
  std::uint64_t generators = 0;
  std::uint64_t connections = 0;
  std::int64_t steps = 0;   // steps taken (steps_planned unless the run stopped early)
  double dt = 0.0;          // [ms]
  double duration = 0.0;    // simulated [ms]: steps · dt
  // Where the outputs end [steps]: a numerical failure's step (what the
  // engine did after it, to the end of its chunk, is not written); −1: at
  // `steps`.
  std::int64_t outputs_end_step = -1;
  double build_s = 0.0;     // check + connectivity + initial state [s]
  double setup_s = 0.0;     // packing and engine set-up (upload) [s]
  double run_s = 0.0;       // stepping, recording and writing [s]
  std::uint64_t spikes = 0;
  std::uint64_t synaptic_events = 0;  // spikes × outgoing connections
  std::uint64_t plastic_events = 0;   // of which through plastic connections
  // The fewest bytes the run had to move through memory: every state word
  // read and written once per step, every ring entry read and cleared, every
  // delivered event's connection read and its ring entry updated; for cable
  // cells also the parameters and the solver's scratch (perf/README.md).
  double bytes_moved = 0.0;
  std::uint64_t compartments = 0;     // nodes with membrane, over all cells
  int ring_bits = 64;                 // the ring's words: 32 where they hold every sum exactly (image::ring_scale)
  // A static connection's bytes in the device's layout: target, weight or
  // class, and its delay's share (per connection, by class, or by run).
  double static_connection_bytes = 0.0;
  std::uint64_t device_bytes = 0;     // the CUDA engine's device memory at the end of the run (engine::device_bytes); 0 on the CPU
  host_times host;                    // the CUDA engine's host timers over the run (engine::host_timing); 0 on the CPU
  std::vector<population_summary> populations;
  std::vector<measurement> measurements;
  std::vector<std::filesystem::path> files;
  double neuron_steps_per_s() const { return run_s > 0 ? static_cast<double>(cells) * steps / run_s : 0.0; }
  double compartment_steps_per_s() const {
    return run_s > 0 ? static_cast<double>(compartments) * steps / run_s : 0.0;
  }
  double events_per_s() const { return run_s > 0 ? static_cast<double>(synaptic_events) / run_s : 0.0; }
  double bytes_per_s() const { return run_s > 0 ? bytes_moved / run_s : 0.0; }
  // Wall-clock seconds per simulated second (below 1: faster than real time).
  double realtime_factor() const { return duration > 0 ? run_s / (duration * 1e-3) : 0.0; }
};

// SIGINT and SIGTERM stop a run after its current chunk of steps (about half
// a second): outputs are flushed and committed, summary.json says
// "interrupted", and the run returns with status interrupted (the request
// is then cleared). A second signal before that ends the process at once.
// install_interrupt_handlers() installs the handlers (the CLI does);
// request_interrupt(sig) does what the signal does (tests, embedding);
// interrupt_signal() is the signal received, or 0.
void install_interrupt_handlers();
void request_interrupt(int sig);
int interrupt_signal();

// Writes summary.json into dir atomically (a temporary file, then a rename).
void write_summary_file(const std::filesystem::path& dir, const run_summary& s);

// Applies the overrides to a description (before checking).
void apply_overrides(network& net, const run_options& opt);

// Runs a description (checked here; throws model_error before writing
// anything if it is invalid). With opt.out, writes the outputs and
// summary.json there, also when the run stops early (s.status).
run_summary run_network(network net, const run_options& opt);

// Continues the run whose checkpoint is in dir (or is the file dir): the
// model is rebuilt from the checkpoint's copy of it and must match it, the
// state is restored, the outputs are continued from where the checkpoint
// saw them (in opt.out if given, else where the run wrote them), and the
// run goes on to opt.duration (the planned end if not given). opt.engine
// and opt.threads may differ from the run's; opt.seed may not be given.
// The result equals the run that was not stopped, bit for bit.
run_summary resume_run(const std::filesystem::path& dir, const run_options& opt);

// Refuses, before anything is allocated, a checked network whose estimated
// memory while running (host/estimate.hpp) exceeds the memory this machine
// has available, with the estimate and the part that dominates.
void check_memory(const network& net);

// Human-readable summary, and the same as JSON.
void print_summary(std::ostream& os, const run_summary& s);
std::string summary_json(const run_summary& s);

}  // namespace ranvier
