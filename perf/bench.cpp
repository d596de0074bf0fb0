// ranvier_bench: throughput of a model on one engine, repeated, as JSON. By
// default the COBAHH benchmark (examples/cobahh.toml); --cells scales it to N
// cells at the same in-degree (80 inputs per cell), so that larger networks
// stay in the same dynamical regime. Reports neuron-steps/s, synaptic
// events/s, the real-time factor and the memory traffic it implies, and the
// memory: the process's peak resident set (so one configuration a process
// for a per-configuration figure), the bytes a connection takes on the
// device in the engine's layout, and on the GPU the device memory the engine
// held (all of it, cells included), also per connection.
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "host/errors.hpp"
#include "host/estimate.hpp"
#include "host/model/model_file.hpp"
#include "host/run.hpp"
#include "kernels/kernels.hpp"

using namespace ranvier;

namespace {

// COBAHH at n cells: populations scaled, connection probability scaled down
// so that every cell keeps 64 excitatory and 16 inhibitory inputs on average.
void scale(network& net, std::int64_t n) {
  std::int64_t total = 0;
  for (const auto& p : net.populations) total += p.size;
  const double f = static_cast<double>(n) / static_cast<double>(total);
  for (auto& p : net.populations) p.size = std::max<std::int64_t>(1, std::llround(p.size * f));
  for (auto& pr : net.projections)
    if (pr.rule == connect_rule::fixed_probability) pr.probability = std::min(1.0, pr.probability / f);
  for (auto& r : net.records) r.cells = {0};  // keep recording cheap and comparable
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ranvier_bench: engine throughput on a model (default: COBAHH)"};
  std::string model = RANVIER_SOURCE_DIR "/examples/cobahh.toml", engine = "cpu", prec = "double",
              mode = "deterministic", json, out, cuda_step = "fused", static_rows = "runs";
  std::vector<std::int64_t> cells;
  int threads = 0, repeat = 3;
  double duration = -1;
  app.add_option("--model", model, "model file");
  app.add_option("--cells", cells, "scale the model to these cell counts (several: one result each)");
  app.add_option("--engine", engine, "cpu | cuda");
  app.add_option("--threads", threads, "CPU threads (0: all)");
  app.add_option("--precision", prec, "single | double");
  app.add_option("--mode", mode, "deterministic | fast");
  app.add_option("--duration", duration, "simulated time [ms] (default: the model's)");
  app.add_option("--repeat", repeat, "runs per configuration; the median is reported");
  app.add_option("--cuda-step", cuda_step,
                 "fused | launched: the CUDA engine's steps fused where it can (default), or a propagate launch a step")
      ->check(CLI::IsMember({"fused", "launched"}));
  app.add_option("--static-rows", static_rows,
                 "runs | delays: drawn static delays kept once a run of a row where that pays (default), or per "
                 "connection, for comparison")
      ->check(CLI::IsMember({"runs", "delays"}));
  app.add_option("--json", json, "append one JSON object per configuration to this file");
  app.add_option("--out", out, "write the model's records into this directory (every run; default: record, write nothing)");
  CLI11_PARSE(app, argc, argv);
  if (cells.empty()) cells.push_back(0);
  // The GPU's peak memory bandwidth [bytes/s], for the fraction of it the
  // run's implied traffic reaches (0: not a CUDA run, or no device).
  double peak = 0.0;
#if RANVIER_HAVE_CUDA
  if (engine == "cuda") {
    kernels::device_info di;
    if (kernels::get_device_info(0, &di).ok()) peak = di.peak_bandwidth;
  }
#endif

  try {
    for (auto n : cells) {
      network net = load_model_file(model);
      if (n > 0) scale(net, n);
      net.sim.prec = prec == "single" ? precision::single : precision::double_;
      net.sim.mode = mode == "fast" ? arith_mode::fast : arith_mode::deterministic;
      if (duration > 0) net.sim.duration = duration;
      run_options opt;
      opt.engine = engine == "cuda" ? engine_choice::cuda : engine_choice::cpu;
      opt.threads = threads;
      opt.progress = false;
      opt.cuda_fused = cuda_step == "fused";
      opt.delay_runs = static_rows == "runs";
      if (!out.empty()) opt.out = out;
      std::vector<run_summary> runs;
      for (int r = 0; r < std::max(1, repeat); ++r) runs.push_back(run_network(net, opt));
      std::sort(runs.begin(), runs.end(), [](auto& a, auto& b) { return a.run_s < b.run_s; });
      const run_summary& m = runs[runs.size() / 2];
      // Memory: the peak resident set of this process so far [bytes]
      // (building included), per connection; the device's bytes of the
      // engine's layout (cell state, connections, ring, recording) as the
      // estimate counts them, per connection for the connections' part.
      rusage ru{};
      getrusage(RUSAGE_SELF, &ru);
      const double peak_host = static_cast<double>(ru.ru_maxrss) * 1024.0;
      const resource_estimate est = estimate_resources(net);
      const double conn_device = est.connection_device_bytes;
      const double nconn = static_cast<double>(std::max<std::uint64_t>(1, m.connections));
      std::string times;
      for (const auto& r : runs) times += fmt::format("{}{:.6f}", times.empty() ? "" : ", ", r.run_s);
      const std::string line = fmt::format(
          "{{\"model\": \"{}\", \"engine\": \"{}\", \"cells\": {}, \"compartments\": {}, \"connections\": {}, \"steps\": {}, "
          "\"dt_ms\": {}, \"duration_ms\": {}, \"spikes\": {}, \"synaptic_events\": {}, \"plastic_events\": {}, \"build_s\": {:.4f}, "
          "\"setup_s\": {:.4f}, \"run_s_median\": {:.6f}, \"run_s_all\": [{}], \"neuron_steps_per_s\": {:.6g}, "
          "\"compartment_steps_per_s\": {:.6g}, \"synaptic_events_per_s\": {:.6g}, \"realtime_factor\": {:.6g}, "
          "\"bytes_per_s\": {:.6g}, \"peak_bytes_per_s\": {:.6g}, \"bandwidth_fraction\": {:.4g}, "
          "\"peak_host_bytes\": {:.6g}, \"peak_host_bytes_per_connection\": {:.4g}, \"device_bytes_layout\": {:.6g}, "
          "\"device_bytes_per_connection_layout\": {:.4g}, \"device_bytes\": {}, \"device_bytes_per_connection\": {:.4g}, "
          "\"ring_bits\": {}, \"static_connection_bytes\": {:.4g}, \"delay_runs\": {}, \"batches\": {}, "
          "\"host_enqueue_s\": {:.6f}, \"host_wait_s\": {:.6f}, \"host_take_s\": {:.6f}}}",
          model, m.engine, m.cells, m.compartments, m.connections, m.steps, m.dt, m.duration, m.spikes, m.synaptic_events,
          m.plastic_events, m.build_s,
          m.setup_s, m.run_s, times, m.neuron_steps_per_s(), m.compartment_steps_per_s(), m.events_per_s(),
          m.realtime_factor(), m.bytes_per_s(), peak, peak > 0 ? m.bytes_per_s() / peak : 0.0, peak_host,
          peak_host / nconn, est.device_bytes, est.connections > 0 ? conn_device / est.connections : 0.0, m.device_bytes,
          static_cast<double>(m.device_bytes) / nconn, m.ring_bits, m.static_connection_bytes,
          static_rows == "runs" ? "true" : "false", m.host.batches, m.host.enqueue_s, m.host.wait_s, m.host.take_s);
      const std::string traffic =
          fmt::format("{:>7.3g} GB/s{}", m.bytes_per_s() / 1e9,
                      peak > 0 ? fmt::format(" ({:.1f} % of peak)", 100 * m.bytes_per_s() / peak) : "");
      if (m.compartments != m.cells)
        fmt::print("{:>9} cells  {:>10} compartments  {:>8.3f} s  {:>10.4g} compartment-steps/s  rtf {:>7.4g}  {}  [{}]\n",
                   m.cells, m.compartments, m.run_s, m.compartment_steps_per_s(), m.realtime_factor(), traffic, m.engine);
      else
        fmt::print("{:>9} cells  {:>11} conn  {:>8.3f} s  {:>10.4g} neuron-steps/s  {:>10.4g} events/s  rtf {:>7.4g}  {}  [{}]\n",
                   m.cells, m.connections, m.run_s, m.neuron_steps_per_s(), m.events_per_s(), m.realtime_factor(),
                   traffic, m.engine);
      if (!json.empty()) {
        std::ofstream out(json, std::ios::app);
        out << line << "\n";
      }
    }
  } catch (const model_error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
