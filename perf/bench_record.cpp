// ranvier_bench_record: the host's cost of ordering a batch of spikes
// recorded on the GPU (host/engines/spike_order.hpp), against the std::sort
// of the whole batch it replaces, on batches shaped like the CUDA engine's:
// B steps of S spikes each, every step's spikes in a shuffled order, source
// ids uniform over N sources. Host-only: no device needed. Prints one JSON
// line per shape: ns per spike for both, and the time per simulated step.
//   ranvier_bench_record [--sources N...] [--spikes-per-step S...] [--steps B] [--repeat R]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "core/rng.hpp"
#include "host/engines/spike_order.hpp"

using namespace ranvier;

int main(int argc, char** argv) {
  CLI::App app{"ranvier_bench_record: ordering the GPU's recorded spikes on the host"};
  // Defaults: COBAHH at 1.02M cells (about 3.9k spikes a step, 4-step
  // batches: the committed H100 run) and at 4000 cells.
  std::vector<std::uint32_t> sources{1020000, 4000};
  std::vector<std::uint32_t> per_step{3900, 16};
  int steps = 4, repeat = 200;
  app.add_option("--sources", sources, "source counts (paired with --spikes-per-step)");
  app.add_option("--spikes-per-step", per_step, "spikes a step, one per source count");
  app.add_option("--steps", steps, "steps a batch");
  app.add_option("--repeat", repeat, "batches timed (the median reported)");
  CLI11_PARSE(app, argc, argv);
  if (sources.size() != per_step.size()) {
    std::fprintf(stderr, "error: --sources and --spikes-per-step need as many values each\n");
    return 2;
  }
  core::stream rng(1, core::stream_purpose::init, 0, 0);
  std::vector<std::uint32_t> keys, tmp;
  for (std::size_t k = 0; k < sources.size(); ++k) {
    const std::uint32_t n = sources[k], s = per_step[k];
    std::vector<double> t_sort, t_order;
    for (int r = 0; r < repeat; ++r) {
      std::vector<kernels::device_spike> batch;
      for (int st = 0; st < steps; ++st)
        for (std::uint32_t i = 0; i < s; ++i) batch.push_back({1000 + st, rng.below(n), 0});
      auto copy = batch;
      auto t0 = std::chrono::steady_clock::now();
      std::sort(copy.begin(), copy.end(),
                [](const auto& a, const auto& b) { return a.step != b.step ? a.step < b.step : a.gid < b.gid; });
      auto t1 = std::chrono::steady_clock::now();
      order_recorded_spikes(batch.data(), batch.size(), n, keys, tmp);
      auto t2 = std::chrono::steady_clock::now();
      for (std::size_t i = 0; i < batch.size(); ++i)
        if (batch[i].gid != copy[i].gid || batch[i].step != copy[i].step) {
          std::fprintf(stderr, "error: the orders differ at %zu\n", i);
          return 1;
        }
      t_sort.push_back(std::chrono::duration<double>(t1 - t0).count());
      t_order.push_back(std::chrono::duration<double>(t2 - t1).count());
    }
    std::sort(t_sort.begin(), t_sort.end());
    std::sort(t_order.begin(), t_order.end());
    const double spikes = static_cast<double>(s) * steps;
    const double a = t_sort[t_sort.size() / 2], b = t_order[t_order.size() / 2];
    fmt::print("{{\"sources\": {}, \"spikes_per_step\": {}, \"steps\": {}, \"std_sort_ns_per_spike\": {:.2f}, "
               "\"ordered_ns_per_spike\": {:.2f}, \"std_sort_us_per_step\": {:.2f}, \"ordered_us_per_step\": {:.2f}, "
               "\"speedup\": {:.2f}}}\n",
               n, s, steps, 1e9 * a / spikes, 1e9 * b / spikes, 1e6 * a / steps, 1e6 * b / steps, a / b);
  }
  return 0;
}
