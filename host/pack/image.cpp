// Packing: from description + built connectivity to the structure-of-arrays
// image both engines run. Cable cells get their tree (nodes, axial
// conductances, areas), every mechanism its instances and per-instance
// parameters (gradients evaluated at each segment's distance from the soma),
// every receptor its locations. Initial states are drawn here, per cell, from
// streams countered by the cell, and gating states start at their steady
// state at the initial voltage unless the model sets them.
#include "host/pack/image.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <type_traits>

#include <fmt/format.h>

#include "core/dmath.hpp"
#include "core/mechanisms/ions.hpp"
#include "core/membrane.hpp"
#include "core/neurons/registry.hpp"
#include "host/errors.hpp"
#include "host/model/mechanisms.hpp"

namespace ranvier {

// ---- group storage ---------------------------------------------------------------

template <class T> int group_storage<T>::narrays() const {
  int n = (cai.empty() ? 1 : 2) + static_cast<int>(mstate.size());
  for (const auto& m : mechs) n += static_cast<int>(m.state.size());
  for (const auto& r : receptors) n += static_cast<int>(r.state.size());
  return n;
}

template <class T> typename group_storage<T>::array_slot group_storage<T>::slot(int a) const {
  static const std::string none, v_name = "v", cai_name = "cai";
  const int asked = a;
  if (a == 0) return {&v, nnodes, &none, &v_name};
  --a;
  if (!cai.empty()) {
    if (a == 0) return {&cai, nnodes, &none, &cai_name};
    --a;
  }
  if (a < static_cast<int>(mstate.size())) return {&mstate[a], 1, &none, &mstate_names[a]};
  a -= static_cast<int>(mstate.size());
  for (const auto& m : mechs) {
    if (a < static_cast<int>(m.state.size())) return {&m.state[a], m.ninst(), &m.name, &m.state_names[a]};
    a -= static_cast<int>(m.state.size());
  }
  for (const auto& r : receptors) {
    if (a < static_cast<int>(r.state.size())) return {&r.state[a], r.ninst(), &r.name, &r.state_names[a]};
    a -= static_cast<int>(r.state.size());
  }
  throw internal_error("group_storage: no state array " + std::to_string(asked) + " in cell type " + cell_type);
}

template <class T> std::string group_storage<T>::array_name(int a) const {
  const auto s = slot(a);
  return s.owner->empty() ? *s.state : *s.owner + "." + *s.state;
}

template <class T> state_vector<T>& group_storage<T>::array(int a) {
  return const_cast<state_vector<T>&>(*slot(a).values);
}

template <class T> const state_vector<T>& group_storage<T>::array(int a) const { return *slot(a).values; }

template <class T> int group_storage<T>::find_array(const std::string& name) const {
  for (int a = 0; a < narrays(); ++a)
    if (array_name(a) == name) return a;
  return -1;
}

template <class T> std::uint32_t group_storage<T>::array_ninst(int a) const { return slot(a).ninst; }

template <class T> std::uint32_t group_storage<T>::array_node(int a, std::uint32_t place) const {
  if (a == 0 || (a == 1 && !cai.empty())) return place;
  a -= cai.empty() ? 1 : 2;
  if (a < static_cast<int>(mstate.size())) return 0;
  a -= static_cast<int>(mstate.size());
  const auto at = [place](const std::vector<std::uint32_t>& node) { return node.empty() ? 0u : node[place]; };
  for (const auto& m : mechs) {
    if (a < static_cast<int>(m.state.size())) return at(m.node);
    a -= static_cast<int>(m.state.size());
  }
  for (const auto& r : receptors) {
    if (a < static_cast<int>(r.state.size())) return at(r.node);
    a -= static_cast<int>(r.state.size());
  }
  throw internal_error("group_storage: no state array in cell type " + cell_type);
}

template <class T> std::size_t group_storage<T>::place(std::size_t canonical, std::uint32_t ninst) const {
  const auto j = static_cast<std::uint32_t>(canonical / ncells), c = static_cast<std::uint32_t>(canonical % ncells);
  return core::at(j, ninst, block, ncells, c, 0);
}

template <class T> void group_storage<T>::set_block(std::uint32_t cells) {
  for (int a = 0; a < narrays(); ++a) {
    auto& arr = array(a);
    const std::uint32_t ninst = array_ninst(a);
    state_vector<T> out(arr.size());
    for (std::uint32_t c = 0; c < ncells; ++c)
      for (std::uint32_t j = 0; j < ninst; ++j) {
        const std::size_t from = core::at(j, ninst, block, ncells, c, 0), to = core::at(j, ninst, cells, ncells, c, 0);
        out[to] = arr[from];
      }
    arr = std::move(out);
  }
  block = cells;
}

template <class T> core::cell_parts<T> group_storage<T>::parts() {
  if (mechs.size() > core::max_mechs || receptors.size() > core::max_receptors || stimuli.size() > core::max_stimuli)
    throw internal_error("group_storage::parts: capacities exceeded for cell type " + cell_type);
  core::cell_parts<T> c{};
  c.ncells = ncells;
  c.nnodes = nnodes;
  c.block = block;
  c.gid_base = gid_base;
  c.v = v.data();
  c.cai = cai.empty() ? nullptr : cai.data();
  c.spike_count = spike_count.data();
  c.last_spike = last_spike.data();
  c.fault_step = fault_step.data();
  c.v_lo = v_lo;
  c.v_hi = v_hi;
  c.refractory = refractory;
  c.threshold = threshold;
  c.detector = detector;
  c.nmech = static_cast<int>(mechs.size());
  c.nrec = static_cast<int>(receptors.size());
  c.nstim = static_cast<int>(stimuli.size());
  for (std::size_t q = 0; q < mechs.size(); ++q) {
    auto& m = mechs[q];
    auto& mv = c.mech[q];
    mv.kind = m.kind;
    mv.ninst = m.ninst();
    mv.nparam = m.nparam;
    mv.node = m.node.empty() ? nullptr : m.node.data();
    mv.param = m.param.data();
    for (std::size_t s = 0; s < m.state.size(); ++s) mv.state[s] = m.state[s].data();
  }
  for (std::size_t r = 0; r < receptors.size(); ++r) c.rec[r] = receptor_view_of(*this, static_cast<int>(r));
  for (std::size_t s = 0; s < stimuli.size(); ++s)
    c.stim[s] = {stimuli[s].node, stimuli[s].amp.data(), stimuli[s].start, stimuli[s].stop};
  if (!gap_row.empty())
    c.gap = {gap_row.data(), gap_node.data(), gap_g.data(), gap_v_partner.data()};
  return c;
}

template <class T> core::point_group_view<T> group_storage<T>::point_view() {
  if (cable) throw internal_error("point_view of a cable group " + cell_type);
  core::point_group_view<T> pv{parts(), cfac, pfac, vscale, model, dt, {}, {}};
  for (int p = 0; p < core::max_model_params; ++p) pv.mparam[p] = mparam[p];
  for (std::size_t s = 0; s < mstate.size(); ++s) pv.mstate[s] = mstate[s].data();
  return pv;
}

template <class T> bool group_storage<T>::has_ca() const {
  return std::any_of(mechs.begin(), mechs.end(), [](const auto& m) { return mechanism_kinds()[m.kind].writes_cai; });
}

template <class T> core::cable_group_view<T> group_storage<T>::cable_view() {
  if (!cable) throw internal_error("cable_view of a point group " + cell_type);
  return {parts(),
          nnodes,
          parent.data(),
          ga.data(),
          dbase.data(),
          afac.data(),
          gpas.empty() ? nullptr : gpas.data(),
          gpas.empty() ? nullptr : epas.data(),
          vscale,
          has_ca()};
}

template <class T> std::uint64_t image<T>::ncells() const {
  std::uint64_t n = 0;
  for (const auto& g : groups) n += g.ncells;
  return n;
}

template <class T> std::uint64_t image<T>::nconnections() const {
  std::uint64_t n = target.size();
  for (const auto& p : plastic) n += p.target.size();
  return n;
}

template <class T> std::uint64_t image<T>::ncompartments() const {
  std::uint64_t n = 0;
  for (const auto& g : groups) {
    std::uint64_t per_cell = 1;
    if (g.cable) {
      per_cell = 0;
      for (const auto& a : g.afac) per_cell += a > T(0);
    }
    n += per_cell * g.ncells;
  }
  return n;
}

template <class T>
std::uint64_t image<T>::max_spikes_in(std::int64_t steps, const std::vector<std::uint8_t>* only) const {
  if (steps <= 0) return 0;
  const auto window = static_cast<std::uint64_t>(steps);
  // The sources counted among gids [base, base + n).
  const auto counted = [&](std::uint32_t base, std::uint32_t n) -> std::uint64_t {
    if (!only) return n;
    return static_cast<std::uint64_t>(std::count(only->begin() + base, only->begin() + base + n, std::uint8_t{1}));
  };
  std::uint64_t n = 0;
  for (const auto& g : groups) {
    bool clamps = false;
    if (g.model >= 0) core::dispatch(core::neuron_models{}, g.model, [&]<class N>() { clamps = N::clamps; });
    const std::int64_t dead = g.refractory + (clamps ? 1 : 0);
    const std::int64_t least = g.model >= 0 ? std::max<std::int64_t>(dead, 1) : std::max<std::int64_t>(dead, 2);
    const auto every = static_cast<std::uint64_t>(least);
    n += counted(g.gid_base, g.ncells) * ((window + every - 1) / every);
  }
  for (const auto& gs : generators) n += counted(gs.params.gid_base, gs.params.ncells) * window;
  for (const auto& ss : spike_sources) {
    std::vector<std::int64_t> steps_of;  // the counted sources' events, ascending
    for (std::size_t e = 0; e < ss.step.size(); ++e)
      if (!only || (*only)[ss.params.gid_base + ss.cell[e]]) steps_of.push_back(ss.step[e]);
    std::uint64_t most = 0;
    for (std::size_t a = 0, b = 0; a < steps_of.size(); ++a) {
      while (b < steps_of.size() && steps_of[b] < steps_of[a] + steps) ++b;
      most = std::max<std::uint64_t>(most, b - a);
    }
    n += most;
  }
  return n;
}

template <class T> std::vector<int> image<T>::spike_record_population() const {
  std::vector<int> by_gid(nsources, -1);
  for (const auto& rp : records)
    if (rp.spikes)
      for (auto c : rp.cells) by_gid[populations[static_cast<std::size_t>(rp.population)].gid_base + c] = rp.population;
  return by_gid;
}

template <class T> std::vector<std::uint8_t> image<T>::recorded_sources() const {
  const std::vector<int> by_gid = spike_record_population();
  std::vector<std::uint8_t> on(by_gid.size());
  for (std::size_t g = 0; g < on.size(); ++g) on[g] = by_gid[g] >= 0 ? 1 : 0;
  return on;
}

template <class T>
batch_plan plan_batch(const image<T>& img, std::uint64_t entries, std::int64_t max_steps,
                      const std::vector<std::uint8_t>& only) {
  // max_spikes_in grows with the steps: the longest that fits, by bisection.
  const std::vector<std::uint8_t>* o = only.empty() ? nullptr : &only;
  std::int64_t lo = 1, hi = std::max<std::int64_t>(1, max_steps);
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo + 1) / 2;
    if (img.max_spikes_in(mid, o) <= entries)
      lo = mid;
    else
      hi = mid - 1;
  }
  return {lo, std::max<std::uint64_t>(1, img.max_spikes_in(lo, o))};
}

template <class T> std::uint64_t image<T>::memory_bytes() const {
  std::uint64_t b = 0;
  for (const auto& g : groups) {
    for (int a = 0; a < g.narrays(); ++a) b += g.array(a).size() * sizeof(T);
    b += static_cast<std::uint64_t>(g.ncells) * (4 + 8);  // spike counts and last spikes (64-bit: groups above 2^32/12 cells)
    if (g.cable) {
      b += (g.has_ca() ? 4ull : 2ull) * g.nnodes * g.ncells * sizeof(T);  // the CUDA engine's scratch
      b += g.nnodes * (4 + 5 * sizeof(T));                               // the tree: parent, ga, dbase, afac, gpas, epas
    }
    for (const auto& m : g.mechs) b += m.param.size() * sizeof(T) + m.node.size() * 4;
    for (const auto& r : g.receptors) b += r.node.size() * 4;
    for (const auto& st : g.stimuli) b += st.amp.size() * sizeof(T);
    b += g.gap_row.size() * 4 + g.gap_node.size() * (4 + 4 + 8 + 2 * sizeof(T));  // node, partner, g, v_partner
  }
  for (const auto& s : spike_sources) b += s.step.size() * (8 + 4) + s.spike_count.size() * 4;
  for (const auto& g : generators) b += g.spike_count.size() * 4;
  for (const auto& r : records) b += (r.index.size() + r.v_index.size()) * 8;
  b += row.size() * 8 + target.size() * 4 + weight.size() * sizeof(T) + cls.size() + delay.size() * 4 +
       delay16.size() * 2 + class_weight.size() * sizeof(T) + class_delay.size() * 4;
  const std::uint64_t word = narrow_ring() ? 4 : 8;  // the ring's (and the pulse ring's)
  b += static_cast<std::uint64_t>(ring_depth) * ntargets * word + ring_scale.size();
  for (const auto& p : plastic)
    b += p.row.size() * 8 + p.in_row.size() * 8 + p.in_conn.size() * 8 +
         p.target.size() * (4 + 4 + 4 + 4 + 2 * sizeof(T)) + (p.y.size() + p.r_pre.size() + p.theta.size()) * sizeof(T) +
         (p.y_step.size() + p.r_pre_step.size()) * 8 +
         p.source_of.size() * 4;
  b += static_cast<std::uint64_t>(history) * max_spikes_per_step * 4;
  if (!pulse.empty()) b += pulse.size() * 4 + static_cast<std::uint64_t>(ring_depth) * ntargets * word;  // and the pulse ring
  if (!release.empty()) {  // and the transfer ring
    b += release.size() * 4 + static_cast<std::uint64_t>(ring_depth) * ntargets * 8;
    b += release_state.size() * sizeof(core::kinetic_release_state<T>);
    for (const auto& p : plastic) b += p.release.size() * sizeof(core::kinetic_release_state<T>);
  }
  for (const auto& p : plastic)
    b += p.term.size() * sizeof(core::terminal_state<T>) + p.ca_syn.size() * sizeof(core::calcium_synapse<T>) +
         p.elig.size() * sizeof(core::eligibility<T>) + p.clefts.size() * sizeof(core::cleft_state<T>);
  return b;
}

template <class T> core::plastic_view<T> plastic_storage<T>::view() {
  core::plastic_view<T> v{};
  v.rule = rule;
  v.stdp = stdp;
  v.pre_gid_base = pre_gid_base;
  v.npre = npre;
  v.post_gid_base = post_gid_base;
  v.npost = npost;
  v.dmin = dmin;
  v.dmax = dmax;
  v.post_delay = post_delay;
  v.row = row.data();
  v.target = target.data();
  v.delay = delay.data();
  v.post = post.data();
  v.syn = syn.data();
  v.y = y.data();
  v.y_step = y_step.empty() ? nullptr : y_step.data();
  v.in_row = in_row.data();
  v.in_conn = in_conn.data();
  v.hebb = hebb;
  v.r_pre = r_pre.empty() ? nullptr : r_pre.data();
  v.r_pre_step = r_pre_step.empty() ? nullptr : r_pre_step.data();
  v.theta = theta.empty() ? nullptr : theta.data();
  v.release = release.empty() ? nullptr : release.data();
  v.terminal = terminal;
  v.term = term.empty() ? nullptr : term.data();
  v.ca = ca;
  v.cleft = cleft;
  v.clefts = clefts.empty() ? nullptr : clefts.data();
  v.ca_syn = ca_syn.empty() ? nullptr : ca_syn.data();
  v.mod = mod;
  v.elig = elig.empty() ? nullptr : elig.data();
  v.mod_state = mod_state.empty() ? nullptr : mod_state.data();
  v.index = nullptr;
  return v;
}

namespace {

// The ring sums a step's inputs onto a target in 64-bit fixed point, 2^-40
// of the weight's unit: a sum must stay below 2^23 in magnitude. Its worst
// case per target is Σ over the connections onto it of the largest value
// one can deliver in a step — |w| (a plastic one's largest bound; times the
// vesicles a quantal terminal can release) times the most spikes its source
// can send in one step (1, or a given-time source's most events in a step)
// — which is known once the network is built: a network whose worst case
// exceeds the limit (minus a margin) is refused, naming a target.
// Per source: the most spikes it can send in one step (1, or a given-time
// source's most events in a step).
template <class T> std::vector<double> most_spikes_in_step(const image<T>& img) {
  std::vector<double> most(img.nsources, 1.0);
  for (const auto& ss : img.spike_sources) {
    std::vector<double> in_step(ss.params.ncells, 0.0);
    for (std::size_t e = 0; e < ss.step.size();) {
      std::size_t f = e;
      for (; f < ss.step.size() && ss.step[f] == ss.step[e]; ++f) in_step[ss.cell[f]] += 1.0;
      for (std::size_t f2 = e; f2 < f; ++f2) {
        double& m = most[ss.params.gid_base + ss.cell[f2]];
        m = std::max(m, in_step[ss.cell[f2]]);
      }
      for (std::size_t f2 = e; f2 < f; ++f2) in_step[ss.cell[f2]] = 0.0;  // only the cells this step touched
      e = f;
    }
  }
  return most;
}

// Per target: Σ |w| · most[source] over the static connections onto it.
template <class T> std::vector<double> static_input_sums(const image<T>& img, const std::vector<double>& most) {
  std::vector<double> sum(img.ntargets, 0.0);
  for (std::uint32_t g = 0; g + 1 < img.row.size(); ++g)
    for (std::uint64_t c = img.row[g]; c < img.row[g + 1]; ++c)
      sum[img.target[c]] += most[g] * std::fabs(static_cast<double>(img.weight_at(c)));
  return sum;
}

template <class T>
void check_input_sums(const network& net, const cell_layout& L, const image<T>& img, const std::vector<double>& most) {
  std::vector<double> sum = static_input_sums(img, most);
  for (const auto& p : img.plastic) {
    const plasticity_desc& d = net.projections[p.projection].plasticity;
    const double bound = std::max(std::fabs(d.w_min), std::fabs(d.w_max));
    const double per_release = p.terminal.model == core::terminal_model::quantal ? p.terminal.sites : 1.0;
    for (std::uint32_t i = 0; i < p.npre; ++i)
      for (std::uint64_t c = p.row[i]; c < p.row[i + 1]; ++c) {
        const double w = d.is_plastic() && std::isfinite(bound) ? bound : std::fabs(static_cast<double>(p.syn[c].w));
        sum[p.target[c]] += most[p.pre_gid_base + i] * per_release * w;
      }
  }
  constexpr double limit = 8.0e6;  // below 2^23 = 8388608, the fixed-point range
  for (std::uint32_t t = 0; t < img.ntargets; ++t) {
    if (!(sum[t] > limit)) continue;
    // Name the target: its group, cell and receptor location.
    std::string where = fmt::format("ring target {}", t);
    for (std::size_t gi = 0; gi < L.groups.size(); ++gi) {
      const auto& lg = L.groups[gi];
      const auto& ct = net.cells[static_cast<std::size_t>(lg.cell_type)];
      if (t < lg.target_base || lg.ncells == 0) continue;
      const std::uint64_t k = t - lg.target_base, loc = k / lg.ncells, cell = k % lg.ncells;
      for (int pi : lg.populations) {
        const auto& pl = L.populations[static_cast<std::size_t>(pi)];
        if (cell >= pl.first && cell < pl.first + pl.size)
          where = fmt::format("cell {} of population '{}' (cell type '{}', its input location {})", cell - pl.first, pl.name,
                              ct.name, loc);
      }
    }
    throw model_error(fmt::format(
        "{}: the inputs onto {} can sum to {:.4g} (the weight's unit) in one step (Σ |w| of its connections, a "
        "plastic one at its bound, times the spikes a source can send in a step), beyond the {:.4g} that the "
        "ring's 64-bit fixed point holds; valid: smaller weights or fewer connections onto one cell",
        net.source, where, sum[t], limit));
  }
}

// "Never" in steps: 2^62, beyond any run (the checker allows at most 2^53
// steps) and far enough from the int64 limits that step arithmetic on it
// cannot overflow.
constexpr std::int64_t never_steps = std::int64_t{1} << 62;


// A refractory period in steps: at most 2^61, so that a cell that never
// fired (last spike at −2^62) is never refractory, however long the period.
std::int64_t refractory_steps(double t_ms, double dt) { return std::min(time_steps(t_ms, dt), never_steps / 2); }

// ---- ions ------------------------------------------------------------------------


// The reversal potentials a cell type sets, by core::ion, and its Ca²⁺.
struct ion_table {
  double e[5] = {};
  bool given[5] = {};
  double cai0 = 5e-5;  // [mM], NEURON's default
  double cao = 2.0;    // [mM]
  bool eca_fixed = false;
};

ion_table ions_of(const cell_desc& c, double celsius) {
  ion_table t;
  const auto set = [&](core::ion i, const ion_desc& d, int z) {
    if (!d.given) return;
    const auto k = static_cast<int>(i);
    t.given[k] = true;
    t.e[k] = d.nernst ? core::nernst(core::ktf_at(celsius), z, d.ci, d.co) : d.e;
  };
  set(core::ion::na, c.na, 1);
  set(core::ion::k, c.k, 1);
  set(core::ion::cl, c.cl, -1);
  if (c.ca.given) {
    if (c.ca.nernst) {
      t.cai0 = c.ca.ci;
      t.cao = c.ca.co;
    } else {
      t.eca_fixed = true;
      t.e[static_cast<int>(core::ion::ca)] = c.ca.e;
      t.given[static_cast<int>(core::ion::ca)] = true;
    }
  }
  if (!t.eca_fixed) t.e[static_cast<int>(core::ion::ca)] = core::nernst(core::ktf_at(celsius), 2, t.cai0, t.cao);
  return t;
}

core::ion ion_named(const std::string& s) {
  if (s == "na") return core::ion::na;
  if (s == "k") return core::ion::k;
  if (s == "ca") return core::ion::ca;
  if (s == "cl") return core::ion::cl;
  throw internal_error("ion_named: unchecked ion " + s);
}

// One instance's parameter array: the user's values (gradients at distance
// d), else the cell's reversal potential for the parameter's ion, else the
// default; folded-in spines scale a passive mechanism's conductances; then
// the derived ones.
std::vector<double> instance_parameters(const kind_info& info, const mechanism_desc& md, double d,
                                        double spine_factor, const ion_table& ions, const core::derive_ctx& ctx) {
  std::vector<double> user;
  for (const auto& p : info.params) {
    double x = p.default_value;
    if (auto it = md.params.find(p.name); it != md.params.end())
      x = it->second.at(d);
    else if (p.reversal != core::ion::none && ions.given[static_cast<int>(p.reversal)])
      x = ions.e[static_cast<int>(p.reversal)];
    if (info.passive && std::string_view(p.unit) == "S/cm2") x *= spine_factor;
    user.push_back(x);
  }
  return kind_parameters(info, user, ctx);
}

template <class T>
group_storage<T> pack_group(const network& net, const cell_layout& L, const cell_layout::group& lg,
                            const cell_type_layout& tl) {
  const cell_desc& cd = net.cells[lg.cell_type];
  const double dt = net.sim.dt;
  const double celsius = net.sim.celsius;
  const bool order2 = net.sim.secondorder == 2;
  const ion_table ions = ions_of(cd, celsius);
  const cell_geometry& G = tl.geometry;
  group_storage<T> g;
  g.cell_type = cd.name;
  g.cable = tl.cable;
  g.ncells = lg.ncells;
  g.block = lg.ncells;
  g.gid_base = lg.gid_base;
  g.nnodes = tl.cable ? G.nnodes : 1;
  g.vscale = order2 ? T(2) : T(1);
  g.threshold = static_cast<T>(cd.threshold);
  std::vector<double> dbase(G.nnodes, 0.0);  // cable cells: the constant part of the diagonal [µS]
  if (tl.cable) {
    for (std::uint32_t i = 0; i < G.nnodes; ++i) g.node_names.push_back(G.node_name(i));
    g.parent = G.parent;
    g.ga.resize(G.nnodes);
    g.afac.resize(G.nnodes);
    for (std::uint32_t i = 0; i < G.nnodes; ++i) {
      const double ga = i == 0 ? 0.0 : 1.0 / G.ri[i];  // [µS]
      g.ga[i] = static_cast<T>(ga);
      dbase[i] += ga;
      if (i > 0) dbase[G.parent[i]] += ga;
      // The capacitive term [S/cm²] over the node's area: ×area·1e-2 [µS].
      const double afac = G.area[i] * 1e-2;
      dbase[i] += core::capacitive_factor(G.cm[i] * G.spine_factor[i], dt) * afac * (order2 ? 2.0 : 1.0);
      g.afac[i] = static_cast<T>(afac);
    }
    g.detector = G.node_at(cd.detector);
  } else if (!cd.is_model()) {
    g.cfac = static_cast<T>(core::capacitive_factor(cd.cm, dt) * (order2 ? 2.0 : 1.0));
    g.pfac = static_cast<T>(core::point_to_density(cd.area));
  }
  g.dt = static_cast<T>(dt);
  g.v.assign(static_cast<std::size_t>(g.nnodes) * g.ncells, T(-65));
  g.spike_count.assign(g.ncells, 0);
  // "Never fired": far enough in the past for any dead time, far enough from
  // the int64 limit that step − last_spike cannot overflow.
  g.last_spike.assign(g.ncells, std::numeric_limits<std::int64_t>::min() / 2);
  g.fault_step.assign(g.ncells, core::no_fault);
  g.v_lo = static_cast<T>(net.sim.v_bounds.at(0));
  g.v_hi = static_cast<T>(net.sim.v_bounds.at(1));
  g.refractory = refractory_steps(cd.refractory, dt);

  // A neuron model: its parameters, threshold, refractory period, resting v
  // and states; receptors with exact propagators see its membrane.
  double model_tau_m = 0.0, model_cm = 0.0;
  if (cd.is_model()) {
    const kind_info* info = find_neuron_model(cd.model);
    if (!info) throw internal_error("pack: unchecked neuron model " + cd.model);
    std::vector<double> user;
    for (const auto& p : info->params) {
      auto it = cd.model_params.find(p.name);
      user.push_back(it != cd.model_params.end() ? it->second : p.default_value);
    }
    core::derive_ctx ctx;
    ctx.dt = dt;
    ctx.celsius = celsius;
    const auto all = kind_parameters(*info, user, ctx);
    if (all.size() > core::max_model_params) throw internal_error("pack: too many parameters in model " + cd.model);
    g.model = info->id;
    for (std::size_t p = 0; p < all.size(); ++p) g.mparam[p] = static_cast<T>(all[p]);
    g.threshold = static_cast<T>(all[info->threshold_param]);
    if (info->t_ref_param >= 0) g.refractory = refractory_steps(all[info->t_ref_param], dt);
    if (info->exact_currents) info->membrane(all.data(), model_tau_m, model_cm);
    std::fill(g.v.begin(), g.v.end(), static_cast<T>(info->initial_v(all.data())));
    for (const char* s : info->states) {
      g.mstate_names.emplace_back(s);
      g.mstate.emplace_back(g.ncells, T(0));
    }
  }

  // Where the pools are: there [Ca²⁺]i moves and e_Ca follows it.
  std::vector<std::vector<std::uint32_t>> inst(cd.mechanisms.size());
  std::set<std::uint32_t> pools;
  bool any_cai = false;
  for (std::size_t q = 0; q < cd.mechanisms.size(); ++q) {
    const auto& md = cd.mechanisms[q];
    const kind_info* info = find_mechanism(md.kind);
    if (!info) throw internal_error("pack: unchecked mechanism kind " + md.kind);
    inst[q] = tl.cable ? G.nodes_in(md.region) : std::vector<std::uint32_t>{0};
    if (info->writes_cai) pools.insert(inst[q].begin(), inst[q].end());
    any_cai = any_cai || info->uses_cai || info->writes_cai;
  }
  if (any_cai) g.cai.assign(static_cast<std::size_t>(g.nnodes) * g.ncells, static_cast<T>(ions.cai0));

  // Passive membrane on cable cells, i = g·(v − e) with g constant, is not
  // stepped: its conductance joins the constant diagonal and its current the
  // axial pass (core/cable/cable_cell.hpp), a pass over the nodes saved.
  std::vector<double> gpas(G.nnodes, 0.0), gepas(G.nnodes, 0.0);
  bool folded = false;
  // What a mechanism's or receptor's derived parameters see at a node.
  const auto context_at = [&](std::uint32_t nd) {
    core::derive_ctx ctx;
    ctx.dt = dt;
    ctx.celsius = celsius;
    ctx.ktf = core::ktf_at(celsius);
    ctx.cao = ions.cao;
    ctx.eca = ions.e[static_cast<int>(core::ion::ca)];
    ctx.ca_dynamic = pools.count(nd) > 0 && !ions.eca_fixed;
    ctx.tau_m = model_tau_m;
    ctx.cm = model_cm;
    return ctx;
  };
  for (std::size_t q = 0; q < cd.mechanisms.size(); ++q) {
    const auto& md = cd.mechanisms[q];
    const kind_info& info = *find_mechanism(md.kind);
    if (tl.cable && info.passive) {
      for (auto nd : inst[q]) {
        const auto p = instance_parameters(info, md, G.distance[nd], G.spine_factor[nd], ions, context_at(nd));
        const double gn = p[0] * G.area[nd] * 1e-2;  // g [S/cm²] (spines folded in) · area → [µS]
        gpas[nd] += gn;
        gepas[nd] += gn * p[1];
      }
      folded = true;
      continue;
    }
    typename group_storage<T>::mechanism m;
    m.name = md.label();
    m.kind = static_cast<std::uint32_t>(info.id);
    m.nparam = static_cast<std::uint32_t>(info.nparam_total);
    if (tl.cable) m.node = inst[q];
    for (auto nd : inst[q]) {
      const double d = tl.cable ? G.distance[nd] : 0.0;
      const double f = tl.cable ? G.spine_factor[nd] : 1.0;
      for (double x : instance_parameters(info, md, d, f, ions, context_at(nd))) m.param.push_back(static_cast<T>(x));
    }
    for (const char* s : info.states) {
      m.state_names.emplace_back(s);
      m.state.emplace_back(static_cast<std::size_t>(m.ninst()) * g.ncells, T(0));
    }
    g.mechs.push_back(std::move(m));
  }
  if (tl.cable) {
    for (std::uint32_t i = 0; i < G.nnodes; ++i) g.dbase.push_back(static_cast<T>(dbase[i] + gpas[i]));
    if (folded)
      for (std::uint32_t i = 0; i < G.nnodes; ++i) {
        g.gpas.push_back(static_cast<T>(gpas[i]));
        g.epas.push_back(static_cast<T>(gpas[i] > 0.0 ? gepas[i] / gpas[i] : 0.0));
      }
  }
  for (std::size_t r = 0; r < cd.receptors.size(); ++r) {
    const auto& rd = cd.receptors[r];
    const kind_info* info = find_receptor(rd.kind);
    if (!info) throw internal_error("pack: unchecked receptor kind " + rd.kind);
    typename group_storage<T>::receptor rc;
    rc.name = rd.name;
    rc.kind = static_cast<std::uint32_t>(info->id);
    if (tl.cable) rc.node = tl.receptors[r].node;
    std::vector<double> user;
    for (const auto& p : info->params) {
      double x = p.default_value;
      if (auto it = rd.params.find(p.name); it != rd.params.end()) x = it->second;
      if (auto it = rd.from_ion.find(p.name); it != rd.from_ion.end()) x = ions.e[static_cast<int>(ion_named(it->second))];
      user.push_back(x);
    }
    const auto all = kind_parameters(*info, user, context_at(0));
    for (std::size_t p = 0; p < all.size(); ++p) rc.param[p] = static_cast<T>(all[p]);
    for (const char* s : info->states) {
      rc.state_names.emplace_back(s);
      rc.state.emplace_back(static_cast<std::size_t>(rc.ninst()) * g.ncells, T(0));
    }
    rc.target_base = lg.target_base;
    rc.first_location = tl.first_location[r];
    rc.nlocations = tl.locations;
    g.receptors.push_back(std::move(rc));
  }

  // Initial values: v first (drawn per cell, the same at every node), then
  // the steady states at that v, then the values the model sets explicitly.
  std::vector<std::pair<int, const distribution*>> explicit_init;  // (array, value)
  std::vector<int> var_index;  // stream offset per variable
  int k = 0;
  for (const auto& [name, d] : cd.init) {
    const int a = g.find_array(name);
    if (a < 0) throw internal_error("pack: unchecked init variable " + name);
    explicit_init.emplace_back(a, &d);
    var_index.push_back(k++);
  }
  const int cai_array = g.cai.empty() ? -1 : 1;
  auto init_values = [&](bool first_pass) {
    for (std::size_t e = 0; e < explicit_init.size(); ++e) {
      const auto [a, d] = explicit_init[e];
      if (first_pass != (a == 0 || a == cai_array)) continue;
      auto& arr = g.array(a);
      const std::size_t per_cell = arr.size() / g.ncells;  // nodes or instances
      for (int p : lg.populations) {
        const auto& pl = L.populations[p];
        for (std::uint32_t c = 0; c < pl.size; ++c) {
          core::stream s(net.sim.seed, core::stream_purpose::init, pl.stream_id, c,
                         static_cast<std::uint64_t>(var_index[e]) << 32);
          const T x = static_cast<T>(draw(*d, s));
          for (std::size_t i = 0; i < per_cell; ++i) arr[i * g.ncells + pl.first + c] = x;
        }
      }
    }
  };
  init_values(true);
  {
    const auto parts = g.parts();
    core::init_states<core::deterministic_math>(parts, 0, g.ncells);
  }
  if (g.model >= 0) {
    const auto pv = g.point_view();
    core::init_model_states<core::deterministic_math>(pv, 0, g.ncells);
  }
  init_values(false);
  return g;
}

// The half-junctions of every gap junction, into their groups.
template <class T>
void pack_gaps(const network& net, const cell_layout& L, const std::vector<cell_type_layout>& types, image<T>& img) {
  struct half {
    std::uint32_t cell, node;
    double g;
    std::uint32_t partner_group;
    std::uint64_t partner_index;
  };
  std::vector<std::vector<half>> per_group(img.groups.size());
  for (const auto& gd : net.gaps) {
    const auto* pa = net.find_population(gd.a);
    const auto* pb = net.find_population(gd.b);
    if (!pa || !pb) throw internal_error("pack: unchecked gap junction populations");
    const auto& la = L.populations[pa - net.populations.data()];
    const auto& lb = L.populations[pb - net.populations.data()];
    const auto& ta = types[L.groups[la.group].cell_type];
    const auto& tb = types[L.groups[lb.group].cell_type];
    const std::uint32_t na = ta.cable ? ta.geometry.node_at(gd.at_a) : 0;
    const std::uint32_t nb = tb.cable ? tb.geometry.node_at(gd.at_b) : 0;
    const std::uint32_t nca = img.groups[la.group].ncells, ncb = img.groups[lb.group].ncells;
    for (const auto& [i, j] : gd.pairs) {
      const auto ca = la.first + static_cast<std::uint32_t>(i), cb = lb.first + static_cast<std::uint32_t>(j);
      per_group[la.group].push_back({ca, na, gd.g, static_cast<std::uint32_t>(lb.group),
                                     static_cast<std::uint64_t>(nb) * ncb + cb});
      per_group[lb.group].push_back({cb, nb, gd.g, static_cast<std::uint32_t>(la.group),
                                     static_cast<std::uint64_t>(na) * nca + ca});
    }
  }
  for (std::size_t gi = 0; gi < img.groups.size(); ++gi) {
    auto& hs = per_group[gi];
    if (hs.empty()) continue;
    img.has_gaps = true;
    std::stable_sort(hs.begin(), hs.end(), [](const half& a, const half& b) { return a.cell < b.cell; });
    auto& g = img.groups[gi];
    g.gap_row.assign(g.ncells + 1, 0);
    for (const auto& h : hs) {
      ++g.gap_row[h.cell + 1];
      g.gap_node.push_back(h.node);
      g.gap_g.push_back(static_cast<T>(h.g));
      g.gap_partner_group.push_back(h.partner_group);
      g.gap_partner_index.push_back(h.partner_index);
    }
    for (std::uint32_t c = 0; c < g.ncells; ++c) g.gap_row[c + 1] += g.gap_row[c];
    g.gap_v_partner.assign(hs.size(), T(0));
  }
}

// A record's columns: for each cell, one place (or every node along a section).
// A record of a plastic projection's weights: the connections asked for
// (the first one of each (pre, post) pair), or every one.
template <class T>
record_plan plan_weight_record(const network& net, const record_desc& rd, const image<T>& img) {
  record_plan rp;
  rp.variable = rd.variable;
  rp.every = rd.interval > 0.0 ? std::max<std::int64_t>(1, time_steps(rd.interval, img.dt)) : 1;
  for (std::size_t q = 0; q < img.plastic.size(); ++q)
    if (img.plastic[q].name == rd.projection) rp.plastic = static_cast<int>(q);
  if (rp.plastic < 0) throw internal_error("pack: unchecked weight record of " + rd.projection);
  const auto& P = img.plastic[rp.plastic];
  if (rd.variable == "weights") {
    rp.kind = sample_kind::weights_final;
    return rp;
  }
  if (rd.variable == "weight_histogram") {
    rp.kind = sample_kind::weight_histogram;
    rp.bins = static_cast<std::uint32_t>(rd.bins);
    const auto& d = net.projections[P.projection].plasticity;
    rp.lo = d.w_min;
    rp.hi = d.w_max;
    for (std::uint32_t b = 0; b < rp.bins; ++b)
      rp.columns.push_back(fmt::format("{:.6g}", rp.lo + (b + 0.5) * (rp.hi - rp.lo) / rp.bins));
    return rp;
  }
  rp.kind = sample_kind::weight;
  const std::pair<const char*, core::connection_field> fields[] = {
      {"weight", core::connection_field::weight}, {"u", core::connection_field::u},
      {"x", core::connection_field::x},           {"ca_pre", core::connection_field::ca_pre},
      {"ready", core::connection_field::ready},   {"released", core::connection_field::released},
      {"nt", core::connection_field::nt},         {"open", core::connection_field::open}};
  for (const auto& [name, f] : fields)
    if (rd.variable == name) rp.field = f;
  for (std::size_t k = 0; k < rd.connections.size(); ++k) {
    const auto [a, b] = rd.connections[k];
    std::uint64_t found = P.pre.size();
    for (std::uint64_t c = P.row[static_cast<std::size_t>(a)]; c < P.row[static_cast<std::size_t>(a) + 1]; ++c)
      if (P.post[c] == static_cast<std::uint32_t>(b) && (found == P.pre.size() || c < found)) found = c;
    if (found == P.pre.size())
      throw model_error(fmt::format("{}: record of '{}': there is no connection from cell {} to cell {}; valid: pairs "
                                    "the projection's rule connected (see its \"weights\" record)",
                                    to_string(rd.loc("connections")), rd.projection, a, b));
    rp.index.push_back(found);
    rp.columns.push_back(fmt::format("{}->{}", a, b));
  }
  return rp;
}

template <class T>
record_plan plan_record(const network& net, const record_desc& rd, const cell_layout& L,
                        const std::vector<cell_type_layout>& types, const image<T>& img) {
  if (!rd.projection.empty()) return plan_weight_record(net, rd, img);
  const population_desc* pd = net.find_population(rd.population);
  if (!pd) throw internal_error("pack: unchecked record population " + rd.population);
  record_plan rp;
  rp.population = static_cast<int>(pd - net.populations.data());
  const auto& pl = L.populations[rp.population];
  rp.variable = rd.variable;
  rp.along = rd.along;
  rp.hidden = rd.hidden;
  rp.spikes = rd.variable == "spikes";
  if (rd.cells.empty()) {
    for (std::uint32_t c = 0; c < pl.size; ++c) rp.cells.push_back(c);
  } else {
    for (auto c : rd.cells) rp.cells.push_back(static_cast<std::uint32_t>(c));
  }
  if (rp.spikes) return rp;
  rp.every = rd.interval > 0.0 ? std::max<std::int64_t>(1, time_steps(rd.interval, img.dt)) : 1;
  const auto& g = img.groups.at(pl.group);
  const auto& tl = types[L.groups[pl.group].cell_type];
  rp.ref.group = pl.group;

  // The receptor the variable belongs to, if any, and which of its states.
  int receptor = -1;
  std::string field;
  if (auto dot = rd.variable.find('.'); dot != std::string::npos) {
    for (std::size_t r = 0; r < g.receptors.size(); ++r)
      if (g.receptors[r].name == rd.variable.substr(0, dot)) receptor = static_cast<int>(r);
    field = rd.variable.substr(dot + 1);
  }
  rp.ref.array = g.find_array(rd.variable);
  if (rp.ref.array < 0) {
    if (receptor < 0 || (field != "g" && field != "i" && field != "ica"))
      throw internal_error("pack: unchecked record variable " + rd.variable);
    rp.kind = field == "g" ? sample_kind::receptor_g : field == "i" ? sample_kind::receptor_i : sample_kind::receptor_ica;
    rp.ref.array = receptor;
  }

  // Nodes: the place asked for; a receptor's own location by default.
  std::vector<std::uint32_t> nodes{0};
  if (tl.cable) {
    if (!rd.along.empty())
      nodes = tl.geometry.nodes_along(tl.geometry.find_section(rd.along));
    else if (receptor >= 0 && rd.location.is_default() && tl.receptors[receptor].node.size() == 1)
      nodes = tl.receptors[receptor].node;
    else
      nodes = {tl.geometry.node_at(rd.location)};
  }
  // The instance of the variable's mechanism or receptor at a node.
  const auto instance_at = [&](std::uint32_t node) -> std::uint32_t {
    const std::vector<std::uint32_t>* where = nullptr;
    if (receptor >= 0) {
      where = &g.receptors[receptor].node;
    } else if (rd.variable != "v" && rd.variable != "cai") {
      for (const auto& m : g.mechs)
        if (rd.variable.rfind(m.name + ".", 0) == 0) where = &m.node;
    } else {
      return node;
    }
    if (!where || where->empty()) return 0;  // a point neuron
    auto it = std::find(where->begin(), where->end(), node);
    if (it == where->end())
      throw internal_error(fmt::format("pack: unchecked record of {} at {}", rd.variable, g.node_names[node]));
    return static_cast<std::uint32_t>(it - where->begin());
  };
  for (auto c : rp.cells) {
    const std::uint32_t cell = pl.first + c;
    for (auto nd : nodes) {
      rp.index.push_back(static_cast<std::uint64_t>(instance_at(nd)) * g.ncells + cell);
      rp.v_index.push_back(static_cast<std::uint64_t>(nd) * g.ncells + cell);
      rp.columns.push_back(tl.cable ? fmt::format("{}@{}", c, g.node_names[nd]) : fmt::format("{}", c));
    }
  }
  return rp;
}

template <class T> image<T> pack_as(const network& net, int threads, pack_timing& timing) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const auto types = lay_out_cell_types(net);
  const cell_layout L = lay_out_cells(net, types);
  connectivity<T> C = build_connectivity<T>(net, L, types, threads, timing.progress);
  const auto t1 = clock::now();

  image<T> img;
  const double dt = net.sim.dt;
  img.dt = dt;
  img.nsteps = time_steps(net.sim.duration, dt);
  img.seed = net.sim.seed;
  img.mode = net.sim.mode;
  img.engine = net.sim.engine;
  img.populations = L.populations;
  img.nsources = L.nsources;
  img.ntargets = L.ntargets;
  img.ring_depth = C.max_delay + 1;

  for (const auto& lg : L.groups) img.groups.push_back(pack_group<T>(net, L, lg, types[lg.cell_type]));
  // Pulse receptors: each of their targets remembers its pulse, and the ring
  // is deep enough for an arrival's end.
  std::uint32_t longest_pulse = 0;
  for (std::size_t gi = 0; gi < img.groups.size(); ++gi) {
    const auto& g = img.groups[gi];
    const cell_desc& cd = net.cells[L.groups[gi].cell_type];
    for (std::size_t r = 0; r < g.receptors.size(); ++r) {
      const kind_info* info = find_receptor(cd.receptors[r].kind);
      if (!info || info->pulse_param < 0) continue;
      const auto& rd = cd.receptors[r];
      const auto it = rd.params.find(info->params[info->pulse_param].name);
      const double ms = it != rd.params.end() ? it->second : info->params[info->pulse_param].default_value;
      const auto steps = static_cast<std::uint32_t>(core::pulse_steps(ms, dt));
      if (img.pulse.empty()) img.pulse.assign(img.ntargets, 0);
      const auto& rc = g.receptors[r];
      for (std::uint32_t j = 0; j < rc.ninst(); ++j)
        for (std::uint32_t c = 0; c < g.ncells; ++c)
          img.pulse[rc.target_base + static_cast<std::size_t>(rc.first_location + j) * g.ncells + c] = steps;
      longest_pulse = std::max(longest_pulse, steps);
      if (!info->release) continue;
      // A kinetic receptor: its targets' release parameters.
      if (img.release.empty()) img.release.assign(img.ntargets, 0);
      img.release_params.push_back(core::release_params_of<T>(rc.param.data()));
      const auto index = static_cast<std::uint32_t>(img.release_params.size());
      for (std::uint32_t j = 0; j < rc.ninst(); ++j)
        for (std::uint32_t c = 0; c < g.ncells; ++c)
          img.release[rc.target_base + static_cast<std::size_t>(rc.first_location + j) * g.ncells + c] = index;
    }
  }
  img.ring_depth += longest_pulse;
  for (std::size_t q = 0; q < L.generators.size(); ++q) {
    const int p = L.generators[q];
    const auto& pd = net.populations[p];
    if (pd.kind == population_kind::spike_times) {
      spike_source_storage ss;
      ss.params.ncells = static_cast<std::uint32_t>(pd.size);
      ss.params.gid_base = L.generator_gid_base[q];
      std::vector<std::pair<std::int64_t, std::uint32_t>> ev;
      for (std::uint32_t c = 0; c < ss.params.ncells; ++c)
        for (double t : pd.times) ev.emplace_back(time_steps(t, dt) - 1, c);
      for (const auto& s : pd.spikes) ev.emplace_back(time_steps(s.time, dt) - 1, static_cast<std::uint32_t>(s.index));
      std::sort(ev.begin(), ev.end());
      for (const auto& [st, c] : ev) {
        ss.step.push_back(st);
        ss.cell.push_back(c);
      }
      ss.params.nevents = ev.size();
      ss.spike_count.assign(ss.params.ncells, 0);
      img.spike_sources.push_back(std::move(ss));
      continue;
    }
    generator_storage gs;
    gs.params.ncells = static_cast<std::uint32_t>(pd.size);
    gs.params.gid_base = L.generator_gid_base[q];
    gs.params.stream_id = static_cast<std::uint32_t>(p);
    gs.params.seed = net.sim.seed;
    // Probability of at least one event of a Poisson process in one step.
    gs.params.p_spike = core::poisson_p_spike(pd.rate, dt);
    gs.params.threshold = core::poisson_threshold(gs.params.p_spike);
    gs.params.start = time_steps(pd.start, dt);
    gs.params.stop = time_steps(pd.stop, dt);
    if (pd.rates.size() >= 2) {  // a cycle of rates, each for rate_interval (whole steps, at least one)
      gs.params.ncycle = static_cast<std::uint32_t>(pd.rates.size());
      gs.params.cycle_steps = std::max<std::int64_t>(1, time_steps(pd.rate_interval, dt));
      for (std::size_t k = 0; k < pd.rates.size(); ++k)
        gs.params.cycle[k] = core::poisson_threshold(core::poisson_p_spike(pd.rates[k], dt));
    }
    gs.spike_count.assign(gs.params.ncells, 0);
    img.generators.push_back(std::move(gs));
  }

  for (const auto& sd : net.stimuli) {
    const population_desc* pd = net.find_population(sd.population);
    if (!pd) throw internal_error("pack: unchecked stimulus population " + sd.population);
    const auto& pl = L.populations[pd - net.populations.data()];
    auto& g = img.groups[pl.group];
    const auto& tl = types[L.groups[pl.group].cell_type];
    typename group_storage<T>::stimulus st;
    st.node = tl.cable ? tl.geometry.node_at(sd.location) : 0;
    st.amp.assign(g.ncells, T(0));
    st.start = time_steps(sd.start, dt);
    st.stop = time_steps(sd.stop, dt);
    if (sd.cells.empty()) {
      for (std::uint32_t c = 0; c < pl.size; ++c) st.amp[pl.first + c] = static_cast<T>(sd.amp.at(0));
    } else {
      for (std::size_t i = 0; i < sd.cells.size(); ++i)
        st.amp[pl.first + sd.cells[i]] = static_cast<T>(sd.amp.size() == 1 ? sd.amp[0] : sd.amp.at(i));
    }
    g.stimuli.push_back(std::move(st));
  }
  pack_gaps(net, L, types, img);

  img.row = std::move(C.row);
  img.target = std::move(C.target);
  img.weight = std::move(C.weight);
  img.cls = std::move(C.cls);
  for (double w : C.classes.weight) img.class_weight.push_back(static_cast<T>(w));
  img.class_delay = C.classes.delay;
  img.delay = std::move(C.delay);
  img.delay16 = std::move(C.delay16);
  if (!img.release.empty()) img.release_state.resize(img.target.size());
  for (auto& pc : C.plastic) {
    const plasticity_desc& d = net.projections[pc.projection].plasticity;
    plastic_storage<T> ps;
    ps.name = net.projections[pc.projection].label();
    ps.projection = pc.projection;
    ps.rule = d.rule == plasticity_rule::stdp      ? core::plastic_rule::stdp
              : d.rule == plasticity_rule::calcium ? core::plastic_rule::calcium
              : d.rule == plasticity_rule::dopamine_stdp ? core::plastic_rule::modulated
              : d.rule == plasticity_rule::hebbian || d.rule == plasticity_rule::scaling ||
                      d.rule == plasticity_rule::bcm
                  ? core::plastic_rule::hebbian
                  : core::plastic_rule::none;
    ps.stdp.a_plus = static_cast<T>(d.a_plus);
    ps.stdp.a_minus = static_cast<T>(d.a_minus);
    ps.stdp.rate_plus = static_cast<T>(dt / d.tau_plus);
    ps.stdp.rate_minus = static_cast<T>(dt / d.tau_minus);
    ps.stdp.w_min = static_cast<T>(d.w_min);
    ps.stdp.w_max = static_cast<T>(d.w_max);
    ps.stdp.inv_range = static_cast<T>(std::isfinite(d.w_max) ? 1.0 / (d.w_max - d.w_min) : 0.0);
    ps.stdp.nearest = d.pairing == stdp_pairing::nearest;
    ps.stdp.multiplicative = d.update == stdp_update::multiplicative;
    const bool modulated = d.rule == plasticity_rule::dopamine_stdp;
    ps.stdp.block = core::stdp_block(dt / d.tau_plus, dt / d.tau_minus, modulated ? dt / d.tau_c : 0.0);
    ps.pre_gid_base = pc.pre_gid_base;
    ps.npre = pc.npre;
    ps.post_gid_base = pc.post_gid_base;
    ps.npost = pc.npost;
    ps.dmin = pc.min_delay;
    ps.dmax = pc.max_delay;
    ps.post_delay = d.rule == plasticity_rule::stdp || d.rule == plasticity_rule::calcium || modulated
                        ? static_cast<std::uint32_t>(time_steps(d.post_delay, dt))
                        : 0;
    ps.row = std::move(pc.row);
    ps.in_row = std::move(pc.in_row);
    ps.in_conn = std::move(pc.in_conn);
    ps.target = std::move(pc.target);
    ps.delay = std::move(pc.delay);
    ps.pre = std::move(pc.pre);
    ps.post = std::move(pc.post);
    ps.syn.reserve(pc.weight.size());
    for (double w : pc.weight) ps.syn.push_back({static_cast<T>(w), T(0)});
    const std::int64_t never = std::numeric_limits<std::int64_t>::min() / 2;
    if (d.rule == plasticity_rule::hebbian || d.rule == plasticity_rule::scaling ||
        d.rule == plasticity_rule::bcm) {  // the rate rules
      ps.hebb.form = d.rule == plasticity_rule::scaling ? core::rate_form::scaling
                     : d.rule == plasticity_rule::bcm   ? core::rate_form::bcm
                                                        : core::rate_form::hebb;
      ps.hebb.interval = std::max<std::int64_t>(1, time_steps(d.interval, dt));
      const double interval = static_cast<double>(ps.hebb.interval) * dt;  // [ms], whole steps
      if (d.rule == plasticity_rule::bcm) {
        ps.hebb.theta_decay = static_cast<T>(core::det_exp(-interval / d.tau_theta));
        ps.hebb.theta_scale = static_cast<T>(1.0 / d.theta_rate);
        ps.theta.assign(ps.npost, static_cast<T>(d.theta_rate));  // at rest: the equilibrium of a cell at y0
      }
      ps.hebb.target = static_cast<T>(d.target_rate);
      ps.hebb.scale_rate =
          static_cast<T>(d.rule == plasticity_rule::scaling ? interval / (d.target_rate * d.tau_scaling) : 0.0);
      ps.hebb.eta = static_cast<T>(d.eta);
      ps.hebb.rate_decay = static_cast<T>(dt / d.tau_rate);
      ps.hebb.increment = static_cast<T>(1000.0 / d.tau_rate);
      ps.hebb.w_min = static_cast<T>(d.w_min);
      ps.hebb.w_max = static_cast<T>(d.w_max);
      ps.hebb.oja = d.oja;
      ps.r_pre.assign(ps.npre, T(0));
      ps.r_pre_step.assign(ps.npre, never);
      ps.source_of = ps.pre;
      ps.y_step.assign(ps.npost, never);
    }
    if (d.rule == plasticity_rule::calcium) {  // Graupner & Brunel (core/plasticity/calcium.hpp)
      auto& ca = ps.ca;
      ca.c_pre = static_cast<T>(d.c_pre);
      ca.c_post = static_cast<T>(d.c_post);
      ca.theta_d = static_cast<T>(d.theta_d);
      ca.theta_p = static_cast<T>(d.theta_p);
      ca.ca_steps = static_cast<T>(d.tau_ca / dt);
      ca.ca_rate = static_cast<T>(dt / d.tau_ca);
      ca.rate_p = static_cast<T>(d.gamma_p * dt / d.tau_rho);
      ca.rate_d = static_cast<T>(d.gamma_d * dt / d.tau_rho);
      ca.w_both = static_cast<T>(d.gamma_p + d.gamma_d > 0.0
                                     ? (d.gamma_p * d.w_max + d.gamma_d * d.w_min) / (d.gamma_p + d.gamma_d)
                                     : d.w_min);
      ca.w_min = static_cast<T>(d.w_min);
      ca.w_max = static_cast<T>(d.w_max);
      ca.lag = static_cast<std::uint32_t>(time_steps(d.delay_pre, dt));
      ps.ca_syn.resize(ps.syn.size());
      for (std::size_t c = 0; c < ps.syn.size(); ++c) ps.ca_syn[c] = {ps.syn[c].w, T(0), 0};
    }
    if (modulated) {  // Izhikevich (core/plasticity/modulated.hpp)
      auto& m = ps.mod;
      const double tau_both = 1.0 / (1.0 / d.tau_c + 1.0 / d.tau_d);  // [ms]
      m.rate_c = static_cast<T>(dt / d.tau_c);
      m.d_decay = static_cast<T>(core::det_exp(-dt / d.tau_d));
      m.d_spike = static_cast<T>(d.d_spike);
      m.d_tonic = static_cast<T>(d.d_tonic);
      m.i_phasic = static_cast<T>(-tau_both * core::det_expm1(-dt / tau_both));
      m.i_tonic = static_cast<T>(-d.tau_c * core::det_expm1(-dt / d.tau_c));
      const auto& mp = L.populations[static_cast<std::size_t>(net.find_population(d.modulator) - net.populations.data())];
      m.gid_base = mp.gid_base;
      m.n = mp.size;
      ps.elig.assign(ps.syn.size(), core::eligibility<T>{T(0), T(0)});
      ps.mod_state.assign(1, core::modulator_state<T>{T(0), T(0), 0});
    }
    ps.y.assign(ps.npost, T(0));
    if (!img.release.empty()) ps.release.resize(ps.target.size());
    if (const terminal_desc& td = net.projections[pc.projection].terminal; td.is_on()) {
      auto& tp = ps.terminal;
      tp.model = td.model == terminal_kind::quantal ? core::terminal_model::quantal : core::terminal_model::tsodyks_markram;
      tp.u = static_cast<T>(td.u);
      tp.rec_rate = static_cast<T>(dt / td.tau_rec);
      tp.facil_rate = static_cast<T>(td.tau_facil > 0.0 ? dt / td.tau_facil : 0.0);
      tp.sites = static_cast<std::uint32_t>(td.sites);
      tp.ca_rest = static_cast<T>(td.ca_rest);
      tp.ca_jump = static_cast<T>(td.hh_influx ? core::hh_calcium_influx(td.channel) : td.ca_jump);
      tp.ca_rate = static_cast<T>(dt / td.tau_ca);
      tp.form = td.curve == release_curve::sigmoid     ? core::release_form::sigmoid
                : td.curve == release_curve::threshold ? core::release_form::threshold
                                                       : core::release_form::hill;
      tp.hill_n = static_cast<T>(td.hill_n);
      tp.k_d = static_cast<T>(td.k_d);
      tp.slope = static_cast<T>(td.slope);
      tp.seed = net.sim.seed;
      tp.id = static_cast<std::uint32_t>(pc.projection);
      core::terminal_state<T> s0;
      s0.ready = tp.sites;
      ps.term.assign(ps.target.size(), s0);
    }
    if (const cleft_desc& cd = net.projections[pc.projection].cleft; cd.is_on()) {
      auto& cp = ps.cleft;
      cp.model = cd.model == cleft_kind::ionotropic     ? core::cleft_receptor::ionotropic
                 : cd.model == cleft_kind::metabotropic ? core::cleft_receptor::metabotropic
                                                        : core::cleft_receptor::kinetic;
      cp.quantum = static_cast<T>(cd.quantum);
      cp.vmax = static_cast<T>(cd.vmax);
      cp.km = static_cast<T>(cd.km);
      cp.k_deg = static_cast<T>(cd.k_deg);
      cp.kd = static_cast<T>(cd.kd);
      cp.nt_half = static_cast<T>(cd.nt_half);
      cp.slope = static_cast<T>(cd.slope);
      const double sig0 = 1.0 / (1.0 + core::det_exp(cd.nt_half / cd.slope));
      cp.sig0 = static_cast<T>(sig0);
      cp.sig_scale = static_cast<T>(1.0 / (1.0 - sig0));
      const bool kinetic = cd.model == cleft_kind::kinetic;
      cp.alpha = static_cast<T>(kinetic ? cd.alpha : 0.0);
      cp.beta = static_cast<T>(kinetic ? cd.beta : 0.0);
      // The largest concentration one release leaves: all of a quantal terminal's sites, else one quantum.
      const double peak = cd.quantum * (ps.terminal.model == core::terminal_model::quantal ? ps.terminal.sites : 1.0);
      cp.substeps = core::cleft_substeps(dt, cd.vmax, cd.km, cd.k_deg, kinetic ? cd.alpha : 0.0,
                                         kinetic ? cd.beta : 0.0, peak);
      cp.h = static_cast<T>(dt / cp.substeps);
      ps.clefts.assign(ps.syn.size(), core::cleft_state<T>{T(0), T(0)});
    }
    img.history = std::max(img.history, std::max(ps.dmax + ps.ca.lag, ps.post_delay) + 1);
    img.plastic.push_back(std::move(ps));
  }

  img.max_spikes_per_step = img.max_spikes_in(1);
  const std::vector<double> most = most_spikes_in_step(img);
  check_input_sums(net, L, img, most);
  choose_ring_scales(img, most);
  for (const auto& rd : net.records) img.records.push_back(plan_record(net, rd, L, types, img));
  timing.build_s = std::chrono::duration<double>(t1 - t0).count();
  timing.pack_s = std::chrono::duration<double>(clock::now() - t1).count();
  return img;
}

}  // namespace

any_image pack(const network& net, int threads, pack_timing& timing) {
  if (net.sim.prec == precision::single) return pack_as<float>(net, threads, timing);
  return pack_as<double>(net, threads, timing);
}

any_image pack(const network& net, int threads) {
  pack_timing t;
  return pack(net, threads, t);
}

template <class T> void widen_ring(image<T>& img) {
  img.ring_scale.clear();
  for (auto& g : img.groups)
    for (auto& rc : g.receptors) rc.scale = core::fixed_bits;
}

template <class T> void choose_ring_scales(image<T>& img, const std::vector<double>& most, bool force_wide) {
  widen_ring(img);
  if (force_wide || !img.plastic.empty() || !img.release.empty() || img.ntargets == 0) return;
  // Each target's receptor, by its index in a list of every group's.
  constexpr std::uint32_t none = UINT32_MAX;
  std::vector<std::uint32_t> owner(img.ntargets, none);
  std::vector<typename group_storage<T>::receptor*> recs;
  for (auto& g : img.groups)
    for (auto& rc : g.receptors) {
      for (std::uint32_t j = 0; j < rc.ninst(); ++j)
        for (std::uint32_t c = 0; c < g.ncells; ++c)
          owner[rc.target_base + static_cast<std::size_t>(rc.first_location + j) * g.ncells + c] =
              static_cast<std::uint32_t>(recs.size());
      recs.push_back(&rc);
    }
  if (std::find(owner.begin(), owner.end(), none) != owner.end()) return;  // a target of no receptor: leave it wide
  // Each receptor's largest scale by the worst sum onto one of its targets
  // (in double, checked exactly below).
  const std::vector<double> sum = static_input_sums(img, most);
  std::vector<double> worst(recs.size(), 0.0);
  for (std::uint32_t t = 0; t < img.ntargets; ++t) worst[owner[t]] = std::max(worst[owner[t]], sum[t]);
  constexpr double word_max = 2147483647.0;  // INT32_MAX
  std::vector<int> k(recs.size(), core::fixed_bits);
  for (std::size_t r = 0; r < recs.size(); ++r) {
    while (k[r] >= 0 && worst[r] * core::fixed_scale_of(k[r]) > word_max) --k[r];
    if (k[r] < 0) return;
  }
  // Exactly, in integers: every weight a multiple of its target's 2^-k, and
  // every target's sum within int32.
  std::vector<std::uint64_t> exact(img.ntargets, 0);
  for (std::uint32_t g = 0; g + 1 < img.row.size(); ++g)
    for (std::uint64_t c = img.row[g]; c < img.row[g + 1]; ++c) {
      const std::uint32_t t = img.target[c];
      const double q = std::fabs(static_cast<double>(img.weight_at(c))) * core::fixed_scale_of(k[owner[t]]);
      if (q != std::floor(q) || q > word_max) return;
      exact[t] += static_cast<std::uint64_t>(q) * static_cast<std::uint64_t>(most[g]);
      if (exact[t] > static_cast<std::uint64_t>(word_max)) return;
    }
  img.ring_scale.resize(img.ntargets);
  for (std::uint32_t t = 0; t < img.ntargets; ++t) img.ring_scale[t] = static_cast<std::uint8_t>(k[owner[t]]);
  for (std::size_t r = 0; r < recs.size(); ++r) recs[r]->scale = static_cast<std::uint32_t>(k[r]);
}

template <class T> core::receptor_view<T> receptor_view_of(const group_storage<T>& g, int r) {
  const auto& rc = g.receptors.at(r);
  core::receptor_view<T> rv{};
  rv.kind = rc.kind;
  rv.ninst = rc.ninst();
  rv.node = rc.node.empty() ? nullptr : rc.node.data();
  rv.target_base = rc.target_base;
  rv.first_location = rc.first_location;
  rv.nlocations = rc.nlocations;
  rv.scale = rc.scale;
  for (int p = 0; p < core::max_receptor_params; ++p) rv.param[p] = rc.param[p];
  for (std::size_t s = 0; s < rc.state.size(); ++s) rv.state[s] = const_cast<T*>(rc.state[s].data());
  return rv;
}

template <class T> void sample_records(const image<T>& img, std::int64_t step, recording& rec) {
  if (rec.traces.size() < img.records.size()) rec.traces.resize(img.records.size());
  for (std::size_t r = 0; r < img.records.size(); ++r) {
    const auto& rp = img.records[r];
    if (!rp.samples_at(step)) continue;
    auto& tb = rec.traces[r];
    tb.steps.push_back(step);
    if (rp.kind == sample_kind::weight) {
      const auto& P = img.plastic[rp.plastic];
      const core::eligibility<T>* elig = P.elig.empty() ? nullptr : P.elig.data();
      for (auto c : rp.index)
        tb.values.push_back(static_cast<double>(
            rp.field == core::connection_field::weight ? core::reported_weight(P.syn.data(), elig, P.mod_state.data(), P.stdp, c)
                                                       : core::connection_value(P.terminal, P.term.data(), P.cleft,
                                                                                P.clefts.data(), rp.field, c, step)));
      continue;
    }
    if (rp.kind == sample_kind::weight_histogram) {
      const std::size_t first = tb.values.size();
      tb.values.resize(first + rp.bins, 0.0);
      const T lo = static_cast<T>(rp.lo), scale = static_cast<T>(rp.bins / (rp.hi - rp.lo));
      const auto& P = img.plastic[rp.plastic];
      const core::eligibility<T>* elig = P.elig.empty() ? nullptr : P.elig.data();
      for (std::uint64_t c = 0; c < P.syn.size(); ++c)
        tb.values[first + core::weight_bin(core::reported_weight(P.syn.data(), elig, P.mod_state.data(), P.stdp, c), lo,
                                           scale, rp.bins)] += 1.0;
      continue;
    }
    const auto& g = img.groups[rp.ref.group];
    if (rp.kind == sample_kind::array) {
      const auto& arr = g.array(rp.ref.array);
      for (auto i : rp.index) tb.values.push_back(static_cast<double>(arr[i]));
      continue;
    }
    const auto rv = receptor_view_of(g, rp.ref.array);
    for (std::size_t c = 0; c < rp.index.size(); ++c)
      tb.values.push_back(static_cast<double>(
          core::receptor_value(rv, rp.index[c], g.v[rp.v_index[c]], static_cast<core::receptor_field>(rp.kind))));
  }
}

template core::receptor_view<float> receptor_view_of(const group_storage<float>&, int);
template core::receptor_view<double> receptor_view_of(const group_storage<double>&, int);
template void choose_ring_scales(image<float>&, const std::vector<double>&, bool);
template void choose_ring_scales(image<double>&, const std::vector<double>&, bool);
template void widen_ring(image<float>&);
template void widen_ring(image<double>&);
template void sample_records(const image<float>&, std::int64_t, recording&);
template void sample_records(const image<double>&, std::int64_t, recording&);
template struct group_storage<float>;
template struct group_storage<double>;
template struct plastic_storage<float>;
template struct plastic_storage<double>;
template struct image<float>;
template struct image<double>;
template batch_plan plan_batch(const image<float>&, std::uint64_t, std::int64_t, const std::vector<std::uint8_t>&);
template batch_plan plan_batch(const image<double>&, std::uint64_t, std::int64_t, const std::vector<std::uint8_t>&);

std::int64_t time_steps(double t_ms, double dt) {
  const double s = std::floor(t_ms / dt + 0.5 + 1e-9);
  if (!(s < static_cast<double>(never_steps))) return never_steps;
  if (!(s > -static_cast<double>(never_steps))) return -never_steps;
  return static_cast<std::int64_t>(s);
}

}  // namespace ranvier
