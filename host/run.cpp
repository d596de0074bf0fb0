// The run driver. Nothing is created on disk until the description has been
// checked, built and packed; outputs are committed (renamed into place) only
// when the run completes.
#include "host/run.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <ostream>
#include <system_error>
#include <unistd.h>

#include <fmt/format.h>

#include "host/checkpoint.hpp"
#include "host/model/check.hpp"
#include "host/model/model_file.hpp"
#include "host/build/morphology.hpp"
#include "host/engines/engine.hpp"
#include "host/engines/static_rows.hpp"
#include "host/estimate.hpp"
#include "host/errors.hpp"
#include "host/io/writers.hpp"
#include "host/run_parts.hpp"

namespace ranvier {

namespace detail {

// The first upward crossing of `threshold` in a trace sampled every step,
// interpolated linearly within the step [ms]; −1 if none.
static double first_crossing(const std::vector<double>& v, double dt, double threshold) {
  for (std::size_t k = 1; k < v.size(); ++k)
    if (v[k - 1] < threshold && v[k] >= threshold)
      return dt * (static_cast<double>(k - 1) + (threshold - v[k - 1]) / (v[k] - v[k - 1]));
  return -1.0;
}

std::string describe_fault(const numeric_fault& f, const fault_context& c, double v_lo, double v_hi, double t_ms,
                           double t_ok_ms, bool outputs_cut) {
  std::string who = fmt::format("cell {} of cell type {}", f.cell, c.cell_types[f.group]);
  for (const auto& p : c.populations)
    if (p.kind == population_kind::cell && p.group == static_cast<int>(f.group) && f.cell >= p.first &&
        f.cell < static_cast<std::uint64_t>(p.first) + p.size)
      who = fmt::format("population {}, cell {}", p.name, f.cell - p.first);
  const auto& names = c.node_names[f.group];
  const std::string where = names.empty() ? std::string() : fmt::format(", at {}", names.at(f.node));
  const auto value = [&] {
    return std::isnan(f.value)   ? std::string("NaN")
           : std::isinf(f.value) ? std::string(f.value > 0 ? "+infinity" : "-infinity")
                                 : fmt::format("{:.6g}", f.value);
  };
  const std::string hint = fmt::format(
      "Hint: a time step too large for the fastest channel or synapse of cell type {} (dt = {} ms: try a smaller "
      "dt), a conductance or stimulus far too large, or a parameter in the wrong unit",
      c.cell_types[f.group], c.dt);
  const int dec = time_decimals(c.dt);
  if (f.step >= 0)  // the detector's: exact
    return fmt::format("numerical failure at t = {:.{}f} ms: {}{}: v left v_bounds [{}, {}] mV or was not a number at "
                       "the end of that step ({} mV at t = {:.{}f} ms, where the run stopped{}). {}",
                       static_cast<double>(f.step) * c.dt, dec, who, where, v_lo, v_hi, value(), t_ms, dec,
                       outputs_cut ? "; the outputs end at the failure" : "", hint);
  return fmt::format("numerical failure by t = {:.{}f} ms (the check at t = {:.{}f} ms found none): {}{}: {} = {}{}. {}{}",
                     t_ms, dec, t_ok_ms, dec, who, where, f.variable, value(),
                     f.variable == "v" ? fmt::format(" mV, outside v_bounds [{}, {}] mV or not a number", v_lo, v_hi) : "",
                     hint, f.variable == "v" ? "" : "; the voltage was still within bounds: look first at this state's own equation");
}

std::vector<pending_measure> add_measure_records(network& net) {
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
  return measures;
}

void finish_measures(std::vector<pending_measure>& measures, const std::vector<std::vector<double>>& kept, double dt,
                     run_summary& s) {
  for (auto& pm : measures) {
    pm.m.t_from_ms = first_crossing(kept[pm.record_from], dt, pm.threshold);
    pm.m.t_to_ms = first_crossing(kept[pm.record_to], dt, pm.threshold);
    s.measurements.push_back(pm.m);
  }
}

template <class T> fault_context make_fault_context(const image<T>& img) {
  fault_context fc;
  fc.populations = img.populations;
  fc.dt = img.dt;
  for (const auto& g : img.groups) {
    fc.cell_types.push_back(g.cell_type);
    fc.node_names.push_back(g.node_names);
  }
  return fc;
}
template fault_context make_fault_context(const image<float>&);
template fault_context make_fault_context(const image<double>&);

template <class T> run_counts count_image(const image<T>& img_ref, run_summary& s, bool delay_runs) {
  s.cells = img_ref.ncells();
  s.generators = 0;
  for (const auto& g : img_ref.generators) s.generators += g.params.ncells;
  s.connections = img_ref.nconnections();
  s.compartments = img_ref.ncompartments();
  s.ring_bits = img_ref.narrow_ring() ? 32 : 64;
  s.steps = img_ref.nsteps;
  s.dt = img_ref.dt;
  s.duration = static_cast<double>(img_ref.nsteps) * img_ref.dt;
  s.steps_planned = img_ref.nsteps;
  run_counts c;
  c.populations = img_ref.populations;
  const double ring_word = img_ref.narrow_ring() ? 4.0 : 8.0;
  for (const auto& g : img_ref.groups) {
    for (int a = 0; a < g.narrays(); ++a) c.bytes_per_step += 2.0 * g.array(a).size() * sizeof(T);  // read, write
    std::uint64_t locations = 0;
    for (const auto& r : g.receptors) locations += r.ninst();
    c.bytes_per_step += static_cast<double>(g.ncells) * (8.0 /* last spike */ + 2.0 * ring_word * locations /* ring */);
    if (g.cable) {
      // Per-instance parameters and node indices, read; the solver's d and
      // rhs written at assembly, read and written by the elimination, read
      // by the back substitution (4 passes each), ica and gca where a pool
      // reads them (written, read); the tree's constants, shared by the
      // cells, stay in cache.
      for (const auto& m : g.mechs) c.bytes_per_step += m.param.size() * sizeof(T) + m.node.size() * 4.0;
      const double scratch_arrays = g.has_ca() ? 4.0 : 2.0;
      c.bytes_per_step += 4.0 * scratch_arrays * g.nnodes * g.ncells * sizeof(T);
    }
  }
  // A static connection as the device's layout keeps it (target; weight or
  // class; delay, unless the class gives it or its row's run does: a run's
  // 8 B and the row's 8 read once a spike, shared among its connections),
  // and its ring entry read and written. (The CPU engine's runs are also
  // split by thread: a little more than this.)
  double delay_bytes = !img_ref.class_delay.empty() ? 0.0 : !img_ref.delay16.empty() ? 2.0 : 4.0;
  if (delay_bytes > 0 && delay_runs) {
    const std::uint64_t runs = single_share_delay_runs(img_ref), n = img_ref.target.size();
    if (delay_runs_pay(runs, img_ref.nsources, n, static_cast<std::uint32_t>(delay_bytes)))
      delay_bytes = 8.0 * static_cast<double>(runs + img_ref.nsources + 1) / static_cast<double>(std::max<std::uint64_t>(n, 1));
  }
  s.static_connection_bytes = 4.0 + (img_ref.cls.empty() ? sizeof(T) : 1.0) + delay_bytes;
  c.bytes_per_event = s.static_connection_bytes + 2.0 * ring_word;
  auto& outdegree = c.outdegree;
  outdegree.resize(img_ref.nsources);
  for (std::size_t g = 0; g < outdegree.size(); ++g) outdegree[g] = img_ref.row[g + 1] - img_ref.row[g];
  auto& plastic_outdegree = c.plastic_outdegree;
  plastic_outdegree.resize(img_ref.plastic.empty() ? 0 : img_ref.nsources);
  for (const auto& p : img_ref.plastic)
    for (std::uint32_t i = 0; i < p.npre; ++i) plastic_outdegree[p.pre_gid_base + i] += p.row[i + 1] - p.row[i];
  for (std::size_t g = 0; g < plastic_outdegree.size(); ++g) outdegree[g] += plastic_outdegree[g];
  return c;
}
template run_counts count_image(const image<float>&, run_summary&, bool);
template run_counts count_image(const image<double>&, run_summary&, bool);

void count_spikes(const run_counts& c, const std::vector<std::uint32_t>& counts, run_summary& s) {
  s.spikes = s.synaptic_events = s.plastic_events = 0;
  for (std::size_t g = 0; g < counts.size(); ++g) {
    s.spikes += counts[g];
    s.synaptic_events += counts[g] * c.outdegree[g];
    if (!c.plastic_outdegree.empty()) s.plastic_events += counts[g] * c.plastic_outdegree[g];
  }
  s.bytes_moved = c.bytes_per_step * static_cast<double>(s.steps) + c.bytes_per_event * static_cast<double>(s.synaptic_events);
  s.populations.clear();
  for (const auto& p : c.populations) {
    population_summary ps;
    ps.name = p.name;
    ps.size = p.size;
    for (std::uint32_t k = 0; k < p.size; ++k) ps.spikes += counts[p.gid_base + k];
    ps.rate_hz = s.duration > 0 ? static_cast<double>(ps.spikes) / (p.size * s.duration * 1e-3) : 0.0;
    s.populations.push_back(ps);
  }
}

}  // namespace detail

using namespace detail;

namespace {


std::atomic<int> g_interrupt{0};
// The first SIGINT or SIGTERM asks the run to stop after its chunk; a second
// one (the run still building, say) ends the process at once, as without a
// handler. Both calls are async-signal-safe.
extern "C" void on_interrupt(int sig) {
  if (g_interrupt.exchange(sig, std::memory_order_relaxed) != 0) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}

// Writes text to dir/name atomically: a temporary file in the same
// directory, flushed, then renamed over the old one.
void write_atomically(const std::filesystem::path& dir, const std::string& name, const std::string& text) {
  const auto final_path = dir / name, tmp = dir / (name + ".tmp");
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f)
    throw io_error(fmt::format("cannot write {}: {}", tmp.string(), std::generic_category().message(errno)));
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0;
  const int e = errno;
  std::fclose(f);
  if (!ok)
    throw io_error(fmt::format("writing {} failed: {}{}", tmp.string(), std::generic_category().message(e),
                               e == ENOSPC ? " (the disk is full)" : ""));
  std::error_code ec;
  std::filesystem::rename(tmp, final_path, ec);
  if (ec) throw io_error(fmt::format("renaming {} to {} failed: {}", tmp.string(), final_path.string(), ec.message()));
}

// progress.json in the output directory while a run goes: how far it got
// and which files hold its outputs so far. Replaced after every chunk (the
// outputs flushed first), removed when summary.json is written: after a
// kill, it tells how far the run got and that it did not end.
constexpr const char* progress_marker = "progress.json";
void write_progress_marker(const std::filesystem::path& dir, const output_writer& w, std::int64_t step,
                           std::int64_t nsteps, double dt) {
  std::string files;
  for (const auto& f : w.partial_paths())
    files += fmt::format("{}\"{}\"", files.empty() ? "" : ", ", f.filename().string());
  write_atomically(dir, progress_marker,
                   fmt::format("{{\n  \"status\": \"running\",\n  \"steps\": {},\n  \"steps_planned\": {},\n"
                               "  \"t_ms\": {},\n  \"dt_ms\": {},\n  \"files\": [{}]\n}}\n",
                               step, nsteps, static_cast<double>(step) * dt, dt, files));
}

// Drops the spikes and samples of a chunk's recording after step `last`
// (a numerical failure's step: what follows it is not the model's).
void cut_after(recording& rec, std::int64_t last) {
  std::erase_if(rec.spikes, [last](const spike_event& e) { return e.step > last; });
  for (auto& t : rec.traces) {
    if (t.steps.empty()) continue;
    const std::size_t cols = t.values.size() / t.steps.size();
    std::size_t keep = 0;
    while (keep < t.steps.size() && t.steps[keep] <= last) ++keep;
    t.steps.resize(keep);
    t.values.resize(keep * cols);
  }
}

// An earlier run's summary.json describes outputs this run replaces: while
// the run goes it is set aside as summary.json.earlier (progress.json stands
// for this run), and it is removed once this run's summary is written. A
// run that fails before that (an output that cannot be written, a CUDA
// error, memory) leaves its outputs uncommitted (output_writer), its
// progress.json is removed and the earlier summary put back: the directory
// is as the earlier run left it.
class earlier_summary {
 public:
  explicit earlier_summary(const std::optional<std::filesystem::path>& dir) {
    if (!dir) return;
    dir_ = *dir;
    std::error_code ec;
    // (A summary set aside by a run that was killed is still the last
    // complete run's: it stays aside.)
    if (std::filesystem::exists(*dir / "summary.json", ec)) {
      std::filesystem::rename(*dir / "summary.json", *dir / aside, ec);
      if (ec)
        throw io_error(fmt::format("setting aside the earlier run's {} failed: {}", (*dir / "summary.json").string(),
                                   ec.message()));
    }
  }
  earlier_summary(const earlier_summary&) = delete;
  earlier_summary& operator=(const earlier_summary&) = delete;
  // This run's summary is written: the earlier one goes.
  void replaced() {
    if (dir_.empty()) return;
    std::error_code ec;
    std::filesystem::remove(dir_ / aside, ec);
    dir_.clear();
  }
  // The run failed: its progress.json (whose files are gone) goes, the
  // earlier summary, if any, comes back.
  ~earlier_summary() {
    if (dir_.empty()) return;
    std::error_code ec;
    std::filesystem::remove(dir_ / progress_marker, ec);
    if (std::filesystem::exists(dir_ / aside, ec)) std::filesystem::rename(dir_ / aside, dir_ / "summary.json", ec);
  }

 private:
  static constexpr const char* aside = "summary.json.earlier";
  std::filesystem::path dir_;
};

// A run's checkpoints, and the one it resumes.
struct checkpoint_plan {
  std::int64_t every = 0;  // [steps]; 0: no checkpoints
  std::filesystem::path dir;
  checkpoint base;                   // the model and settings every checkpoint repeats
  const checkpoint* from = nullptr;  // resuming: the checkpoint
  std::optional<output_resume> outputs;  // resuming: where the outputs continue from
};

template <class T>
void run_image(image<T>& img_ref, any_image& holder, const run_options& opt, const std::vector<double>& v_bounds,
               std::vector<pending_measure>& measures, checkpoint_plan& plan, run_summary& s,
               std::optional<earlier_summary>& earlier) {
  const auto t_setup = clock_type::now();
  const run_counts counts = count_image(img_ref, s, opt.delay_runs);  // before the engine takes the image
  const fault_context fc = make_fault_context(img_ref);
  if (plan.every > 0 || plan.from) {
    plan.base.static_checksum = static_checksum(img_ref);
    plan.base.inputs_checksum = inputs_checksum(img_ref);
    if (plan.from && plan.from->static_checksum != plan.base.static_checksum)
      throw model_error(fmt::format(
          "resuming: the network rebuilt from the checkpoint's model differs from the one that wrote it (its cells or "
          "connections differ: another version of Ranvier ({} wrote it), or an SWC file the model reads has changed); "
          "valid: resume with the Ranvier and the files that wrote the checkpoint",
          plan.from->ranvier_version));
    if (plan.from && plan.from->inputs_checksum && plan.from->inputs_checksum != plan.base.inputs_checksum)
      throw model_error(fmt::format(
          "resuming: a file the model reads has changed since the checkpoint was written: the given spike times (a "
          "spike_times population's file) or a cable cell's morphology (its SWC file) differ from the run's (model "
          "{}); valid: resume with the files that wrote the checkpoint",
          plan.from->model_source));
  }

  std::unique_ptr<output_writer> writer;
  if (opt.out) {
    writer = std::make_unique<output_writer>(*opt.out, img_ref, plan.outputs ? &*plan.outputs : nullptr);
  }
  const std::size_t nrecords = img_ref.records.size();
  std::vector<bool> img_ref_hidden(nrecords);
  for (std::size_t r = 0; r < nrecords; ++r) img_ref_hidden[r] = img_ref.records[r].hidden;
  std::vector<std::vector<double>> kept(nrecords);  // hidden records' samples, for the measurements
  if (plan.from) {
    if (plan.from->kept.size() != nrecords)
      throw model_error(fmt::format("checkpoint: it kept samples of {} records; this model has {}", plan.from->kept.size(),
                                    nrecords));
    kept = plan.from->kept;
    apply_image_state(img_ref, plan.from->state);
  }
  const std::int64_t nsteps = img_ref.nsteps;
  const double dt = img_ref.dt;

  // Only the spike records' sources: the writer keeps no other spikes.
  img_ref.spikes_of_records_only = true;
  engine_options eo;
  eo.choice = img_ref.engine;
  eo.threads = opt.threads;
  eo.cuda_fused = opt.cuda_fused;
  eo.delay_runs = opt.delay_runs;
  // The engine takes the image: from here on img_ref is empty.
  auto eng = make_engine(std::move(holder), eo, &s.engine_why);
  s.engine = eng->describe();
  if (plan.from) {
    eng->resume_state(plan.from->state);
    s.resumed_from = plan.from->state.step;
  }
  s.setup_s = seconds_since(t_setup);

  const auto t_run = clock_type::now();
  recording rec;
  rec.traces.resize(nrecords);
  progress_line progress(opt.progress, s.duration, static_cast<double>(eng->step()) * dt);
  const auto keep_hidden = [&] {
    for (std::size_t r = 0; r < nrecords; ++r)
      if (img_ref_hidden[r]) kept[r].insert(kept[r].end(), rec.traces[r].values.begin(), rec.traces[r].values.end());
  };
  // Chunks of about half a second of wall time: progress stays live and the
  // recording buffers stay small.
  std::int64_t chunk = std::min<std::int64_t>(nsteps, 100);
  const double v_lo = v_bounds.at(0), v_hi = v_bounds.at(1);
  const auto mark_progress = [&] {
    if (writer) write_progress_marker(*opt.out, *writer, eng->step(), nsteps, dt);
  };
  // A checkpoint of now: the outputs on disk first, so that the positions
  // it keeps are there whatever happens next.
  s.checkpoint_dir = plan.dir;
  const auto save_checkpoint = [&] {
    if (plan.every <= 0 || eng->step() == 0 || eng->step() == s.checkpoint_step) return;
    if (writer) writer->sync();
    checkpoint c = plan.base;
    c.state = eng->save_state();
    c.engine_description = s.engine;
    if (writer) c.outputs = writer->positions();
    c.kept = kept;
    write_checkpoint(plan.dir, c);
    s.checkpoint_step = eng->step();
  };
  // From here this run stands in DIR (progress.json); before, a failure
  // (a checkpoint refused, no engine) leaves DIR untouched.
  earlier.emplace(opt.out);
  mark_progress();
  while (eng->step() < nsteps) {
    if (const int sig = interrupt_signal()) {
      s.status = run_status::interrupted;
      s.signal = sig;
      s.stopped_why = fmt::format("interrupted by {} at t = {:.{}f} ms",
                                  sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : fmt::format("signal {}", sig),
                                  static_cast<double>(eng->step()) * dt, time_decimals(dt));
      request_interrupt(0);  // handled: a later run in this process is not interrupted by it
      save_checkpoint();
      break;
    }
    const auto tc = clock_type::now();
    const std::int64_t before = eng->step();
    std::int64_t n = std::min(chunk, nsteps - before);
    if (plan.every > 0) n = std::min(n, (before / plan.every + 1) * plan.every - before);  // end at the next checkpoint
    eng->run(n, rec);
    const auto f = eng->find_fault(v_lo, v_hi);
    if (f && f->step >= 0) {  // the outputs end at the step that failed
      cut_after(rec, f->step);
      s.outputs_end_step = f->step;
    }
    keep_hidden();
    if (writer) writer->write(rec);
    rec.clear();
    if (f) {
      s.status = run_status::numerical_failure;
      s.stopped_why = describe_fault(*f, fc, v_lo, v_hi, static_cast<double>(eng->step()) * dt,
                                     static_cast<double>(before) * dt, true);
      break;
    }
    if (writer) writer->flush();
    if (plan.every > 0 && eng->step() % plan.every == 0) save_checkpoint();
    mark_progress();
    const double took = seconds_since(tc);
    if (took > 0) chunk = std::clamp<std::int64_t>(static_cast<std::int64_t>(n * 0.5 / took), 100, 100000);
    progress.update(static_cast<double>(eng->step()) * dt);
  }
  if (eng->step() == 0) eng->run(0, rec);  // the initial sample, when no step was taken
  keep_hidden();
  if (s.status == run_status::complete) {  // the end, for a later resume with a longer duration
    if (writer) writer->write(rec);
    rec.clear();
    save_checkpoint();
  }
  s.steps = eng->step();
  s.duration = static_cast<double>(s.steps) * dt;
  s.device_bytes = eng->device_bytes();
  s.host = eng->host_timing();
  finish_measures(measures, kept, dt, s);
  if (writer) {
    writer->write(rec);
    if (writer->wants_final_weights()) {
      std::vector<std::pair<std::string, std::vector<double>>> weights;
      for (auto& a : eng->state())
        if (a.name.size() > 7 && a.name.compare(a.name.size() - 7, 7, ".weight") == 0)
          weights.emplace_back(a.name, std::move(a.values));
      writer->write_final_weights(weights);
    }
    // From the first rename on, the earlier run's outputs are being
    // replaced: its summary no longer describes DIR, whatever happens next.
    if (earlier) earlier->replaced();
    s.files = writer->commit();
  }
  progress.finish();
  s.run_s = seconds_since(t_run);

  count_spikes(counts, eng->spike_counts(), s);
}

}  // namespace

void check_memory(const network& net) {
  const resource_estimate e = estimate_resources(net);
  const double avail = available_host_memory();
  if (avail > 0.0 && e.host_bytes > avail) {
    const auto& d = e.dominant();
    throw model_error(fmt::format(
        "{}: the network needs about {} of memory while running ({} at the peak of building; the most: {}, {}), "
        "and {} are available; valid: fewer connections (a lower probability or in-degree), cells or recorded "
        "samples (`ranvier info {}` shows the estimate by part)",
        net.source, human_bytes(e.host_bytes), human_bytes(e.host_build_bytes), d.name, human_bytes(d.host_bytes),
        human_bytes(avail), net.source));
  }
}

const char* to_string(run_status st) {
  switch (st) {
    case run_status::complete: return "complete";
    case run_status::numerical_failure: return "numerical failure";
    case run_status::interrupted: return "interrupted";
  }
  return "?";
}

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}
void request_interrupt(int sig) { g_interrupt.store(sig, std::memory_order_relaxed); }
int interrupt_signal() { return g_interrupt.load(std::memory_order_relaxed); }

void write_summary_file(const std::filesystem::path& dir, const run_summary& s) {
  write_atomically(dir, "summary.json", summary_json(s));
  std::error_code ec;
  std::filesystem::remove(dir / progress_marker, ec);
}

void apply_overrides(network& net, const run_options& opt) {
  // An overridden value is the flag's: errors about it name the flag, not
  // the model file's line.
  const auto flag = [&](const char* key, const char* name) { net.sim.keys[key] = source_loc{"", 0, 0, name}; };
  if (opt.engine) {
    net.sim.engine = *opt.engine;
    flag("engine", "--engine");
  }
  if (opt.duration) {
    net.sim.duration = *opt.duration;
    flag("duration", "--duration");
  }
  if (opt.seed) {
    net.sim.seed = *opt.seed;
    flag("seed", "--seed");
  }
}

namespace {

// Runs a checked network: its measurements' hidden records, building and
// packing, the run; then summary.json.
run_summary run_checked(network& net, const run_options& opt, checkpoint_plan& plan, run_summary s,
                        clock_type::time_point t0) {
  check_memory(net);  // before anything is allocated
  std::vector<pending_measure> measures = add_measure_records(net);
  // What runs out of memory all the same is named, with the estimate.
  const auto out_of_memory = [&](const char* doing) {
    const resource_estimate e = estimate_resources(net);
    return resource_error(fmt::format(
        "{}: out of host memory while {} (estimated: {} while running, {} at the peak of building; {} available); "
        "valid: a smaller network or fewer recorded samples (`ranvier info {}` shows the estimate by part)",
        net.source, doing, human_bytes(e.host_bytes), human_bytes(e.host_build_bytes), human_bytes(available_host_memory()),
        net.source));
  };
  pack_timing pt;
  pt.progress = opt.progress;
  any_image img;
  try {
    img = pack(net, opt.threads, pt);
  } catch (const std::bad_alloc&) {
    throw out_of_memory("building and packing the network");
  }
  s.build_s = seconds_since(t0);
  std::optional<earlier_summary> earlier;
  try {
    std::visit([&](auto& im) { run_image(im, img, opt, net.sim.v_bounds, measures, plan, s, earlier); }, img);
  } catch (const std::bad_alloc&) {
    throw out_of_memory("setting up the engine or running (state, ring buffer, recording)");
  }
  s.setup_s += pt.pack_s;
  s.build_s -= pt.pack_s;
  if (opt.out) {
    write_summary_file(*opt.out, s);
    if (earlier) earlier->replaced();
  }
  return s;
}

// The checkpoint interval in steps: a finite time of at least dt.
std::int64_t checkpoint_steps(double every_ms, double dt, const std::string& where) {
  if (!(every_ms >= dt) || !std::isfinite(every_ms))
    throw model_error(fmt::format("{}--checkpoint-every {} ms: valid: a finite time of at least dt ({} ms)", where,
                                  every_ms, dt));
  return std::max<std::int64_t>(1, std::llround(every_ms / dt));
}

}  // namespace

run_summary run_network(network net, const run_options& opt) {
  apply_overrides(net, opt);
  run_summary s;
  const auto t0 = clock_type::now();
  check(net);
  checkpoint_plan plan;
  if (opt.checkpoint_dir && !opt.checkpoint_every)
    throw model_error("--checkpoint-dir without --checkpoint-every: valid: both, or --checkpoint-every alone (into "
                      "OUT/checkpoint)");
  if (opt.checkpoint_every) {
    plan.every = checkpoint_steps(*opt.checkpoint_every, net.sim.dt, "");
    if (net.text.empty())
      throw model_error(fmt::format("{}: checkpoints keep the model's text, and this network was built in code; valid: "
                                    "a model read from a file or from text (parse_model)",
                                    net.source));
    if (opt.checkpoint_dir) plan.dir = *opt.checkpoint_dir;
    else if (opt.out) plan.dir = *opt.out / "checkpoint";
    else throw model_error("--checkpoint-every without an output directory: valid: --checkpoint-dir DIR or --out DIR");
    prepare_checkpoint_dir(plan.dir);
    std::error_code ec;
    checkpoint& b = plan.base;
    b.model_source = net.source == "<builder>" ? net.source : std::filesystem::absolute(net.source, ec).string();
    b.model_text = net.text;
    b.seed = net.sim.seed;
    b.engine = net.sim.engine;
    b.duration = net.sim.duration;
    b.precision = net.sim.prec == precision::single ? 4 : 8;
    b.mode = net.sim.mode;
    b.out = opt.out ? std::filesystem::absolute(*opt.out, ec).string() : std::string();
    b.out_from_checkpoint = opt.out ? out_from_checkpoint(*opt.out, plan.dir) : std::string();
    b.every = *opt.checkpoint_every;
  }
  return run_checked(net, opt, plan, s, t0);
}

run_summary resume_run(const std::filesystem::path& dir, const run_options& opt) {
  const auto t0 = clock_type::now();
  const checkpoint c = read_checkpoint(dir);
  if (opt.seed)
    throw model_error(fmt::format("resume {}: --seed: a resumed run keeps the seed of the run it continues ({}); valid: "
                                  "no --seed",
                                  dir.string(), c.seed));
  if (c.ranvier_version != RANVIER_VERSION)
    std::fprintf(stderr, "ranvier: note: the checkpoint was written by Ranvier %s, this is %s\n",
                 c.ranvier_version.c_str(), RANVIER_VERSION);
  network net = parse_model(c.model_text, c.model_source);
  net.sim.seed = c.seed;
  net.sim.engine = c.engine;
  net.sim.duration = c.duration;
  run_options flags;  // the flags that may change a resumed run
  flags.engine = opt.engine;
  flags.duration = opt.duration;
  apply_overrides(net, flags);
  const double t_checkpoint = static_cast<double>(c.state.step) * net.sim.dt;
  if (!(net.sim.duration >= t_checkpoint))
    throw model_error(fmt::format("resume {}: --duration {} ms ends before the checkpoint (t = {} ms); valid: a "
                                  "duration of at least {} ms (the end of the run, from 0)",
                                  dir.string(), net.sim.duration, t_checkpoint, t_checkpoint));
  check(net);
  checkpoint_plan plan;
  plan.from = &c;
  plan.base = c;
  plan.base.state = {};
  plan.base.outputs.clear();
  plan.base.kept.clear();
  plan.base.engine = net.sim.engine;
  plan.base.duration = net.sim.duration;
  const double every = opt.checkpoint_every ? *opt.checkpoint_every : c.every;
  plan.every = checkpoint_steps(every, net.sim.dt, fmt::format("resume {}: ", dir.string()));
  plan.base.every = every;
  // ("checkpoint.rvc" alone: the working directory.)
  const std::filesystem::path parent = dir.parent_path().empty() ? std::filesystem::path(".") : dir.parent_path();
  plan.dir = opt.checkpoint_dir ? *opt.checkpoint_dir : (std::filesystem::is_directory(dir) ? dir : parent);
  if (plan.every > 0) prepare_checkpoint_dir(plan.dir);
  run_options o = opt;
  std::error_code ec;
  // The run's outputs: the first place that holds them of next to the
  // checkpoint (a run directory copied or moved continues its own), where
  // the run wrote them, and --out (resumed_outputs).
  const std::filesystem::path here = std::filesystem::is_directory(dir) ? dir : parent;  // where the checkpoint is
  const std::filesystem::path earlier = c.out.empty() ? std::filesystem::path() : resumed_outputs(c, here, o.out);
  if (!o.out && !c.out.empty()) o.out = earlier;
  if (o.out) {
    plan.base.out = std::filesystem::absolute(*o.out, ec).string();
    plan.base.out_from_checkpoint = out_from_checkpoint(*o.out, plan.dir);
    if (!c.out.empty()) plan.outputs = output_resume{earlier, c.outputs};
  }
  return run_checked(net, o, plan, run_summary{}, t0);
}

void print_summary(std::ostream& os, const run_summary& s) {
  os << fmt::format("engine      {}\n", s.engine);
  os << fmt::format("            ({})\n", s.engine_why);
  os << fmt::format("network     {} cells, {} generators, {} connections\n", s.cells, s.generators, s.connections);
  os << fmt::format("simulated   {} ms in {} steps of {} ms{}\n", s.duration, s.steps, s.dt,
                    s.status == run_status::complete ? std::string()
                                                     : fmt::format(" of {} planned: {}", s.steps_planned, to_string(s.status)));
  if (s.outputs_end_step >= 0)
    os << fmt::format("outputs     end at {} ms, the failing step (counts and rates: to {} ms)\n",
                      static_cast<double>(s.outputs_end_step) * s.dt, s.duration);
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
  if (s.resumed_from >= 0) os << fmt::format("resumed     from step {} (t = {} ms)\n", s.resumed_from, s.resumed_from * s.dt);
  if (s.checkpoint_step >= 0)
    os << fmt::format("checkpoint  {} at step {} (t = {} ms)\n", checkpoint_file(s.checkpoint_dir).string(),
                      s.checkpoint_step, s.checkpoint_step * s.dt);
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
      "{{\n  \"status\": \"{}\",\n  \"stopped_why\": \"{}\",\n  \"steps_planned\": {},\n"
      "  \"resumed_from_step\": {},\n  \"checkpoint_step\": {},\n"
      "  \"engine\": \"{}\",\n  \"cells\": {},\n  \"compartments\": {},\n  \"generators\": {},\n"
      "  \"connections\": {},\n  \"steps\": {},\n  \"dt_ms\": {},\n  \"duration_ms\": {},\n  \"outputs_end_ms\": {},\n"
      "  \"build_s\": {:.6f},\n"
      "  \"setup_s\": {:.6f},\n  \"run_s\": {:.6f},\n  \"spikes\": {},\n  \"synaptic_events\": {},\n"
      "  \"neuron_steps_per_s\": {:.6g},\n  \"compartment_steps_per_s\": {:.6g},\n  \"synaptic_events_per_s\": {:.6g},\n"
      "  \"realtime_factor\": {:.6g},\n  \"bytes_moved\": {:.6g},\n  \"populations\": [\n    {}\n  ],\n"
      "  \"measurements\": [{}{}{}],\n  \"files\": [{}]\n}}\n",
      to_string(s.status), esc(s.stopped_why), s.steps_planned, s.resumed_from, s.checkpoint_step, esc(s.engine), s.cells, s.compartments, s.generators, s.connections, s.steps, s.dt, s.duration,
      s.outputs_end_step >= 0 ? static_cast<double>(s.outputs_end_step) * s.dt : s.duration, s.build_s,
      s.setup_s, s.run_s, s.spikes, s.synaptic_events, s.neuron_steps_per_s(), s.compartment_steps_per_s(),
      s.events_per_s(), s.realtime_factor(), s.bytes_moved, pops, meas.empty() ? "" : "\n    ", meas,
      meas.empty() ? "" : "\n  ", files);
}

}  // namespace ranvier
