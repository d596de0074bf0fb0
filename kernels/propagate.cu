// Stage 3 on the GPU: one warp per spike walks the source's CSR row, its lanes
// taking consecutive connections (coalesced reads of target, weight or class,
// delay), and adds each weight into the ring with an integer atomic (64-bit,
// or 32-bit at the target's scale). Integer
// addition commutes, so the sums are exact and independent of scheduling.
// The grid is fixed and strides over the step's spikes, whose count it reads
// from device memory: no host round trip, and the launch can live in a graph.
// Its last block closes the step.
#include "kernels/launch.cuh"

namespace ranvier::kernels {
namespace detail {

// Held at 48 registers by its bounds (five blocks of 256 an SM: 62.5 %
// occupancy), with no spill (perf/kernel_registers); 48 to 52 without.
template <class T, class M>
__global__ void __launch_bounds__(256, 5) propagate_kernel(const connection_view<T> conns, const step_buffers b) {
  // A paused batch: the step is not taken; the last block says so to the
  // kernels after this one.
  const bool skipped = paused(b);
  if (!skipped) {
    const auto [lane, warp, nwarps] = warp_slot::here();
    const std::uint32_t n = b.clock->nspikes < b.spike_capacity ? b.clock->nspikes : b.spike_capacity;
    const std::int64_t step = b.clock->step;
    const std::uint64_t next = core::arrival_row(step, 0, b.ring_depth);
    for (std::uint32_t i = warp; i < n; i += nwarps) {
      const std::uint32_t gid = b.spikes[i];
      if (lane == 0) record_spike(b, i, gid, step);
      walk_row<T, M>(conns, b, gid, lane, next, step);
    }
  }
  // The last block to finish closes the step (one launch fewer a step than
  // a kernel of its own). Every thread has read the clock above.
  close_step_if_last(b, skipped);
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
