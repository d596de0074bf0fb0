// Spike sources without a membrane: Poisson generators and sources that fire
// at given times (NEURON's VecStim, NEST's spike_generator). Both are pure
// functions of (source, step), so every engine and thread count emits the
// same spikes.
#pragma once

#include <cstdint>

#include "core/hd.hpp"
#include "core/rng.hpp"

namespace ranvier::core {

struct poisson_view {
  std::uint32_t ncells;
  std::uint32_t gid_base;
  std::uint32_t stream_id;  // the population's id in the random streams
  std::uint64_t seed;
  double p_spike;           // probability of a spike in one step: 1 − e^(−rate·dt)
  std::int64_t start;       // first active step
  std::int64_t stop;        // first inactive step
  std::uint32_t* spike_count;
};

// Whether generator cell c fires in the given step: one Philox block countered
// by (cell, step), so the train is the same on every engine and thread count.
RANVIER_HD bool poisson_fires(const poisson_view& P, std::uint32_t c, std::int64_t step) {
  if (step < P.start || step >= P.stop) return false;
  const auto b = philox_block(P.seed, stream_purpose::poisson, P.stream_id, c, static_cast<std::uint64_t>(step));
  return uniform_from(b.v[0], b.v[1]) < P.p_spike;
}

// Sources that fire at given times. A spike of time t = s·dt (s >= 1 whole
// steps) is emitted by the step that ends at t, step s − 1, exactly as a
// cell's threshold crossing in that step would be: it then acts at t + delay.
struct spike_times_view {
  std::uint32_t ncells;
  std::uint32_t gid_base;
  std::uint64_t nevents;
  const std::int64_t* step;   // emitting step of each event, ascending
  const std::uint32_t* cell;  // its source within the population
  std::uint32_t* spike_count;
};

// The first event emitted in `step` or later (binary search).
RANVIER_HD std::uint64_t first_event(const spike_times_view& S, std::int64_t step) {
  std::uint64_t lo = 0, hi = S.nevents;
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (S.step[mid] < step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

}  // namespace ranvier::core
