// Network construction: from a checked description to concrete cells and
// connections. Every random choice is drawn from a Philox stream keyed by
// (seed, purpose, projection or population) and countered by the
// postsynaptic cell, so the same network is built for any thread count (and,
// later, any partition of the cells over MPI ranks).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "host/build/morphology.hpp"
#include "host/model/model.hpp"

namespace ranvier {

// Where a population lives once built: its cells are a contiguous range of a
// group (cells sharing a cell type) and of the global source ids (gids).
struct population_layout {
  std::string name;
  population_kind kind = population_kind::cell;
  std::uint32_t size = 0;
  int group = -1;            // index into groups (cell) or generators (poisson)
  std::uint32_t first = 0;   // index of its cell 0 within the group
  std::uint32_t gid_base = 0;
  std::uint32_t stream_id = 0;  // the population's index in the description
};

// Where a receptor of a cell type sits: at one node, or (spread over a
// region) at every segment there, each connection drawing one of them with
// the probability `cumulative` steps by.
struct receptor_sites {
  std::vector<std::uint32_t> node;
  std::vector<double> cumulative;  // spread receptors: cumulative probabilities (last 1); else empty
};

// What a cell type needs before connections can be built: its geometry (cable
// cells) and its receptors' locations. A group's ring-buffer targets are its
// receptors' locations, location-major: location l (counted over all
// receptors) of cell k is target target_base + l·ncells + k.
struct cell_type_layout {
  bool cable = false;
  cell_geometry geometry;                   // cable cells
  std::vector<receptor_sites> receptors;    // by receptor of the cell type
  std::vector<std::uint32_t> first_location;  // per receptor: its first location
  std::uint32_t locations = 0;              // targets per cell
};

std::vector<cell_type_layout> lay_out_cell_types(const network& net);

// The layout of all cells: groups of cells sharing a cell type, then spike
// sources without membrane (Poisson, given times). Gids are assigned group by
// group in that order.
struct cell_layout {
  struct group {
    int cell_type = -1;               // index into network::cells
    std::vector<int> populations;     // indices into network::populations, in order
    std::uint32_t ncells = 0;
    std::uint32_t gid_base = 0;
    std::uint32_t target_base = 0;    // ring-buffer target of location 0, cell 0
  };
  std::vector<group> groups;
  std::vector<int> generators;        // population indices of Poisson and spike-time populations
  std::vector<std::uint32_t> generator_gid_base;
  std::vector<population_layout> populations;  // by description index
  std::uint32_t nsources = 0;
  std::uint32_t ntargets = 0;
};

cell_layout lay_out_cells(const network& net, const std::vector<cell_type_layout>& types);

// The connections of one plastic projection, kept apart from the static
// ones: CSR by source (the pre population's cells; within a source, delays
// ascending), an index by postsynaptic cell, and each connection's cells.
struct plastic_connectivity {
  int projection = -1;                 // index into network::projections
  std::uint32_t pre_gid_base = 0, npre = 0;
  std::uint32_t post_gid_base = 0, npost = 0;
  std::vector<std::uint64_t> row;      // npre + 1
  std::vector<std::uint32_t> target;
  std::vector<double> weight;          // [the receptor's unit]
  std::vector<std::uint32_t> delay;    // [steps]
  std::vector<std::uint32_t> pre;      // index in the pre population
  std::vector<std::uint32_t> post;     // index in the post population
  std::vector<std::uint64_t> in_row;   // npost + 1
  std::vector<std::uint64_t> in_conn;  // by postsynaptic cell, then source
  std::uint32_t min_delay = 0, max_delay = 0;  // [steps]
};

// Static connections by class: a weight, or a weight and a delay, that a
// projection gives all its connections is stored once. When every static
// projection has one constant weight (no list weights) and the distinct
// weights number at most 256, each connection keeps a 1-byte class instead
// of its weight; when, besides, every static delay is one constant per
// projection and the distinct (weight, delay) pairs number at most 256, the
// class gives the delay too and no delay is kept per connection. Decided
// from the model before any draw, one rule for the builder, the estimate and
// the engines.
struct static_classes {
  std::vector<double> weight;               // by class [the receptor's unit]; empty: no classes
  std::vector<std::uint32_t> delay;         // by class [steps]; empty: delays per connection
  std::vector<std::int32_t> of_projection;  // each projection's class; -1 for dynamic ones
  bool on() const { return !weight.empty(); }
};
static_classes static_connection_classes(const network& net);

// Connections in CSR order by source gid. Weights in the receptor's unit
// (µS), delays in whole steps. Plastic projections' connections are in
// `plastic`, not in the static CSR. W: the static weights' type, the image's
// precision, so that single-precision weights are never held in double
// beside their floats (each drawn in double, then rounded once).
template <class W>
struct connectivity {
  std::vector<std::uint64_t> row;      // nsources + 1 offsets
  std::vector<std::uint32_t> target;   // ring-buffer target (receptor instance)
  // [µS] per connection; empty when the connections have classes (cls).
  std::vector<W> weight;
  // Per connection its class (static_connection_classes), or empty.
  std::vector<std::uint8_t> cls;
  static_classes classes;
  // [steps], >= 1, per connection unless the classes give them: in 16 bits
  // (delay16) when every static delay the model allows is at most 65535
  // steps, else in 32 (delay); the other is empty (both with class delays).
  std::vector<std::uint32_t> delay;
  std::vector<std::uint16_t> delay16;
  std::uint32_t max_delay = 1;         // [steps], over static and plastic connections
  std::vector<plastic_connectivity> plastic;
  std::uint64_t size() const { return target.size(); }
};

// Builds all projections with `threads` OpenMP threads (0: the default).
// With `progress`, building that takes more than a few seconds prints a line
// on stderr once a second: connections built of those expected, rate, ETA.
template <class W>
connectivity<W> build_connectivity(const network& net, const cell_layout& layout,
                                   const std::vector<cell_type_layout>& types, int threads = 0, bool progress = false);

// A delay in ms as whole steps: the nearest step count, halves rounded up,
// computed as floor(delay/dt + 0.5 + 1e-9) so that decimal delays such as
// 0.15 ms at dt = 0.1 ms round as written (to 2). Never below 1.
std::uint32_t delay_steps(double delay_ms, double dt_ms);

// One draw of a distribution from a stream (host-side: network building and
// initial states). Values outside a normal or lognormal's [low, high] are
// redrawn; throws model_error when nearly every draw is rejected.
double draw(const distribution& d, core::stream& s);

}  // namespace ranvier
