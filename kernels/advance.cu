// Stages 1 and 2 on the GPU: a thin parallel loop around core::point_step (one
// thread per cell, W = 1 lanes) and around core::poisson_fires. The step's
// arithmetic is core's, unchanged, which is why it matches the CPU engine.
#include "kernels/launch.cuh"

namespace ranvier::kernels {
namespace detail {

__device__ __forceinline__ void append_spike(const step_buffers& b, std::uint32_t gid) {
  const std::uint32_t i = atomicAdd(&b.clock->nspikes, 1u);
  b.spikes[i] = gid;
}

template <class T, class M>
__global__ void point_step_kernel(const core::point_group_view<T> group, const step_buffers b) {
  const std::uint32_t c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= group.ncells) return;
  const std::int64_t step = b.clock->step;
  const core::step_ctx ctx{step, b.ring + static_cast<std::size_t>(step % b.ring_depth) * b.ntargets};
  core::lanes<T, 1> lanes;
  lanes.first = c;
  core::point_step<M>(group, ctx, lanes, [&b](std::uint32_t gid) { append_spike(b, gid); });
}

__global__ void poisson_kernel(const core::poisson_view gen, const step_buffers b) {
  const std::uint32_t c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= gen.ncells) return;
  if (core::poisson_fires(gen, c, b.clock->step)) {
    ++gen.spike_count[c];
    append_spike(b, gen.gid_base + c);
  }
}

}  // namespace detail

template <class T, class M>
status launch_point_step(const core::point_group_view<T>& group, const step_buffers& buffers, void* stream) {
  constexpr unsigned block = 128;
  return RANVIER_LAUNCH(detail::point_step_kernel<T, M>, dim3(detail::blocks_for(group.ncells, block)), dim3(block),
                        stream, group, buffers);
}

status launch_poisson(const core::poisson_view& gen, const step_buffers& buffers, void* stream) {
  constexpr unsigned block = 256;
  return RANVIER_LAUNCH(detail::poisson_kernel, dim3(detail::blocks_for(gen.ncells, block)), dim3(block), stream,
                        gen, buffers);
}

template status launch_point_step<float, core::deterministic_math>(const core::point_group_view<float>&,
                                                                   const step_buffers&, void*);
template status launch_point_step<double, core::deterministic_math>(const core::point_group_view<double>&,
                                                                    const step_buffers&, void*);
template status launch_point_step<float, core::fast_math>(const core::point_group_view<float>&, const step_buffers&,
                                                          void*);
template status launch_point_step<double, core::fast_math>(const core::point_group_view<double>&,
                                                           const step_buffers&, void*);

}  // namespace ranvier::kernels
