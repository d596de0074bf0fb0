// What a checked network will need before anything of it is built: host and
// device memory by part (cell state, connections, plastic state, the ring
// buffer, recording), the host's peak while building, and the size of the
// outputs on disk. Counted from the description (the expected number of
// connections of each random rule, every mechanism's states at every node
// of a cable cell), so it is an estimate, not a bound; `ranvier info MODEL`
// prints it and a run that cannot fit is refused with it.
#pragma once

#include <string>
#include <vector>

#include "host/model/model.hpp"

namespace ranvier {

struct resource_estimate {
  struct part {
    std::string name;
    double host_bytes = 0.0;    // while the run goes
    double device_bytes = 0.0;  // on the GPU, with the CUDA engine
  };
  std::vector<part> parts;
  double cells = 0.0, compartments = 0.0, connections = 0.0, plastic_connections = 0.0;
  double host_bytes = 0.0;        // sum of the parts
  double host_build_bytes = 0.0;  // the peak while building and packing (the connections' lists, twice)
  double device_bytes = 0.0;
  double connection_device_bytes = 0.0;  // the static and the plastic or dynamic connections' part of device_bytes
  double disk_bytes = 0.0;        // the sampled records' files and the final weights
  double spike_bytes_per_hz = 0.0;  // spikes.csv per Hz of mean rate of the recorded cells
  // The part with the most host bytes.
  const part& dominant() const;
};

resource_estimate estimate_resources(const network& net);

// The connections a projection makes (for random rules, the expected number).
double expected_connections(const network& net, const projection_desc& pr);

// Whether every delay the static projections allow is at most 65535 steps,
// from the model's bounds (before any draw): the static connections' delays
// are then stored in 16 bits (host/build/build.cpp), else in 32.
bool static_delays_fit_16_bits(const network& net);

// "host memory 1.23 GB while running (peak 2.5 GB while building): ..." on
// several lines, for `ranvier info MODEL`, ending with whether it fits in
// the host memory available now.
std::string format_estimate(const resource_estimate& e);

// MemAvailable of /proc/meminfo [bytes], or 0 where it cannot be read.
double available_host_memory();

// Bytes as "1.23 GB", "456 kB", "12 B".
std::string human_bytes(double b);

}  // namespace ranvier
