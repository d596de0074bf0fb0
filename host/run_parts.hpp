// The parts of a run that the run driver (host/run.cpp) and a session run
// from a program (host/session.hpp) share: the progress line, the
// measurements' hidden records, numerical faults in the user's terms and the
// summary's counts. Internal to host/.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <unistd.h>

#include "host/build/build.hpp"
#include "host/engines/engine.hpp"
#include "host/model/model.hpp"
#include "host/pack/image.hpp"
#include "host/run.hpp"

namespace ranvier::detail {

using clock_type = std::chrono::steady_clock;
inline double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// A progress line on stderr, at most once a second and only once the run has
// taken a few seconds: from from_ms to duration_ms of simulated time.
class progress_line {
 public:
  progress_line(bool enabled, double duration_ms, double from_ms = 0.0)
      : enabled_(enabled), duration_(duration_ms), from_(from_ms), t0_(clock_type::now()) {
    tty_ = isatty(fileno(stderr));
  }
  void update(double t_ms) {
    if (!enabled_) return;
    const double wall = seconds_since(t0_);
    if (wall < 3.0 || wall - last_ < 1.0) return;
    last_ = wall;
    shown_ = true;
    const double rtf = wall / ((t_ms - from_) * 1e-3);
    const double eta = (duration_ - t_ms) * 1e-3 * rtf;
    std::fprintf(stderr, "%s%.1f / %.1f ms simulated, %.1f s wall, real-time factor %.3g, ETA %.1f s%s",
                 tty_ ? "\r" : "", t_ms, duration_, wall, rtf, eta, tty_ ? "   " : "\n");
    std::fflush(stderr);
  }
  void finish() {
    if (shown_ && tty_) std::fprintf(stderr, "\n");
  }

 private:
  bool enabled_;
  double duration_;
  double from_;
  clock_type::time_point t0_;
  double last_ = 0.0;
  bool shown_ = false;
  bool tty_ = false;
};

// A measurement's two hidden records (from, to) and what it needs to finish.
struct pending_measure {
  measurement m;
  std::size_t record_from = 0, record_to = 0;
  double threshold = 0.0;
};

// Adds each [[measure]]'s two hidden records (v every step at its two
// places) to net's records, and returns what finishes the measurements.
std::vector<pending_measure> add_measure_records(network& net);
// Finishes the measurements from the hidden records' samples (by record).
void finish_measures(std::vector<pending_measure>& measures, const std::vector<std::vector<double>>& kept, double dt,
                     run_summary& s);

// Where a fault sits, in the user's terms: population, cell, place, value.
struct fault_context {
  std::vector<population_layout> populations;
  std::vector<std::string> cell_types;
  std::vector<std::vector<std::string>> node_names;  // by group (cable cells)
  double dt = 0.0;
};
template <class T> fault_context make_fault_context(const image<T>& img);
// The message of a fault found at t_ms (the last check, without one, at
// t_ok_ms); outputs_cut: the run driver's outputs end at the fault's step.
std::string describe_fault(const numeric_fault& f, const fault_context& c, double v_lo, double v_hi, double t_ms,
                           double t_ok_ms, bool outputs_cut = false);

// What the summary counts from the image before an engine takes it: its
// size, and the memory traffic of a step and of an event (bytes_moved).
struct run_counts {
  double bytes_per_step = 0.0;
  double bytes_per_event = 0.0;
  std::vector<std::uint64_t> outdegree;          // by source gid, static and plastic
  std::vector<std::uint64_t> plastic_outdegree;  // by source gid (empty: no plastic projection)
  std::vector<population_layout> populations;
};
// Fills s's cells, generators, connections, compartments, dt and planned
// steps from img, and returns the counts the end of the run needs;
// delay_runs: engine_options::delay_runs (the layout the traffic counts).
template <class T> run_counts count_image(const image<T>& img, run_summary& s, bool delay_runs = true);
// Spikes, events, bytes moved and the populations' rates, from the spike
// counts by gid after s.steps steps.
void count_spikes(const run_counts& c, const std::vector<std::uint32_t>& counts, run_summary& s);

}  // namespace ranvier::detail
