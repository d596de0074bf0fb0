// The postsynaptic side of connections with a cleft (core/synapses/cleft.hpp):
// each step every such connection onto this receptor adds its conductance
// (its weight times its own receptors' open fraction at the step's start,
// from its cleft's [NT]); the receptor holds their sum for the step. It
// keeps no dynamics of its own: those are per connection, in its cleft.
#pragma once

#include "core/hd.hpp"
#include "core/synapses/receptor.hpp"

namespace ranvier::core {

struct cleftsyn {
  static constexpr const char* name = "cleft";
  static constexpr const char* doc =
      "the conductance of connections with a synaptic cleft ([projection.cleft]): each step the sum of their "
      "weights times their receptors' open fraction, from their cleft's transmitter";
  enum param : int {
    e,  // reversal potential [mV]
    nuser,
    nparam = nuser
  };
  static constexpr param_spec params[nuser] = {{"e", "mV", 0.0, "reversal potential"}};
  enum state : int { g, nstate };
  static constexpr const char* states[nstate] = {"g"};
  static constexpr bool needs_cleft = true;

  static void derive(double*, const derive_ctx&) {}

  // w: this step's conductances of the connections onto it [µS].
  template <class M, class T>
  RANVIER_HD static void deliver(const T*, T* s, T w) {
    s[g] = w;
  }
  template <class M, class T>
  RANVIER_HD static void current(const T* p, const T* s, T v, T& i, T& gsum) {
    i += s[g] * (v - p[e]);
    gsum += s[g];
  }
  template <class M, class T>
  RANVIER_HD static void advance(const T*, T*) {}
  template <class T>
  RANVIER_HD static T conductance(const T*, const T* s) {
    return s[g];
  }
};

}  // namespace ranvier::core
