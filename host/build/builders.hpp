// Parametric morphologies: a cell's sections from a few numbers, for the
// shapes models are most often built from (ball-and-stick, a branched
// dendrite, a myelinated axon). docs/model-file.md lists them with their
// parameters; check() validates the numbers against the specs here.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/model/model.hpp"

namespace ranvier {

struct builder_param {
  const char* name;
  const char* unit;
  double default_value;
  const char* doc;
  double min;            // smallest valid value
  bool integer = false;  // a whole number
  bool min_open = true;  // the minimum itself is invalid (> min rather than >= min)
};

struct builder_info {
  const char* name;
  const char* doc;
  std::vector<builder_param> params;
  // The sections, from every parameter's value (defaults filled in).
  std::vector<section_desc> (*build)(const std::map<std::string, double>& p);
  // How many sections build would make (a double: it may be astronomical),
  // so that check() can refuse a tree too large before it is built.
  double (*sections)(const std::map<std::string, double>& p);

  const builder_param* param(std::string_view name) const;
  // Every parameter's value: the given ones, defaults for the rest.
  std::map<std::string, double> values(const std::map<std::string, double>& given) const;
};

const builder_info* find_builder(std::string_view name);
std::string builder_list();  // "ball_and_stick, branched_dendrite, myelinated_axon"

// The builder's sections for the given parameters (others at their defaults).
std::vector<section_desc> build_morphology(const builder_info& b, const std::map<std::string, double>& given);

}  // namespace ranvier
