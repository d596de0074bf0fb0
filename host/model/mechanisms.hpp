// What the host knows about each mechanism kind: its parameters with units and
// defaults, its state variables, and how to fill the core view's parameter
// array (including the parameters derived from dt and temperature). The
// equations themselves live in core/mechanisms/.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/point_cell.hpp"

namespace ranvier {

struct param_info {
  const char* name;
  const char* unit;
  double default_value;
  const char* doc;
};

struct mechanism_info {
  const char* kind;
  core::mech_kind id;
  const char* doc;
  std::vector<param_info> params;   // user parameters, in the order of the core `param` enum
  std::vector<const char*> states;  // state variables, in the order of the core `state` enum
  int nparam_total;                 // user + derived parameters
};

std::span<const mechanism_info> mechanism_kinds();
const mechanism_info* find_mechanism(std::string_view kind);
std::string mechanism_kind_list();  // "hh, traub_miles, leak" for error messages

// The parameter array of the core view: user values (or defaults) followed by
// the derived ones. dt [ms], celsius [°C].
std::vector<double> mechanism_parameters(const mechanism_info& info, const std::vector<double>& user_values,
                                         double dt, double celsius);

}  // namespace ranvier
