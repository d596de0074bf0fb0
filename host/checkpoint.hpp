// Checkpoints: everything a run needs to go on exactly where it was. A
// checkpoint holds the model (its text, rebuilt on resume: connectivity is
// not stored, it is drawn again from the seed and checked against a
// checksum), the run's settings, the engine's state (engine_state.hpp), how
// far each output file was written, and the measurements' samples so far.
// The file (DIR/checkpoint.rvc) is versioned and checksummed, written to a
// temporary file, synced and renamed into place: a run killed while writing
// one leaves the previous one whole. docs/architecture.md, "Checkpoints".
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "host/engines/engine_state.hpp"
#include "host/io/writers.hpp"
#include "host/model/model.hpp"
#include "host/pack/image.hpp"

namespace ranvier {

// The format this build writes and reads; a change of layout or meaning of
// any section increments it.
constexpr std::uint32_t checkpoint_format = 1;

struct checkpoint {
  std::string ranvier_version;  // the Ranvier that wrote it
  // The model: its file's path (SWC files are read relative to it again)
  // and text, and the values the run used in place of its [simulation]'s.
  std::string model_source;
  std::string model_text;
  std::uint64_t seed = 0;
  engine_choice engine = engine_choice::automatic;
  double duration = 0.0;          // the run's planned end [ms]
  std::uint32_t precision = 8;    // bytes of a state value (4: single, 8: double)
  arith_mode mode = arith_mode::deterministic;
  std::uint64_t static_checksum = 0;  // static_checksum() of the image the run packed
  std::uint64_t inputs_checksum = 0;  // inputs_checksum() of it; 0: not kept (an older checkpoint)
  // The run.
  std::string engine_description;  // the engine that wrote it
  std::string out;                 // its output directory (absolute); empty: none
  // Where the output directory is from the checkpoint directory ("..": the
  // default DIR/checkpoint), when the checkpoint was written inside it, so
  // that a copied or moved run directory resumes its own outputs; empty:
  // the checkpoint is elsewhere, `out` holds.
  std::string out_from_checkpoint;
  double every = 0.0;              // its checkpoint interval [ms]
  std::vector<output_position> outputs;
  std::vector<std::vector<double>> kept;  // per record: the samples measurements keep (hidden records)
  engine_state state;
};

// The checkpoint file in a checkpoint directory.
std::filesystem::path checkpoint_file(const std::filesystem::path& dir);

// Makes the checkpoint directory, or says why it cannot be one (model_error,
// exit 2): before a run starts, so that a bad --checkpoint-dir is found
// before any step is taken.
void prepare_checkpoint_dir(const std::filesystem::path& dir);

// Writes c as dir's checkpoint, atomically (a temporary file, fsync, rename,
// fsync of the directory); creates dir. Throws io_error saying what failed.
void write_checkpoint(const std::filesystem::path& dir, const checkpoint& c);

// Reads dir's checkpoint (or the file itself, when given one); throws
// model_error for a missing, truncated, corrupted or foreign file, or one of
// another format, saying which.
checkpoint read_checkpoint(const std::filesystem::path& dir_or_file);

// A checksum of what a checkpoint does not store but a resumed run must
// rebuild identically: the time step, the groups' shapes, every connection
// (source rows, targets, weights, delays) and the plastic projections'
// topology. In the image's canonical order (before an engine takes it).
// Without `weights`, the static connections' weights are left out: what a
// session's state needs to carry over to a model with new parameters
// (host/session.hpp).
template <class T> std::uint64_t static_checksum(const image<T>& img, bool weights = true);

// A checksum of what a model reads from files other than itself: the given
// spike times (spike_times populations' files) and the cable cells' trees
// and geometry (SWC files). A resumed run rebuilds the model from its text
// and reads those files again; a change in them (whose structure may be the
// same) is refused.
template <class T> std::uint64_t inputs_checksum(const image<T>& img);

// Where a resumed run finds the outputs it continues: the first of the
// output directory next to the checkpoint in `checkpoint_dir` (where it was
// written inside it: c.out_from_checkpoint), the run's own (c.out) and
// `out` (--out) that holds every output the checkpoint lists.
std::filesystem::path resumed_outputs(const checkpoint& c, const std::filesystem::path& checkpoint_dir,
                                      const std::optional<std::filesystem::path>& out);

// c.out_from_checkpoint for outputs in `out` and checkpoints in `dir`.
std::string out_from_checkpoint(const std::filesystem::path& out, const std::filesystem::path& dir);

}  // namespace ranvier
