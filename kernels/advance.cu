// Stages 1 and 2 on the GPU: thin parallel loops around core::point_step and
// core::cable_step (one thread per cell, W = 1 lanes), the gap-junction
// gather, and the spike sources (core::poisson_fires, given times). The step's
// arithmetic is core's, unchanged, which is why it matches the CPU engine.
#include <utility>

#include "kernels/launch.cuh"

namespace ranvier::kernels {
namespace detail {

// The list is sized for the most spikes a step can have (one a source, more
// where given times repeat within a step); the guard only keeps a mistake in
// that bound from writing past it, and the host then stops with an error.
__device__ __forceinline__ void append_spike(const step_buffers& b, std::uint32_t gid) {
  const std::uint32_t i = atomicAdd(&b.clock->nspikes, 1u);
  if (i < b.spike_capacity) b.spikes[i] = gid;
  else b.clock->overflow = 1;
}

// The rows of this step in the rings.
__device__ __forceinline__ core::step_ctx step_ctx_of(const step_buffers& b, std::int64_t step) {
  const std::size_t row = static_cast<std::size_t>(step % b.ring_depth) * b.ntargets;
  if (b.ring32) return {step, nullptr, nullptr, nullptr, b.ring32 + row, b.pulse_ring32 ? b.pulse_ring32 + row : nullptr};
  return {step, b.ring + row, b.pulse_ring ? b.pulse_ring + row : nullptr,
          b.transfer_ring ? b.transfer_ring + row : nullptr};
}

// A point group of one kind K: the neuron model at index K of
// core::neuron_models, or (K = −1) a membrane of mechanisms. A kernel per
// kind, chosen on the host, holds only its kind's registers (a LIF group's
// kernel is not sized for HH's rates) — the same core functions as
// core::point_step's run-time dispatch, so the same arithmetic.
template <class T, class M, int K>
__global__ void point_step_kernel(const core::point_group_view<T> group, const step_buffers b) {
  const std::uint32_t c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= group.c.ncells || paused(b)) return;
  const std::int64_t step = b.clock->step;
  const core::step_ctx ctx = step_ctx_of(b, step);
  core::lanes<T, 1> lanes;
  lanes.first = c;
  const auto sink = [&b](std::uint32_t gid) { append_spike(b, gid); };
  if constexpr (K < 0)
    core::membrane_point_step<M>(group, ctx, lanes, sink);
  else
    core::model_step<typename core::type_at<K, core::neuron_models>::type, M>(group, ctx, lanes, sink);
}

template <class T, class M, int K>
status launch_point_kind(const core::point_group_view<T>& group, const step_buffers& buffers, void* stream) {
  constexpr unsigned block = 128;
  return RANVIER_LAUNCH(point_step_kernel<T, M, K>, dim3(blocks_for(group.c.ncells, block)), dim3(block), stream, group,
                        buffers);
}

template <class T, class M>
__global__ void cable_step_kernel(const core::cable_group_view<T> group, const core::cable_scratch<T> scratch,
                                  const step_buffers b) {
  if (paused(b)) return;
  const std::uint32_t c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= group.c.ncells) return;
  const std::int64_t step = b.clock->step;
  const core::step_ctx ctx = step_ctx_of(b, step);
  core::cable_scratch<T> s = scratch;
  s.base = c;
  core::cable_step<M, T, 1>(group, ctx, c, 1, s, [&b](std::uint32_t gid) { append_spike(b, gid); });
}

template <class T>
__global__ void gap_gather_kernel(T* const* group_v, const std::uint32_t* partner_group,
                                  const std::uint64_t* partner_index, T* v_partner, std::uint64_t n) {
  const std::uint64_t h = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (h < n) core::gap_gather(group_v, partner_group, partner_index, v_partner, h);
}

__global__ void spike_times_kernel(const core::spike_times_view src, const step_buffers b) {
  if (paused(b)) return;
  const std::int64_t step = b.clock->step;
  const std::uint64_t lo = core::first_event(src, step), hi = core::first_event(src, step + 1);
  for (std::uint64_t e = lo + threadIdx.x; e < hi; e += blockDim.x) {
    atomicAdd(&src.spike_count[src.cell[e]], 1u);
    append_spike(b, src.gid_base + src.cell[e]);
  }
}

__global__ void poisson_kernel(const core::poisson_view gen, const step_buffers b) {
  if (paused(b)) return;
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
  if (group.model < 0) return detail::launch_point_kind<T, M, -1>(group, buffers, stream);
  // cudaErrorInvalidValue (1) where the model is none of core::neuron_models.
  status s{1, "cudaErrorInvalidValue", "launch_point_step: a neuron model index beyond core::neuron_models", __FILE__,
           __LINE__};
  [&]<int... K>(std::integer_sequence<int, K...>) {
    (void)((group.model == K ? (s = detail::launch_point_kind<T, M, K>(group, buffers, stream), true) : false) || ...);
  }(std::make_integer_sequence<int, core::neuron_models::size>{});
  return s;
}

template <class T, class M>
status launch_cable_step(const core::cable_group_view<T>& group, const core::cable_scratch<T>& scratch,
                         const step_buffers& buffers, void* stream) {
  constexpr unsigned block = 64;  // one cell a thread: few cells per group is common, so small blocks
  return RANVIER_LAUNCH(detail::cable_step_kernel<T, M>, dim3(detail::blocks_for(group.c.ncells, block)),
                        dim3(block), stream, group, scratch, buffers);
}

template <class T>
status launch_gap_gather(T* const* group_v, const std::uint32_t* partner_group, const std::uint64_t* partner_index,
                         T* v_partner, std::uint64_t n, void* stream) {
  constexpr unsigned block = 256;
  return RANVIER_LAUNCH(detail::gap_gather_kernel<T>, dim3(detail::blocks_for(n, block)), dim3(block), stream,
                        group_v, partner_group, partner_index, v_partner, n);
}

status launch_spike_times(const core::spike_times_view& src, const step_buffers& buffers, void* stream) {
  return RANVIER_LAUNCH(detail::spike_times_kernel, dim3(1), dim3(256), stream, src, buffers);
}

status launch_poisson(const core::poisson_view& gen, const step_buffers& buffers, void* stream) {
  constexpr unsigned block = 256;
  return RANVIER_LAUNCH(detail::poisson_kernel, dim3(detail::blocks_for(gen.ncells, block)), dim3(block), stream,
                        gen, buffers);
}

#define RANVIER_INSTANTIATE(T, M)                                                                               \
  template status launch_point_step<T, M>(const core::point_group_view<T>&, const step_buffers&, void*);          \
  template status launch_cable_step<T, M>(const core::cable_group_view<T>&, const core::cable_scratch<T>&,         \
                                          const step_buffers&, void*);
RANVIER_INSTANTIATE(float, core::deterministic_math)
RANVIER_INSTANTIATE(double, core::deterministic_math)
RANVIER_INSTANTIATE(float, core::fast_math)
RANVIER_INSTANTIATE(double, core::fast_math)
#undef RANVIER_INSTANTIATE
template status launch_gap_gather<float>(float* const*, const std::uint32_t*, const std::uint64_t*, float*,
                                         std::uint64_t, void*);
template status launch_gap_gather<double>(double* const*, const std::uint32_t*, const std::uint64_t*, double*,
                                          std::uint64_t, void*);

}  // namespace ranvier::kernels
