// Spike sources without a membrane: Poisson generators and sources that fire
// at given times (NEURON's VecStim, NEST's spike_generator). Both are pure
// functions of (source, step), so every engine and thread count emits the
// same spikes.
#pragma once

#include <cstdint>

#include "core/dmath.hpp"
#include "core/hd.hpp"
#include "core/rng.hpp"

namespace ranvier::core {

// A Poisson population's rate may cycle through up to this many values.
inline constexpr int max_rate_cycle = 8;

struct poisson_view {
  std::uint32_t ncells;
  std::uint32_t gid_base;
  std::uint32_t stream_id;  // the population's id in the random streams
  std::uint64_t seed;
  double p_spike;           // probability of a spike in one step: 1 − e^(−rate·dt)
  std::uint64_t threshold;  // a cell fires when its draw's 53 bits are below: ceil(p_spike·2^53)
  std::int64_t start;       // first active step
  std::int64_t stop;        // first inactive step
  std::uint32_t* spike_count;
  // A cycle of rates (ncycle >= 2): from `start`, each held for cycle_steps,
  // their thresholds in order; else `threshold` throughout.
  std::uint32_t ncycle;
  std::int64_t cycle_steps;
  std::uint64_t cycle[max_rate_cycle];
};

// The probability that a source of rate `rate` [Hz] fires in a step of
// `dt` [ms]: 1 − e^(−rate·dt). A source fires at most once a step, so it
// delivers this over dt of the rate (what the model checker bounds).
RANVIER_HD double poisson_p_spike(double rate, double dt) { return -det_expm1(-rate * dt * 1e-3); }

// The threshold of the rate in force at `step` (an active step).
RANVIER_HD std::uint64_t poisson_threshold_at(const poisson_view& P, std::int64_t step) {
  if (P.ncycle < 2) return P.threshold;
  return P.cycle[((step - P.start) / P.cycle_steps) % P.ncycle];
}

// Whether generator cell c fires in the given step: one Philox block countered
// by (cell, step), so the train is the same on every engine and thread
// count. The draw u = bits·2^-53 is below p_spike exactly when bits is below
// ceil(p_spike·2^53) (poisson_threshold), an integer comparison.
RANVIER_HD bool poisson_fires(const poisson_view& P, std::uint32_t c, std::int64_t step) {
  if (step < P.start || step >= P.stop) return false;
  const auto b = philox_block(P.seed, stream_purpose::poisson, P.stream_id, c, static_cast<std::uint64_t>(step));
  return uniform_bits(b.v[0], b.v[1]) < poisson_threshold_at(P, step);
}

inline std::uint64_t poisson_threshold(double p_spike) {
  const double t = __builtin_ceil(p_spike * 9007199254740992.0);  // exact: a power-of-two scaling
  return t <= 0.0 ? 0 : (t >= 9007199254740992.0 ? 9007199254740992ULL : static_cast<std::uint64_t>(t));
}

// poisson_fires for cells c0 … c0 + W − 1 at once (the CPU engine), in a
// step where the generator is active: the same rounds on W counters in loops
// that vectorise.
template <int W>
inline void poisson_fires_lanes(const poisson_view& P, std::uint32_t c0, std::int64_t step, std::uint8_t* fires) {
  std::uint32_t x0[W], x1[W], x2[W], x3[W];
  const std::uint32_t tag = philox_tag(stream_purpose::poisson, P.stream_id);
  for (int k = 0; k < W; ++k) {
    x0[k] = c0 + static_cast<std::uint32_t>(k);
    x1[k] = static_cast<std::uint32_t>(step);
    x2[k] = tag;
    x3[k] = static_cast<std::uint32_t>(static_cast<std::uint64_t>(step) >> 32);
  }
  const auto k0 = static_cast<std::uint32_t>(P.seed), k1 = static_cast<std::uint32_t>(P.seed >> 32);
  for (int r = 0; r < 10; ++r) {
    const std::uint32_t r0 = philox_key0(k0, r), r1 = philox_key1(k1, r);
    for (int k = 0; k < W; ++k) philox_round(x0[k], x1[k], x2[k], x3[k], r0, r1);
  }
  const std::uint64_t threshold = poisson_threshold_at(P, step);
  for (int k = 0; k < W; ++k) fires[k] = uniform_bits(x0[k], x1[k]) < threshold;
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
