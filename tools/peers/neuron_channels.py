#!/usr/bin/python3
"""NEURON reference data for Ranvier's channel library.

For each case below: one single-compartment cell (one section, nseg = 1,
L = diam = 17.841241161527712 um, i.e. 1000 um^2, cm = 1 uF/cm^2) with pas and
some of Ranvier's channels, as NEURON mechanisms written from the same
published equations (tools/peers/mod/rv_*.mod, compiled by
tools/peers/build_mod), under current steps (IClamp at 0.5); fixed-step
implicit Euler (cvode off, secondorder = 0) at dt = 0.025 ms. It records v
(and [Ca2+]i where a pool moves it) every step and keeps every 4th sample
(0.1 ms), and the spike times (NetCon on v, threshold 0 mV). Everything is
written, settings included, to tests/validation/data/neuron_channels.json,
which tests/test_channels.cpp reads to build the same cells in Ranvier.

Each case lists its mechanisms by Ranvier kind ("leak" is NEURON's pas, any
other kind K is NEURON's rv_K) with every user parameter that is not a
reversal potential; reversal potentials come from the cell's ions (ena, ek,
and for Ca2+ one of: NEURON's defaults, a fixed eca, or cai0/cao0 by Nernst).
The JSON lists a case's mechanisms in the order in which NEURON advances
their states: mechanisms that write a concentration (the pool) first, then
the others in mechanism type order. Ranvier advances them in list order, and
whether a channel that reads [Ca2+]i (sk, bk) sees [Ca2+]i before or after
the pool's update of the step matters.

Regenerate (Debian's NEURON 8.2, importable only by the system python):
    tools/peers/build_mod && /usr/bin/python3 tools/peers/neuron_channels.py
"""
import datetime
import json
import os
import sys
import time

from neuron import h

HERE = os.path.dirname(os.path.abspath(__file__))
LIB = os.path.join(HERE, "mod", "x86_64", "libnrnmech.so")
OUT = os.path.join(HERE, "..", "..", "tests", "validation", "data", "neuron_channels.json")

DIAM_UM = 17.841241161527712  # L = diam: area pi*L*diam = 1000 um^2
DT_MS = 0.025
SAMPLE_EVERY = 4              # keep every 4th step: 0.1 ms
THRESHOLD_MV = 0.0
CAI0_DEFAULT_MM, CAO0_DEFAULT_MM = 5e-5, 2.0  # NEURON's defaults

# name, celsius [degC], tstop [ms], v_init [mV], mechanisms (Ranvier kind,
# parameters), ions (ena, ek [mV]; ca: None = NEURON's defaults,
# ("fixed", eca [mV]), ("nernst", cai0 [mM], cao0 [mM])), current steps
# (start [ms], stop [ms], amp [nA]), what it exercises.
CASES = [
    dict(name="ms96_23", celsius=23.0, tstop=300.0, v_init=-70.0,
         mechs=[("leak", dict(g=1e-4, e=-70.0)), ("nat", dict(gbar=0.05, vshift=-10.0)),
                ("kdr", dict(gbar=0.01)), ("km", dict(gbar=0.0005))],
         ions=dict(ena=50.0, ek=-90.0, ca=None), stim=[(20.0, 270.0, 0.15)],
         about="Mainen & Sejnowski 1996 nat, kdr, km at their reference 23 degC: "
               "a spike train with M-current adaptation"),
    dict(name="ms96_30", celsius=30.0, tstop=300.0, v_init=-70.0,
         mechs=[("leak", dict(g=1e-4, e=-70.0)), ("nat", dict(gbar=0.05, vshift=-10.0)),
                ("kdr", dict(gbar=0.01)), ("km", dict(gbar=0.0005))],
         ions=dict(ena=50.0, ek=-90.0, ca=None), stim=[(20.0, 270.0, 0.15)],
         about="the same cell at 30 degC: the Q10 of rates and conductances (tadj = 2.3^0.7)"),
    dict(name="nap_34", celsius=34.0, tstop=400.0, v_init=-70.0,
         mechs=[("leak", dict(g=1e-4, e=-70.0)), ("nap", dict(gbar=0.0001))],
         ions=dict(ena=50.0, ek=-85.0, ca=None), stim=[(20.0, 220.0, 0.01), (220.0, 350.0, 0.02)],
         about="Hay et al. persistent Na alone under two depolarising steps: a regenerative plateau "
               "that slow inactivation pulls back"),
    dict(name="ka_34", celsius=34.0, tstop=300.0, v_init=-70.0,
         mechs=[("leak", dict(g=1e-4, e=-70.0)), ("nat", dict(gbar=0.05, vshift=-10.0)),
                ("kdr", dict(gbar=0.01)), ("ka", dict(gbar=0.02))],
         ions=dict(ena=50.0, ek=-90.0, ca=None), stim=[(20.0, 120.0, 0.06), (150.0, 270.0, 0.3)],
         about="Migliore et al. A-type K with nat and kdr at 34 degC: a subthreshold step, then firing "
               "delayed by the A current"),
    dict(name="ka_24", celsius=24.0, tstop=200.0, v_init=-70.0,
         mechs=[("leak", dict(g=1e-4, e=-70.0)), ("ka", dict(gbar=0.02))],
         ions=dict(ena=50.0, ek=-90.0, ca=None), stim=[(20.0, 120.0, 0.05)],
         about="the A-type K alone at its reference 24 degC under a depolarising step"),
    dict(name="ih_34", celsius=34.0, tstop=500.0, v_init=-70.0,
         mechs=[("leak", dict(g=5e-5, e=-70.0)), ("ih", dict(gbar=0.0002, ehcn=-45.0))],
         ions=dict(ena=50.0, ek=-85.0, ca=None), stim=[(20.0, 270.0, -0.015), (270.0, 420.0, 0.01)],
         about="Hay et al. Ih: sag under hyperpolarisation and rebound"),
    dict(name="cal_cad_sk_34", celsius=34.0, tstop=400.0, v_init=-70.0,
         mechs=[("leak", dict(g=1e-4, e=-70.0)), ("nat", dict(gbar=0.05, vshift=-10.0)),
                ("kdr", dict(gbar=0.01)), ("cal", dict(gbar=0.0005, pbar=0.0)),
                ("cad", dict(gamma=0.05, decay=80.0, depth=0.1, mincai=1e-4)),
                ("sk", dict(gbar=0.0005, ztau=1.0))],
         ions=dict(ena=50.0, ek=-85.0, ca=None), stim=[(20.0, 320.0, 0.2)],
         about="ohmic L-type Ca filling the Hay et al. pool, e_Ca by Nernst from the moving [Ca]i, "
               "and SK on it: firing that adapts as [Ca]i builds up"),
    dict(name="cat_fixed_eca_34", celsius=34.0, tstop=300.0, v_init=-55.0,
         mechs=[("leak", dict(g=1e-4, e=-55.0)), ("nat", dict(gbar=0.05, vshift=-10.0)),
                ("kdr", dict(gbar=0.01)), ("cat", dict(gbar=0.005, pbar=0.0))],
         ions=dict(ena=50.0, ek=-85.0, ca=("fixed", 120.0)), stim=[(20.0, 150.0, -0.05)],
         about="T-type Ca with a fixed e_Ca of 120 mV: rebound firing after a hyperpolarising step"),
    dict(name="ghk_bk_34", celsius=34.0, tstop=400.0, v_init=-70.0,
         mechs=[("leak", dict(g=1e-4, e=-70.0)), ("nat", dict(gbar=0.05, vshift=-10.0)),
                ("kdr", dict(gbar=0.01)), ("cal", dict(gbar=0.0, pbar=2e-5)),
                ("cat", dict(gbar=0.0, pbar=2e-5)),
                ("cad", dict(gamma=0.05, decay=80.0, depth=0.1, mincai=1e-4)),
                ("bk", dict(gbar=0.002))],
         ions=dict(ena=50.0, ek=-85.0, ca=("nernst", 1e-4, 2.5)), stim=[(20.0, 320.0, 0.2)],
         about="GHK Ca currents (L and T type) into the pool, with [Ca]i and [Ca]o given (cai0 1e-4 mM, "
               "cao0 2.5 mM), and BK on [Ca]i and v"),
]


POOLS = {"cad"}  # Ranvier kinds whose NEURON mechanism WRITEs cai


def neuron_name(kind):
    return "pas" if kind == "leak" else "rv_" + kind


def type_index(name):
    mt = h.MechanismType(0)
    mt.select(name)
    return int(mt.selected())


def run_case(c):
    """Builds and runs one case; returns what the JSON keeps of it."""
    h.celsius = c["celsius"]
    h.dt = DT_MS
    h.steps_per_ms = 1.0 / DT_MS
    h.secondorder = 0
    h.cvode_active(0)
    h.cai0_ca_ion, h.cao0_ca_ion = CAI0_DEFAULT_MM, CAO0_DEFAULT_MM
    soma = h.Section(name="soma_" + c["name"])
    soma.nseg = 1
    soma.L = soma.diam = DIAM_UM
    soma.cm = 1.0
    for kind, params in c["mechs"]:
        soma.insert(neuron_name(kind))
        seg = soma(0.5)
        for p, x in params.items():
            if kind == "leak":
                setattr(seg, p + "_pas", x)
            else:
                setattr(getattr(seg, neuron_name(kind)), p, x)
    ions = c["ions"]
    kinds = [k for k, _ in c["mechs"]]
    if any(k in ("nat", "nap") for k in kinds):
        soma.ena = ions["ena"]
    if any(k in ("kdr", "km", "ka", "sk", "bk") for k in kinds):
        soma.ek = ions["ek"]
    ca = ions["ca"]
    if ca is not None and ca[0] == "fixed":
        # e_Ca a parameter that finitialize and the steps leave alone.
        h.ion_style("ca_ion", 1, 1, 0, 0, 0, sec=soma)
        soma.eca = ca[1]
    elif ca is not None and ca[0] == "nernst":
        h.cai0_ca_ion, h.cao0_ca_ion = ca[1], ca[2]
        soma.cai, soma.cao = ca[1], ca[2]
    area = soma(0.5).area()

    stims = []
    for start, stop, amp in c["stim"]:
        s = h.IClamp(soma(0.5))
        s.delay, s.dur, s.amp = start, stop - start, amp
        stims.append(s)
    nc = h.NetCon(soma(0.5)._ref_v, None, sec=soma)
    nc.threshold = THRESHOLD_MV
    spikes = h.Vector()
    nc.record(spikes)
    v = h.Vector()
    v.record(soma(0.5)._ref_v)
    has_pool = "cad" in kinds
    cai = h.Vector()
    if has_pool:
        cai.record(soma(0.5)._ref_cai)

    h.finitialize(c["v_init"])
    h.continuerun(c["tstop"])
    nsteps = int(round(c["tstop"] / DT_MS))
    assert len(v) == nsteps + 1, (len(v), nsteps)

    # NEURON's order of state updates: mechanisms that write an ion
    # concentration (the pool) first, right after the ions (nrn_writes_conc
    # moves them there when they register), then the others by type index.
    order = sorted(kinds, key=lambda k: (k not in POOLS, type_index(neuron_name(k))))
    ca_json = {"mode": "default", "cai0_mM": CAI0_DEFAULT_MM, "cao0_mM": CAO0_DEFAULT_MM}
    if ca is not None and ca[0] == "fixed":
        ca_json = {"mode": "fixed", "eca_mV": ca[1]}
    elif ca is not None:
        ca_json = {"mode": "nernst", "cai0_mM": ca[1], "cao0_mM": ca[2]}
    params = {}
    for kind, ps in c["mechs"]:
        for p, x in ps.items():
            params[kind + "." + p] = x
    out = {
        "about": c["about"],
        "celsius_degC": c["celsius"],
        "tstop_ms": c["tstop"],
        "v_init_mV": c["v_init"],
        "area_um2": area,
        "mechanisms": " ".join(order),
        "params": params,
        "ena_mV": ions["ena"],
        "ek_mV": ions["ek"],
        "ca": ca_json,
        "stim_start_ms": [s[0] for s in c["stim"]],
        "stim_stop_ms": [s[1] for s in c["stim"]],
        "stim_amp_nA": [s[2] for s in c["stim"]],
        "spike_times_ms": list(spikes),
        "v_mV": list(v)[::SAMPLE_EVERY],  # every digit: the comparison is at rounding level
    }
    if has_pool:
        out["cai_mM"] = list(cai)[::SAMPLE_EVERY]
    vv = list(v)
    print("%-18s %3d spikes, v in [%.2f, %.2f] mV%s" % (
        c["name"], len(spikes), min(vv), max(vv),
        (", cai in [%.3g, %.3g] mM" % (min(cai), max(cai))) if has_pool else ""))
    del stims, nc  # the point processes go before their section
    h.delete_section(sec=soma)
    return out


def main():
    t0 = time.time()
    if not os.path.exists(LIB):
        sys.exit("no %s: run tools/peers/build_mod first" % LIB)
    h.load_file("stdrun.hoc")
    h.nrn_load_dll(LIB)
    cases = {}
    for c in CASES:
        cases[c["name"]] = run_case(c)
    data = {
        "description": (
            "NEURON reference for Ranvier's channel library, generated by "
            "tools/peers/neuron_channels.py from tools/peers/mod/rv_*.mod. Each case: one "
            "section, nseg=1, L=diam=%r um (area_um2 as NEURON reports it), cm=1 uF/cm^2, "
            "pas (Ranvier's leak) and the listed mechanisms (Ranvier kind K = NEURON rv_K) "
            "with the listed parameters (S/cm2, cm/s, mV, ms, um, mM as each mechanism's "
            "docs say); ena_mV, ek_mV the Na and K reversal of the section; ca: 'default' "
            "(NEURON's cai0/cao0, e_Ca by Nernst), 'fixed' (eca_mV, ion_style a parameter) "
            "or 'nernst' (cai0_mM, cao0_mM). IClamps at 0.5 from stim_start_ms to "
            "stim_stop_ms of stim_amp_nA. Fixed-step implicit Euler (cvode off, "
            "secondorder=0), dt_ms, finitialize(v_init_mV), run to tstop_ms. v_mV (and "
            "cai_mM where a pool moves it) every sample_every_steps-th step from t=0 "
            "(every digit); spike_times_ms: NetCon on v, threshold_mV, upward "
            "crossings. mechanisms: in the order of NEURON's state updates (concentration "
            "writers first, then by mechanism type)." % DIAM_UM),
        "neuron_version": h.nrnversion(5),
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "dt_ms": DT_MS,
        "secondorder": 0,
        "integrator": "implicit Euler (cvode off, secondorder=0)",
        "sample_every_steps": SAMPLE_EVERY,
        "threshold_mV": THRESHOLD_MV,
        "cm_uF_per_cm2": 1.0,
        "L_um": DIAM_UM,
        "diam_um": DIAM_UM,
        "FARADAY": h.FARADAY,
        "R": h.R,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print("wrote %s (%d bytes, %.1f s)" % (os.path.normpath(OUT), os.path.getsize(OUT), time.time() - t0))


if __name__ == "__main__":
    main()
