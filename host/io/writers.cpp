// CSV writers for spikes and sampled traces.
#include "host/io/writers.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <map>
#include <system_error>

#include <fmt/format.h>

#include "host/errors.hpp"

namespace ranvier {

int time_decimals(double dt) {
  for (int d = 0; d <= 9; ++d) {
    const double scaled = dt * std::pow(10.0, d);
    if (std::fabs(scaled - std::round(scaled)) < 1e-9 * std::max(1.0, scaled)) return d;
  }
  return 9;
}

output_writer::file output_writer::open(const std::string& name) {
  file f;
  f.final_path = dir_ / name;
  f.partial_path = dir_ / (name + ".partial");
  f.f = std::fopen(f.partial_path.c_str(), "w");
  if (!f.f)
    throw model_error(fmt::format("cannot write {}: {}; valid: an --out directory that can be written",
                                  f.partial_path.string(), std::generic_category().message(errno)));
  return f;
}

template <class T>
output_writer::output_writer(const std::filesystem::path& dir, const image<T>& img)
    : dir_(dir), dt_(img.dt), time_decimals_(time_decimals(img.dt)) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec)
    throw model_error(fmt::format("cannot create the output directory {}: {}; valid: a path that can be created",
                                  dir_.string(), ec.message()));
  for (const auto& p : img.populations) {
    population_names_.push_back(p.name);
    population_gid_base_.push_back(p.gid_base);
  }
  spike_population_.assign(img.nsources, -1);
  traces_.resize(img.records.size());
  trace_columns_.resize(img.records.size(), 0);
  std::map<std::string, int> names_seen;
  for (std::size_t r = 0; r < img.records.size(); ++r) {
    const auto& rp = img.records[r];
    if (rp.hidden) continue;
    if (rp.plastic >= 0) {
      const auto& P = img.plastic[rp.plastic];
      const std::string base = fmt::format("{}.{}", P.name, rp.variable);
      const int seen = ++names_seen[base];
      const std::string name = seen == 1 ? base + ".csv" : fmt::format("{}.{}.csv", base, seen);
      if (rp.kind == sample_kind::weights_final) {
        final_weights fw;
        fw.projection = P.name;
        fw.pre = P.pre;
        fw.post = P.post;
        for (auto d : P.delay) fw.delay_ms.push_back(d * img.dt);
        fw.out = open(name);
        finals_.push_back(std::move(fw));
        continue;
      }
      traces_[r] = open(name);
      trace_columns_[r] = rp.columns.size();
      std::string header = "time_ms";
      for (const auto& c : rp.columns) header += "," + c;
      std::fprintf(traces_[r].f, "%s\n", header.c_str());
      continue;
    }
    const auto& pop = img.populations[rp.population];
    if (rp.spikes) {
      any_spikes_ = true;
      for (auto c : rp.cells) spike_population_[pop.gid_base + c] = rp.population;
      continue;
    }
    // POP.VAR.csv; along a section POP.VAR.along_SECTION.csv; a second record
    // of the same gets .2, a third .3, ...
    std::string base = rp.along.empty() ? fmt::format("{}.{}", pop.name, rp.variable)
                                        : fmt::format("{}.{}.along_{}", pop.name, rp.variable, rp.along);
    const int seen = ++names_seen[base];
    traces_[r] = open(seen == 1 ? base + ".csv" : fmt::format("{}.{}.csv", base, seen));
    trace_columns_[r] = rp.columns.size();
    std::string header = "time_ms";
    for (const auto& c : rp.columns) header += "," + c;
    std::fprintf(traces_[r].f, "%s\n", header.c_str());
  }
  if (any_spikes_) {
    spikes_ = open("spikes.csv");
    std::fprintf(spikes_.f, "time_ms,population,index\n");
  }
}

template output_writer::output_writer(const std::filesystem::path&, const image<float>&);
template output_writer::output_writer(const std::filesystem::path&, const image<double>&);

output_writer::~output_writer() {
  // Not committed: an exception is unwinding. Leave nothing half-written.
  auto drop = [](file& f) {
    if (!f.f) return;
    std::fclose(f.f);
    f.f = nullptr;
    std::error_code ec;
    std::filesystem::remove(f.partial_path, ec);
  };
  drop(spikes_);
  for (auto& t : traces_) drop(t);
  for (auto& fw : finals_) drop(fw.out);
}

void output_writer::write_final_weights(const std::vector<std::pair<std::string, std::vector<double>>>& weights) {
  for (auto& fw : finals_) {
    const std::vector<double>* w = nullptr;
    for (const auto& [name, values] : weights)
      if (name == fw.projection + ".weight") w = &values;
    if (!w || w->size() != fw.pre.size())
      throw internal_error("write_final_weights: no weights of projection " + fw.projection);
    std::string buf = "pre,post,weight,delay_ms\n";
    for (std::size_t c = 0; c < fw.pre.size(); ++c)
      fmt::format_to(std::back_inserter(buf), "{},{},{:.9g},{:.{}f}\n", fw.pre[c], fw.post[c], (*w)[c], fw.delay_ms[c],
                     time_decimals_);
    std::fwrite(buf.data(), 1, buf.size(), fw.out.f);
  }
}

void output_writer::write(const recording& rec) {
  if (any_spikes_) {
    std::string buf;
    for (const auto& s : rec.spikes) {
      const int p = spike_population_[s.gid];
      if (p < 0) continue;
      fmt::format_to(std::back_inserter(buf), "{:.{}f},{},{}\n", static_cast<double>(s.step) * dt_, time_decimals_,
                     population_names_[p], s.gid - population_gid_base_[p]);
    }
    std::fwrite(buf.data(), 1, buf.size(), spikes_.f);
  }
  for (std::size_t r = 0; r < traces_.size() && r < rec.traces.size(); ++r) {
    if (!traces_[r].f) continue;
    const auto& tb = rec.traces[r];
    const std::size_t n = trace_columns_[r];
    std::string buf;
    for (std::size_t row = 0; row < tb.steps.size(); ++row) {
      fmt::format_to(std::back_inserter(buf), "{:.{}f}", static_cast<double>(tb.steps[row]) * dt_, time_decimals_);
      for (std::size_t c = 0; c < n; ++c) fmt::format_to(std::back_inserter(buf), ",{:.9g}", tb.values[row * n + c]);
      buf += '\n';
    }
    std::fwrite(buf.data(), 1, buf.size(), traces_[r].f);
  }
}

namespace {
// Flushes f; throws io_error saying which file and why if writing failed.
void flush_or_throw(std::FILE* f, const std::filesystem::path& path) {
  errno = 0;
  if (std::fflush(f) == 0 && !std::ferror(f)) return;
  const int e = errno;
  throw io_error(fmt::format("writing {} failed: {}{}", path.string(),
                             e ? std::generic_category().message(e) : std::string("an error of the stream"),
                             e == ENOSPC ? " (the disk is full: free space or choose another --out)" : ""));
}
}  // namespace

void output_writer::flush() {
  const auto one = [](const file& f) {
    if (f.f) flush_or_throw(f.f, f.partial_path);
  };
  one(spikes_);
  for (const auto& t : traces_) one(t);
  for (const auto& fw : finals_) one(fw.out);
}

std::vector<std::filesystem::path> output_writer::partial_paths() const {
  std::vector<std::filesystem::path> out;
  const auto one = [&](const file& f) {
    if (f.f) out.push_back(f.partial_path);
  };
  one(spikes_);
  for (const auto& t : traces_) one(t);
  for (const auto& fw : finals_) one(fw.out);
  return out;
}

std::vector<std::filesystem::path> output_writer::commit() {
  auto finish = [this](file& f) {
    if (!f.f) return;
    flush_or_throw(f.f, f.partial_path);
    const bool closed = std::fclose(f.f) == 0;
    f.f = nullptr;
    if (!closed)
      throw io_error(fmt::format("closing {} failed: {}", f.partial_path.string(), std::generic_category().message(errno)));
    std::error_code ec;
    std::filesystem::rename(f.partial_path, f.final_path, ec);
    if (ec)
      throw io_error(fmt::format("renaming {} to {} failed: {}", f.partial_path.string(), f.final_path.string(),
                                 ec.message()));
    written_.push_back(f.final_path);
  };
  finish(spikes_);
  for (auto& t : traces_) finish(t);
  for (auto& fw : finals_) finish(fw.out);
  return written_;
}

}  // namespace ranvier
