// An engine's state at a step, as both engines write and read it: named
// arrays in the canonical order (the image's one-block layout, connections
// in the image's order, ring targets in the image's numbering), so that a
// checkpoint written by one engine, thread count or layout is resumed by
// any other. What is not here is rebuilt from the model (connectivity,
// parameters) or recomputed every step (gap-junction partner voltages, the
// cable solver's scratch). Random streams are counter-based (core/rng.hpp:
// seed, stream, step), so the step is their whole state.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "host/errors.hpp"
#include "host/pack/image.hpp"

namespace ranvier {

struct state_section {
  std::string name;
  std::uint32_t elem = 0;            // bytes per value
  std::vector<unsigned char> bytes;  // the values, as they are in memory
  std::uint64_t count() const { return elem ? bytes.size() / elem : 0; }
};

struct engine_state {
  std::int64_t step = 0;  // steps taken
  std::vector<state_section> sections;

  template <class X> void put(std::string name, const X* p, std::size_t n) {
    state_section s;
    s.name = std::move(name);
    s.elem = sizeof(X);
    s.bytes.resize(n * sizeof(X));
    if (n) std::memcpy(s.bytes.data(), p, n * sizeof(X));
    sections.push_back(std::move(s));
  }
  template <class X, class A> void put(std::string name, const std::vector<X, A>& v) {
    put(std::move(name), v.data(), v.size());
  }
  const state_section* find(const std::string& name) const {
    for (const auto& s : sections)
      if (s.name == name) return &s;
    return nullptr;
  }
  // Copies section `name` into p[0, n); the section must hold exactly n
  // values of X (a checkpoint of another model, precision or build fails
  // here, naming what differs).
  template <class X> void get(const std::string& name, X* p, std::size_t n) const {
    const state_section* s = find(name);
    if (!s)
      throw model_error(fmt::format("checkpoint: no section '{}'; valid: a checkpoint of this model, written by this "
                                    "version of Ranvier",
                                    name));
    if (s->elem != sizeof(X) || s->count() != n)
      throw model_error(fmt::format("checkpoint: section '{}' holds {} values of {} bytes; this model needs {} of {} "
                                    "bytes (another model, precision or version wrote it)",
                                    name, s->count(), s->elem, n, sizeof(X)));
    if (n) std::memcpy(p, s->bytes.data(), n * sizeof(X));
  }
  template <class X, class A> void get(const std::string& name, std::vector<X, A>& v) const {
    get(name, v.data(), v.size());
  }
};

// A 64-bit ring value (2^-40 of its unit, as states hold every ring) on
// the 32-bit ring at scale k (image::ring_scale): whether it is one there,
// exactly, and the value.
inline bool narrow_ring_value(std::int64_t q, int k, std::int32_t& out) {
  const int shift = core::fixed_bits - k;
  if (q % (std::int64_t{1} << shift) != 0) return false;
  const std::int64_t n = q / (std::int64_t{1} << shift);
  if (n < INT32_MIN || n > INT32_MAX) return false;
  out = static_cast<std::int32_t>(n);
  return true;
}

// A 32-bit ring's values (rows of targets in the image's numbering) at
// 2^-40 of their unit, as states hold them; and back, where each holds
// (fit_ring saw to it; else an internal error naming the ring).
template <class T> std::vector<std::int64_t> wide_ring_values(const image<T>& img, const std::vector<std::int32_t>& r) {
  std::vector<std::int64_t> out(r.size());
  const std::size_t nt = img.ntargets;
  for (std::size_t i = 0; i < r.size(); ++i)
    out[i] = static_cast<std::int64_t>(r[i]) * (std::int64_t{1} << (core::fixed_bits - img.ring_scale[i % nt]));
  return out;
}
template <class T>
std::vector<std::int32_t> narrow_ring_values(const image<T>& img, const std::vector<std::int64_t>& r, const char* name) {
  std::vector<std::int32_t> out(r.size());
  const std::size_t nt = img.ntargets;
  for (std::size_t i = 0; i < r.size(); ++i)
    if (!narrow_ring_value(r[i], img.ring_scale[i % nt], out[i]))
      throw internal_error(fmt::format("a {} value of target {} does not hold on the 32-bit ring (fit_ring widens it "
                                       "first)", name, i % nt));
  return out;
}

// A ring's values in rows of another depth. At the start of step `step` a
// ring holds the arrivals of steps step … step + image::ring_depth − 1 (a
// spike of step s − 1 reaches at most step s − 1 + ring_depth, its pulse's
// close included), the arrivals of step s in row s % depth; they move to
// row s % to_depth. (The CUDA engine's rings are a row deeper than the
// image's, which states keep.) A non-zero value in a row `to_depth` has no
// room for is an internal error, never dropped.
template <class V>
std::vector<V> ring_rows_moved(const std::vector<V>& from, std::size_t nt, std::uint32_t from_depth,
                               std::uint32_t to_depth, std::int64_t step, const char* name) {
  if (from.size() != static_cast<std::size_t>(from_depth) * nt || step < 0)
    throw internal_error(fmt::format("{}: {} values for {} rows of {} targets at step {}", name, from.size(), from_depth,
                                     nt, step));
  std::vector<V> to(static_cast<std::size_t>(to_depth) * nt, V{});
  for (std::uint32_t k = 0; k < from_depth; ++k) {
    const auto s = static_cast<std::uint64_t>(step) + k;
    const V* row = from.data() + static_cast<std::size_t>(s % from_depth) * nt;
    if (k < to_depth) {
      std::copy(row, row + nt, to.begin() + static_cast<std::ptrdiff_t>(s % to_depth * nt));
      continue;
    }
    for (std::size_t t = 0; t < nt; ++t)
      if (row[t] != V{})
        throw internal_error(fmt::format("{}: an arrival at step {} onto target {}, beyond the {} rows it moves to", name,
                                         s, t, to_depth));
  }
  return to;
}

// Gives the image the 64-bit ring where a state's rings (a checkpoint's, or
// the running engine's before a change of the model's static weights) do
// not hold on its 32-bit ring, value by value (narrow_ring_value), so that
// no arrival in flight is lost or rounded.
template <class T> void fit_ring(image<T>& img, const engine_state& st) {
  if (!img.narrow_ring()) return;
  const std::size_t nt = img.ntargets;
  for (const char* name : {"ring", "pulse_ring"}) {
    const state_section* s = st.find(name);
    if (!s || s->elem != 8 || s->count() != static_cast<std::uint64_t>(img.ring_depth) * nt) continue;
    for (std::uint64_t i = 0; i < s->count(); ++i) {
      std::int64_t q;
      std::int32_t n;
      std::memcpy(&q, s->bytes.data() + i * 8, 8);
      if (!narrow_ring_value(q, img.ring_scale[i % nt], n)) {
        widen_ring(img);
        return;
      }
    }
  }
}

// The part of an engine's state that an image holds (cell and mechanism
// state, spike counts, plastic and release state), section by section:
// f(name, values, order) for each, where order maps the canonical index i
// of a value to its index in `values` (group arrays: group_storage::place;
// per-connection state: the engine's permutation; else the same). One list
// for both directions, so that what is written is what is read.
template <class Img, class F> void for_each_image_section(Img& img, const std::vector<std::vector<std::uint64_t>>& perm,
                                                          const std::vector<std::uint64_t>& static_perm, F&& f) {
  const auto same = [](std::size_t i) { return i; };
  const auto permuted = [](const std::vector<std::uint64_t>& p) {
    // p: the image's index of each of the engine's entries; the inverse here.
    std::vector<std::uint64_t> at(p.size());
    for (std::uint64_t c = 0; c < p.size(); ++c) at[p[c]] = c;
    return [at = std::move(at)](std::size_t i) { return static_cast<std::size_t>(at[i]); };
  };
  for (std::size_t gi = 0; gi < img.groups.size(); ++gi) {
    auto& g = img.groups[gi];
    const std::string pre = fmt::format("group{}.", gi);
    for (int a = 0; a < g.narrays(); ++a) {
      const std::uint32_t ninst = g.array_ninst(a);
      f(pre + g.array_name(a), g.array(a), [&g, ninst](std::size_t i) { return g.place(i, ninst); });
    }
    f(pre + "spike_count", g.spike_count, same);
    f(pre + "last_spike", g.last_spike, same);
    f(pre + "fault_step", g.fault_step, same);
  }
  for (std::size_t i = 0; i < img.generators.size(); ++i)
    f(fmt::format("generator{}.spike_count", i), img.generators[i].spike_count, same);
  for (std::size_t i = 0; i < img.spike_sources.size(); ++i)
    f(fmt::format("source{}.spike_count", i), img.spike_sources[i].spike_count, same);
  for (std::size_t q = 0; q < img.plastic.size(); ++q) {
    auto& p = img.plastic[q];
    const std::string pre = fmt::format("plastic{}.", q);
    const bool moved = q < perm.size() && !perm[q].empty();
    const auto each = [&](const char* name, auto& v) {
      if (moved) f(pre + name, v, permuted(perm[q]));
      else f(pre + name, v, same);
    };
    each("syn", p.syn);
    each("release", p.release);
    each("term", p.term);
    each("ca_syn", p.ca_syn);
    each("elig", p.elig);
    each("clefts", p.clefts);
    f(pre + "y", p.y, same);
    f(pre + "r_pre", p.r_pre, same);
    f(pre + "theta", p.theta, same);
    f(pre + "y_step", p.y_step, same);
    f(pre + "r_pre_step", p.r_pre_step, same);
    f(pre + "mod_state", p.mod_state, same);
  }
  if (!static_perm.empty()) f(std::string("release_state"), img.release_state, permuted(static_perm));
  else f(std::string("release_state"), img.release_state, same);
}

// Those sections, in the canonical order, from image img in whatever layout
// an engine gave it: group arrays through group_storage::place,
// per-connection state through perm (per plastic projection, the image's
// index of each of the engine's connections; empty: the same) and
// static_perm (likewise for static connections' release states).
template <class T>
void collect_image_state(const image<T>& img, const std::vector<std::vector<std::uint64_t>>& perm,
                         const std::vector<std::uint64_t>& static_perm, engine_state& out) {
  for_each_image_section(img, perm, static_perm, [&](const std::string& name, const auto& values, auto&& at) {
    std::vector<std::decay_t<decltype(values[0])>> v(values.size());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = values[at(i)];
    out.put(name, v);
  });
}

// Puts the sections collect_image_state wrote into image img, freshly packed
// from the same model (one-block layout, the image's order), before an
// engine takes it; and gives the image the 64-bit ring if the state's rings
// need it (fit_ring).
template <class T> void apply_image_state(image<T>& img, const engine_state& in) {
  for_each_image_section(img, {}, {}, [&](const std::string& name, auto& values, auto&& at) {
    std::vector<std::decay_t<decltype(values[0])>> v(values.size());
    in.get(name, v);
    for (std::size_t i = 0; i < v.size(); ++i) values[at(i)] = v[i];
  });
  fit_ring(img, in);
}

// The spikes the plastic rules read back, as both engines keep them for
// the last `rows` steps before `step`: for each step s in [step − rows,
// step), its count ("history_count") and its gids in ascending order
// (appended to "history_gids"). spikes_at(s) gives step s's gids (any
// order); steps before 0 have none.
template <class F> void put_history(engine_state& out, std::int64_t step, std::uint32_t rows, F&& spikes_at) {
  std::vector<std::uint32_t> counts, gids;
  for (std::int64_t s = step - rows; s < step; ++s) {
    std::vector<std::uint32_t> g;
    if (s >= 0) g = spikes_at(s);
    std::sort(g.begin(), g.end());
    counts.push_back(static_cast<std::uint32_t>(g.size()));
    gids.insert(gids.end(), g.begin(), g.end());
  }
  out.put("history_count", counts);
  out.put("history_gids", gids);
}

// Reads what put_history wrote: set(s, gids) for each of those steps (from
// the oldest; also for steps before 0, with none), each step's gids sorted
// as put_history writes them (the engines take a source's repeats in a step
// from adjacent entries), whatever the file holds.
template <class F> void get_history(const engine_state& in, std::int64_t step, std::uint32_t rows, F&& set) {
  std::vector<std::uint32_t> counts(rows);
  in.get("history_count", counts);
  std::uint64_t total = 0;
  for (auto c : counts) total += c;
  std::vector<std::uint32_t> gids(total);
  in.get("history_gids", gids);
  std::uint64_t at = 0;
  for (std::uint32_t r = 0; r < rows; ++r) {
    const std::int64_t s = step - rows + r;
    std::vector<std::uint32_t> g(gids.begin() + static_cast<std::ptrdiff_t>(at),
                                 gids.begin() + static_cast<std::ptrdiff_t>(at + counts[r]));
    std::sort(g.begin(), g.end());
    set(s, std::move(g));
    at += counts[r];
  }
}

}  // namespace ranvier
