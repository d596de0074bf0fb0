// The few functions of the network description that are not plain data: how a
// source location prints, the range of a distribution, look-ups by name, and
// the model-file spelling of the enums.
#include "host/model/model.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace ranvier {

std::string to_string(const source_loc& loc) {
  // A location without a file (a network built in C++) is just its key path;
  // a file without a line (a table that is missing altogether) is named alone.
  std::string s;
  if (!loc.file.empty()) {
    s = loc.file;
    if (loc.line > 0) {
      s += ':' + std::to_string(loc.line);
      if (loc.column > 0) s += ':' + std::to_string(loc.column);
    }
    if (!loc.key.empty()) s += ": ";
  }
  return s + loc.key;
}

source_loc located::loc(const std::string& key) const {
  if (auto it = keys.find(key); it != keys.end()) return it->second;
  // Not written (a default, or a key that is missing): point at the element.
  source_loc l = where;
  if (!key.empty()) l.key = l.key.empty() ? key : l.key + '.' + key;
  return l;
}

double distribution::min_value() const {
  switch (type) {
    case kind::constant: return value;
    case kind::uniform:
    case kind::normal: return low;
    case kind::lognormal: return std::max(low, 0.0);  // a lognormal draw is never negative
  }
  return value;
}

double distribution::max_value() const {
  switch (type) {
    case kind::constant: return value;
    case kind::uniform:
    case kind::normal:
    case kind::lognormal: return high;
  }
  return value;
}

bool region_desc::is_all() const {
  if (min_distance > 0.0 || max_distance < infinity) return false;
  return names.empty() || std::find(names.begin(), names.end(), "all") != names.end();
}

std::string region_desc::describe() const {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  if (s.empty()) s = "all";
  if (min_distance > 0.0 && max_distance < infinity)
    s += fmt::format(" between {} and {} um from the soma", min_distance, max_distance);
  else if (min_distance > 0.0)
    s += fmt::format(" {} um or more from the soma", min_distance);
  else if (max_distance < infinity)
    s += fmt::format(" within {} um of the soma", max_distance);
  return s;
}

double param_value::at(double d) const {
  double y = value;
  switch (type) {
    case kind::constant: break;
    case kind::linear: y = value + slope * d; break;
    case kind::exponential: y = offset + scale * std::exp(d / length); break;
    case kind::sigmoid: y = value + (far - value) / (1.0 + std::exp((half - d) / length)); break;
  }
  return std::clamp(y, min, max);
}

receptor_desc receptor_desc::of(std::string name, std::string kind, std::map<std::string, double> params) {
  receptor_desc r;
  r.name = std::move(name);
  r.kind = std::move(kind);
  r.params = std::move(params);
  return r;
}

receptor_desc receptor_desc::expsyn(std::string name, double tau, double e) {
  return of(std::move(name), "expsyn", {{"tau", tau}, {"e", e}});
}

receptor_desc receptor_desc::exp2syn(std::string name, double tau1, double tau2, double e) {
  return of(std::move(name), "exp2syn", {{"tau1", tau1}, {"tau2", tau2}, {"e", e}});
}

receptor_desc receptor_desc::alphasyn(std::string name, double tau, double e) {
  return of(std::move(name), "alphasyn", {{"tau", tau}, {"e", e}});
}

receptor_desc receptor_desc::exp_current(std::string name, double tau) {
  return of(std::move(name), "exp_current", {{"tau", tau}});
}

receptor_desc receptor_desc::alpha_current(std::string name, double tau) {
  return of(std::move(name), "alpha_current", {{"tau", tau}});
}

section_desc section_desc::frustum(std::string name, std::string tag, double length, double diam0, double diam1,
                                   std::string parent, double parent_x) {
  section_desc s;
  s.name = std::move(name);
  s.tag = std::move(tag);
  s.parent = std::move(parent);
  s.parent_x = parent_x;
  s.points = {{0.0, diam0}, {length, diam1}};
  return s;
}

section_desc section_desc::cylinder(std::string name, std::string tag, double length, double diam, std::string parent,
                                    double parent_x) {
  return frustum(std::move(name), std::move(tag), length, diam, diam, std::move(parent), parent_x);
}

const cell_desc* network::find_cell(const std::string& name) const {
  for (const auto& c : cells)
    if (c.name == name) return &c;
  return nullptr;
}

const population_desc* network::find_population(const std::string& name) const {
  for (const auto& p : populations)
    if (p.name == name) return &p;
  return nullptr;
}

const char* to_string(engine_choice e) {
  switch (e) {
    case engine_choice::automatic: return "auto";
    case engine_choice::cpu: return "cpu";
    case engine_choice::cuda: return "cuda";
  }
  return "?";
}

const char* to_string(precision p) {
  switch (p) {
    case precision::single: return "single";
    case precision::double_: return "double";
  }
  return "?";
}

const char* to_string(arith_mode m) {
  switch (m) {
    case arith_mode::deterministic: return "deterministic";
    case arith_mode::fast: return "fast";
  }
  return "?";
}

const char* to_string(terminal_kind k) {
  switch (k) {
    case terminal_kind::none: return "none";
    case terminal_kind::tsodyks_markram: return "tsodyks_markram";
    case terminal_kind::quantal: return "quantal";
  }
  return "?";
}

const char* to_string(cleft_kind k) {
  switch (k) {
    case cleft_kind::none: return "none";
    case cleft_kind::ionotropic: return "ionotropic";
    case cleft_kind::metabotropic: return "metabotropic";
    case cleft_kind::kinetic: return "kinetic";
  }
  return "?";
}

const char* to_string(plasticity_rule r) {
  switch (r) {
    case plasticity_rule::none: return "none";
    case plasticity_rule::stdp: return "stdp";
    case plasticity_rule::hebbian: return "hebbian";
    case plasticity_rule::scaling: return "scaling";
    case plasticity_rule::bcm: return "bcm";
    case plasticity_rule::calcium: return "calcium";
    case plasticity_rule::dopamine_stdp: return "dopamine_stdp";
  }
  return "?";
}

const char* to_string(connect_rule r) {
  switch (r) {
    case connect_rule::all_to_all: return "all_to_all";
    case connect_rule::one_to_one: return "one_to_one";
    case connect_rule::fixed_probability: return "fixed_probability";
    case connect_rule::fixed_indegree: return "fixed_indegree";
    case connect_rule::fixed_total_number: return "fixed_total_number";
    case connect_rule::list: return "list";
  }
  return "?";
}

}  // namespace ranvier
