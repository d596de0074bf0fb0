// The mechanism registry: names, units and defaults as NEURON gives them.
#include "host/model/mechanisms.hpp"

#include "core/dmath.hpp"
#include "host/errors.hpp"

namespace ranvier {

namespace {

const std::vector<mechanism_info>& registry() {
  static const std::vector<mechanism_info> r = {
      {"hh",
       core::mech_kind::hh,
       "squid-axon Hodgkin-Huxley Na, K and leak (NEURON's hh); rates scaled by 3^((celsius - 6.3)/10)",
       {{"gnabar", "S/cm2", 0.12, "Na maximal conductance"},
        {"gkbar", "S/cm2", 0.036, "K maximal conductance"},
        {"gl", "S/cm2", 0.0003, "leak conductance"},
        {"el", "mV", -54.3, "leak reversal potential"},
        {"ena", "mV", 50.0, "Na reversal potential"},
        {"ek", "mV", -77.0, "K reversal potential"}},
       {"m", "h", "n"},
       core::hh::nparam},
      {"traub_miles",
       core::mech_kind::traub_miles,
       "Traub-Miles Na and K (COBAHH benchmark, Brette et al. 2007); temperature-independent",
       {{"gnabar", "S/cm2", 0.1, "Na maximal conductance"},
        {"gkbar", "S/cm2", 0.03, "K maximal conductance"},
        {"ena", "mV", 50.0, "Na reversal potential"},
        {"ek", "mV", -90.0, "K reversal potential"},
        {"vt", "mV", -63.0, "rate-function offset VT"}},
       {"m", "h", "n"},
       core::traub_miles::nparam},
      {"leak",
       core::mech_kind::leak,
       "passive leak (NEURON's pas)",
       {{"g", "S/cm2", 0.001, "conductance"}, {"e", "mV", -70.0, "reversal potential"}},
       {},
       core::leak::nparam},
  };
  return r;
}

}  // namespace

std::span<const mechanism_info> mechanism_kinds() { return registry(); }

const mechanism_info* find_mechanism(std::string_view kind) {
  for (const auto& m : registry())
    if (kind == m.kind) return &m;
  return nullptr;
}

std::string mechanism_kind_list() {
  std::string s;
  for (const auto& m : registry()) {
    if (!s.empty()) s += ", ";
    s += m.kind;
  }
  return s;
}

std::vector<double> mechanism_parameters(const mechanism_info& info, const std::vector<double>& user_values,
                                         double dt, double celsius) {
  if (user_values.size() != info.params.size())
    throw internal_error("mechanism_parameters: wrong number of values for " + std::string(info.kind));
  std::vector<double> p(user_values);
  switch (info.id) {
    case core::mech_kind::hh:
      // NEURON's hh: q10 = 3^((celsius − 6.3)/10) multiplies every rate.
      p.push_back(dt * core::det_pow(3.0, (celsius - 6.3) / 10.0));
      break;
    case core::mech_kind::traub_miles:
      p.push_back(dt);
      break;
    case core::mech_kind::leak:
      break;
  }
  if (static_cast<int>(p.size()) != info.nparam_total || info.nparam_total > core::max_mech_params)
    throw internal_error("mechanism_parameters: parameter layout of " + std::string(info.kind) + " is inconsistent");
  return p;
}

}  // namespace ranvier
