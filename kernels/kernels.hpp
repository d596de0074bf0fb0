// The CUDA side of Ranvier as seen from host/: device queries, memory, streams
// and graphs, and one launcher per stage of the step. Plain C++ (no CUDA
// types), so host/ compiles with g++ alone. Launchers never throw: they return
// a status that host/ turns into ranvier::cuda_error.
//
// Every launcher is asynchronous on the given stream and reads the step number
// from device memory (device_clock), so that a batch of steps can be captured
// once in a CUDA graph and replayed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/cable/cable_cell.hpp"
#include "core/generators.hpp"
#include "core/plasticity/plastic.hpp"
#include "core/point_cell.hpp"

namespace ranvier::kernels {

struct status {
  int code = 0;             // cudaError_t; 0 is success
  const char* name = "";    // e.g. "cudaErrorMemoryAllocation"
  const char* message = "";
  const char* file = "";
  int line = 0;
  bool ok() const { return code == 0; }
};

struct device_info {
  char name[256] = {};
  int major = 0;
  int minor = 0;
  int multiprocessors = 0;
  std::size_t global_memory = 0;  // [bytes]
  std::size_t free_memory = 0;    // [bytes] at the time of the query
  double peak_bandwidth = 0.0;    // [bytes/s]: 2 × memory clock × bus width (double data rate)
  int driver_version = 0;
  int runtime_version = 0;
};

// Whether this build has CUDA code at all.
bool built_with_cuda();
status device_count(int* n);
status get_device_info(int device, device_info* info);

status device_alloc(void** p, std::size_t bytes);
status device_free(void* p);
status copy_to_device(void* dst, const void* src, std::size_t bytes, void* stream);
status copy_to_host(void* dst, const void* src, std::size_t bytes, void* stream);
status copy_on_device(void* dst, const void* src, std::size_t bytes, void* stream);
status device_memset(void* p, int value, std::size_t bytes, void* stream);

status stream_create(void** stream);
status stream_destroy(void* stream);
status stream_sync(void* stream);
// Page-locked host memory the device writes and reads directly (mapped:
// *device is its address on the device), for what crosses to the host every
// batch; and events, to wait for one batch's work while the next one runs.
status host_alloc_mapped(void** host, void** device, std::size_t bytes);
status host_free(void* host);
status event_create(void** event);
status event_destroy(void* event);
status event_record(void* event, void* stream);
status event_sync(void* event);
// Captures the launches made on `stream` between begin and end into an
// executable graph.
status graph_begin_capture(void* stream);
status graph_end_capture(void* stream, void** graph_exec);
status graph_launch(void* graph_exec, void* stream);
status graph_destroy(void* graph_exec);

// The few words of device state that advance with the step.
struct device_clock {
  std::int64_t step;              // the step about to be taken
  std::int64_t batch_first_step;  // the step at which the current batch began
  std::uint32_t nspikes;          // spikes detected in the current step
  std::uint32_t overflow;         // set if the spike list or the spike record buffer would overflow
  std::uint64_t nrecorded;        // spikes in the record buffer (this batch)
  std::uint32_t blocks_done;      // propagate's blocks done with the step (the last one closes it); 0 between steps
  // Set when the record cannot hold one more step's spikes: every kernel of
  // the later steps returns at once (the step does not advance) until the
  // host, which sees the batch end early, has taken the record and cleared it.
  std::uint32_t paused;
  std::uint64_t record_offset;    // where this batch's spikes go in the record (of two halves, one a batch)
  std::uint32_t nkept;            // with step_buffers::kept: the current step's spikes of kept sources
};

// A recorded spike: source gid detected in the step that ends at `step`.
struct device_spike {
  std::int64_t step;
  std::uint32_t gid;
  std::uint32_t pad;
};

// Device pointers shared by all stages of one step.
struct step_buffers {
  device_clock* clock;
  std::int64_t* ring;           // ring_depth × ntargets fixed-point inputs
  std::uint32_t ntargets;
  std::uint32_t ring_depth;
  std::uint32_t* spikes;        // this step's spiking sources
  std::uint32_t spike_capacity;  // image::max_spikes_per_step
  device_spike* record;         // two halves of record_capacity, in host memory: the batch's spikes at clock->record_offset
  std::uint64_t record_capacity;
  // The spikes of the last history_rows steps (plastic rules read them
  // back): row step % history_rows holds history_count[row] gids, at most
  // spike_capacity. Null and 0 without plastic projections.
  std::uint32_t* history;
  std::uint32_t* history_count;
  std::uint32_t history_rows;
  // Per target: a pulse receptor's pulse steps (an arrival's weight is
  // added again that much later, into pulse_ring); null without pulse
  // receptors.
  const std::uint32_t* pulse;
  std::int64_t* pulse_ring;     // ring_depth × ntargets: the weights whose pulses close at each row
  std::int64_t* transfer_ring;  // ring_depth × ntargets: kinetic receptors' w·r moved (core::kinetic_release); or null
  // The lowest gid that can be in a step's spikes more than once (a
  // given-time source whose times repeat within a step); UINT32_MAX: none.
  std::uint32_t repeat_gid_lo;
  // The 32-bit ring (image::ring_scale), instead of ring and pulse_ring
  // (then null): ring_depth × ntargets each, and per target its scale.
  std::int32_t* ring32 = nullptr;
  std::int32_t* pulse_ring32 = nullptr;
  const std::uint8_t* ring_scale = nullptr;
  // The sources whose spikes go into the record (image::kept_sources), a
  // bit each (gid g: word g / 32, bit g % 32); null: every source. And the
  // most of their spikes one step can make (image::max_spikes_in(1) of
  // them): the batch pauses when the record could not hold that many more.
  const std::uint32_t* kept = nullptr;
  std::uint64_t record_step = 0;
};

// Kinetic receptors' targets: per target 1 + the index of its receptor's
// release parameters, 0 for other receptors; null without kinetic receptors.
template <class T> struct kinetic_targets {
  const std::uint32_t* release;
  const core::kinetic_release_params<T>* params;
};

// Connections in CSR by source, on the device.
template <class T> struct connection_view {
  const std::uint64_t* row;
  const std::uint32_t* target;
  const T* weight;               // per connection, when cls is null
  const std::uint32_t* delay;    // [steps], when delay16 and class_delay are null
  const std::uint16_t* delay16;  // [steps] in 16 bits (every static delay <= 65535), or null
  const std::uint8_t* cls;       // per connection its class (image::cls), or null
  const T* class_weight;         // by class, with cls
  const std::uint32_t* class_delay;  // [steps] by class, or null: delays per connection
  // Delay runs (host/engines/static_rows.hpp), or null: source s's runs are
  // run_row[s] … run_row[s + 1] − 1, run r ending at row[s] + run_end[r],
  // each connection in it of delay run_delay[r] [steps] (fewer than 2^32
  // runs); delay and delay16 are then null.
  const std::uint64_t* run_row;
  const std::uint32_t* run_end;
  const std::uint32_t* run_delay;
  kinetic_targets<T> kinetic;
  core::kinetic_release_state<T>* release_state;  // per connection, with kinetic targets; else null
};

// A sampled record: every `every` steps, one row per sample into `out`
// (rows × ncols): kind 0 reads array[index[c]]; kinds 1, 2 and 3 the
// conductance, the current or the Ca²⁺ current of `receptor`
// (core::receptor_field) at state index index[c] and voltage v[v_index[c]].
template <class T> struct sample_view {
  int kind;
  const T* array;
  const std::uint64_t* index;
  const std::uint64_t* v_index;
  const T* v;
  core::receptor_view<T> receptor;
  std::uint32_t ncols;
  std::int64_t every;
  T* out;
  std::uint64_t capacity_rows;
  // Weights of a plastic projection (when synapses is set): kind 0 samples
  // synapses[index[c]].w; kind 4, a weight histogram, counts the n
  // synapses' weights into counts (rows × ncols, ncols bins over
  // [lo, lo + ncols/scale]).
  const core::plastic_synapse<T>* synapses;
  const core::eligibility<T>* elig;      // modulated STDP: the weight brought to the dopamine state mod's G
  const core::modulator_state<T>* mod;
  core::stdp_params<T> stdp;             // its bounds
  const core::terminal_state<T>* terminals;  // kind 0 with synapses: field's value of the terminal instead
  core::terminal_params<T> terminal;
  const core::cleft_state<T>* clefts;        // kind 0 with synapses: a cleft's field (core::connection_value)
  core::cleft_params<T> cleft;
  core::connection_field field;
  std::uint64_t n;
  T lo, scale;
  std::uint32_t* counts;
};

// Stages 1–3 in one launch a producer (a step "fused"): the producer's own
// spikes go into the record and history and are propagated in the same
// launch by the warps of the block that detected them (lanes over a row),
// and the step's last producer (`closes`) closes the step, so that a step needs no propagate
// launch. Safe where no arrival can reach the row being read: the device's
// rings are one row deeper than the image's (image::ring_depth + 1).
template <class T> struct fused_propagation {
  connection_view<T> conns;
  bool closes;
};

// Stages 1+2 for a group of point neurons: deliver, advance, detect; one
// thread per cell. Spiking gids are appended to buffers.spikes in an
// unspecified order (an atomic counter); the order is irrelevant downstream,
// since propagation sums in fixed point and recorded spikes are sorted.
// With `fused`, stage 3 too (fused_propagation).
template <class T, class M>
status launch_point_step(const core::point_group_view<T>& group, const step_buffers& buffers, void* stream,
                         const fused_propagation<T>* fused = nullptr);

// Stages 1+2 for a group of cable cells: one thread per cell runs the whole
// cell's step (core::cable_step with W = 1), its scratch interleaved in
// `scratch` (stride = ncells, base = the cell: coalesced across a warp).
// With `fused`, stage 3 too.
template <class T, class M>
status launch_cable_step(const core::cable_group_view<T>& group, const core::cable_scratch<T>& scratch,
                         const step_buffers& buffers, void* stream, const fused_propagation<T>* fused = nullptr);

// Before stages 1+2, when there are gap junctions: each half-junction of a
// group reads its partner's voltage at the step's start (core::gap_gather).
// group_v: a device array of every group's v pointer.
template <class T>
status launch_gap_gather(T* const* group_v, const std::uint32_t* partner_group, const std::uint64_t* partner_index,
                         T* v_partner, std::uint64_t n, void* stream);

// Stages 1+2 for a Poisson generator population; fused, stage 3 too.
status launch_poisson(const core::poisson_view& gen, const step_buffers& buffers, void* stream);
template <class T, class M>
status launch_poisson_fused(const core::poisson_view& gen, const step_buffers& buffers,
                            const fused_propagation<T>& fused, void* stream);

// Stages 1+2 for a population of sources with given times: the events of
// the step (a binary search in the sorted event list) are appended.
status launch_spike_times(const core::spike_times_view& src, const step_buffers& buffers, void* stream);

// Stage 3: each of this step's spikes walks its CSR row (one warp per spike),
// adding weights into the ring with 64-bit integer atomics (order-free). Also
// appends the step's spikes to the record buffer. A connection onto a
// kinetic receptor releases through core::kinetic_release instead. Its last
// block to finish closes the step (stage 5's bookkeeping, no launch of its
// own): counts the step's spikes into the record (and the history's row),
// clears the spike list, advances the step.
template <class T, class M>
status launch_propagate(const connection_view<T>& conns, const step_buffers& buffers, int grid_blocks, void* stream);

// Stage 4 at the step's start, for one plastic projection: the arrivals at
// this step (the spikes of step − 1 − d read from the history, for each
// delay d of the projection; one warp per spike over the connections of
// delay d) update their weights and traces and add the weights to this
// step's ring row with 64-bit integer atomics (onto kinetic receptors:
// core::kinetic_release). Race-free: a connection arrives at most once a
// step (one source, one delay). With the calcium rule and a lag D, a kernel
// before them adds the late presynaptic transients (arrivals D ago).
template <class T, class M>
status launch_plastic_arrivals(const core::plastic_view<T>& view, const kinetic_targets<T>& kinetic,
                               const step_buffers& buffers, int grid_blocks, void* stream);

// Stage 4, first, for an STDP projection: on the first step of a trace
// block (core/plasticity/stdp.hpp), every connection's pre trace and every
// postsynaptic cell's trace onto the new reference step (one thread each);
// a no-op on other steps.
template <class T, class M>
status launch_plastic_rebase(const core::plastic_view<T>& view, std::uint64_t nconnections,
                             const step_buffers& buffers, int grid_blocks, void* stream);

// Stage 4, after the arrivals: the postsynaptic events at this step (spikes
// of step − 1 − post_delay): one warp per spiking postsynaptic cell over its
// incoming connections, then the cell's own trace (lane 0, after the warp's
// connections). Race-free: a connection has one postsynaptic cell.
template <class T, class M>
status launch_plastic_post(const core::plastic_view<T>& view, const step_buffers& buffers, int grid_blocks,
                           void* stream);

// Stage 4, after a projection's arrivals and postsynaptic events, when it
// has synaptic clefts: each connection's conductance into this step's ring
// row (integer atomics) and its cleft advanced (one thread per connection).
template <class T>
status launch_plastic_clefts(const core::plastic_view<T>& view, std::uint64_t n, const step_buffers& buffers,
                             int grid_blocks, void* stream);

// Stage 5, after end_step, for a dopamine-modulated STDP projection: its
// dopamine state to the next step's start from the modulator's spikes of
// the step just closed (one block: an integer count, then one thread).
template <class T, class M>
status launch_plastic_modulate(const core::plastic_view<T>& view, const step_buffers& buffers, void* stream);

// Stage 4, after the postsynaptic events, for a Hebbian projection: the
// sources' filtered rates from the previous step's spikes (one thread per
// spike; a source fires once a step), then, on a learning step, every
// connection's update (one thread per connection; source_of[c] its source).
template <class T, class M>
status launch_plastic_hebbian(const core::plastic_view<T>& view, const std::uint32_t* source_of, std::uint64_t n,
                              const step_buffers& buffers, int grid_blocks, void* stream);

// Stage 5, a weight histogram record (sample kind 4), launched after
// end_step: one thread per weight, 32-bit integer atomics into the row's
// bins (exact in any order); rows as launch_sample's. The host zeroes
// `counts` before each batch.
template <class T>
status launch_weight_histogram(const sample_view<T>& sample, const step_buffers& buffers, void* stream);

// Stage 5 sampling, launched after end_step: samples when the new step is a
// multiple of `every`, into row floor(step/every) − floor(batch_first_step/every) − 1.
template <class T>
status launch_sample(const sample_view<T>& sample, const step_buffers& buffers, void* stream);

}  // namespace ranvier::kernels
