// The description of a network: what a model file or the C++ builder says,
// before anything is checked, built or allocated. Plain data; units are
// NEURON's and are written next to every field.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ranvier {

// Where a description element came from: file, line, column and the key path
// (e.g. "projection[2].probability"). Descriptions built in C++ carry only the
// key path.
struct source_loc {
  std::string file;
  int line = 0;
  int column = 0;
  std::string key;
};
std::string to_string(const source_loc& loc);

// Every element remembers where each of its keys was written, so that errors
// found later (checking, building) still point at the line.
struct located {
  source_loc where;                       // the element itself
  std::map<std::string, source_loc> keys;  // key name -> where its value is
  source_loc loc(const std::string& key) const;
};

inline constexpr double infinity = std::numeric_limits<double>::infinity();

// A value that is constant or drawn per cell / per connection.
struct distribution : located {
  enum class kind { constant, uniform, normal, lognormal };
  kind type = kind::constant;
  double value = 0.0;      // constant
  double low = -infinity;  // uniform: lower end; normal, lognormal: values below are redrawn
  double high = infinity;  // uniform: upper end; normal, lognormal: values above are redrawn
  double mean = 0.0;       // normal: mean
  double sd = 0.0;         // normal: standard deviation
  double mu = 0.0;         // lognormal: mean of the underlying normal (ln of the unit)
  double sigma = 0.0;      // lognormal: sd of the underlying normal

  static distribution constant(double v) {
    distribution d;
    d.value = v;
    return d;
  }
  static distribution uniform(double lo, double hi) {
    distribution d;
    d.type = kind::uniform;
    d.low = lo;
    d.high = hi;
    return d;
  }
  static distribution normal(double mean, double sd, double lo = -infinity, double hi = infinity) {
    distribution d;
    d.type = kind::normal;
    d.mean = mean;
    d.sd = sd;
    d.low = lo;
    d.high = hi;
    return d;
  }
  static distribution lognormal(double mu, double sigma, double lo = 0.0, double hi = infinity) {
    distribution d;
    d.type = kind::lognormal;
    d.mu = mu;
    d.sigma = sigma;
    d.low = lo;
    d.high = hi;
    return d;
  }
  bool is_constant() const { return type == kind::constant; }
  double min_value() const;  // the smallest value a draw can take
  double max_value() const;  // the largest
};

// A density mechanism inserted in every compartment of a cell: "hh",
// "traub_miles", "leak". Parameters not given take the mechanism's defaults.
struct mechanism_desc : located {
  std::string kind;
  std::string name;  // how records and init refer to it; defaults to the kind
  std::map<std::string, double> params;
};

// A synaptic receptor (point mechanism), target of projections.
struct receptor_desc : located {
  std::string name;
  std::string kind = "expsyn";
  double tau = 0.0;  // decay time constant [ms]
  double e = 0.0;    // reversal potential [mV]
};

// A cell type: a point neuron (one compartment) with its mechanisms.
struct cell_desc : located {
  std::string name;
  double area = 0.0;        // membrane area [µm²]
  double cm = 1.0;          // specific capacitance [µF/cm²]
  double threshold = 0.0;   // spike detection threshold, upward crossing [mV]
  double refractory = 0.0;  // dead time of the detector after a spike [ms]
  std::vector<mechanism_desc> mechanisms;
  std::vector<receptor_desc> receptors;
  // Initial values, by variable: "v" [mV] (default −65), "<mechanism>.<state>"
  // (default: steady state at the initial v), "<receptor>.g" [µS] (default 0).
  std::map<std::string, distribution> init;
};

enum class population_kind { cell, poisson };

struct population_desc : located {
  std::string name;
  population_kind kind = population_kind::cell;
  std::int64_t size = 0;
  std::string cell;         // cell: the cell type
  double rate = 0.0;        // poisson: mean rate [Hz]
  double start = 0.0;       // poisson: first time it may fire [ms]
  double stop = infinity;   // poisson: time from which it is silent [ms]
};

enum class connect_rule { all_to_all, one_to_one, fixed_probability, fixed_indegree, list };

struct projection_desc : located {
  std::string name;      // defaults to "pre->post"
  std::string pre;       // source population
  std::string post;      // target population
  std::string receptor;  // receptor of the target cell type
  connect_rule rule = connect_rule::all_to_all;
  double probability = 0.0;   // fixed_probability: per ordered pair [1]
  std::int64_t indegree = 0;  // fixed_indegree: connections per target cell
  std::vector<std::pair<std::int64_t, std::int64_t>> pairs;  // list: (pre index, post index)
  bool autapses = true;    // pre == post population: may a cell connect to itself?
  bool multapses = false;  // fixed_indegree: may a pair be drawn twice?
  distribution weight;     // [µS] for conductance receptors
  distribution delay = distribution::constant(1.0);  // [ms], rounded to whole steps >= 1
};

// A DC current clamp on some cells of a population.
struct stimulus_desc : located {
  std::string population;
  std::vector<std::int64_t> cells;  // empty: every cell
  std::vector<double> amp;          // [nA]: one value for all, or one per cell in `cells`
  double start = 0.0;               // [ms]
  double stop = infinity;           // [ms]
};

// What to record: "spikes", or a sampled variable ("v", "<mechanism>.<state>",
// "<receptor>.g").
struct record_desc : located {
  std::string population;
  std::string variable;
  std::vector<std::int64_t> cells;  // empty: every cell
  double interval = 0.0;            // sampling interval [ms]; 0 = every step
};

enum class engine_choice { automatic, cpu, cuda };
enum class precision { single, double_ };
enum class arith_mode { deterministic, fast };

struct simulation_desc : located {
  double dt = 0.025;         // time step [ms]
  double duration = 100.0;   // simulated time [ms]
  std::uint64_t seed = 1;    // root of every random stream
  precision prec = precision::double_;
  engine_choice engine = engine_choice::automatic;
  arith_mode mode = arith_mode::deterministic;
  double celsius = 6.3;      // temperature [°C]
};

struct network {
  std::string source = "<builder>";  // the model file, or "<builder>"
  simulation_desc sim;
  std::vector<cell_desc> cells;
  std::vector<population_desc> populations;
  std::vector<projection_desc> projections;
  std::vector<stimulus_desc> stimuli;
  std::vector<record_desc> records;

  const cell_desc* find_cell(const std::string& name) const;
  const population_desc* find_population(const std::string& name) const;
};

const char* to_string(engine_choice e);
const char* to_string(precision p);
const char* to_string(arith_mode m);
const char* to_string(connect_rule r);

}  // namespace ranvier
