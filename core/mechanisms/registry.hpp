// The density mechanisms Ranvier knows, in registry order: a mechanism's kind
// is its index here. Adding a mechanism is one file in this folder and one
// entry below; both engines, the model file, the checker and the docs table
// find it through this list. New kinds go at the end, so that the kinds of
// the existing ones do not change. docs/mechanisms.md describes each.
#pragma once

#include "core/mechanisms/bk.hpp"
#include "core/mechanisms/cad.hpp"
#include "core/mechanisms/cal.hpp"
#include "core/mechanisms/cat.hpp"
#include "core/mechanisms/hh.hpp"
#include "core/mechanisms/ih.hpp"
#include "core/mechanisms/ka.hpp"
#include "core/mechanisms/kdr.hpp"
#include "core/mechanisms/km.hpp"
#include "core/mechanisms/leak.hpp"
#include "core/mechanisms/mechanism.hpp"
#include "core/mechanisms/nap.hpp"
#include "core/mechanisms/nat.hpp"
#include "core/mechanisms/sk.hpp"
#include "core/mechanisms/traub_miles.hpp"

namespace ranvier::core {

using density_mechanisms = type_list<hh, traub_miles, leak, nat, nap, kdr, ka, km, cal, cat, ih, sk, bk, cad>;

}  // namespace ranvier::core
