// The seed's instantaneous synapse: each arriving spike opens a conductance
// of its weight w [µS] for a fixed duration, after which it closes; pulses
// of several arrivals overlap and add. The receptor's state is the
// conductance open now, g = Σ w over the arrivals of the last `duration`;
// the ring delivers w at an arrival and the pulse ring w again when its
// pulse closes (`duration` rounded to whole steps, at least one).
#pragma once

#include "core/hd.hpp"
#include "core/synapses/receptor.hpp"

namespace ranvier::core {

struct pulsesyn {
  static constexpr const char* name = "pulsesyn";
  static constexpr const char* doc =
      "a conductance of the weight held for a fixed duration after each arriving spike (the seed's instantaneous "
      "synapse)";
  enum param : int {
    duration,  // how long a pulse stays open [ms]
    e,         // reversal potential [mV]
    nuser,
    nparam = nuser
  };
  static constexpr param_spec params[nuser] = {{"duration", "ms", 1.0, "how long each arrival's conductance stays open"},
                                               {"e", "mV", 0.0, "reversal potential"}};
  static constexpr int pulse_param = duration;
  enum state : int { g, nstate };
  static constexpr const char* states[nstate] = {"g"};

  static void derive(double*, const derive_ctx&) {}

  // w: the weights opening this step; w_end: those closing.
  template <class M, class T>
  RANVIER_HD static void deliver_pulse(const T*, T* s, T w, T w_end, T /*moved: kinetic receptors only*/) {
    s[g] += w - w_end;
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
