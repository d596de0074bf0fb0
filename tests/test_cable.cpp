// Validation of cable cells on the CPU reference engine against closed forms:
// a passive sealed-end cable at steady state and its input resistance, the
// voltage transient of a long cable (Rall's erf), a one-compartment cable
// cell against the point neuron, a gap-coupled pair against its linear
// circuit, the squid axon's conduction velocity against Hodgkin & Huxley's
// computed 18.8 m/s, and a myelinated axon against an unmyelinated one.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "host/build/morphology.hpp"
#include "host/run.hpp"
#include "support.hpp"

using namespace ranvier;
using namespace ranvier::test;

namespace {

constexpr double pi = std::numbers::pi;

// A cylinder section of nseg segments (L, d [µm]).
section_desc cylinder(const std::string& name, const std::string& tag, double L, double d, int nseg) {
  auto s = section_desc::cylinder(name, tag, L, d);
  s.has_discretization = true;
  s.discretization.type = discretization_desc::rule::nseg;
  s.discretization.nseg = nseg;
  return s;
}

// One passive cylinder "cable" (L [µm], d [µm], nseg segments), Ra 100 Ω·cm,
// cm 1 µF/cm², leak 1e-4 S/cm² reversing at 0 mV (v is the deviation from
// rest), a current `amp` [nA] into its start (x = 0) from t = 0, and v
// recorded at every node along it every `interval` ms.
network passive_cable(double L, double d, int nseg, double dt, double tstop, double amp, double interval) {
  network net;
  net.sim.dt = dt;
  net.sim.duration = tstop;
  cell_desc c;
  c.name = "cable";
  c.has_morphology = true;
  c.ra = 100.0;
  c.cm = 1.0;
  auto s = cylinder("cable", "dend", L, d, nseg);
  c.morphology.sections.push_back(s);
  mechanism_desc leak;
  leak.kind = "leak";
  leak.params["g"] = 1e-4;
  leak.params["e"] = 0.0;
  c.mechanisms.push_back(leak);
  c.init["v"] = distribution::constant(0.0);
  net.cells.push_back(c);
  population_desc p;
  p.name = "cable";
  p.size = 1;
  p.cell = "cable";
  net.populations.push_back(p);
  stimulus_desc st;
  st.population = "cable";
  st.amp = {amp};
  st.location.section = "cable";
  st.location.x = 0.0;
  net.stimuli.push_back(st);
  record_desc r;
  r.population = "cable";
  r.variable = "v";
  r.along = "cable";
  r.interval = interval;
  net.records.push_back(r);
  return net;
}

// Positions [µm] of the nodes along one section of nseg segments: start, centres, end.
std::vector<double> node_positions(double L, int nseg) {
  std::vector<double> x{0.0};
  for (int j = 0; j < nseg; ++j) x.push_back(L * (j + 0.5) / nseg);
  x.push_back(L);
  return x;
}

// The cable of passive_cable in the units of cable theory: length constant
// λ = √(d·Rm/(4·Ra)) [µm] and R∞ = 4·Ra·λ/(π·d²) [MΩ], the input resistance of
// a semi-infinite cable.
struct cable_constants {
  double lambda_um;
  double rinf_mohm;
};
cable_constants constants(double d_um) {
  const double rm = 1e4, ra = 100.0;  // [Ω·cm²], [Ω·cm]
  const double d = d_um * 1e-4;       // [cm]
  const double lambda = std::sqrt(d * rm / (4.0 * ra));  // [cm]
  return {lambda * 1e4, 4.0 * ra * lambda / (pi * d * d) * 1e-6};
}

}  // namespace

TEST_SUITE("validation") {

TEST_CASE("a passive sealed-end cable reaches cable theory's steady state and input resistance") {
  // V(x) = I·R∞·cosh((L − x)/λ)/sinh(L/λ) for current I into one end of a
  // sealed cable of length L (Rall 1959); R_in = V(0)/I = R∞·coth(L/λ).
  // Backward Euler's fixed point is the discrete cable's exact steady state,
  // so what is left is the discretisation error, O((Δx/λ)²) ≈ 1e-4 here.
  const double d = 2.0, amp = 0.1;
  const auto [lambda, rinf] = constants(d);
  for (double L_over_lambda : {0.5, 1.0, 2.0}) {
    CAPTURE(L_over_lambda);
    const double L = L_over_lambda * lambda;
    const int nseg = 101;
    const auto o = run(passive_cable(L, d, nseg, 0.1, 300.0, amp, 300.0), which::cpu);  // 30 τ
    const auto& v = o.traces.at(0).values;
    const auto x = node_positions(L, nseg);
    REQUIRE(v.size() == 2 * x.size());  // t = 0 and t = 300 ms
    double worst = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double exact = amp * rinf * std::cosh((L - x[i]) / lambda) / std::sinh(L / lambda);
      const double got = v[x.size() + i];
      worst = std::max(worst, std::fabs(got - exact) / exact);
    }
    const double rin = v[x.size()] / amp, rin_exact = rinf / std::tanh(L / lambda);
    MESSAGE("L = " << L_over_lambda << " lambda: largest relative error " << worst << ", R_in " << rin
                   << " MOhm (theory " << rin_exact << ")");
    // Within 0.1 % as the issue asks, and within twice the measured
    // discretisation error (8.3e-5 at 2 λ; R_in 5e-5), to catch a regression.
    CHECK(worst < 2e-4);
    CHECK(std::fabs(rin - rin_exact) / rin_exact < 2e-4);
  }
}

TEST_CASE("the voltage at the current injection site of a long cable follows erf(sqrt(t/tau))") {
  // Semi-infinite cable, current I into its sealed end from t = 0:
  // V(0, t) = I·R∞·erf(√(t/τ)), τ = Rm·Cm = 10 ms (Jack, Noble & Tsien 1975).
  // A cable of 10 λ is semi-infinite to within e^-20 up to t = 2τ. Errors
  // left: the segments (Δx = λ/100, small against the spread √(t/τ)·λ of the
  // earliest time tested) and backward Euler's, first order in dt = τ/4000
  // (3e-4 at 1 ms, less later). Not Crank–Nicolson: the current steps on at a
  // zero-area node, whose voltage then alternates between steps under
  // secondorder = 2, as in NEURON (docs/morphology.md).
  const double d = 2.0, amp = 0.1;
  const auto [lambda, rinf] = constants(d);
  const network net = passive_cable(10.0 * lambda, d, 1000, 0.0025, 20.0, amp, 0.5);
  const auto o = run(net, which::cpu);
  const auto& tb = o.traces.at(0);
  const std::size_t ncol = tb.values.size() / tb.steps.size();
  double worst = 0.0;
  for (std::size_t row = 0; row < tb.steps.size(); ++row) {
    const double t = tb.steps[row] * o.dt;
    if (t < 0.5) continue;
    const double exact = amp * rinf * std::erf(std::sqrt(t / 10.0));
    const double got = tb.values[row * ncol];  // node 0: x = 0
    CAPTURE(t);
    worst = std::max(worst, std::fabs(got - exact) / exact);
  }
  MESSAGE("largest relative error over t = 0.5..20 ms: " << worst);
  CHECK(worst < 1e-3);
}

TEST_CASE("a one-section cell of one segment gives the point neuron's result") {
  // The same HH membrane as a point neuron of 1000 µm² and as a cable cell: a
  // cylinder of that area with zero-area end nodes, which carry no current.
  // The two solve the same equations in different units (densities against
  // nA and µS), so they agree to rounding, not to the bit.
  const network point = hh_cell(10.0);
  network cable = hh_cell(10.0);
  cell_desc& c = cable.cells[0];
  c.area = 0.0;
  c.has_morphology = true;
  const double side = std::sqrt(1000.0 / pi);  // L = diam: π·d·L = 1000 µm²
  auto s = cylinder("soma", "soma", side, side, 1);
  c.morphology.sections.push_back(s);
  const auto a = run(point, which::cpu), b = run(cable, which::cpu);
  REQUIRE(a.spikes.size() == 7);
  CHECK(a.spikes == b.spikes);  // every spike in the same step
  const auto& va = a.traces.at(1).values;
  const auto& vb = b.traces.at(1).values;
  REQUIRE(va.size() == vb.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < va.size(); ++i) worst = std::max(worst, std::fabs(va[i] - vb[i]));
  MESSAGE("largest |v_point - v_cable| over 120 ms: " << worst << " mV");
  CHECK(worst < 1e-9);  // the same arithmetic in another order (measured: 3.6e-11 mV)
}

TEST_CASE("a gap-coupled pair reaches the steady state of its circuit, point neurons and cable cells alike") {
  // Two passive cells (leak G each, 1 nS), a junction g, current I into the
  // first: (G + g)·v1 − g·v2 = I, −g·v1 + (G + g)·v2 = 0. The partner's
  // voltage enters each step from the step's start, the cell's own
  // implicitly; the fixed point is the circuit's.
  for (bool cable : {false, true}) {
    CAPTURE(cable);
    network net;
    net.sim.dt = 0.1;
    net.sim.duration = 400.0;
    cell_desc c;
    c.name = "passive";
    c.cm = 1.0;
    if (cable) {
      c.has_morphology = true;
      const double side = std::sqrt(1000.0 / pi);
      auto s = cylinder("soma", "soma", side, side, 1);
      c.morphology.sections.push_back(s);
    } else {
      c.area = 1000.0;
    }
    mechanism_desc leak;
    leak.kind = "leak";
    leak.params["g"] = 1e-4;  // ·1000 µm² = 1e-3 µS
    leak.params["e"] = 0.0;
    c.mechanisms.push_back(leak);
    c.init["v"] = distribution::constant(0.0);
    net.cells.push_back(c);
    population_desc p;
    p.name = "pair";
    p.size = 2;
    p.cell = "passive";
    net.populations.push_back(p);
    gap_desc gj;
    gj.a = gj.b = "pair";
    gj.pairs = {{0, 1}};
    gj.g = 0.002;  // [µS]
    net.gaps.push_back(gj);
    stimulus_desc st;
    st.population = "pair";
    st.cells = {0};
    st.amp = {0.01};  // [nA]
    net.stimuli.push_back(st);
    add_record(net, "pair", "v", {}, 400.0);
    const auto o = run(net, which::cpu);
    const double G = 1e-3, g = 0.002, I = 0.01;
    const double v1 = I * (G + g) / ((G + g) * (G + g) - g * g), v2 = g * v1 / (G + g);
    const auto& v = o.traces.at(0).values;  // rows t = 0 and 400 ms, columns the two cells
    REQUIRE(v.size() == 4);
    CAPTURE(v[2]);
    CAPTURE(v[3]);
    CHECK(std::fabs(v[2] - v1) / v1 < 1e-9);
    CHECK(std::fabs(v[3] - v2) / v2 < 1e-9);
  }
}

TEST_CASE("a strong gap junction stays bounded at a large step") {
  // The junction enters explicitly in the partner's voltage: for g far above
  // C/dt the difference between the two cells flips sign every step, but it
  // shrinks (docs/model-file.md states the dt for a monotone response).
  network net = hh_cell(0.0, 0.0, 0.0, 50.0, 0.1);
  net.populations[0].size = 2;
  net.cells[0].init["v"] = distribution::uniform(-80.0, -50.0);
  gap_desc gj;
  gj.a = gj.b = "hh";
  gj.pairs = {{0, 1}};
  gj.g = 10.0;  // µS: C/dt = 1e-5·1000/0.1 = 0.1 µS
  net.gaps.push_back(gj);
  const auto o = run(net, which::cpu);
  const auto& v = o.traces.at(1).values;
  for (double x : v) REQUIRE(std::isfinite(x));
  const std::size_t last = v.size() - 2;
  CHECK(std::fabs(v[last] - v[last + 1]) < 1e-3);  // the two cells have equalised
}

TEST_CASE("a myelinated axon conducts faster than an unmyelinated axon of the same diameter") {
  // examples/myelinated_axon.toml: 2 µm axons of the same length, one with
  // nodes of Ranvier every 201 µm and myelinated internodes, one bare.
  const auto sum = run_measured(example("myelinated_axon.toml"));
  REQUIRE(sum.measurements.size() == 3);
  for (const auto& m : sum.measurements) {
    CAPTURE(m.name);
    REQUIRE(m.ok());
  }
  const double myelinated = sum.measurements[0].velocity_m_per_s();
  const double internode_delay = sum.measurements[1].delay_ms();
  const double bare = sum.measurements[2].velocity_m_per_s();
  MESSAGE("myelinated " << myelinated << " m/s, unmyelinated " << bare << " m/s, node-to-node delay "
                        << internode_delay << " ms");
  CHECK(myelinated > 5.0 * bare);
  // Saltatory: the delay between nodes is the myelinated velocity's share of
  // one internode, to within the spread along the axon.
  CHECK(internode_delay == doctest::Approx(0.201 / myelinated).epsilon(0.03));  // measured: 1.1 %
}

}  // TEST_SUITE

// ---- against NEURON ---------------------------------------------------------------
// Reference data from tools/peers/neuron_cable.py (NEURON 8.2, the same cells
// built with pt3dadd from the same points, the same dt and segments).

namespace {

std::string neuron_cable_data() {
  return read_text(std::string(RANVIER_TEST_DATA_DIR) + "/validation/data/neuron_cable.json");
}

// Runs `net` on the CPU and compares with NEURON's record `key`: the same
// segments per section, spike times in the same step, and the voltage at
// the soma (record 1 of the model) and at the other `probes` (record index,
// NEURON's name) every 0.1 ms. Returns the largest voltage difference [mV].
double compare_with_neuron(network net, const std::string& key, const std::vector<std::pair<int, std::string>>& probes) {
  const std::string json = neuron_cable_data();
  // Segments: the cut NEURON's geom_nseg made must be Ranvier's.
  const cell_geometry G = discretize(net.cells[0]);
  for (std::size_t s = 0; s < G.sections.size(); ++s) {
    CAPTURE(G.sections[s].name);
    CHECK(G.nseg[s] == json_number(json, {key, "nseg", G.sections[s].name}));
  }
  for (auto& r : net.records) r.interval = 0.0;
  const auto o = run(net, which::cpu);
  const auto ref_spikes = json_numbers(json, {key, "spikes_ms"});
  const auto ours = spike_times(o, "cell");
  REQUIRE(ours.size() == ref_spikes.size());
  for (std::size_t i = 0; i < ours.size(); ++i) {
    CAPTURE(i);
    // NEURON's detector stamps the crossing with the time at the end of the
    // step, as Ranvier does; the times agree to within NEURON's summed t.
    CHECK(std::fabs(ours[i] - ref_spikes[i]) < 1e-6);
  }
  const std::int64_t every = std::llround(json_number(json, {"sample_ms"}) / o.dt);
  double worst = 0.0;
  auto all = probes;
  all.insert(all.begin(), {1, "soma(0.5)"});
  for (const auto& [rec, name] : all) {
    const auto ref = json_numbers(json, {key, "v", name});
    const auto& v = o.traces.at(rec).values;
    REQUIRE(ref.size() == (v.size() - 1) / every + 1);
    for (std::size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, std::fabs(v[i * every] - ref[i]));
  }
  return worst;
}

}  // namespace

TEST_SUITE("validation") {

TEST_CASE("a ball-and-stick with synaptic input on its dendrite matches NEURON") {
  const double worst = compare_with_neuron(example("ball_and_stick.toml"), "ball_and_stick", {{2, "dend(0.8)"}});
  MESSAGE("ball and stick: largest |v - v_NEURON| " << worst << " mV");
  // The same equations in another order of floating-point operations: the
  // difference is rounding, amplified on the spike's upstroke (measured:
  // 1.3e-7 mV).
  CHECK(worst < 1e-6);
}

TEST_CASE("a branched passive dendrite on an HH soma matches NEURON") {
  const double worst = compare_with_neuron(validation_model("branched.toml"), "branched", {{2, "dend_1_0_1(1)"}});
  MESSAGE("branched dendrite: largest |v - v_NEURON| " << worst << " mV");
  // Rounding again, amplified on each of three spikes' upstrokes and carried
  // on by the next (measured: 2.6e-5 mV).
  CHECK(worst < 1e-4);
}

TEST_CASE("a cell from an SWC file matches NEURON: sections, lengths, areas and voltages") {
  const network net = validation_model("swc_cell.toml");
  const std::string json = neuron_cable_data();
  const cell_geometry G = discretize(net.cells[0]);
  for (std::size_t s = 0; s < G.sections.size(); ++s) {
    const auto& name = G.sections[s].name;
    CAPTURE(name);
    double area = 0.0;
    for (std::uint32_t i = 0; i < G.nnodes; ++i)
      if (G.section_of[i] == static_cast<int>(s)) area += G.area[i];
    // NEURON keeps 3-d points in single precision: 1e-6 relative.
    const double L = json_number(json, {"swc_cell", "length_um", name});
    const double A = json_number(json, {"swc_cell", "area_um2", name});
    CHECK(std::fabs(G.sections[s].length() - L) / L < 1e-6);
    CHECK(std::fabs(area - A) / A < 1e-6);
  }
  const double worst = compare_with_neuron(net, "swc_cell", {{2, "apic[3](1)"}});
  MESSAGE("SWC cell: largest |v - v_NEURON| " << worst << " mV");
  // NEURON keeps 3-d points in single precision, shifting areas and axial
  // resistances by ~1e-8 relative; with rounding amplified on a spike's
  // upstroke (dV/dt ~ 100 mV/ms) the traces stay within 1e-4 mV (measured:
  // 1.2e-5 mV).
  CHECK(worst < 1e-4);
}

TEST_CASE("a cell with active dendrites, distance gradients and a calcium pool matches NEURON") {
  // examples/active_dendrite.toml; NEURON runs Ranvier's channels as NMODL
  // written from the same equations (tools/peers/mod).
  const network net = example("active_dendrite.toml");
  const double worst = compare_with_neuron(net, "active_dendrite", {{2, "apic(0.9)"}, {3, "tuft(0.5)"}});
  MESSAGE("active dendrite: largest |v - v_NEURON| " << worst << " mV");
  CHECK(worst < 3e-8);  // rounding (measured: 1.3e-8 mV)
  // [Ca]i in the tuft, where the pool moves it (relative: it spans 5e-5 to 7e-4 mM).
  network every_step = net;
  for (auto& r : every_step.records) r.interval = 0.0;
  const auto o = run(every_step, which::cpu);
  const std::string json = neuron_cable_data();
  const auto ref = json_numbers(json, {"active_dendrite", "cai_mM"});
  const auto& cai = o.traces.at(4).values;
  const std::int64_t every = std::llround(json_number(json, {"sample_ms"}) / o.dt);
  REQUIRE(cai.size() == (ref.size() - 1) * every + 1);
  double worst_cai = 0.0;
  for (std::size_t i = 0; i < ref.size(); ++i) worst_cai = std::max(worst_cai, std::fabs(cai[i * every] - ref[i]) / ref[i]);
  MESSAGE("active dendrite: largest relative |cai - cai_NEURON| " << worst_cai);
  CHECK(worst_cai < 1e-9);  // rounding (measured: 4.7e-11)
  CHECK(*std::max_element(cai.begin(), cai.end()) > 10 * cai.front());  // the pool does fill (14x: the Ca spike)
}

TEST_CASE("the squid axon conducts at NEURON's velocity at every discretisation, converging to Hodgkin and Huxley's 18.8 m/s") {
  // Hodgkin & Huxley (1952, J Physiol 117:500, part of their fig. 15 and
  // text): a 476 µm axon, Ra 35.4 Ω·cm, at 18.5 °C conducts at 18.8 m/s by
  // their computation (21.2 m/s measured). Measured here between x = 0.25 and
  // 0.75 of a 5 cm axon, at each of NEURON's settings (segments, step,
  // scheme) from coarse to fine.
  const auto cases = objects_of(neuron_cable_data(), "cases");
  REQUIRE(cases.size() == 6);
  std::vector<double> ours;
  for (const auto& one : cases) {
    const int n = static_cast<int>(json_number(one, {"nseg"}));
    const double dt = json_number(one, {"dt_ms"});
    const int so = static_cast<int>(json_number(one, {"secondorder"}));
    const double ref = json_number(one, {"velocity_m_per_s"});
    network net = validation_model("squid_axon.toml");
    net.sim.dt = dt;
    net.sim.secondorder = so;
    net.cells[0].morphology.sections[0].discretization.nseg = n;
    const double v = run_measured(net).measurements.at(0).velocity_m_per_s();
    MESSAGE("nseg " << n << " (dx " << 50000.0 / n << " um), dt " << dt << " ms, secondorder " << so << ": " << v
                    << " m/s, NEURON " << ref << " (relative difference " << std::fabs(v - ref) / ref << ")");
    // The same equations and the same crossings, interpolated alike: they
    // agree to rounding (measured: 1e-15 to 7e-14).
    CHECK(std::fabs(v - ref) / ref < 1e-12);
    ours.push_back(v);
  }
  // Converged: the two finest settings within 0.1 % of each other (measured
  // 0.035 %), and within 1 % of Hodgkin and Huxley's (measured 0.36 %; their
  // own integration was by hand, at coarse steps).
  const double last = ours.back(), before = ours[ours.size() - 2];
  CHECK(std::fabs(last - before) / last < 1e-3);
  CHECK(std::fabs(last - 18.8) / 18.8 < 0.01);
}

TEST_CASE("the myelinated and the bare axon conduct at NEURON's velocities") {
  const std::string json = neuron_cable_data();
  const auto sum = run_measured(example("myelinated_axon.toml"));
  for (const auto& m : sum.measurements) {
    const double ref = json_number(json, {"myelinated_axon", m.name, "velocity_m_per_s"});
    MESSAGE(m.name << ": " << m.velocity_m_per_s() << " m/s, NEURON " << ref << " (relative difference "
                   << std::fabs(m.velocity_m_per_s() - ref) / ref << ")");
    CHECK(std::fabs(m.velocity_m_per_s() - ref) / ref < 1e-12);  // rounding, as for the squid axon (measured 3e-14)
  }
}

}  // TEST_SUITE

// ---- spines, the detector's place, ions -----------------------------------------

TEST_SUITE("validation") {

TEST_CASE("an explicit spine's narrow neck isolates its head: a synapse there depolarises the head more than the dendrite") {
  // A spine (neck 1 um x 0.1 um, head 0.5 um x 0.5 um) on the ball-and-stick's
  // dendrite, a synapse on its head. The neck's axial resistance,
  // 4·Ra·L/(π·d²) = 127 MOhm, is comparable to the dendrite's input
  // resistance there: the EPSP in the head is about twice that in the
  // dendrite beside it (Koch & Zador 1993; measured 9.7 against 4.1 mV).
  network net = example("ball_and_stick.toml");
  net.sim.duration = 40.0;
  auto& c = net.cells[0];
  spine_desc sp;
  sp.name = "sp";
  sp.at = location_desc::on("dend", 0.5);
  c.morphology.spines.push_back(sp);
  c.receptors[0].location = location_desc::on("sp_head", 0.5);
  net.records.clear();
  record_desc r;
  r.population = "cell";
  r.variable = "v";
  r.location = location_desc::on("sp_head", 0.5);
  net.records.push_back(r);
  r.location = location_desc::on("dend", 0.5);
  net.records.push_back(r);
  const cell_geometry G = discretize(c);
  REQUIRE(G.find_section("sp_neck") >= 0);
  CHECK(G.sections[G.find_section("sp_head")].tag == "spine");
  CHECK(G.sections[G.find_section("sp_head")].parent == "sp_neck");
  const auto o = run(net, which::cpu);
  const auto peak = [&](int rec) {
    const auto& v = o.traces.at(rec).values;
    return *std::max_element(v.begin(), v.end()) - v.front();
  };
  const double head = peak(0), dend = peak(1);
  MESSAGE("EPSP: " << head << " mV in the spine head, " << dend << " mV in the dendrite");
  CHECK(dend > 0.1);
  CHECK(head > 1.5 * dend);
}

TEST_CASE("a spike is timed where the detector is, and a connection's delay counts from there") {
  // The squid axon with its detector at x = 0.9 instead of its centre: the
  // spike is stamped when it gets there, 0.4 of 5 cm later at ~18 m/s; a
  // connection of 1 ms from the axon steps its target 1 ms after that stamp.
  std::map<double, double> spike_at;  // by the detector's x
  for (double x : {0.5, 0.9}) {
    CAPTURE(x);
    network net = validation_model("squid_axon.toml");
    net.measures.clear();
    net.cells[0].detector = location_desc::on("axon", x);
    cell_desc p;
    p.name = "passive";
    p.area = 1000.0;
    p.receptors.push_back(receptor_desc::expsyn("syn", 2.0, 0.0));
    net.cells.push_back(p);
    population_desc pp;
    pp.name = "target";
    pp.size = 1;
    pp.cell = "passive";
    net.populations.push_back(pp);
    projection_desc pr = projection("axon", "target", "syn");
    pr.rule = connect_rule::all_to_all;
    pr.weight = distribution::constant(0.01);
    pr.delay = distribution::constant(1.0);
    net.projections.push_back(pr);
    add_record(net, "axon", "spikes");
    add_record(net, "target", "syn.g");
    const auto o = run(net, which::cpu);
    const auto t = spike_times(o, "axon");
    REQUIRE(t.size() == 1);
    const auto& g = o.traces.at(1).values;
    const auto first = std::find_if(g.begin(), g.end(), [](double v) { return v > 0.0; }) - g.begin();
    MESSAGE("detector at x = " << x << ": spike at " << t[0] << " ms, target stepped in the step from "
                               << (first - 1) * o.dt << " ms");
    CHECK((first - 1) * o.dt == doctest::Approx(t[0] + 1.0));  // the step starting at spike + delay
    spike_at[x] = t[0];
  }
  // The spike reaches x = 0.9 later by 0.4 of the 5 cm axon at its conduction
  // velocity (18.29 m/s at these settings): 1.09 ms (measured 1.075 ms; the
  // stimulus end of the axon propagates a little faster).
  CHECK(spike_at[0.9] - spike_at[0.5] == doctest::Approx(0.4 * 50000.0 / 18.29 * 1e-3).epsilon(0.05));
}

TEST_CASE("reversal potentials by Nernst from the cell type's concentrations") {
  // E = RT/(zF)·ln(co/ci): Na 10/140 mM and K 140/5 mM at 6.3 °C (279.45 K,
  // RT/F = 24.08 mV) give +63.55 and −80.24 mV; hh takes them when it sets
  // none itself.
  network net = hh_cell(0.0);
  auto& c = net.cells[0];
  c.na.given = c.na.nernst = true;
  c.na.ci = 10.0;
  c.na.co = 140.0;
  c.k.given = c.k.nernst = true;
  c.k.ci = 140.0;
  c.k.co = 5.0;
  check(net);
  const auto img = std::get<image<double>>(pack(net));
  const auto& p = img.groups[0].mechs[0].param;
  const double rtf = 8.314462618 * (273.15 + 6.3) / 96485.33212 * 1000.0;
  CHECK(p[core::hh::ena] == doctest::Approx(rtf * std::log(14.0)).epsilon(1e-12));
  CHECK(p[core::hh::ek] == doctest::Approx(rtf * std::log(5.0 / 140.0)).epsilon(1e-12));
  CHECK(p[core::hh::ena] == doctest::Approx(63.55).epsilon(1e-4));
  CHECK(p[core::hh::ek] == doctest::Approx(-80.24).epsilon(1e-4));
}

TEST_CASE("a mechanism's state recorded at a location of a cable cell is that instance's state") {
  // 20 cells, each its own trajectory, so that the CPU engine's blocks of
  // 16 cells put cell 17 in a part block: its sample is its own instance
  // (state arrays read back in the canonical [instance][cell] order).
  network net = example("active_dendrite.toml");
  net.sim.duration = 5.0;
  net.populations[0].size = 20;
  net.cells[0].init["v"] = distribution::uniform(-75.0, -60.0);
  record_desc r;
  r.population = "cell";
  r.variable = "ka.n";
  r.location = location_desc::on("apic", 0.5);
  r.cells = {17};
  net.records.push_back(r);
  const auto o = run(net, which::cpu, 1);
  const auto& rec = o.traces.back().values;
  const cell_geometry G = discretize(net.cells[0]);
  const auto& mechs = net.cells[0].mechanisms;
  const auto ka = std::find_if(mechs.begin(), mechs.end(), [](const mechanism_desc& m) { return m.kind == "ka"; });
  REQUIRE(ka != mechs.end());
  const auto nodes = G.nodes_in(ka->region);  // ka's instances
  const auto j = std::find(nodes.begin(), nodes.end(), G.node_at(location_desc::on("apic", 0.5))) - nodes.begin();
  const auto it = std::find_if(o.state.begin(), o.state.end(), [](const named_array& a) { return a.name == "l5.ka.n"; });
  REQUIRE(it != o.state.end());
  REQUIRE(it->values.size() == nodes.size() * 20);
  const auto mine = static_cast<std::size_t>(j) * 20 + 17;
  CHECK(rec.back() == it->values.at(mine));
  CHECK(rec.back() > 0.0);
  CHECK(rec.back() < 1.0);
  std::size_t same = 0;  // the other cells' values differ: the check above could tell them apart
  for (std::size_t c = 0; c < 20; ++c) same += it->values.at(static_cast<std::size_t>(j) * 20 + c) == rec.back();
  CHECK(same == 1);
}
}  // TEST_SUITE
