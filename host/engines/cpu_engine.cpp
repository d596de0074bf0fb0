// The CPU reference engine: the five stages of a step over the packed image,
// with OpenMP over cells. One parallel region spans a whole batch of steps;
// each stage is a work-shared loop and the stages are separated by barriers.
// Results are bit-identical for any thread count: cells are independent
// within a stage, spike lists are sorted, and synaptic input is summed in
// fixed point (integer adds commute).
#include <algorithm>
#include <atomic>

#include <fmt/format.h>

#include "core/cable/cable_cell.hpp"
#include "core/events.hpp"
#include "core/fixed_point.hpp"
#include "core/generators.hpp"
#include "core/plasticity/plastic.hpp"
#include "core/point_cell.hpp"
#include "host/engines/engine.hpp"
#include "host/errors.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace ranvier {

namespace {

// Cells per chunk: the loops over a chunk vectorise, and a chunk's scratch
// stays in L1 (point neurons: 8 arrays of W values) or L2 (cable cells: 4
// values per node and lane). Both are whole cache lines of cells in either
// precision.
constexpr int chunk = 64;
constexpr std::uint32_t cable_chunk = 16;
static_assert(chunk * sizeof(float) % cache_line == 0 && cable_chunk * sizeof(float) % cache_line == 0);

// Above this many connections to walk in one step, propagation is shared
// among the threads; below it one thread is faster than a barrier.
constexpr std::uint64_t parallel_propagate_threshold = 8192;
// Likewise for the plastic rules' updates of a step (an upper estimate: the
// spikes of the history window times the plastic out-degree).
constexpr std::uint64_t parallel_learn_threshold = 65536;

// Compartments (a point neuron: one) each thread needs a step to be worth the
// few barriers between stages; a smaller network runs on fewer threads, as
// a barrier costs microseconds on an idle machine and a scheduler time slice
// on a busy one.
constexpr std::uint64_t compartments_per_thread = 500;

template <class T, class M>
class cpu_engine final : public engine {
 public:
  // cable_block: cells per block of cable groups' layout (and per chunk), 1
  // to cable_chunk; 0 lets the engine choose (tests compare layouts).
  cpu_engine(image<T> img, int threads, std::uint32_t cable_block = 0) : img_(std::move(img)) {
#if defined(_OPENMP)
    asked_ = threads > 0 ? threads : omp_get_max_threads();
    std::uint64_t work = 0;
    for (const auto& g : img_.groups) work += static_cast<std::uint64_t>(g.ncells) * g.nnodes;
    threads_ = static_cast<int>(std::clamp<std::uint64_t>(work / compartments_per_thread, 1, asked_));
#else
    threads_ = asked_ = 1;
    (void)threads;
#endif
    // Cable groups in blocks of the chunk of cells a thread takes at a time,
    // so that each chunk's state is contiguous (core/cell.hpp): two threads
    // splitting one [node][cell] array run at half speed.
    target_of_.resize(img_.ntargets);
    for (std::uint32_t t = 0; t < img_.ntargets; ++t) target_of_[t] = t;
    bool relaid = false;
    for (std::size_t gi = 0; gi < img_.groups.size(); ++gi)
      if (img_.groups[gi].cable) {
        relayout(gi, cable_block > 0 ? cable_block : cells_per_chunk(img_.groups[gi].ncells));
        relaid = true;
      }
    if (relaid) reindex_targets();
    // Pulse lengths by ring column (the targets' places after any relayout).
    if (!img_.pulse.empty()) {
      pulse_.assign(img_.ntargets, 0);
      for (std::uint32_t t = 0; t < img_.ntargets; ++t) pulse_[target_of_[t]] = img_.pulse[t];
      pulse_ring_.assign(static_cast<std::size_t>(img_.ring_depth) * img_.ntargets, 0);
    }
    std::size_t scratch = 0;
    for (auto& g : img_.groups) {
      if (g.cable) {
        cable_views_.push_back(g.cable_view());
        scratch = std::max<std::size_t>(scratch, 4ull * g.nnodes * cable_chunk);
      } else {
        point_views_.push_back(g.point_view());
      }
    }
    for (auto& g : img_.generators) {
      g.params.spike_count = g.spike_count.data();
      gens_.push_back(g.params);
    }
    for (auto& s : img_.spike_sources) {
      s.params.step = s.step.data();
      s.params.cell = s.cell.data();
      s.params.spike_count = s.spike_count.data();
      sources_.push_back(s.params);
    }
    for (auto& g : img_.groups) group_v_.push_back(g.v.data());
    ring_.assign(static_cast<std::size_t>(img_.ring_depth) * img_.ntargets, 0);
    for (auto& p : img_.plastic) plastic_views_.push_back(p.view());
    history_.resize(img_.history);
    thread_spikes_.resize(threads_);
    thread_scratch_.assign(threads_, std::vector<T>(scratch));
  }

  std::string describe() const override {
    const std::string fewer =
        threads_ < asked_ ? fmt::format(" of {}: too small a network to share", asked_) : std::string();
    return fmt::format("cpu ({} thread{}{}, {})", threads_, threads_ == 1 ? "" : "s", fewer, arithmetic_name<T, M>());
  }

  std::int64_t step() const override { return step_; }

  void run(std::int64_t nsteps, recording& rec) override {
    if (step_ == 0 && !sampled_initial_) {
      sample_records(img_, 0, rec);
      sampled_initial_ = true;
    }
    const std::int64_t first = step_;
    const std::size_t nt = img_.ntargets;
    const std::int64_t depth = img_.ring_depth;
    bool parallel_propagate = false;

#pragma omp parallel num_threads(threads_)
    {
#if defined(_OPENMP)
      auto& mine = thread_spikes_[omp_get_thread_num()];
#else
      auto& mine = thread_spikes_[0];
#endif
#if defined(_OPENMP)
      auto& scratch = thread_scratch_[omp_get_thread_num()];
#else
      auto& scratch = thread_scratch_[0];
#endif
      for (std::int64_t step = first; step < first + nsteps; ++step) {
        // Stage 4, learning, for the events at the step's start: the
        // arrivals of spikes on plastic connections (their weights go into
        // this step's ring row), then the postsynaptic events.
        if (!plastic_views_.empty()) learn(step);
        // Gap junctions see every voltage of the step's start.
        if (img_.has_gaps) {
          for (auto& g : img_.groups) {
            const auto nh = static_cast<std::int64_t>(g.gap_node.size());
#pragma omp for schedule(static) nowait
            for (std::int64_t h = 0; h < nh; ++h)
              core::gap_gather(group_v_.data(), g.gap_partner_group.data(), g.gap_partner_index.data(),
                               g.gap_v_partner.data(), static_cast<std::uint64_t>(h));
          }
#pragma omp barrier
        }
        // Stages 1 and 2: deliver + advance + detect, per chunk of cells.
        mine.clear();
        const core::step_ctx ctx{step, ring_.data() + static_cast<std::size_t>(step % depth) * nt,
                                 pulse_ring_.empty() ? nullptr
                                                     : pulse_ring_.data() + static_cast<std::size_t>(step % depth) * nt};
        auto sink = [&mine](std::uint32_t gid) { mine.push_back(gid); };
        for (const auto& G : point_views_) {
          const int nchunks = static_cast<int>((G.c.ncells + chunk - 1) / chunk);
#pragma omp for schedule(static) nowait
          for (int ch = 0; ch < nchunks; ++ch) {
            core::lanes<T, chunk> L;
            L.first = static_cast<std::uint32_t>(ch) * chunk;
            L.n = static_cast<int>(std::min<std::uint32_t>(chunk, G.c.ncells - L.first));
            core::point_step<M>(G, ctx, L, sink);
          }
        }
        for (const auto& G : cable_views_) {
          const std::uint32_t nc = G.c.ncells, per = G.c.block;  // a chunk is a block of the layout
          const core::cable_scratch<T> S{scratch.data(), scratch.data() + G.nnodes * cable_chunk,
                                         scratch.data() + 2 * G.nnodes * cable_chunk,
                                         scratch.data() + 3 * G.nnodes * cable_chunk, cable_chunk, 0};
#pragma omp for schedule(static) nowait
          for (std::int64_t ch = 0; ch < static_cast<std::int64_t>((nc + per - 1) / per); ++ch) {
            const std::uint32_t c0 = static_cast<std::uint32_t>(ch) * per;
            core::cable_step<M, T, cable_chunk>(G, ctx, c0, static_cast<int>(std::min(per, nc - c0)), S, sink);
          }
        }
        for (const auto& P : sources_) {
#pragma omp single nowait
          for (std::uint64_t e = core::first_event(P, step); e < P.nevents && P.step[e] == step; ++e) {
            ++P.spike_count[P.cell[e]];
            mine.push_back(P.gid_base + P.cell[e]);
          }
        }
        for (const auto& P : gens_) {
          if (step < P.start || step >= P.stop) continue;
          // 64 sources at a time: the draws in a loop that vectorises, then the spikes.
          const std::int64_t nblocks = (P.ncells + 63) / 64;
#pragma omp for schedule(static) nowait
          for (std::int64_t b = 0; b < nblocks; ++b) {
            const auto c0 = static_cast<std::uint32_t>(b * 64);
            const int n = static_cast<int>(std::min<std::uint32_t>(64, P.ncells - c0));
            std::uint8_t fires[64];
            core::poisson_fires_lanes<64>(P, c0, step, fires);
            for (int k = 0; k < n; ++k)
              if (fires[k]) {
                ++P.spike_count[c0 + k];
                mine.push_back(P.gid_base + c0 + static_cast<std::uint32_t>(k));
              }
          }
        }
#pragma omp barrier
#pragma omp single
        {
          spikes_.clear();
          for (const auto& t : thread_spikes_) spikes_.insert(spikes_.end(), t.begin(), t.end());
          std::sort(spikes_.begin(), spikes_.end());
          std::uint64_t work = 0;
          for (auto gid : spikes_) work += img_.row[gid + 1] - img_.row[gid];
          parallel_propagate = work > parallel_propagate_threshold;
          if (!parallel_propagate)
            for (auto gid : spikes_) propagate(gid, step, false);
          // Stage 5, record, here: propagation changes only the ring, never
          // what records read, and a separate stage would cost a barrier.
          for (auto gid : spikes_) rec.spikes.push_back({step + 1, gid});
          if (!history_.empty()) history_[static_cast<std::size_t>(step % img_.history)] = spikes_;
          sample_records(img_, step + 1, rec);
        }
        // Stage 3: propagate, shared when there is much of it (stage 4,
        // learning, has no rules yet).
        if (parallel_propagate) {
#pragma omp for schedule(dynamic, 4)
          for (std::size_t i = 0; i < spikes_.size(); ++i) propagate(spikes_[i], step, true);
        }
      }
    }
    step_ = first + nsteps;
  }

  // In the one-block layout the image was packed in (and the CUDA engine keeps).
  std::vector<named_array> state() override {
    std::vector<named_array> out;
    for (const auto& g : img_.groups) {
      for (int a = 0; a < g.narrays(); ++a) {
        const auto& arr = g.array(a);
        std::vector<double> v(arr.size());
        const std::uint32_t ninst = g.array_ninst(a);
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(arr[g.place(i, ninst)]);
        out.push_back({g.cell_type + "." + g.array_name(a), std::move(v)});
      }
      out.push_back({g.cell_type + ".last_spike", std::vector<double>(g.last_spike.begin(), g.last_spike.end())});
    }
    for (const auto& p : img_.plastic) append_plastic_state(p, out);
    std::vector<double> ring(ring_.size());
    const std::size_t nt = img_.ntargets;
    for (std::size_t row = 0; row < img_.ring_depth; ++row)
      for (std::size_t t = 0; t < nt; ++t) ring[row * nt + t] = static_cast<double>(ring_[row * nt + target_of_[t]]);
    out.push_back({"ring", std::move(ring)});
    if (!pulse_ring_.empty()) {
      std::vector<double> ends(pulse_ring_.size());
      for (std::size_t row = 0; row < img_.ring_depth; ++row)
        for (std::size_t t = 0; t < nt; ++t) ends[row * nt + t] = static_cast<double>(pulse_ring_[row * nt + target_of_[t]]);
      out.push_back({"pulse_ring", std::move(ends)});
    }
    return out;
  }

  std::vector<std::uint32_t> spike_counts() override {
    std::vector<std::uint32_t> out(img_.nsources, 0);
    for (const auto& g : img_.groups) std::copy(g.spike_count.begin(), g.spike_count.end(), out.begin() + g.gid_base);
    for (const auto& g : img_.generators)
      std::copy(g.spike_count.begin(), g.spike_count.end(), out.begin() + g.params.gid_base);
    for (const auto& s : img_.spike_sources)
      std::copy(s.spike_count.begin(), s.spike_count.end(), out.begin() + s.params.gid_base);
    return out;
  }

 private:
  // Cells per chunk of a cable group: at least one chunk per thread while
  // there are cells for it, at most cable_chunk, a whole number of cache
  // lines of cells (the arrays are aligned): threads never write one line.
  std::uint32_t cells_per_chunk(std::uint32_t nc) const {
    constexpr std::uint32_t line = cache_line / sizeof(T);
    const std::uint32_t nchunks =
        std::max<std::uint32_t>((nc + cable_chunk - 1) / cable_chunk, std::min<std::uint32_t>(nc, threads_));
    return std::min<std::uint32_t>(cable_chunk, ((nc + nchunks - 1) / nchunks + line - 1) / line * line);
  }

  // Re-lays group gi in blocks of `cells`, and with it every index into its
  // arrays: records, gap-junction partners, connection targets.
  void relayout(std::size_t gi, std::uint32_t cells) {
    auto& g = img_.groups[gi];
    g.set_block(cells);
    for (auto& rp : img_.records) {
      if (rp.spikes || rp.ref.group != static_cast<int>(gi)) continue;
      const std::uint32_t ninst =
          rp.kind == sample_kind::array ? g.array_ninst(rp.ref.array) : g.receptors[rp.ref.array].ninst();
      for (auto& i : rp.index) i = g.place(i, ninst);
      for (auto& i : rp.v_index) i = g.place(i, g.nnodes);
    }
    for (auto& other : img_.groups)
      for (std::size_t h = 0; h < other.gap_partner_group.size(); ++h)
        if (other.gap_partner_group[h] == gi) other.gap_partner_index[h] = g.place(other.gap_partner_index[h], g.nnodes);
    if (g.receptors.empty()) return;
    // Targets: the group's locations, like a state array of nlocations a cell.
    const std::uint32_t base = g.receptors[0].target_base, nloc = g.receptors[0].nlocations;
    const std::uint64_t span = static_cast<std::uint64_t>(nloc) * g.ncells;
    for (std::uint64_t u = 0; u < span; ++u) target_of_[base + u] = base + static_cast<std::uint32_t>(g.place(u, nloc));
    for (auto& t : img_.target)
      if (t >= base && t < base + span) t = base + static_cast<std::uint32_t>(g.place(t - base, nloc));
    for (auto& p : img_.plastic)
      for (auto& t : p.target)
        if (t >= base && t < base + span) t = base + static_cast<std::uint32_t>(g.place(t - base, nloc));
  }

  // The plastic rules' events at the start of `step` (core/plasticity/),
  // called by every thread of the parallel region: arrivals at step from
  // spikes of step − 1 − d for each delay d of a projection, read back from
  // the spike history; then postsynaptic events from spikes of
  // step − 1 − post_delay; then Hebbian rates and learning. Each loop is
  // shared among the threads; a connection is touched at most once per loop
  // (one source, one delay, one target cell), the ring by integer atomics,
  // so the result does not depend on the threads (kernels/README.md).
  void learn(std::int64_t step) {
    // Below a few tens of thousands of connection updates a step, one thread
    // does them all: a barrier costs as much as that much work.
    bool shared = threads_ > 1;
    if (shared) {
      std::uint64_t spikes = 0;
      for (std::uint32_t s = 1; s <= img_.history && static_cast<std::int64_t>(s) <= step; ++s)
        spikes += history_[static_cast<std::size_t>((step - s) % img_.history)].size();
      std::uint64_t fan = 0;
      for (const auto& p : img_.plastic) fan += p.target.size() / std::max<std::uint32_t>(1, p.npre) + 1;
      shared = spikes * fan > parallel_learn_threshold;
      for (const auto& P : plastic_views_)  // a rebase or learning step touches every connection
        shared = shared || core::plastic_rebases_at(P, step) || core::learns_at(P, step);
    }
    if (!shared) {
#pragma omp single
      learn_in(step, false);
      return;
    }
    learn_in(step, true);
  }

  // shared: every thread of the region calls this and the loops are shared
  // among them; else one thread runs them all.
  void learn_in(std::int64_t step, bool shared) {
    const std::size_t nt = img_.ntargets;
    std::int64_t* row = ring_.data() + static_cast<std::size_t>(step % img_.ring_depth) * nt;
    const auto spikes_of = [&](std::int64_t s) -> const std::vector<std::uint32_t>* {
      if (s < 0 || s < step - static_cast<std::int64_t>(img_.history)) return nullptr;
      return &history_[static_cast<std::size_t>(s % img_.history)];
    };
    // A loop over [0, n), shared (and then ending in a barrier unless
    // `nowait`) or not.
    const auto each = [shared](std::int64_t n, bool nowait, auto&& f) {
      if (!shared) {
        for (std::int64_t i = 0; i < n; ++i) f(i);
      } else if (nowait) {
#pragma omp for schedule(dynamic, 8) nowait
        for (std::int64_t i = 0; i < n; ++i) f(i);
      } else {
#pragma omp for schedule(dynamic, 8)
        for (std::int64_t i = 0; i < n; ++i) f(i);
      }
    };
    // A loop over every connection (or cell), in blocks of 4096.
    const auto each_block = [&](std::uint64_t n, auto&& f) {
      constexpr std::uint64_t block = 4096;
      each(static_cast<std::int64_t>((n + block - 1) / block), false, [&](std::int64_t b) {
        const std::uint64_t lo = static_cast<std::uint64_t>(b) * block;
        for (std::uint64_t i = lo; i < std::min(n, lo + block); ++i) f(i);
      });
    };
    for (std::size_t q = 0; q < plastic_views_.size(); ++q) {
      const auto& P = plastic_views_[q];
      if (core::plastic_rebases_at(P, step)) {
        const T fp = core::stdp_rebase_factor<M>(P.stdp, P.stdp.rate_plus);
        const T fm = core::stdp_rebase_factor<M>(P.stdp, P.stdp.rate_minus);
        each_block(img_.plastic[q].syn.size(), [&](std::uint64_t c) { core::plastic_rebase_connection(P, c, fp); });
        each_block(P.npost, [&](std::uint64_t j) { core::plastic_rebase_cell(P, static_cast<std::uint32_t>(j), fm); });
      }
      const core::stdp_clock<T> clock = core::plastic_clock<M>(P, step);
      for (std::uint32_t d = P.dmin; d <= P.dmax; ++d) {
        const auto* sp = spikes_of(step - 1 - d);
        each(static_cast<std::int64_t>(sp ? sp->size() : 0), true, [&](std::int64_t i) {
          std::uint64_t lo, hi;
          core::delay_range(P, (*sp)[static_cast<std::size_t>(i)], d, lo, hi);
          for (std::uint64_t c = lo; c < hi; ++c) {
            if (c + 16 < hi) {  // the targets' ring entries and the postsynaptic traces are scattered
              __builtin_prefetch(row + P.target[c + 16], 1);
              __builtin_prefetch(P.y + P.post[c + 16], 0);
            }
            const std::int64_t w = core::plastic_arrival(P, clock, c);
            const std::uint32_t t = P.target[c];
            if (shared)
              std::atomic_ref<std::int64_t>(row[t]).fetch_add(w, std::memory_order_relaxed);
            else
              row[t] += w;
            if (!pulse_.empty() && pulse_[t]) {  // the pulse closes pulse_[t] steps after this one
              std::int64_t& end = pulse_ring_[static_cast<std::size_t>((step + pulse_[t]) % img_.ring_depth) * nt + t];
              if (shared)
                std::atomic_ref<std::int64_t>(end).fetch_add(w, std::memory_order_relaxed);
              else
                end += w;
            }
          }
        });
      }
      if (shared) {
#pragma omp barrier
      }
      const auto* post = spikes_of(step - 1 - P.post_delay);
      each(static_cast<std::int64_t>(post ? post->size() : 0), false, [&](std::int64_t i) {
        const std::uint32_t gid = (*post)[static_cast<std::size_t>(i)];
        if (gid < P.post_gid_base || gid - P.post_gid_base >= P.npost) return;
        const std::uint32_t j = gid - P.post_gid_base;
        if (P.rule == core::plastic_rule::stdp) {
          // The incoming connections are scattered over the CSR by source,
          // a cache line each: ask for them `ahead` iterations early (about
          // a memory latency; 16 was 3 % slower on bench_stdp), the first
          // ones before the loop.
          constexpr std::uint64_t ahead = 96;
          const std::uint64_t begin = P.in_row[j], end = P.in_row[j + 1];
          for (std::uint64_t k = begin; k < std::min(end, begin + ahead); ++k) __builtin_prefetch(P.syn + P.in_conn[k], 1);
          for (std::uint64_t k = begin; k < end; ++k) {
            if (k + ahead < end) {
              const std::uint64_t f = P.in_conn[k + ahead];
              __builtin_prefetch(P.syn + f, 1);
            }
            core::plastic_post_connection(P, clock, P.in_conn[k]);
          }
        }
        core::plastic_post_cell<M>(P, clock, j, step);
      });
      if (P.rule != core::plastic_rule::hebbian) continue;
      const auto* pre = spikes_of(step - 1);
      each(static_cast<std::int64_t>(pre ? pre->size() : 0), false,
           [&](std::int64_t i) { core::plastic_pre_cell<M>(P, (*pre)[static_cast<std::size_t>(i)], step); });
      if (core::learns_at(P, step)) {
        const std::uint32_t* src = img_.plastic[q].source_of.data();
        each_block(img_.plastic[q].source_of.size(),
                   [&](std::uint64_t c) { core::plastic_learn<M>(P, c, src[c], step); });
      }
    }
  }

  // The index by target, for the targets' new places (after every relayout).
  void reindex_targets() {
    std::fill(img_.in_row.begin(), img_.in_row.end(), 0);
    for (auto t : img_.target) ++img_.in_row[t + 1];
    for (std::size_t t = 0; t + 1 < img_.in_row.size(); ++t) img_.in_row[t + 1] += img_.in_row[t];
    std::vector<std::uint64_t> fill(img_.in_row.begin(), img_.in_row.end() - 1);
    for (std::uint64_t c = 0; c < img_.target.size(); ++c) img_.in_conn[fill[img_.target[c]]++] = c;
  }

  // Walks one source's outgoing connections, adding each weight to the ring
  // row of its arrival (core::arrival_row).
  void propagate(std::uint32_t gid, std::int64_t step, bool atomic) {
    const std::size_t nt = img_.ntargets;
    const std::int64_t depth = img_.ring_depth;
    const auto add = [atomic](std::int64_t& cell, std::int64_t w) {
      if (atomic)
        std::atomic_ref<std::int64_t>(cell).fetch_add(w, std::memory_order_relaxed);
      else
        cell += w;
    };
    for (std::uint64_t c = img_.row[gid]; c < img_.row[gid + 1]; ++c) {
      const std::uint32_t t = img_.target[c];
      const std::int64_t w = core::to_fixed(img_.weight[c]);
      add(ring_[core::arrival_row(step, img_.delay[c], static_cast<std::uint32_t>(depth)) * nt + t], w);
      if (!pulse_.empty() && pulse_[t])  // a pulse receptor: where the arrival's pulse closes
        add(pulse_ring_[core::pulse_end_row(step, img_.delay[c], pulse_[t], static_cast<std::uint32_t>(depth)) * nt + t], w);
    }
  }

  image<T> img_;
  int threads_ = 1;  // threads used
  int asked_ = 1;    // threads asked for
  std::vector<core::plastic_view<T>> plastic_views_;
  std::vector<std::vector<std::uint32_t>> history_;  // the spikes of the last img_.history steps, by step % history
  std::vector<core::point_group_view<T>> point_views_;
  std::vector<core::cable_group_view<T>> cable_views_;
  std::vector<core::poisson_view> gens_;
  std::vector<core::spike_times_view> sources_;
  std::vector<T*> group_v_;
  std::vector<std::uint32_t> target_of_;  // where each target of the one-block layout is in the ring
  std::vector<std::uint32_t> pulse_;      // by ring column: pulse steps (image::pulse relaid), or empty
  std::vector<std::int64_t> pulse_ring_;  // like ring_: the weights whose pulses close at each row; or empty
  std::vector<std::vector<T>> thread_scratch_;
  std::vector<std::int64_t> ring_;
  std::vector<std::vector<std::uint32_t>> thread_spikes_;
  std::vector<std::uint32_t> spikes_;
  std::int64_t step_ = 0;
  bool sampled_initial_ = false;
};

template <class T>
std::unique_ptr<engine> make_cpu(image<T> img, int threads, std::uint32_t cable_block) {
  if (cable_block > cable_chunk)
    throw internal_error(fmt::format("make_cpu_engine: a block of {} cells; at most {}", cable_block, cable_chunk));
  if (img.mode == arith_mode::fast)
    return std::make_unique<cpu_engine<T, core::fast_math>>(std::move(img), threads, cable_block);
  return std::make_unique<cpu_engine<T, core::deterministic_math>>(std::move(img), threads, cable_block);
}

}  // namespace

std::unique_ptr<engine> make_cpu_engine(any_image img, int threads, std::uint32_t cable_block) {
  return std::visit([=](auto&& im) { return make_cpu(std::move(im), threads, cable_block); }, std::move(img));
}

}  // namespace ranvier
