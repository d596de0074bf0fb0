// What the engines hand back while they run: spikes and sampled traces,
// appended in batches and drained by the writers between batches.
#pragma once

#include <cstdint>
#include <vector>

namespace ranvier {

// A spike of source `gid` detected in the step ending at time step·dt.
struct spike_event {
  std::int64_t step;
  std::uint32_t gid;
  friend bool operator==(const spike_event&, const spike_event&) = default;
};

// Samples of one [[record]]: one row per sample time, one column per recorded
// cell.
struct trace_buffer {
  std::vector<std::int64_t> steps;  // sample times, as step counts
  std::vector<double> values;       // rows × cells, row-major
};

struct recording {
  std::vector<spike_event> spikes;   // every spike of every source, in (step, gid) order
  std::vector<trace_buffer> traces;  // by record index; empty for spike records

  void clear() {
    spikes.clear();
    for (auto& t : traces) {
      t.steps.clear();
      t.values.clear();
    }
  }
};

}  // namespace ranvier
