// The packed, engine-ready form of a built network: structure-of-arrays state
// per cell group, connections in CSR order, recording plans. Both engines
// start from the same image; the CPU engine steps it in place, the CUDA
// engine uploads it once.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/point_cell.hpp"
#include "host/build/build.hpp"
#include "host/model/model.hpp"
#include "host/io/recording.hpp"

namespace ranvier {

// A state array of a group, by position: 0 is v, then every state of every
// mechanism in order, then the conductance g of every receptor in order.
struct state_ref {
  int group = -1;
  int array = -1;
};

template <class T> struct group_storage {
  std::string cell_type;
  std::uint32_t ncells = 0;
  std::uint32_t gid_base = 0;
  T cfac{};       // cm·1e-3/dt [S/cm²]
  T pfac{};       // 100/area [1/µm²]
  T threshold{};  // [mV]
  std::vector<T> v;                       // [mV]
  std::vector<std::uint32_t> spike_count;
  std::vector<std::int64_t> last_spike;   // [steps]
  std::int64_t refractory = 0;            // [steps]
  struct mechanism {
    std::string name;
    core::mech_kind kind;
    std::vector<std::string> state_names;
    std::vector<std::vector<T>> state;
    std::array<T, core::max_mech_params> param{};
  };
  std::vector<mechanism> mechs;
  struct receptor {
    std::string name;
    std::vector<T> g;  // [µS]
    T e{};             // [mV]
    T decay{};         // e^(−dt/tau)
    std::uint32_t target_base = 0;
  };
  std::vector<receptor> receptors;
  struct stimulus {
    std::vector<T> amp;  // [nA] per cell of the group
    std::int64_t start = 0;
    std::int64_t stop = 0;
  };
  std::vector<stimulus> stimuli;

  int narrays() const;
  std::string array_name(int a) const;  // "v", "hh.m", "exc.g"
  std::vector<T>& array(int a);
  const std::vector<T>& array(int a) const;
  int find_array(const std::string& name) const;  // -1 when absent
  // The core view over this storage (raw pointers into the vectors above).
  core::point_group_view<T> view();
};

struct generator_storage {
  core::poisson_view params{};  // spike_count is filled by the engine
  std::vector<std::uint32_t> spike_count;
};

// What a [[record]] becomes: spikes of some cells, or samples of one state
// array at some cells every `every` steps.
struct record_plan {
  int population = -1;
  bool spikes = false;
  std::string variable;
  std::vector<std::uint32_t> cells;  // indices within the population
  state_ref ref;                     // sampled variables
  std::vector<std::uint32_t> group_cells;  // the same cells as indices within the group
  std::int64_t every = 1;            // [steps]
};

template <class T> struct image {
  double dt = 0.0;           // [ms]
  std::int64_t nsteps = 0;   // the run's length
  std::uint64_t seed = 0;
  arith_mode mode = arith_mode::deterministic;
  engine_choice engine = engine_choice::automatic;
  std::vector<group_storage<T>> groups;
  std::vector<generator_storage> generators;
  std::vector<population_layout> populations;
  std::vector<record_plan> records;
  std::uint32_t nsources = 0;
  std::uint32_t ntargets = 0;
  std::uint32_t ring_depth = 2;  // max delay + 1 [steps]

  // Connections, CSR by source gid.
  std::vector<std::uint64_t> row;
  std::vector<std::uint32_t> target;
  std::vector<T> weight;              // [µS]
  std::vector<std::uint32_t> delay;   // [steps]
  std::vector<std::uint64_t> in_row;  // by target
  std::vector<std::uint64_t> in_conn;

  std::uint64_t nconnections() const { return target.size(); }
  std::uint64_t ncells() const;  // neurons, generators excluded
  std::uint64_t memory_bytes() const;
};

using any_image = std::variant<image<float>, image<double>>;

// Appends to rec the samples the image's records take at `step` (those whose
// interval divides it), read from the image's own state arrays.
template <class T> void sample_records(const image<T>& img, std::int64_t step, recording& rec);

// Lays out, builds and packs a checked network in its precision. threads: for
// building (0: the default).
any_image pack(const network& net, int threads = 0);

// Timing of pack's phases, for the summary.
struct pack_timing {
  double build_s = 0.0;
  double pack_s = 0.0;
};
any_image pack(const network& net, int threads, pack_timing& timing);

}  // namespace ranvier
