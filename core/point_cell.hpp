// One step of a group of point neurons (cells of one compartment): deliver the
// ring-buffer slot into the receptors, sum the mechanism currents, solve the
// membrane, advance the mechanism states at the new voltage, detect spikes.
//
// This function is the step, written once. The CPU engine calls it for a chunk
// of W adjacent cells (W = 64: the loops over lanes vectorise and the chunk
// stays in L1); the CUDA kernel calls it with W = 1 from each thread. The
// arithmetic on each cell is the same sequence of operations either way, which
// is what makes the two engines agree bit for bit.
#pragma once

#include <cstdint>

#include "core/dmath.hpp"
#include "core/fixed_point.hpp"
#include "core/hd.hpp"
#include "core/mechanisms/expsyn.hpp"
#include "core/mechanisms/hh.hpp"
#include "core/mechanisms/leak.hpp"
#include "core/mechanisms/traub_miles.hpp"
#include "core/membrane.hpp"
#include "core/rng.hpp"

namespace ranvier::core {

enum class mech_kind : std::uint8_t { hh, traub_miles, leak };

// Fixed capacities keep a group's view a flat, trivially copyable struct that
// travels as a kernel argument. The model checker reports a clear error when a
// cell needs more.
inline constexpr int max_mech_states = 3;
inline constexpr int max_mech_params = 8;
inline constexpr int max_mechs = 6;
inline constexpr int max_receptors = 4;
inline constexpr int max_stimuli = 8;

// A density mechanism inserted in every cell of the group: its state arrays
// (one value per cell) and its parameters (one value per group, in the order
// of the mechanism's `param` enum).
template <class T> struct mech_view {
  mech_kind kind;
  T* state[max_mech_states];
  T param[max_mech_params];
};

// A synaptic receptor (point mechanism) on every cell of the group; its
// instances are the ring buffer's targets target_base .. target_base + ncells − 1.
template <class T> struct receptor_view {
  T* g;          // conductance per cell [µS]
  T e;           // reversal potential [mV]
  T decay;       // e^(−dt/tau) [1]
  std::uint32_t target_base;
};

// A DC current clamp: amp[cell] [nA] during steps [start, stop).
template <class T> struct stimulus_view {
  const T* amp;
  std::int64_t start;
  std::int64_t stop;
};

template <class T> struct point_group_view {
  std::uint32_t ncells;
  std::uint32_t gid_base;      // global id of cell 0: spike sources are numbered globally
  T* v;                        // membrane potential per cell [mV]
  std::uint32_t* spike_count;  // spikes per cell since the start
  std::int64_t* last_spike;    // step of each cell's last spike (far in the past at the start)
  std::int64_t refractory;     // detector dead time [steps]
  T cfac;                      // cm·1e-3/dt [S/cm²]
  T pfac;                      // 100/area: point [nA, µS] to density [mA/cm², S/cm²]
  T threshold;                 // spike detection threshold [mV]
  int nmech;
  int nrec;
  int nstim;
  mech_view<T> mech[max_mechs];
  receptor_view<T> rec[max_receptors];
  stimulus_view<T> stim[max_stimuli];
};

// What changes from step to step.
struct step_ctx {
  std::int64_t step;        // the step being taken, from t = step·dt to (step+1)·dt
  std::int64_t* ring_slot;  // the ring-buffer row of this step (read and cleared)
};

// The per-lane scratch of one chunk of W cells starting at `first`.
template <class T, int W> struct lanes {
  std::uint32_t first = 0;
  int n = W;
  T v[W];       // v at the start of the step [mV]
  T i[W];       // density current [mA/cm²]
  T g[W];       // density slope conductance [S/cm²]
  T ip[W];      // point current [nA]
  T gp[W];      // point conductance [µS]
  bool fired[W];
  RANVIER_HD int count() const {
    if constexpr (W == 1) return 1;
    else return n;
  }
};

template <class M, class T, int W, class Sink>
RANVIER_HD void point_step(const point_group_view<T>& G, const step_ctx& ctx, lanes<T, W>& L, Sink&& sink) {
  const int n = L.count();
  const std::uint32_t c0 = L.first;
  T* __restrict__ v = G.v + c0;
  for (int k = 0; k < n; ++k) {
    L.v[k] = v[k];
    L.i[k] = T(0);
    L.g[k] = T(0);
    L.ip[k] = T(0);
    L.gp[k] = T(0);
  }

  // Deliver: this step's arrivals step the receptor conductances.
  for (int r = 0; r < G.nrec; ++r) {
    T* __restrict__ g = G.rec[r].g + c0;
    std::int64_t* __restrict__ slot = ctx.ring_slot + G.rec[r].target_base + c0;
    for (int k = 0; k < n; ++k) {
      g[k] += from_fixed<T>(slot[k]);
      slot[k] = 0;
    }
  }

  // Currents at the present voltage, in a fixed order: density mechanisms,
  // then receptors, then clamps.
  for (int q = 0; q < G.nmech; ++q) {
    const mech_view<T>& mv = G.mech[q];
    const T* p = mv.param;
    switch (mv.kind) {
      case mech_kind::hh: {
        const T* __restrict__ m = mv.state[hh::m] + c0;
        const T* __restrict__ h = mv.state[hh::h] + c0;
        const T* __restrict__ nn = mv.state[hh::n] + c0;
        for (int k = 0; k < n; ++k) hh::current(p, m[k], h[k], nn[k], L.v[k], L.i[k], L.g[k]);
      } break;
      case mech_kind::traub_miles: {
        const T* __restrict__ m = mv.state[traub_miles::m] + c0;
        const T* __restrict__ h = mv.state[traub_miles::h] + c0;
        const T* __restrict__ nn = mv.state[traub_miles::n] + c0;
        for (int k = 0; k < n; ++k) traub_miles::current(p, m[k], h[k], nn[k], L.v[k], L.i[k], L.g[k]);
      } break;
      case mech_kind::leak:
        for (int k = 0; k < n; ++k) leak::current(p, L.v[k], L.i[k], L.g[k]);
        break;
    }
  }
  for (int r = 0; r < G.nrec; ++r) {
    const receptor_view<T>& R = G.rec[r];
    const T* __restrict__ g = R.g + c0;
    for (int k = 0; k < n; ++k) expsyn::current(g[k], R.e, L.v[k], L.ip[k], L.gp[k]);
  }
  for (int s = 0; s < G.nstim; ++s) {
    const stimulus_view<T>& S = G.stim[s];
    if (ctx.step < S.start || ctx.step >= S.stop) continue;
    const T* __restrict__ amp = S.amp + c0;
    for (int k = 0; k < n; ++k) L.ip[k] -= amp[k];  // injected current depolarises: −amp
  }

  // Voltage.
  for (int k = 0; k < n; ++k) {
    const T vnew = implicit_euler_v(L.v[k], L.i[k] + G.pfac * L.ip[k], L.g[k] + G.pfac * L.gp[k], G.cfac);
    L.fired[k] = crossed_up(L.v[k], vnew, G.threshold);
    v[k] = vnew;
  }

  // States at the new voltage.
  for (int q = 0; q < G.nmech; ++q) {
    const mech_view<T>& mv = G.mech[q];
    const T* p = mv.param;
    switch (mv.kind) {
      case mech_kind::hh: {
        T* __restrict__ m = mv.state[hh::m] + c0;
        T* __restrict__ h = mv.state[hh::h] + c0;
        T* __restrict__ nn = mv.state[hh::n] + c0;
        for (int k = 0; k < n; ++k) hh::advance<M>(p, m[k], h[k], nn[k], v[k]);
      } break;
      case mech_kind::traub_miles: {
        T* __restrict__ m = mv.state[traub_miles::m] + c0;
        T* __restrict__ h = mv.state[traub_miles::h] + c0;
        T* __restrict__ nn = mv.state[traub_miles::n] + c0;
        for (int k = 0; k < n; ++k) traub_miles::advance<M>(p, m[k], h[k], nn[k], v[k]);
      } break;
      case mech_kind::leak:
        break;
    }
  }
  for (int r = 0; r < G.nrec; ++r) {
    T* __restrict__ g = G.rec[r].g + c0;
    const T decay = G.rec[r].decay;
    for (int k = 0; k < n; ++k) g[k] = expsyn::advance(g[k], decay);
  }

  // Detection: the spike of time step+1, unless within the dead time of the
  // cell's last one.
  for (int k = 0; k < n; ++k) {
    if (L.fired[k] && ctx.step + 1 - G.last_spike[c0 + k] >= G.refractory) {
      G.last_spike[c0 + k] = ctx.step + 1;
      ++G.spike_count[c0 + k];
      sink(G.gid_base + c0 + static_cast<std::uint32_t>(k));
    }
  }
}

// Sets a group's gating states to their steady state at the present voltage
// (NEURON's finitialize), for the cells [first, first + n).
template <class M, class T>
RANVIER_HD void point_init_states(const point_group_view<T>& G, std::uint32_t first, std::uint32_t n) {
  for (int q = 0; q < G.nmech; ++q) {
    const mech_view<T>& mv = G.mech[q];
    for (std::uint32_t c = first; c < first + n; ++c) {
      switch (mv.kind) {
        case mech_kind::hh:
          hh::init<M>(mv.state[hh::m][c], mv.state[hh::h][c], mv.state[hh::n][c], G.v[c]);
          break;
        case mech_kind::traub_miles:
          traub_miles::init<M>(mv.param, mv.state[traub_miles::m][c], mv.state[traub_miles::h][c],
                               mv.state[traub_miles::n][c], G.v[c]);
          break;
        case mech_kind::leak:
          break;
      }
    }
  }
}

// ---- Poisson generators ---------------------------------------------------------

struct poisson_view {
  std::uint32_t ncells;
  std::uint32_t gid_base;
  std::uint32_t stream_id;  // the population's id in the random streams
  std::uint64_t seed;
  double p_spike;           // probability of a spike in one step: 1 − e^(−rate·dt)
  std::int64_t start;       // first active step
  std::int64_t stop;        // first inactive step
  std::uint32_t* spike_count;
};

// Whether generator cell c fires in the given step: one Philox block countered
// by (cell, step), so the train is the same on every engine and thread count.
RANVIER_HD bool poisson_fires(const poisson_view& P, std::uint32_t c, std::int64_t step) {
  if (step < P.start || step >= P.stop) return false;
  const auto b = philox_block(P.seed, stream_purpose::poisson, P.stream_id, c, static_cast<std::uint64_t>(step));
  return uniform_from(b.v[0], b.v[1]) < P.p_spike;
}

}  // namespace ranvier::core
