// Device queries, memory, streams and graphs behind the plain interface of
// kernels.hpp, so that host/ never includes a CUDA header.
#include <cstring>

#include "kernels/launch.cuh"

namespace ranvier::kernels {

bool built_with_cuda() { return true; }

status device_count(int* n) {
  *n = 0;
  const cudaError_t e = cudaGetDeviceCount(n);
  if (e != cudaSuccess) *n = 0;
  return RANVIER_CUDA_STATUS(e);
}

status get_device_info(int device, device_info* info) {
  cudaDeviceProp p{};
  if (auto s = RANVIER_CUDA_STATUS(cudaGetDeviceProperties(&p, device)); !s.ok()) return s;
  std::strncpy(info->name, p.name, sizeof(info->name) - 1);
  info->major = p.major;
  info->minor = p.minor;
  info->multiprocessors = p.multiProcessorCount;
  info->global_memory = p.totalGlobalMem;
  int clock_khz = 0, bus_bits = 0;
  if (auto s = RANVIER_CUDA_STATUS(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrMemoryClockRate, device)); !s.ok())
    return s;
  if (auto s = RANVIER_CUDA_STATUS(cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, device)); !s.ok())
    return s;
  info->peak_bandwidth = 2.0 * clock_khz * 1e3 * bus_bits / 8.0;
  if (auto s = RANVIER_CUDA_STATUS(cudaSetDevice(device)); !s.ok()) return s;
  std::size_t free = 0, total = 0;
  if (auto s = RANVIER_CUDA_STATUS(cudaMemGetInfo(&free, &total)); !s.ok()) return s;
  info->free_memory = free;
  if (auto s = RANVIER_CUDA_STATUS(cudaDriverGetVersion(&info->driver_version)); !s.ok()) return s;
  return RANVIER_CUDA_STATUS(cudaRuntimeGetVersion(&info->runtime_version));
}

status device_alloc(void** p, std::size_t bytes) { return RANVIER_CUDA_STATUS(cudaMalloc(p, bytes)); }
status device_free(void* p) { return RANVIER_CUDA_STATUS(cudaFree(p)); }

status copy_to_device(void* dst, const void* src, std::size_t bytes, void* stream) {
  return RANVIER_CUDA_STATUS(
      cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, static_cast<cudaStream_t>(stream)));
}
status copy_to_host(void* dst, const void* src, std::size_t bytes, void* stream) {
  return RANVIER_CUDA_STATUS(
      cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, static_cast<cudaStream_t>(stream)));
}
status copy_on_device(void* dst, const void* src, std::size_t bytes, void* stream) {
  return RANVIER_CUDA_STATUS(
      cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, static_cast<cudaStream_t>(stream)));
}
status device_memset(void* p, int value, std::size_t bytes, void* stream) {
  return RANVIER_CUDA_STATUS(cudaMemsetAsync(p, value, bytes, static_cast<cudaStream_t>(stream)));
}

status stream_create(void** stream) {
  cudaStream_t s = nullptr;
  const cudaError_t e = cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
  *stream = s;
  return RANVIER_CUDA_STATUS(e);
}
status stream_destroy(void* stream) { return RANVIER_CUDA_STATUS(cudaStreamDestroy(static_cast<cudaStream_t>(stream))); }
status stream_sync(void* stream) { return RANVIER_CUDA_STATUS(cudaStreamSynchronize(static_cast<cudaStream_t>(stream))); }

status host_alloc_mapped(void** host, void** device, std::size_t bytes) {
  *host = *device = nullptr;
  if (auto s = RANVIER_CUDA_STATUS(cudaHostAlloc(host, bytes, cudaHostAllocMapped)); !s.ok()) return s;
  return RANVIER_CUDA_STATUS(cudaHostGetDevicePointer(device, *host, 0));
}
status host_free(void* host) { return RANVIER_CUDA_STATUS(cudaFreeHost(host)); }
status event_create(void** event) {
  cudaEvent_t e = nullptr;
  const cudaError_t r = cudaEventCreateWithFlags(&e, cudaEventDisableTiming);
  *event = e;
  return RANVIER_CUDA_STATUS(r);
}
status event_destroy(void* event) { return RANVIER_CUDA_STATUS(cudaEventDestroy(static_cast<cudaEvent_t>(event))); }
status event_record(void* event, void* stream) {
  return RANVIER_CUDA_STATUS(cudaEventRecord(static_cast<cudaEvent_t>(event), static_cast<cudaStream_t>(stream)));
}
status event_sync(void* event) { return RANVIER_CUDA_STATUS(cudaEventSynchronize(static_cast<cudaEvent_t>(event))); }

status graph_begin_capture(void* stream) {
  return RANVIER_CUDA_STATUS(
      cudaStreamBeginCapture(static_cast<cudaStream_t>(stream), cudaStreamCaptureModeThreadLocal));
}
status graph_end_capture(void* stream, void** graph_exec) {
  cudaGraph_t graph = nullptr;
  if (auto s = RANVIER_CUDA_STATUS(cudaStreamEndCapture(static_cast<cudaStream_t>(stream), &graph)); !s.ok())
    return s;
  cudaGraphExec_t exec = nullptr;
  const cudaError_t e = cudaGraphInstantiate(&exec, graph, 0);
  cudaGraphDestroy(graph);
  *graph_exec = exec;
  return RANVIER_CUDA_STATUS(e);
}
status graph_launch(void* graph_exec, void* stream) {
  return RANVIER_CUDA_STATUS(
      cudaGraphLaunch(static_cast<cudaGraphExec_t>(graph_exec), static_cast<cudaStream_t>(stream)));
}
status graph_destroy(void* graph_exec) {
  return RANVIER_CUDA_STATUS(cudaGraphExecDestroy(static_cast<cudaGraphExec_t>(graph_exec)));
}

}  // namespace ranvier::kernels
