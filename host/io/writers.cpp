// CSV writers for spikes and sampled traces.
#include "host/io/writers.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <map>
#include <system_error>

#include <unistd.h>

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

output_writer::file output_writer::open(const std::string& name, const std::string& header) {
  file f;
  f.final_path = dir_ / name;
  f.partial_path = dir_ / (name + ".partial");
  if (resume_) {
    for (std::size_t i = 0; i < resume_->positions.size(); ++i)
      if (resume_->positions[i].name == name) {
        continue_from(f, resume_->positions[i], verified_[i]);
        return f;
      }
    throw model_error(fmt::format("checkpoint: it kept no position of the output {}; valid: a checkpoint of this "
                                  "model",
                                  name));
  }
  f.f = std::fopen(f.partial_path.c_str(), "w");
  if (!f.f)
    throw model_error(fmt::format("cannot write {}: {}; valid: an --out directory that can be written",
                                  f.partial_path.string(), std::generic_category().message(errno)));
  put(f, header);
  return f;
}

namespace {
// The earlier run's file in dir: NAME.partial if it was stopped or killed,
// else NAME.
std::filesystem::path earlier_file(const std::filesystem::path& dir, const std::string& name) {
  std::error_code ec;
  const std::filesystem::path partial = dir / (name + ".partial");
  return std::filesystem::exists(partial, ec) ? partial : dir / name;
}
}  // namespace

output_prefix read_output_prefix(const std::filesystem::path& dir, const output_position& at) {
  output_prefix p;
  p.file = earlier_file(dir, at.name);
  std::FILE* in = std::fopen(p.file.c_str(), "rb");
  if (!in) {
    p.error = errno;
    return p;
  }
  p.opened = true;
  std::vector<char> buf(1 << 20);
  std::uint64_t left = at.bytes;
  while (left > 0) {
    const std::size_t r =
        std::fread(buf.data(), 1, static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size())), in);
    if (r == 0) break;
    p.sum.update(buf.data(), r);
    left -= r;
    p.got += r;
  }
  std::fclose(in);
  return p;
}

std::filesystem::path output_writer::earlier(const std::string& name) const { return earlier_file(resume_->from, name); }

// Checks that the earlier run's file still starts with what the checkpoint
// saw; returns the running checksum of those bytes. Reads only.
checksum64 output_writer::verify_earlier(const output_position& at) const {
  const output_prefix p = read_output_prefix(resume_->from, at);
  if (!p.opened)
    throw model_error(fmt::format("resuming: cannot open {} ({}), the output the checkpoint continues; valid: the "
                                  "output directory of the run that wrote the checkpoint, as it left it",
                                  p.file.string(), std::generic_category().message(p.error)));
  if (p.got < at.bytes)
    throw model_error(fmt::format("resuming: {} is shorter than when the checkpoint was written ({} bytes then, {} now); "
                                  "valid: the outputs as the run left them",
                                  p.file.string(), at.bytes, p.got));
  if (p.sum.digest() != at.checksum)
    throw model_error(fmt::format("resuming: {} was changed since the checkpoint was written (its first {} bytes "
                                  "differ); valid: the outputs as the run left them",
                                  p.file.string(), at.bytes));
  return p.sum;
}

// Continues the earlier file (verified) from at.bytes: this run's own
// NAME.partial is cut there in place; anything else is copied up to there
// into NAME.partial (a run that ended keeps NAME until this one commits).
void output_writer::continue_from(file& f, const output_position& at, const checksum64& sum) {
  std::error_code ec;
  const std::filesystem::path from = earlier(at.name);
  const bool in_place = std::filesystem::equivalent(from, f.partial_path, ec);
  f.continued = true;
  f.bytes = at.bytes;
  f.sum = sum;
  if (in_place) {
    f.f = std::fopen(f.partial_path.c_str(), "r+b");
    if (!f.f || ::ftruncate(fileno(f.f), static_cast<off_t>(at.bytes)) != 0 || std::fseek(f.f, 0, SEEK_END) != 0)
      throw io_error(fmt::format("cutting {} back to {} bytes failed: {}", from.string(), at.bytes,
                                 std::generic_category().message(errno)));
    return;
  }
  std::FILE* in = std::fopen(from.c_str(), "rb");
  f.f = std::fopen(f.partial_path.c_str(), "wb");
  if (!in || !f.f) {
    if (in) std::fclose(in);
    throw model_error(fmt::format("cannot write {}: {}; valid: an --out directory that can be written",
                                  f.partial_path.string(), std::generic_category().message(errno)));
  }
  std::vector<char> buf(1 << 20);
  std::uint64_t left = at.bytes;
  while (left > 0) {
    const std::size_t r =
        std::fread(buf.data(), 1, static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size())), in);
    if (r == 0 || std::fwrite(buf.data(), 1, r, f.f) != r) break;
    left -= r;
  }
  std::fclose(in);
  if (left > 0) throw io_error(fmt::format("copying {} into {} failed", from.string(), f.partial_path.string()));
}

void output_writer::put(file& f, const std::string& text) {
  // A failed write is reported at the next flush, with its own errno (the
  // stream's error flag alone would not say that the disk is full).
  if (std::fwrite(text.data(), 1, text.size(), f.f) != text.size() && f.error == 0) f.error = errno ? errno : EIO;
  f.bytes += text.size();
  f.sum.update(text.data(), text.size());
}

template <class T>
output_writer::output_writer(const std::filesystem::path& dir, const image<T>& img,
                             const output_resume* resume)
    : dir_(dir), dt_(img.dt), time_decimals_(time_decimals(img.dt)), resume_(resume) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec)
    throw model_error(fmt::format("cannot create the output directory {}: {}; valid: a path that can be created",
                                  dir_.string(), ec.message()));
  // Every earlier output checked before any is touched.
  if (resume_)
    for (const auto& at : resume_->positions) verified_.push_back(verify_earlier(at));
  for (const auto& p : img.populations) {
    population_names_.push_back(p.name);
    population_gid_base_.push_back(p.gid_base);
  }
  spike_population_ = img.spike_record_population();
  traces_.resize(img.records.size());
  trace_columns_.resize(img.records.size(), 0);
  std::map<std::string, int> names_seen;
  for (std::size_t r = 0; r < img.records.size(); ++r) {
    const auto& rp = img.records[r];
    if (rp.hidden) continue;
    std::string header = "time_ms";
    for (const auto& c : rp.columns) header += "," + c;
    header += '\n';
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
        fw.out = open(name, "");
        finals_.push_back(std::move(fw));
        continue;
      }
      traces_[r] = open(name, header);
      trace_columns_[r] = rp.columns.size();
      continue;
    }
    const auto& pop = img.populations[rp.population];
    if (rp.spikes) {
      any_spikes_ = true;
      continue;
    }
    // POP.VAR.csv; along a section POP.VAR.along_SECTION.csv; a second record
    // of the same gets .2, a third .3, ...
    std::string base = rp.along.empty() ? fmt::format("{}.{}", pop.name, rp.variable)
                                        : fmt::format("{}.{}.along_{}", pop.name, rp.variable, rp.along);
    const int seen = ++names_seen[base];
    traces_[r] = open(seen == 1 ? base + ".csv" : fmt::format("{}.{}.csv", base, seen), header);
    trace_columns_[r] = rp.columns.size();
  }
  if (any_spikes_) spikes_ = open("spikes.csv", "time_ms,population,index\n");
  resume_ = nullptr;
}

template output_writer::output_writer(const std::filesystem::path&, const image<float>&,
                                      const output_resume*);
template output_writer::output_writer(const std::filesystem::path&, const image<double>&,
                                      const output_resume*);

output_writer::~output_writer() {
  // Not committed: an exception is unwinding. Leave nothing half-written.
  // A continued file keeps what the earlier run wrote (a later resume cuts
  // it again).
  auto drop = [](file& f) {
    if (!f.f) return;
    std::fclose(f.f);
    f.f = nullptr;
    std::error_code ec;
    if (!f.continued) std::filesystem::remove(f.partial_path, ec);
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
    put(fw.out, buf);
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
    put(spikes_, buf);
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
    put(traces_[r], buf);
  }
}

namespace {
// Flushes f; throws io_error saying which file and why if writing failed
// (now, or at an earlier write whose errno was `earlier`).
void flush_or_throw(std::FILE* f, const std::filesystem::path& path, int earlier) {
  errno = 0;
  if (std::fflush(f) == 0 && !std::ferror(f)) return;
  const int e = earlier ? earlier : errno;
  throw io_error(fmt::format("writing {} failed: {}{}", path.string(),
                             e ? std::generic_category().message(e) : std::string("an error of the stream"),
                             e == ENOSPC ? " (the disk is full: free space or choose another --out)" : ""));
}
}  // namespace

void output_writer::flush() {
  const auto one = [](const file& f) {
    if (f.f) flush_or_throw(f.f, f.partial_path, f.error);
  };
  one(spikes_);
  for (const auto& t : traces_) one(t);
  for (const auto& fw : finals_) one(fw.out);
}

template <class F> void output_writer::each_file(F&& f) const {
  f(spikes_);
  for (const auto& t : traces_) f(t);
  for (const auto& fw : finals_) f(fw.out);
}

void output_writer::sync() {
  flush();
  each_file([](const file& f) {
    if (f.f && ::fsync(fileno(f.f)) != 0 && errno != EINVAL)
      throw io_error(fmt::format("syncing {} failed: {}", f.partial_path.string(), std::generic_category().message(errno)));
  });
}

std::vector<output_position> output_writer::positions() const {
  std::vector<output_position> out;
  each_file([&](const file& f) {
    if (f.f) out.push_back({f.final_path.filename().string(), f.bytes, f.sum.digest()});
  });
  return out;
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
    flush_or_throw(f.f, f.partial_path, f.error);
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
