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

#include "host/io/checksum.hpp"
#include "host/pack/image.hpp"
#include "host/io/recording.hpp"

namespace ranvier {

// How far an output file was written (a checkpoint keeps this for every
// file): its length and the checksum of those bytes.
struct output_position {
  std::string name;  // the file's final name in the output directory
  std::uint64_t bytes = 0;
  std::uint64_t checksum = 0;
};

// Where a resumed run's outputs continue from: the earlier run's output
// directory and the checkpoint's positions.
struct output_resume {
  std::filesystem::path from;
  std::vector<output_position> positions;
};

// The first `at.bytes` of an earlier run's output at.name in `dir` (its
// NAME.partial where the run was stopped or killed, else NAME): whether the
// file opened (else `error`, its errno), how many bytes were read, and
// their checksum. Reads only.
struct output_prefix {
  std::filesystem::path file;
  bool opened = false;
  int error = 0;
  std::uint64_t got = 0;
  checksum64 sum;
  bool matches(const output_position& at) const { return opened && got == at.bytes && sum.digest() == at.checksum; }
};
output_prefix read_output_prefix(const std::filesystem::path& dir, const output_position& at);

class output_writer {
 public:
  // Prepares the writers for every record of the image; creates dir. With
  // `resume`, continues the files of an earlier run instead: each is taken
  // from resume->from's NAME.partial (a run that was stopped or killed) or
  // NAME (a run that ended), refused unless its first `bytes` have the
  // checksum kept, and continued in dir from there (cut in place, or
  // copied).
  template <class T>
  output_writer(const std::filesystem::path& dir, const image<T>& img, const output_resume* resume = nullptr);
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
  // flush, then onto the disk (fsync): before a checkpoint says how far the
  // files are written.
  void sync();
  // Every file's position now (after flush).
  std::vector<output_position> positions() const;
  // The files being written, under their temporary names.
  std::vector<std::filesystem::path> partial_paths() const;
  // Flushes, closes and renames every file into place; returns their paths.
  std::vector<std::filesystem::path> commit();

 private:
  struct file {
    std::filesystem::path final_path;
    std::filesystem::path partial_path;
    std::FILE* f = nullptr;
    std::uint64_t bytes = 0;  // written so far
    checksum64 sum;           // of those bytes
    bool continued = false;   // an earlier run's, continued (resume)
    int error = 0;            // the errno of the first write that failed, 0 if none
  };
  // A new file with its first line, or (resuming) the file continued.
  file open(const std::string& name, const std::string& header);
  std::filesystem::path earlier(const std::string& name) const;
  checksum64 verify_earlier(const output_position& at) const;
  void continue_from(file& f, const output_position& at, const checksum64& sum);
  void put(file& f, const std::string& text);
  template <class F> void each_file(F&& f) const;

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
  const output_resume* resume_ = nullptr;  // while the constructor opens the files
  std::vector<checksum64> verified_;       // by resume_->positions
};

// Decimal places that print every multiple of dt exactly (dt = 0.025 → 3).
int time_decimals(double dt);

}  // namespace ranvier
