// The view of one plastic projection (its own CSR by source, connections of
// one source ordered by delay, and an index by postsynaptic cell) and the
// per-connection and per-cell steps of its rule, called by both engines: the
// CPU engine over a step's spikes, the CUDA kernels (kernels/plasticity.cu)
// one lane per connection. Static projections keep the compact CSR of
// host/pack/image.hpp; plastic state lives only here.
#pragma once

#include <cstdint>

#include "core/fixed_point.hpp"
#include "core/hd.hpp"
#include "core/plasticity/calcium.hpp"
#include "core/plasticity/hebbian.hpp"
#include "core/plasticity/modulated.hpp"
#include "core/plasticity/stdp.hpp"
#include "core/synapses/cleft.hpp"
#include "core/synapses/kinetic.hpp"
#include "core/synapses/terminal.hpp"

namespace ranvier::core {

// none: weights fixed, the projection plastic for its presynaptic terminals'
// short-term dynamics only (core/synapses/terminal.hpp). calcium: Graupner &
// Brunel's rule (calcium.hpp). modulated: dopamine-modulated STDP
// (modulated.hpp), STDP's traces feeding an eligibility per connection.
enum class plastic_rule : int { none = 0, stdp = 1, hebbian = 2, calcium = 3, modulated = 4 };

// Whether the rule keeps STDP's traces (X per connection, Y per cell).
RANVIER_HD bool has_stdp_traces(plastic_rule r) { return r == plastic_rule::stdp || r == plastic_rule::modulated; }

// A plastic connection's weight and STDP trace side by side: the
// postsynaptic events reach them at scattered places, one cache line each.
template <class T> struct plastic_synapse {
  T w;  // [weight unit]
  T x;  // STDP: presynaptic trace X at the reference step (stdp.hpp); else 0
};

template <class T> struct plastic_view {
  plastic_rule rule;
  stdp_params<T> stdp;
  hebbian_params<T> hebb;
  calcium_params<T> ca;
  modulation_params<T> mod;
  std::uint32_t pre_gid_base, npre;    // the sources: gids [pre_gid_base, +npre)
  std::uint32_t post_gid_base, npost;  // the postsynaptic cells
  std::uint32_t dmin, dmax;            // the connections' delays [steps]
  std::uint32_t post_delay;            // dendritic delay of the postsynaptic spike [steps]
  const std::uint64_t* row;            // npre + 1 offsets; a row's delays ascending
  const std::uint32_t* target;         // ring-buffer target
  const std::uint32_t* delay;          // [steps]
  const std::uint32_t* post;           // postsynaptic cell (index in its population)
  plastic_synapse<T>* syn;             // weight and pre trace
  T* y;                                // per postsynaptic cell: STDP trace Y at the reference step;
                                       // Hebbian: rate after its last spike [Hz]
  std::int64_t* y_step;                // Hebbian: the step of that spike
  T* r_pre;                            // Hebbian, per source: filtered rate after its last spike [Hz]
  T* theta;                            // BCM, per postsynaptic cell: the sliding threshold [Hz]
  std::int64_t* r_pre_step;
  calcium_synapse<T>* ca_syn;          // calcium rule, per connection: weight and calcium at its last event
  eligibility<T>* elig;                // modulated STDP, per connection
  modulator_state<T>* mod_state;       // modulated STDP: the projection's dopamine (the CPU engine: its first copy)
  const std::uint64_t* in_row;         // npost + 1 offsets into in_conn
  const std::uint64_t* in_conn;        // connections by postsynaptic cell
  kinetic_release_state<T>* release;   // per connection onto a kinetic receptor's target; null: none
  terminal_params<T> terminal;         // the presynaptic terminals' model (none: every spike delivers w)
  terminal_state<T>* term;             // per connection, with a terminal model
  cleft_params<T> cleft;               // the synaptic clefts' model (none: releases go to the target)
  cleft_state<T>* clefts;              // per connection, with a cleft
  const std::uint64_t* index;          // each connection's index in the image's order (random streams); null: c
};

// The connections of source `gid` with delay d: [lo, hi) (empty when the
// source is not this projection's).
template <class T>
RANVIER_HD void delay_range(const plastic_view<T>& P, std::uint32_t gid, std::uint32_t d, std::uint64_t& lo,
                            std::uint64_t& hi) {
  lo = hi = 0;
  if (gid < P.pre_gid_base || gid - P.pre_gid_base >= P.npre) return;
  const std::uint32_t p = gid - P.pre_gid_base;
  std::uint64_t a = P.row[p], b = P.row[p + 1];
  while (a < b) {  // first with delay >= d
    const std::uint64_t m = a + (b - a) / 2;
    if (P.delay[m] < d) a = m + 1;
    else b = m;
  }
  lo = a;
  b = P.row[p + 1];
  while (a < b) {  // first with delay > d
    const std::uint64_t m = a + (b - a) / 2;
    if (P.delay[m] <= d) a = m + 1;
    else b = m;
  }
  hi = a;
}

// The STDP traces' clock at step `now` (one per step and projection);
// modulated STDP: with the eligibility's factor and G from dopamine state
// ms (the projection's, advanced to `now`; 0 after a rebase at `now`).
template <class M, class T>
RANVIER_HD stdp_clock<T> plastic_clock(const plastic_view<T>& P, std::int64_t now,
                                       const modulator_state<T>* ms = nullptr) {
  if (!has_stdp_traces(P.rule)) return stdp_clock<T>{T(1), T(1), T(1), T(1), T(1), T(0)};
  stdp_clock<T> k = stdp_clock_at<M>(P.stdp, now);
  if (P.rule == plastic_rule::modulated) {
    k.elig_up = M::exp(static_cast<T>(now % P.stdp.block) * P.mod.rate_c);
    k.g = stdp_rebases_at(P.stdp, now) ? T(0) : (ms ? ms : P.mod_state)->g;
  }
  return k;
}

// Whether the traces are rebased onto a new reference at the start of step
// `now`, before its arrivals; plastic_rebase_connection and _cell do it.
template <class T>
RANVIER_HD bool plastic_rebases_at(const plastic_view<T>& P, std::int64_t now) {
  return has_stdp_traces(P.rule) && stdp_rebases_at(P.stdp, now);
}

// The factors of a rebase: the pre trace's, the post trace's, and
// modulated STDP's eligibility's, with G before the rebase (g_old: the
// projection's, in the reference that ends).
template <class T> struct rebase_factors {
  T plus, minus, c, g_old;
};

template <class M, class T>
RANVIER_HD rebase_factors<T> plastic_rebase_factors(const plastic_view<T>& P) {
  const bool mod = P.rule == plastic_rule::modulated;
  return {stdp_rebase_factor<M>(P.stdp, P.stdp.rate_plus), stdp_rebase_factor<M>(P.stdp, P.stdp.rate_minus),
          mod ? stdp_rebase_factor<M>(P.stdp, P.mod.rate_c) : T(1), mod ? P.mod_state->g : T(0)};
}

template <class T>
RANVIER_HD void plastic_rebase_connection(const plastic_view<T>& P, std::uint64_t c, const rebase_factors<T>& f) {
  P.syn[c].x = stdp_rebase(P.syn[c].x, f.plus);
  if (P.rule == plastic_rule::modulated) modulated_rebase(P.stdp, P.syn[c].w, P.elig[c], f.c, f.g_old);
}

template <class T>
RANVIER_HD void plastic_rebase_cell(const plastic_view<T>& P, std::uint32_t j, T f_minus) {
  P.y[j] = stdp_rebase(P.y[j], f_minus);
}

// What an arrival delivers: the weight [weight unit], and whether its
// terminal released at all (a quantal terminal may release nothing: then
// no transmitter reaches the target, not even a pulse of weight 0).
template <class T> struct arrival {
  T w;
  bool released;
};

// Connection c's arrival at step `now` (clock k): its rule's update, its
// terminal's release, and what it delivers to its target at that step.
template <class M, class T>
RANVIER_HD arrival<T> plastic_arrival(const plastic_view<T>& P, const stdp_clock<T>& k, std::uint64_t c,
                                      std::int64_t now) {
  plastic_synapse<T>& s = P.syn[c];
  T delivered = s.w;
  if (P.rule == plastic_rule::stdp) delivered = stdp_on_pre(P.stdp, k, s.w, s.x, P.y[P.post[c]]);
  else if (P.rule == plastic_rule::modulated) delivered = modulated_on_pre(P.stdp, k, s.w, s.x, P.elig[c], P.y[P.post[c]]);
  if (P.rule == plastic_rule::calcium)  // the weight now; without a lag the presynaptic transient too
    delivered = P.ca.lag == 0 ? calcium_event<M>(P.ca, P.ca_syn[c], s.w, now, P.ca.c_pre)
                              : calcium_weight_at<M>(P.ca, P.ca_syn[c], now);
  T f = T(1);  // the release: vesicles (quantal), the fraction u·x (Tsodyks–Markram), or 1
  if (P.terminal.model != terminal_model::none) {
    const auto index = static_cast<std::uint32_t>(P.index ? P.index[c] : c);
    f = terminal_release<M>(P.terminal, P.term[c], now, index);
  }
  if (P.cleft.model != cleft_receptor::none) {  // into the cleft; the target hears of it through plastic_cleft_step
    P.clefts[c].nt += P.cleft.quantum * f;
    return {delivered, false};
  }
  return {delivered * f, f != T(0)};
}

// A projection with clefts, each step after its arrivals: connection c's
// conductance now [µS] (to add to its target's ring row of this step; 0
// when its cleft is empty) and its cleft advanced over the step.
template <class T>
RANVIER_HD T plastic_cleft_step(const plastic_view<T>& P, std::uint64_t c) {
  cleft_state<T>& s = P.clefts[c];
  if (s.nt == T(0) && s.r == T(0)) return T(0);
  const T g = P.syn[c].w * cleft_open(P.cleft, s);
  cleft_advance(P.cleft, s);
  return g;
}

// A record's value of connection c at `now`: a terminal's field or its cleft's.
template <class T>
RANVIER_HD T connection_value(const terminal_params<T>& tp, const terminal_state<T>* term, const cleft_params<T>& cp,
                              const cleft_state<T>* clefts, connection_field f, std::uint64_t c, std::int64_t now) {
  if (f == connection_field::nt) return clefts[c].nt;
  if (f == connection_field::open) return cleft_open(cp, clefts[c]);
  return terminal_value(tp, term[c], f, now);
}

// Calcium rule with a lag D: the presynaptic transient on connection c at
// `now`, D after an arrival (before the step's arrivals, in its own pass).
template <class M, class T>
RANVIER_HD void plastic_late_pre(const plastic_view<T>& P, std::uint64_t c, std::int64_t now) {
  calcium_event<M>(P.ca, P.ca_syn[c], P.syn[c].w, now, P.ca.c_pre);
}

// Whether the rule has work per incoming connection at a postsynaptic event.
template <class T> RANVIER_HD bool plastic_post_touches_connections(const plastic_view<T>& P) {
  return has_stdp_traces(P.rule) || P.rule == plastic_rule::calcium;
}

// The postsynaptic event of cell j (its spike plus post_delay) at step
// `now` (clock k) on its incoming connection c.
template <class M, class T>
RANVIER_HD void plastic_post_connection(const plastic_view<T>& P, const stdp_clock<T>& k, std::uint64_t c,
                                        std::int64_t now) {
  if (P.rule == plastic_rule::stdp) stdp_on_post(P.stdp, k, P.syn[c].w, P.syn[c].x);
  else if (P.rule == plastic_rule::modulated) modulated_on_post(P.stdp, k, P.syn[c].w, P.syn[c].x, P.elig[c]);
  else if (P.rule == plastic_rule::calcium) calcium_event<M>(P.ca, P.ca_syn[c], P.syn[c].w, now, P.ca.c_post);
}

// After every connection of cell j saw its event at step `now` (clock k):
// the cell's own trace.
template <class M, class T>
RANVIER_HD void plastic_post_cell(const plastic_view<T>& P, const stdp_clock<T>& k, std::uint32_t j,
                                  std::int64_t now) {
  if (has_stdp_traces(P.rule)) stdp_post_trace(P.stdp, k, P.y[j]);
  else if (P.rule == plastic_rule::hebbian) rate_spike<M>(P.hebb, P.y[j], P.y_step[j], now);
}

// Hebbian: a spike of source gid (of the previous step) at the step's start.
template <class M, class T>
RANVIER_HD void plastic_pre_cell(const plastic_view<T>& P, std::uint32_t gid, std::int64_t now) {
  if (P.rule != plastic_rule::hebbian || gid < P.pre_gid_base || gid - P.pre_gid_base >= P.npre) return;
  const std::uint32_t i = gid - P.pre_gid_base;
  rate_spike<M>(P.hebb, P.r_pre[i], P.r_pre_step[i], now);
}

// Whether `now` is a learning step of an interval rule.
template <class T>
RANVIER_HD bool learns_at(const plastic_view<T>& P, std::int64_t now) {
  return P.rule == plastic_rule::hebbian && now > 0 && now % P.hebb.interval == 0;
}

// BCM, at a learning step `now`, before the connections': postsynaptic cell
// j's sliding threshold.
template <class M, class T>
RANVIER_HD void plastic_learn_cell(const plastic_view<T>& P, std::uint32_t j, std::int64_t now) {
  if (P.hebb.form != rate_form::bcm) return;
  P.theta[j] = bcm_threshold(P.hebb, P.theta[j], trace_at<M>(P.y[j], P.y_step[j], now, P.hebb.rate_decay));
}

// Hebbian learning on connection c (of source index i) at `now`.
template <class M, class T>
RANVIER_HD void plastic_learn(const plastic_view<T>& P, std::uint64_t c, std::uint32_t i, std::int64_t now) {
  const std::uint32_t j = P.post[c];
  const T yi = trace_at<M>(P.r_pre[i], P.r_pre_step[i], now, P.hebb.rate_decay);
  const T yj = trace_at<M>(P.y[j], P.y_step[j], now, P.hebb.rate_decay);
  P.syn[c].w = hebbian_update<M>(P.hebb, P.syn[c].w, yi, yj, P.theta ? P.theta[j] : T(0));
}

// Modulated STDP: the projection's dopamine from the start of step now − 1
// to `now`, given the modulator's spikes in step now − 1 (once a step, at
// its end, per copy of the state).
template <class M, class T>
RANVIER_HD void plastic_modulate(const plastic_view<T>& P, modulator_state<T>& ms, std::int64_t now,
                                 std::uint32_t count) {
  modulator_advance<M>(P.mod, P.stdp.block, ms, now, count);
}

// Whether gid is one of the projection's modulatory cells.
template <class T> RANVIER_HD bool is_modulator(const plastic_view<T>& P, std::uint32_t gid) {
  return gid >= P.mod.gid_base && gid - P.mod.gid_base < P.mod.n;
}

// Connection c's weight as reported (records, histograms, the exported
// state): modulated STDP's brought to the projection's G now (elig set),
// else the stored one.
template <class T>
RANVIER_HD T reported_weight(const plastic_synapse<T>* syn, const eligibility<T>* elig, const modulator_state<T>* ms,
                             const stdp_params<T>& p, std::uint64_t c) {
  return elig ? modulated_weight(syn[c].w, elig[c], ms->g, p.w_min, p.w_max) : syn[c].w;
}

// The histogram bin of weight w: bins equal bins over [lo, lo + bins/scale],
// scale = bins/(hi − lo); the ends go to the first and last bin.
template <class T>
RANVIER_HD std::uint32_t weight_bin(T w, T lo, T scale, std::uint32_t bins) {
  const T b = (w - lo) * scale;
  if (!(b > T(0))) return 0;
  const auto i = static_cast<std::uint32_t>(b);
  return i < bins ? i : bins - 1;
}

}  // namespace ranvier::core
