#!/usr/bin/python3
"""The ring benchmark in NEURON (Debian's 8.2), for perf/bench_ring: the same
cells, ring and stimulus as perf/ring/make_ring.py writes for Ranvier, at
NEURON's fastest fixed-step settings -- CVode().cache_efficient(1) and
ParallelContext().nthread(n) -- timed around ParallelContext.psolve alone
(building excluded). Prints one JSON line: compartments, steps, wall time,
compartment-steps/s, the spikes and the settings.

    /usr/bin/python3 tools/peers/neuron_ring.py N --threads T [--active] [--duration MS] [--repeat R]
"""
import argparse
import json
import math
import time

from neuron import h

p = argparse.ArgumentParser()
p.add_argument("cells", type=int)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--active", action="store_true")
p.add_argument("--duration", type=float, default=100.0)
p.add_argument("--dt", type=float, default=0.025)
p.add_argument("--repeat", type=int, default=1)
a = p.parse_args()

h.load_file("stdrun.hoc")
h.celsius = 6.3
h.usetable_hh = 1  # NEURON's default: rate tables, faster than the exact functions (its fastest setting)


class Cell:
    def __init__(self, i):
        self.secs = {}
        soma = self.secs["soma"] = h.Section(name="soma_%d" % i)
        soma.L = soma.diam = 20.0
        todo = [("dend", "soma", 100.0, 2.0, 0)]
        shrink = 2 ** (-2.0 / 3.0)
        while todo:
            name, parent, length, diam, level = todo.pop(0)
            s = self.secs[name] = h.Section(name="%s_%d" % (name, i))
            s.L, s.diam = length, diam
            s.connect(self.secs[parent](1))
            if level < 4:
                for b in range(2):
                    todo.append(("%s_%d" % (name, b), name, length * 0.8, diam * shrink, level + 1))
        for s in self.secs.values():
            s.Ra, s.cm = 100.0, 1.0
            s.nseg = max(1, math.ceil(s.L / 10.0 - 1e-9))
            if a.active or s is soma:
                s.insert("hh")
            else:
                s.insert("pas")
                s.g_pas, s.e_pas = 1e-4, -65.0
        self.syn = h.ExpSyn(self.secs["dend_0_0"](0.5))
        self.syn.tau, self.syn.e = 2.0, 0.0


# The ring as NEURON's own ringtest builds it: cells registered by gid, so
# that ParallelContext.psolve runs the whole loop in C with the minimum
# delay known (1 ms).
pc = h.ParallelContext()
cells = [Cell(i) for i in range(a.cells)]
for i, c in enumerate(cells):
    pc.set_gid2node(i, pc.id())
    nc = h.NetCon(c.secs["soma"](0.5)._ref_v, None, sec=c.secs["soma"])
    nc.threshold = 0.0
    pc.cell(i, nc)
ncs = []
for i, c in enumerate(cells):
    nc = pc.gid_connect(i, cells[(i + 1) % a.cells].syn)
    nc.weight[0], nc.delay = 0.05, 1.0
    ncs.append(nc)
stim = h.IClamp(cells[0].secs["soma"](0.5))
stim.delay, stim.dur, stim.amp = 1.0, 2.0, 1.0
spikes, gids = h.Vector(), h.Vector()
pc.spike_record(-1, spikes, gids)  # every cell's (emptied by each stdinit)

pc.set_maxstep(10)
pc.nthread(a.threads)
h.CVode().cache_efficient(1)
h.cvode_active(0)
h.dt = a.dt
h.steps_per_ms = 1.0 / a.dt
h.tstop = a.duration
walls = []
for _ in range(a.repeat):
    h.stdinit()
    t0 = time.perf_counter()
    pc.psolve(a.duration)
    walls.append(time.perf_counter() - t0)
walls.sort()
wall = walls[len(walls) // 2]
compartments = sum(s.nseg for c in cells for s in c.secs.values())
steps = round(a.duration / a.dt)
print(json.dumps({"simulator": "NEURON " + h.nrnversion(5), "threads": a.threads, "cache_efficient": 1,
                  "cells": a.cells, "compartments": compartments, "steps": steps, "wall_s": wall, "wall_s_all": walls,
                  "compartment_steps_per_s": compartments * steps / wall, "spikes": len(spikes),
                  "cell0_spikes_ms": [t for t, g in zip(spikes, gids) if g == 0],
                  "active_dendrites": a.active, "usetable_hh": 1}))
