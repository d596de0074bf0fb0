// A walk along one source row whose drawn delays are kept once a run
// (host/engines/static_rows.hpp): the row is ordered by delay, and run r
// of it ends at offset end[r] from the row's start, its connections all of
// delay delay[r] [steps]. The CUDA engine's lanes each take the offsets
// lane, lane + 32, … of a row (kernels/launch.cuh, walk_row); the same
// cursor is checked on the host against the image's delays (tests).
#pragma once

#include <cstdint>

#include "core/hd.hpp"

namespace ranvier::core {

struct run_cursor {
  const std::uint32_t* end;    // the runs' ends, offsets in the row
  const std::uint32_t* delay;  // the runs' delays [steps]
  std::uint32_t r;             // the row's first run
  std::uint32_t to = 0, d = 0;  // where the current run ends, and its delay

  // The delay of the connection at offset o of the row; offsets given in
  // ascending order, each less than the row's length.
  RANVIER_HD std::uint32_t delay_at(std::uint32_t o) {
    while (o >= to) {
      to = end[r];
      d = delay[r++];
    }
    return d;
  }
};

}  // namespace ranvier::core
