// The host's view of the core registries.
#include "host/model/mechanisms.hpp"

#include <fmt/format.h>

#include "core/mechanisms/registry.hpp"
#include "core/neurons/registry.hpp"
#include "core/synapses/registry.hpp"
#include "host/errors.hpp"

namespace ranvier {

namespace {

enum class family { density, receptor, neuron };

template <class List, family F>
std::vector<kind_info> registry_of() {
  std::vector<kind_info> r;
  core::for_each_type(List{}, [&]<class K>(int id) {
    kind_info k;
    k.kind = K::name;
    k.id = id;
    k.doc = K::doc;
    k.params = std::span<const core::param_spec>(K::params, K::nuser);
    for (int s = 0; s < K::nstate; ++s) k.states.push_back(K::states[s]);
    k.nparam_total = K::nparam;
    if constexpr (F == family::density) {
      k.uses_cai = K::uses_cai;
      k.writes_cai = K::writes_cai;
      k.carries_ca = K::carries_ca;
      k.passive = core::is_passive<K>();
    } else if constexpr (F == family::receptor) {
      k.current_based = core::is_current_based<K>();
      k.pulse_param = core::pulse_param_of<K>();
      k.release = core::has_release<K>();
      k.weight_unit = core::weight_unit_of<K>();
      k.ca_fraction = core::has_ca_fraction<K>();
      k.needs_cleft = core::needs_cleft<K>();
    } else {
      k.threshold_param = K::threshold_param;
      k.t_ref_param = K::t_ref_param;
      k.reset_param = K::reset_param;
      for (int s = 0; s < K::nstate; ++s) k.state_units.push_back(K::state_units[s]);
      k.exact_currents = K::exact_currents;
      if constexpr (K::exact_currents) k.membrane = &K::membrane;
      k.initial_v = &K::initial_v;
    }
    k.derive = &K::derive;
    r.push_back(k);
  });
  return r;
}

const std::vector<kind_info>& mechanisms() {
  static const auto r = registry_of<core::density_mechanisms, family::density>();
  return r;
}
const std::vector<kind_info>& receptors() {
  static const auto r = registry_of<core::receptor_kinds, family::receptor>();
  return r;
}
const std::vector<kind_info>& neuron_models() {
  static const auto r = registry_of<core::neuron_models, family::neuron>();
  return r;
}

const kind_info* find_in(const std::vector<kind_info>& r, std::string_view kind) {
  for (const auto& m : r)
    if (kind == m.kind) return &m;
  return nullptr;
}

std::string names_of(const std::vector<kind_info>& r) {
  std::string s;
  for (const auto& m : r) s += (s.empty() ? "" : ", ") + std::string(m.kind);
  return s;
}

}  // namespace

const core::param_spec* kind_info::param(std::string_view name) const {
  for (const auto& p : params)
    if (name == p.name) return &p;
  return nullptr;
}

std::string kind_info::param_list() const {
  std::string s;
  for (const auto& p : params) s += fmt::format("{}{} [{}]", s.empty() ? "" : ", ", p.name, p.unit);
  return s.empty() ? "none (this kind has no parameters)" : s;
}

std::span<const kind_info> mechanism_kinds() { return mechanisms(); }
const kind_info* find_mechanism(std::string_view kind) { return find_in(mechanisms(), kind); }
std::string mechanism_kind_list() { return names_of(mechanisms()); }

const kind_info* find_receptor(std::string_view kind) { return find_in(receptors(), kind); }
std::string receptor_kind_list() { return names_of(receptors()); }

const kind_info* find_neuron_model(std::string_view kind) { return find_in(neuron_models(), kind); }
std::string neuron_model_list() { return names_of(neuron_models()); }

std::vector<double> kind_parameters(const kind_info& info, const std::vector<double>& user_values,
                                    const core::derive_ctx& ctx) {
  if (user_values.size() != info.params.size())
    throw internal_error("kind_parameters: wrong number of values for " + std::string(info.kind));
  std::vector<double> p(user_values);
  p.resize(static_cast<std::size_t>(info.nparam_total), 0.0);
  info.derive(p.data(), ctx);
  return p;
}

}  // namespace ranvier
