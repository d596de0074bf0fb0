// The density mechanisms Ranvier knows, in registry order: a mechanism's kind
// is its index here. Adding a mechanism is one file in this folder and one
// entry below; both engines, the model file, the checker and the docs table
// find it through this list.
#pragma once

#include "core/mechanisms/hh.hpp"
#include "core/mechanisms/leak.hpp"
#include "core/mechanisms/mechanism.hpp"
#include "core/mechanisms/traub_miles.hpp"

namespace ranvier::core {

using density_mechanisms = type_list<hh, traub_miles, leak>;

}  // namespace ranvier::core
