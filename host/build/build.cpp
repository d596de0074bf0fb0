// Network construction: cell layout, connection rules, weights and delays.
// Connections are drawn per postsynaptic cell from streams countered by that
// cell, in parallel over postsynaptic cells; the result is then gathered in a
// fixed order, so it does not depend on the number of threads.
#include "host/build/build.hpp"

#include <algorithm>
#include <atomic>  // std::atomic_ref
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <unordered_set>
#include <unistd.h>

#include <fmt/format.h>

#include "host/estimate.hpp"

#include "core/dmath.hpp"
#include "host/errors.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace ranvier {

std::vector<cell_type_layout> lay_out_cell_types(const network& net) {
  std::vector<cell_type_layout> out(net.cells.size());
  for (std::size_t t = 0; t < net.cells.size(); ++t) {
    const cell_desc& c = net.cells[t];
    auto& L = out[t];
    L.cable = c.is_cable();
    if (L.cable) L.geometry = discretize(c);
    for (const auto& r : c.receptors) {
      receptor_sites sites;
      if (!L.cable) {
        sites.node = {0};
      } else if (r.spread == spread_rule::none) {
        sites.node = {L.geometry.node_at(r.location)};
      } else {
        sites.node = L.geometry.nodes_in(r.region);
        if (sites.node.empty())
          throw internal_error("lay_out_cell_types: unchecked empty region of receptor " + r.name);
        double total = 0.0;
        for (auto n : sites.node) {
          const auto& G = L.geometry;
          total += r.spread == spread_rule::uniform_length ? G.seg_length[n] : G.area[n] * G.spine_factor[n];
          sites.cumulative.push_back(total);
        }
        for (auto& w : sites.cumulative) w /= total;
        sites.cumulative.back() = 1.0;
      }
      L.first_location.push_back(L.locations);
      L.locations += static_cast<std::uint32_t>(sites.node.size());
      L.receptors.push_back(std::move(sites));
    }
  }
  return out;
}

cell_layout lay_out_cells(const network& net, const std::vector<cell_type_layout>& types) {
  cell_layout L;
  L.populations.resize(net.populations.size());
  // Groups: one per cell type, in order of first use.
  for (std::size_t p = 0; p < net.populations.size(); ++p) {
    const auto& pop = net.populations[p];
    auto& pl = L.populations[p];
    pl.name = pop.name;
    pl.kind = pop.kind;
    pl.size = static_cast<std::uint32_t>(pop.size);
    pl.stream_id = static_cast<std::uint32_t>(p);
    if (pop.kind != population_kind::cell) {
      pl.group = static_cast<int>(L.generators.size());
      L.generators.push_back(static_cast<int>(p));
      continue;
    }
    int cell_type = -1;
    for (std::size_t c = 0; c < net.cells.size(); ++c)
      if (net.cells[c].name == pop.cell) cell_type = static_cast<int>(c);
    if (cell_type < 0) throw internal_error("lay_out_cells: population '" + pop.name + "' has an undefined cell type");
    auto it = std::find_if(L.groups.begin(), L.groups.end(), [&](const auto& g) { return g.cell_type == cell_type; });
    if (it == L.groups.end()) {
      L.groups.push_back({});
      it = L.groups.end() - 1;
      it->cell_type = cell_type;
    }
    pl.group = static_cast<int>(it - L.groups.begin());
    pl.first = it->ncells;
    it->populations.push_back(static_cast<int>(p));
    if (static_cast<std::uint64_t>(it->ncells) + pl.size > 4294967295ULL)  // the checker refuses such a network
      throw internal_error(fmt::format("lay_out_cells: cell type '{}' has more than 2^32 - 1 cells", pop.cell));
    it->ncells += pl.size;
  }
  // Gids and ring-buffer targets.
  std::uint64_t gid = 0, target = 0;
  for (auto& g : L.groups) {
    g.gid_base = static_cast<std::uint32_t>(gid);
    g.target_base = static_cast<std::uint32_t>(target);
    gid += g.ncells;
    target += static_cast<std::uint64_t>(g.ncells) * types[g.cell_type].locations;
    for (int p : g.populations) L.populations[p].gid_base = g.gid_base + L.populations[p].first;
  }
  for (int p : L.generators) {
    L.generator_gid_base.push_back(static_cast<std::uint32_t>(gid));
    L.populations[p].gid_base = static_cast<std::uint32_t>(gid);
    gid += L.populations[p].size;
  }
  if (gid >= (1ULL << 32) || target >= (1ULL << 32))
    throw model_error(fmt::format("{}: the network has {} cells and {} synaptic targets; at most 2^32 - 1 of each "
                                  "are supported",
                                  net.source, gid, target));
  L.nsources = static_cast<std::uint32_t>(gid);
  L.ntargets = static_cast<std::uint32_t>(target);
  return L;
}

std::uint32_t delay_steps(double delay_ms, double dt_ms) {
  const double steps = std::floor(delay_ms / dt_ms + 0.5 + 1e-9);
  if (!(steps >= 1.0)) return 1;
  if (steps > 4.0e9) throw model_error(fmt::format("delay {} ms is {} steps of {} ms; at most 4e9 steps", delay_ms, steps, dt_ms));
  return static_cast<std::uint32_t>(steps);
}

static_classes static_connection_classes(const network& net) {
  static_classes k;
  std::vector<std::int32_t> of(net.projections.size(), -1);
  std::vector<std::pair<double, std::uint32_t>> pairs;  // (weight, delay or 0) by class
  bool constant_delays = true;
  for (const auto& pr : net.projections) {
    if (pr.is_dynamic()) continue;
    if (pr.weight.type != distribution::kind::constant || !pr.pair_weight.empty()) return k;  // weights per connection
    constant_delays = constant_delays && pr.delay.type == distribution::kind::constant && pr.pair_delay.empty();
  }
  // Classes by (weight, delay) where every delay is constant, else by weight
  // alone; by bits, so that 0 and -0 (or any two values) stay apart.
  const auto make = [&](bool by_delay) {
    pairs.clear();
    for (std::size_t pi = 0; pi < net.projections.size(); ++pi) {
      const auto& pr = net.projections[pi];
      if (pr.is_dynamic()) continue;
      const std::pair<double, std::uint32_t> key{pr.weight.value, by_delay ? delay_steps(pr.delay.value, net.sim.dt) : 0};
      std::size_t q = 0;
      while (q < pairs.size() && !(std::bit_cast<std::uint64_t>(pairs[q].first) == std::bit_cast<std::uint64_t>(key.first) &&
                                   pairs[q].second == key.second))
        ++q;
      if (q == pairs.size()) {
        if (pairs.size() == 256) return false;
        pairs.push_back(key);
      }
      of[pi] = static_cast<std::int32_t>(q);
    }
    return !pairs.empty();
  };
  const bool with_delays = constant_delays && make(true);
  if (!with_delays && !make(false)) return k;
  k.of_projection = std::move(of);
  for (const auto& [w, d] : pairs) {
    k.weight.push_back(w);
    if (with_delays) k.delay.push_back(d);
  }
  return k;
}

double draw(const distribution& d, core::stream& s) {
  constexpr int max_tries = 100000;
  switch (d.type) {
    case distribution::kind::constant:
      return d.value;
    case distribution::kind::uniform:
      return d.low + (d.high - d.low) * s.uniform();
    case distribution::kind::normal:
      for (int t = 0; t < max_tries; ++t) {
        const double x = d.mean + d.sd * s.normal();
        if (x >= d.low && x <= d.high) return x;
      }
      break;
    case distribution::kind::lognormal:
      for (int t = 0; t < max_tries; ++t) {
        const double x = core::det_exp(d.mu + d.sigma * s.normal());
        if (x >= d.low && x <= d.high) return x;
      }
      break;
  }
  throw model_error(fmt::format("{}: {} consecutive draws fell outside [low, high] = [{}, {}]; valid: bounds that "
                                "keep a reasonable part of the distribution",
                                to_string(d.where), max_tries, d.low, d.high));
}

namespace {

struct incoming {
  std::vector<std::uint32_t> pre;  // presynaptic index within the pre population
  std::vector<double> weight;      // [µS]
  std::vector<std::uint32_t> delay;  // [steps]
  std::vector<std::uint32_t> location;  // the receptor's location it lands on
};

// The presynaptic cells of postsynaptic cell j, in increasing order (list
// rule: in file order).
// fixed_total_number: `drawn` is the number of connections cell j receives.
void choose_sources(const projection_desc& pr, std::uint32_t pre_size, bool same_pop, std::uint32_t j,
                    std::uint32_t drawn, core::stream& s, std::vector<std::uint32_t>& out) {
  const bool skip_self = same_pop && !pr.autapses;
  switch (pr.rule) {
    case connect_rule::all_to_all:
      for (std::uint32_t i = 0; i < pre_size; ++i)
        if (!(skip_self && i == j)) out.push_back(i);
      break;
    case connect_rule::one_to_one:
      if (j < pre_size && !skip_self) out.push_back(j);
      break;
    case connect_rule::fixed_probability: {
      const double p = pr.probability;
      if (p <= 0.0) break;
      if (p >= 1.0) {
        for (std::uint32_t i = 0; i < pre_size; ++i)
          if (!(skip_self && i == j)) out.push_back(i);
        break;
      }
      // Geometric skipping: the gap to the next chosen candidate is
      // floor(ln u / ln(1 − p)), so only the chosen ones cost a draw.
      // ln(1 − p): for a small p, 1 − p would round (to 1 below 2^-54, and
      // raise p by up to half an ulp of 1 above); its series is exact there.
      const double lq = p < 0x1p-20 ? -p * (1.0 + p * (0.5 + p / 3.0)) : core::det_log(1.0 - p);
      double i = -1.0;
      for (;;) {
        i += 1.0 + std::floor(core::det_log(s.uniform_open()) / lq);
        if (i >= pre_size) break;
        const auto ii = static_cast<std::uint32_t>(i);
        if (!(skip_self && ii == j)) out.push_back(ii);
      }
    } break;
    case connect_rule::fixed_indegree:
    case connect_rule::fixed_total_number: {
      // Candidates 0..M−1; without autapses the cell itself is skipped by
      // mapping candidates >= j one up.
      const std::uint32_t m = skip_self ? pre_size - 1 : pre_size;
      const auto k = pr.rule == connect_rule::fixed_indegree ? static_cast<std::uint32_t>(pr.indegree) : drawn;
      auto map = [&](std::uint32_t c) { return (skip_self && c >= j) ? c + 1 : c; };
      if (m == 0) break;
      if (!pr.multapses && k > m)
        throw internal_error("choose_sources: indegree above the available sources reached the builder unchecked");
      if (pr.multapses) {
        for (std::uint32_t t = 0; t < k; ++t) out.push_back(map(s.below(m)));
      } else {
        // Floyd's algorithm: k distinct values from [0, m) in k draws.
        std::unordered_set<std::uint32_t> chosen;
        chosen.reserve(k * 2);
        for (std::uint32_t t = m - k; t < m; ++t) {
          const std::uint32_t r = s.below(t + 1);
          if (!chosen.insert(r).second) chosen.insert(t);
        }
        for (auto c : chosen) out.push_back(map(c));
      }
      std::sort(out.begin(), out.end());
    } break;
    case connect_rule::list:  // build_connectivity reads the pairs by post cell
      throw internal_error("choose_sources: a list projection's pairs are read by build_connectivity");
  }
}

}  // namespace

template <class W>
connectivity<W> build_connectivity(const network& net, const cell_layout& layout,
                                   const std::vector<cell_type_layout>& types, int threads, bool progress) {
  const double dt = net.sim.dt;
  // Progress: connections built, against the rules' expected total.
  double expected = 0.0;
  for (const auto& pr : net.projections) expected += expected_connections(net, pr);
  std::atomic<std::uint64_t> made{0};  // drawn
  std::uint64_t ordered = 0;            // gathered into the source-ordered arrays (serial)
  const auto t_start = std::chrono::steady_clock::now();
  double shown_at = 0.0;
  bool shown = false;
  const bool tty = isatty(fileno(stderr));
  const auto report = [&](bool last) {
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    if (!progress || (!last && (wall < 3.0 || wall - shown_at < 1.0)) || (last && !shown)) return;
    shown_at = wall;
    shown = true;
    // Drawing and ordering each count as one pass over the connections.
    const double n = static_cast<double>(made.load(std::memory_order_relaxed)), o = static_cast<double>(ordered);
    const double done = (n + o) / 2.0, rate = done / wall;
    std::fprintf(stderr, "%sbuilding: %.4g of about %.4g connections drawn, %.4g ordered (%.0f %%, %.3g a second), ETA %.0f s%s",
                 tty ? "\r" : "", n, expected, o, expected > 0 ? std::min(100.0, 100.0 * done / expected) : 100.0, rate,
                 rate > 0 ? std::max(0.0, expected - done) / rate : 0.0, last ? "\n" : tty ? "   " : "\n");
    std::fflush(stderr);
  };
  const std::uint64_t seed = net.sim.seed;
#if defined(_OPENMP)
  const int nthreads = threads > 0 ? threads : omp_get_max_threads();
#else
  (void)threads;
#endif

  // Static projections are drawn twice, so that their connections are held
  // once, in the source-ordered arrays: a first pass draws only the sources
  // (counting each source's connections and each cell's in-degree), the
  // arrays are allocated, and a second pass draws everything again, a chunk
  // of cells at a time, and places it. Every draw comes from a stream of
  // (projection, cell), so both passes draw the same. Dynamic projections
  // (their own CSR, ordered by source and delay) are drawn once and kept.
  struct built {
    std::uint32_t pre_gid_base = 0, pre_size = 0;
    std::uint32_t target_base = 0;  // target of post cell 0 at the receptor's first location
    std::uint32_t stride = 0;       // target distance between consecutive locations (the group's cells)
    std::uint32_t post_size = 0;
    std::uint32_t id = 0;
    int receptor = 0;
    std::uint32_t group_type = 0;
    bool same_pop = false;
    std::vector<std::uint64_t> list_row, list_pair;  // a list's pairs by post cell, in the order written
    std::vector<std::uint32_t> drawn;                // fixed_total_number: each cell's count
    std::vector<std::uint32_t> indegree;             // static: each cell's connections (first pass)
    std::vector<incoming> per_post;                  // dynamic: every cell's connections
  };
  std::vector<built> projections(net.projections.size());
  const auto plastic = [&](std::size_t pi) { return net.projections[pi].is_dynamic(); };
  connectivity<W> C;
  C.row.assign(static_cast<std::size_t>(layout.nsources) + 1, 0);

  // Runs f(j) for every cell j of [lo, hi) on the threads, rethrowing the
  // first failure.
  const auto over_cells = [&](std::uint32_t lo, std::uint32_t hi, const auto& f) {
    std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic, 64) num_threads(nthreads)
    for (std::int64_t jj = lo; jj < static_cast<std::int64_t>(hi); ++jj) {
      try {
        f(static_cast<std::uint32_t>(jj));
      } catch (...) {
#pragma omp critical(ranvier_build_failure)
        if (!failure) failure = std::current_exception();
      }
    }
    if (failure) std::rethrow_exception(failure);
  };
  // The sources of cell j of projection pi, in the order drawn (a list's in
  // the order written).
  const auto sources_of = [&](std::size_t pi, std::uint32_t j, std::vector<std::uint32_t>& pre) {
    const auto& pr = net.projections[pi];
    const auto& b = projections[pi];
    if (pr.rule == connect_rule::list) {
      for (std::uint64_t q = b.list_row[j]; q < b.list_row[j + 1]; ++q)
        pre.push_back(static_cast<std::uint32_t>(pr.pairs[b.list_pair[q]].first));
      return;
    }
    core::stream cs(seed, core::stream_purpose::connect, b.id, j);
    choose_sources(pr, b.pre_size, b.same_pop, j, b.drawn.empty() ? 0 : b.drawn[j], cs, pre);
  };
  // Everything of cell j's connections: sources, weights, delays, locations.
  const auto draw_cell = [&](std::size_t pi, std::uint32_t j, incoming& in) {
    const auto& pr = net.projections[pi];
    const auto& b = projections[pi];
    in.pre.clear();
    sources_of(pi, j, in.pre);
    core::stream ws(seed, core::stream_purpose::weight, b.id, j);
    core::stream ds(seed, core::stream_purpose::delay, b.id, j);
    in.weight.resize(in.pre.size());
    in.delay.resize(in.pre.size());
    for (std::size_t k = 0; k < in.pre.size(); ++k) {
      // A list's own weights and delays where its pairs give them.
      const std::uint64_t q = pr.rule == connect_rule::list ? b.list_pair[b.list_row[j] + k] : 0;
      in.weight[k] = pr.pair_weight.empty() ? draw(pr.weight, ws) : pr.pair_weight[q];
      in.delay[k] = delay_steps(pr.pair_delay.empty() ? draw(pr.delay, ds) : pr.pair_delay[q], dt);
    }
    const auto& sites = types[b.group_type].receptors[b.receptor];
    in.location.clear();
    if (!sites.cumulative.empty()) {
      // Each connection lands on a segment of the region, drawn with
      // probability proportional to its length or area.
      in.location.resize(in.pre.size());
      core::stream ls(seed, core::stream_purpose::location, b.id, j);
      for (auto& l : in.location) {
        const double u = ls.uniform();
        l = static_cast<std::uint32_t>(std::upper_bound(sites.cumulative.begin(), sites.cumulative.end(), u) -
                                       sites.cumulative.begin());
        l = std::min<std::uint32_t>(l, static_cast<std::uint32_t>(sites.cumulative.size() - 1));
      }
    }
  };
  const auto tick = [&](std::uint32_t j) {
#if defined(_OPENMP)
    if (progress && (j & 63) == 0 && omp_get_thread_num() == 0) report(false);
#else
    if (progress && (j & 63) == 0) report(false);
#endif
  };

  for (std::size_t pi = 0; pi < net.projections.size(); ++pi) {
    const auto& pr = net.projections[pi];
    const population_desc* pre_d = net.find_population(pr.pre);
    const population_desc* post_d = net.find_population(pr.post);
    if (!pre_d || !post_d) throw internal_error("build_connectivity: projection '" + pr.name + "' is unchecked");
    const auto& pre = layout.populations[pre_d - net.populations.data()];
    const auto& post = layout.populations[post_d - net.populations.data()];
    const auto& grp = layout.groups[post.group];
    const auto& cell = net.cells[grp.cell_type];
    int r = -1;
    for (std::size_t q = 0; q < cell.receptors.size(); ++q)
      if (cell.receptors[q].name == pr.receptor) r = static_cast<int>(q);
    if (r < 0) throw internal_error("build_connectivity: projection '" + pr.name + "' has an unknown receptor");

    auto& b = projections[pi];
    b.pre_gid_base = pre.gid_base;
    b.pre_size = pre.size;
    b.target_base = grp.target_base + types[grp.cell_type].first_location[r] * grp.ncells + post.first;
    b.stride = grp.ncells;
    b.post_size = post.size;
    b.id = static_cast<std::uint32_t>(pi);
    b.receptor = r;
    b.group_type = static_cast<std::uint32_t>(grp.cell_type);
    b.same_pop = pre_d == post_d;
    if (pr.rule == connect_rule::list) {
      b.list_row.assign(post.size + 1, 0);
      for (const auto& pq : pr.pairs) ++b.list_row[static_cast<std::size_t>(pq.second) + 1];
      for (std::size_t j = 0; j < post.size; ++j) b.list_row[j + 1] += b.list_row[j];
      b.list_pair.resize(pr.pairs.size());
      std::vector<std::uint64_t> at(b.list_row.begin(), b.list_row.end() - 1);
      for (std::size_t k = 0; k < pr.pairs.size(); ++k) b.list_pair[at[static_cast<std::size_t>(pr.pairs[k].second)]++] = k;
    }
    // fixed_total_number: the targets of the `total` connections, drawn
    // uniformly with replacement from one stream of the projection (index
    // 2^32 − 1, past every cell's), give each cell's count (multinomial, as
    // NEST's fixed_total_number); each cell then draws that many sources
    // from its own stream, like fixed_indegree with multapses.
    if (pr.rule == connect_rule::fixed_total_number) {
      b.drawn.assign(post.size, 0);
      core::stream ts(seed, core::stream_purpose::connect, b.id, 0xFFFFFFFFu);
      const auto n = static_cast<std::uint32_t>(post.size);
      for (std::int64_t c = 0; c < pr.total; ++c) ++b.drawn[ts.below(n)];
    }

    if (plastic(pi)) {
      b.per_post.resize(post.size);
      over_cells(0, post.size, [&](std::uint32_t j) {
        draw_cell(pi, j, b.per_post[j]);
        if (b.per_post[j].location.empty()) b.per_post[j].location.assign(b.per_post[j].pre.size(), 0);
        made.fetch_add(b.per_post[j].pre.size(), std::memory_order_relaxed);
        tick(j);
      });
      continue;
    }
    // First pass: the sources only; each source's count (atomically: the
    // counts do not depend on the order) and each cell's in-degree.
    b.indegree.assign(post.size, 0);
    over_cells(0, post.size, [&](std::uint32_t j) {
      thread_local std::vector<std::uint32_t> pre_of;
      pre_of.clear();
      sources_of(pi, j, pre_of);
      for (auto i : pre_of) std::atomic_ref<std::uint64_t>(C.row[b.pre_gid_base + i + 1]).fetch_add(1, std::memory_order_relaxed);
      b.indegree[j] = static_cast<std::uint32_t>(pre_of.size());
      made.fetch_add(pre_of.size(), std::memory_order_relaxed);
      tick(j);
    });
  }

  // Gather into CSR by source: projections in order, then postsynaptic cells
  // in order, then each cell's sources in the order drawn. Second pass: a
  // chunk of cells (about 1M connections, little beside the arrays) drawn
  // again on the threads, then placed in order.
  for (std::size_t s = 0; s < layout.nsources; ++s) C.row[s + 1] += C.row[s];
  const std::uint64_t n = C.row.back();
  // Delays in 16 bits when no static projection allows one above 65535
  // steps (6.5 s at dt = 0.1 ms): from the model's bounds, before any draw.
  const bool narrow = static_delays_fit_16_bits(net);
  // A class a connection (1 B) where the projections' weights allow
  // (static_connection_classes), and no delay where the classes give it.
  C.classes = static_connection_classes(net);
  const bool classes = C.classes.on(), class_delays = !C.classes.delay.empty();
  C.target.resize(n);
  (classes ? C.cls.resize(n) : C.weight.resize(n));
  if (!class_delays) (narrow ? C.delay16.resize(n) : C.delay.resize(n));
  std::vector<std::uint64_t> fill(C.row.begin(), C.row.end() - 1);
  std::vector<incoming> chunk;
  for (std::size_t pi = 0; pi < projections.size(); ++pi) {
    if (plastic(pi)) continue;
    auto& b = projections[pi];
    for (std::uint32_t j0 = 0; j0 < b.post_size;) {
      std::uint32_t j1 = j0;
      for (std::uint64_t m = 0; j1 < b.post_size && (j1 == j0 || m + b.indegree[j1] <= (1u << 20)); ++j1) m += b.indegree[j1];
      chunk.resize(j1 - j0);
      over_cells(j0, j1, [&](std::uint32_t j) { draw_cell(pi, j, chunk[j - j0]); });
      for (std::uint32_t j = j0; j < j1; ++j) {
        const auto& in = chunk[j - j0];
        if (in.pre.size() != b.indegree[j])
          throw internal_error(fmt::format("build_connectivity: projection {} cell {} drew {} sources, then {}", pi, j,
                                           b.indegree[j], in.pre.size()));
        ordered += in.pre.size();
        if ((j & 63) == 0) report(false);
        for (std::size_t k = 0; k < in.pre.size(); ++k) {
          const std::uint64_t c = fill[b.pre_gid_base + in.pre[k]]++;
          const std::uint32_t loc = in.location.empty() ? 0 : in.location[k];
          C.target[c] = b.target_base + loc * b.stride + j;
          if (classes)
            C.cls[c] = static_cast<std::uint8_t>(C.classes.of_projection[pi]);
          else
            C.weight[c] = static_cast<W>(in.weight[k]);
          if (!class_delays && narrow)
            C.delay16[c] = static_cast<std::uint16_t>(in.delay[k]);
          else if (!class_delays)
            C.delay[c] = in.delay[k];
          C.max_delay = std::max(C.max_delay, in.delay[k]);
        }
      }
      j0 = j1;
    }
    b.indegree = {};
    b.drawn = {};
  }
  chunk = {};

  // Each plastic projection its own CSR: a source's connections by delay
  // (then as drawn), so that the arrivals of one delay are one range.
  for (std::size_t pi = 0; pi < projections.size(); ++pi) {
    if (!plastic(pi)) continue;
    const auto& b = projections[pi];
    const auto& pr = net.projections[pi];
    const auto& pre = layout.populations[net.find_population(pr.pre) - net.populations.data()];
    const auto& post = layout.populations[net.find_population(pr.post) - net.populations.data()];
    plastic_connectivity P;
    P.projection = static_cast<int>(pi);
    P.pre_gid_base = pre.gid_base;
    P.npre = pre.size;
    P.post_gid_base = post.gid_base;
    P.npost = post.size;
    struct edge {
      std::uint32_t pre, delay, post, location;
      double weight;
    };
    std::vector<edge> edges;
    for (std::uint32_t j = 0; j < b.per_post.size(); ++j) {
      const auto& in = b.per_post[j];
      for (std::size_t k = 0; k < in.pre.size(); ++k) edges.push_back({in.pre[k], in.delay[k], j, in.location[k], in.weight[k]});
    }
    projections[pi].per_post = {};
    std::stable_sort(edges.begin(), edges.end(),
                     [](const edge& a, const edge& e) { return a.pre != e.pre ? a.pre < e.pre : a.delay < e.delay; });
    P.row.assign(static_cast<std::size_t>(P.npre) + 1, 0);
    P.min_delay = edges.empty() ? 1 : edges[0].delay;
    for (const auto& e : edges) {
      ++P.row[e.pre + 1];
      P.target.push_back(b.target_base + e.location * b.stride + e.post);
      P.weight.push_back(e.weight);
      P.delay.push_back(e.delay);
      P.pre.push_back(e.pre);
      P.post.push_back(e.post);
      P.min_delay = std::min(P.min_delay, e.delay);
      P.max_delay = std::max(P.max_delay, e.delay);
    }
    for (std::uint32_t p = 0; p < P.npre; ++p) P.row[p + 1] += P.row[p];
    P.in_row.assign(static_cast<std::size_t>(P.npost) + 1, 0);
    for (auto j : P.post) ++P.in_row[j + 1];
    for (std::uint32_t j = 0; j < P.npost; ++j) P.in_row[j + 1] += P.in_row[j];
    P.in_conn.resize(P.post.size());
    std::vector<std::uint64_t> pf(P.in_row.begin(), P.in_row.end() - 1);
    for (std::uint64_t c = 0; c < P.post.size(); ++c) P.in_conn[pf[P.post[c]]++] = c;
    C.max_delay = std::max(C.max_delay, P.max_delay);
    C.plastic.push_back(std::move(P));
  }

  report(true);
  return C;
}

template connectivity<float> build_connectivity(const network&, const cell_layout&, const std::vector<cell_type_layout>&,
                                                int, bool);
template connectivity<double> build_connectivity(const network&, const cell_layout&, const std::vector<cell_type_layout>&,
                                                 int, bool);

}  // namespace ranvier
