// What the host knows about each density mechanism and receptor kind: its
// parameters with units and defaults, its state variables, which ions it
// touches, and how to fill the core view's parameter array (including the
// parameters derived from dt, temperature and ions). Built from the core
// registries (core/mechanisms/registry.hpp, core/synapses/registry.hpp): the
// equations and this metadata live together in one core file per kind.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/mechanisms/mechanism.hpp"

namespace ranvier {

struct kind_info {
  const char* kind;
  int id;  // index in its core registry
  const char* doc;
  std::span<const core::param_spec> params;  // user parameters, in the order of the core `param` enum
  std::vector<const char*> states;           // state variables, in the order of the core `state` enum
  int nparam_total;                          // user + derived parameters
  bool uses_cai = false;                     // reads [Ca²⁺]i
  bool writes_cai = false;                   // a calcium pool
  bool carries_ca = false;                   // carries a Ca²⁺ current
  bool passive = false;                      // folded-in spines scale its conductances
  bool current_based = false;                // a receptor whose weights are currents [nA], of either sign
  int pulse_param = -1;                      // a receptor's transmitter-pulse duration [ms], or −1
  bool release = false;                      // a kinetic receptor: a release state per connection
  const char* weight_unit = "uS";            // a receptor's weights: "uS", "nA" or "1"
  bool ca_fraction = false;                  // a receptor part of whose current is carried by Ca²⁺ (records RECEPTOR.ica)
  bool needs_cleft = false;                  // a receptor fed only by connections with a cleft ([projection.cleft])
  // Neuron models (core/neurons/):
  int threshold_param = -1;                  // the parameter that is the spike threshold [mV]
  int t_ref_param = -1;                      // the refractory period [ms]
  int reset_param = -1;                      // the reset, which must lie below the threshold
  std::vector<const char*> state_units;      // the unit of each state
  bool exact_currents = false;               // current receptors by exact propagators, on membrane()'s
  void (*membrane)(const double*, double&, double&) = nullptr;  // (params, tau_m [ms], cm [nF])
  double (*initial_v)(const double*) = nullptr;                // the resting v for the parameters [mV]
  void (*derive)(double*, const core::derive_ctx&) = nullptr;

  const core::param_spec* param(std::string_view name) const;
  std::string param_list() const;  // "gnabar [S/cm2], ..." for messages
};

std::span<const kind_info> mechanism_kinds();
const kind_info* find_mechanism(std::string_view kind);
std::string mechanism_kind_list();  // "hh, traub_miles, leak" for error messages

const kind_info* find_receptor(std::string_view kind);
std::string receptor_kind_list();

const kind_info* find_neuron_model(std::string_view kind);
std::string neuron_model_list();

// The parameter array of one instance: user values (in the order of
// info.params) followed by the derived ones.
std::vector<double> kind_parameters(const kind_info& info, const std::vector<double>& user_values,
                                    const core::derive_ctx& ctx);

}  // namespace ranvier
