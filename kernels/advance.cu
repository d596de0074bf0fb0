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

// A fused producer (fused_propagation): each spike of the producer's step
// for this thread, `produce(sink)` (nothing where it has no cell), goes into
// the record and the history at once and into its block's list in shared
// memory; then the block's warps walk the listed sources' rows, one spike a
// warp in turn (walk_row), so that the block's spikes are shared among its
// warps whichever of them detected them; the step's last producer closes
// the step. Every thread of the block runs this to the end (its barriers,
// and the closing, need them all). The step is read from the clock where it
// is needed (it changes only when the step closes) rather than kept across
// the cell's step.
constexpr unsigned max_fused_block = 256;  // the largest block a fused producer is launched with

template <class T, class M, class Produce>
__device__ __forceinline__ void fused_step(const fused_propagation<T>& f, const step_buffers& b, Produce&& produce) {
  __shared__ std::uint32_t fired[max_fused_block];  // a source fires at most once a step
  __shared__ std::uint32_t nfired;
  const bool skipped = paused(b);
  if (threadIdx.x == 0) nfired = 0;
  __syncthreads();
  if (!skipped)
    produce([&](std::uint32_t g) {
      const std::uint32_t i = atomicAdd(&b.clock->nspikes, 1u);
      if (i < b.spike_capacity) {
        record_spike(b, i, g, b.clock->step);
        const std::uint32_t k = atomicAdd(&nfired, 1u);
        if (k < max_fused_block) fired[k] = g;
        else b.clock->overflow = 1;  // a cell that fired twice in a step: not meant to happen
      } else {
        b.clock->overflow = 1;  // as propagate: a spike beyond the list's capacity is not propagated
      }
    });
  __syncthreads();
  if (!skipped) {
    const std::int64_t step = b.clock->step;
    const std::uint64_t next = core::arrival_row(step, 0, b.ring_depth);
    const std::uint32_t lane = threadIdx.x & 31u, n = nfired < max_fused_block ? nfired : max_fused_block;
    for (std::uint32_t k = threadIdx.x >> 5; k < n; k += blockDim.x >> 5)
      walk_row<T, M>(f.conns, b, fired[k], lane, next, step);
  }
  if (f.closes) close_step_if_last(b, skipped);
}

// A point group of one kind K: the neuron model at index K of
// core::neuron_models, or (K = −1) a membrane of mechanisms. A kernel per
// kind, chosen on the host, holds only its kind's registers (a LIF group's
// kernel is not sized for HH's rates) — the same core functions as
// core::point_step's run-time dispatch, so the same arithmetic. Fused: the
// group's spikes propagated by the warps that detect them (fused_step).
template <class T, class M, int K>
__device__ __forceinline__ void point_cell_step(const core::point_group_view<T>& group, const step_buffers& b,
                                                std::uint32_t c, std::int64_t step, auto&& sink) {
  const core::step_ctx ctx = step_ctx_of(b, step);
  core::lanes<T, 1> lanes;
  lanes.first = c;
  if constexpr (K < 0)
    core::membrane_point_step<M>(group, ctx, lanes, sink);
  else
    core::model_step<typename core::type_at<K, core::neuron_models>::type, M>(group, ctx, lanes, sink);
}

template <class T, class M, int K>
__global__ void point_step_kernel(const core::point_group_view<T> group, const step_buffers b) {
  const std::uint32_t c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= group.c.ncells || paused(b)) return;
  point_cell_step<T, M, K>(group, b, c, b.clock->step, [&b](std::uint32_t gid) { append_spike(b, gid); });
}

template <class T, class M, int K>
__device__ __forceinline__ void point_fused(const core::point_group_view<T>& group, const step_buffers& b,
                                           const fused_propagation<T>& f) {
  const std::uint32_t c = blockIdx.x * blockDim.x + threadIdx.x;
  fused_step<T, M>(f, b, [&](auto&& sink) {
    if (c < group.c.ncells) point_cell_step<T, M, K>(group, b, c, b.clock->step, sink);
  });
}

template <class T, class M, int K>
__global__ void point_step_fused_kernel(const core::point_group_view<T> group, const step_buffers b,
                                        const fused_propagation<T> f) {
  point_fused<T, M, K>(group, b, f);
}

// The float membrane's (COBAHH's) fused kernel would take 66 registers, a
// block an SM fewer than without fusion; held at 64 (8 blocks of 128 an SM),
// it does not spill (perf/kernel_registers). The others are left to ptxas:
// a bound makes the double ones spill.
template <class T, class M, int K>
__global__ void __launch_bounds__(128, 8) point_step_fused_kernel_64(const core::point_group_view<T> group,
                                                                     const step_buffers b, const fused_propagation<T> f) {
  point_fused<T, M, K>(group, b, f);
}

template <class T, class M, int K>
status launch_point_kind(const core::point_group_view<T>& group, const step_buffers& buffers,
                         const fused_propagation<T>* fused, void* stream) {
  constexpr unsigned block = 128;
  static_assert(block <= max_fused_block);
  const dim3 grid(blocks_for(group.c.ncells, block));
  if constexpr (sizeof(T) == 4 && K < 0) {
    if (fused)
      return RANVIER_LAUNCH(point_step_fused_kernel_64<T, M, K>, grid, dim3(block), stream, group, buffers, *fused);
  } else {
    if (fused)
      return RANVIER_LAUNCH(point_step_fused_kernel<T, M, K>, grid, dim3(block), stream, group, buffers, *fused);
  }
  return RANVIER_LAUNCH(point_step_kernel<T, M, K>, grid, dim3(block), stream, group, buffers);
}

template <class T, class M, bool Fused>
__global__ void cable_step_kernel(const core::cable_group_view<T> group, const core::cable_scratch<T> scratch,
                                  const step_buffers b, const fused_propagation<T> f) {
  const std::uint32_t c = blockIdx.x * blockDim.x + threadIdx.x;
  const auto cell_step = [&](auto&& sink) {
    const core::step_ctx ctx = step_ctx_of(b, b.clock->step);
    core::cable_scratch<T> s = scratch;
    s.base = c;
    core::cable_step<M, T, 1>(group, ctx, c, 1, s, sink);
  };
  if constexpr (Fused) {
    fused_step<T, M>(f, b, [&](auto&& sink) {
      if (c < group.c.ncells) cell_step(sink);
    });
  } else {
    if (paused(b) || c >= group.c.ncells) return;
    cell_step([&b](std::uint32_t gid) { append_spike(b, gid); });
  }
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

template <class T, class M>
__global__ void poisson_fused_kernel(const core::poisson_view gen, const step_buffers b, const fused_propagation<T> f) {
  const std::uint32_t c = blockIdx.x * blockDim.x + threadIdx.x;
  fused_step<T, M>(f, b, [&](auto&& sink) {
    if (c < gen.ncells && core::poisson_fires(gen, c, b.clock->step)) {
      ++gen.spike_count[c];
      sink(gen.gid_base + c);
    }
  });
}

}  // namespace detail

template <class T, class M>
status launch_point_step(const core::point_group_view<T>& group, const step_buffers& buffers, void* stream,
                         const fused_propagation<T>* fused) {
  if (group.model < 0) return detail::launch_point_kind<T, M, -1>(group, buffers, fused, stream);
  // cudaErrorInvalidValue (1) where the model is none of core::neuron_models.
  status s{1, "cudaErrorInvalidValue", "launch_point_step: a neuron model index beyond core::neuron_models", __FILE__,
           __LINE__};
  [&]<int... K>(std::integer_sequence<int, K...>) {
    (void)((group.model == K ? (s = detail::launch_point_kind<T, M, K>(group, buffers, fused, stream), true) : false) ||
           ...);
  }(std::make_integer_sequence<int, core::neuron_models::size>{});
  return s;
}

template <class T, class M>
status launch_cable_step(const core::cable_group_view<T>& group, const core::cable_scratch<T>& scratch,
                         const step_buffers& buffers, void* stream, const fused_propagation<T>* fused) {
  constexpr unsigned block = 64;  // one cell a thread: few cells per group is common, so small blocks
  static_assert(block <= detail::max_fused_block);
  const dim3 grid(detail::blocks_for(group.c.ncells, block));
  if (fused)
    return RANVIER_LAUNCH(detail::cable_step_kernel<T, M, true>, grid, dim3(block), stream, group, scratch, buffers,
                          *fused);
  return RANVIER_LAUNCH(detail::cable_step_kernel<T, M, false>, grid, dim3(block), stream, group, scratch, buffers,
                        fused_propagation<T>{});
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

template <class T, class M>
status launch_poisson_fused(const core::poisson_view& gen, const step_buffers& buffers,
                            const fused_propagation<T>& fused, void* stream) {
  constexpr unsigned block = 256;
  static_assert(block <= detail::max_fused_block);
  return RANVIER_LAUNCH((detail::poisson_fused_kernel<T, M>), dim3(detail::blocks_for(gen.ncells, block)),
                        dim3(block), stream, gen, buffers, fused);
}

#define RANVIER_INSTANTIATE(T, M)                                                                               \
  template status launch_point_step<T, M>(const core::point_group_view<T>&, const step_buffers&, void*,           \
                                          const fused_propagation<T>*);                                           \
  template status launch_cable_step<T, M>(const core::cable_group_view<T>&, const core::cable_scratch<T>&,         \
                                          const step_buffers&, void*, const fused_propagation<T>*);               \
  template status launch_poisson_fused<T, M>(const core::poisson_view&, const step_buffers&,                      \
                                             const fused_propagation<T>&, void*);
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
