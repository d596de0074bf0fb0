// A simulation a program drives step by step: the model checked, built,
// packed and handed to an engine once, then run in as many pieces as the
// program likes, with the state read and set in between and the recorded
// spikes and samples kept in memory. The Python module (python/) is a thin
// layer over this; the CLI's run_network (host/run.hpp) is the same
// pipeline writing files. Running in pieces gives the bits of one long run.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/engines/engine.hpp"
#include "host/model/model.hpp"
#include "host/run.hpp"

namespace ranvier {

struct session_options {
  std::optional<engine_choice> engine;  // overrides [simulation] engine
  std::optional<precision> prec;        // overrides [simulation] precision
  std::optional<arith_mode> mode;       // overrides [simulation] mode
  std::optional<std::uint64_t> seed;    // overrides [simulation] seed
  int threads = 0;                      // CPU engine and build threads; 0: OpenMP's default
  bool progress = true;                 // the CLI's progress line on stderr for pieces longer than a few seconds
};

// The spikes of the populations a [[record]] of "spikes" names, in (time,
// gid) order, since the start or the last clear_recordings().
struct session_spikes {
  std::vector<std::int64_t> step;         // the spike's step (time = step · dt)
  std::vector<std::int32_t> population;   // index into the model's populations
  std::vector<std::uint32_t> index;       // the cell in its population
};

// The samples of one [[record]] that samples (a state, a receptor's
// conductance or current, a plastic projection's weights or their histogram).
struct session_trace {
  bool samples = false;              // false: a record of spikes, final weights or a measurement's (kept elsewhere)
  std::string population;            // the recorded population ("" for a projection's weights)
  std::string projection;            // weight records: the projection
  std::string variable;              // as the record names it
  std::vector<std::string> columns;  // one per value of a row ("3", "3@dend(0.25)", "12->40")
  std::vector<std::int64_t> steps;   // sample times, as steps
  std::vector<double> values;        // rows × columns, row-major
};

class session {
 public:
  // Checks, builds and packs net and makes the engine (the model's own or
  // opt's); throws model_error with every problem, as run_network does.
  session(network net, const session_options& opt);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // Runs ms further (whole steps, rounded as delays are; 0 takes only the
  // initial sample). Between chunks of about a quarter of a second `stop`
  // is asked (if given); when it says yes the run stops there, consistent,
  // and returns interrupted. A numerical failure stops it too (what and
  // where in failure()); running again after one throws model_error until
  // the state has been set.
  run_status run(double ms, const std::function<bool()>& stop = {});

  std::int64_t step() const;  // steps taken
  double time() const;        // [ms]
  double dt() const;          // [ms]
  const network& model() const;
  const std::string& failure() const;  // the last numerical failure or interruption, "" if none
  std::string engine_description() const;

  // The state of population `population`'s cells: `variable` is a state
  // array's name as records name it ("v", "cai", "hh.m", "ampa.g"). Row
  // k of the result is cell k; `columns` receives the values a cell has
  // (1; nodes or instances on a cable cell), the result is size × columns.
  std::vector<double> get(const std::string& population, const std::string& variable, std::uint32_t& columns);
  // Sets it: size × columns values, or size (each cell's value at every
  // node or instance), or one (every cell). Takes effect before the next
  // step; the rest of the state is kept bit for bit.
  void set(const std::string& population, const std::string& variable, const std::vector<double>& values);
  // A state array's names for get and set, for a population.
  std::vector<std::string> variables(const std::string& population);
  // A plastic projection's weights, by connection in its order (as the
  // weight record's columns and the final weights file list them), and
  // their (pre, post) cells.
  std::vector<double> weights(const std::string& projection);
  void connections(const std::string& projection, std::vector<std::uint32_t>& pre, std::vector<std::uint32_t>& post);
  void set_weights(const std::string& projection, const std::vector<double>& w);
  // Continues with a changed model: the same cells and connections (a
  // static weight may change), new parameters (stimuli, rates, channel
  // densities, rules' constants). The state is kept as it is; the model's
  // [simulation] dt, seed, precision and mode must stay.
  void update(network net);

  // Every state array, as engine::state names them.
  std::vector<named_array> state();

  const session_spikes& spikes() const;
  const std::vector<session_trace>& traces() const;
  void clear_recordings();

  // What run_network's summary says, for the run so far.
  run_summary summary();

 private:
  struct impl;
  std::unique_ptr<impl> p_;
};

}  // namespace ranvier
