// Stage 3 on the GPU: one warp per spike walks the source's CSR row, its lanes
// taking consecutive connections (coalesced reads of target, weight or class,
// delay), and adds each weight into the ring with an integer atomic (64-bit,
// or 32-bit at the target's scale). Integer
// addition commutes, so the sums are exact and independent of scheduling.
// The grid is fixed and strides over the step's spikes, whose count it reads
// from device memory: no host round trip, and the launch can live in a graph.
// Its last block closes the step.
#include "core/events.hpp"
#include "core/fixed_point.hpp"
#include "kernels/launch.cuh"

namespace ranvier::kernels {
namespace detail {

// Closes the step: counts its spikes into the record (and the history's
// row), clears the spike list, advances the step; and pauses the batch when
// the record could not hold another step's spikes (device_clock::paused),
// so that no step's spikes are ever lost.
__device__ void end_step(const step_buffers& b) {
  device_clock& k = *b.clock;
  if (b.history_rows) b.history_count[k.step % b.history_rows] = k.nspikes < b.spike_capacity ? k.nspikes : b.spike_capacity;
  const std::uint64_t n = k.nrecorded + k.nspikes;
  if (n > b.record_capacity) k.overflow = 1;
  if (n + b.spike_capacity > b.record_capacity) k.paused = 1;
  k.nrecorded = n;
  k.nspikes = 0;
  k.step += 1;
}

template <class T, class M>
__global__ void propagate_kernel(const connection_view<T> conns, const step_buffers b) {
  if (paused(b)) {  // the step is not taken; the last block says so to the kernels after this one
    if (threadIdx.x == 0 && atomicAdd(&b.clock->blocks_done, 1u) == gridDim.x - 1) {
      b.clock->blocks_done = 0;
      b.clock->paused = 2;
    }
    return;
  }
  const auto [lane, warp, nwarps] = warp_slot::here();
  const std::uint32_t n = b.clock->nspikes < b.spike_capacity ? b.clock->nspikes : b.spike_capacity;
  const std::int64_t step = b.clock->step;
  const std::uint64_t base = b.clock->nrecorded, half = b.clock->record_offset;
  const std::uint64_t next = core::arrival_row(step, 0, b.ring_depth);
  for (std::uint32_t i = warp; i < n; i += nwarps) {
    const std::uint32_t gid = b.spikes[i];
    if (lane == 0 && base + i < b.record_capacity) b.record[half + base + i] = {step + 1, gid, 0};
    if (lane == 0 && b.history_rows) b.history[(step % b.history_rows) * b.spike_capacity + i] = gid;
    const std::uint64_t end = conns.row[gid + 1];
    for (std::uint64_t c = conns.row[gid] + lane; c < end; c += 32) {
      // Weight and delay as image::weight_at and delay_at read them (the
      // same branches for every thread).
      const std::uint8_t k = conns.cls ? conns.cls[c] : 0;
      const std::uint32_t d = conns.class_delay ? conns.class_delay[k] : conns.delay16 ? conns.delay16[c] : conns.delay[c];
      const T weight = conns.cls ? conns.class_weight[k] : conns.weight[c];
      const std::uint64_t slot = core::arrival_row_after(next, d, b.ring_depth);
      const std::uint32_t t = conns.target[c];
      if (conns.kinetic.release && conns.kinetic.release[t]) {  // a kinetic receptor: the connection's release
        release_onto<M>(conns.kinetic, b, conns.release_state[c], t, weight, step + 1 + static_cast<std::int64_t>(d));
        continue;
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
  }
  // The last block to finish closes the step (one launch fewer a step than
  // a kernel of its own). Every thread has read the clock above before its
  // block counts itself done, so no block reads it after the change.
  __syncthreads();
  if (threadIdx.x == 0) {
    __threadfence();
    if (atomicAdd(&b.clock->blocks_done, 1u) == gridDim.x - 1) {
      end_step(b);
      b.clock->blocks_done = 0;
    }
  }
}

}  // namespace detail

template <class T, class M>
status launch_propagate(const connection_view<T>& conns, const step_buffers& buffers, int grid_blocks, void* stream) {
  return RANVIER_LAUNCH(detail::propagate_kernel<T, M>, dim3(grid_blocks), dim3(256), stream, conns, buffers);
}

template status launch_propagate<float, core::deterministic_math>(const connection_view<float>&, const step_buffers&,
                                                                  int, void*);
template status launch_propagate<double, core::deterministic_math>(const connection_view<double>&, const step_buffers&,
                                                                   int, void*);
template status launch_propagate<float, core::fast_math>(const connection_view<float>&, const step_buffers&, int, void*);
template status launch_propagate<double, core::fast_math>(const connection_view<double>&, const step_buffers&, int,
                                                          void*);

}  // namespace ranvier::kernels
