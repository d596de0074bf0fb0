#!/usr/bin/python3
"""NEURON reference data for Ranvier's cable cells.

Builds in NEURON (Debian's 8.2, its built-in hh, pas, IClamp, Exp2Syn) the
cells of these model files, at the same dt and discretisation, and writes
what they do to tests/validation/data/neuron_cable.json:

  examples/ball_and_stick.toml            HH soma, passive dendrite, Exp2Syn at dend(0.8)
  tests/validation/models/branched.toml   HH soma, passive tree of 15 branches
  tests/validation/models/swc_cell.toml   examples/morphologies/pyramidal.swc, spines folded in
  tests/validation/models/squid_axon.toml conduction velocity at several (nseg, dt)
  examples/myelinated_axon.toml           velocities of the myelinated and the bare axon
  examples/active_dendrite.toml           active dendrites (Ranvier's channels as NMODL, tools/peers/mod),
                                          distance gradients, a Ca2+ pool with SK in the distal apical zone

Sections are made with pt3dadd from the same (arc, diameter) points Ranvier
uses; segments come from NEURON's own geom_nseg (d_lambda) where the model
asks for the d_lambda rule, and the JSON records them so the test can check
that Ranvier cut each section the same way. The SWC file is read here by an
independent implementation of the conventions in host/io/swc.hpp (NEURON's
Import3d is not used: it keeps diameters in single precision and attaches
the soma's children at soma(0)).

Regenerate (needs Debian's NEURON, importable only by the system python, and
the channels compiled once by tools/peers/build_mod):
    tools/peers/build_mod && /usr/bin/python3 tools/peers/neuron_cable.py
"""
import datetime
import json
import math
import os
import tomllib

from neuron import h

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "tests", "validation", "data", "neuron_cable.json")
SAMPLE_MS = 0.1  # the voltage traces are kept every 0.1 ms

h.load_file("stdrun.hoc")
h.usetable_hh = 0  # exact rate functions, as Ranvier computes them


def toml(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        return tomllib.load(f)


def make_section(name, points, nseg=None, ra=100.0, cm=1.0):
    """points: [(arc um, diam um), ...] along x."""
    sec = h.Section(name=name)
    for arc, d in points:
        h.pt3dadd(arc, 0.0, 0.0, d, sec=sec)
    sec.Ra = ra
    sec.cm = cm
    if nseg:
        sec.nseg = nseg
    return sec


def iclamps(m, secs):
    """The model's [[stimulus]] tables as IClamps (at the soma's centre by default)."""
    out = []
    for st in m["stimulus"]:
        loc = st.get("location", {"section": "soma", "x": 0.5})
        ic = h.IClamp(secs[loc["section"]](loc["x"]))
        ic.amp, ic.delay, ic.dur = st["amp"], st["start"], st["stop"] - st["start"]
        out.append(ic)
    return out


def d_lambda_nseg(sec, d_lambda=0.1, freq=100.0):
    # NEURON's stdlib geom_nseg: the odd number of segments nearest above L/(d_lambda*lambda_f).
    lam = h.lambda_f(freq, sec=sec)
    return int((sec.L / (d_lambda * lam) + 0.9) / 2) * 2 + 1


def run(m, c, dt, probes, spike_seg, secondorder=0):
    """Runs model m (its duration, celsius, and cell c's initial v, -65 mV if
    it sets none) at the fixed step dt; returns spike times at spike_seg and
    the voltage at every probe (name -> segment) every step."""
    tstop = m["simulation"]["duration"]
    v_init = c.get("init", {}).get("v", -65.0)
    h.celsius = m["simulation"]["celsius"]
    h.secondorder = secondorder
    h.cvode_active(0)
    h.dt = dt
    h.steps_per_ms = 1.0 / dt
    vecs = {k: h.Vector().record(seg._ref_v) for k, seg in probes.items()}
    nc = h.NetCon(spike_seg._ref_v, None, sec=spike_seg.sec)
    nc.threshold = 0.0
    spikes = h.Vector()
    nc.record(spikes)
    h.finitialize(v_init)
    h.continuerun(tstop)
    return list(spikes), {k: list(v) for k, v in vecs.items()}


def subsample(v, dt):
    every = int(round(SAMPLE_MS / dt))
    return v[::every]


def deliver(syn, weight, times, delay):
    """Events at t + delay for every given spike time t (a VecStim without the mod file)."""
    nc = h.NetCon(None, syn)
    nc.weight[0] = weight

    def schedule():
        for t in times:
            nc.event(t + delay)
    handler = h.FInitializeHandler(schedule)
    return nc, handler


def ball_and_stick():
    m = toml("examples/ball_and_stick.toml")
    c, mo = m["cell"]["bas"], m["cell"]["bas"]["morphology"]
    soma = make_section("soma", [(0, mo["soma_diam"]), (mo["soma_length"], mo["soma_diam"])], ra=c["Ra"])
    dend = make_section("dend", [(0, mo["dend_diam"]), (mo["dend_length"], mo["dend_diam"])], ra=c["Ra"])
    dend.connect(soma(1))
    for s in (soma, dend):
        s.nseg = d_lambda_nseg(s)
    soma.insert("hh")
    dend.insert("pas")
    leak = m["cell"]["bas"]["mechanism"][1]
    dend.g_pas, dend.e_pas = leak["g"], leak["e"]
    r = m["cell"]["bas"]["receptor"][0]
    syn = h.Exp2Syn(dend(r["location"]["x"]))
    syn.tau1, syn.tau2, syn.e = r["tau1"], r["tau2"], r["e"]
    pr = m["projection"][0]
    keep = deliver(syn, pr["weight"], m["population"][1]["times"], pr["delay"])
    dt = m["simulation"]["dt"]
    spikes, v = run(m, c, dt, {"soma(0.5)": soma(0.5), "dend(0.8)": dend(0.8)}, soma(0.5))
    del keep
    return {"model": "examples/ball_and_stick.toml", "dt_ms": dt, "nseg": {"soma": soma.nseg, "dend": dend.nseg},
            "spikes_ms": spikes, "v": {k: subsample(x, dt) for k, x in v.items()}}


def branched():
    m = toml("tests/validation/models/branched.toml")
    c, mo = m["cell"]["branched"], m["cell"]["branched"]["morphology"]
    secs = {"soma": make_section("soma", [(0, mo["soma_diam"]), (mo["soma_length"], mo["soma_diam"])], ra=c["Ra"])}
    shrink = mo["branches"] ** (-2.0 / 3.0)
    todo = [("dend", "soma", mo["stem_length"], mo["stem_diam"], 0)]
    while todo:
        name, parent, length, diam, level = todo.pop(0)
        s = make_section(name, [(0, diam), (length, diam)], ra=c["Ra"])
        s.connect(secs[parent](1))
        secs[name] = s
        if level < mo["depth"]:
            for b in range(int(mo["branches"])):
                todo.append(("%s_%d" % (name, b), name, length * mo["length_ratio"], diam * shrink, level + 1))
    for s in secs.values():
        s.nseg = d_lambda_nseg(s)
    secs["soma"].insert("hh")
    leak = c["mechanism"][1]
    for k, s in secs.items():
        if k != "soma":
            s.insert("pas")
            s.g_pas, s.e_pas = leak["g"], leak["e"]
    clamps = iclamps(m, secs)
    dt = m["simulation"]["dt"]
    tip = "dend_1_0_1"
    spikes, v = run(m, c, dt, {"soma(0.5)": secs["soma"](0.5), tip + "(1)": secs[tip](1.0)}, secs["soma"](0.5))
    return {"model": "tests/validation/models/branched.toml", "dt_ms": dt,
            "nseg": {k: s.nseg for k, s in secs.items()}, "spikes_ms": spikes,
            "v": {k: subsample(x, dt) for k, x in v.items()}}


def swc_sections(path):
    """An independent reading of host/io/swc.hpp's conventions: the soma as a
    cylinder 2r x 2r (three-point soma: the centre's radius); its children
    attach at soma(0.5) and start at their own first point; other sections
    are unbranched runs of one type that begin with their parent point and
    attach at the parent section's end. Names TAG[i] numbered in file order."""
    pts = {}
    order = []
    for line in open(path):
        line = line.split("#")[0].split()
        if not line:
            continue
        i, t, x, y, z, r, p = int(line[0]), int(line[1]), *map(float, line[2:6]), int(line[6])
        pts[i] = dict(t=t, xyz=(x, y, z), r=r, p=p)
        order.append(i)
    children = {i: [] for i in pts}
    for i in order:
        if pts[i]["p"] != -1:
            children[pts[i]["p"]].append(i)
    soma_pts = [i for i in order if pts[i]["t"] == 1]
    rsoma = pts[soma_pts[0]]["r"]  # a three-point soma: the centre's radius
    tag = {1: "soma", 2: "axon", 3: "dend", 4: "apic"}
    sections = [dict(name="soma", parent=None, x=0.0, points=[(0.0, 2 * rsoma), (2 * rsoma, 2 * rsoma)])]
    starts = [i for i in order if pts[i]["t"] != 1 and (pts[pts[i]["p"]]["t"] == 1 or len(children[pts[i]["p"]]) > 1
                                                         or pts[pts[i]["p"]]["t"] != pts[i]["t"])]
    owner = {}
    count = {}
    for s in starts:  # in file order
        t = pts[s]["t"]
        name = "%s[%d]" % (tag[t], count.get(t, 0))
        count[t] = count.get(t, 0) + 1
        chain = [s]
        while len(children[chain[-1]]) == 1 and pts[children[chain[-1]][0]]["t"] == t:
            chain.append(children[chain[-1]][0])
        par = pts[s]["p"]
        seq = ([] if pts[par]["t"] == 1 else [par]) + chain
        arc, pts3 = 0.0, []
        for k, i in enumerate(seq):
            if k:
                arc += math.dist(pts[seq[k - 1]]["xyz"], pts[i]["xyz"])
            pts3.append((arc, 2 * pts[i]["r"]))
        for i in chain:
            owner[i] = name
        sections.append(dict(name=name, parent_pt=par, points=pts3))
    for s in sections[1:]:
        par = s.pop("parent_pt")
        if pts[par]["t"] == 1:
            s["parent"], s["x"] = "soma", 0.5
        else:
            s["parent"], s["x"] = owner[par], 1.0
    return sections


def swc_cell():
    m = toml("tests/validation/models/swc_cell.toml")
    c = m["cell"]["pyr"]
    swc = os.path.normpath(os.path.join(ROOT, "tests", "validation", "models", c["morphology"]["swc"]))
    secs = {}
    for s in swc_sections(swc):
        secs[s["name"]] = make_section(s["name"], s["points"], ra=c["Ra"])
        if s["parent"]:
            secs[s["name"]].connect(secs[s["parent"]](s["x"]))
    for s in secs.values():
        s.nseg = d_lambda_nseg(s)
    spines = c["membrane"][0]
    leak = c["mechanism"][1]
    for name, s in secs.items():
        if name == "soma" or name.startswith("axon"):
            s.insert("hh")
        else:
            s.insert("pas")
            s.e_pas = leak["e"]
            for seg in s:  # spines folded in: cm and the leak scale with the membrane area
                f = 1.0 + spines["spine_density"] * spines["spine_area"] * (s.L / s.nseg) / seg.area()
                seg.cm = c["cm"] * f
                seg.pas.g = leak["g"] * f
    r = c["receptor"][0]
    syn = h.Exp2Syn(secs[r["location"]["section"]](r["location"]["x"]))
    syn.tau1, syn.tau2, syn.e = r["tau1"], r["tau2"], r["e"]
    pr = m["projection"][0]
    keep = deliver(syn, pr["weight"], m["population"][1]["times"], pr["delay"])
    st = m["stimulus"][0]
    ic = h.IClamp(secs["soma"](0.5))
    ic.amp, ic.delay, ic.dur = st["amp"], st["start"], st["stop"] - st["start"]
    dt = m["simulation"]["dt"]
    spikes, v = run(m, c, dt, {"soma(0.5)": secs["soma"](0.5), "apic[3](1)": secs["apic[3]"](1.0)},
                    secs["soma"](0.5))
    del keep
    return {"model": "tests/validation/models/swc_cell.toml", "dt_ms": dt,
            "nseg": {k: s.nseg for k, s in secs.items()},
            "length_um": {k: s.L for k, s in secs.items()},
            "area_um2": {k: sum(seg.area() for seg in s) for k, s in secs.items()},
            "spikes_ms": spikes, "v": {k: subsample(x, dt) for k, x in v.items()}}


def crossing(v, dt, threshold):
    for k in range(1, len(v)):
        if v[k - 1] < threshold <= v[k]:
            return dt * (k - 1 + (threshold - v[k - 1]) / (v[k] - v[k - 1]))
    return None


def node_position(sec, x):
    """Arc position [um] of the node a location maps to (a segment centre)."""
    n = sec.nseg
    j = min(int(math.floor(x * n)), n - 1)
    return sec.L * (j + 0.5) / n


def squid_axon():
    m = toml("tests/validation/models/squid_axon.toml")
    c = m["cell"]["squid"]
    s0 = c["section"][0]
    cases = []
    for nseg, dt, so in ((51, 0.025, 0), (101, 0.025, 0), (201, 0.01, 0), (401, 0.005, 0), (401, 0.005, 2),
                         (801, 0.002, 2)):
        ax = make_section("axon", [(0, s0["diam"]), (s0["length"], s0["diam"])], nseg=nseg, ra=c["Ra"], cm=c["cm"])
        ax.insert("hh")
        st = m["stimulus"][0]
        ic = h.IClamp(ax(0.0))
        ic.amp, ic.delay, ic.dur = st["amp"], st["start"], st["stop"] - st["start"]
        mm = m["measure"][0]
        a, b = mm["from"]["x"], mm["to"]["x"]
        _, v = run(m, c, dt, {"a": ax(a), "b": ax(b)}, ax(0.5), secondorder=so)
        ta, tb = crossing(v["a"], dt, mm["threshold"]), crossing(v["b"], dt, mm["threshold"])
        dist = node_position(ax, b) - node_position(ax, a)
        cases.append({"nseg": nseg, "dt_ms": dt, "secondorder": so, "velocity_m_per_s": dist / (tb - ta) * 1e-3})
        del ic, ax
    return {"model": "tests/validation/models/squid_axon.toml", "cases": cases}


def myelinated_axon():
    m = toml("examples/myelinated_axon.toml")
    out = {"model": "examples/myelinated_axon.toml"}
    dt = m["simulation"]["dt"]
    # The myelinated axon, as the builder makes it: node_i then internode_i.
    c, mo = m["cell"]["myelinated"], m["cell"]["myelinated"]["morphology"]
    hh_node = c["mechanism"][0]
    leak = c["mechanism"][1]
    secs, parent = {}, None
    for i in range(mo["nodes"]):
        for kind in ("node", "internode"):
            name = "%s_%d" % (kind, i)
            s = make_section(name, [(0, mo[kind + "_diam"]), (mo[kind + "_length"], mo[kind + "_diam"])], ra=c["Ra"])
            s.nseg = max(1, math.ceil(s.L / mo["discretization"]["max_length"] - 1e-9))
            if parent is not None:
                s.connect(parent(1))
            parent = secs[name] = s
            if kind == "node":
                s.insert("hh")
                s.gnabar_hh, s.gkbar_hh, s.gl_hh = hh_node["gnabar"], hh_node["gkbar"], hh_node["gl"]
            else:
                s.cm = c["membrane"][0]["cm"]
                s.insert("pas")
                s.g_pas, s.e_pas = leak["g"], leak["e"]
    st = m["stimulus"][0]
    ic = h.IClamp(secs[st["location"]["section"]](st["location"]["x"]))
    ic.amp, ic.delay, ic.dur = st["amp"], st["start"], st["stop"] - st["start"]
    probes = {}
    for mm in m["measure"][:2]:
        for key in ("from", "to"):
            probes[mm[key]["section"]] = secs[mm[key]["section"]](mm[key]["x"])
    _, v = run(m, c, dt, probes, secs["node_0"](0.5))
    for mm in m["measure"][:2]:
        a, b = mm["from"]["section"], mm["to"]["section"]
        ta, tb = crossing(v[a], dt, mm["threshold"]), crossing(v[b], dt, mm["threshold"])
        dist = h.distance(secs[a](0.5), secs[b](0.5))
        out[mm["name"]] = {"from": a, "to": b, "distance_um": dist, "delay_ms": tb - ta,
                           "velocity_m_per_s": dist / (tb - ta) * 1e-3}
    del ic
    for s in list(secs.values()):
        h.delete_section(sec=s)
    # The bare axon.
    cb = m["cell"]["bare"]
    s0 = cb["section"][0]
    ax = make_section("axon", [(0, s0["diam"]), (s0["length"], s0["diam"])], ra=cb["Ra"])
    ax.nseg = max(1, math.ceil(ax.L / s0["max_length"] - 1e-9))
    ax.insert("hh")
    st = m["stimulus"][1]
    ic = h.IClamp(ax(0.0))
    ic.amp, ic.delay, ic.dur = st["amp"], st["start"], st["stop"] - st["start"]
    mm = m["measure"][2]
    _, v = run(m, cb, dt, {"a": ax(mm["from"]["x"]), "b": ax(mm["to"]["x"])}, ax(0.5))
    ta, tb = crossing(v["a"], dt, mm["threshold"]), crossing(v["b"], dt, mm["threshold"])
    dist = node_position(ax, mm["to"]["x"]) - node_position(ax, mm["from"]["x"])
    out[mm["name"]] = {"distance_um": dist, "delay_ms": tb - ta, "velocity_m_per_s": dist / (tb - ta) * 1e-3}
    return out


def active_dendrite():
    """examples/active_dendrite.toml, with the rv_* NMODL channels. A region
    with a distance window is a section's mechanism with gbar 0 at the
    segments outside it (the pool there moves no current that matters)."""
    h.nrn_load_dll(os.path.join(ROOT, "tools", "peers", "mod", "x86_64", "libnrnmech.so"))
    m = toml("examples/active_dendrite.toml")
    c = m["cell"]["l5"]
    secs = {}
    for sd in c["section"]:
        d = sd["diam"] if isinstance(sd["diam"], list) else [sd["diam"], sd["diam"]]
        secs[sd["name"]] = make_section(sd["name"], [(0, d[0]), (sd["length"], d[1])], ra=c["Ra"], cm=c["cm"])
    for sd in c["section"]:
        if "parent" in sd:
            secs[sd["name"]].connect(secs[sd["parent"]](sd.get("parent_x", 1.0)))
    tag = {sd["name"]: sd["tag"] for sd in c["section"]}
    for s in secs.values():
        s.nseg = d_lambda_nseg(s)
    h.distance(0, secs["soma"](0.5))
    h.cai0_ca_ion, h.cao0_ca_ion = c["ions"]["ca"]["ci"], c["ions"]["ca"]["co"]

    def region_secs(region):
        names = [region] if isinstance(region, str) else region.get("names", region) if isinstance(region, dict) else region
        return [s for n, s in secs.items() if n in names or tag[n] in names]

    def value(v, d):
        if not isinstance(v, dict):
            return v
        if v["gradient"] == "linear":
            x = v["at_soma"] + v["slope"] * d
        elif v["gradient"] == "exponential":
            x = v.get("offset", 0.0) + v["scale"] * math.exp(d / v["length"])
        return min(max(x, v.get("min", -math.inf)), v.get("max", math.inf))

    for mech in c["mechanism"]:
        kind = mech["kind"]
        name = "pas" if kind == "leak" else "rv_" + kind
        region = mech.get("region", [sd["name"] for sd in c["section"]])
        if isinstance(region, dict) and set(region) - {"names", "min_distance"}:
            raise SystemExit("neuron_cable.py: region keys %s are not built here" % sorted(set(region) - {"names", "min_distance"}))
        dmin = region.get("min_distance", 0.0) if isinstance(region, dict) else 0.0
        for s in region_secs(region):
            s.insert(name)
            for seg in s:
                inside = h.distance(seg) >= dmin - 1e-9
                for p, v in mech.items():
                    if p in ("kind", "name", "region"):
                        continue
                    x = value(v, h.distance(seg))
                    if p in ("gbar", "g") and not inside:
                        x = 0.0
                    setattr(getattr(seg, name), p, x)
    for s in secs.values():
        for ion, attr in (("na", "ena"), ("k", "ek")):
            if hasattr(s, attr):
                setattr(s, attr, c["ions"][ion]["e"])
    clamps = iclamps(m, secs)
    dt = m["simulation"]["dt"]
    cai = h.Vector().record(secs["tuft"](0.5)._ref_cai)
    spikes, v = run(m, c, dt,
                    {"soma(0.5)": secs["soma"](0.5), "apic(0.9)": secs["apic"](0.9), "tuft(0.5)": secs["tuft"](0.5)},
                    secs["soma"](0.5))
    return {"model": "examples/active_dendrite.toml", "dt_ms": dt, "nseg": {k: s.nseg for k, s in secs.items()},
            "spikes_ms": spikes, "v": {k: subsample(x, dt) for k, x in v.items()},
            "cai_mM": subsample(list(cai), dt)}


def main():
    data = {
        "generator": "tools/peers/neuron_cable.py",
        "neuron_version": h.nrnversion(),
        "date": datetime.date.today().isoformat(),
        "sample_ms": SAMPLE_MS,
        "settings": "fixed step, cvode off, usetable_hh = 0, celsius and v_init the model's (v_init -65 mV where it "
                    "sets none), spikes at 0 mV upward at soma(0.5)",
    }
    for name, f in (("ball_and_stick", ball_and_stick), ("branched", branched), ("swc_cell", swc_cell),
                    ("squid_axon", squid_axon), ("myelinated_axon", myelinated_axon),
                    ("active_dendrite", active_dendrite)):
        data[name] = f()
        for s in list(h.allsec()):
            h.delete_section(sec=s)
        print(name, "done:", {k: v for k, v in data[name].items() if k in ("spikes_ms", "cases", "nseg")})
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
