// Output files: spikes (CSV: time_ms,population,index), one CSV of samples
// per sampled [[record]] (time_ms, then one column per recorded cell,
// connection or weight bin), and the final weights of projections. Files
// are written as NAME.partial, flushed after every chunk of steps, and
// renamed when the run ends (complete, interrupted or stopped by a numerical
// failure), so an error never leaves a half-written file in place of an
// earlier good one, and a killed run leaves its .partial files with every
// complete line.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "host/pack/image.hpp"
#include "host/io/recording.hpp"

namespace ranvier {

class output_writer {
 public:
  // Prepares the writers for every record of the image; creates dir.
  template <class T>
  output_writer(const std::filesystem::path& dir, const image<T>& img);
  ~output_writer();
  output_writer(const output_writer&) = delete;
  output_writer& operator=(const output_writer&) = delete;

  // Appends what rec holds (then the caller clears rec).
  void write(const recording& rec);
  // Whether a record asks for every weight of a projection at the end; then
  // write_final_weights writes them (PROJECTION.weights.csv: pre, post,
  // weight, delay_ms), from an engine's state ("<projection>.weight").
  bool wants_final_weights() const { return !finals_.empty(); }
  void write_final_weights(const std::vector<std::pair<std::string, std::vector<double>>>& weights);
  // Hands everything written so far to the operating system, so that a
  // killed run leaves every complete line on disk; throws io_error naming
  // the file if writing failed (a full disk says so).
  void flush();
  // The files being written, under their temporary names.
  std::vector<std::filesystem::path> partial_paths() const;
  // Flushes, closes and renames every file into place; returns their paths.
  std::vector<std::filesystem::path> commit();

 private:
  struct file {
    std::filesystem::path final_path;
    std::filesystem::path partial_path;
    std::FILE* f = nullptr;
  };
  file open(const std::string& name);

  std::filesystem::path dir_;
  double dt_ = 0.0;
  int time_decimals_ = 3;
  std::vector<std::string> population_names_;
  // Spike filter, by gid: −1 if not recorded, else the population index.
  std::vector<int> spike_population_;
  std::vector<std::uint32_t> population_gid_base_;
  bool any_spikes_ = false;
  file spikes_;
  std::vector<file> traces_;        // by record index (unused for spike records)
  std::vector<std::size_t> trace_columns_;
  std::vector<std::filesystem::path> written_;
  struct final_weights {
    std::string projection;
    std::vector<std::uint32_t> pre, post;
    std::vector<double> delay_ms;
    file out;
  };
  std::vector<final_weights> finals_;
};

// Decimal places that print every multiple of dt exactly (dt = 0.025 → 3).
int time_decimals(double dt);

}  // namespace ranvier
