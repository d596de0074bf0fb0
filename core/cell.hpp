// What point neurons and cable cells share: the views of a cell group's
// density mechanisms, receptors, current clamps, gap junctions and spike
// detector, and the parts of a step that act on them. The point step
// (core/point_cell.hpp) and the cable step (core/cable/cable_cell.hpp) differ
// only in how the membrane is solved; both call these functions, so each
// mechanism, receptor and clamp is stepped by one source on both engines.
//
// Layout: a group holds ncells cells of identical structure, in blocks of
// `block` cells (the last block may be narrower). An array with ninst values
// per cell (nodes for v and cai, instances for a mechanism's or receptor's
// states: its compartments or locations) holds instance j of cell c at
//   (c / block)·ninst·block + j·width + c % block,
// width the number of cells in c's block: within a block, adjacent cells are
// adjacent words. The CUDA engine uses one block of all cells (j·ncells + c),
// so a warp's loads coalesce; the CPU engine blocks of its chunk of cells, so
// a chunk's state is contiguous and two threads never work in the same
// stretch of memory. A point neuron is node 0 of a one-node cell, whose
// arrays are the same in every layout.
//
// The loops take a chunk of cells [c0, c0 + n): n = 1 per CUDA thread, up to
// a chunk of W adjacent cells on the CPU.
#pragma once

#include <cstdint>

#include "core/dmath.hpp"
#include "core/fixed_point.hpp"
#include "core/hd.hpp"
#include "core/membrane.hpp"
#include "core/mechanisms/registry.hpp"
#include "core/synapses/registry.hpp"

namespace ranvier::core {

// Fixed capacities keep a group's view a flat, trivially copyable struct that
// travels as a kernel argument. With the step's buffers beside it a point or
// cable kernel's arguments take 3.3–4.1 KB (4112 B: the fused point kernel
// in double precision, from the PTX's .param sizes), above the 4096 B that
// CUDA allowed before 12.1 (since then 32,764 B on Volta and later;
// CMakeLists.txt asks for 12.1). The model checker reports a clear error
// when a cell type needs more.
inline constexpr int max_mech_states = 4;
inline constexpr int max_mechs = 16;
inline constexpr int max_receptors = 8;
// The most cells one call of a step function takes (the CPU engine's chunk).
inline constexpr int max_lanes = 64;
inline constexpr int max_stimuli = 16;

// A density mechanism inserted at ninst compartments of every cell.
template <class T> struct mech_view {
  std::uint32_t kind;          // index in density_mechanisms
  std::uint32_t ninst;         // compartments it is inserted in (1 in a point neuron)
  std::uint32_t nparam;        // parameters per instance
  const std::uint32_t* node;   // node of each instance; null in a point neuron (node 0)
  const T* param;              // ninst × nparam, instance-major
  T* state[max_mech_states];   // each ninst × ncells
  gate_table<T> table;         // fast mode, point neurons: its gates' rate table (core/gating.hpp); or none
};

// A synaptic receptor at ninst locations of every cell. The ring-buffer
// targets of a group are all its receptors' locations (nlocations a cell),
// laid out like the state: location j of this receptor is the group's
// location first_location + j, at target_base + at(first_location + j, ...).
template <class T> struct receptor_view {
  std::uint32_t kind;          // index in receptor_kinds
  std::uint32_t ninst;         // locations (1 in a point neuron)
  const std::uint32_t* node;   // node of each location; null: node 0
  std::uint32_t target_base;   // the group's first target
  std::uint32_t first_location;
  std::uint32_t nlocations;    // of the whole group, per cell
  std::uint32_t scale;         // on the 32-bit ring: its values in 2^-scale of the unit (core/fixed_point.hpp)
  T param[max_receptor_params];
  T* state[max_receptor_states];  // each ninst × ncells
};

// A DC current clamp at one node: amp[cell] [nA] during steps [start, stop).
template <class T> struct stimulus_view {
  std::uint32_t node;
  const T* amp;
  std::int64_t start;
  std::int64_t stop;
};

// The gap junctions of a group, as half-junctions grouped by cell (CSR). A
// half-junction adds g·(v − v_partner) [nA] to its node, with v_partner the
// partner's voltage at the start of the step (gathered before the step by
// gap_gather) and v the node's own, taken implicitly: the junction enters the
// diagonal with g, like a channel's slope conductance.
template <class T> struct gap_view {
  const std::uint32_t* row;  // ncells + 1 offsets; null: the group has none
  const std::uint32_t* node;
  const T* g;                // [µS]
  const T* v_partner;        // [mV]
};

template <class T> struct cell_parts {
  std::uint32_t ncells;
  std::uint32_t nnodes;        // nodes per cell (1: a point neuron)
  std::uint32_t block;         // cells per block of the layout
  std::uint32_t gid_base;      // global id of cell 0: spike sources are numbered globally
  T* v;                        // nnodes × ncells [mV]
  T* cai;                      // nnodes × ncells [mM]; null when no mechanism of the group uses it
  std::uint32_t* spike_count;  // spikes per cell since the start
  std::int64_t* last_spike;    // step of each cell's last spike (far in the past at the start)
  // The first step at whose end a cell's detector voltage was outside
  // [v_lo, v_hi] or not a number (no_fault until then): the run driver's
  // numerical-failure check reads it; each cell writes only its own.
  std::int64_t* fault_step;
  T v_lo, v_hi;                // [mV]
  std::int64_t refractory;     // detector dead time [steps]
  T threshold;                 // spike detection threshold [mV]
  std::uint32_t detector;      // the node whose voltage the detector watches
  int nmech;
  int nrec;
  int nstim;
  mech_view<T> mech[max_mechs];
  receptor_view<T> rec[max_receptors];
  stimulus_view<T> stim[max_stimuli];
  gap_view<T> gap;
};

// What changes from step to step.
struct step_ctx {
  std::int64_t step;         // the step being taken, from t = step·dt to (step+1)·dt
  std::int64_t* ring_slot;   // the ring-buffer row of this step (read and cleared)
  std::int64_t* pulse_slot = nullptr;  // the row of pulses closing this step (pulse receptors); null: none
  std::int64_t* transfer_slot = nullptr;  // the transfer ring's row (kinetic receptors); null: none
  // On the 32-bit ring (image::ring_scale) its row and the pulse ring's
  // instead of ring_slot and pulse_slot, which are then null.
  std::int32_t* ring_slot32 = nullptr;
  std::int32_t* pulse_slot32 = nullptr;
};

RANVIER_HD std::uint32_t node_of(const std::uint32_t* nodes, std::uint32_t j) { return nodes ? nodes[j] : 0u; }

// Index of instance (or node) j of cell c0 + k in an array of ninst values a
// cell, in a group of ncells cells in blocks of `block`, for lanes k that
// stay within c0's block.
RANVIER_HD std::size_t at(std::uint32_t j, std::uint32_t ninst, std::uint32_t block, std::uint32_t ncells,
                          std::uint32_t c0, int k) {
  const std::uint32_t first = c0 / block * block;
  const std::uint32_t width = ncells - first < block ? ncells - first : block;
  return static_cast<std::size_t>(first) * ninst + static_cast<std::size_t>(j) * width + (c0 - first) +
         static_cast<std::uint32_t>(k);
}

template <int N, class T> struct local_states {
  T s[N > 0 ? N : 1];
};
template <int N, class T>
RANVIER_HD local_states<N, T> load_states(T* const* arrays, std::size_t i) {
  local_states<N, T> l{};  // (N = 0: one unused value, zero rather than indeterminate)
  for (int q = 0; q < N; ++q) l.s[q] = arrays[q][i];
  return l;
}
template <int N, class T>
RANVIER_HD void store_states(T* const* arrays, std::size_t i, const local_states<N, T>& l) {
  for (int q = 0; q < N; ++q) arrays[q][i] = l.s[q];
}

// Calls f.template operator()<Mech>(mv, j, node, params) for every instance
// j of every density mechanism, in the cell type's order, with Mech its type
// (the walk the current, state and initial passes share).
template <class T, class F>
RANVIER_HD void for_each_mechanism_instance(const cell_parts<T>& C, F&& f) {
  for (int q = 0; q < C.nmech; ++q) {
    const mech_view<T>& mv = C.mech[q];
    dispatch(density_mechanisms{}, static_cast<int>(mv.kind), [&]<class Mech>() {
      for (std::uint32_t j = 0; j < mv.ninst; ++j)
        f.template operator()<Mech>(mv, j, node_of(mv.node, j), mv.param + static_cast<std::size_t>(j) * mv.nparam);
    });
  }
}

// Deliver: this step's arrivals (fixed-point sums in the ring row) go into
// the receptors, and the row is cleared; pulse receptors also take the
// weights whose pulses close this step (the pulse ring's row). The ring's
// words are 64-bit at 2^-40, or 32-bit at the receptor's own scale.
template <class M, class T>
RANVIER_HD void deliver_inputs(const cell_parts<T>& C, const step_ctx& ctx, std::uint32_t c0, int n) {
  for (int r = 0; r < C.nrec; ++r) {
    const receptor_view<T>& R = C.rec[r];
    const auto value = [&R](auto q) {
      if constexpr (sizeof(q) == 4)
        return from_fixed32<T>(q, static_cast<int>(R.scale));
      else
        return from_fixed<T>(q);
    };
    dispatch(receptor_kinds{}, static_cast<int>(R.kind), [&]<class Rec>() {
      const auto row = [&](auto* ring, auto* pulses) {
        // Locals, not C's fields: a store into a 32-bit ring could alias
        // those, and their reloads would keep the loops below scalar.
        const std::uint32_t block = C.block, ncells = C.ncells, ninst = R.ninst;
        const int lanes = n;
        for (std::uint32_t j = 0; j < ninst; ++j) {
          const std::size_t place = R.target_base + at(R.first_location + j, R.nlocations, block, ncells, c0, 0);
          auto* __restrict__ slot = ring + place;
          if constexpr (pulse_param_of<Rec>() >= 0) {
            // A pulse receptor also takes the weights whose pulses close now,
            auto* __restrict__ ends = pulses + place;
            // and a kinetic receptor the transfer ring's row.
            std::int64_t* __restrict__ moves = ctx.transfer_slot ? ctx.transfer_slot + place : nullptr;
            for (int k = 0; k < lanes; ++k) {
              const std::size_t i = at(j, ninst, block, ncells, c0, k);
              auto s = load_states<Rec::nstate>(R.state, i);
              const T moved = moves ? from_fixed<T>(moves[k]) : T(0);
              Rec::template deliver_pulse<M>(R.param, s.s, value(slot[k]), value(ends[k]), moved);
              slot[k] = 0;
              ends[k] = 0;
              if (moves) moves[k] = 0;
              store_states(R.state, i, s);
            }
          } else {
#if RANVIER_DEVICE_PASS
            const auto in = [&](int k) { return value(slot[k]); };
#else
            T values[max_lanes];  // converted first, and the row cleared, in loops that vectorise
            if constexpr (sizeof(*slot) == 4)
              from_fixed32_lanes(slot, static_cast<int>(R.scale), values, lanes);
            else
              from_fixed_lanes(slot, values, lanes);
            for (int k = 0; k < lanes; ++k) slot[k] = 0;
            const auto in = [&](int k) { return values[k]; };
#endif
            for (int k = 0; k < lanes; ++k) {
              const std::size_t i = at(j, ninst, block, ncells, c0, k);
              auto s = load_states<Rec::nstate>(R.state, i);
              Rec::template deliver<M>(R.param, s.s, in(k));
#if RANVIER_DEVICE_PASS
              slot[k] = 0;
#endif
              store_states(R.state, i, s);
            }
          }
        }
      };
      if (ctx.ring_slot32)
        row(ctx.ring_slot32, ctx.pulse_slot32);
      else
        row(ctx.ring_slot, ctx.pulse_slot);
    });
  }
}

// Currents at the present voltage, in a fixed order: density mechanisms in
// the cell type's order, then receptors, then clamps, then gap junctions.
// `density(node, k, flux)` takes a mechanism's density current and
// conductance, `point(node, k, i, g)` a point current [nA] and conductance
// [µS]; the point and cable steps put them into their own membrane equations.
//
// ExactCurrents: current-based receptors are left out; the neuron model
// (core/neurons/neuron.hpp) takes them through current_receptors_dv.
template <class M, bool ExactCurrents = false, class T, class Density, class Point>
RANVIER_HD void membrane_currents(const cell_parts<T>& C, const step_ctx& ctx, std::uint32_t c0, int n,
                                  Density&& density, Point&& point) {
  const std::uint32_t nn = C.nnodes, b = C.block, nc = C.ncells;
  for_each_mechanism_instance(
      C, [&]<class Mech>(const mech_view<T>& mv, std::uint32_t j, std::uint32_t nd, const T* p) {
        for (int k = 0; k < n; ++k) {
          const auto s = load_states<Mech::nstate>(mv.state, at(j, mv.ninst, b, nc, c0, k));
          T cai = T(0);
          if constexpr (Mech::uses_cai) cai = C.cai[at(nd, nn, b, nc, c0, k)];
          flux<T> f;
          Mech::template current<M>(p, s.s, C.v[at(nd, nn, b, nc, c0, k)], cai, f);
          density(nd, k, f);
        }
      });
  for (int r = 0; r < C.nrec; ++r) {
    const receptor_view<T>& R = C.rec[r];
    dispatch(receptor_kinds{}, static_cast<int>(R.kind), [&]<class Rec>() {
      constexpr bool skip = ExactCurrents && current_based_v<Rec>;
      if constexpr (!skip) {
        for (std::uint32_t j = 0; j < R.ninst; ++j) {
          const std::uint32_t nd = node_of(R.node, j);
          for (int k = 0; k < n; ++k) {
            const auto s = load_states<Rec::nstate>(R.state, at(j, R.ninst, b, nc, c0, k));
            T i = T(0), g = T(0);
            Rec::template current<M>(R.param, s.s, C.v[at(nd, nn, b, nc, c0, k)], i, g);
            point(nd, k, i, g);
          }
        }
      }
    });
  }
  for (int s = 0; s < C.nstim; ++s) {
    const stimulus_view<T>& S = C.stim[s];
    if (ctx.step < S.start || ctx.step >= S.stop) continue;
    const T* __restrict__ amp = S.amp + c0;
    for (int k = 0; k < n; ++k) point(S.node, k, -amp[k], T(0));  // injected current depolarises: −amp
  }
  if (C.gap.row) {
    for (int k = 0; k < n; ++k)
      for (std::uint32_t h = C.gap.row[c0 + k]; h < C.gap.row[c0 + k + 1]; ++h) {
        const std::uint32_t nd = C.gap.node[h];
        const T g = C.gap.g[h];
        point(nd, k, g * (C.v[at(nd, nn, b, nc, c0, k)] - C.gap.v_partner[h]), g);
      }
  }
}

// The exact voltage change [mV] over the step that the current-based
// receptors of a point neuron cause (their exact_dv), added to dv[k].
template <class M, class T>
RANVIER_HD void current_receptors_dv(const cell_parts<T>& C, std::uint32_t c0, int n, T* dv) {
  for (int r = 0; r < C.nrec; ++r) {
    const receptor_view<T>& R = C.rec[r];
    dispatch(receptor_kinds{}, static_cast<int>(R.kind), [&]<class Rec>() {
      if constexpr (current_based_v<Rec>) {
        for (int k = 0; k < n; ++k) {
          const auto s = load_states<Rec::nstate>(R.state, at(0, 1, C.block, C.ncells, c0, k));
          dv[k] += Rec::template exact_dv<M>(R.param, s.s);
        }
      }
    });
  }
}

// States at the new voltage: first the calcium pools ([Ca²⁺]i from the Ca²⁺
// current `ica(node, k)` of this step), then every other mechanism's gates,
// which so see this step's [Ca²⁺]i whatever the order the cell type lists
// them in (NEURON, too, advances concentrations first), then the receptors.
template <class M, class T, class Ica>
RANVIER_HD void advance_states(const cell_parts<T>& C, std::uint32_t c0, int n, Ica&& ica) {
  const std::uint32_t nn = C.nnodes, b = C.block, nc = C.ncells;
  for (const bool pools : {true, false})
    for_each_mechanism_instance(
        C, [&]<class Mech>(const mech_view<T>& mv, std::uint32_t j, std::uint32_t nd, const T* p) {
          if (Mech::writes_cai != pools) return;
          if constexpr (has_gate_table<Mech>()) {
            static_assert(Mech::ntable == Mech::nstate, "a tabled mechanism's states are all gates");
            if (mv.table.data) {  // the gates from the table (a loop of its own: both vectorise)
              for (int k = 0; k < n; ++k) {
                const std::size_t i = at(j, mv.ninst, b, nc, c0, k);
                auto s = load_states<Mech::nstate>(mv.state, i);
                advance_from_table<Mech::ntable>(mv.table, C.v[at(nd, nn, b, nc, c0, k)], s.s);
                store_states(mv.state, i, s);
              }
              return;
            }
          }
          for (int k = 0; k < n; ++k) {
            const std::size_t i = at(j, mv.ninst, b, nc, c0, k);
            auto s = load_states<Mech::nstate>(mv.state, i);
            T cai = T(0), ic = T(0);
            if constexpr (Mech::uses_cai || Mech::writes_cai) cai = C.cai[at(nd, nn, b, nc, c0, k)];
            if constexpr (Mech::writes_cai) ic = ica(nd, k);
            Mech::template advance<M>(p, s.s, C.v[at(nd, nn, b, nc, c0, k)], cai, ic);
            store_states(mv.state, i, s);
            if constexpr (Mech::writes_cai) C.cai[at(nd, nn, b, nc, c0, k)] = cai;
          }
        });
  for (int r = 0; r < C.nrec; ++r) {
    const receptor_view<T>& R = C.rec[r];
    dispatch(receptor_kinds{}, static_cast<int>(R.kind), [&]<class Rec>() {
      for (std::uint32_t j = 0; j < R.ninst; ++j)
        for (int k = 0; k < n; ++k) {
          const std::size_t i = at(j, R.ninst, b, nc, c0, k);
          auto s = load_states<Rec::nstate>(R.state, i);
          Rec::template advance<M>(R.param, s.s);
          store_states(R.state, i, s);
        }
    });
  }
}

inline constexpr std::int64_t no_fault = INT64_MAX;

// Notes cell c's voltage at the end of the step if it is outside the run's
// bounds or not a number, unless the cell has a fault step already.
template <class T>
RANVIER_HD void note_fault(const cell_parts<T>& C, const step_ctx& ctx, std::uint32_t c, T v) {
  if (!(v >= C.v_lo && v <= C.v_hi) && C.fault_step[c] == no_fault) C.fault_step[c] = ctx.step + 1;
}

// Detection: an upward crossing at the detector node during the step is the
// spike of time step+1, unless within the dead time of the cell's last one.
// A voltage outside the run's bounds (or NaN) is noted, once, as the cell's
// fault step.
template <class T, class Sink>
RANVIER_HD void detect(const cell_parts<T>& C, const step_ctx& ctx, std::uint32_t c0, int k, T v_old, T v_new,
                       Sink&& sink) {
  const std::uint32_t c = c0 + static_cast<std::uint32_t>(k);
  note_fault(C, ctx, c, v_new);
  if (crossed_up(v_old, v_new, C.threshold) && ctx.step + 1 - C.last_spike[c] >= C.refractory) {
    C.last_spike[c] = ctx.step + 1;
    ++C.spike_count[c];
    sink(C.gid_base + c);
  }
}

// Sets the mechanisms' states to their steady state at the present voltage
// and [Ca²⁺]i (NEURON's finitialize), for the cells [first, first + n).
template <class M, class T>
RANVIER_HD void init_states(const cell_parts<T>& C, std::uint32_t first, std::uint32_t n) {
  for_each_mechanism_instance(
      C, [&]<class Mech>(const mech_view<T>& mv, std::uint32_t j, std::uint32_t nd, const T* p) {
        for (std::uint32_t c = first; c < first + n; ++c) {  // cell by cell: a range may cross blocks
          const std::size_t i = at(j, mv.ninst, C.block, C.ncells, c, 0);
          auto s = load_states<Mech::nstate>(mv.state, i);
          T cai = T(0);
          if constexpr (Mech::uses_cai || Mech::writes_cai) cai = C.cai[at(nd, C.nnodes, C.block, C.ncells, c, 0)];
          Mech::template init<M>(p, s.s, C.v[at(nd, C.nnodes, C.block, C.ncells, c, 0)], cai);
          store_states(mv.state, i, s);
        }
      });
}

// What a record reads of a receptor: its conductance [µS], its current [nA],
// or the part of its current carried by Ca²⁺ [nA] (receptors with a Ca²⁺
// fraction, as NMDA's; 0 for the others).
enum class receptor_field : int { g = 1, i = 2, ica = 3 };

// A receptor's field at state index i and the voltage v of its node, for records.
template <class T>
RANVIER_HD T receptor_value(const receptor_view<T>& R, std::size_t i, T v, receptor_field field) {
  T out = T(0);
  dispatch(receptor_kinds{}, static_cast<int>(R.kind), [&]<class Rec>() {
    const auto s = load_states<Rec::nstate>(R.state, i);
    if (field == receptor_field::g) {
      out = Rec::conductance(R.param, s.s);
    } else {
      T g = T(0);
      Rec::template current<deterministic_math>(R.param, s.s, v, out, g);
      if (field == receptor_field::ica) out *= ca_fraction_of<Rec>(R.param);
    }
  });
  return out;
}

// Gathers, before a step, each half-junction's partner voltage: partner h is
// node `index[h]` of the group `group[h]`, whose voltages are `v[group[h]]`.
// Runs over all half-junctions before any group steps, so every junction
// sees the voltages of the step's start.
template <class T>
RANVIER_HD void gap_gather(T* const* group_v, const std::uint32_t* group, const std::uint64_t* index, T* v_partner,
                           std::uint64_t h) {
  v_partner[h] = group_v[group[h]][index[h]];
}

}  // namespace ranvier::core
