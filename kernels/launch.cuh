// Private to kernels/: turning CUDA errors into statuses, and the one helper
// every launch goes through (it checks the launch and, in debug builds,
// synchronises outside graph capture so that a failing kernel is named at its
// launch, not at some later call).
#pragma once

#include <cuda_runtime.h>

#include "core/delay_runs.hpp"
#include "core/events.hpp"
#include "core/fixed_point.hpp"
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

// Closes the step: counts its spikes into the record (and the history's
// row), clears the spike list, advances the step; and pauses the batch when
// the record could not hold another step's spikes (device_clock::paused),
// so that no step's spikes are ever lost. One thread, the last block of the
// step's closing kernel (close_step_if_last).
__device__ inline void end_step(const step_buffers& b) {
  device_clock& k = *b.clock;
  // The counts other blocks raised by atomics during the step: read past
  // this SM's L1, which may hold the clock's line from the step's start.
  const std::uint32_t nspikes = *static_cast<volatile std::uint32_t*>(&k.nspikes);
  const std::uint32_t nkept = *static_cast<volatile std::uint32_t*>(&k.nkept);
  if (b.history_rows) b.history_count[k.step % b.history_rows] = nspikes < b.spike_capacity ? nspikes : b.spike_capacity;
  const std::uint64_t n = k.nrecorded + (b.kept ? nkept : nspikes);
  if (n > b.record_capacity) k.overflow = 1;
  if (n + b.record_step > b.record_capacity) k.paused = 1;
  k.nrecorded = n;
  k.nspikes = 0;
  k.nkept = 0;
  k.step += 1;
}

// The last block of the step's closing kernel (propagate, or the step's last
// fused producer) to finish closes the step: end_step, or, where the batch
// was paused when the kernel began (`skipped`), marks the step not taken for
// the kernels after it (paused = 2). Every thread of the grid must call it,
// after its last read of the clock: no block reads the clock after the change.
__device__ inline void close_step_if_last(const step_buffers& b, bool skipped) {
  __syncthreads();
  if (threadIdx.x == 0) {
    __threadfence();
    if (atomicAdd(&b.clock->blocks_done, 1u) == gridDim.x - 1) {
      __threadfence();  // every other block's writes before this one's reads
      if (skipped) b.clock->paused = 2;
      else end_step(b);
      b.clock->blocks_done = 0;
    }
  }
}

// Entry i of the step's spikes: into the history's row and, if its source
// is kept (step_buffers::kept), the batch's record — at entry i of the
// step's, or, where only some sources are kept, at the next of the step's
// kept entries (propagate writes it for every listed spike; a fused producer
// for each of its own).
__device__ __forceinline__ void record_spike(const step_buffers& b, std::uint32_t i, std::uint32_t gid,
                                             std::int64_t step) {
  if (b.history_rows) b.history[(step % b.history_rows) * b.spike_capacity + i] = gid;
  std::uint32_t j = i;
  if (b.kept) {
    if (!((b.kept[gid >> 5] >> (gid & 31u)) & 1u)) return;
    j = atomicAdd(&b.clock->nkept, 1u);
  }
  const std::uint64_t at = b.clock->nrecorded + j;
  if (at < b.record_capacity) b.record[b.clock->record_offset + at] = {step + 1, gid, 0};
}

// Connection c of a spike of `step` arrives after d steps: its weight (its
// own, or its class's) into the ring row of step + 1 + d (next:
// arrival_row(step, 0)), by an integer atomic — 64-bit, or 32-bit at the
// target's scale — and where the pulse of a pulse receptor closes; onto a
// kinetic receptor, its release. The weight as image::weight_at reads it
// (the same branches for every thread).
template <class T, class M>
__device__ __forceinline__ void arrive(const connection_view<T>& conns, const step_buffers& b, std::uint64_t c,
                                       std::uint32_t d, std::uint64_t next, std::int64_t step) {
  const T weight = conns.cls ? conns.class_weight[conns.cls[c]] : conns.weight[c];
  const std::uint64_t slot = core::arrival_row_after(next, d, b.ring_depth);
  const std::uint32_t t = conns.target[c];
  if (conns.kinetic.release && conns.kinetic.release[t]) {  // a kinetic receptor: the connection's release
    release_onto<M>(conns.kinetic, b, conns.release_state[c], t, weight, step + 1 + static_cast<std::int64_t>(d));
    return;
  }
  // A pulse receptor also adds where the arrival's pulse closes.
  const bool pulse = b.pulse && b.pulse[t];
  const std::uint64_t closes = pulse ? core::pulse_end_row(step, d, b.pulse[t], b.ring_depth) : 0;
  if (b.ring32) {  // the 32-bit ring, at the target's scale (the same branch for every thread)
    const std::int32_t w = core::to_fixed32(weight, b.ring_scale[t]);
    atomicAdd(b.ring32 + slot * b.ntargets + t, w);
    if (pulse) atomicAdd(b.pulse_ring32 + closes * b.ntargets + t, w);
  } else {
    const std::int64_t w = core::to_fixed(weight);
    atomicAdd(reinterpret_cast<unsigned long long*>(b.ring + slot * b.ntargets + t), static_cast<unsigned long long>(w));
    if (pulse)
      atomicAdd(reinterpret_cast<unsigned long long*>(b.pulse_ring + closes * b.ntargets + t),
                static_cast<unsigned long long>(w));
  }
}

// A warp walks source gid's CSR row, lane by lane (coalesced reads). Each
// connection's delay as image::delay_at reads it (by class, 16 or 32 bits),
// or, where the delays are kept by run, its run's: each lane follows the
// runs its connections fall in (core::run_cursor: a row's runs are in
// order, and a lane's connections ascend), so the warp stays whole across a
// run's end.
template <class T, class M>
__device__ __forceinline__ void walk_row(const connection_view<T>& conns, const step_buffers& b, std::uint32_t gid,
                                         std::uint32_t lane, std::uint64_t next, std::int64_t step) {
  const std::uint64_t first = conns.row[gid], end = conns.row[gid + 1];
  if (conns.run_row) {  // offsets in the row: fewer than 2^32 connections (order_static_rows)
    const auto n = static_cast<std::uint32_t>(end - first);
    // Fewer than 2^32 runs (order_static_rows).
    core::run_cursor runs{conns.run_end, conns.run_delay, static_cast<std::uint32_t>(conns.run_row[gid])};
    for (std::uint32_t o = lane; o < n; o += 32) arrive<T, M>(conns, b, first + o, runs.delay_at(o), next, step);
    return;
  }
  for (std::uint64_t c = first + lane; c < end; c += 32) {
    const std::uint32_t d = conns.class_delay ? conns.class_delay[conns.cls[c]]
                            : conns.delay16   ? conns.delay16[c]
                                              : conns.delay[c];
    arrive<T, M>(conns, b, c, d, next, step);
  }
}

}  // namespace ranvier::kernels::detail

#define RANVIER_CUDA_STATUS(expr) ::ranvier::kernels::detail::make_status((expr), __FILE__, __LINE__)
#define RANVIER_LAUNCH(...) ::ranvier::kernels::detail::launch(__FILE__, __LINE__, __VA_ARGS__)
