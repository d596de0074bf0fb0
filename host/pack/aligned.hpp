// Cache-line-aligned storage for the state arrays of a cell group. The CPU
// engine gives threads chunks of adjacent cells whose boundaries fall on
// cache lines; with the arrays aligned too, no two threads ever write one
// cache line (false sharing cost the 64-cell ring benchmark half its speed
// on two threads: every node row of every array had a shared line).
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace ranvier {

inline constexpr std::size_t cache_line = 64;  // [bytes]

template <class T> struct aligned_allocator {
  using value_type = T;
  aligned_allocator() = default;
  template <class U> aligned_allocator(const aligned_allocator<U>&) noexcept {}  // NOLINT: rebinding
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(cache_line)));
  }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t(cache_line)); }
  friend bool operator==(const aligned_allocator&, const aligned_allocator&) { return true; }
};

template <class T> using state_vector = std::vector<T, aligned_allocator<T>>;

}  // namespace ranvier
