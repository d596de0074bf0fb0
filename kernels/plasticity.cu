// Stage 4 on the GPU: the plastic rules' events at the step's start, thin
// parallel loops around core/plasticity/plastic.hpp. Arrivals: one warp per
// (delay, spike) of the history, its lanes over the source's connections of
// that delay; postsynaptic events: one warp per spiking postsynaptic cell,
// its lanes over the cell's incoming connections. A connection is touched
// at most once per kernel by one thread (a source given twice in a step:
// twice by the same thread, kernels/launch.cuh's repeats_in_row), so no two
// threads write one weight or trace;
// weights reach the ring by 64-bit integer atomics, exact in any order.
#include "core/plasticity/plastic.hpp"
#include "kernels/launch.cuh"

namespace ranvier::kernels {
namespace detail {

// f(c) for every connection c of P reached at `step` by a spike of the
// history through its delay d plus `lag` steps: one warp per (delay,
// spike), its lanes over the source's connections of that delay.
template <class T, class F>
__device__ void for_each_arrival(const core::plastic_view<T>& P, const step_buffers& b, std::int64_t step,
                                 std::uint32_t lag, F&& f) {
  const auto [lane, warp, nwarps] = warp_slot::here();
  for (std::uint32_t d = P.dmin; d <= P.dmax; ++d) {
    const std::int64_t s = step - 1 - static_cast<std::int64_t>(d) - static_cast<std::int64_t>(lag);
    if (s < 0) continue;
    const std::uint32_t r = static_cast<std::uint32_t>(s % b.history_rows);
    const std::uint32_t n = b.history_count[r];
    const std::uint32_t* spikes = b.history + static_cast<std::size_t>(r) * b.spike_capacity;
    for (std::uint32_t i = warp; i < n; i += nwarps) {
      std::uint64_t lo, hi;
      core::delay_range(P, spikes[i], d, lo, hi);
      // A source given twice in the step: its arrivals one after the other, by this warp.
      const std::uint32_t times = repeats_in_row(spikes, n, i, spikes[i], b.repeat_gid_lo);
      for (std::uint32_t k = 0; k < times; ++k) {
        for (std::uint64_t c = lo + lane; c < hi; c += 32) f(c);
        __syncwarp();
      }
    }
  }
}

template <class T, class M>
__global__ void plastic_arrivals_kernel(const core::plastic_view<T> P, const kinetic_targets<T> K, const step_buffers b) {
  if (paused(b)) return;
  const std::int64_t step = b.clock->step;
  std::int64_t* row = b.ring + static_cast<std::size_t>(step % b.ring_depth) * b.ntargets;
  const core::stdp_clock<T> clock = core::plastic_clock<M>(P, step);
  for_each_arrival(P, b, step, 0, [&](std::uint64_t c) {
    const std::uint32_t t = P.target[c];
    const core::arrival<T> a = core::plastic_arrival<M>(P, clock, c, step);
    if (!a.released) return;
    if (K.release && K.release[t]) {  // a kinetic receptor: the connection's release
      release_onto<M>(K, b, P.release[c], t, a.w, step);
      return;
    }
    const std::int64_t w = core::to_fixed(a.w);
    atomicAdd(reinterpret_cast<unsigned long long*>(row + t), static_cast<unsigned long long>(w));
    if (b.pulse && b.pulse[t]) {  // the pulse closes b.pulse[t] steps after this one
      std::int64_t* end = b.pulse_ring + static_cast<std::size_t>((step + b.pulse[t]) % b.ring_depth) * b.ntargets + t;
      atomicAdd(reinterpret_cast<unsigned long long*>(end), static_cast<unsigned long long>(w));
    }
  });
}

// The calcium rule's late presynaptic transients (D = P.ca.lag steps after
// the arrivals), before the step's arrivals: like the arrivals, without
// delivery.
template <class T, class M>
__global__ void plastic_late_pre_kernel(const core::plastic_view<T> P, const step_buffers b) {
  if (paused(b)) return;
  const std::int64_t step = b.clock->step;
  for_each_arrival(P, b, step, P.ca.lag, [&](std::uint64_t c) { core::plastic_late_pre<M>(P, c, step); });
}

template <class T, class M>
__global__ void plastic_post_kernel(const core::plastic_view<T> P, const step_buffers b) {
  if (paused(b)) return;
  const auto [lane, warp, nwarps] = warp_slot::here();
  const std::int64_t step = b.clock->step;
  const std::int64_t s = step - 1 - static_cast<std::int64_t>(P.post_delay);
  if (s < 0) return;
  const std::uint32_t r = static_cast<std::uint32_t>(s % b.history_rows);
  const std::uint32_t n = b.history_count[r];
  const core::stdp_clock<T> clock = core::plastic_clock<M>(P, step);
  for (std::uint32_t i = warp; i < n; i += nwarps) {
    const std::uint32_t gid = b.history[static_cast<std::size_t>(r) * b.spike_capacity + i];
    if (gid < P.post_gid_base || gid - P.post_gid_base >= P.npost) continue;
    const std::uint32_t j = gid - P.post_gid_base;
    if (core::plastic_post_touches_connections(P))
      for (std::uint64_t k = P.in_row[j] + lane; k < P.in_row[j + 1]; k += 32)
        core::plastic_post_connection<M>(P, clock, P.in_conn[k], step);
    __syncwarp();
    if (lane == 0) core::plastic_post_cell<M>(P, clock, j, step);
  }
}

// STDP: at the first step of a block, every trace onto the new reference
// (one thread per connection, then per postsynaptic cell), before the
// step's arrivals.
template <class T, class M>
__global__ void plastic_rebase_kernel(const core::plastic_view<T> P, std::uint64_t n, const step_buffers b) {
  if (paused(b)) return;
  const std::int64_t step = b.clock->step;
  if (!core::plastic_rebases_at(P, step)) return;
  const core::rebase_factors<T> f = core::plastic_rebase_factors<M>(P);
  const std::uint64_t stride = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
  const std::uint64_t first = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  for (std::uint64_t c = first; c < n; c += stride) core::plastic_rebase_connection(P, c, f);
  for (std::uint64_t j = first; j < P.npost; j += stride) core::plastic_rebase_cell(P, static_cast<std::uint32_t>(j), f.minus);
}

// Modulated STDP, after the step is closed (clock->step is the next one):
// the projection's dopamine to the next step's start, from the modulator's
// spikes of the step just closed — counted by one block (an integer sum,
// the same in any order), then advanced by its thread 0.
template <class T, class M>
__global__ void plastic_modulate_kernel(const core::plastic_view<T> P, const step_buffers b) {
  if (step_skipped(b)) return;
  __shared__ unsigned int count;
  const std::int64_t now = b.clock->step;
  if (threadIdx.x == 0) count = 0;
  __syncthreads();
  const std::uint32_t r = static_cast<std::uint32_t>((now - 1) % b.history_rows);
  const std::uint32_t n = b.history_count[r];
  unsigned int mine = 0;
  for (std::uint32_t i = threadIdx.x; i < n; i += blockDim.x)
    mine += core::is_modulator(P, b.history[static_cast<std::size_t>(r) * b.spike_capacity + i]) ? 1u : 0u;
  if (mine) atomicAdd(&count, mine);
  __syncthreads();
  if (threadIdx.x == 0) core::plastic_modulate<M>(P, *P.mod_state, now, count);
}

// Clefts: one thread per connection (after all of the step's learning).
template <class T>
__global__ void plastic_clefts_kernel(const core::plastic_view<T> P, std::uint64_t n, const step_buffers b) {
  if (paused(b)) return;
  const std::int64_t step = b.clock->step;
  std::int64_t* row = b.ring + static_cast<std::size_t>(step % b.ring_depth) * b.ntargets;
  for (std::uint64_t c = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < n;
       c += static_cast<std::uint64_t>(gridDim.x) * blockDim.x) {
    const T g = core::plastic_cleft_step(P, c);
    if (g != T(0))
      atomicAdd(reinterpret_cast<unsigned long long*>(row + P.target[c]),
                static_cast<unsigned long long>(core::to_fixed(g)));
  }
}

// Hebbian: the sources' rates from the previous step's spikes (one thread
// per spike), then, on a learning step, every connection (one thread each).
template <class T, class M>
__global__ void plastic_pre_rates_kernel(const core::plastic_view<T> P, const step_buffers b) {
  if (paused(b)) return;
  const std::int64_t step = b.clock->step;
  if (step < 1) return;
  const std::uint32_t r = static_cast<std::uint32_t>((step - 1) % b.history_rows);
  const std::uint32_t n = b.history_count[r];
  const std::uint32_t* spikes = b.history + static_cast<std::size_t>(r) * b.spike_capacity;
  for (std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const std::uint32_t times = repeats_in_row(spikes, n, i, spikes[i], b.repeat_gid_lo);  // one thread per source
    for (std::uint32_t k = 0; k < times; ++k) core::plastic_pre_cell<M>(P, spikes[i], step);
  }
}

// BCM, on a learning step, before the connections: one thread per
// postsynaptic cell's threshold.
template <class T, class M>
__global__ void plastic_learn_cell_kernel(const core::plastic_view<T> P, const step_buffers b) {
  if (paused(b)) return;
  const std::int64_t step = b.clock->step;
  if (!core::learns_at(P, step)) return;
  for (std::uint32_t j = blockIdx.x * blockDim.x + threadIdx.x; j < P.npost; j += gridDim.x * blockDim.x)
    core::plastic_learn_cell<M>(P, j, step);
}

template <class T, class M>
__global__ void plastic_learn_kernel(const core::plastic_view<T> P, const std::uint32_t* source_of, std::uint64_t n,
                                     const step_buffers b) {
  if (paused(b)) return;
  const std::int64_t step = b.clock->step;
  if (!core::learns_at(P, step)) return;
  for (std::uint64_t c = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < n;
       c += static_cast<std::uint64_t>(gridDim.x) * blockDim.x)
    core::plastic_learn<M>(P, c, source_of[c], step);
}

}  // namespace detail

template <class T, class M>
status launch_plastic_arrivals(const core::plastic_view<T>& view, const kinetic_targets<T>& kinetic,
                               const step_buffers& buffers, int grid_blocks, void* stream) {
  if (view.rule == core::plastic_rule::calcium && view.ca.lag > 0) {
    const status s =
        RANVIER_LAUNCH(detail::plastic_late_pre_kernel<T, M>, dim3(grid_blocks), dim3(256), stream, view, buffers);
    if (!s.ok()) return s;
  }
  return RANVIER_LAUNCH(detail::plastic_arrivals_kernel<T, M>, dim3(grid_blocks), dim3(256), stream, view, kinetic,
                        buffers);
}

template <class T, class M>
status launch_plastic_rebase(const core::plastic_view<T>& view, std::uint64_t n, const step_buffers& buffers,
                             int grid_blocks, void* stream) {
  return RANVIER_LAUNCH(detail::plastic_rebase_kernel<T, M>, dim3(grid_blocks), dim3(256), stream, view, n, buffers);
}

template <class T, class M>
status launch_plastic_post(const core::plastic_view<T>& view, const step_buffers& buffers, int grid_blocks,
                           void* stream) {
  return RANVIER_LAUNCH(detail::plastic_post_kernel<T, M>, dim3(grid_blocks), dim3(256), stream, view, buffers);
}

template <class T>
status launch_plastic_clefts(const core::plastic_view<T>& view, std::uint64_t n, const step_buffers& buffers,
                             int grid_blocks, void* stream) {
  return RANVIER_LAUNCH(detail::plastic_clefts_kernel<T>, dim3(grid_blocks), dim3(256), stream, view, n, buffers);
}
template status launch_plastic_clefts<float>(const core::plastic_view<float>&, std::uint64_t, const step_buffers&, int,
                                             void*);
template status launch_plastic_clefts<double>(const core::plastic_view<double>&, std::uint64_t, const step_buffers&,
                                              int, void*);

template <class T, class M>
status launch_plastic_modulate(const core::plastic_view<T>& view, const step_buffers& buffers, void* stream) {
  return RANVIER_LAUNCH(detail::plastic_modulate_kernel<T, M>, dim3(1), dim3(256), stream, view, buffers);
}

template <class T, class M>
status launch_plastic_hebbian(const core::plastic_view<T>& view, const std::uint32_t* source_of, std::uint64_t n,
                              const step_buffers& buffers, int grid_blocks, void* stream) {
  const status s =
      RANVIER_LAUNCH(detail::plastic_pre_rates_kernel<T, M>, dim3(grid_blocks), dim3(256), stream, view, buffers);
  if (!s.ok()) return s;
  if (view.theta) {
    const status c =
        RANVIER_LAUNCH(detail::plastic_learn_cell_kernel<T, M>, dim3(grid_blocks), dim3(256), stream, view, buffers);
    if (!c.ok()) return c;
  }
  return RANVIER_LAUNCH(detail::plastic_learn_kernel<T, M>, dim3(grid_blocks), dim3(256), stream, view, source_of, n,
                        buffers);
}

#define RANVIER_INSTANTIATE(T, M)                                                                               \
  template status launch_plastic_arrivals<T, M>(const core::plastic_view<T>&, const kinetic_targets<T>&,         \
                                                const step_buffers&, int, void*);                              \
  template status launch_plastic_rebase<T, M>(const core::plastic_view<T>&, std::uint64_t, const step_buffers&, int, \
                                              void*);                                                         \
  template status launch_plastic_post<T, M>(const core::plastic_view<T>&, const step_buffers&, int, void*);       \
  template status launch_plastic_modulate<T, M>(const core::plastic_view<T>&, const step_buffers&, void*);       \
  template status launch_plastic_hebbian<T, M>(const core::plastic_view<T>&, const std::uint32_t*, std::uint64_t, \
                                               const step_buffers&, int, void*);
RANVIER_INSTANTIATE(float, core::deterministic_math)
RANVIER_INSTANTIATE(double, core::deterministic_math)
RANVIER_INSTANTIATE(float, core::fast_math)
RANVIER_INSTANTIATE(double, core::fast_math)
#undef RANVIER_INSTANTIATE

}  // namespace ranvier::kernels
