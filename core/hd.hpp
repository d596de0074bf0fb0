// Marks the functions of core/ as callable from both engines: host code (g++)
// and device code (nvcc). One source expression per formula, compiled twice.
#pragma once

#if defined(__CUDACC__)
#define RANVIER_HD __host__ __device__ __forceinline__
#elif defined(__GNUC__)
// Forced: the CPU engine's loops over cells vectorise only if the whole step,
// exp included, is inlined into them.
#define RANVIER_HD inline __attribute__((always_inline))
#else
#define RANVIER_HD inline
#endif

#if defined(__CUDA_ARCH__)
#define RANVIER_DEVICE_PASS 1
#else
#define RANVIER_DEVICE_PASS 0
#endif
