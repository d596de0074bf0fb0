// The synaptic receptors Ranvier knows, in registry order: a receptor's kind
// is its index here. Adding one is a file in this folder and an entry below.
#pragma once

#include "core/synapses/alpha_current.hpp"
#include "core/synapses/alphasyn.hpp"
#include "core/synapses/cleftsyn.hpp"
#include "core/synapses/exp2syn.hpp"
#include "core/synapses/exp_current.hpp"
#include "core/synapses/gabab.hpp"
#include "core/synapses/kinetic.hpp"
#include "core/synapses/pulsesyn.hpp"
#include "core/synapses/expsyn.hpp"
#include "core/synapses/receptor.hpp"

namespace ranvier::core {

using receptor_kinds = type_list<expsyn, exp2syn, alphasyn, exp_current, alpha_current, pulsesyn, kinetic, ampa, gaba_a, nmda, gabab, cleftsyn>;

}  // namespace ranvier::core
