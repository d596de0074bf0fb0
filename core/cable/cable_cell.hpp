// One step of a group of cable cells of identical structure: deliver, sum the
// membrane and axial currents of every node, solve the whole tree implicitly
// (Hines), advance the mechanism states at the new voltages, detect spikes at
// the detector node. NEURON's fixed step, node for node: backward Euler, or
// with secondorder = 2 Crank–Nicolson (the solve over dt/2, then
// v(t+dt) = v(t) + 2·Δ).
//
// Written once for both engines: the CPU engine calls it for a chunk of up to
// W adjacent cells with the scratch (diagonal, right-hand side, Ca²⁺ current)
// in a per-thread buffer of W lanes; the CUDA kernel with W = 1 per thread and
// the scratch interleaved in device memory like the state (node i of cell k at
// i·ncells + k), so every load of a warp is coalesced.
//
// Units per node are absolute: currents [nA], conductances [µS], the
// capacitance as cm·area·1e-5/dt [µS]; a density mechanism's [mA/cm², S/cm²]
// are scaled by area·1e-2. (Spines folded into a region scale the
// capacitance and the passive conductances at packing, not here.)
#pragma once

#include <cstdint>

#include "core/cable/hines.hpp"
#include "core/cell.hpp"
#include "core/hd.hpp"

namespace ranvier::core {

template <class T> struct cable_group_view {
  cell_parts<T> c;
  std::uint32_t nnodes;
  const std::uint32_t* parent;  // parent node of node i >= 1 (parent[i] < i)
  const T* ga;                  // axial conductance to the parent [µS] (0 at the root)
  const T* dbase;               // cm·area·1e-5/dt' + Σ axial conductances at the node [µS]
  const T* afac;                // membrane area·1e-2 [µm²·1e-2]
  const T* gpas;                // passive membrane conductance at the node [µS] (in dbase too); null: none
  const T* epas;                // its reversal potential [mV]
  T vscale;                     // 1, or 2 under secondorder = 2
  bool has_ca;                  // some mechanism carries Ca²⁺ current: keep ica for the pools
};

// The per-step scratch: node i of lane k at i·stride + base + k.
template <class T> struct cable_scratch {
  T* d;
  T* rhs;
  T* ica;  // Ca²⁺ current [mA/cm²]; null unless the group has_ca
  T* gca;
  std::size_t stride;
  std::size_t base;
};

// `count` <= W cells from c0. (A compile-time count for full chunks makes
// GCC unroll every lane loop, which measured slower: the code outgrows the
// instruction cache.)
template <class M, class T, int W, class Sink>
RANVIER_HD void cable_step(const cable_group_view<T>& G, const step_ctx& ctx, std::uint32_t c0, int count,
                           const cable_scratch<T>& S, Sink&& sink) {
  const int n = W == 1 ? 1 : count;
  const cell_parts<T>& C = G.c;
  const std::uint32_t nn = G.nnodes, b = C.block, nc = C.ncells;
  const auto sx = [&](std::uint32_t node, int k) { return node * S.stride + S.base + static_cast<std::size_t>(k); };
  T v_det[W];
  for (int k = 0; k < n; ++k) v_det[k] = C.v[at(C.detector, nn, b, nc, c0, k)];

  deliver_inputs<M>(C, ctx, c0, n);

  // Capacitive, passive and axial terms at v(t), in one pass from the root:
  // a node's parent has a smaller index, so its row is set before the child
  // adds to it. The passive membrane's conductance is in dbase already.
  for (std::uint32_t i = 0; i < G.nnodes; ++i) {
    const std::uint32_t p = G.parent[i];
    const T g = G.ga[i];  // 0 at the root
    const T db = G.dbase[i];
    const T gp = G.gpas ? G.gpas[i] : T(0), ep = G.gpas ? G.epas[i] : T(0);
    const T* __restrict__ vi = C.v + at(i, nn, b, nc, c0, 0);
    const T* __restrict__ vp = C.v + at(p, nn, b, nc, c0, 0);
    T* __restrict__ di = S.d + sx(i, 0);
    T* __restrict__ bi = S.rhs + sx(i, 0);
    if (i == 0) {
      for (int k = 0; k < n; ++k) {
        di[k] = db;
        bi[k] = -(gp * (vi[k] - ep));
      }
    } else {
      T* __restrict__ bp = S.rhs + sx(p, 0);
      for (int k = 0; k < n; ++k) {
        const T f = g * (vi[k] - vp[k]);  // axial current from node i to its parent [nA]
        di[k] = db;
        bi[k] = -(gp * (vi[k] - ep)) - f;
        bp[k] += f;
      }
    }
    if (G.has_ca)
      for (int k = 0; k < n; ++k) {
        S.ica[sx(i, k)] = T(0);
        S.gca[sx(i, k)] = T(0);
      }
  }

  membrane_currents<M>(
      C, ctx, c0, n,
      [&](std::uint32_t node, int k, const flux<T>& f) {
        const T a = G.afac[node];
        S.rhs[sx(node, k)] -= a * f.i;
        S.d[sx(node, k)] += a * f.g;
        if (G.has_ca) {
          S.ica[sx(node, k)] += f.ica;
          S.gca[sx(node, k)] += f.gca;
        }
      },
      [&](std::uint32_t node, int k, T i, T g) {
        S.rhs[sx(node, k)] -= i;
        S.d[sx(node, k)] += g;
      });

  // The solve; each node's voltage is updated as soon as its change is known.
  hines_solve(G.nnodes, G.parent, G.ga, S.d, S.rhs, S.stride, S.base, n, [&](std::uint32_t i, const T* dv) {
    T* __restrict__ v = C.v + at(i, nn, b, nc, c0, 0);
    for (int k = 0; k < n; ++k) v[k] += G.vscale * dv[k];
    if (G.has_ca)  // the Ca²⁺ current at the half step, for the pools (NEURON's second_order_cur)
      for (int k = 0; k < n; ++k) S.ica[sx(i, k)] += (G.vscale - T(1)) * S.gca[sx(i, k)] * dv[k];
  });

  advance_states<M>(C, c0, n, [&](std::uint32_t node, int k) { return S.ica[sx(node, k)]; });

  for (int k = 0; k < n; ++k) detect(C, ctx, c0, k, v_det[k], C.v[at(C.detector, nn, b, nc, c0, k)], sink);
}

}  // namespace ranvier::core
