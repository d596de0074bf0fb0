// The checkpoint file: "RANVIER-CHECKPNT", the format (u32), the number of
// sections (u64), then each section (u32 name length, the name, u32 bytes a
// value, u64 bytes, the bytes), then the checksum64 of everything before
// (u64). The run's settings are sections named "meta.*"; the engine's state
// keeps its own names. Little-endian, as every machine Ranvier builds for.
#include "host/checkpoint.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "host/errors.hpp"
#include "host/io/checksum.hpp"

#ifndef RANVIER_VERSION
#define RANVIER_VERSION "unknown"
#endif

namespace ranvier {

namespace {

constexpr char magic[16] = {'R', 'A', 'N', 'V', 'I', 'E', 'R', '-', 'C', 'H', 'E', 'C', 'K', 'P', 'N', 'T'};
constexpr const char* file_name = "checkpoint.rvc";

void put_string(engine_state& m, const std::string& name, const std::string& v) { m.put(name, v.data(), v.size()); }
template <class X> void put_value(engine_state& m, const std::string& name, X v) { m.put(name, &v, 1); }

std::string get_string(const engine_state& m, const std::string& name) {
  const state_section* s = m.find(name);
  if (!s || s->elem != 1) throw model_error(fmt::format("checkpoint: no section '{}' (a foreign or damaged file)", name));
  return std::string(s->bytes.begin(), s->bytes.end());
}
template <class X> X get_value(const engine_state& m, const std::string& name) {
  X v{};
  m.get(name, &v, 1);
  return v;
}

// Writes through a FILE, keeping the checksum of everything written.
struct sink {
  std::FILE* f;
  checksum64 sum;
  bool ok = true;
  void write(const void* p, std::size_t n) {
    if (n == 0) return;
    ok = ok && std::fwrite(p, 1, n, f) == n;
    sum.update(p, n);
  }
  template <class X> void value(X v) { write(&v, sizeof v); }
};

[[noreturn]] void write_failed(const std::filesystem::path& path, int e) {
  throw io_error(fmt::format("writing the checkpoint {} failed: {}{}", path.string(), std::generic_category().message(e),
                             e == ENOSPC ? " (the disk is full: free space or choose another --checkpoint-dir)" : ""));
}

}  // namespace

std::filesystem::path checkpoint_file(const std::filesystem::path& dir) { return dir / file_name; }

void prepare_checkpoint_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const char* why = nullptr;
  if (ec || !std::filesystem::is_directory(dir, ec)) why = "it cannot be created";
  else if (::access(dir.c_str(), W_OK | X_OK) != 0) why = "it cannot be written";
  if (why)
    throw model_error(fmt::format("checkpoint directory {}: {}{}; valid: a --checkpoint-dir that can be created and "
                                  "written",
                                  dir.string(), why, ec ? " (" + ec.message() + ")" : std::string()));
}

void write_checkpoint(const std::filesystem::path& dir, const checkpoint& c) {
  // The run's settings first, as sections, then the engine's.
  engine_state m;
  put_string(m, "meta.ranvier_version", c.ranvier_version.empty() ? std::string(RANVIER_VERSION) : c.ranvier_version);
  put_string(m, "meta.model_source", c.model_source);
  put_string(m, "meta.model_text", c.model_text);
  put_value(m, "meta.seed", c.seed);
  put_value(m, "meta.engine", static_cast<std::uint32_t>(c.engine));
  put_value(m, "meta.duration", c.duration);
  put_value(m, "meta.precision", c.precision);
  put_value(m, "meta.mode", static_cast<std::uint32_t>(c.mode));
  put_value(m, "meta.static_checksum", c.static_checksum);
  put_string(m, "meta.engine_description", c.engine_description);
  put_string(m, "meta.out", c.out);
  put_string(m, "meta.out_from_checkpoint", c.out_from_checkpoint);
  put_value(m, "meta.inputs_checksum", c.inputs_checksum);
  put_value(m, "meta.every", c.every);
  put_value(m, "meta.step", c.state.step);
  put_value(m, "meta.outputs", static_cast<std::uint64_t>(c.outputs.size()));
  for (std::size_t i = 0; i < c.outputs.size(); ++i) {
    put_string(m, fmt::format("meta.output{}.name", i), c.outputs[i].name);
    put_value(m, fmt::format("meta.output{}.bytes", i), c.outputs[i].bytes);
    put_value(m, fmt::format("meta.output{}.checksum", i), c.outputs[i].checksum);
  }
  put_value(m, "meta.kept", static_cast<std::uint64_t>(c.kept.size()));
  for (std::size_t r = 0; r < c.kept.size(); ++r) m.put(fmt::format("meta.kept{}", r), c.kept[r]);

  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw io_error(fmt::format("cannot create the checkpoint directory {}: {}; valid: a --checkpoint-dir that can be "
                               "created",
                               dir.string(), ec.message()));
  const std::filesystem::path path = checkpoint_file(dir);
  const std::filesystem::path tmp = dir / (std::string(file_name) + ".partial");
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) write_failed(tmp, errno);
  sink out{f, {}};
  out.write(magic, sizeof magic);
  out.value(checkpoint_format);
  out.value(static_cast<std::uint64_t>(m.sections.size() + c.state.sections.size()));
  for (const std::vector<state_section>* list : {&std::as_const(m.sections), &c.state.sections})
    for (const auto& s : *list) {
      out.value(static_cast<std::uint32_t>(s.name.size()));
      out.write(s.name.data(), s.name.size());
      out.value(s.elem);
      out.value(static_cast<std::uint64_t>(s.bytes.size()));
      out.write(s.bytes.data(), s.bytes.size());
    }
  const std::uint64_t sum = out.sum.digest();
  out.ok = out.ok && std::fwrite(&sum, 1, sizeof sum, f) == sizeof sum;
  errno = 0;
  const bool flushed = out.ok && std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  const int e = errno ? errno : EIO;
  std::fclose(f);
  if (!flushed) {
    std::filesystem::remove(tmp, ec);
    write_failed(tmp, e);
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw io_error(fmt::format("renaming {} to {} failed: {}", tmp.string(), path.string(), ec.message()));
  // The rename itself, to disk.
  const int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (d >= 0) {
    ::fsync(d);
    ::close(d);
  }
}

checkpoint read_checkpoint(const std::filesystem::path& dir_or_file) {
  std::error_code ec;
  const std::filesystem::path path =
      std::filesystem::is_directory(dir_or_file, ec) ? checkpoint_file(dir_or_file) : dir_or_file;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    const int e = errno;
    // An output directory given for its checkpoint directory (the default DIR/checkpoint).
    const std::filesystem::path inside = dir_or_file / "checkpoint";
    const std::string hint = std::filesystem::exists(checkpoint_file(inside), ec)
                                 ? fmt::format(" (this looks like a run's output directory: `ranvier resume {}`)",
                                               inside.string())
                                 : std::string();
    throw model_error(fmt::format("no checkpoint at {} ({}); valid: the --checkpoint-dir of a run with "
                                  "--checkpoint-every, or its {}{}",
                                  path.string(), std::generic_category().message(e), file_name, hint));
  }
  std::vector<unsigned char> data;
  {
    unsigned char buf[1 << 16];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.insert(data.end(), buf, buf + n);
    std::fclose(f);
  }
  const std::string where = path.string();
  if (data.size() < sizeof magic || std::memcmp(data.data(), magic, sizeof magic) != 0)
    throw model_error(fmt::format("{}: not a Ranvier checkpoint (it does not start with {}){}", where,
                                  std::string_view(magic, sizeof magic),
                                  data.size() < sizeof magic ? fmt::format("; it has only {} bytes", data.size()) : ""));
  constexpr std::size_t head = sizeof magic + 4 + 8, tail = 8;
  if (data.size() >= sizeof magic + 4) {
    std::uint32_t format = 0;
    std::memcpy(&format, data.data() + sizeof magic, 4);
    if (format != checkpoint_format)
      throw model_error(fmt::format("{}: a checkpoint of format {}; this Ranvier ({}) reads format {}; valid: resume it "
                                    "with the Ranvier that wrote it",
                                    where, format, RANVIER_VERSION, checkpoint_format));
  }
  const auto damaged = [&](const std::string& what) {
    return model_error(fmt::format("{}: the checkpoint is damaged ({}; {} bytes); it is refused. A run writes each "
                                   "checkpoint whole or not at all, so a damaged one was cut or changed afterwards "
                                   "(a copy, the disk); valid: an intact checkpoint",
                                   where, what, data.size()));
  };
  if (data.size() < head + tail) throw damaged("truncated: shorter than its header");
  std::uint64_t stored = 0;
  std::memcpy(&stored, data.data() + data.size() - tail, tail);
  if (checksum_of(data.data(), data.size() - tail) != stored)
    throw damaged("its checksum does not match: truncated or corrupted");
  std::size_t at = sizeof magic + 4;
  const auto take = [&](void* p, std::size_t n) {
    if (at + n > data.size() - tail) throw damaged("a section runs past the end");
    if (n == 0) return;
    std::memcpy(p, data.data() + at, n);
    at += n;
  };
  std::uint64_t nsections = 0;
  take(&nsections, 8);
  engine_state all;
  for (std::uint64_t i = 0; i < nsections; ++i) {
    std::uint32_t len = 0;
    take(&len, 4);
    state_section s;
    s.name.resize(len);
    take(s.name.data(), len);
    take(&s.elem, 4);
    std::uint64_t n = 0;
    take(&n, 8);
    if (n > data.size()) throw damaged(fmt::format("section '{}' claims {} bytes", s.name, n));
    s.bytes.resize(n);
    take(s.bytes.data(), n);
    all.sections.push_back(std::move(s));
  }
  if (at != data.size() - tail) throw damaged("bytes after the last section");

  checkpoint c;
  c.ranvier_version = get_string(all, "meta.ranvier_version");
  c.model_source = get_string(all, "meta.model_source");
  c.model_text = get_string(all, "meta.model_text");
  c.seed = get_value<std::uint64_t>(all, "meta.seed");
  c.engine = static_cast<engine_choice>(get_value<std::uint32_t>(all, "meta.engine"));
  c.duration = get_value<double>(all, "meta.duration");
  c.precision = get_value<std::uint32_t>(all, "meta.precision");
  c.mode = static_cast<arith_mode>(get_value<std::uint32_t>(all, "meta.mode"));
  c.static_checksum = get_value<std::uint64_t>(all, "meta.static_checksum");
  c.engine_description = get_string(all, "meta.engine_description");
  c.out = get_string(all, "meta.out");
  // (Not in checkpoints of earlier versions: then empty and 0, unchecked.)
  if (all.find("meta.out_from_checkpoint")) c.out_from_checkpoint = get_string(all, "meta.out_from_checkpoint");
  if (all.find("meta.inputs_checksum")) c.inputs_checksum = get_value<std::uint64_t>(all, "meta.inputs_checksum");
  c.every = get_value<double>(all, "meta.every");
  c.state.step = get_value<std::int64_t>(all, "meta.step");
  const auto noutputs = get_value<std::uint64_t>(all, "meta.outputs");
  for (std::uint64_t i = 0; i < noutputs; ++i)
    c.outputs.push_back({get_string(all, fmt::format("meta.output{}.name", i)),
                         get_value<std::uint64_t>(all, fmt::format("meta.output{}.bytes", i)),
                         get_value<std::uint64_t>(all, fmt::format("meta.output{}.checksum", i))});
  const auto nkept = get_value<std::uint64_t>(all, "meta.kept");
  for (std::uint64_t r = 0; r < nkept; ++r) {
    const state_section* s = all.find(fmt::format("meta.kept{}", r));
    if (!s || s->elem != sizeof(double)) throw damaged(fmt::format("no section meta.kept{}", r));
    std::vector<double> v(s->count());
    all.get(s->name, v);
    c.kept.push_back(std::move(v));
  }
  for (auto& s : all.sections)
    if (s.name.compare(0, 5, "meta.") != 0) c.state.sections.push_back(std::move(s));
  return c;
}

template <class T> std::uint64_t static_checksum(const image<T>& img, bool weights) {
  checksum64 c;
  const auto value = [&](auto v) { c.update(&v, sizeof v); };
  const auto array = [&](const auto& v) {
    value(static_cast<std::uint64_t>(v.size()));
    c.update(v.data(), v.size() * sizeof(v[0]));
  };
  value(img.dt);
  value(static_cast<std::uint32_t>(sizeof(T)));
  value(img.nsources);
  value(img.ntargets);
  value(img.ring_depth);
  value(img.history);
  for (const auto& g : img.groups) {
    value(g.ncells);
    value(g.nnodes);
    value(g.gid_base);
    value(g.narrays());
    for (int a = 0; a < g.narrays(); ++a) value(static_cast<std::uint64_t>(g.array(a).size()));
  }
  array(img.row);
  array(img.target);
  // Weights and delays hashed per connection, as T and as 32-bit values,
  // however they are stored (classes, 16-bit delays: checkpoints written
  // before those stay valid).
  const auto expanded = [&](auto one, const auto& at) {
    const std::uint64_t n = img.target.size();
    value(n);
    decltype(one) part[4096];
    for (std::uint64_t a = 0; a < n; a += 4096) {
      const std::size_t m = static_cast<std::size_t>(std::min<std::uint64_t>(4096, n - a));
      for (std::size_t i = 0; i < m; ++i) part[i] = at(a + i);
      c.update(part, m * sizeof part[0]);
    }
  };
  if (weights) expanded(T{}, [&](std::uint64_t k) { return img.weight_at(k); });
  expanded(std::uint32_t{}, [&](std::uint64_t k) { return img.delay_at(k); });
  for (const auto& p : img.plastic) {
    array(p.row);
    array(p.target);
    array(p.delay);
    array(p.post);
  }
  return c.digest();
}

template std::uint64_t static_checksum(const image<float>&, bool);
template std::uint64_t static_checksum(const image<double>&, bool);

template <class T> std::uint64_t inputs_checksum(const image<T>& img) {
  checksum64 c;
  const auto array = [&](const auto& v) {
    const std::uint64_t n = v.size();
    c.update(&n, sizeof n);
    c.update(v.data(), v.size() * sizeof(v[0]));
  };
  for (const auto& g : img.groups) {
    array(g.parent);
    array(g.ga);
    array(g.dbase);
    array(g.afac);
    array(g.gpas);
    array(g.epas);
  }
  for (const auto& s : img.spike_sources) {
    array(s.step);
    array(s.cell);
  }
  const std::uint64_t d = c.digest();
  return d ? d : 1;  // 0 means "not kept"
}

template std::uint64_t inputs_checksum(const image<float>&);
template std::uint64_t inputs_checksum(const image<double>&);

namespace {
// An absolute, normal path without a trailing separator ("runA/" and
// "runA" are one directory), symbolic links resolved where they exist.
std::filesystem::path plain(const std::filesystem::path& p) {
  std::error_code ec;
  auto q = std::filesystem::weakly_canonical(std::filesystem::absolute(p.empty() ? "." : p, ec), ec).lexically_normal();
  if (!q.has_filename() && q.has_parent_path() && q != q.root_path()) q = q.parent_path();
  return q;
}
}  // namespace

std::string out_from_checkpoint(const std::filesystem::path& out, const std::filesystem::path& dir) {
  const auto o = plain(out);
  const auto d = plain(dir);
  const auto rel = o.lexically_relative(d);
  // Inside: the way from the checkpoint to the outputs only goes up.
  if (rel.empty()) return {};
  for (const auto& part : rel)
    if (part != ".." && part != ".") return {};
  return rel.string();
}

std::filesystem::path resumed_outputs(const checkpoint& c, const std::filesystem::path& checkpoint_dir,
                                      const std::optional<std::filesystem::path>& out) {
  // The first place that holds every output the checkpoint lists: next to
  // the checkpoint (a run directory copied or moved with it inside), where
  // the run wrote them, or --out (a checkpoint kept apart from its outputs).
  std::vector<std::filesystem::path> places;
  const auto add = [&](const std::filesystem::path& p) {
    if (std::find(places.begin(), places.end(), p) == places.end()) places.push_back(p);
  };
  if (!c.out_from_checkpoint.empty()) add(plain(plain(checkpoint_dir) / c.out_from_checkpoint));
  add(plain(c.out));
  if (out) add(plain(*out));
  if (places.size() == 1) return places.front();
  // Which holds them: each output (or, after a kill, its .partial) begins
  // with the bytes the checkpoint saw.
  const auto holds = [&](const std::filesystem::path& dir) {
    for (const auto& o : c.outputs)
      if (!read_output_prefix(dir, o).matches(o)) return false;
    return true;
  };
  for (const auto& p : places)
    if (holds(p)) return p;
  return places.front();  // none: the outputs' own check says which file differs
}

}  // namespace ranvier
