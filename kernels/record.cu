// Stage 5 on the GPU: sampling traces into device buffers that the host
// fetches once per batch (closing a step is propagate's last block's, in
// propagate.cu).
#include "core/plasticity/plastic.hpp"
#include "kernels/launch.cuh"

namespace ranvier::kernels {
namespace detail {

template <class T>
__global__ void sample_kernel(const sample_view<T> s, const step_buffers b) {
  if (step_skipped(b)) return;
  const std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  const std::int64_t step = b.clock->step;
  if (i >= s.ncols || step % s.every != 0) return;
  const std::int64_t row = step / s.every - b.clock->batch_first_step / s.every - 1;
  if (row < 0 || static_cast<std::uint64_t>(row) >= s.capacity_rows) return;
  s.out[static_cast<std::uint64_t>(row) * s.ncols + i] =
      s.synapses ? (s.field == core::connection_field::weight ? core::reported_weight(s.synapses, s.elig, s.mod, s.stdp, s.index[i])
                                                              : core::connection_value(s.terminal, s.terminals, s.cleft, s.clefts, s.field, s.index[i], step))
      : s.kind == 0 ? s.array[s.index[i]]
                  : core::receptor_value(s.receptor, s.index[i], s.v[s.v_index[i]], static_cast<core::receptor_field>(s.kind));
}

template <class T>
__global__ void weight_histogram_kernel(const sample_view<T> s, const step_buffers b) {
  if (step_skipped(b)) return;
  const std::uint64_t c = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const std::int64_t step = b.clock->step;
  if (c >= s.n || step % s.every != 0) return;
  const std::int64_t row = step / s.every - b.clock->batch_first_step / s.every - 1;
  if (row < 0 || static_cast<std::uint64_t>(row) >= s.capacity_rows) return;
  atomicAdd(s.counts + static_cast<std::uint64_t>(row) * s.ncols + core::weight_bin(core::reported_weight(s.synapses, s.elig, s.mod, s.stdp, c), s.lo, s.scale, s.ncols), 1u);
}

}  // namespace detail

template <class T>
status launch_sample(const sample_view<T>& sample, const step_buffers& buffers, void* stream) {
  constexpr unsigned block = 256;
  return RANVIER_LAUNCH(detail::sample_kernel<T>, dim3(detail::blocks_for(sample.ncols, block)), dim3(block), stream,
                        sample, buffers);
}

template <class T>
status launch_weight_histogram(const sample_view<T>& sample, const step_buffers& buffers, void* stream) {
  constexpr unsigned block = 256;
  return RANVIER_LAUNCH(detail::weight_histogram_kernel<T>, dim3(detail::blocks_for(sample.n, block)), dim3(block),
                        stream, sample, buffers);
}

template status launch_weight_histogram<float>(const sample_view<float>&, const step_buffers&, void*);
template status launch_weight_histogram<double>(const sample_view<double>&, const step_buffers&, void*);
template status launch_sample<float>(const sample_view<float>&, const step_buffers&, void*);
template status launch_sample<double>(const sample_view<double>&, const step_buffers&, void*);

}  // namespace ranvier::kernels
