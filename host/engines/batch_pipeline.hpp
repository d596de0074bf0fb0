// The CUDA engine's batches in flight. The record has two halves; the
// device runs the batch in one while the host takes the batch before it
// from the other. A batch may take fewer steps than it was given (it paused:
// its record could not hold another step, kernels::device_clock::paused);
// the batch already queued behind it continues from where it stopped, on
// the device, and the steps not taken are asked for again. Host logic only,
// so that it is tested without a device (tests/test_engine.cpp).
#pragma once

#include <algorithm>
#include <cstdint>

namespace ranvier {

// Runs `nsteps` steps in batches of at most `batch` steps. enqueue(half, k)
// queues a batch of k steps into record half `half` (0 or 1) without
// waiting; finish(half) waits for the batch in that half, takes its record
// and returns the steps it took (1 to its k). A half is enqueued again only
// after it was finished; batches finish in the order they were enqueued;
// at most two are in flight; the steps taken add up to nsteps.
template <class Enqueue, class Finish>
void run_batches(std::int64_t nsteps, std::int64_t batch, Enqueue&& enqueue, Finish&& finish) {
  int pending = -1;  // the half whose batch is in flight and not yet finished
  std::int64_t given[2] = {0, 0};
  std::int64_t left = nsteps;  // steps not yet given to a batch
  while (left > 0 || pending >= 0) {
    int half = -1;
    if (left > 0) {
      half = pending == 0 ? 1 : 0;
      given[half] = std::min(left, batch);
      enqueue(half, given[half]);
      left -= given[half];
    }
    if (pending >= 0) left += given[pending] - finish(pending);
    pending = half;
  }
}

}  // namespace ranvier
