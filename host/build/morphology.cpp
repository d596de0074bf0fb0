// Discretisation of cable cells: sections in tree order, path distances from
// the soma, passive properties per segment, segments per section, and the
// nodes with their areas and axial resistances (NEURON's conventions; see
// morphology.hpp and docs/morphology.md).
#include "host/build/morphology.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>

#include <fmt/format.h>

#include "host/build/builders.hpp"
#include "host/errors.hpp"
#include "host/model/check.hpp"

namespace ranvier {

namespace {

constexpr double pi = std::numbers::pi;

// The diameter of a section at arc position a [µm], by linear interpolation.
double diam_at(const section_desc& s, double a) {
  const auto& p = s.points;
  if (a <= p.front().arc) return p.front().diam;
  for (std::size_t i = 1; i < p.size(); ++i)
    if (a <= p[i].arc) {
      const double span = p[i].arc - p[i - 1].arc;
      if (span <= 0.0) return p[i].diam;
      return p[i - 1].diam + (p[i].diam - p[i - 1].diam) * (a - p[i - 1].arc) / span;
    }
  return p.back().diam;
}

// Membrane area [µm²] and ∫dx/(π·r0·r1) [1/µm] of the part of a section
// between arc positions a0 < a1: frustum by frustum, split at the section's
// own points.
struct piece {
  double area = 0.0;
  double resist = 0.0;  // times Ra·1e-2 gives MΩ
};
piece integrate(const section_desc& s, double a0, double a1) {
  std::vector<double> cuts{a0};
  for (const auto& pt : s.points)
    if (pt.arc > a0 && pt.arc < a1) cuts.push_back(pt.arc);
  cuts.push_back(a1);
  piece out;
  for (std::size_t i = 1; i < cuts.size(); ++i) {
    const double dx = cuts[i] - cuts[i - 1];
    if (dx <= 0.0) continue;
    const double r0 = diam_at(s, cuts[i - 1]) / 2.0, r1 = diam_at(s, cuts[i]) / 2.0;
    out.area += pi * (r0 + r1) * std::sqrt((r0 - r1) * (r0 - r1) + dx * dx);
    out.resist += dx / (pi * r0 * r1);
  }
  return out;
}

struct props {
  double cm, ra, spine_density = 0.0, spine_area = 0.0;
};

// NEURON's lambda_f: the AC length constant of a section at `frequency`
// [Hz] [µm], averaged over its frusta as NEURON's stdlib does.
double lambda_f(const section_desc& s, double frequency, double ra /* [Ω·cm] */, double cm /* [µF/cm²] */) {
  // NEURON's stdlib lambda_f with 3-d points: L / Σ Δx/√(d_i + d_{i+1}) · ...
  double lam = 0.0;
  for (std::size_t i = 1; i < s.points.size(); ++i)
    lam += (s.points[i].arc - s.points[i - 1].arc) / std::sqrt(s.points[i - 1].diam + s.points[i].diam);
  lam *= std::sqrt(2.0) * 1e-5 * std::sqrt(4.0 * pi * frequency * ra * cm);
  return s.length() / lam;
}

// The number of segments a rule gives a section: d_lambda as NEURON's
// geom_nseg (odd, at least 1), max_length as ceil(L/max), or nseg; counted
// in double and capped just above max_nodes_per_cell, so that an absurd
// rule is reported rather than overflowing.
std::int64_t segments_for(const discretization_desc& d, const section_desc& s, double ra, double cm) {
  double n = 1.0;
  switch (d.type) {
    case discretization_desc::rule::nseg: n = static_cast<double>(d.nseg); break;
    case discretization_desc::rule::max_length: n = std::max(1.0, std::ceil(s.length() / d.max_length - 1e-9)); break;
    case discretization_desc::rule::d_lambda: {
      // NEURON's geom_nseg: the odd number nearest above L/(d_lambda·λ_f).
      const double x = s.length() / (d.d_lambda * lambda_f(s, d.frequency, ra, cm));
      // λ_f is 0·∞ when its integral underflows (a short, wide section) and
      // 4π·frequency·Ra·cm overflows: no count (converting NaN is undefined).
      if (std::isnan(x)) {
        double widest = 0.0;
        for (const auto& pt : s.points) widest = std::max(widest, pt.diam);
        throw model_error(fmt::format(
            "the d_lambda rule gives section '{}' no number of segments: with length {} um, diameters up to {} um, "
            "Ra = {} ohm cm and cm = {} uF/cm2 at {} Hz its length constant is 0 times infinity in double precision; "
            "valid: nseg or max_length for the section, or Ra, cm and frequency whose product 4*pi*frequency*Ra*cm "
            "is below 1e308",
            s.name, show_number(s.length()), show_number(widest), show_number(ra), show_number(cm),
            show_number(d.frequency)));
      }
      n = std::floor((x + 0.9) / 2.0) * 2.0 + 1.0;
      break;
    }
  }
  return static_cast<std::int64_t>(std::min(n, static_cast<double>(max_nodes_per_cell + 1)));
}

}  // namespace

std::vector<section_desc> all_sections(const cell_desc& c) {
  const auto& m = c.morphology;
  std::vector<section_desc> out = m.imported;
  if (!m.builder.empty()) {
    const builder_info* b = find_builder(m.builder);
    if (!b) throw internal_error("all_sections: unchecked builder " + m.builder);
    for (auto& s : build_morphology(*b, m.builder_params)) out.push_back(std::move(s));
  }
  out.insert(out.end(), m.sections.begin(), m.sections.end());
  for (const auto& sp : m.spines) {
    auto neck = section_desc::cylinder(sp.name + "_neck", "spine", sp.neck_length, sp.neck_diam, sp.at.section,
                                       sp.at.x);
    neck.where = sp.where;
    // The neck's parent is the spine's `at`: a bad one is reported there.
    if (auto it = sp.keys.find("at"); it != sp.keys.end()) neck.keys["parent"] = neck.keys["parent_x"] = it->second;
    auto head = section_desc::cylinder(sp.name + "_head", "spine", sp.head_length, sp.head_diam, neck.name, 1.0);
    head.where = sp.where;
    for (auto* s : {&neck, &head}) {
      s->has_discretization = true;
      s->discretization.type = discretization_desc::rule::nseg;
      s->discretization.nseg = 1;
    }
    out.push_back(std::move(neck));
    out.push_back(std::move(head));
  }
  return out;
}

int cell_geometry::find_section(const std::string& name) const {
  for (std::size_t i = 0; i < sections.size(); ++i)
    if (sections[i].name == name) return static_cast<int>(i);
  return -1;
}

std::uint32_t cell_geometry::node_at(const location_desc& loc) const {
  const int s = loc.section.empty() ? soma : find_section(loc.section);
  if (s < 0) throw internal_error("node_at: unchecked section " + loc.section);
  const double x = loc.section.empty() ? 0.5 : loc.x;
  const int n = nseg[s];
  if (x <= 0.0) return start_node[s];
  if (x >= 1.0) return first_node[s] + static_cast<std::uint32_t>(n);
  return first_node[s] + static_cast<std::uint32_t>(std::min(static_cast<int>(std::floor(x * n)), n - 1));
}

std::vector<std::uint32_t> cell_geometry::nodes_along(int s) const {
  std::vector<std::uint32_t> out{start_node[s]};
  for (int j = 0; j <= nseg[s]; ++j) out.push_back(first_node[s] + static_cast<std::uint32_t>(j));
  return out;
}

bool cell_geometry::in_region(const region_desc& r, int s, double d) const {
  if (d < r.min_distance - 1e-9 || d > r.max_distance + 1e-9) return false;
  if (r.names.empty()) return true;
  for (const auto& n : r.names)
    if (n == "all" || n == sections[s].name || n == sections[s].tag) return true;
  return false;
}

std::vector<std::uint32_t> cell_geometry::nodes_in(const region_desc& r) const {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < nnodes; ++i)
    if (seg_length[i] > 0.0 && in_region(r, section_of[i], distance[i])) out.push_back(i);
  return out;
}

double cell_geometry::path_distance(std::uint32_t a, std::uint32_t b) const {
  // Up from the deeper of the two until they meet (parents have smaller indices).
  std::uint32_t x = a, y = b;
  while (x != y) {
    if (x > y) x = parent[x];
    else y = parent[y];
  }
  return from_root[a] + from_root[b] - 2.0 * from_root[x];
}

std::string cell_geometry::node_name(std::uint32_t node) const {
  return fmt::format("{}({:.4g})", sections[section_of[node]].name, x_of[node]);
}

cell_geometry discretize(const cell_desc& c) {
  cell_geometry G;
  std::vector<section_desc> in = all_sections(c);
  if (in.empty()) throw internal_error("discretize: cell type " + c.name + " has no sections");

  // Tree order: from the root, each section's children in the order written.
  int root = -1;
  std::map<std::string, std::vector<int>> children;  // by parent name
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i].parent.empty()) root = static_cast<int>(i);
    else children[in[i].parent].push_back(static_cast<int>(i));
  }
  if (root < 0) throw internal_error("discretize: no root section in " + c.name);
  std::vector<int> order{root}, parent_of{-1};
  for (std::size_t q = 0; q < order.size(); ++q)
    if (auto it = children.find(in[order[q]].name); it != children.end())
      for (int i : it->second) {
        order.push_back(i);
        parent_of.push_back(static_cast<int>(q));
      }
  if (order.size() != in.size()) throw internal_error("discretize: sections unreachable from the root in " + c.name);
  for (int i : order) G.sections.push_back(in[i]);
  G.section_parent = parent_of;
  const int ns = static_cast<int>(G.sections.size());
  G.soma = 0;
  for (int s = 0; s < ns; ++s)
    if (G.sections[s].tag == "soma") {
      G.soma = s;
      break;
    }

  // Path distances from the soma's centre: a walk over the sections from the
  // soma; the distance to x on section s is base[s] + |x − entry[s]|·L[s].
  std::vector<double> base(ns, -1.0), entry(ns, 0.0);
  base[G.soma] = 0.0;
  entry[G.soma] = 0.5;
  std::vector<std::vector<int>> kids(ns);
  for (int s = 1; s < ns; ++s) kids[G.section_parent[s]].push_back(s);
  std::vector<int> queue{G.soma};
  const auto dist = [&](int s, double x) { return base[s] + std::fabs(x - entry[s]) * G.sections[s].length(); };
  for (std::size_t q = 0; q < queue.size(); ++q) {
    const int s = queue[q];
    for (int t : kids[s])  // a child: entered at its start
      if (base[t] < 0.0) {
        base[t] = dist(s, G.sections[t].parent_x);
        entry[t] = 0.0;
        queue.push_back(t);
      }
    if (const int t = G.section_parent[s]; t >= 0 && base[t] < 0.0) {  // the parent: entered where s attaches
      base[t] = dist(s, 0.0);
      entry[t] = G.sections[s].parent_x;
      queue.push_back(t);
    }
  }

  // Where each section starts, as path distance from the root.
  std::vector<double> root_start(ns, 0.0);
  for (int s = 1; s < ns; ++s) {
    const int p = G.section_parent[s];
    root_start[s] = root_start[p] + G.sections[s].parent_x * G.sections[p].length();
  }

  // Passive properties at a point: the cell's, then each membrane entry whose
  // region holds it, in order.
  const auto props_at = [&](int s, double d) {
    props p{c.cm, c.ra};
    for (const auto& m : c.membrane) {
      if (!G.in_region(m.region, s, d)) continue;
      if (m.cm) p.cm = *m.cm;
      if (m.ra) p.ra = *m.ra;
      if (m.spine_density) {
        p.spine_density = *m.spine_density;
        p.spine_area = m.spine_area;
      }
    }
    return p;
  };

  // Segments per section, from the properties at its middle.
  // Checked before any node is made: one node a segment and one a section.
  G.nseg.resize(ns);
  std::int64_t total = 1;
  int most = 0;
  std::vector<std::int64_t> counts(ns);
  for (int s = 0; s < ns; ++s) {
    const auto& sec = G.sections[s];
    const auto& rule = sec.has_discretization ? sec.discretization : c.morphology.discretization;
    const props p = props_at(s, dist(s, 0.5));
    counts[s] = segments_for(rule, sec, p.ra, p.cm);
    total += counts[s] + 1;
    if (counts[s] > counts[most]) most = s;
  }
  if (total > max_nodes_per_cell)
    throw model_error(fmt::format("cutting it into segments makes more than {} nodes (section '{}' alone gets {}{} "
                                  "segments); valid: at most {} nodes a cell: a coarser discretisation (a larger "
                                  "max_length or d_lambda, a smaller nseg)",
                                  max_nodes_per_cell, G.sections[most].name,
                                  counts[most] > max_nodes_per_cell ? "over " : "",
                                  std::min(counts[most], max_nodes_per_cell), max_nodes_per_cell));
  for (int s = 0; s < ns; ++s) G.nseg[s] = static_cast<int>(counts[s]);

  // Nodes: the root node, then per section its centres and its end node.
  auto add_node = [&](std::uint32_t parent, int s, double x) {
    G.parent.push_back(parent);
    G.section_of.push_back(s);
    G.x_of.push_back(x);
    G.distance.push_back(dist(s, x));
    G.from_root.push_back(root_start[s] + x * G.sections[s].length());
    G.area.push_back(0.0);
    G.ri.push_back(0.0);
    G.cm.push_back(c.cm);
    G.spine_factor.push_back(1.0);
    G.seg_length.push_back(0.0);
    return static_cast<std::uint32_t>(G.parent.size() - 1);
  };
  add_node(0, 0, 0.0);
  G.first_node.resize(ns);
  G.start_node.resize(ns);
  for (int s = 0; s < ns; ++s) {
    const auto& sec = G.sections[s];
    const int n = G.nseg[s];
    const double L = sec.length();
    G.start_node[s] = s == 0 ? 0u : G.node_at(location_desc::on(G.sections[G.section_parent[s]].name, sec.parent_x));
    G.first_node[s] = static_cast<std::uint32_t>(G.parent.size());
    double right = 0.0;  // ∫dx/(πr0r1)·Ra of the previous segment's right half
    std::uint32_t prev = G.start_node[s];
    for (int j = 0; j < n; ++j) {
      const double a0 = L * j / n, a1 = L * (j + 1) / n, am = 0.5 * (a0 + a1);
      const double x = (j + 0.5) / n;
      const props p = props_at(s, dist(s, x));
      const piece left = integrate(sec, a0, am), rhalf = integrate(sec, am, a1);
      const std::uint32_t nd = add_node(prev, s, x);
      G.area[nd] = left.area + rhalf.area;
      G.ri[nd] = (right + p.ra * left.resist) * 1e-2;  // [MΩ]
      G.cm[nd] = p.cm;
      G.seg_length[nd] = a1 - a0;
      if (p.spine_density > 0.0 && G.area[nd] > 0.0)
        G.spine_factor[nd] = 1.0 + p.spine_density * p.spine_area * G.seg_length[nd] / G.area[nd];
      right = p.ra * rhalf.resist;
      prev = nd;
    }
    const std::uint32_t end = add_node(prev, s, 1.0);
    G.ri[end] = right * 1e-2;
  }
  G.nnodes = static_cast<std::uint32_t>(G.parent.size());
  return G;
}

}  // namespace ranvier
