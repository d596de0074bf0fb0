// The neuron models Ranvier knows besides the membrane of mechanisms, in
// registry order: a model's kind is its index here. Adding one is a file in
// this folder and an entry below.
#pragma once

#include "core/neurons/adex.hpp"
#include "core/neurons/fhn.hpp"
#include "core/neurons/izhikevich.hpp"
#include "core/neurons/lif.hpp"
#include "core/neurons/neuron.hpp"

namespace ranvier::core {

using neuron_models = type_list<lif, izhikevich, adex, fhn>;

}  // namespace ranvier::core
