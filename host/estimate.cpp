// The resource estimate of a checked network (host/estimate.hpp). Sizes
// follow what host/pack/image.hpp keeps and the engines allocate.
#include "host/estimate.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "core/plasticity/plastic.hpp"
#include "host/build/build.hpp"
#include "host/build/morphology.hpp"
#include "host/model/mechanisms.hpp"

namespace ranvier {

double expected_connections(const network& net, const projection_desc& pr) {
  const population_desc* pre = net.find_population(pr.pre);
  const population_desc* post = net.find_population(pr.post);
  if (!pre || !post) return 0.0;
  const double a = static_cast<double>(pre->size), b = static_cast<double>(post->size);
  const bool self = pre == post && !pr.autapses;
  switch (pr.rule) {
    case connect_rule::all_to_all: return a * b - (self ? b : 0.0);
    case connect_rule::one_to_one: return b;
    case connect_rule::fixed_probability: return pr.probability * a * b * (self && a > 0 ? (a - 1.0) / a : 1.0);
    case connect_rule::fixed_indegree: return static_cast<double>(pr.indegree) * b;
    case connect_rule::fixed_total_number: return static_cast<double>(pr.total);
    case connect_rule::list: return static_cast<double>(pr.pairs.size());
  }
  return 0.0;
}

bool static_delays_fit_16_bits(const network& net) {
  for (const auto& pr : net.projections) {
    if (pr.is_dynamic()) continue;
    double most = pr.pair_delay.empty() ? pr.delay.max_value() : 0.0;
    for (double d : pr.pair_delay) most = std::max(most, d);
    if (!(std::floor(most / net.sim.dt + 0.5 + 1e-9) <= 65535.0)) return false;
  }
  return true;
}

namespace {

// Bytes of per-connection state of a dynamic projection, beyond the static
// connection's target, weight and delay (image.hpp's plastic_storage).
template <class T> double dynamic_bytes(const projection_desc& pr) {
  double b = sizeof(core::plastic_synapse<T>) + 4.0 /* pre */ + 4.0 /* post */ + 16.0 /* by-target index */;
  switch (pr.plasticity.rule) {
    case plasticity_rule::calcium: b += sizeof(core::calcium_synapse<T>); break;
    case plasticity_rule::dopamine_stdp: b += sizeof(core::eligibility<T>); break;
    default: break;
  }
  if (pr.terminal.is_on()) b += sizeof(core::terminal_state<T>);
  if (pr.cleft.is_on()) b += sizeof(core::cleft_state<T>);
  return b;
}

}  // namespace

const resource_estimate::part& resource_estimate::dominant() const {
  return *std::max_element(parts.begin(), parts.end(),
                           [](const part& a, const part& b) { return a.host_bytes < b.host_bytes; });
}

double available_host_memory() {
  std::ifstream f("/proc/meminfo");
  std::string key, unit;
  double kb = 0.0;
  while (f >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024.0;
  return 0.0;
}

std::string human_bytes(double b) {
  if (b >= 1e9) return fmt::format("{:.3g} GB", b / 1e9);
  if (b >= 1e6) return fmt::format("{:.3g} MB", b / 1e6);
  if (b >= 1e3) return fmt::format("{:.3g} kB", b / 1e3);
  return fmt::format("{:.0f} B", b);
}

resource_estimate estimate_resources(const network& net) {
  const bool single = net.sim.prec == precision::single;
  const double word = single ? 4.0 : 8.0;
  const double dt = net.sim.dt;
  const double steps = std::floor(net.sim.duration / dt + 0.5);
  resource_estimate e;
  resource_estimate::part cells{"cell state"}, stat{"static connections"}, dyn{"plastic and dynamic connections"},
      ring{"ring buffer"}, rec{"recording"};

  // Cells: v (and [Ca²⁺]i where read) at every node, each mechanism's
  // states at every node (an upper estimate for mechanisms confined to a
  // region), each receptor's states at each of its locations, spike
  // bookkeeping (last spike, count, fault step: 20 B a cell).
  struct nodes {
    double all = 1.0, membrane = 1.0;  // nodes; those with membrane (a section's end nodes have none)
  };
  std::map<std::string, nodes> nodes_of;  // by cell type
  double targets = 0.0;                           // ring targets: receptor locations over all cells
  for (const auto& p : net.populations) {
    if (p.kind != population_kind::cell) {
      cells.host_bytes += 16.0 * static_cast<double>(p.size);  // a source's count and state
      continue;
    }
    const cell_desc* c = net.find_cell(p.cell);
    if (!c) continue;
    auto it = nodes_of.find(c->name);
    if (it == nodes_of.end()) {
      nodes nd;
      if (c->is_cable()) {
        const cell_geometry G = discretize(*c);
        nd.all = G.nnodes;
        nd.membrane = static_cast<double>(std::count_if(G.area.begin(), G.area.end(), [](double a) { return a > 0.0; }));
      }
      it = nodes_of.emplace(c->name, nd).first;
    }
    const double n = static_cast<double>(p.size), nodes = it->second.all;
    double values = nodes;  // v
    bool cai = false;
    for (const auto& m : c->mechanisms)
      if (const kind_info* k = find_mechanism(m.kind)) {
        values += it->second.membrane * static_cast<double>(k->states.size());
        cai = cai || k->uses_cai || k->writes_cai;
      }
    if (cai) values += nodes;
    if (c->is_model())
      if (const kind_info* k = find_neuron_model(c->model)) values += static_cast<double>(k->states.size());
    double locations = 0.0;
    for (const auto& r : c->receptors)
      if (const kind_info* k = find_receptor(r.kind)) {
        values += static_cast<double>(k->states.size());
        locations += 1.0;
      }
    e.cells += n;
    e.compartments += n * it->second.membrane;
    targets += n * locations;
    // Cable cells: the solver's scratch (d, rhs; with Ca²⁺ also ica, gca) per node.
    const double scratch = c->is_cable() ? nodes * (cai ? 4.0 : 2.0) : 0.0;
    cells.host_bytes += n * ((values + scratch) * word + 20.0);
  }
  cells.device_bytes = cells.host_bytes;

  // Connections, and the ring's depth from the longest delay.
  // A static connection: its target, its weight or a 1-byte class, its delay
  // in 16 or 32 bits unless the classes give it (static_connection_classes).
  const static_classes classes = static_connection_classes(net);
  const double delay_bytes = !classes.delay.empty() ? 0.0 : static_delays_fit_16_bits(net) ? 2.0 : 4.0;
  const double weight_bytes = classes.on() ? 1.0 : word;
  double max_delay_ms = dt;
  for (const auto& pr : net.projections) {
    const double n = expected_connections(net, pr);
    max_delay_ms = std::max(max_delay_ms, pr.delay.max_value());
    if (pr.is_dynamic()) {
      e.plastic_connections += n;
      dyn.host_bytes += n * (4.0 + word + 4.0 + (single ? dynamic_bytes<float>(pr) : dynamic_bytes<double>(pr)));
    } else {
      e.connections += n;
      stat.host_bytes += n * (4.0 + weight_bytes + delay_bytes);
      stat.device_bytes += n * (4.0 + weight_bytes + delay_bytes);
    }
  }
  e.connections += e.plastic_connections;
  dyn.device_bytes = dyn.host_bytes;
  // A normal's draws have no upper end: its mean + 6 sd stands for the longest.
  for (const auto& pr : net.projections)
    if (!std::isfinite(max_delay_ms) && pr.delay.type == distribution::kind::normal)
      max_delay_ms = pr.delay.mean + 6.0 * pr.delay.sd;
  if (!std::isfinite(max_delay_ms)) max_delay_ms = dt;
  const double depth = std::floor(max_delay_ms / dt + 0.5) + 2.0;
  // 8 B a word: the 64-bit ring. The 32-bit one, where the built network's
  // sums allow it (choose_ring_scales), takes half: this is the bound.
  ring.host_bytes = ring.device_bytes = depth * targets * 8.0;

  // Recording: each sampled record's columns, on disk as text (about 11
  // characters a value, 9 for the time), and a chunk of samples in memory;
  // spikes at about 16 characters a spike.
  for (const auto& r : net.records) {
    const population_desc* p = r.population.empty() ? nullptr : net.find_population(r.population);
    double columns = 0.0;
    if (p) columns = r.cells.empty() ? static_cast<double>(p->size) : static_cast<double>(r.cells.size());
    if (!r.along.empty()) {
      const cell_desc* c = p ? net.find_cell(p->cell) : nullptr;
      if (c && c->is_cable() && nodes_of.count(c->name)) columns *= nodes_of[c->name].all;
    }
    if (r.variable == "spikes") {
      e.spike_bytes_per_hz += 16.0 * columns * net.sim.duration * 1e-3;
      continue;
    }
    if (r.hidden) continue;
    if (!r.projection.empty()) {
      if (r.variable == "weights") {  // every weight at the end: a line each (pre, post, weight, delay)
        for (const auto& pr : net.projections)
          if (pr.name == r.projection) e.disk_bytes += 24.0 * expected_connections(net, pr);
        continue;
      }
      columns = r.variable == "weight_histogram" ? static_cast<double>(r.bins) : static_cast<double>(r.connections.size());
    }
    const double interval_steps = std::max(1.0, std::floor(r.interval / dt + 0.5));
    const double samples = std::floor(steps / interval_steps) + 1.0;
    e.disk_bytes += samples * (9.0 + 11.0 * columns);
    rec.host_bytes += std::min(samples, 100000.0) * columns * 8.0;  // a chunk's samples (at most 100000 steps)
  }
  rec.device_bytes = rec.host_bytes;

  e.parts = {cells, stat, dyn, ring, rec};
  e.connection_device_bytes = stat.device_bytes + dyn.device_bytes;
  for (const auto& p : e.parts) {
    e.host_bytes += p.host_bytes;
    e.device_bytes += p.device_bytes;
  }
  // Building holds the static connections once, as the image keeps them
  // (host/build/build.cpp draws them twice instead of keeping lists, and
  // rounds each weight to the precision as it places it), beside a chunk of
  // at most about 1M drawn ones (source, weight in double, delay, location:
  // 20 B each). Dynamic connections are kept as drawn lists (about 48 B)
  // while their own arrays are ordered.
  const double static_conn = e.connections - e.plastic_connections;
  e.host_build_bytes = std::max(e.host_bytes, cells.host_bytes + stat.host_bytes +
                                                  20.0 * std::min(static_conn, 1048576.0) +
                                                  48.0 * e.plastic_connections + dyn.host_bytes);
  return e;
}

std::string format_estimate(const resource_estimate& e) {
  std::string out = fmt::format(
      "network     {:.6g} cells, {:.6g} compartments, {:.6g} connections ({:.6g} plastic or dynamic; random rules: "
      "their expected number)\n",
      e.cells, e.compartments, e.connections, e.plastic_connections);
  out += fmt::format("host memory {} while running, {} at the peak of building\n", human_bytes(e.host_bytes),
                     human_bytes(e.host_build_bytes));
  out += fmt::format("gpu memory  {} with the CUDA engine\n", human_bytes(e.device_bytes));
  for (const auto& p : e.parts)
    out += fmt::format("  {:<32} host {:>10}   gpu {:>10}\n", p.name, human_bytes(p.host_bytes), human_bytes(p.device_bytes));
  out += fmt::format("disk        {} of sampled records and weights, and {} of spikes per Hz of mean rate\n",
                     human_bytes(e.disk_bytes), human_bytes(e.spike_bytes_per_hz));
  const double avail = available_host_memory();
  if (avail > 0.0)
    out += fmt::format("fits        {} in the host memory available now ({}){}\n",
                       e.host_bytes <= avail ? (e.host_build_bytes <= avail ? "yes" : "running yes, building maybe not")
                                             : "no",
                       human_bytes(avail),
                       e.host_bytes <= avail ? "" : ": `ranvier run` refuses it before building");
  return out;
}

}  // namespace ranvier
