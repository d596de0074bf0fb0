// The CPU reference engine: the five stages of a step over the packed image,
// with OpenMP over cells. One parallel region spans a whole batch of steps.
// Each thread owns a share of every group's cells (partition) and with them
// their ring targets and the plastic connections onto them: it advances its
// cells, adds every spike of the step to its own targets and applies the
// plastic rules to its own connections, so an ordinary step has one barrier,
// after spike detection. Results are bit-identical for any thread count:
// cells are independent within a stage, each plastic connection sees the
// same updates in the same order, recorded spikes are sorted, and synaptic
// input is summed in fixed point (integer adds commute).
#include <algorithm>
#include <array>
#include <atomic>
#include <limits>

#include <fmt/format.h>

#include "core/cable/cable_cell.hpp"
#include "core/events.hpp"
#include "core/fixed_point.hpp"
#include "core/generators.hpp"
#include "core/plasticity/plastic.hpp"
#include "core/point_cell.hpp"
#include "host/engines/engine.hpp"
#include "host/engines/static_rows.hpp"
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
static_assert(chunk <= core::max_lanes && cable_chunk <= core::max_lanes);

// Compartments (a point neuron: one) each thread needs a step to be worth the
// step's barrier; a smaller network runs on fewer threads, as
// a barrier costs microseconds on an idle machine and a scheduler time slice
// on a busy one.
constexpr std::uint64_t compartments_per_thread = 500;

template <class T, class M>
class cpu_engine final : public engine {
 public:
  // cable_block: cells per block of cable groups' layout (and per chunk), 1
  // to cable_chunk; 0 lets the engine choose (tests compare layouts).
  cpu_engine(image<T> img, int threads, std::uint32_t cable_block = 0, bool delay_runs = true)
      : img_(std::move(img)), delay_runs_(delay_runs), kept_(img_.kept_sources()) {
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
    for (std::size_t gi = 0; gi < img_.groups.size(); ++gi)
      if (img_.groups[gi].cable) relayout(gi, cable_block > 0 ? cable_block : cells_per_chunk(img_.groups[gi].ncells));
    // Pulse lengths by ring column (the targets' places after any relayout).
    if (!img_.pulse.empty()) {
      pulse_.assign(img_.ntargets, 0);
      for (std::uint32_t t = 0; t < img_.ntargets; ++t) pulse_[target_of_[t]] = img_.pulse[t];
      if (img_.narrow_ring())
        pulse_ring32_.assign(static_cast<std::size_t>(img_.ring_depth) * img_.ntargets, 0);
      else
        pulse_ring_.assign(static_cast<std::size_t>(img_.ring_depth) * img_.ntargets, 0);
    }
    // Kinetic receptors' targets likewise, and their transfer ring.
    if (!img_.release.empty()) {
      release_.assign(img_.ntargets, 0);
      for (std::uint32_t t = 0; t < img_.ntargets; ++t) release_[target_of_[t]] = img_.release[t];
      transfer_ring_.assign(static_cast<std::size_t>(img_.ring_depth) * img_.ntargets, 0);
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
    if constexpr (std::is_same_v<M, core::fast_math>) build_rate_tables();
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
    if (img_.narrow_ring()) {  // the 32-bit ring: only static weights reach it (choose_ring_scales)
      if (!img_.plastic.empty() || !img_.release.empty())
        throw internal_error("cpu engine: a 32-bit ring with plastic projections or kinetic receptors");
      shift_.assign(img_.ntargets, 0);
      for (std::uint32_t t = 0; t < img_.ntargets; ++t)
        shift_[target_of_[t]] = static_cast<std::uint8_t>(core::fixed_bits - img_.ring_scale[t]);
      ring32_.assign(static_cast<std::size_t>(img_.ring_depth) * img_.ntargets, 0);
    } else {
      ring_.assign(static_cast<std::size_t>(img_.ring_depth) * img_.ntargets, 0);
    }
    for (std::size_t k = 0; k < img_.class_weight.size() && k < 256; ++k) class_fixed_[k] = core::to_fixed(img_.class_weight[k]);
    for (std::size_t k = 0; k < img_.class_delay.size() && k < 256; ++k) class_delay_[k] = img_.class_delay[k];
    for (auto& p : img_.plastic) plastic_views_.push_back(p.view());
    history_.resize(img_.history);
    nslots_ = std::max<std::uint32_t>(2, img_.history + 1);
    lists_.resize(static_cast<std::size_t>(nslots_) * static_cast<std::size_t>(threads_));
    thread_scratch_.assign(threads_, std::vector<T>(scratch));
    partition();
    // Modulated STDP: a copy of each projection's dopamine state per share
    // but the first (which is the image's, read by samples and the export),
    // each advanced by its share's thread, so that no share waits for another.
    for (const auto& p : img_.plastic) has_clefts_ = has_clefts_ || !p.clefts.empty();
    mods_.resize(img_.plastic.size());
    for (std::size_t q = 0; q < img_.plastic.size(); ++q)
      if (!img_.plastic[q].mod_state.empty()) mods_[q].assign(threads_, img_.plastic[q].mod_state[0]);
  }

  std::string describe() const override {
    const std::string fewer =
        threads_ < asked_ ? fmt::format(" of {}: too small a network to share", asked_) : std::string();
    return fmt::format("cpu ({} thread{}{}, {}{})", threads_, threads_ == 1 ? "" : "s", fewer, arithmetic_name<T, M>(),
                       run_row_.empty() ? "" : ", delays by run");
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

#pragma omp parallel num_threads(threads_)
    {
      // The team may be smaller than the partition (a run called inside
      // another parallel region, a thread limit): a thread then takes the
      // shares k = me, me + team, ... in turn, with the same results.
#if defined(_OPENMP)
      const int me = omp_get_thread_num(), team = omp_get_num_threads();
#else
      const int me = 0, team = 1;
#endif
      auto& scratch = thread_scratch_[me];
      for (std::int64_t step = first; step < first + nsteps; ++step) {
        // Stage 4, learning, for the events at the step's start: the
        // arrivals of spikes on plastic connections (their weights go into
        // this step's ring row), then the postsynaptic events.
        if (!plastic_views_.empty()) {
          if (learns_all_at(step)) {
#pragma omp barrier
            learn_in(step, threads_ > 1);  // it touches every connection of some projection
          } else {
            for (int k = me; k < threads_; k += team) learn_own(step, k);
          }
        }
        // Synaptic clefts: each share's connections' conductances into this
        // step's ring row, after the step's releases (learn_in ends in a
        // barrier; learn_own touched only the share's own connections).
        if (has_clefts_)
          for (int k = me; k < threads_; k += team) clefts(step, k);
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
        // Stages 1 and 2: deliver + advance + detect, per chunk of share k's
        // cells; its spikes and its share of the sources' go to its list of
        // the step.
        const std::size_t row = static_cast<std::size_t>(step % depth) * nt;
        const core::step_ctx ctx =
            ring32_.empty()
                ? core::step_ctx{step, ring_.data() + row, pulse_ring_.empty() ? nullptr : pulse_ring_.data() + row,
                                 transfer_ring_.empty() ? nullptr : transfer_ring_.data() + row}
                : core::step_ctx{step, nullptr, nullptr, nullptr, ring32_.data() + row,
                                 pulse_ring32_.empty() ? nullptr : pulse_ring32_.data() + row};
        for (int k = me; k < threads_; k += team) advance(step, k, ctx, scratch);
        // The one barrier of an ordinary step: every list of the step is complete.
#pragma omp barrier
        // Stage 3: every spike of the step onto share k's targets (no
        // atomics: a target has one owner).
        for (int k = me; k < threads_; k += team)
          for (int m = 0; m < threads_; ++m)
            for (auto gid : spikes_of_thread(step, m)) propagate(gid, step, k);
        // Modulated STDP: each share's dopamine state to the next step's
        // start (the first share's before it is sampled).
        for (int k = me; k < threads_; k += team) modulate(step, k);
        // Stage 5, record, by the thread of share 0 meanwhile: propagation
        // changes only the ring, never what records read.
        if (me == 0) record(step, rec);
        // A sample reads every cell (and weight): no thread may start the
        // next step before it is taken.
        if (samples_at(step + 1)) {
#pragma omp barrier
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
    for (std::size_t q = 0; q < img_.plastic.size(); ++q) {
      const auto& p = img_.plastic[q];
      if (perm_[q].empty()) {
        append_plastic_state(p, out);
        continue;
      }
      // What the export reads: per-cell state as it is, per-connection state
      // back in the image's order.
      plastic_storage<T> in_order = p;
      const auto unpermute = [&](auto& to, const auto& from) {
        for (std::uint64_t c = 0; c < from.size(); ++c) to[perm_[q][c]] = from[c];
      };
      unpermute(in_order.syn, p.syn);
      unpermute(in_order.release, p.release);
      unpermute(in_order.term, p.term);
      unpermute(in_order.ca_syn, p.ca_syn);
      unpermute(in_order.elig, p.elig);
      unpermute(in_order.clefts, p.clefts);
      append_plastic_state(in_order, out);
    }
    const auto ring = [&](const char* name, const auto& r, bool always) {
      if (!always && r.empty()) return;
      const auto c = canonical_ring(r);
      out.push_back({name, std::vector<double>(c.begin(), c.end())});
    };
    if (ring32_.empty()) {
      ring("ring", ring_, true);
      ring("pulse_ring", pulse_ring_, false);
    } else {
      ring("ring", ring32_, true);
      ring("pulse_ring", pulse_ring32_, false);
    }
    ring("transfer_ring", transfer_ring_, false);
    append_release_state(img_.release_state, "", out, static_perm_);
    return out;
  }

  std::optional<numeric_fault> find_fault(double v_lo, double v_hi) override {
    for (std::size_t gi = 0; gi < img_.groups.size(); ++gi)
      if (auto f = fault_from_steps(img_.groups[gi], static_cast<std::uint32_t>(gi), img_.groups[gi].fault_step.data(),
                                    img_.groups[gi].v.data()))
        return f;
    for (std::size_t gi = 0; gi < img_.groups.size(); ++gi) {
      const auto& g = img_.groups[gi];
      for (int a = 0; a < g.narrays(); ++a)
        if (auto f = find_fault_in(g, static_cast<std::uint32_t>(gi), a, g.array(a).data(), v_lo, v_hi)) return f;
    }
    return std::nullopt;
  }

  engine_state save_state() override {
    engine_state st;
    st.step = step_;
    collect_image_state(img_, perm_, static_perm_, st);
    const auto ring = [&](const char* name, const auto& r) {
      if (!r.empty()) st.put(name, canonical_ring(r));
    };
    ring("ring", ring_);  // one of each pair is empty
    ring("ring", ring32_);
    ring("pulse_ring", pulse_ring_);
    ring("pulse_ring", pulse_ring32_);
    ring("transfer_ring", transfer_ring_);
    put_history(st, step_, img_.history,
                [&](std::int64_t s) { return history_[static_cast<std::size_t>(s % img_.history)]; });
    return st;
  }

  void resume_state(const engine_state& in) override {
    if (step_ != 0 || sampled_initial_) throw internal_error("cpu engine: resume_state after a run");
    const std::size_t nt = img_.ntargets;
    const auto ring = [&](const char* name, auto& r) {  // canonical_ring's inverse
      if (r.empty()) return;
      std::vector<std::int64_t> canonical(r.size());
      in.get(name, canonical);
      const auto values = [&] {
        if constexpr (sizeof(r[0]) == 8)
          return canonical;
        else
          return narrow_ring_values(img_, canonical, name);
      }();
      for (std::size_t row = 0; row < img_.ring_depth; ++row)
        for (std::size_t t = 0; t < nt; ++t) r[row * nt + target_of_[t]] = values[row * nt + t];
    };
    ring("ring", ring_);
    ring("ring", ring32_);
    ring("pulse_ring", pulse_ring_);
    ring("pulse_ring", pulse_ring32_);
    ring("transfer_ring", transfer_ring_);
    // The history both ways the rules read it: merged (learn_in) and as the
    // lists of the steps (learn_own), all in the first share's list.
    get_history(in, in.step, img_.history, [&](std::int64_t s, std::vector<std::uint32_t> gids) {
      if (s < 0) return;
      for (int k = 0; k < threads_; ++k) spikes_of_thread(s, k).clear();
      spikes_of_thread(s, 0) = gids;
      history_[static_cast<std::size_t>(s % img_.history)] = std::move(gids);
    });
    step_ = in.step;
    sampled_initial_ = true;
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
  // A ring (ring_, pulse_ring_, transfer_ring_, or the 32-bit ring32_,
  // pulse_ring32_) with its targets in the image's numbering (undoing the
  // cable relayout) and its values at 2^-40 of their unit, as state() and
  // checkpoints give it.
  template <class W> std::vector<std::int64_t> canonical_ring(const std::vector<W>& r) const {
    const std::size_t nt = img_.ntargets;
    std::vector<W> out(r.size());
    for (std::size_t row = 0; row < img_.ring_depth; ++row)
      for (std::size_t t = 0; t < nt; ++t) out[row * nt + t] = r[row * nt + target_of_[t]];
    if constexpr (sizeof(W) == 8)
      return out;
    else
      return wide_ring_values(img_, out);
  }

  // Fast mode: rate tables (core/gating.hpp) for the point neurons'
  // mechanisms that give their gates as x∞ and decay, from each group's
  // parameters; the views then read them instead of computing the rates.
  void build_rate_tables() {
    for (auto& view : point_views_)
      for (int q = 0; q < view.c.nmech; ++q) {
        auto& mv = view.c.mech[q];
        core::dispatch(core::density_mechanisms{}, static_cast<int>(mv.kind), [&]<class Mech>() {
          if constexpr (core::has_gate_table<Mech>()) {
            const std::vector<double> p(mv.param, mv.param + mv.nparam);
            auto& t = tables_.emplace_back(static_cast<std::size_t>(core::table_points) * 2 * Mech::ntable);
            core::fill_gate_table<Mech>(p.data(), t.data());
            mv.table = core::table_view(t.data());
          }
        });
      }
  }

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

  // Stages 1 and 2 for share k: deliver, advance and detect on its cells,
  // a chunk at a time, then its given-time sources and its blocks of
  // Poisson sources; the spikes into its list of the step.
  void advance(std::int64_t step, int k, const core::step_ctx& ctx, std::vector<T>& scratch) {
    auto& mine = spikes_of_thread(step, k);
    mine.clear();
    auto sink = [&mine](std::uint32_t gid) { mine.push_back(gid); };
    for (std::size_t i = 0; i < point_views_.size(); ++i) {
      const auto& G = point_views_[i];
      const auto& own = point_own_[i];
      for (std::uint32_t c0 = own[k]; c0 < own[k + 1]; c0 += chunk) {
        core::lanes<T, chunk> L;
        L.first = c0;
        L.n = static_cast<int>(std::min<std::uint32_t>(chunk, own[k + 1] - c0));
        core::point_step<M>(G, ctx, L, sink);
      }
    }
    for (std::size_t i = 0; i < cable_views_.size(); ++i) {
      const auto& G = cable_views_[i];
      const auto& own = cable_own_[i];
      const std::uint32_t per = G.c.block;  // a chunk is a block of the layout
      const core::cable_scratch<T> S{scratch.data(), scratch.data() + G.nnodes * cable_chunk,
                                     scratch.data() + 2 * G.nnodes * cable_chunk,
                                     scratch.data() + 3 * G.nnodes * cable_chunk, cable_chunk, 0};
      for (std::uint32_t c0 = own[k]; c0 < own[k + 1]; c0 += per)
        core::cable_step<M, T, cable_chunk>(G, ctx, c0, static_cast<int>(std::min(per, own[k + 1] - c0)), S, sink);
    }
    for (std::size_t i = 0; i < sources_.size(); ++i) {
      if (static_cast<int>(i % static_cast<std::size_t>(threads_)) != k) continue;
      const auto& P = sources_[i];
      for (std::uint64_t e = core::first_event(P, step); e < P.nevents && P.step[e] == step; ++e) {
        ++P.spike_count[P.cell[e]];
        mine.push_back(P.gid_base + P.cell[e]);
      }
    }
    for (const auto& P : gens_) {
      if (step < P.start || step >= P.stop) continue;
      // 64 sources at a time: the draws in a loop that vectorises, then the spikes.
      const std::int64_t nblocks = (P.ncells + 63) / 64;
      for (std::int64_t b = nblocks * k / threads_; b < nblocks * (k + 1) / threads_; ++b) {
        const auto c0 = static_cast<std::uint32_t>(b * 64);
        const int n = static_cast<int>(std::min<std::uint32_t>(64, P.ncells - c0));
        std::uint8_t fires[64];
        core::poisson_fires_lanes<64>(P, c0, step, fires);
        for (int i = 0; i < n; ++i)
          if (fires[i]) {
            ++P.spike_count[c0 + i];
            mine.push_back(P.gid_base + c0 + static_cast<std::uint32_t>(i));
          }
      }
    }
  }

  // The step's spikes found by thread k (its cells and its share of the
  // sources), kept for nslots_ steps: propagation reads them after the
  // step's barrier and learning up to img_.history steps later, while a
  // thread a step ahead fills the next slot.
  std::vector<std::uint32_t>& spikes_of_thread(std::int64_t step, int k) {
    return lists_[static_cast<std::size_t>(step % nslots_) * static_cast<std::size_t>(threads_) + static_cast<std::size_t>(k)];
  }

  // The clefts of share k's connections (those onto its cells): their
  // conductances into the ring row of `step`, and one step of each cleft.
  void clefts(std::int64_t step, int k) {
    std::int64_t* row = ring_.data() + static_cast<std::size_t>(step % img_.ring_depth) * img_.ntargets;
    for (std::size_t q = 0; q < plastic_views_.size(); ++q) {
      const auto& P = plastic_views_[q];
      if (P.cleft.model == core::cleft_receptor::none) continue;
      const auto& o = plastic_own_[q];
      for (std::uint64_t i = P.in_row[o[k]]; i < P.in_row[o[k + 1]]; ++i) {
        const std::uint64_t c = P.in_conn[i];
        const T g = core::plastic_cleft_step(P, c);
        if (g != T(0)) row[P.target[c]] += core::to_fixed(g);
      }
    }
  }

  // Modulated STDP: share k's copy of each projection's dopamine state from
  // the start of `step` to the next, by the modulator's spikes of `step`.
  void modulate(std::int64_t step, int k) {
    for (std::size_t q = 0; q < mods_.size(); ++q) {
      if (mods_[q].empty()) continue;
      const auto& P = plastic_views_[q];
      std::uint32_t count = 0;
      for (int m = 0; m < threads_; ++m)
        for (auto gid : spikes_of_thread(step, m)) count += core::is_modulator(P, gid) ? 1u : 0u;
      core::plastic_modulate<M>(P, modulator_of(q, k), step + 1, count);
    }
  }

  // Share k's copy of projection q's dopamine state (the first: the image's).
  core::modulator_state<T>& modulator_of(std::size_t q, int k) {
    return k == 0 ? img_.plastic[q].mod_state[0] : mods_[q][static_cast<std::size_t>(k)];
  }

  // Whether some record samples at `step` (every thread asks, and they must agree).
  bool samples_at(std::int64_t step) const {
    for (const auto& rp : img_.records)
      if (rp.samples_at(step)) return true;
    return false;
  }

  // The step's spikes in gid order: into the recording, the history the
  // plastic rules read back at their special steps, and the samples of the
  // state after the step.
  void record(std::int64_t step, recording& rec) {
    spikes_.clear();
    for (int m = 0; m < threads_; ++m) {
      const auto& l = spikes_of_thread(step, m);
      spikes_.insert(spikes_.end(), l.begin(), l.end());
    }
    std::sort(spikes_.begin(), spikes_.end());
    for (auto gid : spikes_)
      if (kept_.empty() || kept_[gid]) rec.spikes.push_back({step + 1, gid});
    if (!history_.empty()) history_[static_cast<std::size_t>(step % img_.history)] = spikes_;
    if (samples_at(step + 1)) sample_records(img_, step + 1, rec);
  }

  // Shares the cells among the threads (each group in contiguous runs of
  // whole chunks, by an estimate of their work), gives every ring target and
  // plastic connection the owner of its cell, and orders each source's
  // static connections by owner (part_), so that a thread's stages touch
  // only its own targets and connections.
  void partition() {
    const auto nth = static_cast<std::size_t>(threads_);
    const std::uint32_t nt = img_.ntargets;
    constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
    // Each ring target's group and cell.
    std::vector<std::uint32_t> col_group(nt, none), col_cell(nt, none);
    for (std::size_t gi = 0; gi < img_.groups.size(); ++gi) {
      const auto& g = img_.groups[gi];
      if (g.receptors.empty()) continue;
      const std::uint32_t base = g.receptors[0].target_base;
      const std::uint64_t span = static_cast<std::uint64_t>(g.receptors[0].nlocations) * g.ncells;
      for (std::uint64_t u = 0; u < span; ++u) {
        col_group[target_of_[base + u]] = static_cast<std::uint32_t>(gi);
        col_cell[target_of_[base + u]] = static_cast<std::uint32_t>(u % g.ncells);
      }
    }
    const auto cell_of = [&](std::uint32_t t) {
      if (t >= nt || col_group[t] == none)
        throw internal_error(fmt::format("cpu engine: ring target {} belongs to no cell", t));
      return std::pair{col_group[t], col_cell[t]};
    };
    // The work estimate, in units of a point neuron's step: a compartment
    // 1, a static connection onto the cell 1/600, a plastic one 1/200
    // (bench_stdp's LIF network at its rates of about 10 Hz, timed per
    // thread: a LIF step 4.5e-9 s, a static connection's share of
    // propagation 7.6e-12 s a step, a plastic one's of arrivals and
    // postsynaptic updates 1.8e-11 to 2.5e-11 s).
    std::vector<std::vector<double>> cost(img_.groups.size());
    for (std::size_t gi = 0; gi < img_.groups.size(); ++gi)
      cost[gi].assign(img_.groups[gi].ncells, static_cast<double>(img_.groups[gi].nnodes));
    for (auto t : img_.target) {
      const auto [gi, c] = cell_of(t);
      cost[gi][c] += 1.0 / 600;
    }
    for (const auto& p : img_.plastic)
      for (auto t : p.target) {
        const auto [gi, c] = cell_of(t);
        cost[gi][c] += 1.0 / 200;
      }
    // Per group, thread k's cells [own[k], own[k + 1]): whole units (a
    // chunk, or a cable group's block), about an equal share of the cost.
    std::vector<std::vector<std::uint32_t>> own(img_.groups.size());
    for (std::size_t gi = 0; gi < img_.groups.size(); ++gi) {
      const auto& g = img_.groups[gi];
      const std::uint32_t unit = g.cable ? g.block : chunk;
      double total = 0.0;
      for (double x : cost[gi]) total += x;
      auto& o = own[gi];
      o.assign(nth + 1, g.ncells);
      o[0] = 0;
      double sum = 0.0;
      std::size_t k = 1;
      for (std::uint32_t c0 = 0; c0 < g.ncells && k < nth; c0 += unit) {
        // Thread k starts at the unit boundary nearest to k/nth of the cost.
        double here = 0.0;
        for (std::uint32_t c = c0; c < std::min(g.ncells, c0 + unit); ++c) here += cost[gi][c];
        while (k < nth && sum + here / 2 >= total * static_cast<double>(k) / static_cast<double>(nth)) o[k++] = c0;
        sum += here;
      }
      for (std::size_t i = 1; i <= nth; ++i) o[i] = std::max(o[i], o[i - 1]);
      (g.cable ? cable_own_ : point_own_).push_back(o);
    }
    const auto owner = [&](std::uint32_t t) {
      const auto [gi, c] = cell_of(t);
      const auto& o = own[gi];
      return static_cast<std::size_t>(std::upper_bound(o.begin() + 1, o.end(), c) - (o.begin() + 1));
    };
    // Static connections: each source's by owner, and where each owner's run
    // starts (part_); within a run by delay, with the delays kept once a run
    // where they are drawn and that pays (order_static_rows). Release states
    // are exported in the image's order, so with them the permutation is
    // kept (static_perm_).
    if (nth > 1 || !img_.delay16.empty() || !img_.delay.empty()) {
      static_rows rows = order_static_rows(img_, threads_, nth, owner, !img_.release_state.empty(), delay_runs_);
      part_ = std::move(rows.part);
      static_perm_ = std::move(rows.perm);
      run_row_ = std::move(rows.run_row);
      run_end_ = std::move(rows.run_end);
      run_delay_ = std::move(rows.run_delay);
    }
    // Plastic connections: thread k's postsynaptic cells [o[k], o[k + 1])
    // of each projection, and each source's connections by owner, then
    // delay (stably: the builder's order within), so a thread's arrivals of
    // one source and delay are one run of the row (ppart_). The state is
    // exported and recorded in the image's order (perm_).
    for (std::size_t q = 0; q < img_.plastic.size(); ++q) {
      auto& p = img_.plastic[q];
      std::vector<std::uint32_t> o(nth + 1, 0);
      o[nth] = p.npost;
      bool found = false;
      for (std::size_t gi = 0; gi < img_.groups.size(); ++gi) {
        const auto& g = img_.groups[gi];
        if (p.post_gid_base < g.gid_base || p.post_gid_base - g.gid_base >= g.ncells) continue;
        found = true;
        const std::uint32_t cell0 = p.post_gid_base - g.gid_base;
        for (std::size_t k = 1; k < nth; ++k) o[k] = std::clamp(own[gi][k], cell0, cell0 + p.npost) - cell0;
        for (std::uint64_t c = 0; c < p.target.size(); ++c) {
          const auto [tg, tc] = cell_of(p.target[c]);
          if (tg != gi || tc != cell0 + p.post[c])
            throw internal_error(
                fmt::format("cpu engine: plastic connection {} of '{}' targets another cell than its own", c, p.name));
        }
      }
      if (!found) throw internal_error(fmt::format("cpu engine: the postsynaptic cells of '{}' are in no group", p.name));
      std::vector<std::uint64_t> perm, ppart;
      if (nth > 1) {
        const auto owner_of = [&](std::uint32_t j) {
          return static_cast<std::size_t>(std::upper_bound(o.begin() + 1, o.end(), j) - (o.begin() + 1));
        };
        perm = rows_by_owner(p.row.data(), p.npre, [&](std::uint64_t c) { return owner_of(p.post[c]); }, ppart);
        permute(p.syn, perm);
        permute(p.target, perm);
        permute(p.delay, perm);
        permute(p.pre, perm);
        permute(p.post, perm);
        if (!p.source_of.empty()) permute(p.source_of, perm);
        if (!p.release.empty()) permute(p.release, perm);
        if (!p.term.empty()) permute(p.term, perm);
        if (!p.ca_syn.empty()) permute(p.ca_syn, perm);
        if (!p.elig.empty()) permute(p.elig, perm);
        if (!p.clefts.empty()) permute(p.clefts, perm);
        std::vector<std::uint64_t> fill_in(p.in_row.begin(), p.in_row.end() - 1);
        for (std::uint64_t c = 0; c < p.post.size(); ++c) p.in_conn[fill_in[p.post[c]]++] = c;
        std::vector<std::uint64_t> inverse(perm.size());
        for (std::uint64_t c = 0; c < perm.size(); ++c) inverse[perm[c]] = c;
        for (auto& rp : img_.records)
          if (rp.kind == sample_kind::weight && rp.plastic == static_cast<int>(q))
            for (auto& c : rp.index) c = inverse[c];
      }
      plastic_own_.push_back(std::move(o));
      perm_.push_back(std::move(perm));
      ppart_.push_back(std::move(ppart));
    }
    plastic_views_.clear();
    for (std::size_t q = 0; q < img_.plastic.size(); ++q) {
      plastic_views_.push_back(img_.plastic[q].view());
      // The random streams of the terminals are keyed by the image's index.
      if (!perm_[q].empty()) plastic_views_.back().index = perm_[q].data();
    }
  }

  // Orders each of the nrows rows of a CSR (offsets `row`) by the owner of
  // its entries, stably (a row's delays stay ascending within a run): the
  // new order as perm[new] = old, and in part where share k's run of row i
  // starts, at i·(threads − 1) + k − 1 (k = 1 … threads − 1).
  template <class Owner>
  std::vector<std::uint64_t> rows_by_owner(const std::uint64_t* row, std::size_t nrows, Owner&& owner,
                                           std::vector<std::uint64_t>& part) const {
    const auto nth = static_cast<std::size_t>(threads_);
    std::vector<std::uint64_t> perm(row[nrows]), fill(nth + 1);
    part.assign(nrows * (nth - 1), 0);
    for (std::size_t i = 0; i < nrows; ++i) {
      std::fill(fill.begin(), fill.end(), 0);
      for (std::uint64_t c = row[i]; c < row[i + 1]; ++c) ++fill[owner(c) + 1];
      for (std::size_t k = 0; k < nth; ++k) fill[k + 1] += fill[k];
      for (std::size_t k = 1; k < nth; ++k) part[i * (nth - 1) + k - 1] = row[i] + fill[k];
      for (std::uint64_t c = row[i]; c < row[i + 1]; ++c) perm[row[i] + fill[owner(c)]++] = c;
    }
    return perm;
  }

  template <class V> static void permute(V& v, const std::vector<std::uint64_t>& perm) {
    const V old = v;
    for (std::uint64_t c = 0; c < perm.size(); ++c) v[c] = old[perm[c]];
  }

  // The connections of source `gid` with delay d in thread k's run of
  // projection q's row: [lo, hi) (empty when the source is not q's).
  void arrivals_of(std::size_t q, std::uint32_t gid, std::uint32_t d, int k, std::uint64_t& lo,
                   std::uint64_t& hi) const {
    const auto& P = plastic_views_[q];
    lo = hi = 0;
    if (gid < P.pre_gid_base || gid - P.pre_gid_base >= P.npre) return;
    const std::size_t i = gid - P.pre_gid_base, inner = static_cast<std::size_t>(threads_) - 1;
    lo = k == 0 ? P.row[i] : ppart_[q][i * inner + static_cast<std::size_t>(k) - 1];
    hi = k == threads_ - 1 ? P.row[i + 1] : ppart_[q][i * inner + static_cast<std::size_t>(k)];
    if (P.dmin == P.dmax) return;  // one delay: the whole run
    const std::uint32_t* first = std::lower_bound(P.delay + lo, P.delay + hi, d);
    hi = static_cast<std::uint64_t>(std::upper_bound(first, P.delay + hi, d) - P.delay);
    lo = static_cast<std::uint64_t>(first - P.delay);
  }

  // The arrivals at `step` on connections [lo, hi) of P: trace, weight into
  // the ring row (and a pulse receptor's closing row, or a kinetic
  // receptor's release); atomic where threads share the targets.
  void arrive(const core::plastic_view<T>& P, const core::stdp_clock<T>& clock, std::int64_t step, std::uint64_t lo,
              std::uint64_t hi, bool atomic) {
    const std::size_t nt = img_.ntargets;
    std::int64_t* row = ring_.data() + static_cast<std::size_t>(step % img_.ring_depth) * nt;
    const auto add = [atomic](std::int64_t& cell, std::int64_t w) {
      if (atomic)
        std::atomic_ref<std::int64_t>(cell).fetch_add(w, std::memory_order_relaxed);
      else
        cell += w;
    };
    for (std::uint64_t c = lo; c < hi; ++c) {
      const std::uint32_t t = P.target[c];
      const core::arrival<T> a = core::plastic_arrival<M>(P, clock, c, step);
      if (!a.released) continue;
      if (!release_.empty() && release_[t]) {  // a kinetic receptor: the connection's release
        release(P.release[c], t, a.w, step, atomic);
        continue;
      }
      const std::int64_t w = core::to_fixed(a.w);
      add(row[t], w);
      if (!pulse_.empty() && pulse_[t])  // the pulse closes pulse_[t] steps after this one
        add(pulse_ring_[static_cast<std::size_t>((step + pulse_[t]) % img_.ring_depth) * nt + t], w);
    }
  }

  // Connection state S's release of weight w onto target t, arriving at
  // step a (core::kinetic_release): into the three rings, atomic where
  // threads share the targets.
  void release(core::kinetic_release_state<T>& S, std::uint32_t t, T w, std::int64_t a, bool atomic) {
    const std::size_t nt = img_.ntargets;
    std::int64_t* const rings[3] = {ring_.data(), pulse_ring_.data(), transfer_ring_.data()};
    const auto add = [&](int which, std::int64_t at, std::int64_t v) {
      std::int64_t& cell = rings[which][static_cast<std::size_t>(at % img_.ring_depth) * nt + t];
      if (atomic)
        std::atomic_ref<std::int64_t>(cell).fetch_add(v, std::memory_order_relaxed);
      else
        cell += v;
    };
    const std::int64_t end = a + pulse_[t];
    std::int64_t old;
    // Shared learning (learn_in): other threads add to the same ring rows, so
    // the adds are atomic. S itself is this thread's alone (a source's
    // repeats in a step come to one thread, each_spike); the claim is a
    // compare-and-swap all the same, so that S.end only grows.
    if (atomic) {
      std::atomic_ref<std::int64_t> e(S.end);
      old = e.load(std::memory_order_relaxed);
      while (old < end && !e.compare_exchange_weak(old, end, std::memory_order_relaxed)) {
      }
    } else {
      old = core::claim_release(S, end);
    }
    core::kinetic_release<M>(img_.release_params[release_[t] - 1], pulse_[t], S, old, w, a, add);
  }

  // A spike of P's postsynaptic cell j reaching its synapses at `step`.
  void post_spike(const core::plastic_view<T>& P, const core::stdp_clock<T>& clock, std::uint32_t j, std::int64_t step) {
    if (core::plastic_post_touches_connections(P)) {
      // The incoming connections are scattered over the CSR by source, a
      // cache line each: ask for them `ahead` iterations early (about a
      // memory latency; 16 was 3 % slower on bench_stdp), the first ones
      // before the loop.
      constexpr std::uint64_t ahead = 96;
      const std::uint64_t begin = P.in_row[j], end = P.in_row[j + 1];
      for (std::uint64_t i = begin; i < std::min(end, begin + ahead); ++i) __builtin_prefetch(P.syn + P.in_conn[i], 1);
      for (std::uint64_t i = begin; i < end; ++i) {
        if (i + ahead < end) __builtin_prefetch(P.syn + P.in_conn[i + ahead], 1);
        core::plastic_post_connection<M>(P, clock, P.in_conn[i], step);
      }
    }
    core::plastic_post_cell<M>(P, clock, j, step);
  }

  // The plastic rules' events at the start of `step` (core/plasticity/),
  // for every share k of the partition: arrivals at step from
  // spikes of step − 1 − d for each delay d of a projection, then
  // postsynaptic events from spikes of step − 1 − post_delay, then Hebbian
  // rates and learning. On an ordinary step each share does those of its
  // own connections and cells (and a share of the Hebbian sources' rates),
  // with no barrier (learn_own); a step that touches every
  // connection (a rebase of the traces, Hebbian learning: learns_all_at)
  // waits for all threads and shares its loops (learn_in).
  bool learns_all_at(std::int64_t step) const {
    for (const auto& P : plastic_views_)
      if (core::plastic_rebases_at(P, step) || core::learns_at(P, step)) return true;
    return false;
  }

  // An ordinary step's learning for share k (no barrier, no atomics).
  void learn_own(std::int64_t step, int k) {
    for (std::size_t q = 0; q < plastic_views_.size(); ++q) {
      const auto& P = plastic_views_[q];
      const core::stdp_clock<T> clock =
          core::plastic_clock<M>(P, step, mods_[q].empty() ? nullptr : &modulator_of(q, k));
      for (std::uint32_t d = P.dmin; P.ca.lag > 0 && d <= P.dmax; ++d) {  // calcium rule: late transients
        const std::int64_t s = step - 1 - d - P.ca.lag;
        if (s < 0) continue;
        for (int m = 0; m < threads_; ++m)
          for (auto gid : spikes_of_thread(s, m)) {
            std::uint64_t lo, hi;
            arrivals_of(q, gid, d, k, lo, hi);
            for (std::uint64_t c = lo; c < hi; ++c) core::plastic_late_pre<M>(P, c, step);
          }
      }
      for (std::uint32_t d = P.dmin; d <= P.dmax; ++d) {
        const std::int64_t s = step - 1 - d;
        if (s < 0) continue;
        for (int m = 0; m < threads_; ++m)
          for (auto gid : spikes_of_thread(s, m)) {
            std::uint64_t lo, hi;
            arrivals_of(q, gid, d, k, lo, hi);
            arrive(P, clock, step, lo, hi, false);
          }
      }
      const std::int64_t s = step - 1 - P.post_delay;
      if (s < 0) continue;
      const auto& o = plastic_own_[q];
      for (int m = 0; m < threads_; ++m)
        for (auto gid : spikes_of_thread(s, m)) {
          const std::uint32_t j = gid - P.post_gid_base;
          if (gid >= P.post_gid_base && j >= o[k] && j < o[k + 1]) post_spike(P, clock, j, step);
        }
      if (P.rule != core::plastic_rule::hebbian) continue;
      // Hebbian rates of the sources that fired at step − 1: source i is
      // thread i·threads/npre's (read only on learning steps, past a barrier).
      for (int m = 0; m < threads_; ++m)
        for (auto gid : spikes_of_thread(step - 1, m)) {
          const std::uint32_t i = gid - P.pre_gid_base;
          if (gid >= P.pre_gid_base && i < P.npre &&
              static_cast<std::uint64_t>(i) * static_cast<std::uint64_t>(threads_) / P.npre == static_cast<std::uint64_t>(k))
            core::plastic_pre_cell<M>(P, gid, step);
        }
    }
  }

  // shared: every thread of the region calls this and the loops are shared
  // among them (the ring by integer atomics); else one thread runs them
  // all. A connection is touched by one thread per loop (one source, one
  // delay, one target cell; a source given twice in a step twice by the same
  // thread, each_spike), so the result does not depend on the threads
  // (kernels/README.md). Spikes from the merged history.
  void learn_in(std::int64_t step, bool shared) {
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
    // A loop over a step's spikes (sorted: a given-time source's repeats
    // within the step are adjacent), calling f(gid) for each; a source's
    // repeats run one after the other in one iteration, so that no two
    // threads touch its connections at once (the CUDA engine's warp takes
    // them in a row too).
    const auto each_spike = [&](const std::vector<std::uint32_t>* sp, bool nowait, auto&& f) {
      const std::int64_t n = sp ? static_cast<std::int64_t>(sp->size()) : 0;
      each(n, nowait, [&](std::int64_t i) {
        const std::uint32_t* g = sp->data();
        if (i > 0 && g[i - 1] == g[i]) return;  // taken with the first of its run
        for (std::int64_t r = i; r < n && g[r] == g[i]; ++r) f(g[r]);
      });
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
        const core::rebase_factors<T> f = core::plastic_rebase_factors<M>(P);
        each_block(img_.plastic[q].syn.size(), [&](std::uint64_t c) { core::plastic_rebase_connection(P, c, f); });
        each_block(P.npost, [&](std::uint64_t j) { core::plastic_rebase_cell(P, static_cast<std::uint32_t>(j), f.minus); });
      }
      const core::stdp_clock<T> clock = core::plastic_clock<M>(P, step);
      if (P.ca.lag > 0) {  // calcium rule: the late presynaptic transients, before the arrivals
        for (std::uint32_t d = P.dmin; d <= P.dmax; ++d) {
          each_spike(spikes_of(step - 1 - d - P.ca.lag), true, [&](std::uint32_t gid) {
            for (int k = 0; k < threads_; ++k) {
              std::uint64_t lo, hi;
              arrivals_of(q, gid, d, k, lo, hi);
              for (std::uint64_t c = lo; c < hi; ++c) core::plastic_late_pre<M>(P, c, step);
            }
          });
        }
        if (shared) {
#pragma omp barrier
        }
      }
      for (std::uint32_t d = P.dmin; d <= P.dmax; ++d) {
        each_spike(spikes_of(step - 1 - d), true, [&](std::uint32_t gid) {
          for (int k = 0; k < threads_; ++k) {  // every thread's run of the row
            std::uint64_t lo, hi;
            arrivals_of(q, gid, d, k, lo, hi);
            arrive(P, clock, step, lo, hi, shared);
          }
        });
      }
      if (shared) {
#pragma omp barrier
      }
      each_spike(spikes_of(step - 1 - P.post_delay), false, [&](std::uint32_t gid) {
        if (gid >= P.post_gid_base && gid - P.post_gid_base < P.npost) post_spike(P, clock, gid - P.post_gid_base, step);
      });
      if (P.rule != core::plastic_rule::hebbian) continue;
      each_spike(spikes_of(step - 1), false, [&](std::uint32_t gid) { core::plastic_pre_cell<M>(P, gid, step); });
      if (core::learns_at(P, step)) {
        if (P.theta)  // BCM: the cells' thresholds, then the connections
          each_block(P.npost, [&](std::uint64_t j) { core::plastic_learn_cell<M>(P, static_cast<std::uint32_t>(j), step); });
        const std::uint32_t* src = img_.plastic[q].source_of.data();
        each_block(img_.plastic[q].source_of.size(),
                   [&](std::uint64_t c) { core::plastic_learn<M>(P, c, src[c], step); });
      }
    }
  }

  // Walks thread k's part of one source's outgoing connections (part_),
  // adding each weight to the ring row of its arrival (core::arrival_row_after).
  void propagate(std::uint32_t gid, std::int64_t step, int k) {
    const std::size_t nt = img_.ntargets;
    const auto depth = static_cast<std::uint32_t>(img_.ring_depth);
    const std::size_t inner = static_cast<std::size_t>(threads_) - 1;
    const std::uint64_t lo = k == 0 ? img_.row[gid] : part_[gid * inner + static_cast<std::size_t>(k) - 1];
    const std::uint64_t hi = k == threads_ - 1 ? img_.row[gid + 1] : part_[gid * inner + static_cast<std::size_t>(k)];
    const std::uint64_t next = core::arrival_row(step, 0, depth);
    const std::uint32_t* rel = release_.empty() ? nullptr : release_.data();
    // One loop for each way the connections are stored (image::weight_at,
    // delay_at): a weight or a class; a delay by class, by run (static_rows),
    // or per connection in 16 or 32 bits.
    const auto walk = [&](std::uint64_t from, std::uint64_t to, const auto& delay_of, const auto& fixed_of) {
      if (!ring32_.empty()) {
        // The 32-bit ring: each weight at its target's scale 2^-k, which is
        // its 64-bit value shifted by 40 − k, exactly (choose_ring_scales).
        const std::uint8_t* shift = shift_.data();
        std::int32_t* ring = ring32_.data();
        for (std::uint64_t c = from; c < to; ++c) {
          const std::uint32_t t = img_.target[c];
          const std::uint32_t d = delay_of(c);
          const auto w = static_cast<std::int32_t>(fixed_of(c) >> shift[t]);
          ring[core::arrival_row_after(next, d, depth) * nt + t] += w;
          if (!pulse_.empty() && pulse_[t]) pulse_ring32_[core::pulse_end_row(step, d, pulse_[t], depth) * nt + t] += w;
        }
        return;
      }
      for (std::uint64_t c = from; c < to; ++c) {
        const std::uint32_t t = img_.target[c];
        const std::uint32_t d = delay_of(c);
        if (rel && rel[t]) {  // a kinetic receptor: the connection's release
          release(img_.release_state[c], t, img_.weight_at(c), step + 1 + d, false);
          continue;
        }
        const std::int64_t w = fixed_of(c);
        ring_[core::arrival_row_after(next, d, depth) * nt + t] += w;
        if (!pulse_.empty() && pulse_[t])  // a pulse receptor: where the arrival's pulse closes
          pulse_ring_[core::pulse_end_row(step, d, pulse_[t], depth) * nt + t] += w;
      }
    };
    const auto with_weights = [&](const auto& go) {
      if (img_.cls.empty()) {
        go([&](std::uint64_t c) { return core::to_fixed(img_.weight[c]); });
      } else {
        const std::uint8_t* cls = img_.cls.data();
        go([&](std::uint64_t c) { return class_fixed_[cls[c]]; });
      }
    };
    if (!img_.class_delay.empty()) {
      const std::uint8_t* cls = img_.cls.data();
      walk(lo, hi, [&](std::uint64_t c) { return class_delay_[cls[c]]; },
           [&](std::uint64_t c) { return class_fixed_[cls[c]]; });
    } else if (!run_row_.empty()) {
      // Thread k's part of the row is whole runs, from the one that starts at lo.
      with_weights([&](const auto& fixed_of) {
        const std::uint64_t a = img_.row[gid];
        const std::uint32_t* end = run_end_.data();
        const std::uint64_t r1 = run_row_[gid + 1];
        std::uint64_t r = run_row_[gid];
        if (lo > a) r = static_cast<std::uint64_t>(std::upper_bound(end + r, end + r1, static_cast<std::uint32_t>(lo - a)) - end);
        for (std::uint64_t c = lo; c < hi && r < r1; ++r) {
          const std::uint64_t e = a + end[r];
          const std::uint32_t d = run_delay_[r];
          walk(c, e, [d](std::uint64_t) { return d; }, fixed_of);
          c = e;
        }
      });
    } else if (!img_.delay16.empty()) {
      with_weights([&](const auto& fixed_of) {
        walk(lo, hi, [&](std::uint64_t c) -> std::uint32_t { return img_.delay16[c]; }, fixed_of);
      });
    } else {
      with_weights([&](const auto& fixed_of) { walk(lo, hi, [&](std::uint64_t c) { return img_.delay[c]; }, fixed_of); });
    }
  }

  image<T> img_;
  bool delay_runs_ = true;  // order_static_rows may keep delays by run
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
  std::vector<std::uint32_t> release_;    // by ring column: image::release relaid, or empty
  std::vector<std::int64_t> transfer_ring_;  // like ring_: kinetic receptors' w·r moved from S_on to S_off; or empty
  std::vector<std::uint64_t> static_perm_;   // the image's index of each static connection, where release states are kept
  std::vector<std::vector<T>> thread_scratch_;
  std::vector<std::vector<T>> tables_;  // fast mode: the point views' rate tables
  std::vector<std::int64_t> ring_;
  // The 32-bit ring and pulse ring (image::ring_scale) instead of ring_ and
  // pulse_ring_, which are then empty; by ring column, 40 − each target's scale.
  std::vector<std::int32_t> ring32_, pulse_ring32_;
  std::vector<std::uint8_t> shift_;
  std::vector<std::vector<std::uint32_t>> lists_;  // spikes_of_thread
  std::uint32_t nslots_ = 2;
  std::vector<std::vector<std::uint32_t>> point_own_, cable_own_;  // per view: thread k's cells [own[k], own[k + 1])
  bool has_clefts_ = false;  // some projection has synaptic clefts
  std::vector<std::vector<core::modulator_state<T>>> mods_;  // per modulated projection: a copy per share (the first unused)
  std::vector<std::vector<std::uint32_t>> plastic_own_;  // per projection: thread k's postsynaptic cells, likewise
  std::vector<std::vector<std::uint64_t>> ppart_;  // per projection, like part_ (arrivals_of)
  std::vector<std::vector<std::uint64_t>> perm_;   // per projection: the image's index of each connection; empty: the same
  // The static connections' classes (image::cls): each one's weight in
  // fixed point and its delay [steps], indexed by the 1-byte class.
  std::array<std::int64_t, 256> class_fixed_{};
  std::array<std::uint32_t, 256> class_delay_{};
  std::vector<std::uint64_t> part_;  // static CSR: where thread k's run of source s starts, at s·(threads − 1) + k − 1
  // The static rows' delay runs (static_rows), or empty: delays per connection.
  std::vector<std::uint64_t> run_row_;
  std::vector<std::uint32_t> run_end_, run_delay_;
  std::vector<std::uint32_t> spikes_;  // the step's, sorted (record)
  std::vector<std::uint8_t> kept_;     // image::kept_sources: the sources handed over (empty: all)
  std::int64_t step_ = 0;
  bool sampled_initial_ = false;
};

template <class T>
std::unique_ptr<engine> make_cpu(image<T> img, int threads, std::uint32_t cable_block, bool delay_runs) {
  if (cable_block > cable_chunk)
    throw internal_error(fmt::format("make_cpu_engine: a block of {} cells; at most {}", cable_block, cable_chunk));
  if (img.mode == arith_mode::fast)
    return std::make_unique<cpu_engine<T, core::fast_math>>(std::move(img), threads, cable_block, delay_runs);
  return std::make_unique<cpu_engine<T, core::deterministic_math>>(std::move(img), threads, cable_block, delay_runs);
}

}  // namespace

std::unique_ptr<engine> make_cpu_engine(any_image img, int threads, std::uint32_t cable_block, bool delay_runs) {
  return std::visit([=](auto&& im) { return make_cpu(std::move(im), threads, cable_block, delay_runs); },
                    std::move(img));
}

}  // namespace ranvier
