// The channel library (core/mechanisms/: nat, nap, kdr, ka, km, cal, cat, ih,
// sk, bk, cad) checked three ways:
//  - unit: each mechanism's contract on its own: init() is a steady state of
//    advance() at fixed v and [Ca²⁺]i, and current()'s slope conductance is
//    di/dv; the Nernst and GHK formulas of ions.hpp at known points;
//  - validation: single-compartment cells run by the CPU engine against NEURON
//    running the same equations (tools/peers/mod/rv_*.mod, reference data by
//    tools/peers/neuron_channels.py): the whole voltage trace and the spike
//    times;
//  - gpu: the same cells on the CPU and CUDA engines, bit for bit.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "core/mechanisms/ions.hpp"
#include "core/mechanisms/registry.hpp"
#include "host/model/mechanisms.hpp"
#include "support.hpp"

using namespace ranvier;
using namespace ranvier::test;

namespace {

using dm = core::deterministic_math;

// |a − b| relative to |b| (or absolute where b is 0).
double rel_err(double a, double b) { return b == 0.0 ? std::fabs(a) : std::fabs(a - b) / std::fabs(b); }

// One instance's parameters: defaults (pbar raised from 0 so that the GHK
// path is exercised), then the derived ones for ctx.
template <class Mech, class T>
std::vector<T> parameters(const core::derive_ctx& ctx) {
  std::vector<double> p(Mech::nparam, 0.0);
  for (int i = 0; i < Mech::nuser; ++i)
    p[i] = std::string(Mech::params[i].name) == "pbar" ? 1e-5 : Mech::params[i].default_value;
  Mech::derive(p.data(), ctx);
  return std::vector<T>(p.begin(), p.end());
}

core::derive_ctx context(bool ca_dynamic) {
  core::derive_ctx c;
  c.dt = 0.025;
  c.celsius = 34.0;
  c.ktf = 1000.0 * 8.314462618 * (273.15 + c.celsius) / core::faraday_c_per_mol;
  c.cao = 2.0;
  c.eca = c.ktf / 2.0 * std::log(c.cao / 5e-5);
  c.ca_dynamic = ca_dynamic;
  return c;
}

// The kinds the channel library added (hh, traub_miles, leak have their own tests).
const std::set<std::string> library = {"nat", "nap", "kdr", "ka", "km", "cal", "cat", "ih", "sk", "bk", "cad"};

}  // namespace

TEST_SUITE("unit") {

TEST_CASE("the registry keeps hh, traub_miles, leak first and names every kind once") {
  const auto kinds = mechanism_kinds();
  REQUIRE(kinds.size() >= 14);
  CHECK(std::string(kinds[0].kind) == "hh");
  CHECK(std::string(kinds[1].kind) == "traub_miles");
  CHECK(std::string(kinds[2].kind) == "leak");
  std::set<std::string> names;
  for (const auto& k : kinds) names.insert(k.kind);
  CHECK(names.size() == kinds.size());
  for (const auto& n : library) {
    CAPTURE(n);
    CHECK(names.count(n) == 1);
  }
  // Every state fits the engines' fixed capacity.
  core::for_each_type(core::density_mechanisms{}, [&]<class Mech>(int) {
    CAPTURE(Mech::name);
    CHECK(Mech::nstate <= core::max_mech_states);
  });
}

TEST_CASE_TEMPLATE("every mechanism's init() is a steady state of its advance() at fixed v and [Ca]i", T, double,
                   float) {
  // x = x∞ makes the exponential-Euler step x∞ + (x − x∞)·e^(−dt/τ) return
  // x∞ exactly, so a correct init() leaves nothing for advance() to change;
  // a state set from the wrong rate (or at the wrong v, or a swapped gate)
  // moves. Allowed: 4 ulps, for a rounding in init() that advance() does in
  // another order.
  const T ulps = T(4) * std::numeric_limits<T>::epsilon();
  for (const bool dynamic : {false, true}) {
    const auto ctx = context(dynamic);
    core::for_each_type(core::density_mechanisms{}, [&]<class Mech>(int) {
      if (!library.count(Mech::name)) return;
      const auto p = parameters<Mech, T>(ctx);
      for (const T v : {T(-120), T(-90), T(-65), T(-40), T(-10), T(30)})
        for (const T cai0 : {T(5e-5), T(1e-4), T(2e-3)}) {
          CAPTURE(Mech::name);
          CAPTURE(v);
          CAPTURE(cai0);
          if constexpr (Mech::writes_cai) {
            // A pool's steady state at Ca²⁺ current ica: [Ca]i = mincai − β·ica·decay.
            for (const T ica : {T(0), T(-1e-4)}) {
              T cai = p[core::cad::mincai] - p[core::cad::beta] * ica * p[core::cad::decay];
              const T before = cai;
              T none[1] = {};
              Mech::template advance<dm>(p.data(), none, v, cai, ica);
              CAPTURE(ica);
              CHECK(std::fabs(cai - before) <= ulps * std::fabs(before));
            }
          } else {
            T s[core::at_least_one(Mech::nstate)];
            Mech::template init<dm>(p.data(), s, v, cai0);
            T after[core::at_least_one(Mech::nstate)];
            std::copy(s, s + Mech::nstate, after);
            T cai = cai0;
            Mech::template advance<dm>(p.data(), after, v, cai, T(0));
            CHECK(cai == cai0);  // only pools change [Ca]i
            for (int q = 0; q < Mech::nstate; ++q) {
              CAPTURE(Mech::states[q]);
              CAPTURE(s[q]);
              CAPTURE(after[q]);
              CHECK(s[q] >= T(0));
              CHECK(s[q] <= T(1));
              CHECK(std::fabs(after[q] - s[q]) <= ulps * std::fabs(s[q]));
            }
            // And away from it the states do move (the check above can fail).
            if (Mech::nstate > 0) {
              T off[core::at_least_one(Mech::nstate)];
              for (int q = 0; q < Mech::nstate; ++q) off[q] = T(0.5) * s[q] + T(0.25);
              Mech::template advance<dm>(p.data(), off, v, cai, T(0));
              bool moved = false;
              for (int q = 0; q < Mech::nstate; ++q) moved = moved || off[q] != T(0.5) * s[q] + T(0.25);
              CHECK(moved);
            }
          }
        }
    });
  }
}

TEST_CASE("every mechanism's slope conductance is di/dv") {
  // At fixed states a channel's current is linear in v where it is ohmic, so
  // the central difference over ±1e-3 mV is its slope to rounding: ~1e-16·|i|
  // /1e-3 mV, relative to g below 1e-9 for these currents; bound 1e-8. The
  // GHK part's slope is NEURON's forward difference over 0.001 mV, whose
  // error against the true derivative is 0.0005 mV·|j''/j'|, with j varying
  // on the scale RT/2F ≈ 13 mV: below 4e-5 relative; bound 1e-4 where a Ca²⁺
  // channel has a GHK part.
  const double h = 1e-3;
  for (const bool dynamic : {false, true}) {
    const auto ctx = context(dynamic);
    core::for_each_type(core::density_mechanisms{}, [&]<class Mech>(int) {
      if (!library.count(Mech::name)) return;
      const auto p = parameters<Mech, double>(ctx);
      // States away from both ends, so that no conductance underflows.
      double s[core::at_least_one(Mech::nstate)];
      for (int q = 0; q < Mech::nstate; ++q) s[q] = 0.3 + 0.2 * q;
      for (const double v : {-100.0, -70.0, -45.0, -10.0, 0.0, 25.0})
        for (const double cai : {5e-5, 1e-3}) {
          core::flux<double> f, fp, fm;
          Mech::template current<dm>(p.data(), s, v, cai, f);
          Mech::template current<dm>(p.data(), s, v + h, cai, fp);
          Mech::template current<dm>(p.data(), s, v - h, cai, fm);
          const double fd = (fp.i - fm.i) / (2 * h);
          const double bound = Mech::carries_ca ? 1e-4 : 1e-8;
          CAPTURE(Mech::name);
          CAPTURE(dynamic);
          CAPTURE(v);
          CAPTURE(cai);
          CAPTURE(f.i);
          CAPTURE(f.g);
          CAPTURE(fd);
          const double err = rel_err(f.g, fd);
          CAPTURE(err);
          CHECK(err <= bound);
          if (Mech::writes_cai) {
            CHECK(f.i == 0.0);
            CHECK(f.g == 0.0);
          } else {
            CHECK(f.g > 0.0);  // the check above compared something
          }
          // A Ca²⁺ channel's whole current is Ca²⁺ current; no other carries any.
          if (Mech::carries_ca) {
            CHECK(f.ica == f.i);
            CHECK(f.gca == f.g);
          } else {
            CHECK(f.ica == 0.0);
            CHECK(f.gca == 0.0);
          }
        }
    });
  }
}

TEST_CASE("the Ca channels take e_Ca from the moving [Ca]i only where a pool moves it") {
  // With only the ohmic part, i = 0 exactly at e_Ca: at ctx.eca when e_Ca is
  // constant, at Nernst of the present [Ca]i when dynamic.
  for (const bool dynamic : {false, true}) {
    const auto ctx = context(dynamic);
    auto p = parameters<core::cal, double>(ctx);
    p[core::cal::pbar] = 0.0;
    const double s[2] = {0.5, 0.5};
    const double cai = 1e-3;  // not the 5e-5 mM of ctx.eca
    const double e = dynamic ? ctx.ktf / 2.0 * std::log(ctx.cao / cai) : ctx.eca;
    core::flux<double> f;
    core::cal::current<dm>(p.data(), s, e, cai, f);
    CAPTURE(dynamic);
    CAPTURE(e);
    CAPTURE(f.i);
    // |i| ≤ g·(rounding of e, ~1e-13 mV): g = 1e-5·0.125 S/cm².
    CHECK(std::fabs(f.i) <= 1.25e-6 * 1e-12);
    core::flux<double> other;
    core::cal::current<dm>(p.data(), s, e + 10.0, cai, other);
    const double err = rel_err(other.i, 1.25e-6 * 10.0);  // g·10 mV
    CAPTURE(err);
    CHECK(err < 1e-12);
  }
}

TEST_CASE("GHK current: zero at the Nernst potential, finite and continuous at 0 mV, the right magnitude") {
  const double ktf = 1000.0 * 8.314462618 * (273.15 + 34.0) / core::faraday_c_per_mol;
  const double ci = 1e-4, co = 2.0;
  const double e = core::nernst(ktf, 2, ci, co);
  CAPTURE(e);
  CHECK(rel_err(e, ktf / 2.0 * std::log(co / ci)) < 1e-14);
  // Zero at e: the two terms (each ~2F·1e-3·co·|u| ≈ 1.9 mA/cm² per cm/s)
  // cancel to rounding.
  const double j_e = core::ghk<dm>(e, ci, co, ktf, 2);
  CAPTURE(j_e);
  CHECK(std::fabs(j_e) < 1e-12);
  // At 0 mV the limit z·F·1e-3·(ci − co); and no jump across it.
  const double j0 = core::ghk<dm>(0.0, ci, co, ktf, 2);
  const double lim = 2 * core::faraday_c_per_mol * 1e-3 * (ci - co);
  CAPTURE(j0);
  CHECK(rel_err(j0, lim) < 1e-15);
  const double jp = core::ghk<dm>(1e-9, ci, co, ktf, 2), jm = core::ghk<dm>(-1e-9, ci, co, ktf, 2);
  CAPTURE(jp);
  CAPTURE(jm);
  CHECK(rel_err(jp, j0) < 1e-9);
  CHECK(rel_err(jm, j0) < 1e-9);
  // Far from 0 the textbook form, computed here with libm.
  for (const double v : {-80.0, -20.0, 30.0}) {
    const double u = 2 * v / ktf;
    const double ref = 2 * core::faraday_c_per_mol * 1e-3 * (ci - co * std::exp(-u)) * u / (1 - std::exp(-u));
    const double j = core::ghk<dm>(v, ci, co, ktf, 2);
    CAPTURE(v);
    CAPTURE(j);
    CAPTURE(ref);
    CHECK(rel_err(j, ref) < 1e-13);
  }
}

}  // TEST_SUITE

namespace {

std::string reference() {
  return read_text(std::string(RANVIER_TEST_DATA_DIR) + "/validation/data/neuron_channels.json");
}

std::string string_of(const std::string& json, const std::string& key) {
  const auto k = json.find("\"" + key + "\"");
  REQUIRE_MESSAGE(k != std::string::npos, "no key " << key);
  const auto open = json.find('"', json.find(':', k) + 1);
  return json.substr(open + 1, json.find('"', open + 1) - open - 1);
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> w;
  for (std::string x; in >> x;) w.push_back(x);
  return w;
}

// The cell of one reference case, as tools/peers/neuron_channels.py built it
// in NEURON: its settings are read from the case's JSON object. Records:
// spikes, then v, then (with a pool) cai, every step.
network channel_cell(const std::string& all, const std::string& c) {
  network net;
  net.sim.dt = json_number(all, {"dt_ms"});
  net.sim.secondorder = static_cast<int>(json_number(all, {"secondorder"}));
  net.sim.celsius = json_number(c, {"celsius_degC"});
  net.sim.duration = json_number(c, {"tstop_ms"});
  cell_desc cell;
  cell.name = "cell";
  cell.area = json_number(c, {"area_um2"});  // NEURON's π·L·diam, 1000 µm² to rounding
  cell.cm = json_number(all, {"cm_uF_per_cm2"});
  cell.threshold = json_number(all, {"threshold_mV"});
  cell.na.given = true;
  cell.na.e = json_number(c, {"ena_mV"});
  cell.k.given = true;
  cell.k.e = json_number(c, {"ek_mV"});
  const std::string ca = object_of(c, "ca");
  const std::string mode = string_of(ca, "mode");
  if (mode == "fixed") {
    cell.ca.given = true;
    cell.ca.e = json_number(ca, {"eca_mV"});
  } else if (mode == "nernst") {
    cell.ca.given = true;
    cell.ca.nernst = true;
    cell.ca.ci = json_number(ca, {"cai0_mM"});
    cell.ca.co = json_number(ca, {"cao0_mM"});
  } else {
    REQUIRE(mode == "default");  // NEURON's cai0, cao0: Ranvier's defaults too
    REQUIRE(json_number(ca, {"cai0_mM"}) == 5e-5);
    REQUIRE(json_number(ca, {"cao0_mM"}) == 2.0);
  }
  // Every user parameter but the reversal potentials (those come from the
  // cell's ions, as in NEURON) is in the file, and must be.
  const std::string params = object_of(c, "params");
  bool pool = false;
  for (const auto& kind : words(string_of(c, "mechanisms"))) {
    const kind_info* info = find_mechanism(kind);
    REQUIRE_MESSAGE(info, "unknown kind " << kind);
    pool = pool || info->writes_cai;
    mechanism_desc md;
    md.kind = kind;
    md.name = kind;
    for (const auto& p : info->params)
      if (p.reversal == core::ion::none) md.params[p.name] = json_number(params, {kind + "." + p.name});
    cell.mechanisms.push_back(md);
  }
  cell.init["v"] = distribution::constant(json_number(c, {"v_init_mV"}));
  net.cells.push_back(cell);
  population_desc pop;
  pop.name = "cell";
  pop.size = 1;
  pop.cell = "cell";
  net.populations.push_back(pop);
  const auto start = json_numbers(c, {"stim_start_ms"});
  const auto stop = json_numbers(c, {"stim_stop_ms"});
  const auto amp = json_numbers(c, {"stim_amp_nA"});
  REQUIRE(start.size() == amp.size());
  REQUIRE(stop.size() == amp.size());
  for (std::size_t i = 0; i < amp.size(); ++i) {
    stimulus_desc s;
    s.population = "cell";
    s.amp = {amp[i]};
    s.start = start[i];
    s.stop = stop[i];
    net.stimuli.push_back(s);
  }
  add_record(net, "cell", "spikes");
  add_record(net, "cell", "v");
  if (pool) add_record(net, "cell", "cai");
  return net;
}

struct bound {
  const char* name;
  double v_mV;           // largest |Δv| allowed over the trace, in double [mV]
  double cai_rel;        // largest |Δ[Ca]i|/[Ca]i allowed, in double [1] (0: no pool)
  double v_float_mV;     // the same in single precision [mV]
  double cai_float_rel;  // [1]
};

// The bounds, per case, with what sets them. Both simulators take the same
// steps with the same equations; what differs is rounding (Ranvier's exp and
// log against NEURON's libm; the order of operations of the two sources of
// each rate function; NEURON's numerical di/dv of ohmic currents) at ~1e-16
// relative per operation (the reference file keeps every digit). Where v
// moves slowly the difference stays there (1e-13 mV). During a spike v moves by up to ~300 mV/ms, so a difference δt in
// when an upstroke happens shows as 300 mV/ms·δt, and a train lets δt grow
// from spike to spike (the phase of a limit cycle is neutral: nothing pulls
// it back); with a Ca²⁺ pool the spikes' Ca²⁺ adds up in [Ca]i and feeds back
// through SK/BK, and the difference grows most. Measured (x86-64, Debian's
// NEURON 8.2.2): the value after each bound; the bounds are about 10× that.
// Ranvier's side is the same on every machine (deterministic math), so the
// margin is for regenerated reference data only. They catch any change of
// the equations: a change of one parameter by 1e-6 (relative) moves
// ms96_23 by 2e-3 mV, ghk_bk_34 by 5e-4 mV (and its [Ca]i by 2e-6), ka_24 by
// 7e-6 mV.
//
// In single precision each operation rounds at 6e-8 (relative): 6e-6 mV on v,
// more on the rate functions (e^x with |x| ~ 10 carries ~1e-6); over
// thousands of steps a smooth trace collects ~1e-3 mV, and a spike turns a
// difference δt in its timing into 300 mV/ms·δt. Measured: the second
// value; bounds again about 10× that. Spikes still fall in NEURON's steps.
const bound bounds[] = {
    {"ms96_23", 2e-9, 0.0, 0.03, 0.0},             // 1.4e-10 mV; float 2.4e-3 mV
    {"ms96_30", 3e-9, 0.0, 0.1, 0.0},              // 3.1e-10 mV; float 1.2e-2 mV
    {"nap_34", 2e-12, 0.0, 0.01, 0.0},             // 1.6e-13 mV; float 1.0e-3 mV
    {"ka_34", 5e-9, 0.0, 0.05, 0.0},               // 4.0e-10 mV; float 4.3e-3 mV
    {"ka_24", 1e-12, 0.0, 2e-3, 0.0},              // 7.8e-14 mV; float 2.0e-4 mV
    {"ih_34", 2e-12, 0.0, 0.01, 0.0},              // 2.0e-13 mV; float 1.0e-3 mV
    {"cal_cad_sk_34", 4e-7, 5e-10, 0.7, 3e-4},     // 3.8e-8 mV, [Ca]i 4.2e-11; float 7.1e-2 mV, 3.1e-5
    {"cat_fixed_eca_34", 1e-8, 0.0, 2.0, 0.0},     // 8.0e-10 mV; float 0.19 mV (a rebound spike)
    {"ghk_bk_34", 4e-7, 2e-10, 0.15, 3e-4},        // 4.0e-8 mV, [Ca]i 1.6e-11; float 1.3e-2 mV, 3.2e-5
};

}  // namespace

TEST_SUITE("validation") {

TEST_CASE_TEMPLATE("the channel library matches NEURON running the same equations", T, double, float) {
  const bool single = std::is_same_v<T, float>;
  const std::string all = reference();
  const double dt = json_number(all, {"dt_ms"});
  const auto every = static_cast<std::size_t>(json_number(all, {"sample_every_steps"}));
  const std::string cases = object_of(all, "cases");
  std::set<std::string> exercised;
  for (const auto& b : bounds) {
    const std::string name = b.name;
    CAPTURE(name);
    const std::string c = object_of(cases, b.name);
    network net = channel_cell(all, c);
    net.sim.prec = single ? precision::single : precision::double_;
    const double v_bound = single ? b.v_float_mV : b.v_mV;
    const double cai_bound = single ? b.cai_float_rel : b.cai_rel;
    for (const auto& m : net.cells[0].mechanisms) exercised.insert(m.kind);
    const auto o = run(net, which::cpu);

    // Voltage: every sample of NEURON's (every `every`-th step from t = 0).
    const auto v_ref = json_numbers(c, {"v_mV"});
    const auto& v = o.traces.at(1).values;
    REQUIRE(v.size() == static_cast<std::size_t>(o.steps) + 1);
    REQUIRE(v_ref.size() == (v.size() - 1) / every + 1);
    double worst = 0.0, worst_t = 0.0;
    for (std::size_t i = 0; i < v_ref.size(); ++i) {
      const double d = std::fabs(v[i * every] - v_ref[i]);
      if (d > worst) worst = d, worst_t = static_cast<double>(i * every) * dt;
    }
    MESSAGE(name << std::string(single ? " (float)" : " (double)") << ": max |dv| = " << worst << " mV at t = " << worst_t
                  << " ms (bound " << v_bound << " mV)");
    CAPTURE(worst);
    CAPTURE(worst_t);
    CHECK(worst <= v_bound);

    // [Ca]i where a pool moves it: relative, [Ca]i spans 5e-5 to 5e-3 mM.
    if (cai_bound > 0.0) {
      const auto cai_ref = json_numbers(c, {"cai_mM"});
      const auto& cai = o.traces.at(2).values;
      REQUIRE(cai_ref.size() == v_ref.size());
      double worst_cai = 0.0;
      for (std::size_t i = 0; i < cai_ref.size(); ++i)
        worst_cai = std::max(worst_cai, rel_err(cai[i * every], cai_ref[i]));
      MESSAGE(name << ": max |dcai|/cai = " << worst_cai << " (bound " << cai_bound << ")");
      CAPTURE(worst_cai);
      CHECK(worst_cai <= cai_bound);
    }

    // Spikes: the same number, each in the same step. Both stamp a spike
    // with the end of the step in which v crossed the threshold.
    const auto t_ref = json_numbers(c, {"spike_times_ms"});
    const auto t = spike_times(o, "cell");
    MESSAGE(name << ": " << t.size() << " spikes (NEURON " << t_ref.size() << ")");
    REQUIRE(t.size() == t_ref.size());
    double worst_dt = 0.0;
    for (std::size_t i = 0; i < t.size(); ++i) worst_dt = std::max(worst_dt, std::fabs(t[i] - t_ref[i]));
    MESSAGE(name << ": max |dt| of spikes = " << worst_dt << " ms");
    CAPTURE(worst_dt);
    CHECK(worst_dt < dt / 2);
  }
  // Every kind of the library is in some case.
  for (const auto& n : library) {
    CAPTURE(n);
    CHECK(exercised.count(n) == 1);
  }
}

TEST_CASE("a calcium pool advances before the channels that read it, whatever the order listed") {
  // NEURON advances the mechanisms that write a concentration first. With
  // the pool listed last (sk and bk before cad), a per-list order would hand
  // them the previous step's [Ca]i and move v by ~0.3 mV; pools-first keeps
  // the agreement with NEURON within the same bounds as the listed order.
  const std::string all = reference();
  const std::string cases = object_of(all, "cases");
  const auto every = static_cast<std::size_t>(json_number(all, {"sample_every_steps"}));
  for (const char* name : {"cal_cad_sk_34", "ghk_bk_34"}) {
    CAPTURE(name);
    const std::string c = object_of(cases, name);
    network net = channel_cell(all, c);
    auto& ms = net.cells[0].mechanisms;
    REQUIRE(ms.back().kind != "cad");  // the reference lists the pool before the channels...
    std::stable_partition(ms.begin(), ms.end(), [](const mechanism_desc& m) { return m.kind != "cad"; });
    REQUIRE(ms.back().kind == "cad");  // ...here it comes after them
    const auto o = run(net, which::cpu);
    const auto v_ref = json_numbers(c, {"v_mV"});
    const auto& v = o.traces.at(1).values;
    double worst = 0.0;
    for (std::size_t i = 0; i < v_ref.size(); ++i) worst = std::max(worst, std::fabs(v[i * every] - v_ref[i]));
    MESSAGE(std::string(name) << " with the pool listed last: max |dv| = " << worst << " mV");
    const auto b = std::find_if(std::begin(bounds), std::end(bounds), [&](const bound& x) { return x.name == std::string(name); });
    REQUIRE(b != std::end(bounds));
    CHECK(worst < b->v_mV);  // the listed order's bound
  }
}

}  // TEST_SUITE

TEST_SUITE("gpu") {

TEST_CASE_TEMPLATE("the channel library: CPU and CUDA engines agree bit for bit", T, float, double) {
  const std::string all = reference();
  const std::string cases = object_of(all, "cases");
  for (const auto& b : bounds) {
    const std::string name = b.name;
    CAPTURE(name);
    network net = channel_cell(all, object_of(cases, b.name));
    net.sim.prec = precision_of(T{});
    check_identical(run(net, which::cpu), run(net, which::cuda));
  }
}

}  // TEST_SUITE
