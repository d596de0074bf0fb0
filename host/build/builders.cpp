// The parametric morphologies. Each section is a cylinder (or a frustum);
// names and tags are documented in docs/model-file.md.
#include "host/build/builders.hpp"

#include <cmath>

#include <fmt/format.h>

#include "host/errors.hpp"

namespace ranvier {

namespace {

using P = std::map<std::string, double>;

void add_soma(std::vector<section_desc>& out, const P& p) {
  out.push_back(section_desc::cylinder("soma", "soma", p.at("soma_length"), p.at("soma_diam")));
}

std::vector<section_desc> ball_and_stick(const P& p) {
  std::vector<section_desc> s;
  add_soma(s, p);
  s.push_back(section_desc::frustum("dend", "dend", p.at("dend_length"), p.at("dend_diam"),
                                    p.at("dend_diam_end") > 0.0 ? p.at("dend_diam_end") : p.at("dend_diam"), "soma",
                                    1.0));
  return s;
}

// A primary dendrite ("dend") branching `depth` times into `branches`
// daughters each ("dend_0", "dend_1", "dend_0_0", ...), each generation's
// length scaled by length_ratio and its diameter by Rall's 3/2 power rule
// (d_daughter = d_parent / branches^(2/3)), so the tree is equivalent to a
// cylinder for passive signals.
std::vector<section_desc> branched_dendrite(const P& p) {
  std::vector<section_desc> s;
  add_soma(s, p);
  const int depth = static_cast<int>(p.at("depth"));
  const int branches = static_cast<int>(p.at("branches"));
  const double shrink = std::pow(static_cast<double>(branches), -2.0 / 3.0);
  struct pending {
    std::string name, parent;
    double length, diam;
    int level;
  };
  std::vector<pending> todo{{"dend", "soma", p.at("stem_length"), p.at("stem_diam"), 0}};
  for (std::size_t i = 0; i < todo.size(); ++i) {
    const pending t = todo[i];
    s.push_back(section_desc::cylinder(t.name, "dend", t.length, t.diam, t.parent, 1.0));
    if (t.level >= depth) continue;
    for (int b = 0; b < branches; ++b)
      todo.push_back({fmt::format("{}_{}", t.name, b), t.name, t.length * p.at("length_ratio"), t.diam * shrink,
                      t.level + 1});
  }
  return s;
}

double ball_and_stick_sections(const P&) { return 2.0; }

// The stem and every generation below it: Σ_{l=0..depth} branches^l, and the soma.
double branched_sections(const P& p) {
  const double depth = p.at("depth"), branches = p.at("branches");
  if (branches == 1.0) return depth + 2.0;
  return (std::pow(branches, depth + 1.0) - 1.0) / (branches - 1.0) + 1.0;
}

// nodes × (node of Ranvier, internode), from an optional soma: "node_0",
// "internode_0", "node_1", ..., tagged "node" and "internode"; the last
// internode ends the axon.
std::vector<section_desc> myelinated_axon(const P& p) {
  std::vector<section_desc> s;
  std::string parent;
  if (p.at("soma_diam") > 0.0) {
    add_soma(s, p);
    parent = "soma";
  }
  const int n = static_cast<int>(p.at("nodes"));
  for (int i = 0; i < n; ++i) {
    auto node = section_desc::cylinder(fmt::format("node_{}", i), "node", p.at("node_length"), p.at("node_diam"),
                                       parent, 1.0);
    s.push_back(node);
    auto inter = section_desc::cylinder(fmt::format("internode_{}", i), "internode", p.at("internode_length"),
                                        p.at("internode_diam"), node.name, 1.0);
    s.push_back(inter);
    parent = inter.name;
  }
  return s;
}

double myelinated_sections(const P& p) { return 2.0 * p.at("nodes") + (p.at("soma_diam") > 0.0 ? 1.0 : 0.0); }

std::vector<builder_param> soma_params(double diam, bool optional) {
  return {{"soma_diam", "um", diam,
           optional ? "soma diameter (0: no soma; the axon starts at node_0)" : "soma diameter", 0.0, false, !optional},
          {"soma_length", "um", diam, "soma length", 0.0}};
}

std::vector<builder_param> with(std::vector<builder_param> a, std::initializer_list<builder_param> b) {
  a.insert(a.end(), b);
  return a;
}

const std::vector<builder_info>& builders() {
  static const std::vector<builder_info> r = {
      {"ball_and_stick",
       "a soma with one dendrite attached at its end",
       with(soma_params(20.0, false),
            {{"dend_length", "um", 200.0, "dendrite length", 0.0},
             {"dend_diam", "um", 1.0, "dendrite diameter (at its start)", 0.0},
             {"dend_diam_end", "um", 0.0, "dendrite diameter at its end (0: the same as dend_diam)", 0.0, false,
              false}}),
       &ball_and_stick, &ball_and_stick_sections},
      {"branched_dendrite",
       "a soma and a dendrite that branches `depth` times into `branches` daughters, diameters by Rall's 3/2 rule",
       with(soma_params(20.0, false),
            {{"depth", "", 3.0, "branch levels below the stem", 0.0, true, false},
             {"branches", "", 2.0, "daughters at each branch point", 1.0, true, false},
             {"stem_length", "um", 100.0, "length of the primary dendrite", 0.0},
             {"stem_diam", "um", 2.0, "diameter of the primary dendrite", 0.0},
             {"length_ratio", "", 0.8, "each generation's length relative to its parent's", 0.0}}),
       &branched_dendrite, &branched_sections},
      {"myelinated_axon",
       "an axon of nodes of Ranvier and myelinated internodes, from an optional soma",
       with(soma_params(0.0, true),
            {{"nodes", "", 10.0, "number of nodes of Ranvier (each followed by an internode)", 1.0, true, false},
             {"node_length", "um", 1.0, "length of a node", 0.0},
             {"node_diam", "um", 1.0, "diameter of a node", 0.0},
             {"internode_length", "um", 100.0, "length of an internode", 0.0},
             {"internode_diam", "um", 1.0, "diameter of an internode (the axon inside the myelin)", 0.0}}),
       &myelinated_axon, &myelinated_sections},
  };
  return r;
}

}  // namespace

const builder_info* find_builder(std::string_view name) {
  for (const auto& b : builders())
    if (name == b.name) return &b;
  return nullptr;
}

std::string builder_list() {
  std::string s;
  for (const auto& b : builders()) s += (s.empty() ? "" : ", ") + std::string(b.name);
  return s;
}

const builder_param* builder_info::param(std::string_view n) const {
  for (const auto& x : params)
    if (n == x.name) return &x;
  return nullptr;
}

P builder_info::values(const P& given) const {
  P p;
  for (const auto& bp : params) {
    auto it = given.find(bp.name);
    p[bp.name] = it == given.end() ? bp.default_value : it->second;
  }
  for (const auto& [k, v] : given)
    if (!p.count(k)) throw internal_error(fmt::format("builder {}: unchecked parameter {}", name, k));
  return p;
}

std::vector<section_desc> build_morphology(const builder_info& b, const std::map<std::string, double>& given) {
  return b.build(b.values(given));
}

}  // namespace ranvier
