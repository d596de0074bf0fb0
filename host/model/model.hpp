// The description of a network: what a model file or the C++ builder says,
// before anything is checked, built or allocated. Plain data; units are
// NEURON's and are written next to every field.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/synapses/terminal.hpp"

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

// A place on a cable cell: a section and a position along it, 0 at the
// section's start (where it attaches to its parent) and 1 at its end. As in
// NEURON, a position maps to a node: x = 0 or 1 to the zero-area node at that
// end, 0 < x < 1 to the centre of the segment containing x.
struct location_desc : located {
  std::string section;  // empty: the default place (the soma's centre)
  double x = 0.5;
  bool is_default() const { return section.empty(); }
  static location_desc on(std::string section, double x) {
    location_desc l;
    l.section = std::move(section);
    l.x = x;
    return l;
  }
};

// A set of segments of a cable cell: those of the sections with the given
// tags or names ("all", or none, for every section) whose centres lie within
// [min_distance, max_distance] of the soma's centre along the tree.
struct region_desc : located {
  std::vector<std::string> names;  // section tags ("soma", "axon", "dend", "apic", user tags) or section names
  double min_distance = 0.0;       // [µm]
  double max_distance = infinity;  // [µm]
  bool is_all() const;
  std::string describe() const;    // "dend, apic within 100-200 um", for messages
};

// A mechanism parameter: a constant, or a function of the path distance d
// [µm] of a segment's centre from the soma's centre, clipped to [min, max].
struct param_value : located {
  enum class kind { constant, linear, exponential, sigmoid };
  kind type = kind::constant;
  double value = 0.0;   // constant; linear, sigmoid: the value at d = 0
  double slope = 0.0;   // linear: value + slope·d [unit/µm]
  double scale = 0.0;   // exponential: offset + scale·e^(d/length)
  double offset = 0.0;  // exponential
  double length = 0.0;  // exponential: e-folding length [µm] (negative: decaying); sigmoid: width [µm]
  double far = 0.0;     // sigmoid: value + (far − value)/(1 + e^((half − d)/length))
  double half = 0.0;    // sigmoid: distance of the midpoint [µm]
  double min = -infinity;
  double max = infinity;

  param_value() = default;
  param_value(double v) : value(v) {}  // NOLINT: a constant is a number
  bool is_constant() const { return type == kind::constant; }
  double at(double d) const;  // the value at distance d [µm]
};

// A density mechanism inserted in a region of a cell (a point neuron: its one
// compartment). Parameters not given take the mechanism's defaults (for
// reversal potentials: the cell type's ions, then the mechanism's defaults).
struct mechanism_desc : located {
  std::string kind;
  std::string name;  // how records and init refer to it; defaults to the kind
  std::map<std::string, param_value> params;
  region_desc region;  // cable cells: where it is inserted; default everywhere
  const std::string& label() const { return name.empty() ? kind : name; }
};

// How a receptor of a cable cell receives a projection's connections: all at
// one location, or each at a place drawn over a region.
enum class spread_rule { none, uniform_length, uniform_area };

// A synaptic receptor (point mechanism), target of projections.
struct receptor_desc : located {
  std::string name;
  std::string kind = "expsyn";
  std::map<std::string, double> params;  // the kind's parameters ([ms], [mV])
  // Parameters that take the cell type's reversal potential of an ion
  // (e = "ecl" in a model file): parameter -> "na", "k", "ca" or "cl".
  std::map<std::string, std::string> from_ion;
  // Cable cells: one location (default: the soma's centre), or a region over
  // which each connection's place is drawn, with probability proportional to
  // a segment's length or membrane area.
  location_desc location;
  region_desc region;
  spread_rule spread = spread_rule::none;

  // A receptor of any kind with the given parameters (the kind's units).
  static receptor_desc of(std::string name, std::string kind, std::map<std::string, double> params = {});
  static receptor_desc expsyn(std::string name, double tau /* [ms] */, double e /* [mV] */);
  static receptor_desc exp2syn(std::string name, double tau1 /* [ms] */, double tau2 /* [ms] */, double e /* [mV] */);
  static receptor_desc alphasyn(std::string name, double tau /* [ms] */, double e /* [mV] */);
  static receptor_desc exp_current(std::string name, double tau /* [ms] */);
  static receptor_desc alpha_current(std::string name, double tau /* [ms] */);
};

// ---- Morphology ---------------------------------------------------------------

// A point of a section's centre line: its arc length from the section's start
// [µm] and the diameter there [µm]. Diameters vary linearly between points.
struct section_point {
  double arc = 0.0;
  double diam = 0.0;
};

// How a section is cut into segments (compartments).
struct discretization_desc : located {
  enum class rule { d_lambda, nseg, max_length };
  rule type = rule::d_lambda;
  double d_lambda = 0.1;     // d_lambda: segments at most this fraction of the AC length constant
  double frequency = 100.0;  // d_lambda: at this frequency [Hz]
  std::int64_t nseg = 1;     // nseg
  double max_length = 0.0;   // max_length: the longest a segment may be [µm]
};

// An unbranched piece of a cell: a cylinder or a chain of frusta.
struct section_desc : located {
  std::string name;            // unique within the cell
  std::string tag = "dend";    // "soma", "axon", "dend", "apic", or a user tag
  std::string parent;          // empty: the root
  double parent_x = 1.0;       // where on the parent its start attaches [0..1]
  std::vector<section_point> points;  // at least two; arc from 0, ascending
  bool has_discretization = false;    // else the cell's rule
  discretization_desc discretization;

  double length() const { return points.empty() ? 0.0 : points.back().arc; }
  // A cylinder, or a frustum from diam0 to diam1.
  static section_desc cylinder(std::string name, std::string tag, double length /* [µm] */, double diam /* [µm] */,
                               std::string parent = {}, double parent_x = 1.0);
  static section_desc frustum(std::string name, std::string tag, double length, double diam0, double diam1,
                              std::string parent = {}, double parent_x = 1.0);
};

// A dendritic spine built explicitly: a neck and a head section, named
// NAME_neck and NAME_head (tag "spine"), attached at `at`.
struct spine_desc : located {
  std::string name;
  location_desc at;
  double neck_length = 1.0;  // [µm]
  double neck_diam = 0.1;    // [µm]
  double head_length = 0.5;  // [µm]
  double head_diam = 0.5;    // [µm]
};

struct morphology_desc : located {
  std::string swc;                       // the SWC file the imported sections came from (for messages)
  std::vector<section_desc> imported;    // from the SWC file (io/swc.hpp)
  std::string builder;                   // a parametric builder, or empty
  std::map<std::string, double> builder_params;
  std::vector<section_desc> sections;    // written out, after the imported and built ones
  std::vector<spine_desc> spines;
  discretization_desc discretization;    // the default for every section
};

// Passive properties of a region of a cable cell; later entries override
// earlier ones where regions overlap. A property left out keeps its value.
struct membrane_desc : located {
  region_desc region;
  std::optional<double> cm;             // specific capacitance [µF/cm²]; none: unchanged
  std::optional<double> ra;             // axial resistivity [Ω·cm]; none: unchanged
  std::optional<double> spine_density;  // spines folded into the membrane [1/µm]; none: unchanged
  double spine_area = 1.0;              // membrane area of one spine [µm²]
};

// An ion's reversal potential: fixed, or by Nernst from concentrations.
struct ion_desc : located {
  bool given = false;
  double e = 0.0;                   // fixed reversal [mV]
  bool nernst = false;              // from ci and co at celsius
  double ci = 0.0, co = 0.0;        // [mM]
};

// A cell type: a point neuron (one compartment, `area`), with a morphology
// a cable cell, or with a `model` a neuron model of its own (integrate-and-
// fire and relatives, core/neurons/).
struct cell_desc : located {
  std::string name;
  std::string model;                           // "lif", "izhikevich", "adex", "fhn"; empty: the membrane of mechanisms
  std::map<std::string, double> model_params;  // the model's parameters, in its units ([ms], [mV], [nF], [uS], [nA])
  double area = 0.0;        // point neuron: membrane area [µm²]
  double cm = 1.0;          // specific capacitance [µF/cm²]
  double ra = 35.4;         // cable cells: axial resistivity [Ω·cm]
  double threshold = 0.0;   // spike detection threshold, upward crossing [mV]
  double refractory = 0.0;  // dead time of the detector after a spike [ms]
  location_desc detector;   // cable cells: where the threshold is watched (default: the soma's centre)
  bool has_morphology = false;
  morphology_desc morphology;
  std::vector<membrane_desc> membrane;
  ion_desc na, k, ca, cl;   // reversal potentials (ca: ci is also [Ca²⁺]i at the start, default 5e-5 mM)
  std::vector<mechanism_desc> mechanisms;
  std::vector<receptor_desc> receptors;
  // Initial values, by variable: "v" [mV] (default −65), "<mechanism>.<state>"
  // (default: steady state at the initial v), "<receptor>.<state>" [µS]
  // (default 0), "cai" [mM].
  std::map<std::string, distribution> init;

  bool is_cable() const { return has_morphology; }
  bool is_model() const { return !model.empty(); }
};

enum class population_kind { cell, poisson, spike_times };

// A spike of a spike_times population: source `index` fires at `time` [ms].
struct given_spike {
  double time = 0.0;
  std::int64_t index = 0;
  int line = 0;  // the line of the population's spike_file it was read from; 0: not from a file
};

struct population_desc : located {
  std::string name;
  population_kind kind = population_kind::cell;
  std::int64_t size = 0;
  std::string cell;         // cell: the cell type
  double rate = 0.0;        // poisson: mean rate [Hz]
  double start = 0.0;       // poisson: first time it may fire [ms]
  double stop = infinity;   // poisson: time from which it is silent [ms]
  std::vector<double> rates;  // poisson: instead of `rate`, a cycle of rates [Hz] from `start`, each for rate_interval
  double rate_interval = 0.0; // [ms]
  std::vector<double> times;        // spike_times: every source fires at each of these [ms]
  std::vector<given_spike> spikes;  // spike_times: single spikes, listed or from the file, in any order
  std::string spike_file;           // spike_times: the CSV some were read from, if any (for messages)
};

enum class connect_rule { all_to_all, one_to_one, fixed_probability, fixed_indegree, fixed_total_number, list };

// Plasticity of a projection's weights (docs/plasticity.md).
enum class plasticity_rule { none, stdp, hebbian, scaling, bcm, calcium, dopamine_stdp };
enum class stdp_pairing { all_to_all, nearest };
enum class stdp_update { additive, multiplicative };

struct plasticity_desc : located {
  plasticity_rule rule = plasticity_rule::none;
  double w_min = 0.0;        // lower bound of every weight [the weight's unit]
  double w_max = infinity;   // upper bound [the weight's unit]; STDP: required
  // STDP: Δw = a_plus·e^(−Δt/tau_plus) for Δt = t_post − t_pre >= 0,
  // −a_minus·e^(Δt/tau_minus) for Δt < 0 (times at the synapse).
  stdp_pairing pairing = stdp_pairing::all_to_all;
  stdp_update update = stdp_update::additive;
  double a_plus = 0.0;       // potentiation of a pair at Δt → 0+ [the weight's unit]
  double a_minus = 0.0;      // depression of a pair at Δt → 0− [the weight's unit]
  double tau_plus = 20.0;    // [ms]
  double tau_minus = 20.0;   // [ms]
  double post_delay = 0.0;   // dendritic back-propagation delay of the postsynaptic spike [ms]
  // Hebbian: every `interval`, Δw = eta·y_pre·y_post (− eta·y_post²·w with oja),
  // y the firing rates filtered with tau_rate.
  double eta = 0.0;          // learning rate [weight unit / Hz²]
  double tau_rate = 1000.0;  // rate filter time constant [ms]
  double interval = 10.0;    // learning interval [ms]
  bool oja = false;
  // Homeostatic scaling: every `interval`, each weight w ← w·e^(interval·(target_rate − y_post)/(target_rate·tau_scaling)),
  // y_post the postsynaptic rate filtered with tau_rate.
  double target_rate = 0.0;  // [Hz]
  double tau_scaling = 0.0;  // [ms]
  // BCM: every `interval`, Δw = eta·y_pre·y_post·(y_post − θ), θ relaxing towards y_post²/theta_rate with tau_theta.
  double tau_theta = 1000.0;  // [ms]
  double theta_rate = 10.0;   // y0 [Hz]
  // Calcium (Graupner & Brunel 2012; defaults their DP set): per synapse, c jumps by c_pre delay_pre after an arrival
  // and by c_post at a postsynaptic spike, decaying with tau_ca; tau_rho·dρ/dt = gamma_p·(1 − ρ)·[c > theta_p]
  // − gamma_d·ρ·[c > theta_d], w = w_min + ρ·(w_max − w_min).
  double tau_ca = 20.0;       // [ms]
  double c_pre = 1.0;         // [1]
  double c_post = 2.0;        // [1]
  double theta_d = 1.0;       // [1]
  double theta_p = 1.3;       // [1]
  double gamma_d = 200.0;     // [1]
  double gamma_p = 321.808;   // [1]
  double tau_rho = 150000.0;  // [ms]
  double delay_pre = 13.7;    // D [ms]
  // Dopamine-modulated STDP (Izhikevich 2007): STDP's window into an eligibility c (decaying with tau_c), and
  // dw/dt = c·d, d the dopamine [µM]: d_tonic + a part rising by d_spike at each spike of `modulator`, decaying with tau_d.
  std::string modulator;      // the modulatory population
  double tau_c = 1000.0;      // [ms]
  double tau_d = 200.0;       // [ms]
  double d_spike = 0.5;       // [µM]
  double d_tonic = 0.0;       // [µM]
  bool is_plastic() const { return rule != plasticity_rule::none; }
};

// A projection's presynaptic terminals (core/synapses/terminal.hpp):
// Tsodyks–Markram short-term plasticity, or quantal release from a pool of
// sites with presynaptic Ca²⁺.
enum class terminal_kind { none, tsodyks_markram, quantal };
enum class release_curve { hill, sigmoid, threshold };
struct terminal_desc : located {
  terminal_kind model = terminal_kind::none;
  double u = 0.5;            // Tsodyks–Markram: U, the utilisation of a spike at rest [1]
  double tau_rec = 800.0;    // recovery of resources (TM) or refill of an empty site (quantal) [ms]
  double tau_facil = 0.0;    // TM: facilitation time constant [ms]; 0: none
  std::int64_t sites = 1;    // quantal: release sites, a vesicle each when ready [1]
  double ca_rest = 5e-5;     // quantal: resting [Ca2+]_pre [mM]
  double ca_jump = 1e-3;     // quantal: influx of one spike [mM]
  double tau_ca = 20.0;      // quantal: removal of Ca2+ [ms]
  release_curve curve = release_curve::hill;
  double hill_n = 4.0;       // Hill coefficient [1]
  double k_d = 1e-3;         // half-activation (Hill, sigmoid) or threshold [mM]
  double slope = 2e-4;       // sigmoid: s [mM]
  // quantal: the influx of a spike, fixed (ca_jump) or through HH-type Ca2+ channels driven by the action potential.
  bool hh_influx = false;
  core::hh_calcium_channel channel;  // its parameters (units in core/synapses/terminal.hpp)
  bool is_on() const { return model != terminal_kind::none; }
};

// A projection's synaptic clefts (core/synapses/cleft.hpp): [NT] per
// connection, raised by releases, cleared by Michaelis–Menten reuptake and
// degradation, read by each connection's own postsynaptic receptor.
enum class cleft_kind { none, ionotropic, metabotropic, kinetic };
struct cleft_desc : located {
  cleft_kind model = cleft_kind::none;
  double quantum = 1.0;   // [mM] per released vesicle (per spike without a terminal model; × u·x with Tsodyks–Markram)
  double vmax = 1.0;      // reuptake's maximal rate [mM/ms]
  double km = 0.5;        // reuptake's Michaelis–Menten constant [mM]
  double k_deg = 0.5;     // enzymatic degradation [1/ms]
  double kd = 0.5;        // ionotropic: half-open concentration [mM]
  double nt_half = 0.5;   // metabotropic: the sigmoid's midpoint [mM]
  double slope = 0.1;     // metabotropic: the sigmoid's slope factor [mM]
  double alpha = 1.1;     // kinetic: binding [1/(mM·ms)] (Destexhe et al. 1994, AMPA)
  double beta = 0.19;     // kinetic: unbinding [1/ms]
  bool is_on() const { return model != cleft_kind::none; }
};

struct projection_desc : located {
  std::string name;      // defaults to "pre->post"
  std::string pre;       // source population
  std::string post;      // target population
  std::string receptor;  // receptor of the target cell type
  connect_rule rule = connect_rule::all_to_all;
  double probability = 0.0;   // fixed_probability: per ordered pair [1]
  std::int64_t indegree = 0;  // fixed_indegree: connections per target cell
  std::int64_t total = 0;     // fixed_total_number: connections of the whole projection
  std::vector<std::pair<std::int64_t, std::int64_t>> pairs;  // list: (pre index, post index)
  // list: each pair's weight [µS or nA] and delay [ms] where the pairs give
  // them ([pre, post, weight] or [pre, post, weight, delay]); else empty,
  // and `weight` and `delay` hold for every pair.
  std::vector<double> pair_weight, pair_delay;
  bool autapses = true;    // pre == post population: may a cell connect to itself?
  bool multapses = false;  // fixed_indegree: may a pair be drawn twice? (fixed_total_number: always)
  distribution weight;     // [µS] for conductance receptors
  distribution delay = distribution::constant(1.0);  // [ms], rounded to whole steps >= 1
  plasticity_desc plasticity;  // none by default: static weights
  terminal_desc terminal;      // none by default: every spike delivers its weight
  cleft_desc cleft;            // none by default: releases reach the receptor directly
  // Whether the projection keeps per-connection state (its own CSR, core/plasticity/plastic.hpp).
  bool is_dynamic() const { return plasticity.is_plastic() || terminal.is_on() || cleft.is_on(); }
  std::string label() const { return name.empty() ? pre + "->" + post : name; }
};

// A DC current clamp on some cells of a population.
struct stimulus_desc : located {
  std::string population;
  location_desc location;           // cable cells: where (default: the soma's centre)
  std::vector<std::int64_t> cells;  // empty: every cell
  std::vector<double> amp;          // [nA]: one value for all, or one per cell in `cells`
  double start = 0.0;               // [ms]
  double stop = infinity;           // [ms]
};

// What to record: "spikes", or a sampled variable ("v", "cai",
// "<mechanism>.<state>", "<receptor>.<state>", "<receptor>.g", "<receptor>.i").
//
// Of a plastic projection (`projection` instead of `population`): "weight",
// the weights of the given (pre, post) connections every `interval`;
// "weight_histogram", the count of its weights in `bins` equal bins over
// [w_min, w_max] every `interval`; "weights", every weight at the end.
struct record_desc : located {
  std::string projection;
  std::vector<std::pair<std::int64_t, std::int64_t>> connections;  // "weight": (pre index, post index)
  std::int64_t bins = 20;                                          // "weight_histogram"
  std::string population;
  std::string variable;
  location_desc location;           // cable cells: where (default: the soma's centre)
  std::string along;                // cable cells: a section; every node of it is recorded
  bool hidden = false;              // kept for the run's own use (measurements), not written
  std::vector<std::int64_t> cells;  // empty: every cell
  double interval = 0.0;            // sampling interval [ms]; 0 = every step
};

// Gap junctions between pairs of cells: I = g·(v_a − v_b) [nA] between
// location at_a of cell i of population a and at_b of cell j of b, for each
// (i, j) of pairs.
struct gap_desc : located {
  std::string a, b;  // cell populations (may be the same)
  std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
  location_desc at_a, at_b;
  double g = 0.0;    // [µS]
};

// A measurement the run makes of one cell and writes into its summary:
// the conduction velocity between two places, from the first upward
// crossings of `threshold` at each (interpolated within the step) and the
// path distance between them along the cell.
struct measure_desc : located {
  std::string name;
  std::string population;
  std::int64_t cell = 0;
  location_desc from, to;
  double threshold = -20.0;  // [mV]
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
  std::int64_t secondorder = 0;  // 0: implicit Euler (first order); 2: Crank–Nicolson (NEURON's secondorder = 2)
  // A membrane voltage outside these [mV] (or a NaN or infinity anywhere in
  // a cell's state) stops the run as a numerical failure.
  std::vector<double> v_bounds = {-1000.0, 1000.0};
};

struct network {
  std::string source = "<builder>";  // the model file, or "<builder>"
  std::string text;                  // the model file's text (a checkpoint keeps it); empty when built in code
  simulation_desc sim;
  std::vector<cell_desc> cells;
  std::vector<population_desc> populations;
  std::vector<projection_desc> projections;
  std::vector<stimulus_desc> stimuli;
  std::vector<record_desc> records;
  std::vector<gap_desc> gaps;
  std::vector<measure_desc> measures;

  const cell_desc* find_cell(const std::string& name) const;
  const population_desc* find_population(const std::string& name) const;
};

const char* to_string(engine_choice e);
const char* to_string(precision p);
const char* to_string(arith_mode m);
const char* to_string(connect_rule r);
const char* to_string(plasticity_rule r);
const char* to_string(terminal_kind k);
const char* to_string(cleft_kind k);

}  // namespace ranvier
