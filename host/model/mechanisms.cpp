// The host's view of the core registries.
#include "host/model/mechanisms.hpp"

#include <fmt/format.h>

#include "core/mechanisms/registry.hpp"
#include "core/synapses/registry.hpp"
#include "host/errors.hpp"

namespace ranvier {

namespace {

template <class List, bool Density>
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
    if constexpr (Density) {
      k.uses_cai = K::uses_cai;
      k.writes_cai = K::writes_cai;
      k.carries_ca = K::carries_ca;
      k.passive = core::is_passive<K>();
    }
    k.derive = &K::derive;
    r.push_back(k);
  });
  return r;
}

const std::vector<kind_info>& mechanisms() {
  static const auto r = registry_of<core::density_mechanisms, true>();
  return r;
}
const std::vector<kind_info>& receptors() {
  static const auto r = registry_of<core::receptor_kinds, false>();
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
