// Private to kernels/: turning CUDA errors into statuses, and the one helper
// every launch goes through (it checks the launch and, in debug builds,
// synchronises outside graph capture so that a failing kernel is named at its
// launch, not at some later call).
#pragma once

#include <cuda_runtime.h>

#include "kernels/kernels.hpp"

namespace ranvier::kernels::detail {

inline status make_status(cudaError_t e, const char* file, int line) {
  if (e == cudaSuccess) return {};
  return {static_cast<int>(e), cudaGetErrorName(e), cudaGetErrorString(e), file, line};
}

template <class Kernel, class... Args>
status launch(const char* file, int line, Kernel kernel, dim3 grid, dim3 block, void* stream, Args... args) {
  const auto s = static_cast<cudaStream_t>(stream);
  if (grid.x == 0) return {};
  kernel<<<grid, block, 0, s>>>(args...);
  cudaError_t e = cudaGetLastError();
#ifndef NDEBUG
  if (e == cudaSuccess) {
    cudaStreamCaptureStatus capturing = cudaStreamCaptureStatusNone;
    e = cudaStreamIsCapturing(s, &capturing);
    if (e == cudaSuccess && capturing == cudaStreamCaptureStatusNone) e = cudaStreamSynchronize(s);
  }
#endif
  return make_status(e, file, line);
}

// The batch's pause (device_clock::paused): end_step sets 1 when the record
// could not hold another step; from the next step on every kernel before
// and including propagate returns at once (paused), so the step is not
// taken, and propagate's last block sets 2, which the kernels after it
// (modulation, samples: still part of the step that set 1) read as their
// step not taken (step_skipped).
__device__ __forceinline__ bool paused(const step_buffers& b) { return b.clock->paused != 0; }
__device__ __forceinline__ bool step_skipped(const step_buffers& b) { return b.clock->paused == 2; }

inline unsigned blocks_for(std::uint64_t n, unsigned block) { return static_cast<unsigned>((n + block - 1) / block); }

// A thread's place among the grid's warps, for kernels that give one warp to
// each item (a spike, a cell) and its lanes to the item's connections.
struct warp_slot {
  std::uint32_t lane, warp, nwarps;
  __device__ static warp_slot here() {
    return {threadIdx.x & 31u, (blockIdx.x * blockDim.x + threadIdx.x) >> 5, (gridDim.x * blockDim.x) >> 5};
  }
};

// How many of a row's n spikes with the gid of entry i this thread (or warp)
// handles: a source given more than once in a step (gid >= repeat_lo) has
// all its entries handled, one after the other as on the CPU engine, by the
// first entry's thread: its count there, 0 at the others. Any other gid is
// in the row once: 1, without a look at the row.
__device__ inline std::uint32_t repeats_in_row(const std::uint32_t* row, std::uint32_t n, std::uint32_t i,
                                               std::uint32_t gid, std::uint32_t repeat_lo) {
  if (gid < repeat_lo) return 1;
  std::uint32_t count = 0;
  for (std::uint32_t k = 0; k < n; ++k) {
    if (row[k] != gid) continue;
    if (k < i) return 0;
    ++count;
  }
  return count;
}

// A connection's release (state S, weight w) onto kinetic target t,
// arriving at step a (core::kinetic_release): its end claimed by an atomic
// maximum (a source given twice in a step releases twice, in any order, the
// second changing nothing), the rings by 64-bit integer atomics.
template <class M, class T>
__device__ void release_onto(const kinetic_targets<T>& K, const step_buffers& b, core::kinetic_release_state<T>& S,
                             std::uint32_t t, T w, std::int64_t a) {
  const auto add = [&](int ring, std::int64_t at, std::int64_t v) {
    std::int64_t* base = ring == 0 ? b.ring : ring == 1 ? b.pulse_ring : b.transfer_ring;
    atomicAdd(reinterpret_cast<unsigned long long*>(base + static_cast<std::size_t>(at % b.ring_depth) * b.ntargets + t),
              static_cast<unsigned long long>(v));
  };
  const std::int64_t end = a + static_cast<std::int64_t>(b.pulse[t]);
  const std::int64_t old = atomicMax(reinterpret_cast<long long*>(&S.end), static_cast<long long>(end));
  core::kinetic_release<M>(K.params[K.release[t] - 1], b.pulse[t], S, old, w, a, add);
}

}  // namespace ranvier::kernels::detail

#define RANVIER_CUDA_STATUS(expr) ::ranvier::kernels::detail::make_status((expr), __FILE__, __LINE__)
#define RANVIER_LAUNCH(...) ::ranvier::kernels::detail::launch(__FILE__, __LINE__, __VA_ARGS__)
