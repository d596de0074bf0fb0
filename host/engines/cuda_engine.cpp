// The CUDA engine: uploads the image once, then runs batches of steps as CUDA
// graphs (one node per stage launch), fetching recorded spikes and samples
// once per batch. No per-step host<->device copies. Built only when CUDA is.
#include <algorithm>
#include <chrono>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "host/engines/batch_pipeline.hpp"
#include "host/engines/engine.hpp"
#include "host/engines/spike_order.hpp"
#include "host/engines/static_rows.hpp"
#include "host/errors.hpp"
#include "kernels/kernels.hpp"

namespace ranvier {

namespace {

void check_cuda(const kernels::status& s, const char* what) {
  if (!s.ok()) throw cuda_error(fmt::format("{}: {} ({}) at {}:{}", what, s.name, s.message, s.file, s.line));
}

// Owns one device allocation.
template <class T> class device_buffer {
 public:
  device_buffer() = default;
  explicit device_buffer(std::size_t n) : n_(n) {
    if (n_ > 0)
      check_cuda(kernels::device_alloc(reinterpret_cast<void**>(&p_), n_ * sizeof(T)),
                 fmt::format("cudaMalloc of {} values of {} B for the network's state, connections or buffers "
                             "(`ranvier info MODEL` estimates the GPU memory a model needs)",
                             n_, sizeof(T)).c_str());
  }
  device_buffer(const device_buffer&) = delete;
  device_buffer& operator=(const device_buffer&) = delete;
  device_buffer(device_buffer&& o) noexcept : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  device_buffer& operator=(device_buffer&& o) noexcept {
    std::swap(p_, o.p_);
    std::swap(n_, o.n_);
    return *this;
  }
  ~device_buffer() {
    if (p_) kernels::device_free(p_);
  }
  T* get() const { return p_; }
  std::size_t size() const { return n_; }
  void upload(const T* src, std::size_t n, void* stream) {
    if (n) check_cuda(kernels::copy_to_device(p_, src, n * sizeof(T), stream), "upload");
  }
  template <class A> void upload(const std::vector<T, A>& v, void* stream) { upload(v.data(), v.size(), stream); }
  void download(T* dst, std::size_t n, void* stream) const {
    if (n) check_cuda(kernels::copy_to_host(dst, p_, n * sizeof(T), stream), "download");
  }

 private:
  T* p_ = nullptr;
  std::size_t n_ = 0;
};

// Owns page-locked host memory the device can address (mapped): what
// crosses to the host every batch, written there by kernels or copies that
// the host waits for with an event.
template <class T> class pinned_buffer {
 public:
  pinned_buffer() = default;
  explicit pinned_buffer(std::size_t n) : n_(n) {
    if (n_ > 0)
      check_cuda(kernels::host_alloc_mapped(reinterpret_cast<void**>(&host_), reinterpret_cast<void**>(&device_),
                                            n_ * sizeof(T)),
                 fmt::format("cudaHostAlloc of {} values of {} B for the spike record or samples", n_, sizeof(T)).c_str());
  }
  pinned_buffer(const pinned_buffer&) = delete;
  pinned_buffer& operator=(const pinned_buffer&) = delete;
  pinned_buffer(pinned_buffer&& o) noexcept
      : host_(std::exchange(o.host_, nullptr)), device_(std::exchange(o.device_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  pinned_buffer& operator=(pinned_buffer&& o) noexcept {
    std::swap(host_, o.host_);
    std::swap(device_, o.device_);
    std::swap(n_, o.n_);
    return *this;
  }
  ~pinned_buffer() {
    if (host_) kernels::host_free(host_);
  }
  T* host() const { return host_; }
  T* device() const { return device_; }
  std::size_t size() const { return n_; }

 private:
  T* host_ = nullptr;
  T* device_ = nullptr;
  std::size_t n_ = 0;
};

template <class T, class A> device_buffer<T> uploaded(const std::vector<T, A>& v, void* stream) {
  device_buffer<T> b(v.size());
  b.upload(v, stream);
  return b;
}

// Each half of the spike record (host memory the device writes) holds this
// many entries; batches are sized so that the spikes a batch can make fit
// (image::max_spikes_in: refractory periods and dead times bound how often a
// cell can fire), and the device notes an overflow, which the host reports,
// if they did not.
constexpr std::uint64_t record_entries = 4u << 20;
constexpr std::int64_t max_batch_steps = 1000;

// The lowest gid of a given-time source that fires more than once in some
// step (kernels::step_buffers::repeat_gid_lo); UINT32_MAX: none.
template <class T> std::uint32_t repeat_gid_lo(const image<T>& img) {
  std::uint32_t lo = std::numeric_limits<std::uint32_t>::max();
  for (const auto& s : img.spike_sources) {
    std::vector<std::uint32_t> cells;
    for (std::size_t e = 0; e < s.step.size() && lo > s.params.gid_base;) {
      std::size_t end = e;
      while (end < s.step.size() && s.step[end] == s.step[e]) ++end;
      cells.assign(s.cell.begin() + static_cast<std::ptrdiff_t>(e), s.cell.begin() + static_cast<std::ptrdiff_t>(end));
      std::sort(cells.begin(), cells.end());
      if (std::adjacent_find(cells.begin(), cells.end()) != cells.end()) lo = s.params.gid_base;
      e = end;
    }
  }
  return lo;
}

template <class T, class M>
class cuda_engine final : public engine {
 public:
  cuda_engine(image<T> img, const cuda_settings& settings) : img_(std::move(img)) {
    int ndev = 0;
    check_cuda(kernels::device_count(&ndev), "cudaGetDeviceCount");
    if (ndev == 0) throw model_error("engine = cuda: no CUDA device is present; valid here: engine = \"cpu\" or \"auto\"");
    check_cuda(kernels::get_device_info(0, &info_), "cudaGetDeviceProperties");
    free_before_ = info_.free_memory;
    check_memory();
    check_cuda(kernels::stream_create(&stream_), "cudaStreamCreate");
    // A constructor that throws runs no destructor: the stream, events and
    // graphs made so far are released here (the buffers release themselves).
    struct undo {
      cuda_engine* e;
      bool armed = true;
      ~undo() {
        if (armed) e->release_handles();
      }
    } guard{this};

    const std::uint64_t ns = std::max<std::uint64_t>(img_.max_spikes_per_step, 1);
    // The record takes the spikes of the kept sources (all, or those of
    // spike records: image::kept_sources), and batches are planned for them.
    const std::vector<std::uint8_t> kept = img_.kept_sources();
    const std::uint64_t record_step = kept.empty() ? ns : std::max<std::uint64_t>(1, img_.max_spikes_in(1, &kept));
    const batch_plan plan =
        plan_batch(img_, settings.record_entries ? settings.record_entries : record_entries, max_batch_steps, kept);
    batch_steps_ = settings.steps ? std::min(settings.steps, max_batch_steps) : plan.steps;
    record_capacity_ = std::max(plan.capacity, record_step);

    // State, group by group: the host views give the scalars and the layout,
    // then every pointer is replaced by its device copy.
    for (auto& g : img_.groups) {
      auto& dg = dgroups_.emplace_back();
      dg.cable = g.cable;
      for (int a = 0; a < g.narrays(); ++a) dg.arrays.push_back(uploaded(g.array(a), stream_));
      dg.spike_count = uploaded(g.spike_count, stream_);
      dg.last_spike = uploaded(g.last_spike, stream_);
      dg.fault_step = uploaded(g.fault_step, stream_);
      for (auto& st : g.stimuli) dg.stim_amp.push_back(uploaded(st.amp, stream_));
      for (auto& m : g.mechs) {
        dg.mech_param.push_back(uploaded(m.param, stream_));
        dg.mech_node.push_back(uploaded(m.node, stream_));
      }
      for (auto& r : g.receptors) dg.rec_node.push_back(uploaded(r.node, stream_));
      dg.gap_row = uploaded(g.gap_row, stream_);
      dg.gap_node = uploaded(g.gap_node, stream_);
      dg.gap_g = uploaded(g.gap_g, stream_);
      dg.gap_v_partner = uploaded(g.gap_v_partner, stream_);
      dg.gap_partner_group = uploaded(g.gap_partner_group, stream_);
      dg.gap_partner_index = uploaded(g.gap_partner_index, stream_);
      core::cell_parts<T> c = g.parts();
      int a = 0;
      c.v = dg.arrays[a++].get();
      if (c.cai) c.cai = dg.arrays[a++].get();
      std::vector<T*> model_states;
      for (std::size_t st = 0; st < g.mstate.size(); ++st) model_states.push_back(dg.arrays[a++].get());
      for (int q = 0; q < c.nmech; ++q) {
        for (std::size_t st = 0; st < g.mechs[q].state.size(); ++st) c.mech[q].state[st] = dg.arrays[a++].get();
        c.mech[q].param = dg.mech_param[q].get();
        c.mech[q].node = g.mechs[q].node.empty() ? nullptr : dg.mech_node[q].get();
      }
      for (int r = 0; r < c.nrec; ++r) {
        for (std::size_t st = 0; st < g.receptors[r].state.size(); ++st) c.rec[r].state[st] = dg.arrays[a++].get();
        c.rec[r].node = g.receptors[r].node.empty() ? nullptr : dg.rec_node[r].get();
      }
      for (int st = 0; st < c.nstim; ++st) c.stim[st].amp = dg.stim_amp[st].get();
      if (c.gap.row) c.gap = {dg.gap_row.get(), dg.gap_node.get(), dg.gap_g.get(), dg.gap_v_partner.get()};
      c.spike_count = dg.spike_count.get();
      c.last_spike = dg.last_spike.get();
      c.fault_step = dg.fault_step.get();
      if (g.cable) {
        dg.parent = uploaded(g.parent, stream_);
        dg.ga = uploaded(g.ga, stream_);
        dg.dbase = uploaded(g.dbase, stream_);
        dg.afac = uploaded(g.afac, stream_);
        dg.gpas = uploaded(g.gpas, stream_);
        dg.epas = uploaded(g.epas, stream_);
        dg.cable_view = g.cable_view();
        dg.cable_view.c = c;
        dg.cable_view.parent = dg.parent.get();
        dg.cable_view.ga = dg.ga.get();
        dg.cable_view.dbase = dg.dbase.get();
        dg.cable_view.afac = dg.afac.get();
        dg.cable_view.gpas = g.gpas.empty() ? nullptr : dg.gpas.get();
        dg.cable_view.epas = g.gpas.empty() ? nullptr : dg.epas.get();
        const std::size_t n = static_cast<std::size_t>(g.nnodes) * g.ncells;
        dg.scratch = device_buffer<T>((dg.cable_view.has_ca ? 4 : 2) * n);
        T* base = dg.scratch.get();
        dg.scratch_view = {base, base + n, dg.cable_view.has_ca ? base + 2 * n : nullptr,
                           dg.cable_view.has_ca ? base + 3 * n : nullptr, g.ncells, 0};
      } else {
        dg.point_view = g.point_view();
        dg.point_view.c = c;
        for (std::size_t st = 0; st < model_states.size(); ++st) dg.point_view.mstate[st] = model_states[st];
      }
    }
    for (auto& g : img_.generators) {
      auto& dg = dgens_.emplace_back();
      dg.spike_count = uploaded(g.spike_count, stream_);
      dg.view = g.params;
      dg.view.spike_count = dg.spike_count.get();
    }
    for (auto& src : img_.spike_sources) {
      auto& ds = dsources_.emplace_back();
      ds.step = uploaded(src.step, stream_);
      ds.cell = uploaded(src.cell, stream_);
      ds.spike_count = uploaded(src.spike_count, stream_);
      ds.view = src.params;
      ds.view.step = ds.step.get();
      ds.view.cell = ds.cell.get();
      ds.view.spike_count = ds.spike_count.get();
    }
    if (img_.has_gaps) {
      std::vector<T*> vs;
      for (auto& dg : dgroups_) vs.push_back(dg.arrays[0].get());
      group_v_ = uploaded(vs, stream_);
    }
    // Each static row by delay, the delays kept once a run where they are
    // drawn and that pays (static_rows): one delay and ring row a run for a
    // warp, 2 B a connection less. Release states are exported in the
    // image's order (static_perm_).
    if (!img_.delay16.empty() || !img_.delay.empty()) {
      static_rows rows = order_static_rows(
          img_, 0, 1, [](std::uint32_t) { return std::size_t{0}; }, !img_.release_state.empty(), settings.delay_runs);
      static_perm_ = std::move(rows.perm);
      run_row_ = uploaded(rows.run_row, stream_);
      run_end_ = uploaded(rows.run_end, stream_);
      run_delay_ = uploaded(rows.run_delay, stream_);
      check_cuda(kernels::stream_sync(stream_), "upload");  // before rows' arrays go
    }
    row_ = uploaded(img_.row, stream_);
    target_ = uploaded(img_.target, stream_);
    weight_ = uploaded(img_.weight, stream_);
    delay_ = uploaded(img_.delay, stream_);
    delay16_ = uploaded(img_.delay16, stream_);
    cls_ = uploaded(img_.cls, stream_);
    class_weight_ = uploaded(img_.class_weight, stream_);
    class_delay_ = uploaded(img_.class_delay, stream_);
    // The rings are a row deeper than the image's (the image's depth reaches
    // the longest arrival, pulse included, from the step after the spike),
    // so that no arrival written during a step can land in the row that
    // step reads: a fused step's producers propagate while other warps of
    // theirs still read (fused_propagation). States keep the image's depth
    // (ring_rows_moved).
    depth_ = img_.ring_depth + 1;
    const std::size_t ring_words = static_cast<std::size_t>(depth_) * img_.ntargets;
    if (img_.narrow_ring()) {  // the 32-bit ring: only static weights reach it (choose_ring_scales)
      if (!img_.plastic.empty() || !img_.release.empty())
        throw internal_error("cuda engine: a 32-bit ring with plastic projections or kinetic receptors");
      ring32_ = device_buffer<std::int32_t>(ring_words);
      check_cuda(kernels::device_memset(ring32_.get(), 0, ring32_.size() * 4, stream_), "cudaMemset");
      ring_scale_ = uploaded(img_.ring_scale, stream_);
    } else {
      ring_ = device_buffer<std::int64_t>(ring_words);
      check_cuda(kernels::device_memset(ring_.get(), 0, ring_.size() * 8, stream_), "cudaMemset");
    }
    spikes_ = device_buffer<std::uint32_t>(ns);
    // The record in host memory, two halves: the device writes one batch's
    // spikes into one while the host takes the batch before from the other.
    record_ = pinned_buffer<kernels::device_spike>(2 * record_capacity_);
    io_ = pinned_buffer<batch_io>(2);
    for (auto& e : events_) check_cuda(kernels::event_create(&e), "cudaEventCreate");
    clock_ = device_buffer<kernels::device_clock>(1);
    const kernels::device_clock zero{};
    clock_.upload(&zero, 1, stream_);

    for (auto& p : img_.plastic) {
      auto& dp = dplastic_.emplace_back();
      dp.row = uploaded(p.row, stream_);
      dp.in_row = uploaded(p.in_row, stream_);
      dp.in_conn = uploaded(p.in_conn, stream_);
      dp.target = uploaded(p.target, stream_);
      dp.delay = uploaded(p.delay, stream_);
      dp.post = uploaded(p.post, stream_);
      dp.syn = uploaded(p.syn, stream_);
      dp.y = uploaded(p.y, stream_);
      dp.y_step = uploaded(p.y_step, stream_);
      dp.r_pre = uploaded(p.r_pre, stream_);
      dp.r_pre_step = uploaded(p.r_pre_step, stream_);
      dp.source_of = uploaded(p.source_of, stream_);
      dp.theta = uploaded(p.theta, stream_);
      dp.release = uploaded(p.release, stream_);
      dp.term = uploaded(p.term, stream_);
      dp.ca_syn = uploaded(p.ca_syn, stream_);
      dp.elig = uploaded(p.elig, stream_);
      dp.clefts = uploaded(p.clefts, stream_);
      dp.mod_state = uploaded(p.mod_state, stream_);
      dp.view = p.view();
      dp.view.row = dp.row.get();
      dp.view.in_row = dp.in_row.get();
      dp.view.in_conn = dp.in_conn.get();
      dp.view.target = dp.target.get();
      dp.view.delay = dp.delay.get();
      dp.view.post = dp.post.get();
      dp.view.syn = dp.syn.get();
      dp.view.y = dp.y.get();
      dp.view.y_step = p.y_step.empty() ? nullptr : dp.y_step.get();
      dp.view.r_pre = p.r_pre.empty() ? nullptr : dp.r_pre.get();
      dp.view.r_pre_step = p.r_pre.empty() ? nullptr : dp.r_pre_step.get();
      dp.view.theta = p.theta.empty() ? nullptr : dp.theta.get();
      dp.view.release = p.release.empty() ? nullptr : dp.release.get();
      dp.view.term = p.term.empty() ? nullptr : dp.term.get();
      dp.view.ca_syn = p.ca_syn.empty() ? nullptr : dp.ca_syn.get();
      dp.view.elig = p.elig.empty() ? nullptr : dp.elig.get();
      dp.view.clefts = p.clefts.empty() ? nullptr : dp.clefts.get();
      dp.view.mod_state = p.mod_state.empty() ? nullptr : dp.mod_state.get();
    }
    for (std::size_t r = 0; r < img_.records.size(); ++r) {
      const auto& rp = img_.records[r];
      auto& ds = dsamples_.emplace_back();
      ds.record = static_cast<int>(r);
      if (rp.spikes || rp.kind == sample_kind::weights_final) continue;
      if (rp.plastic >= 0) {
        // Weights: an array sample of the device's weights, or a histogram of all of them.
        const auto& dp = dplastic_[rp.plastic];
        ds.rows = static_cast<std::uint64_t>(batch_steps_ / rp.every + 1);
        ds.view = {};
        ds.view.every = rp.every;
        ds.view.capacity_rows = ds.rows;
        ds.view.synapses = dp.syn.get();
        ds.view.elig = dp.view.elig;
        ds.view.mod = dp.view.mod_state;
        ds.view.stdp = dp.view.stdp;
        ds.view.terminals = img_.plastic[rp.plastic].term.empty() ? nullptr : dp.term.get();
        ds.view.field = rp.field;
        ds.view.terminal = img_.plastic[rp.plastic].terminal;
        ds.view.clefts = dp.view.clefts;
        ds.view.cleft = dp.view.cleft;
        if (rp.kind == sample_kind::weight) {
          ds.index = uploaded(rp.index, stream_);
          ds.out = device_buffer<T>(ds.rows * rp.index.size());
          for (auto& h : ds.out_host) h = pinned_buffer<T>(ds.out.size());
          ds.view.kind = 0;
          ds.view.index = ds.index.get();
          ds.view.ncols = static_cast<std::uint32_t>(rp.index.size());
          ds.view.out = ds.out.get();
        } else {
          ds.counts = device_buffer<std::uint32_t>(ds.rows * rp.bins);
          for (auto& h : ds.counts_host) h = pinned_buffer<std::uint32_t>(ds.counts.size());
          check_cuda(kernels::device_memset(ds.counts.get(), 0, ds.counts.size() * 4, stream_), "cudaMemset");
          ds.view.kind = 4;
          ds.view.ncols = rp.bins;
          ds.view.n = img_.plastic[rp.plastic].syn.size();
          ds.view.lo = static_cast<T>(rp.lo);
          ds.view.scale = static_cast<T>(rp.bins / (rp.hi - rp.lo));
          ds.view.counts = ds.counts.get();
        }
        continue;
      }
      const auto& dg = dgroups_[rp.ref.group];
      ds.index = uploaded(rp.index, stream_);
      ds.v_index = uploaded(rp.v_index, stream_);
      ds.rows = static_cast<std::uint64_t>(batch_steps_ / rp.every + 1);
      ds.out = device_buffer<T>(ds.rows * rp.index.size());
      for (auto& h : ds.out_host) h = pinned_buffer<T>(ds.out.size());
      ds.view = {};
      ds.view.kind = static_cast<int>(rp.kind);
      ds.view.index = ds.index.get();
      ds.view.v_index = ds.v_index.get();
      ds.view.v = dg.arrays[0].get();
      if (rp.kind == sample_kind::array) {
        ds.view.array = dg.arrays[rp.ref.array].get();
      } else {
        ds.view.receptor = dg.cable ? dg.cable_view.c.rec[rp.ref.array] : dg.point_view.c.rec[rp.ref.array];
      }
      ds.view.ncols = static_cast<std::uint32_t>(rp.index.size());
      ds.view.every = rp.every;
      ds.view.out = ds.out.get();
      ds.view.capacity_rows = ds.rows;
    }
    if (img_.history) {
      history_ = device_buffer<std::uint32_t>(static_cast<std::size_t>(img_.history) * ns);
      history_count_ = device_buffer<std::uint32_t>(img_.history);
      check_cuda(kernels::device_memset(history_count_.get(), 0, img_.history * 4, stream_), "cudaMemset");
    }
    pulse_ = uploaded(img_.pulse, stream_);
    if (!img_.pulse.empty() && img_.narrow_ring()) {
      pulse_ring32_ = device_buffer<std::int32_t>(ring_words);
      check_cuda(kernels::device_memset(pulse_ring32_.get(), 0, pulse_ring32_.size() * 4, stream_), "cudaMemset");
    } else if (!img_.pulse.empty()) {
      pulse_ring_ = device_buffer<std::int64_t>(ring_words);
      check_cuda(kernels::device_memset(pulse_ring_.get(), 0, pulse_ring_.size() * 8, stream_), "cudaMemset");
    }
    // Kinetic receptors: their targets, parameters and transfer ring, and
    // every connection's release state.
    release_ = uploaded(img_.release, stream_);
    release_params_ = uploaded(img_.release_params, stream_);
    release_state_ = uploaded(img_.release_state, stream_);
    if (!img_.release.empty()) {
      transfer_ring_ = device_buffer<std::int64_t>(ring_words);
      check_cuda(kernels::device_memset(transfer_ring_.get(), 0, transfer_ring_.size() * 8, stream_), "cudaMemset");
      kinetic_ = {release_.get(), release_params_.get()};
    }
    buffers_ = {clock_.get(),   ring_.size() ? ring_.get() : nullptr, img_.ntargets, depth_,         spikes_.get(),
                static_cast<std::uint32_t>(ns), record_.device(), record_capacity_, history_.get(),
                history_count_.get(), img_.history, img_.pulse.empty() ? nullptr : pulse_.get(),
                pulse_ring_.size() ? pulse_ring_.get() : nullptr,
                img_.release.empty() ? nullptr : transfer_ring_.get(), repeat_gid_lo(img_),
                ring32_.size() ? ring32_.get() : nullptr, pulse_ring32_.size() ? pulse_ring32_.get() : nullptr,
                ring32_.size() ? ring_scale_.get() : nullptr};
    if (!kept.empty()) {
      std::vector<std::uint32_t> bits((kept.size() + 31) / 32, 0);
      for (std::size_t g = 0; g < kept.size(); ++g)
        if (kept[g]) bits[g / 32] |= 1u << (g % 32);
      kept_bits_ = uploaded(bits, stream_);
      buffers_.kept = kept_bits_.get();
    }
    buffers_.record_step = record_step;
    propagate_blocks_ = std::max(1, info_.multiprocessors * 8);
    // Fused steps: every spike producer propagates its own spikes, the last
    // one launched closes the step. Not with sources of given times, whose
    // spikes (repeats within a step among them) propagate's warps take.
    fused_ = settings.fused && img_.spike_sources.empty();
    if (fused_) {
      closer_ = -1;
      for (std::size_t gi = 0; gi < img_.groups.size(); ++gi)
        if (img_.groups[gi].ncells) closer_ = static_cast<std::int64_t>(gi);
      for (std::size_t q = 0; q < img_.generators.size(); ++q)
        if (img_.generators[q].params.ncells) closer_ = static_cast<std::int64_t>(img_.groups.size() + q);
      fused_ = closer_ >= 0;  // no producer with a cell: nothing would close the step
    }
    check_cuda(kernels::stream_sync(stream_), "upload");
    guard.armed = false;
  }

  ~cuda_engine() override { release_handles(); }

  // The stream, its events and graphs, once nothing runs on the stream any
  // more (nothing may still write into the pinned buffers).
  void release_handles() noexcept {
    if (stream_) kernels::stream_sync(stream_);
    for (auto& e : events_)
      if (e) kernels::event_destroy(std::exchange(e, nullptr));
    for (auto& [k, g] : graphs_) kernels::graph_destroy(g);
    graphs_.clear();
    if (stream_) kernels::stream_destroy(std::exchange(stream_, nullptr));
  }

  std::string describe() const override {
    return fmt::format("cuda ({}, sm_{}{}, {}, {}{})", info_.name, info_.major, info_.minor, arithmetic_name<T, M>(),
                       fused_ ? "fused steps" : "propagate launched", run_row_.size() ? ", delays by run" : "");
  }

  std::int64_t step() const override { return step_; }

  void run(std::int64_t nsteps, recording& rec) override {
    if (rec.traces.size() < img_.records.size()) rec.traces.resize(img_.records.size());
    if (step_ == 0 && !sampled_initial_) {
      sample_records(img_, 0, rec);  // the image still holds the initial state
      sampled_initial_ = true;
    }
    // Two batches in flight (host/engines/batch_pipeline.hpp): the device
    // runs one while the host takes the one before it.
    run_batches(
        nsteps, batch_steps_,
        [&](int half, std::int64_t k) {
          const auto t0 = std::chrono::steady_clock::now();
          enqueue_batch(half, k);
          times_.enqueue_s += seconds_since(t0);
        },
        [&](int half) { return finish_batch(half, rec); });
  }

  host_times host_timing() const override { return times_; }

  std::vector<named_array> state() override {
    std::vector<named_array> out;
    for (std::size_t gi = 0; gi < img_.groups.size(); ++gi) {
      const auto& g = img_.groups[gi];
      for (int a = 0; a < g.narrays(); ++a) {
        std::vector<T> tmp(g.array(a).size());
        dgroups_[gi].arrays[a].download(tmp.data(), tmp.size(), stream_);
        check_cuda(kernels::stream_sync(stream_), "state");
        out.push_back({g.cell_type + "." + g.array_name(a), std::vector<double>(tmp.begin(), tmp.end())});
      }
      std::vector<std::int64_t> last(g.ncells);
      dgroups_[gi].last_spike.download(last.data(), last.size(), stream_);
      check_cuda(kernels::stream_sync(stream_), "state");
      out.push_back({g.cell_type + ".last_spike", std::vector<double>(last.begin(), last.end())});
    }
    for (std::size_t q = 0; q < img_.plastic.size(); ++q) {
      plastic_storage<T> p = img_.plastic[q];  // names and sizes; the values from the device
      download_plastic(q, p);
      check_cuda(kernels::stream_sync(stream_), "state");
      append_plastic_state(p, out);
    }
    const std::vector<std::int64_t> ring = ring_values("ring", ring_, ring32_);
    out.push_back({"ring", std::vector<double>(ring.begin(), ring.end())});
    if (!img_.pulse.empty()) {
      const std::vector<std::int64_t> ends = ring_values("pulse_ring", pulse_ring_, pulse_ring32_);
      out.push_back({"pulse_ring", std::vector<double>(ends.begin(), ends.end())});
    }
    if (!img_.release.empty()) {
      const std::vector<std::int64_t> moves = ring_values("transfer_ring", transfer_ring_, {});
      std::vector<core::kinetic_release_state<T>> states(img_.release_state.size());
      release_state_.download(states.data(), states.size(), stream_);
      check_cuda(kernels::stream_sync(stream_), "state");
      out.push_back({"transfer_ring", std::vector<double>(moves.begin(), moves.end())});
      append_release_state(states, "", out, static_perm_);
    }
    return out;
  }

  std::optional<numeric_fault> find_fault(double v_lo, double v_hi) override {
    std::vector<T> tmp;
    std::vector<std::int64_t> steps;
    for (std::size_t gi = 0; gi < img_.groups.size(); ++gi) {
      const auto& g = img_.groups[gi];
      steps.resize(g.ncells);
      dgroups_[gi].fault_step.download(steps.data(), steps.size(), stream_);
      check_cuda(kernels::stream_sync(stream_), "find_fault");
      if (std::all_of(steps.begin(), steps.end(), [](std::int64_t s) { return s == core::no_fault; })) continue;
      tmp.resize(g.v.size());
      dgroups_[gi].arrays[0].download(tmp.data(), tmp.size(), stream_);
      check_cuda(kernels::stream_sync(stream_), "find_fault");
      if (auto f = fault_from_steps(g, static_cast<std::uint32_t>(gi), steps.data(), tmp.data())) return f;
    }
    for (std::size_t gi = 0; gi < img_.groups.size(); ++gi) {
      const auto& g = img_.groups[gi];
      for (int a = 0; a < g.narrays(); ++a) {
        tmp.resize(g.array(a).size());
        dgroups_[gi].arrays[a].download(tmp.data(), tmp.size(), stream_);
        check_cuda(kernels::stream_sync(stream_), "find_fault");
        if (auto f = find_fault_in(g, static_cast<std::uint32_t>(gi), a, tmp.data(), v_lo, v_hi)) return f;
      }
    }
    return std::nullopt;
  }

  // The device's state into img_'s arrays (which then hold the state of
  // the last save rather than the initial one), collected from there.
  engine_state save_state() override {
    engine_state st;
    st.step = step_;
    for (std::size_t gi = 0; gi < img_.groups.size(); ++gi) {
      auto& g = img_.groups[gi];
      auto& dg = dgroups_[gi];
      for (int a = 0; a < g.narrays(); ++a) dg.arrays[a].download(g.array(a).data(), g.array(a).size(), stream_);
      dg.spike_count.download(g.spike_count.data(), g.spike_count.size(), stream_);
      dg.last_spike.download(g.last_spike.data(), g.last_spike.size(), stream_);
      dg.fault_step.download(g.fault_step.data(), g.fault_step.size(), stream_);
    }
    for (std::size_t q = 0; q < img_.generators.size(); ++q)
      dgens_[q].spike_count.download(img_.generators[q].spike_count.data(), img_.generators[q].spike_count.size(), stream_);
    for (std::size_t q = 0; q < img_.spike_sources.size(); ++q)
      dsources_[q].spike_count.download(img_.spike_sources[q].spike_count.data(),
                                        img_.spike_sources[q].spike_count.size(), stream_);
    for (std::size_t q = 0; q < img_.plastic.size(); ++q) download_plastic(q, img_.plastic[q]);
    release_state_.download(img_.release_state.data(), img_.release_state.size(), stream_);
    check_cuda(kernels::stream_sync(stream_), "checkpoint");
    collect_image_state(img_, {}, static_perm_, st);
    const auto ring = [&](const char* name, const device_buffer<std::int64_t>& r,
                          const device_buffer<std::int32_t>& r32) {
      if (r.size() || r32.size()) st.put(name, ring_values(name, r, r32));
    };
    ring("ring", ring_, ring32_);
    ring("pulse_ring", pulse_ring_, pulse_ring32_);
    ring("transfer_ring", transfer_ring_, {});
    std::vector<std::uint32_t> hist, counts;
    if (img_.history) {
      hist.resize(history_.size());
      counts.resize(img_.history);
      history_.download(hist.data(), hist.size(), stream_);
      history_count_.download(counts.data(), counts.size(), stream_);
      check_cuda(kernels::stream_sync(stream_), "checkpoint");
    }
    const std::size_t cap = buffers_.spike_capacity;
    put_history(st, step_, img_.history, [&](std::int64_t s) {
      const std::size_t r = static_cast<std::size_t>(s % img_.history);
      return std::vector<std::uint32_t>(hist.begin() + static_cast<std::ptrdiff_t>(r * cap),
                                        hist.begin() + static_cast<std::ptrdiff_t>(r * cap + counts[r]));
    });
    return st;
  }

  void resume_state(const engine_state& in) override {
    if (step_ != 0 || sampled_initial_) throw internal_error("cuda engine: resume_state after a run");
    const auto ring = [&](const char* name, device_buffer<std::int64_t>& r, device_buffer<std::int32_t>& r32) {
      if (!r.size() && !r32.size()) return;
      std::vector<std::int64_t> host(static_cast<std::size_t>(img_.ring_depth) * img_.ntargets);
      in.get(name, host);
      host = ring_rows_moved(host, img_.ntargets, img_.ring_depth, depth_, in.step, name);
      if (r.size())
        r.upload(host, stream_);
      else
        r32.upload(narrow_ring_values(img_, host, name), stream_);
      check_cuda(kernels::stream_sync(stream_), "resume");
    };
    device_buffer<std::int32_t> no_ring32;
    ring("ring", ring_, ring32_);
    ring("pulse_ring", pulse_ring_, pulse_ring32_);
    ring("transfer_ring", transfer_ring_, no_ring32);
    if (img_.history) {
      const std::size_t cap = buffers_.spike_capacity;
      std::vector<std::uint32_t> hist(history_.size(), 0), counts(img_.history, 0);
      get_history(in, in.step, img_.history, [&](std::int64_t s, std::vector<std::uint32_t> gids) {
        if (s < 0) return;
        if (gids.size() > cap)
          throw model_error(fmt::format("checkpoint: {} spikes in step {}; this model has at most {} a step", gids.size(),
                                        s, cap));
        const std::size_t r = static_cast<std::size_t>(s % img_.history);
        counts[r] = static_cast<std::uint32_t>(gids.size());
        std::copy(gids.begin(), gids.end(), hist.begin() + static_cast<std::ptrdiff_t>(r * cap));
      });
      history_.upload(hist, stream_);
      history_count_.upload(counts, stream_);
    }
    kernels::device_clock clock{};
    clock.step = clock.batch_first_step = in.step;
    clock_.upload(&clock, 1, stream_);
    check_cuda(kernels::stream_sync(stream_), "resume");
    step_ = in.step;
    sampled_initial_ = true;
  }

  std::vector<std::uint32_t> spike_counts() override {
    std::vector<std::uint32_t> out(img_.nsources, 0);
    for (std::size_t gi = 0; gi < img_.groups.size(); ++gi)
      dgroups_[gi].spike_count.download(out.data() + img_.groups[gi].gid_base, img_.groups[gi].ncells, stream_);
    for (std::size_t q = 0; q < img_.generators.size(); ++q)
      dgens_[q].spike_count.download(out.data() + img_.generators[q].params.gid_base,
                                     img_.generators[q].params.ncells, stream_);
    for (std::size_t q = 0; q < img_.spike_sources.size(); ++q)
      dsources_[q].spike_count.download(out.data() + img_.spike_sources[q].params.gid_base,
                                        img_.spike_sources[q].params.ncells, stream_);
    check_cuda(kernels::stream_sync(stream_), "spike counts");
    return out;
  }

 private:
  // Plastic projection q's state from the device into p (its sizes).
  void download_plastic(std::size_t q, plastic_storage<T>& p) const {
    const auto& dp = dplastic_[q];
    dp.syn.download(p.syn.data(), p.syn.size(), stream_);
    dp.y.download(p.y.data(), p.y.size(), stream_);
    dp.y_step.download(p.y_step.data(), p.y_step.size(), stream_);
    dp.r_pre.download(p.r_pre.data(), p.r_pre.size(), stream_);
    dp.r_pre_step.download(p.r_pre_step.data(), p.r_pre_step.size(), stream_);
    dp.theta.download(p.theta.data(), p.theta.size(), stream_);
    dp.release.download(p.release.data(), p.release.size(), stream_);
    dp.term.download(p.term.data(), p.term.size(), stream_);
    dp.ca_syn.download(p.ca_syn.data(), p.ca_syn.size(), stream_);
    dp.elig.download(p.elig.data(), p.elig.size(), stream_);
    dp.clefts.download(p.clefts.data(), p.clefts.size(), stream_);
    dp.mod_state.download(p.mod_state.data(), p.mod_state.size(), stream_);
  }

  struct device_group {
    bool cable = false;
    std::vector<device_buffer<T>> arrays;  // by state_ref::array
    device_buffer<std::uint32_t> spike_count;
    device_buffer<std::int64_t> last_spike;
    device_buffer<std::int64_t> fault_step;
    std::vector<device_buffer<T>> stim_amp;
    std::vector<device_buffer<T>> mech_param;
    std::vector<device_buffer<std::uint32_t>> mech_node;
    std::vector<device_buffer<std::uint32_t>> rec_node;
    device_buffer<std::uint32_t> gap_row, gap_node, gap_partner_group;
    device_buffer<T> gap_g, gap_v_partner;
    device_buffer<std::uint64_t> gap_partner_index;
    device_buffer<std::uint32_t> parent;
    device_buffer<T> ga, dbase, afac, gpas, epas, scratch;
    core::point_group_view<T> point_view{};
    core::cable_group_view<T> cable_view{};
    core::cable_scratch<T> scratch_view{};
  };
  struct device_source {
    device_buffer<std::int64_t> step;
    device_buffer<std::uint32_t> cell;
    device_buffer<std::uint32_t> spike_count;
    core::spike_times_view view{};
  };
  struct device_generator {
    device_buffer<std::uint32_t> spike_count;
    core::poisson_view view{};
  };
  struct device_plastic {
    device_buffer<std::uint64_t> row, in_row, in_conn;
    device_buffer<std::uint32_t> target, delay, post;
    device_buffer<core::plastic_synapse<T>> syn;
    device_buffer<T> y, r_pre, theta;
    device_buffer<std::int64_t> y_step, r_pre_step;
    device_buffer<std::uint32_t> source_of;
    device_buffer<core::kinetic_release_state<T>> release;
    device_buffer<core::terminal_state<T>> term;
    device_buffer<core::calcium_synapse<T>> ca_syn;
    device_buffer<core::eligibility<T>> elig;
    device_buffer<core::cleft_state<T>> clefts;
    device_buffer<core::modulator_state<T>> mod_state;
    core::plastic_view<T> view{};
  };
  struct device_sample {
    int record = -1;
    device_buffer<std::uint64_t> index, v_index;
    device_buffer<T> out;
    device_buffer<std::uint32_t> counts;  // weight histograms
    std::uint64_t rows = 0;
    kernels::sample_view<T> view{};
    // A batch's rows copied to the host, one buffer per half of the record.
    pinned_buffer<T> out_host[2];
    pinned_buffer<std::uint32_t> counts_host[2];
  };
  // What one batch passes between host and device through pinned memory:
  // its record half (to the device before it), its steps, its clock (to the
  // host after it: where it began and ended). Trivial, as it lives in raw
  // pinned memory; enqueue_batch sets every field before anything reads it.
  struct batch_io {
    std::uint64_t offset;
    std::int64_t steps;
    kernels::device_clock clock;
  };

  void check_memory() const {
    // The image, the rings' extra row (depth_), the spike list, and the
    // sample buffers (a batch's rows of every sampled record; at most
    // max_batch_steps rows). The record is in host memory.
    std::uint64_t samples = 0;
    for (const auto& rp : img_.records)
      if (!rp.spikes)
        samples += static_cast<std::uint64_t>(max_batch_steps / rp.every + 1) *
                   (rp.kind == sample_kind::weight_histogram ? rp.bins * 4ull : rp.index.size() * sizeof(T));
    const std::uint64_t word = img_.narrow_ring() ? 4 : 8;
    const std::uint64_t row = img_.ntargets * (word + (img_.pulse.empty() ? 0 : word) + (img_.release.empty() ? 0 : 8));
    const std::uint64_t need = img_.memory_bytes() + row + img_.max_spikes_per_step * 4 + samples;
    if (need > info_.free_memory * 0.95)
      throw model_error(fmt::format("the network needs about {:.2f} GiB on the GPU ({}), which has {:.2f} GiB free; "
                                    "valid: a smaller network, single precision, or engine = \"cpu\"",
                                    need / 1073741824.0, info_.name, info_.free_memory / 1073741824.0));
  }

  // The launches of one step, in stage order.
  void enqueue_step() {
    for (const auto& dp : dplastic_) {
      if (core::has_stdp_traces(dp.view.rule))
        check_cuda(kernels::launch_plastic_rebase<T, M>(dp.view, dp.syn.size(), buffers_, propagate_blocks_, stream_),
                   "plasticity");
      check_cuda(kernels::launch_plastic_arrivals<T, M>(dp.view, kinetic_, buffers_, propagate_blocks_, stream_),
                 "plasticity");
      if (dp.view.rule != core::plastic_rule::none)
        check_cuda(kernels::launch_plastic_post<T, M>(dp.view, buffers_, propagate_blocks_, stream_), "plasticity");
      if (dp.view.rule == core::plastic_rule::hebbian)
        check_cuda(kernels::launch_plastic_hebbian<T, M>(dp.view, dp.source_of.get(), dp.source_of.size(), buffers_,
                                                         propagate_blocks_, stream_),
                   "plasticity");
    }
    // The clefts after all learning, as on the CPU engine: a cleft's
    // conductance is its weight now, after a Hebbian step's update.
    for (const auto& dp : dplastic_)
      if (dp.view.cleft.model != core::cleft_receptor::none)
        check_cuda(kernels::launch_plastic_clefts<T>(dp.view, dp.syn.size(), buffers_, propagate_blocks_, stream_),
                   "clefts");
    if (img_.has_gaps)
      for (auto& dg : dgroups_)
        if (dg.gap_node.size())
          check_cuda(kernels::launch_gap_gather<T>(group_v_.get(), dg.gap_partner_group.get(),
                                                   dg.gap_partner_index.get(), dg.gap_v_partner.get(),
                                                   dg.gap_node.size(), stream_),
                     "gap junctions");
    const kernels::connection_view<T> conns{row_.get(),
                                            target_.get(),
                                            weight_.get(),
                                            delay_.get(),
                                            delay16_.get(),
                                            cls_.get(),
                                            class_weight_.get(),
                                            class_delay_.get(),
                                            run_row_.size() ? run_row_.get() : nullptr,
                                            run_row_.size() ? run_end_.get() : nullptr,
                                            run_row_.size() ? run_delay_.get() : nullptr,
                                            kinetic_,
                                            img_.release_state.empty() ? nullptr : release_state_.get()};
    // Fused: each producer propagates its own spikes; the last (closer_)
    // closes the step.
    const auto fused = [&](std::size_t producer) {
      return kernels::fused_propagation<T>{conns, static_cast<std::int64_t>(producer) == closer_};
    };
    for (std::size_t gi = 0; gi < dgroups_.size(); ++gi) {
      const auto& dg = dgroups_[gi];
      const kernels::fused_propagation<T> f = fused(gi);
      const kernels::fused_propagation<T>* fp = fused_ ? &f : nullptr;
      if (dg.cable)
        check_cuda(kernels::launch_cable_step<T, M>(dg.cable_view, dg.scratch_view, buffers_, stream_, fp), "advance");
      else
        check_cuda(kernels::launch_point_step<T, M>(dg.point_view, buffers_, stream_, fp), "advance");
    }
    for (std::size_t q = 0; q < dgens_.size(); ++q) {
      if (fused_)
        check_cuda(kernels::launch_poisson_fused<T, M>(dgens_[q].view, buffers_, fused(dgroups_.size() + q), stream_),
                   "poisson");
      else
        check_cuda(kernels::launch_poisson(dgens_[q].view, buffers_, stream_), "poisson");
    }
    for (const auto& ds : dsources_) check_cuda(kernels::launch_spike_times(ds.view, buffers_, stream_), "spike times");
    if (!fused_) check_cuda(kernels::launch_propagate<T, M>(conns, buffers_, propagate_blocks_, stream_), "propagate");
    for (const auto& dp : dplastic_)  // modulated STDP: the dopamine to the next step's start, before samples
      if (dp.view.rule == core::plastic_rule::modulated)
        check_cuda(kernels::launch_plastic_modulate<T, M>(dp.view, buffers_, stream_), "plasticity");
    for (const auto& ds : dsamples_) {
      if (!ds.rows) continue;
      if (ds.view.kind == 4)
        check_cuda(kernels::launch_weight_histogram<T>(ds.view, buffers_, stream_), "weight histogram");
      else
        check_cuda(kernels::launch_sample<T>(ds.view, buffers_, stream_), "sample");
    }
  }

  // Full batches replay one captured graph; launch overhead, not the
  // arithmetic, bounds small networks.
  void* graph_for(std::int64_t k) {
    auto it = graphs_.find(k);
    if (it != graphs_.end()) return it->second;
    check_cuda(kernels::graph_begin_capture(stream_), "cudaStreamBeginCapture");
    for (std::int64_t s = 0; s < k; ++s) enqueue_step();
    void* exec = nullptr;
    check_cuda(kernels::graph_end_capture(stream_, &exec), "cudaGraphInstantiate");
    graphs_.emplace(k, exec);
    return exec;
  }

  // Enqueues a batch of k steps, from the step the device's clock is at,
  // into record half `half`; after it the copies of its clock and samples
  // into pinned memory, the record and pause cleared, and an event the host
  // waits for (finish_batch). Nothing here waits.
  void enqueue_batch(int half, std::int64_t k) {
    batch_io& io = io_.host()[half];
    io.offset = static_cast<std::uint64_t>(half) * record_capacity_;
    io.steps = k;
    kernels::device_clock* clock = clock_.get();
    check_cuda(kernels::copy_on_device(&clock->batch_first_step, &clock->step, sizeof clock->step, stream_), "clock");
    check_cuda(kernels::copy_to_device(&clock->record_offset, &io.offset, sizeof io.offset, stream_), "clock");
    if (k == batch_steps_) {
      check_cuda(kernels::graph_launch(graph_for(k), stream_), "cudaGraphLaunch");
    } else {
      for (std::int64_t s = 0; s < k; ++s) enqueue_step();  // a short remainder: not worth a capture
    }
    check_cuda(kernels::copy_to_host(&io.clock, clock, sizeof io.clock, stream_), "clock");
    for (auto& ds : dsamples_) {
      if (!ds.rows) continue;
      // The most rows k steps can sample (the batch's first step is the device's).
      const std::uint64_t values =
          std::min<std::uint64_t>(ds.rows, static_cast<std::uint64_t>(k / ds.view.every + 1)) * ds.view.ncols;
      if (ds.view.kind == 4) {
        check_cuda(kernels::copy_to_host(ds.counts_host[half].host(), ds.counts.get(), values * 4, stream_), "samples");
        check_cuda(kernels::device_memset(ds.counts.get(), 0, ds.counts.size() * 4, stream_), "cudaMemset");
      } else {
        check_cuda(kernels::copy_to_host(ds.out_host[half].host(), ds.out.get(), values * sizeof(T), stream_), "samples");
      }
    }
    check_cuda(kernels::device_memset(&clock->nrecorded, 0, sizeof clock->nrecorded, stream_), "cudaMemset");
    check_cuda(kernels::device_memset(&clock->paused, 0, sizeof clock->paused, stream_), "cudaMemset");
    check_cuda(kernels::event_record(events_[half], stream_), "cudaEventRecord");
  }

  // Waits for the batch in record half `half`, hands its spikes, in (step,
  // gid) order, and its samples to rec, and returns the steps it took: all
  // it was given, or fewer where it paused.
  std::int64_t finish_batch(int half, recording& rec) {
    const auto t0 = std::chrono::steady_clock::now();
    check_cuda(kernels::event_sync(events_[half]), "batch");
    times_.wait_s += seconds_since(t0);
    const auto t1 = std::chrono::steady_clock::now();
    const batch_io& io = io_.host()[half];
    const kernels::device_clock& clock = io.clock;
    const std::int64_t first = clock.batch_first_step, taken = clock.step - first;
    if (clock.overflow || first != step_ || taken < 1 || taken > io.steps || (taken < io.steps && !clock.paused))
      throw internal_error(fmt::format("cuda engine: a batch of {} steps from step {} (the host expected {}) ended at "
                                       "step {} (overflow {}, paused {})",
                                       io.steps, first, step_, clock.step, clock.overflow, clock.paused));
    kernels::device_spike* got = record_.host() + io.offset;
    order_recorded_spikes(got, clock.nrecorded, img_.nsources, order_keys_, order_tmp_);
    for (std::uint64_t i = 0; i < clock.nrecorded; ++i) rec.spikes.push_back({got[i].step, got[i].gid});
    for (auto& ds : dsamples_) {
      if (!ds.rows) continue;
      auto& tb = rec.traces[ds.record];
      const std::int64_t every = ds.view.every;
      for (std::int64_t s = (first / every + 1) * every; s <= clock.step; s += every) tb.steps.push_back(s);
      const std::uint64_t values = static_cast<std::uint64_t>(clock.step / every - first / every) * ds.view.ncols;
      if (ds.view.kind == 4) {
        const std::uint32_t* c = ds.counts_host[half].host();
        for (std::uint64_t v = 0; v < values; ++v) tb.values.push_back(static_cast<double>(c[v]));
      } else {
        const T* v = ds.out_host[half].host();
        tb.values.insert(tb.values.end(), v, v + values);
      }
    }
    step_ = clock.step;
    times_.take_s += seconds_since(t1);
    ++times_.batches;
    return taken;
  }

  static double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  }

  std::uint64_t device_bytes() override {
    kernels::device_info now{};
    if (!kernels::get_device_info(0, &now).ok() || now.free_memory > free_before_) return 0;
    return free_before_ - now.free_memory;
  }

  image<T> img_;  // the initial state and the layout; the live state is on the device
  host_times times_;
  std::uint64_t free_before_ = 0;  // the device's free memory before the set-up [bytes]
  kernels::device_info info_{};
  void* stream_ = nullptr;
  std::vector<device_group> dgroups_;
  std::vector<device_generator> dgens_;
  std::vector<device_source> dsources_;
  device_buffer<T*> group_v_;
  std::vector<device_sample> dsamples_;
  device_buffer<std::uint64_t> row_;
  device_buffer<std::uint32_t> target_;
  device_buffer<T> weight_;
  device_buffer<std::uint32_t> delay_;
  device_buffer<std::uint16_t> delay16_;  // the delays in 16 bits, or empty (delay_ then)
  device_buffer<std::uint8_t> cls_;        // image::cls, or empty (weight_ then)
  device_buffer<T> class_weight_;
  device_buffer<std::uint32_t> class_delay_;  // or empty (delay16_ or delay_ then)
  // The static rows' delay runs (static_rows), or empty.
  device_buffer<std::uint64_t> run_row_;
  device_buffer<std::uint32_t> run_end_, run_delay_;
  std::vector<std::uint64_t> static_perm_;  // the image's index of each static connection, where release states are kept
  device_buffer<std::int64_t> ring_, pulse_ring_, transfer_ring_;
  // The 32-bit ring and pulse ring (image::ring_scale) instead of ring_ and
  // pulse_ring_, which are then empty; per target, its scale.
  device_buffer<std::int32_t> ring32_, pulse_ring32_;
  device_buffer<std::uint8_t> ring_scale_;

  // A ring's values (one of the pair is empty) at 2^-40 and in the image's
  // rows, as states hold them.
  std::vector<std::int64_t> ring_values(const char* name, const device_buffer<std::int64_t>& r,
                                        const device_buffer<std::int32_t>& r32) {
    std::vector<std::int64_t> host(r.size());
    std::vector<std::int32_t> host32(r32.size());
    r.download(host.data(), host.size(), stream_);
    r32.download(host32.data(), host32.size(), stream_);
    check_cuda(kernels::stream_sync(stream_), name);
    return ring_rows_moved(r32.size() ? wide_ring_values(img_, host32) : host, img_.ntargets, depth_,
                           img_.ring_depth, step_, name);
  }
  device_buffer<std::uint32_t> release_;
  device_buffer<core::kinetic_release_params<T>> release_params_;
  device_buffer<core::kinetic_release_state<T>> release_state_;
  kernels::kinetic_targets<T> kinetic_{nullptr, nullptr};
  std::vector<device_plastic> dplastic_;
  device_buffer<std::uint32_t> history_, history_count_, pulse_;
  device_buffer<std::uint32_t> spikes_;
  device_buffer<std::uint32_t> kept_bits_;  // step_buffers::kept (empty: every source's spikes recorded)
  pinned_buffer<kernels::device_spike> record_;  // two halves of record_capacity_ (enqueue_batch)
  pinned_buffer<batch_io> io_;                    // one a half
  void* events_[2] = {nullptr, nullptr};          // one a half: the batch and its copies are done
  device_buffer<kernels::device_clock> clock_;
  kernels::step_buffers buffers_{};
  std::map<std::int64_t, void*> graphs_;
  std::vector<std::uint32_t> order_keys_, order_tmp_;  // order_recorded_spikes' scratch
  std::int64_t batch_steps_ = 1;
  std::uint64_t record_capacity_ = 0;
  int propagate_blocks_ = 1;
  std::uint32_t depth_ = 1;      // the rings' rows: image::ring_depth + 1
  bool fused_ = false;           // fused steps (kernels::fused_propagation)
  std::int64_t closer_ = -1;     // fused: the producer that closes the step (groups, then generators)
  std::int64_t step_ = 0;
  bool sampled_initial_ = false;
};

template <class T>
std::unique_ptr<engine> make_cuda(image<T> img, const cuda_settings& settings) {
  if (img.mode == arith_mode::fast) return std::make_unique<cuda_engine<T, core::fast_math>>(std::move(img), settings);
  return std::make_unique<cuda_engine<T, core::deterministic_math>>(std::move(img), settings);
}

}  // namespace

bool cuda_available(std::string* reason) {
  int n = 0;
  const auto s = kernels::device_count(&n);
  if (!s.ok()) {
    if (reason) *reason = fmt::format("the CUDA runtime reports {} ({})", s.name, s.message);
    return false;
  }
  if (n == 0) {
    if (reason) *reason = "no CUDA device is present";
    return false;
  }
  kernels::device_info info;
  if (reason && kernels::get_device_info(0, &info).ok()) *reason = fmt::format("CUDA device 0 is {}", info.name);
  return true;
}

std::unique_ptr<engine> make_cuda_engine(any_image img, const cuda_settings& settings) {
  return std::visit([&](auto&& im) { return make_cuda(std::move(im), settings); }, std::move(img));
}

}  // namespace ranvier
