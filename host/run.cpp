// The run driver. Nothing is created on disk until the description has been
// checked, built and packed; outputs are committed (renamed into place) only
// when the run completes.
#include "host/run.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <unistd.h>

#include <fmt/format.h>

#include "host/model/check.hpp"
#include "host/build/morphology.hpp"
#include "host/engines/engine.hpp"
#include "host/errors.hpp"
#include "host/io/writers.hpp"

namespace ranvier {

namespace {

using clock_type = std::chrono::steady_clock;
double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// A progress line on stderr, at most once a second and only once the run has
// taken a few seconds.
class progress_line {
 public:
  progress_line(bool enabled, double duration_ms) : enabled_(enabled), duration_(duration_ms), t0_(clock_type::now()) {
    tty_ = isatty(fileno(stderr));
  }
  void update(double t_ms) {
    if (!enabled_) return;
    const double wall = seconds_since(t0_);
    if (wall < 3.0 || wall - last_ < 1.0) return;
    last_ = wall;
    shown_ = true;
    const double rtf = wall / (t_ms * 1e-3);
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

// The first upward crossing of `threshold` in a trace sampled every step,
// interpolated linearly within the step [ms]; −1 if none.
double first_crossing(const std::vector<double>& v, double dt, double threshold) {
  for (std::size_t k = 1; k < v.size(); ++k)
    if (v[k - 1] < threshold && v[k] >= threshold)
      return dt * (static_cast<double>(k - 1) + (threshold - v[k - 1]) / (v[k] - v[k - 1]));
  return -1.0;
}

template <class T>
void run_image(image<T>& img_ref, any_image& holder, const run_options& opt, std::vector<pending_measure>& measures,
               run_summary& s) {
  const auto t_setup = clock_type::now();
  // Summary facts from the image before the engine takes it.
  s.cells = img_ref.ncells();
  s.generators = 0;
  for (const auto& g : img_ref.generators) s.generators += g.params.ncells;
  s.connections = img_ref.nconnections();
  s.compartments = img_ref.ncompartments();
  s.steps = img_ref.nsteps;
  s.dt = img_ref.dt;
  s.duration = static_cast<double>(img_ref.nsteps) * img_ref.dt;
  const auto populations = img_ref.populations;
  double bytes_per_step = 0.0;
  for (const auto& g : img_ref.groups) {
    for (int a = 0; a < g.narrays(); ++a) bytes_per_step += 2.0 * g.array(a).size() * sizeof(T);  // read, write
    std::uint64_t locations = 0;
    for (const auto& r : g.receptors) locations += r.ninst();
    bytes_per_step += static_cast<double>(g.ncells) * (8.0 /* last spike */ + 16.0 * locations /* ring */);
    if (g.cable) {
      // Per-instance parameters and node indices, read; the solver's d and
      // rhs written at assembly, read and written by the elimination, read
      // by the back substitution (4 passes each), ica and gca where a pool
      // reads them (written, read); the tree's constants, shared by the
      // cells, stay in cache.
      for (const auto& m : g.mechs) bytes_per_step += m.param.size() * sizeof(T) + m.node.size() * 4.0;
      const double scratch_arrays = g.has_ca() ? 4.0 : 2.0;
      bytes_per_step += 4.0 * scratch_arrays * g.nnodes * g.ncells * sizeof(T);
    }
  }
  const double bytes_per_event = 4.0 + sizeof(T) + 4.0 + 16.0;  // target, weight, delay; ring read-modify-write
  std::vector<std::uint64_t> outdegree(img_ref.nsources);
  for (std::size_t g = 0; g < outdegree.size(); ++g) outdegree[g] = img_ref.row[g + 1] - img_ref.row[g];
  std::vector<std::uint64_t> plastic_outdegree(img_ref.plastic.empty() ? 0 : img_ref.nsources);
  for (const auto& p : img_ref.plastic)
    for (std::uint32_t i = 0; i < p.npre; ++i) plastic_outdegree[p.pre_gid_base + i] += p.row[i + 1] - p.row[i];
  for (std::size_t g = 0; g < plastic_outdegree.size(); ++g) outdegree[g] += plastic_outdegree[g];

  std::unique_ptr<output_writer> writer;
  if (opt.out) writer = std::make_unique<output_writer>(*opt.out, img_ref);
  const std::size_t nrecords = img_ref.records.size();
  std::vector<bool> img_ref_hidden(nrecords);
  for (std::size_t r = 0; r < nrecords; ++r) img_ref_hidden[r] = img_ref.records[r].hidden;
  std::vector<std::vector<double>> kept(nrecords);  // hidden records' samples, for the measurements
  const std::int64_t nsteps = img_ref.nsteps;
  const double dt = img_ref.dt;

  engine_options eo;
  eo.choice = img_ref.engine;
  eo.threads = opt.threads;
  // The engine takes the image: from here on img_ref is empty.
  auto eng = make_engine(std::move(holder), eo, &s.engine_why);
  s.engine = eng->describe();
  s.setup_s = seconds_since(t_setup);

  const auto t_run = clock_type::now();
  recording rec;
  rec.traces.resize(nrecords);
  progress_line progress(opt.progress, s.duration);
  const auto keep_hidden = [&] {
    for (std::size_t r = 0; r < nrecords; ++r)
      if (img_ref_hidden[r]) kept[r].insert(kept[r].end(), rec.traces[r].values.begin(), rec.traces[r].values.end());
  };
  // Chunks of about half a second of wall time: progress stays live and the
  // recording buffers stay small.
  std::int64_t chunk = std::min<std::int64_t>(nsteps, 100);
  while (eng->step() < nsteps) {
    const auto tc = clock_type::now();
    const std::int64_t n = std::min(chunk, nsteps - eng->step());
    eng->run(n, rec);
    keep_hidden();
    if (writer) writer->write(rec);
    rec.clear();
    const double took = seconds_since(tc);
    if (took > 0) chunk = std::clamp<std::int64_t>(static_cast<std::int64_t>(n * 0.5 / took), 100, 100000);
    progress.update(static_cast<double>(eng->step()) * dt);
  }
  if (nsteps == 0) eng->run(0, rec);
  keep_hidden();
  for (auto& pm : measures) {
    pm.m.t_from_ms = first_crossing(kept[pm.record_from], dt, pm.threshold);
    pm.m.t_to_ms = first_crossing(kept[pm.record_to], dt, pm.threshold);
    s.measurements.push_back(pm.m);
  }
  if (writer) {
    writer->write(rec);
    if (writer->wants_final_weights()) {
      std::vector<std::pair<std::string, std::vector<double>>> weights;
      for (auto& a : eng->state())
        if (a.name.size() > 7 && a.name.compare(a.name.size() - 7, 7, ".weight") == 0)
          weights.emplace_back(a.name, std::move(a.values));
      writer->write_final_weights(weights);
    }
    s.files = writer->commit();
  }
  progress.finish();
  s.run_s = seconds_since(t_run);

  const auto counts = eng->spike_counts();
  for (std::size_t g = 0; g < counts.size(); ++g) {
    s.spikes += counts[g];
    s.synaptic_events += counts[g] * outdegree[g];
    if (!plastic_outdegree.empty()) s.plastic_events += counts[g] * plastic_outdegree[g];
  }
  s.bytes_moved = bytes_per_step * static_cast<double>(s.steps) + bytes_per_event * static_cast<double>(s.synaptic_events);
  for (const auto& p : populations) {
    population_summary ps;
    ps.name = p.name;
    ps.size = p.size;
    for (std::uint32_t c = 0; c < p.size; ++c) ps.spikes += counts[p.gid_base + c];
    ps.rate_hz = s.duration > 0 ? static_cast<double>(ps.spikes) / (p.size * s.duration * 1e-3) : 0.0;
    s.populations.push_back(ps);
  }
}

// The host memory a network needs at the least, from its description: each
// connection's target, weight and delay (16 B; building takes more) and each
// cell's voltage and spike bookkeeping (20 B; its mechanisms more), with the
// connections each rule makes on average. A lower bound, so that refusing a
// network that exceeds the memory available is never wrong.
struct memory_floor {
  double connections = 0.0, cells = 0.0, bytes = 0.0;
};
memory_floor least_memory(const network& net) {
  memory_floor m;
  for (const auto& p : net.populations)
    if (p.kind == population_kind::cell) m.cells += static_cast<double>(p.size);
  for (const auto& pr : net.projections) {
    const population_desc* pre = net.find_population(pr.pre);
    const population_desc* post = net.find_population(pr.post);
    if (!pre || !post) continue;
    const double a = static_cast<double>(pre->size), b = static_cast<double>(post->size);
    switch (pr.rule) {
      case connect_rule::all_to_all: m.connections += a * b - (pre == post && !pr.autapses ? b : 0.0); break;
      case connect_rule::one_to_one: m.connections += b; break;
      case connect_rule::fixed_probability: m.connections += pr.probability * a * b * (pre == post && !pr.autapses ? (a - 1.0) / a : 1.0); break;
      case connect_rule::fixed_indegree: m.connections += static_cast<double>(pr.indegree) * b; break;
      case connect_rule::list: m.connections += static_cast<double>(pr.pairs.size()); break;
    }
  }
  m.bytes = 16.0 * m.connections + 20.0 * m.cells;
  return m;
}

// MemAvailable of /proc/meminfo [bytes], or 0 where it cannot be read.
double available_memory() {
  std::ifstream f("/proc/meminfo");
  std::string key;
  double kb = 0.0;
  std::string unit;
  while (f >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024.0;
  return 0.0;
}

}  // namespace

void check_memory(const network& net) {
  const memory_floor m = least_memory(net);
  const double avail = available_memory();
  if (avail > 0.0 && m.bytes > avail)
    throw model_error(fmt::format(
        "{}: the network needs at least {:.3g} GB of memory ({:.3g} connections x 16 B, {:.3g} cells x 20 B; building "
        "takes more), and {:.3g} GB are available; valid: fewer connections (a lower probability or in-degree) or cells",
        net.source, m.bytes / 1e9, m.connections, m.cells, avail / 1e9));
}

void apply_overrides(network& net, const run_options& opt) {
  if (opt.engine) net.sim.engine = *opt.engine;
  if (opt.duration) net.sim.duration = *opt.duration;
  if (opt.seed) net.sim.seed = *opt.seed;
}

run_summary run_network(network net, const run_options& opt) {
  apply_overrides(net, opt);
  run_summary s;
  const auto t0 = clock_type::now();
  check(net);
  check_memory(net);  // before anything is allocated
  // Each measurement samples v every step at its two places.
  std::vector<pending_measure> measures;
  for (const auto& md : net.measures) {
    const population_desc* p = net.find_population(md.population);
    const cell_geometry G = discretize(*net.find_cell(p->cell));
    pending_measure pm;
    pm.threshold = md.threshold;
    pm.m.name = md.name;
    const auto a = G.node_at(md.from), b = G.node_at(md.to);
    pm.m.from = G.node_name(a);
    pm.m.to = G.node_name(b);
    pm.m.distance_um = G.path_distance(a, b);
    for (const auto* loc : {&md.from, &md.to}) {
      record_desc r;
      r.where = md.where;
      r.population = md.population;
      r.variable.push_back('v');  // (not = "v": GCC 12 warns falsely, PR 105329)
      r.cells = {md.cell};
      r.location = *loc;
      r.hidden = true;
      (loc == &md.from ? pm.record_from : pm.record_to) = net.records.size();
      net.records.push_back(r);
    }
    measures.push_back(pm);
  }
  pack_timing pt;
  any_image img = pack(net, opt.threads, pt);
  s.build_s = seconds_since(t0);
  std::visit([&](auto& im) { run_image(im, img, opt, measures, s); }, img);
  s.setup_s += pt.pack_s;
  s.build_s -= pt.pack_s;
  return s;
}

void print_summary(std::ostream& os, const run_summary& s) {
  os << fmt::format("engine      {}\n", s.engine);
  os << fmt::format("            ({})\n", s.engine_why);
  os << fmt::format("network     {} cells, {} generators, {} connections\n", s.cells, s.generators, s.connections);
  os << fmt::format("simulated   {} ms in {} steps of {} ms\n", s.duration, s.steps, s.dt);
  for (const auto& p : s.populations)
    os << fmt::format("  {:<12} {:>8} cells {:>10} spikes {:>9.3f} Hz\n", p.name, p.size, p.spikes, p.rate_hz);
  for (const auto& m : s.measurements) {
    if (m.ok())
      os << fmt::format("measure     {}: {} -> {}, {:.1f} um in {:.4f} ms: {:.4g} m/s\n", m.name, m.from, m.to,
                        m.distance_um, m.delay_ms(), m.velocity_m_per_s());
    else
      os << fmt::format("measure     {}: {} -> {}: no spike crossed both places\n", m.name, m.from, m.to);
  }
  os << fmt::format("wall time   build {:.3f} s, setup {:.3f} s, run {:.3f} s\n", s.build_s, s.setup_s, s.run_s);
  if (s.compartments != s.cells)
    os << fmt::format("throughput  {:.4g} compartment-steps/s ({} compartments), {:.4g} synaptic events/s, "
                      "real-time factor {:.3g}\n",
                      s.compartment_steps_per_s(), s.compartments, s.events_per_s(), s.realtime_factor());
  else
    os << fmt::format("throughput  {:.4g} neuron-steps/s, {:.4g} synaptic events/s, real-time factor {:.3g}\n",
                      s.neuron_steps_per_s(), s.events_per_s(), s.realtime_factor());
  for (const auto& f : s.files) os << fmt::format("wrote       {}\n", f.string());
}

std::string summary_json(const run_summary& s) {
  auto esc = [](const std::string& x) {
    std::string o;
    for (char c : x) {
      if (c == '"' || c == '\\') o += '\\';
      o += c;
    }
    return o;
  };
  std::string pops;
  for (const auto& p : s.populations) {
    if (!pops.empty()) pops += ",\n    ";
    pops += fmt::format("{{\"name\": \"{}\", \"size\": {}, \"spikes\": {}, \"rate_hz\": {:.6g}}}", esc(p.name), p.size,
                        p.spikes, p.rate_hz);
  }
  std::string files;  // the run's own outputs, by name (tools/plot draws these)
  for (const auto& f : s.files) files += fmt::format("{}\"{}\"", files.empty() ? "" : ", ", esc(f.filename().string()));
  std::string meas;
  for (const auto& m : s.measurements) {
    if (!meas.empty()) meas += ",\n    ";
    meas += fmt::format(
        "{{\"name\": \"{}\", \"from\": \"{}\", \"to\": \"{}\", \"distance_um\": {:.6g}, \"t_from_ms\": {:.6g}, "
        "\"t_to_ms\": {:.6g}, \"delay_ms\": {:.6g}, \"velocity_m_per_s\": {}}}",
        esc(m.name), esc(m.from), esc(m.to), m.distance_um, m.t_from_ms, m.t_to_ms, m.ok() ? m.delay_ms() : 0.0,
        m.ok() ? fmt::format("{:.6g}", m.velocity_m_per_s()) : std::string("null"));
  }
  return fmt::format(
      "{{\n  \"engine\": \"{}\",\n  \"cells\": {},\n  \"compartments\": {},\n  \"generators\": {},\n"
      "  \"connections\": {},\n  \"steps\": {},\n  \"dt_ms\": {},\n  \"duration_ms\": {},\n  \"build_s\": {:.6f},\n"
      "  \"setup_s\": {:.6f},\n  \"run_s\": {:.6f},\n  \"spikes\": {},\n  \"synaptic_events\": {},\n"
      "  \"neuron_steps_per_s\": {:.6g},\n  \"compartment_steps_per_s\": {:.6g},\n  \"synaptic_events_per_s\": {:.6g},\n"
      "  \"realtime_factor\": {:.6g},\n  \"bytes_moved\": {:.6g},\n  \"populations\": [\n    {}\n  ],\n"
      "  \"measurements\": [{}{}{}],\n  \"files\": [{}]\n}}\n",
      esc(s.engine), s.cells, s.compartments, s.generators, s.connections, s.steps, s.dt, s.duration, s.build_s,
      s.setup_s, s.run_s, s.spikes, s.synaptic_events, s.neuron_steps_per_s(), s.compartment_steps_per_s(),
      s.events_per_s(), s.realtime_factor(), s.bytes_moved, pops, meas.empty() ? "" : "\n    ", meas,
      meas.empty() ? "" : "\n  ", files);
}

}  // namespace ranvier
