// One step of a group of point neurons (cells of one compartment): deliver the
// ring-buffer slot into the receptors, sum the membrane currents, solve the
// membrane, advance the mechanism states at the new voltage, detect spikes.
//
// This function is the step, written once. The CPU engine calls it for a chunk
// of W adjacent cells (W = 64: the loops over lanes vectorise and the chunk
// stays in L1); the CUDA kernel calls it with W = 1 from each thread. The
// arithmetic on each cell is the same sequence of operations either way, which
// is what makes the two engines agree bit for bit. The parts shared with cable
// cells (mechanisms, receptors, clamps, gap junctions, detector) are in
// core/cell.hpp; what is particular here is the membrane of one compartment,
// solved in densities (mA/cm², S/cm²) with all its scratch in registers.
#pragma once

#include <bit>
#include <cstdint>
#include <type_traits>

#include "core/cell.hpp"
#include "core/hd.hpp"
#include "core/membrane.hpp"
#include "core/neurons/registry.hpp"

namespace ranvier::core {

template <class T> struct point_group_view {
  cell_parts<T> c;
  T cfac;    // cm·1e-3/dt, doubled under secondorder = 2 [S/cm²]
  T pfac;    // 100/area: point [nA, µS] to density [mA/cm², S/cm²]
  T vscale;  // 1, or 2 under secondorder = 2: v(t+dt) = v(t) + 2·(v(t+dt/2) − v(t))
  // A neuron model (core/neurons/) instead of the membrane of mechanisms.
  int model;                        // index in neuron_models; −1: the membrane of mechanisms
  T dt;                             // [ms]
  T mparam[max_model_params];       // the model's parameters, user and derived
  T* mstate[max_model_states];      // each ncells
};

// The per-lane scratch of one chunk of W cells starting at `first`.
template <class T, int W> struct lanes {
  std::uint32_t first = 0;
  int n = W;
  T v[W];    // v at the start of the step [mV]
  T i[W];    // density current [mA/cm²]
  T g[W];    // density slope conductance [S/cm²]
  T ip[W];   // point current [nA]
  T gp[W];   // point conductance [µS]
  T ica[W];  // Ca²⁺ density current [mA/cm²], for pools
  T gca[W];  // its slope conductance [S/cm²]
  RANVIER_HD int count() const {
    if constexpr (W == 1) return 1;
    else return n;
  }
};

// One step of a group of point neurons of model N (core/neurons/): deliver,
// the inputs' point current and slope conductance at the step's start v,
// the model's step (or its refractory hold), its threshold and reset, then
// the receptors' states.
template <class N, class M, class T, int W, class Sink>
RANVIER_HD void model_step(const point_group_view<T>& G, const step_ctx& ctx, lanes<T, W>& L, Sink&& sink) {
  const cell_parts<T>& C = G.c;
  const int n = L.count();
  const std::uint32_t c0 = L.first;
  T* v = C.v + c0;
  for (int k = 0; k < n; ++k) {
    L.v[k] = v[k];
    L.i[k] = T(0);  // the exact propagators' dv [mV]
    L.ip[k] = T(0);
    L.gp[k] = T(0);
  }
  deliver_inputs<M>(C, ctx, c0, n);
  membrane_currents<M, N::exact_currents>(
      C, ctx, c0, n, [&](std::uint32_t, int, const flux<T>&) {},
      [&](std::uint32_t, int k, T i, T g) {
        L.ip[k] += i;
        L.gp[k] += g;
      });
  if constexpr (N::exact_currents) current_receptors_dv<M>(C, c0, n, L.i);
  if constexpr (N::nstate == 0 && W > 1) {
    // A model without states of its own (LIF), on the CPU's lanes: every
    // lane's new v first, from a local copy of the parameters, the
    // refractory hold selected rather than branched to, in a loop that
    // vectorises; then thresholds and resets. Per lane the arithmetic of the
    // general loop below (which the CUDA kernels' one lane runs).
    T p[N::nparam];
    for (int q = 0; q < N::nparam; ++q) p[q] = G.mparam[q];
    const std::int64_t* last = C.last_spike + c0;
    const std::int64_t now = ctx.step + 1, dead_for = C.refractory + (N::clamps ? 1 : 0);
    T vn[W];
    // Without conductance inputs in these lanes (gp = +0 in each: a sum of
    // zeros from +0 is +0) the model is called with the constant 0, and what
    // only conductances need (LIF's exp) is compiled away.
    const auto new_v = [&](auto conductances) {
      for (int k = 0; k < n; ++k) {
        local_states<0, T> s;
        const T gp = conductances ? L.gp[k] : T(0);
        const T hold = N::template hold<M>(p, s.s, L.v[k], L.ip[k], gp, G.dt);
        const T moved = N::template step<M>(p, s.s, L.v[k], L.ip[k], gp, L.i[k], G.dt);
        vn[k] = N::clamps && now - last[k] < dead_for ? hold : moved;
      }
    };
    // gp != 0 (NaN included) is a nonzero bit pattern once the sign bit is
    // shifted out: an integer OR over the lanes, which vectorises.
    using bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
    bits nonzero = 0;
    for (int k = 0; k < n; ++k) nonzero |= static_cast<bits>(std::bit_cast<bits>(L.gp[k]) << 1);
    if (nonzero != 0) new_v(std::true_type{});
    else new_v(std::false_type{});
    // Thresholds over the lanes (vectorised), then the few that fired in lane order.
    std::uint8_t fired[W];
    std::uint8_t any = 0;
    for (int k = 0; k < n; ++k) {
      fired[k] = static_cast<std::uint8_t>(now - last[k] >= dead_for) & static_cast<std::uint8_t>(N::fired(p, L.v[k], vn[k]));
      any |= fired[k];
      v[k] = vn[k];
    }
    for (int k = 0; any && k < n; ++k) {
      if (!fired[k]) continue;
      const std::uint32_t c = c0 + static_cast<std::uint32_t>(k);
      local_states<0, T> s;
      N::reset(p, s.s, vn[k]);
      v[k] = vn[k];
      C.last_spike[c] = now;
      ++C.spike_count[c];
      sink(C.gid_base + c);
    }
    for (int k = 0; k < n; ++k) note_fault(C, ctx, c0 + static_cast<std::uint32_t>(k), v[k]);
    advance_states<M>(C, c0, n, [](std::uint32_t, int) { return T(0); });
    return;
  }
  for (int k = 0; k < n; ++k) {
    const std::uint32_t c = c0 + static_cast<std::uint32_t>(k);
    local_states<N::nstate, T> s;
    for (int q = 0; q < N::nstate; ++q) s.s[q] = G.mstate[q][c];
    // After a spike stamped at step L: a clamping model holds v through the
    // steps L … L + refractory − 1; a model that does not clamp ignores a
    // crossing stamped less than `refractory` steps after L (a dead time).
    const bool dead = ctx.step + 1 - C.last_spike[c] < C.refractory + (N::clamps ? 1 : 0);
    T vn;
    if (N::clamps && dead) {
      vn = N::template hold<M>(G.mparam, s.s, L.v[k], L.ip[k], L.gp[k], G.dt);
    } else {
      vn = N::template step<M>(G.mparam, s.s, L.v[k], L.ip[k], L.gp[k], L.i[k], G.dt);
      if (N::fired(G.mparam, L.v[k], vn) && !dead) {
        N::reset(G.mparam, s.s, vn);
        C.last_spike[c] = ctx.step + 1;
        ++C.spike_count[c];
        sink(C.gid_base + c);
      }
    }
    v[k] = vn;
    note_fault(C, ctx, c, vn);
    for (int q = 0; q < N::nstate; ++q) G.mstate[q][c] = s.s[q];
  }
  advance_states<M>(C, c0, n, [](std::uint32_t, int) { return T(0); });
}

// Sets a model group's states for the present v of cells [first, first + n).
template <class M, class T>
RANVIER_HD void init_model_states(const point_group_view<T>& G, std::uint32_t first, std::uint32_t n) {
  dispatch(neuron_models{}, G.model, [&]<class N>() {
    for (std::uint32_t c = first; c < first + n; ++c) {
      local_states<N::nstate, T> s;
      for (int q = 0; q < N::nstate; ++q) s.s[q] = G.mstate[q][c];
      N::template init<M>(G.mparam, s.s, G.c.v[c]);
      for (int q = 0; q < N::nstate; ++q) G.mstate[q][c] = s.s[q];
    }
  });
}

// One step of a group of point cells with a membrane of mechanisms (no
// neuron model, G.model < 0).
template <class M, class T, int W, class Sink>
RANVIER_HD void membrane_point_step(const point_group_view<T>& G, const step_ctx& ctx, lanes<T, W>& L, Sink&& sink) {
  const cell_parts<T>& C = G.c;
  const int n = L.count();
  const std::uint32_t c0 = L.first;
  T* v = C.v + c0;  // not restrict: membrane_currents and advance_states read C.v too
  for (int k = 0; k < n; ++k) {
    L.v[k] = v[k];
    L.i[k] = T(0);
    L.g[k] = T(0);
    L.ip[k] = T(0);
    L.gp[k] = T(0);
    L.ica[k] = T(0);
    L.gca[k] = T(0);
  }

  deliver_inputs<M>(C, ctx, c0, n);
  membrane_currents<M>(
      C, ctx, c0, n,
      [&](std::uint32_t, int k, const flux<T>& f) {
        L.i[k] += f.i;
        L.g[k] += f.g;
        L.ica[k] += f.ica;
        L.gca[k] += f.gca;
      },
      [&](std::uint32_t, int k, T i, T g) {
        L.ip[k] += i;
        L.gp[k] += g;
      });

  // Voltage: implicit Euler over dt, or over dt/2 and extrapolated (secondorder = 2).
  for (int k = 0; k < n; ++k) {
    const T dv = membrane_dv(L.i[k] + G.pfac * L.ip[k], L.g[k] + G.pfac * L.gp[k], G.cfac);
    v[k] = L.v[k] + G.vscale * dv;
    // The Ca²⁺ current at the half step, for the pools (NEURON's second_order_cur).
    L.ica[k] += (G.vscale - T(1)) * L.gca[k] * dv;
  }

  advance_states<M>(C, c0, n, [&](std::uint32_t, int k) { return L.ica[k]; });

  for (int k = 0; k < n; ++k) detect(C, ctx, c0, k, L.v[k], v[k], sink);
}

// One step of any point group: its neuron model's (model_step) or its
// membrane's (membrane_point_step).
template <class M, class T, int W, class Sink>
RANVIER_HD void point_step(const point_group_view<T>& G, const step_ctx& ctx, lanes<T, W>& L, Sink&& sink) {
  if (G.model >= 0)
    dispatch(neuron_models{}, G.model, [&]<class N>() { model_step<N, M>(G, ctx, L, sink); });
  else
    membrane_point_step<M>(G, ctx, L, sink);
}

}  // namespace ranvier::core
