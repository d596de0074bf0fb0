// The Hines solve (Hines 1984, Int J Biomed Comput 15:69): the implicit
// cable equation of a branched cell is a tree-structured linear system, which
// Gaussian elimination from the leaves to the root and back solves in O(n)
// without fill-in, provided every node's parent has a smaller index.
//
// Row i: d_i·x_i − ga_i·x_parent(i) − Σ_children ga_c·x_c = rhs_i, where ga_i
// is the axial conductance [µS] between node i and its parent. The solve
// works on W lanes (cells) at once: node i of lane k is at i·stride + base + k,
// so the same code runs over a chunk of cells on the CPU and over one cell
// per CUDA thread (W = 1, stride = the number of cells, base = the cell).
#pragma once

#include <cstdint>

#include "core/hd.hpp"

namespace ranvier::core {

// Solves in place: on return rhs holds x, and d the reciprocals of the
// eliminated diagonal (one division a node). solved(i, x) is called for each
// node in order once its x (a pointer to n lanes) is known, so that the
// caller can use it while it is in cache.
template <class T, class Solved>
RANVIER_HD void hines_solve(std::uint32_t nnodes, const std::uint32_t* parent, const T* ga, T* d, T* rhs,
                            std::size_t stride, std::size_t base, int n, Solved&& solved) {
  for (std::uint32_t i = nnodes - 1; i >= 1; --i) {
    const std::size_t ri = i * stride + base, rp = parent[i] * stride + base;
    const T g = ga[i];
    T* __restrict__ di = d + ri;
    T* __restrict__ dp = d + rp;
    T* __restrict__ bi = rhs + ri;
    T* __restrict__ bp = rhs + rp;
    for (int k = 0; k < n; ++k) {
      const T inv = T(1) / di[k];
      const T f = g * inv;
      di[k] = inv;
      dp[k] -= f * g;
      bp[k] += f * bi[k];
    }
  }
  for (int k = 0; k < n; ++k) rhs[base + k] /= d[base + k];
  solved(0u, rhs + base);
  for (std::uint32_t i = 1; i < nnodes; ++i) {
    const std::size_t ri = i * stride + base, rp = parent[i] * stride + base;
    const T g = ga[i];
    const T* __restrict__ di = d + ri;
    T* __restrict__ bi = rhs + ri;
    const T* __restrict__ bp = rhs + rp;
    for (int k = 0; k < n; ++k) bi[k] = (bi[k] + g * bp[k]) * di[k];
    solved(i, static_cast<const T*>(bi));
  }
}

}  // namespace ranvier::core
