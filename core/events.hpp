// When a spike takes effect. A threshold crossing during the step from t_n to
// t_{n+1} is the spike of time t_{n+1} (as NEURON stamps it). Through a
// connection of D steps (D >= 1) it steps its target at the start of step
// n + 1 + D, i.e. exactly at the spike time plus the delay, as a NEURON NetCon
// delivers. The ring buffer therefore needs max D + 1 rows: while step n
// delivers row n, rows n+1 … n+1+max D are pending and n+1+max D wraps onto
// the row just cleared.
#pragma once

#include <cstdint>

#include "core/hd.hpp"

namespace ranvier::core {

// The ring row that a spike detected while taking step `step` reaches
// through a delay of `delay` steps, in a ring of `depth` rows.
RANVIER_HD std::uint64_t arrival_row(std::int64_t step, std::uint32_t delay, std::uint32_t depth) {
  return static_cast<std::uint64_t>(step + 1 + delay) % depth;
}

// The same for the many connections of one spike: with `next` =
// arrival_row(step, 0, depth) computed once, a delay below `depth` (every
// delay: the ring is max D + 1 rows deep) wraps with one subtraction, not a
// division per connection.
RANVIER_HD std::uint64_t arrival_row_after(std::uint64_t next, std::uint32_t delay, std::uint32_t depth) {
  const std::uint64_t r = next + delay;
  return r >= depth ? r - depth : r;
}

// The row where the pulse an arrival opened through a delay of `delay`
// steps closes, `pulse` steps later (a pulse receptor's target).
RANVIER_HD std::uint64_t pulse_end_row(std::int64_t step, std::uint32_t delay, std::uint32_t pulse, std::uint32_t depth) {
  return static_cast<std::uint64_t>(step + 1 + delay + pulse) % depth;
}

}  // namespace ranvier::core
