// Packing: from description + built connectivity to the structure-of-arrays
// image both engines run. Initial states are drawn here, per cell, from
// streams countered by the cell, and gating states start at their steady
// state at the initial voltage unless the model sets them.
#include "host/pack/image.hpp"

#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/dmath.hpp"
#include "core/membrane.hpp"
#include "host/errors.hpp"
#include "host/model/mechanisms.hpp"

namespace ranvier {

template <class T> int group_storage<T>::narrays() const {
  int n = 1;
  for (const auto& m : mechs) n += static_cast<int>(m.state.size());
  return n + static_cast<int>(receptors.size());
}

template <class T> std::string group_storage<T>::array_name(int a) const {
  if (a == 0) return "v";
  --a;
  for (const auto& m : mechs) {
    if (a < static_cast<int>(m.state.size())) return m.name + "." + m.state_names[a];
    a -= static_cast<int>(m.state.size());
  }
  if (a < static_cast<int>(receptors.size())) return receptors[a].name + ".g";
  throw internal_error("group_storage::array_name: no array " + std::to_string(a));
}

template <class T> std::vector<T>& group_storage<T>::array(int a) {
  return const_cast<std::vector<T>&>(static_cast<const group_storage&>(*this).array(a));
}

template <class T> const std::vector<T>& group_storage<T>::array(int a) const {
  if (a == 0) return v;
  --a;
  for (const auto& m : mechs) {
    if (a < static_cast<int>(m.state.size())) return m.state[a];
    a -= static_cast<int>(m.state.size());
  }
  if (a < static_cast<int>(receptors.size())) return receptors[a].g;
  throw internal_error("group_storage::array: no array " + std::to_string(a));
}

template <class T> int group_storage<T>::find_array(const std::string& name) const {
  for (int a = 0; a < narrays(); ++a)
    if (array_name(a) == name) return a;
  return -1;
}

template <class T> core::point_group_view<T> group_storage<T>::view() {
  if (mechs.size() > core::max_mechs || receptors.size() > core::max_receptors || stimuli.size() > core::max_stimuli)
    throw internal_error("group_storage::view: capacities exceeded for cell type " + cell_type);
  core::point_group_view<T> g{};
  g.ncells = ncells;
  g.gid_base = gid_base;
  g.v = v.data();
  g.spike_count = spike_count.data();
  g.last_spike = last_spike.data();
  g.refractory = refractory;
  g.cfac = cfac;
  g.pfac = pfac;
  g.threshold = threshold;
  g.nmech = static_cast<int>(mechs.size());
  g.nrec = static_cast<int>(receptors.size());
  g.nstim = static_cast<int>(stimuli.size());
  for (std::size_t q = 0; q < mechs.size(); ++q) {
    g.mech[q].kind = mechs[q].kind;
    for (std::size_t s = 0; s < mechs[q].state.size(); ++s) g.mech[q].state[s] = mechs[q].state[s].data();
    for (int p = 0; p < core::max_mech_params; ++p) g.mech[q].param[p] = mechs[q].param[p];
  }
  for (std::size_t r = 0; r < receptors.size(); ++r)
    g.rec[r] = {receptors[r].g.data(), receptors[r].e, receptors[r].decay, receptors[r].target_base};
  for (std::size_t s = 0; s < stimuli.size(); ++s)
    g.stim[s] = {stimuli[s].amp.data(), stimuli[s].start, stimuli[s].stop};
  return g;
}

template <class T> std::uint64_t image<T>::ncells() const {
  std::uint64_t n = 0;
  for (const auto& g : groups) n += g.ncells;
  return n;
}

template <class T> std::uint64_t image<T>::memory_bytes() const {
  std::uint64_t b = 0;
  for (const auto& g : groups) b += static_cast<std::uint64_t>(g.narrays()) * g.ncells * sizeof(T) + g.ncells * (4 + 8);  // + spike counts and last spikes
  b += row.size() * 8 + target.size() * (4 + sizeof(T) + 4) + in_row.size() * 8 + in_conn.size() * 8;
  b += static_cast<std::uint64_t>(ring_depth) * ntargets * 8;
  return b;
}

namespace {

// Whole steps for a time [ms], rounded like delays; +inf is "never".
std::int64_t time_steps(double t_ms, double dt) {
  if (t_ms == infinity) return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(std::floor(t_ms / dt + 0.5 + 1e-9));
}

template <class T>
group_storage<T> pack_group(const network& net, const cell_layout& L, const cell_layout::group& lg) {
  const cell_desc& cd = net.cells[lg.cell_type];
  const double dt = net.sim.dt;
  group_storage<T> g;
  g.cell_type = cd.name;
  g.ncells = lg.ncells;
  g.gid_base = lg.gid_base;
  g.cfac = static_cast<T>(core::capacitive_factor(cd.cm, dt));
  g.pfac = static_cast<T>(core::point_to_density(cd.area));
  g.threshold = static_cast<T>(cd.threshold);
  g.v.assign(g.ncells, T(-65));
  g.spike_count.assign(g.ncells, 0);
  // "Never fired": far enough in the past for any dead time, far enough from
  // the int64 limit that step − last_spike cannot overflow.
  g.last_spike.assign(g.ncells, std::numeric_limits<std::int64_t>::min() / 2);
  g.refractory = time_steps(cd.refractory, dt);

  for (const auto& md : cd.mechanisms) {
    const mechanism_info* info = find_mechanism(md.kind);
    if (!info) throw internal_error("pack: unchecked mechanism kind " + md.kind);
    typename group_storage<T>::mechanism m;
    m.name = md.name.empty() ? md.kind : md.name;
    m.kind = info->id;
    std::vector<double> user;
    for (const auto& p : info->params) {
      auto it = md.params.find(p.name);
      user.push_back(it == md.params.end() ? p.default_value : it->second);
    }
    const auto all = mechanism_parameters(*info, user, dt, net.sim.celsius);
    for (std::size_t p = 0; p < all.size(); ++p) m.param[p] = static_cast<T>(all[p]);
    for (const char* s : info->states) {
      m.state_names.emplace_back(s);
      m.state.emplace_back(g.ncells, T(0));
    }
    g.mechs.push_back(std::move(m));
  }
  for (std::size_t r = 0; r < cd.receptors.size(); ++r) {
    const auto& rd = cd.receptors[r];
    typename group_storage<T>::receptor rc;
    rc.name = rd.name;
    rc.g.assign(g.ncells, T(0));
    rc.e = static_cast<T>(rd.e);
    rc.decay = static_cast<T>(core::det_exp(-dt / rd.tau));
    rc.target_base = lg.target_base + static_cast<std::uint32_t>(r) * g.ncells;
    g.receptors.push_back(std::move(rc));
  }

  // Initial values: v first (drawn per cell), then the steady states at that
  // v, then the values the model sets explicitly.
  std::vector<std::pair<int, const distribution*>> explicit_init;  // (array, value)
  int k = 0;
  std::vector<std::pair<const std::string*, int>> var_index;  // stream offset per variable
  for (const auto& [name, d] : cd.init) {
    const int a = g.find_array(name);
    if (a < 0) throw internal_error("pack: unchecked init variable " + name);
    explicit_init.emplace_back(a, &d);
    var_index.emplace_back(&name, k++);
  }
  auto init_values = [&](int array_sel) {
    for (std::size_t e = 0; e < explicit_init.size(); ++e) {
      const auto [a, d] = explicit_init[e];
      if ((array_sel == 0) != (a == 0)) continue;
      for (int p : lg.populations) {
        const auto& pl = L.populations[p];
        for (std::uint32_t c = 0; c < pl.size; ++c) {
          core::stream s(net.sim.seed, core::stream_purpose::init, pl.stream_id, c,
                         static_cast<std::uint64_t>(var_index[e].second) << 32);
          g.array(a)[pl.first + c] = static_cast<T>(draw(*d, s));
        }
      }
    }
  };
  init_values(0);
  {
    auto view = g.view();
    core::point_init_states<core::deterministic_math>(view, 0, g.ncells);
  }
  init_values(1);
  return g;
}

template <class T> image<T> pack_as(const network& net, int threads, pack_timing& timing) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const cell_layout L = lay_out_cells(net);
  connectivity C = build_connectivity(net, L, threads);
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

  for (const auto& lg : L.groups) img.groups.push_back(pack_group<T>(net, L, lg));
  for (std::size_t q = 0; q < L.generators.size(); ++q) {
    const int p = L.generators[q];
    const auto& pd = net.populations[p];
    generator_storage gs;
    gs.params.ncells = static_cast<std::uint32_t>(pd.size);
    gs.params.gid_base = L.generator_gid_base[q];
    gs.params.stream_id = static_cast<std::uint32_t>(p);
    gs.params.seed = net.sim.seed;
    // Probability of at least one event of a Poisson process in one step.
    gs.params.p_spike = -core::det_expm1(-pd.rate * dt * 1e-3);
    gs.params.start = time_steps(pd.start, dt);
    gs.params.stop = time_steps(pd.stop, dt);
    gs.spike_count.assign(gs.params.ncells, 0);
    img.generators.push_back(std::move(gs));
  }

  for (const auto& sd : net.stimuli) {
    const population_desc* pd = net.find_population(sd.population);
    if (!pd) throw internal_error("pack: unchecked stimulus population " + sd.population);
    const auto& pl = L.populations[pd - net.populations.data()];
    auto& g = img.groups[pl.group];
    typename group_storage<T>::stimulus st;
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

  img.row = std::move(C.row);
  img.target = std::move(C.target);
  img.weight.resize(C.weight.size());
  for (std::size_t c = 0; c < C.weight.size(); ++c) img.weight[c] = static_cast<T>(C.weight[c]);
  img.delay = std::move(C.delay);
  img.in_row = std::move(C.in_row);
  img.in_conn = std::move(C.in_conn);

  for (const auto& rd : net.records) {
    const population_desc* pd = net.find_population(rd.population);
    if (!pd) throw internal_error("pack: unchecked record population " + rd.population);
    record_plan rp;
    rp.population = static_cast<int>(pd - net.populations.data());
    const auto& pl = L.populations[rp.population];
    rp.variable = rd.variable;
    rp.spikes = rd.variable == "spikes";
    if (rd.cells.empty()) {
      for (std::uint32_t c = 0; c < pl.size; ++c) rp.cells.push_back(c);
    } else {
      for (auto c : rd.cells) rp.cells.push_back(static_cast<std::uint32_t>(c));
    }
    if (!rp.spikes) {
      const auto& g = img.groups.at(pl.group);
      rp.ref = {pl.group, g.find_array(rd.variable)};
      if (rp.ref.array < 0) throw internal_error("pack: unchecked record variable " + rd.variable);
      for (auto c : rp.cells) rp.group_cells.push_back(pl.first + c);
      rp.every = rd.interval > 0.0 ? std::max<std::int64_t>(1, time_steps(rd.interval, dt)) : 1;
    }
    img.records.push_back(std::move(rp));
  }
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

template <class T> void sample_records(const image<T>& img, std::int64_t step, recording& rec) {
  if (rec.traces.size() < img.records.size()) rec.traces.resize(img.records.size());
  for (std::size_t r = 0; r < img.records.size(); ++r) {
    const auto& rp = img.records[r];
    if (rp.spikes || step % rp.every != 0) continue;
    auto& tb = rec.traces[r];
    tb.steps.push_back(step);
    const auto& arr = img.groups[rp.ref.group].array(rp.ref.array);
    for (auto c : rp.group_cells) tb.values.push_back(static_cast<double>(arr[c]));
  }
}

template void sample_records(const image<float>&, std::int64_t, recording&);
template void sample_records(const image<double>&, std::int64_t, recording&);
template struct group_storage<float>;
template struct group_storage<double>;
template struct image<float>;
template struct image<double>;

}  // namespace ranvier
