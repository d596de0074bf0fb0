// Where the host's time went while a device ran an engine's batches (timers
// around the host's work): what the run summary and ranvier_bench report,
// so that a device run shows whether the host or the device bounds it.
#pragma once

#include <cstdint>

namespace ranvier {

struct host_times {
  std::int64_t batches = 0;  // batches run
  double enqueue_s = 0.0;    // queueing batches (graph launches, copies) [s]
  double wait_s = 0.0;       // waiting for a batch to finish: the device the longer of the two [s]
  double take_s = 0.0;       // ordering and handing over a batch's spikes and samples, while the next runs [s]
};

}  // namespace ranvier
