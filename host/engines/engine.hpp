// The engine interface: one object that owns a packed network and advances
// it. Two implementations, the CPU reference engine and the CUDA engine, share
// the model math of core/ and give the same bits in deterministic mode. The
// interface is coarse (run N steps, read state); inside, stages are templated
// on precision and math mode, with no virtual calls in the step loop.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/dmath.hpp"
#include "host/engines/engine_state.hpp"
#include "host/engines/host_times.hpp"
#include "host/pack/image.hpp"
#include "host/io/recording.hpp"

namespace ranvier {

struct named_array {
  std::string name;            // "<cell type>.<variable>", e.g. "tm.v", or "ring"
  std::vector<double> values;  // float state is widened, which is exact
};

// "double, deterministic": the arithmetic an engine of precision T and math
// mode M runs, for describe().
template <class T, class M> std::string arithmetic_name() {
  return std::string(sizeof(T) == 4 ? "single" : "double") +
         (std::is_same_v<M, core::deterministic_math> ? ", deterministic" : ", fast");
}

// Connections' release states on kinetic receptors (core::kinetic_release),
// by connection in the image's order: "<prefix>release_end" [steps],
// "release_q" [µS], "release_w" [µS]. perm: the image's index of each of r's
// entries, where an engine keeps them in an order of its own (static_rows).
template <class T>
void append_release_state(const std::vector<core::kinetic_release_state<T>>& r, const std::string& prefix,
                          std::vector<named_array>& out, const std::vector<std::uint64_t>& perm = {}) {
  if (r.empty()) return;
  std::vector<double> end(r.size()), q(r.size()), w(r.size());
  for (std::size_t c = 0; c < r.size(); ++c) {
    const std::size_t at = perm.empty() ? c : static_cast<std::size_t>(perm[c]);
    end[at] = static_cast<double>(r[c].end);
    q[at] = static_cast<double>(r[c].q);
    w[at] = static_cast<double>(r[c].w);
  }
  out.push_back({prefix + "release_end", std::move(end)});
  out.push_back({prefix + "release_q", std::move(q)});
  out.push_back({prefix + "release_w", std::move(w)});
}

// A plastic projection's state, by connection in its CSR order (the same on
// both engines): "<projection>.weight", ".x_trace" (STDP: the pre trace at the
// reference step), per postsynaptic cell ".y" (STDP: the post trace at the
// reference step; Hebbian: the rate), ".y_step", and per source ".r_pre",
// ".r_pre_step" (Hebbian), and onto kinetic receptors ".release_end", …
// (append_release_state), with modulated STDP ".eligibility", ".eligibility_g",
// ".dopamine", ".dopamine_g" (the weight brought to now), with clefts ".nt" and
// ".r", with the calcium rule ".event_weight", ".calcium",
// ".event_step" (each connection's at its last event), and with a terminal model ".u", ".x" (Tsodyks–
// Markram) or ".ca_pre", ".ready", ".released" (quantal) and ".last_release".
template <class T> void append_plastic_state(const plastic_storage<T>& p, std::vector<named_array>& out) {
  const auto add = [&](const char* field, const auto& v) {
    out.push_back({p.name + "." + field, std::vector<double>(v.begin(), v.end())});
  };
  // A field of each element of per-connection state v, as "<projection>.NAME".
  const auto each = [&](const char* name, const auto& v, auto get) {
    std::vector<double> x(v.size());
    for (std::size_t c = 0; c < v.size(); ++c) x[c] = static_cast<double>(get(v[c]));
    out.push_back({p.name + "." + name, std::move(x)});
  };
  std::vector<double> w(p.syn.size()), x(p.syn.size());
  const core::eligibility<T>* elig = p.elig.empty() ? nullptr : p.elig.data();
  for (std::size_t c = 0; c < p.syn.size(); ++c) {
    w[c] = core::reported_weight(p.syn.data(), elig, p.mod_state.data(), p.stdp, c);
    x[c] = p.syn[c].x;
  }
  add("weight", w);
  if (core::has_stdp_traces(p.rule)) add("x_trace", x);
  if (elig) {  // modulated STDP: the eligibility at the reference, G at each connection's last update, the dopamine
    each("eligibility", p.elig, [](const auto& e) { return e.c; });
    each("eligibility_g", p.elig, [](const auto& e) { return e.g; });
    add("dopamine", std::vector<double>{static_cast<double>(p.mod_state[0].d)});
    add("dopamine_g", std::vector<double>{static_cast<double>(p.mod_state[0].g)});
  }
  add("y", p.y);
  if (!p.r_pre.empty()) {
    add("y_step", p.y_step);
    add("r_pre", p.r_pre);
    add("r_pre_step", p.r_pre_step);
  }
  if (!p.theta.empty()) add("theta", p.theta);
  if (!p.ca_syn.empty()) {  // the calcium rule: each connection's weight and calcium at its last event, and its step
    each("event_weight", p.ca_syn, [](const auto& s) { return s.w; });
    each("calcium", p.ca_syn, [](const auto& s) { return s.c; });
    each("event_step", p.ca_syn, [](const auto& s) { return s.step; });
  }
  append_release_state(p.release, p.name + ".", out);
  if (!p.clefts.empty()) {  // the clefts: [NT] and the kinetic receptors' open fraction
    each("nt", p.clefts, [](const auto& s) { return s.nt; });
    each("r", p.clefts, [](const auto& s) { return s.r; });
  }
  if (p.term.empty()) return;
  // The presynaptic terminals: Tsodyks–Markram's u and x, or the quantal Ca²⁺, pool and last release.
  const auto field = [&](const char* name, auto get) { each(name, p.term, get); };
  if (p.terminal.model == core::terminal_model::tsodyks_markram) {
    field("u", [](const auto& s) { return s.u; });
    field("x", [](const auto& s) { return s.x; });
  } else {
    field("ca_pre", [](const auto& s) { return s.ca; });
    field("ready", [](const auto& s) { return s.ready; });
    field("released", [](const auto& s) { return s.released; });
  }
  field("last_release", [](const auto& s) { return s.last; });
}

// A value that should not be there: a NaN or infinity in a cell's state, or a
// membrane voltage outside the run's bounds ([simulation] v_bounds).
struct numeric_fault {
  std::int64_t step = -1;     // the step at whose end the detector saw it (the cell's fault step); −1: found by a scan
  std::uint32_t group = 0;    // index into the image's groups
  std::string variable;       // "v", "traub_miles.m", "ampa.g"
  std::uint64_t cell = 0;     // in the group
  std::uint32_t place = 0;    // the node (v, cai) or the instance of a mechanism or receptor
  std::uint32_t node = 0;     // where that place is on the cell (cable cells; 0 on point neurons)
  double value = 0.0;
};

// The earliest fault step of group g's cells (core::cell_parts::fault_step,
// by cell), its cell and the voltage at its detector now (v: the group's
// voltages in its layout), or none.
template <class T>
std::optional<numeric_fault> fault_from_steps(const group_storage<T>& g, std::uint32_t group, const std::int64_t* steps,
                                              const T* v) {
  std::int64_t first = core::no_fault;
  std::uint32_t cell = 0;
  for (std::uint32_t c = 0; c < g.ncells; ++c)
    if (steps[c] < first) {
      first = steps[c];
      cell = c;
    }
  if (first == core::no_fault) return std::nullopt;
  numeric_fault f;
  f.step = first;
  f.group = group;
  f.variable = "v";
  f.cell = cell;
  f.place = f.node = g.detector;
  f.value = static_cast<double>(v[g.place(static_cast<std::size_t>(g.detector) * g.ncells + cell, g.nnodes)]);  // now
  return f;
}

// The first fault in group g's array a (values: the array in g's layout), or none.
template <class T>
std::optional<numeric_fault> find_fault_in(const group_storage<T>& g, std::uint32_t group, int a, const T* values,
                                           double v_lo, double v_hi) {
  const std::uint32_t ninst = g.array_ninst(a);
  const std::size_t n = static_cast<std::size_t>(ninst) * g.ncells;
  const bool is_v = a == 0;  // v is array 0 (group_storage::array)
  const auto bad = [&](T x) {
    return is_v ? !(static_cast<double>(x) >= v_lo && static_cast<double>(x) <= v_hi) : !(x - x == T(0));
  };
  bool any = false;  // a vectorisable pass first; the places only where it found something
  for (std::size_t i = 0; i < n; ++i) any |= bad(values[i]);
  if (!any) return std::nullopt;
  for (std::size_t canonical = 0; canonical < n; ++canonical) {
    const T x = values[g.place(canonical, ninst)];
    if (!bad(x)) continue;
    numeric_fault f;
    f.group = group;
    f.variable = g.array_name(a);
    f.place = static_cast<std::uint32_t>(canonical / g.ncells);
    f.cell = canonical % g.ncells;
    f.node = g.array_node(a, f.place);
    f.value = static_cast<double>(x);
    return f;
  }
  return std::nullopt;
}

class engine {
 public:
  virtual ~engine() = default;
  // e.g. "cpu (2 threads, double, deterministic)".
  virtual std::string describe() const = 0;
  // Advances nsteps steps, appending spikes and samples to rec. The first call
  // also samples the initial state.
  virtual void run(std::int64_t nsteps, recording& rec) = 0;
  // Steps taken so far.
  virtual std::int64_t step() const = 0;
  // Every state array (v, mechanism states, receptor conductances, and the
  // pending input in the ring buffer), for validation and inspection.
  virtual std::vector<named_array> state() = 0;
  // Spikes per source since the start, by gid.
  virtual std::vector<std::uint32_t> spike_counts() = 0;
  // The first NaN or infinity in a cell's state, or voltage outside
  // [v_lo, v_hi] [mV], now (the run driver asks after every chunk of steps).
  virtual std::optional<numeric_fault> find_fault(double v_lo, double v_hi) = 0;
  // Checkpoints (host/checkpoint.hpp): the whole state now, in the canonical
  // order (engine_state.hpp): what collect_image_state reads, the ring
  // buffers ("ring", "pulse_ring", "transfer_ring": ring_depth rows by step
  // modulo the depth, targets in the image's numbering) and the spike
  // history (put_history).
  virtual engine_state save_state() = 0;
  // Continues a saved state: the engine was made from an image that
  // apply_image_state filled from it; this sets the rest (rings, history)
  // and the step. Before the first run; no initial sample is taken then.
  virtual void resume_state(const engine_state& in) = 0;
  // Device memory the engine holds now [bytes]: the device's free memory
  // before its set-up less what is free now (its buffers and captured
  // graphs; another process's allocations would count too). 0 on the CPU.
  virtual std::uint64_t device_bytes() { return 0; }
  // Where the host's time went while the device ran batches, since the
  // engine was made (all 0 on the CPU).
  virtual host_times host_timing() const { return {}; }
};

struct engine_options {
  engine_choice choice = engine_choice::automatic;
  int threads = 0;  // CPU engine threads; 0: OpenMP's default
  bool cuda_fused = true;  // cuda_settings::fused
  // Whether an engine may keep drawn static delays once per run of a
  // source's row (static_rows) rather than per connection; false, for
  // comparison: per connection. Either gives the same results.
  bool delay_runs = true;
};

// Whether the CUDA engine can run here; if not, why (built without CUDA, no
// device, driver error).
bool cuda_available(std::string* reason = nullptr);

// Makes the engine the options ask for; `automatic` picks CUDA when a device
// is present, else the CPU. `why` receives a sentence saying which was picked
// and why.
std::unique_ptr<engine> make_engine(any_image img, const engine_options& opt, std::string* why = nullptr);

// The two engines, for callers that want one in particular. cable_block:
// the CPU engine's cells per block of cable groups (1 to 16; 0: its own
// choice from the cells and threads), for tests that compare layouts.
// delay_runs: engine_options::delay_runs.
std::unique_ptr<engine> make_cpu_engine(any_image img, int threads, std::uint32_t cable_block = 0,
                                        bool delay_runs = true);
// The CUDA engine's settings. For tests, its batches: a record half of this
// many entries (0: 4 Mi) and batches of this many steps (0: as many as the
// record is sure to hold, plan_batch; more make batches pause when the
// record fills). `fused`: each step's neuron update and propagation in one
// launch a spike producer where the network allows (no sources with given
// times); false: a propagate launch a step, for comparison. Either gives
// the same results.
struct cuda_settings {
  std::uint64_t record_entries = 0;
  std::int64_t steps = 0;
  bool fused = true;
  bool delay_runs = true;  // engine_options::delay_runs
};
std::unique_ptr<engine> make_cuda_engine(any_image img, const cuda_settings& settings = {});

}  // namespace ranvier
