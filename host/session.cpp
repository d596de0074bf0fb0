// A simulation run in pieces. The engine is made once; setting state or
// parameters makes a new one from the model packed again, with the engine's
// saved state put back (engine_state.hpp: the checkpoint's round trip,
// which is bit for bit), then the edit applied to the image before the
// engine takes it. Edits wait until the state is next read or run, so that
// several of them cost one such round.
#include "host/session.hpp"

#include <algorithm>
#include <cmath>
#include <variant>

#include <fmt/format.h>

#include "host/checkpoint.hpp"
#include "host/errors.hpp"
#include "host/io/writers.hpp"
#include "host/model/check.hpp"
#include "host/pack/image.hpp"
#include "host/run_parts.hpp"

namespace ranvier {

using namespace detail;

namespace {

// A group array of a population's cells, set before the next step.
struct state_edit {
  std::size_t group = 0;
  std::string variable;
  std::uint32_t first = 0, size = 0, ninst = 0;
  std::vector<double> values;  // size × ninst, cell-major
};
struct weight_edit {
  std::size_t plastic = 0;
  std::vector<double> values;
};

// What the session keeps of the image once the engine has it.
struct group_shape {
  std::string cell_type;
  std::uint32_t ncells = 0;
  std::vector<std::string> arrays;  // names, as group_storage::array_name
  std::vector<std::uint32_t> ninst;
};
struct plastic_shape {
  std::string name;
  core::plastic_rule rule{};
  bool calcium = false;
  std::vector<std::uint32_t> pre, post;
};

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

struct session::impl {
  network net;
  session_options opt;
  std::unique_ptr<engine> eng;
  // Where a new engine could not be made (make threw after the old one was
  // gone): the old one's state, for the next make; eng is then empty.
  engine_state lost;
  bool sampled = false;  // the engine has taken the initial sample
  double dt = 0.0;
  std::vector<double> v_bounds;
  std::uint64_t structure = 0;  // static_checksum without static weights
  run_counts counts;
  fault_context faults;
  std::vector<population_layout> populations;
  std::vector<group_shape> groups;
  std::vector<plastic_shape> plastic;
  std::vector<record_plan> records;
  std::vector<int> spike_population;  // by gid: the recorded population, or −1
  std::vector<pending_measure> measures;
  std::vector<std::vector<double>> kept;  // hidden records' samples
  session_spikes spikes;
  std::vector<session_trace> traces;  // by record; the hidden and spike ones stay empty
  std::vector<state_edit> edits;
  std::vector<weight_edit> wedits;
  bool remake = false;  // update(): the model changed
  std::string failure;
  bool failed = false;
  run_summary s;

  // The population named, or a model_error listing them.
  const population_layout& population(const std::string& name) const {
    for (const auto& p : populations)
      if (p.name == name) {
        if (p.kind != population_kind::cell)
          throw model_error(fmt::format("population '{}' is a spike source and has no state; valid: a population of "
                                        "cells ({})",
                                        name, cell_population_names()));
        return p;
      }
    throw model_error(fmt::format("no population '{}'; valid: {}", name, cell_population_names()));
  }
  std::string cell_population_names() const {
    std::vector<std::string> v;
    for (const auto& p : populations)
      if (p.kind == population_kind::cell) v.push_back(p.name);
    return joined(v);
  }
  std::size_t plastic_index(const std::string& name) const {
    std::vector<std::string> names;
    for (std::size_t q = 0; q < plastic.size(); ++q) {
      if (plastic[q].name == name) return q;
      names.push_back(plastic[q].name);
    }
    throw model_error(fmt::format("no plastic projection '{}'; valid: {}", name,
                                  names.empty() ? std::string("none (this model has no plastic projection)")
                                                : joined(names)));
  }
  // The index of array `variable` of group g, or a model_error listing them.
  int array_index(const population_layout& p, const std::string& variable) const {
    const group_shape& g = groups[static_cast<std::size_t>(p.group)];
    for (std::size_t a = 0; a < g.arrays.size(); ++a)
      if (g.arrays[a] == variable) return static_cast<int>(a);
    throw model_error(fmt::format("population '{}' (cell type {}) has no state '{}'; valid: {}", p.name, g.cell_type,
                                  variable, joined(g.arrays)));
  }

  // Shapes and counts from a freshly packed image, before an engine takes it.
  template <class T> void take_shape(const image<T>& img) {
    dt = img.dt;
    counts = count_image(img, s);
    faults = make_fault_context(img);
    populations = img.populations;
    records = img.records;
    structure = static_checksum(img, false);
    groups.clear();
    for (const auto& g : img.groups) {
      group_shape gs;
      gs.cell_type = g.cell_type;
      gs.ncells = g.ncells;
      for (int a = 0; a < g.narrays(); ++a) {
        gs.arrays.push_back(g.array_name(a));
        gs.ninst.push_back(g.array_ninst(a));
      }
      groups.push_back(std::move(gs));
    }
    plastic.clear();
    for (const auto& p : img.plastic)
      plastic.push_back({p.name, p.rule, !p.ca_syn.empty(), p.pre, p.post});
    spike_population = img.spike_record_population();
  }

  // The pending edits, into an image that holds the saved state.
  template <class T> void apply_edits(image<T>& img) {
    for (const auto& e : edits) {
      auto& g = img.groups[e.group];
      int a = 0;
      while (g.array_name(a) != e.variable) ++a;
      auto& arr = g.array(a);
      // A cell whose state is set is no longer at fault (its detector's
      // step of a numerical failure is cleared).
      for (std::uint32_t k = 0; k < e.size; ++k) g.fault_step[e.first + k] = core::no_fault;
      for (std::uint32_t k = 0; k < e.size; ++k)
        for (std::uint32_t i = 0; i < e.ninst; ++i)
          arr[g.place(static_cast<std::size_t>(i) * g.ncells + e.first + k, e.ninst)] =
              static_cast<T>(e.values[static_cast<std::size_t>(k) * e.ninst + i]);
    }
    for (const auto& e : wedits) {
      auto& p = img.plastic[e.plastic];
      for (std::size_t c = 0; c < p.syn.size(); ++c) {
        p.syn[c].w = static_cast<T>(e.values[c]);
        // Modulated STDP reports w + c·(G − g): with g = G the weight is w.
        if (!p.elig.empty()) p.elig[c].g = p.mod_state[0].g;
      }
    }
  }

  // A new engine for the model as it is now, holding the state the old one
  // had (if any) with the edits applied.
  void make(bool keep_state) {
    engine_state saved;
    if (keep_state) saved = eng ? eng->save_state() : lost;
    pack_timing pt;
    pt.progress = opt.progress;
    const auto t0 = clock_type::now();
    any_image img = pack(net, opt.threads, pt);
    s.build_s += pt.build_s;
    std::visit(
        [&](auto& im) {
          if (keep_state) {
            if (static_checksum(im, false) != structure)
              throw model_error(fmt::format(
                  "{}: the changed model has other cells or connections than the running one; valid: a change of "
                  "parameters only (stimuli, rates, densities, rules' constants, static weights), or a new Simulation",
                  net.source));
            apply_image_state(im, saved);
          }
          take_shape(im);
          apply_edits(im);
          im.spikes_of_records_only = true;  // append keeps no other spikes
        },
        img);
    engine_options eo;
    eo.choice = net.sim.engine;
    eo.threads = opt.threads;
    eng.reset();  // the old engine goes first (the device's memory)
    try {
      eng = make_engine(std::move(img), eo, &s.engine_why);
    } catch (...) {
      lost = std::move(saved);  // for the next make, with the edits, which stay pending
      throw;
    }
    lost = {};
    edits.clear();
    wedits.clear();
    s.engine = eng->describe();
    if (keep_state && sampled) eng->resume_state(saved);
    s.setup_s += seconds_since(t0) - pt.build_s;
  }

  // The engine, or the reason there is none.
  engine& live() const {
    if (!eng)
      throw model_error("this simulation has no engine: a change was refused and the engine could not be made "
                        "again for the model as it was; valid: a new Simulation");
    return *eng;
  }

  void flush() {
    if (edits.empty() && wedits.empty() && !remake && eng) return;
    remake = false;
    make(true);
  }

  void append(recording& rec) {
    for (const auto& sp : rec.spikes) {
      const int p = spike_population[sp.gid];
      if (p < 0) continue;
      spikes.step.push_back(sp.step);
      spikes.population.push_back(p);
      spikes.index.push_back(sp.gid - populations[static_cast<std::size_t>(p)].gid_base);
    }
    for (std::size_t r = 0; r < records.size() && r < rec.traces.size(); ++r) {
      auto& tb = rec.traces[r];
      if (records[r].hidden) {
        kept[r].insert(kept[r].end(), tb.values.begin(), tb.values.end());
        continue;
      }
      auto& t = traces[r];
      t.steps.insert(t.steps.end(), tb.steps.begin(), tb.steps.end());
      t.values.insert(t.values.end(), tb.values.begin(), tb.values.end());
    }
    rec.clear();
  }
};

session::session(network net, const session_options& opt) : p_(std::make_unique<impl>()) {
  impl& m = *p_;
  const auto t0 = clock_type::now();
  if (opt.engine) net.sim.engine = *opt.engine;
  if (opt.prec) net.sim.prec = *opt.prec;
  if (opt.mode) net.sim.mode = *opt.mode;
  if (opt.seed) net.sim.seed = *opt.seed;
  check(net);
  check_memory(net);
  m.measures = add_measure_records(net);
  m.net = std::move(net);
  m.opt = opt;
  m.v_bounds = m.net.sim.v_bounds;
  m.s.build_s = seconds_since(t0);  // checking; make() adds building and packing
  m.make(false);
  m.kept.assign(m.records.size(), {});
  m.traces.resize(m.records.size());
  for (std::size_t r = 0; r < m.records.size(); ++r) {
    const record_plan& rp = m.records[r];
    session_trace& t = m.traces[r];
    if (rp.plastic >= 0) t.projection = m.plastic[static_cast<std::size_t>(rp.plastic)].name;
    if (rp.population >= 0) t.population = m.populations[static_cast<std::size_t>(rp.population)].name;
    t.variable = rp.variable;
    t.columns = rp.columns;
    t.samples = !rp.spikes && !rp.hidden && rp.kind != sample_kind::weights_final;
  }
}

session::~session() = default;

run_status session::run(double ms, const std::function<bool()>& stop) {
  impl& m = *p_;
  if (!(ms >= 0.0) || !std::isfinite(ms))
    throw model_error(fmt::format("run: {} ms; valid: a finite time of at least 0 ms", ms));
  if (m.failed)
    throw model_error(fmt::format("run: the simulation stopped at a numerical failure ({}); valid: set the state "
                                  "(set) before running on, or a new simulation",
                                  m.failure));
  m.flush();
  const std::int64_t n = time_steps(ms, m.dt);
  const std::int64_t end = m.eng->step() + n;
  if (end >= (std::int64_t{1} << 53))
    throw model_error(fmt::format("run: {} ms takes the run past 2^53 steps; valid: a shorter time", ms));
  const auto t_run = clock_type::now();
  recording rec;
  rec.traces.resize(m.records.size());
  progress_line progress(m.opt.progress, static_cast<double>(end) * m.dt, static_cast<double>(m.eng->step()) * m.dt);
  run_status st = run_status::complete;
  std::int64_t chunk = std::min<std::int64_t>(n, 100);
  const double v_lo = m.v_bounds.at(0), v_hi = m.v_bounds.at(1);
  m.failure.clear();
  while (m.eng->step() < end) {
    if (stop && stop()) {
      st = run_status::interrupted;
      m.failure = fmt::format("interrupted at t = {:.{}f} ms", static_cast<double>(m.eng->step()) * m.dt,
                              time_decimals(m.dt));
      break;
    }
    const auto tc = clock_type::now();
    const std::int64_t before = m.eng->step();
    const std::int64_t k = std::min(chunk, end - before);
    m.eng->run(k, rec);
    m.sampled = true;
    m.append(rec);
    if (const auto f = m.eng->find_fault(v_lo, v_hi)) {
      st = run_status::numerical_failure;
      m.failed = true;
      m.failure = describe_fault(*f, m.faults, v_lo, v_hi, static_cast<double>(m.eng->step()) * m.dt,
                                 static_cast<double>(before) * m.dt);
      break;
    }
    const double took = seconds_since(tc);
    if (took > 0) chunk = std::clamp<std::int64_t>(static_cast<std::int64_t>(k * 0.25 / took), 100, 100000);
    progress.update(static_cast<double>(m.eng->step()) * m.dt);
  }
  if (!m.sampled) {  // run(0): the initial sample
    m.eng->run(0, rec);
    m.sampled = true;
    m.append(rec);
  }
  progress.finish();
  m.s.run_s += seconds_since(t_run);
  m.s.status = st;
  m.s.stopped_why = st == run_status::complete ? std::string() : m.failure;
  return st;
}

std::int64_t session::step() const { return p_->eng ? p_->eng->step() : p_->lost.step; }
double session::time() const { return static_cast<double>(step()) * p_->dt; }
double session::dt() const { return p_->dt; }
const network& session::model() const { return p_->net; }
const std::string& session::failure() const { return p_->failure; }
std::string session::engine_description() const { return p_->live().describe(); }

std::vector<double> session::get(const std::string& population, const std::string& variable, std::uint32_t& columns) {
  impl& m = *p_;
  const population_layout& p = m.population(population);
  const int a = m.array_index(p, variable);
  m.flush();
  const group_shape& g = m.groups[static_cast<std::size_t>(p.group)];
  const std::uint32_t ninst = g.ninst[static_cast<std::size_t>(a)];
  const std::string name = g.cell_type + "." + variable;
  for (const auto& arr : m.eng->state()) {
    if (arr.name != name) continue;
    std::vector<double> out(static_cast<std::size_t>(p.size) * ninst);
    for (std::uint32_t k = 0; k < p.size; ++k)
      for (std::uint32_t i = 0; i < ninst; ++i)
        out[static_cast<std::size_t>(k) * ninst + i] = arr.values[static_cast<std::size_t>(i) * g.ncells + p.first + k];
    columns = ninst;
    return out;
  }
  throw internal_error("session::get: the engine has no state " + name);
}

void session::set(const std::string& population, const std::string& variable, const std::vector<double>& values) {
  impl& m = *p_;
  const population_layout& p = m.population(population);
  const int a = m.array_index(p, variable);
  const group_shape& g = m.groups[static_cast<std::size_t>(p.group)];
  const std::uint32_t ninst = g.ninst[static_cast<std::size_t>(a)];
  const std::size_t whole = static_cast<std::size_t>(p.size) * ninst;
  if (values.size() != whole && values.size() != p.size && values.size() != 1)
    throw model_error(fmt::format("set {}.{}: {} values; valid: {} (one per cell{}){}", population, variable,
                                  values.size(), p.size, ninst > 1 ? fmt::format(", or {} × {} per place", p.size, ninst) : "",
                                  ", or one for every cell"));
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      throw model_error(fmt::format("set {}.{}: value {} is {}; valid: finite numbers", population, variable, i,
                                    show_number(values[i])));
  state_edit e;
  e.group = static_cast<std::size_t>(p.group);
  e.variable = variable;
  e.first = p.first;
  e.size = p.size;
  e.ninst = ninst;
  e.values.resize(whole);
  for (std::size_t j = 0; j < whole; ++j)
    e.values[j] = values.size() == whole ? values[j] : values.size() == 1 ? values[0] : values[j / ninst];
  m.edits.push_back(std::move(e));
  m.failed = false;
}

std::vector<std::string> session::variables(const std::string& population) {
  impl& m = *p_;
  return m.groups[static_cast<std::size_t>(m.population(population).group)].arrays;
}

std::vector<double> session::weights(const std::string& projection) {
  impl& m = *p_;
  const std::size_t q = m.plastic_index(projection);
  m.flush();
  for (auto& arr : m.eng->state())
    if (arr.name == m.plastic[q].name + ".weight") return std::move(arr.values);
  throw internal_error("session::weights: the engine has no weights of " + projection);
}

void session::connections(const std::string& projection, std::vector<std::uint32_t>& pre,
                          std::vector<std::uint32_t>& post) {
  impl& m = *p_;
  const std::size_t q = m.plastic_index(projection);
  pre = m.plastic[q].pre;
  post = m.plastic[q].post;
}

void session::set_weights(const std::string& projection, const std::vector<double>& w) {
  impl& m = *p_;
  const std::size_t q = m.plastic_index(projection);
  const plastic_shape& P = m.plastic[q];
  if (P.calcium)
    throw model_error(fmt::format("set_weights {}: a calcium-rule projection's weight follows its calcium between "
                                  "events and cannot be set alone; valid: set it in the model (w0) and start anew",
                                  projection));
  if (w.size() != P.pre.size())
    throw model_error(fmt::format("set_weights {}: {} values; valid: {} (one per connection)", projection, w.size(),
                                  P.pre.size()));
  for (std::size_t i = 0; i < w.size(); ++i)
    if (!std::isfinite(w[i]))
      throw model_error(fmt::format("set_weights {}: weight {} is {}; valid: finite numbers", projection, i,
                                    show_number(w[i])));
  m.wedits.push_back({q, w});
  m.failed = false;
}

void session::update(network net) {
  impl& m = *p_;
  const simulation_desc& a = m.net.sim;
  simulation_desc& b = net.sim;
  if (m.opt.engine) b.engine = *m.opt.engine;
  if (m.opt.prec) b.prec = *m.opt.prec;
  if (m.opt.mode) b.mode = *m.opt.mode;
  if (m.opt.seed) b.seed = *m.opt.seed;
  if (a.dt != b.dt || a.seed != b.seed || a.prec != b.prec || a.mode != b.mode)
    throw model_error(fmt::format("update: the changed model's [simulation] dt, seed, precision or mode differs from "
                                  "the running one's (dt {} ms, seed {}); valid: the same, or a new simulation",
                                  a.dt, a.seed));
  check(net);
  add_measure_records(net);  // the same hidden records, so that the record indices match
  if (net.records.size() != m.records.size())
    throw model_error("update: the changed model records other things; valid: the same [[record]] tables");
  network old = std::move(m.net);
  m.net = std::move(net);
  try {
    m.make(true);
  } catch (...) {
    m.net = std::move(old);
    // The old engine is gone where the new one could not be made: the model
    // as it was, with its state and edits (its own failure, if any, says
    // so at the next use: live()).
    if (!m.eng) {
      try {
        m.make(true);
      } catch (...) {
      }
    }
    throw;
  }
  m.v_bounds = m.net.sim.v_bounds;
  m.failed = false;
}

std::vector<named_array> session::state() {
  p_->flush();
  return p_->eng->state();
}

const session_spikes& session::spikes() const { return p_->spikes; }
const std::vector<session_trace>& session::traces() const { return p_->traces; }

void session::clear_recordings() {
  impl& m = *p_;
  m.spikes = {};
  for (auto& t : m.traces) {
    t.steps.clear();
    t.values.clear();
  }
}

run_summary session::summary() {
  impl& m = *p_;
  m.flush();
  run_summary s = m.s;
  s.steps = m.eng->step();
  s.duration = static_cast<double>(s.steps) * m.dt;
  count_spikes(m.counts, m.eng->spike_counts(), s);
  s.measurements.clear();
  finish_measures(m.measures, m.kept, m.dt, s);
  return s;
}

}  // namespace ranvier
