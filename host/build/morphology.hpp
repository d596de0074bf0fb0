// A cable cell type cut into nodes, with NEURON's conventions so that results
// compare number for number (docs/morphology.md):
//
//   * a section of nseg segments has a node at the centre of each segment and
//     a zero-area node at its end (x = 1); its start (x = 0) is the node of
//     the parent it attaches to (the root section's start is the root node);
//   * a child attached at parent_x attaches to the parent's node there: the
//     end nodes for 0 and 1, else the centre of the segment containing it;
//   * between a node and its parent flows the axial current of the cable
//     between them: resistance Ra·∫dx/(π·r(x)²) over the half segments on
//     either side (for a cylinder 4·Ra·Δx/(π·d²), Δx = L/nseg between two
//     centres, L/(2·nseg) to an end), integrated exactly over each frustum of
//     a tapered section as ρ·Δx/(π·r0·r1);
//   * a segment's membrane area is the lateral area of its frusta,
//     π·(r0 + r1)·√((r0 − r1)² + Δx²).
//
// Nodes are numbered parents before children (node 0 is the root), which is
// the order the Hines elimination needs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/model/model.hpp"

namespace ranvier {

struct cell_geometry {
  // Sections, parents before children.
  std::vector<section_desc> sections;
  std::vector<int> section_parent;          // index, −1 for the root
  std::vector<int> nseg;
  std::vector<std::uint32_t> first_node;    // node of each section's first segment centre
  std::vector<std::uint32_t> start_node;    // node at each section's start (x = 0)
  int soma = 0;                             // the section whose centre is the reference point ("the soma")

  // Nodes.
  std::uint32_t nnodes = 0;
  std::vector<std::uint32_t> parent;  // parent node (node 0: itself)
  std::vector<double> area;           // membrane area of the node's segment [µm²]; 0 at end nodes
  std::vector<double> ri;             // axial resistance to the parent node [MΩ]; 0 for the root
  std::vector<double> cm;             // specific capacitance [µF/cm²]
  std::vector<double> spine_factor;   // membrane area factor of folded-in spines (1: none)
  std::vector<double> seg_length;     // length of the node's segment [µm]; 0 at end nodes
  std::vector<double> distance;       // path distance from the soma's centre [µm]
  std::vector<double> from_root;      // path distance from the root node [µm]
  std::vector<int> section_of;        // section of each node
  std::vector<double> x_of;           // its position on that section: segment centre, 0 or 1

  int find_section(const std::string& name) const;  // −1 if absent
  // The node a location maps to (x = 0, 1: the end nodes; else the segment containing x).
  std::uint32_t node_at(const location_desc& loc) const;
  // Every node of a section in order along it: start, centres, end.
  std::vector<std::uint32_t> nodes_along(int section) const;
  // The segment-centre nodes whose section has one of the region's tags or
  // names and whose centre lies within its distance window.
  std::vector<std::uint32_t> nodes_in(const region_desc& r) const;
  // "dend[2](0.25)"
  std::string node_name(std::uint32_t node) const;
  bool in_region(const region_desc& r, int section, double distance) const;
  // The path distance between two nodes along the tree [µm].
  double path_distance(std::uint32_t a, std::uint32_t b) const;
};

// Every section of a cable cell type: imported (SWC), built, written out,
// and the spines' necks and heads, in that order. Parents may come later.
std::vector<section_desc> all_sections(const cell_desc& c);

// The most nodes a cell may have: beyond it the rules asked for more
// segments than any model needs (a max_length of nanometres, say).
inline constexpr std::int64_t max_nodes_per_cell = 1'000'000;

// Cuts a cable cell type into nodes. The description must have passed
// check()'s checks of its sections; a discretisation that would exceed
// max_nodes_per_cell is a model_error naming the section with most
// segments, and a d_lambda rule that gives a section no number of segments
// (its length constant 0·∞ in double) one naming the section; both say what
// would be valid. Other violations are internal errors.
cell_geometry discretize(const cell_desc& c);

}  // namespace ranvier
