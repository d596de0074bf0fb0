// The packed, engine-ready form of a built network: structure-of-arrays state
// per cell group (point neurons, or cable cells of one morphology), spike
// sources, gap junctions, connections in CSR order, recording plans. Both
// engines start from the same image; the CPU engine steps it in place, the
// CUDA engine uploads it once.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/cable/cable_cell.hpp"
#include "core/generators.hpp"
#include "core/plasticity/plastic.hpp"
#include "core/point_cell.hpp"
#include "host/build/build.hpp"
#include "host/pack/aligned.hpp"
#include "host/io/recording.hpp"
#include "host/model/model.hpp"

namespace ranvier {

// A state array of a group, by position: 0 is v, then cai (if the group has
// it), then the neuron model's states (if it has one), then every state of
// every mechanism in order, then every state of every receptor in order. An array holds one value per node (v, cai) or per
// instance (mechanism and receptor states), for every cell: index i·ncells + k.
struct state_ref {
  int group = -1;
  int array = -1;
};

template <class T> struct group_storage {
  std::string cell_type;
  bool cable = false;
  std::uint32_t ncells = 0;
  std::uint32_t gid_base = 0;
  std::uint32_t nnodes = 1;
  std::uint32_t block = 0;  // cells per block of the layout (core/cell.hpp); packed as ncells
  std::vector<std::string> node_names;  // cable cells: "dend(0.25)"

  // Point neurons: the membrane in densities.
  T cfac{};    // cm·1e-3/dt (·2 under secondorder = 2) [S/cm²]
  T pfac{};    // 100/area [1/µm²]
  T vscale{1};  // 1, or 2 under secondorder = 2
  T dt{};       // [ms]
  // Cable cells: the tree (core::cable_group_view).
  std::vector<std::uint32_t> parent;
  std::vector<T> ga;     // [µS]
  std::vector<T> dbase;  // [µS]
  std::vector<T> afac;   // [µm²·1e-2]
  std::vector<T> gpas;   // passive mechanisms folded in, per node [µS]; empty: none
  std::vector<T> epas;   // their conductance-weighted reversal potential [mV]

  // A neuron model (core/neurons/) instead of the membrane of mechanisms.
  int model = -1;                                   // index in core::neuron_models; −1: none
  std::array<T, core::max_model_params> mparam{};  // its parameters, user and derived
  std::vector<std::string> mstate_names;
  std::vector<state_vector<T>> mstate;              // each ncells

  T threshold{};  // [mV]
  std::uint32_t detector = 0;
  std::int64_t refractory = 0;            // [steps]
  state_vector<T> v;                      // nnodes × ncells [mV]
  state_vector<T> cai;                    // nnodes × ncells [mM], or empty
  std::vector<std::uint32_t> spike_count;
  std::vector<std::int64_t> last_spike;   // [steps]
  std::vector<std::int64_t> fault_step;   // [steps]; core::no_fault: none (core::cell_parts)
  T v_lo{}, v_hi{};                       // [simulation] v_bounds [mV]

  struct mechanism {
    std::string name;
    std::uint32_t kind = 0;
    std::vector<std::string> state_names;
    std::vector<std::uint32_t> node;   // per instance (cable); empty on point neurons
    std::uint32_t nparam = 0;
    std::vector<T> param;              // ninst × nparam
    std::vector<state_vector<T>> state;  // each ninst × ncells
    std::uint32_t ninst() const { return node.empty() ? 1u : static_cast<std::uint32_t>(node.size()); }
  };
  std::vector<mechanism> mechs;
  struct receptor {
    std::string name;
    std::uint32_t kind = 0;
    std::vector<std::string> state_names;
    std::vector<std::uint32_t> node;   // per location (cable); empty on point neurons
    std::array<T, core::max_receptor_params> param{};
    std::vector<state_vector<T>> state;  // each ninst × ncells
    std::uint32_t target_base = 0;       // the group's first ring-buffer target
    std::uint32_t first_location = 0;    // this receptor's first location among the group's
    std::uint32_t nlocations = 0;        // the group's locations a cell
    std::uint32_t scale = core::fixed_bits;  // its ring values in 2^-scale of the unit (image::ring_scale)
    std::uint32_t ninst() const { return node.empty() ? 1u : static_cast<std::uint32_t>(node.size()); }
  };
  std::vector<receptor> receptors;
  struct stimulus {
    std::uint32_t node = 0;
    std::vector<T> amp;  // [nA] per cell of the group
    std::int64_t start = 0;
    std::int64_t stop = 0;
  };
  std::vector<stimulus> stimuli;
  // Half-junctions of gap junctions, grouped by cell (core::gap_view).
  std::vector<std::uint32_t> gap_row;   // ncells + 1, or empty
  std::vector<std::uint32_t> gap_node;
  std::vector<T> gap_g;                 // [µS]
  std::vector<T> gap_v_partner;         // [mV], filled every step
  std::vector<std::uint32_t> gap_partner_group;
  std::vector<std::uint64_t> gap_partner_index;  // node·ncells + cell in the partner's group

  int narrays() const;
  std::string array_name(int a) const;  // "v", "cai", "hh.m", "ampa.A"
  state_vector<T>& array(int a);
  const state_vector<T>& array(int a) const;
  int find_array(const std::string& name) const;  // −1 when absent
  std::uint32_t array_ninst(int a) const;         // values a cell in array a (nodes or instances)
  // The node of the place-th value of a cell in array a (v and cai: the
  // node itself; a mechanism's or receptor's instance: its node; 0 on point
  // neurons).
  std::uint32_t array_node(int a, std::uint32_t place) const;
  // Where the value at index j·ncells + c of the one-block layout (j·ncells +
  // c: what records, gap junctions and connections are built with) sits in
  // this group's layout, for an array of ninst values a cell.
  std::size_t place(std::size_t canonical, std::uint32_t ninst) const;
  // Whether a mechanism carries Ca²⁺ current (a cable group then keeps ica
  // and gca for its pools).
  bool has_ca() const;
  // Re-lays every state array in blocks of `cells` cells.
  void set_block(std::uint32_t cells);
  // The core views over this storage (raw pointers into the vectors above).
  core::cell_parts<T> parts();
  core::point_group_view<T> point_view();
  core::cable_group_view<T> cable_view();

 private:
  // The a-th state array, in the order v, cai (if any), each mechanism's
  // states, each receptor's: the array, its values a cell, and its name as
  // owner ("" for v and cai) and state.
  struct array_slot {
    const state_vector<T>* values;
    std::uint32_t ninst;
    const std::string* owner;
    const std::string* state;
  };
  array_slot slot(int a) const;
};

struct generator_storage {
  core::poisson_view params{};  // spike_count is filled by the engine
  std::vector<std::uint32_t> spike_count;
};

struct spike_source_storage {
  core::spike_times_view params{};  // pointers are filled by the engine
  std::vector<std::int64_t> step;    // emitting step of each event, ascending
  std::vector<std::uint32_t> cell;
  std::vector<std::uint32_t> spike_count;
};

// A plastic projection: its connections (host/build/build.hpp's
// plastic_connectivity, weights in T) and its rule's state; the view is what
// both engines step (core/plasticity/plastic.hpp).
template <class T> struct plastic_storage {
  std::string name;   // the projection's
  int projection = -1;
  core::plastic_rule rule = core::plastic_rule::stdp;
  core::stdp_params<T> stdp{};
  core::hebbian_params<T> hebb{};
  core::calcium_params<T> ca{};
  core::modulation_params<T> mod{};
  std::uint32_t pre_gid_base = 0, npre = 0, post_gid_base = 0, npost = 0;
  std::uint32_t dmin = 1, dmax = 1, post_delay = 0;  // [steps]
  std::vector<std::uint64_t> row, in_row, in_conn;
  std::vector<std::uint32_t> target, delay, pre, post;
  std::vector<core::plastic_synapse<T>> syn;    // per connection: weight and STDP trace
  std::vector<T> y, r_pre;
  std::vector<T> theta;  // BCM: per postsynaptic cell
  std::vector<std::int64_t> y_step, r_pre_step;  // Hebbian only
  std::vector<std::uint32_t> source_of;  // Hebbian: each connection's source index (the CSR row it is in)
  std::vector<core::kinetic_release_state<T>> release;  // per connection, when some target is a kinetic receptor's
  core::terminal_params<T> terminal{};                  // the presynaptic terminals' model (none: off)
  std::vector<core::terminal_state<T>> term;           // per connection, with a terminal model
  std::vector<core::calcium_synapse<T>> ca_syn;        // calcium rule, per connection
  std::vector<core::eligibility<T>> elig;              // modulated STDP, per connection
  core::cleft_params<T> cleft{};                       // the synaptic clefts' model (none: off)
  std::vector<core::cleft_state<T>> clefts;            // per connection, with a cleft
  std::vector<core::modulator_state<T>> mod_state;     // modulated STDP: the projection's dopamine (one)
  core::plastic_view<T> view();
};

// What a [[record]] becomes: spikes of some cells, or samples of one state
// (or a receptor's conductance or current) at some places every `every`
// steps.
// The receptor kinds' values are core::receptor_field's (the CUDA sample kernel reads them so).
enum class sample_kind { array, receptor_g, receptor_i, receptor_ica, weight, weight_histogram, weights_final };
struct record_plan {
  int plastic = -1;                    // weight kinds: the index in image::plastic
  core::connection_field field = core::connection_field::weight;  // kind weight: what of each connection
  std::uint32_t bins = 0;              // weight_histogram: bins over [lo, hi]
  double lo = 0.0, hi = 0.0;           // weight_histogram: [w_min, w_max]
  int population = -1;
  bool spikes = false;
  std::string variable;
  std::vector<std::uint32_t> cells;    // indices within the population
  sample_kind kind = sample_kind::array;
  state_ref ref;                       // kind array: the array; receptor kinds: ref.array is the receptor
  std::vector<std::uint64_t> index;    // per column: index into the array (instance or node · ncells + cell)
  std::vector<std::uint64_t> v_index;  // receptor_i: per column, the node's voltage index
  std::vector<std::string> columns;    // per column: the header ("3", or "3@dend(0.25)")
  std::string along;                   // the section recorded along, if any
  bool hidden = false;                 // for the run's measurements; not written
  std::int64_t every = 1;              // [steps]
  // Whether sample_records takes a sample of this record at `step`.
  bool samples_at(std::int64_t step) const { return !spikes && kind != sample_kind::weights_final && step % every == 0; }
};

template <class T> struct image {
  double dt = 0.0;           // [ms]
  std::int64_t nsteps = 0;   // the run's length
  std::uint64_t seed = 0;
  arith_mode mode = arith_mode::deterministic;
  engine_choice engine = engine_choice::automatic;
  std::vector<group_storage<T>> groups;
  std::vector<generator_storage> generators;
  std::vector<spike_source_storage> spike_sources;
  std::vector<population_layout> populations;
  std::vector<record_plan> records;
  std::uint32_t nsources = 0;
  std::uint64_t max_spikes_per_step = 0;  // max_spikes_in(1): the spike list a step needs
  std::uint32_t ntargets = 0;
  std::uint32_t ring_depth = 2;  // max delay + 1, + the longest pulse of a pulse receptor [steps]
  // The ring's words (and the pulse ring's). Empty: 64 bits, each value in
  // 2^-40 of its receptor's unit (core::to_fixed). Else 32 bits, and per
  // target (this numbering) the k of its receptor's 2^-k (group_storage::
  // receptor::scale), chosen by choose_ring_scales so that every sum is
  // exact and the same as on the 64-bit ring: half the ring's bytes.
  std::vector<std::uint8_t> ring_scale;
  bool narrow_ring() const { return !ring_scale.empty(); }
  bool has_gaps = false;

  // Connections, CSR by source gid.
  std::vector<std::uint64_t> row;
  std::vector<std::uint32_t> target;
  // [µS] per connection, or, when the projections' weights allow
  // (static_connection_classes, host/build/build.hpp), a 1-byte class per
  // connection (cls) and the weight of each class (class_weight); the
  // other is empty. weight_at reads either.
  std::vector<T> weight;
  std::vector<std::uint8_t> cls;
  std::vector<T> class_weight;
  // [steps]: by class (class_delay) when the classes give the delays, else
  // per connection in 16 bits when every static delay the model allows fits
  // (delay16), else in 32 (delay); the others are empty. delay_at reads any.
  std::vector<std::uint32_t> class_delay;
  std::vector<std::uint32_t> delay;
  std::vector<std::uint16_t> delay16;
  T weight_at(std::uint64_t c) const { return cls.empty() ? weight[c] : class_weight[cls[c]]; }
  std::uint32_t delay_at(std::uint64_t c) const {
    return !class_delay.empty() ? class_delay[cls[c]] : delay16.empty() ? delay[c] : delay16[c];
  }
  std::vector<plastic_storage<T>> plastic;
  // Per target: the steps a pulse receptor's arrival stays open (its weight
  // is delivered again, negated, that much later); 0 for other receptors.
  // Empty when no receptor is a pulse receptor.
  std::vector<std::uint32_t> pulse;
  // Per target: 1 + the index in release_params of a kinetic receptor's
  // (its connections keep a release state each, core::kinetic_release); 0
  // for other receptors. Empty, as release_state and every plastic
  // projection's `release`, when no receptor is a kinetic one; the engines
  // then keep no transfer ring either.
  std::vector<std::uint32_t> release;
  std::vector<core::kinetic_release_params<T>> release_params;  // per kinetic receptor of a group
  std::vector<core::kinetic_release_state<T>> release_state;     // per static connection
  // Steps of spike history the plastic rules read back (their longest delay
  // or dendritic delay + 1); 0: none.
  std::uint32_t history = 0;

  std::uint64_t nconnections() const;  // static and plastic
  std::uint64_t ncells() const;        // neurons, generators excluded
  std::uint64_t ncompartments() const;  // nodes with membrane, over all cells (a point neuron: 1)
  // The bytes the CUDA engine puts on the device for this image (the
  // engine adds its record and sample buffers): state, parameters,
  // connections by source, rings, plastic state, history.
  std::uint64_t memory_bytes() const;
  // The most spikes the sources can emit in any `steps` consecutive steps
  // of one run of the engine (no state set in between): a cell at most once
  // per its least interval between two spikes, ceil(steps / interval) — a
  // neuron model that clamps v: its refractory steps + 1; one that does not,
  // and a membrane or cable cell: its detector's dead time, and at least 2
  // for a membrane or cable cell, whose upward crossing leaves v at or above
  // the threshold, so the next step cannot cross; a Poisson generator once a
  // step; a given-time source its events in the busiest window of `steps`.
  // With `only` (per source, 0 or 1: recorded_sources), of those sources.
  std::uint64_t max_spikes_in(std::int64_t steps, const std::vector<std::uint8_t>* only = nullptr) const;
  // Whether the engines hand over only the spikes of sources that a spike
  // record holds (recorded_sources): the run driver and sessions keep no
  // others, so the CUDA engine then copies, and both engines order, no more
  // (and its batches are planned for those sources' spikes alone). False,
  // the default: every spike (the tests compare them all).
  bool spikes_of_records_only = false;
  // Per source, the population of the spike record that holds it, or −1
  // (what the run's writer and sessions keep of the engine's spikes).
  std::vector<int> spike_record_population() const;
  // Per source, 1 if a spike record holds it, else 0.
  std::vector<std::uint8_t> recorded_sources() const;
  // The sources whose spikes the engines hand over: recorded_sources() if
  // spikes_of_records_only, else none (every source).
  std::vector<std::uint8_t> kept_sources() const {
    return spikes_of_records_only ? recorded_sources() : std::vector<std::uint8_t>{};
  }
};

// A batch of the CUDA engine: its steps and the spike record that holds
// every spike the batch can make.
struct batch_plan {
  std::int64_t steps = 1;
  std::uint64_t capacity = 1;  // entries
};

// The longest batch, at most max_steps, whose possible spikes
// (image::max_spikes_in) fit `entries` record entries; one step at least
// (its record then as large as that step can need). With `only` non-empty,
// the spikes of those sources (image::kept_sources).
template <class T>
batch_plan plan_batch(const image<T>& img, std::uint64_t entries, std::int64_t max_steps,
                      const std::vector<std::uint8_t>& only = {});

using any_image = std::variant<image<float>, image<double>>;

// The 32-bit ring where it holds every step's sums exactly, at a scale no
// finer than the 64-bit ring's, so that results do not depend on the width:
// no plastic projection and no kinetic receptor (their values are not
// weights known now); per receptor (of a group), k the largest scale <= 40
// at which Σ |w|·2^k · (spikes a source can send in a step) over the
// connections onto any one of its targets stays within int32, and every
// such weight a multiple of 2^-k. Else (or when force_wide) the 64-bit ring.
// most: per source, the spikes it can send in one step.
template <class T> void choose_ring_scales(image<T>& img, const std::vector<double>& most, bool force_wide = false);
// The 64-bit ring: ring_scale emptied, every receptor's scale 40.
template <class T> void widen_ring(image<T>& img);

// A view of one receptor's parameters, locations and states: the cell view's
// (group_storage::parts), and what sampling its conductance or current
// (core::receptor_value) reads.
template <class T> core::receptor_view<T> receptor_view_of(const group_storage<T>& g, int receptor);

// Appends to rec the samples the image's records take at `step` (those whose
// interval divides it), read from the image's own state arrays.
template <class T> void sample_records(const image<T>& img, std::int64_t step, recording& rec);

// Lays out, builds and packs a checked network in its precision. threads: for
// building (0: the default).
any_image pack(const network& net, int threads = 0);

// Whole steps for a time [ms], rounded like delays; +inf and any time of
// 2^62 steps or more are "never" (2^62 steps), the one place a time becomes
// steps, so that a huge finite time cannot overflow the conversion.
std::int64_t time_steps(double t_ms, double dt);

// Timing of pack's phases, for the summary; and whether building that takes
// more than a few seconds shows its progress on stderr.
struct pack_timing {
  double build_s = 0.0;
  double pack_s = 0.0;
  bool progress = false;
};
any_image pack(const network& net, int threads, pack_timing& timing);

}  // namespace ranvier
