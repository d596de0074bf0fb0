#!/usr/bin/python3
"""Writes the ring benchmark's model file (NEURON's ringtest in Ranvier's
terms): N identical cells, each an HH soma (20 um, 2 segments) with a
passive (or, with --active, HH) dendritic tree of 31 branches cut into 10 um
segments (184 compartments a cell), connected in a ring, cell i's soma onto
an ExpSyn on cell i+1's distal dendrite with a 1 ms delay. Cell 0 gets a brief current at
t = 1 ms; the one spike then travels around the ring.

    perf/ring/make_ring.py N [--active] [--duration MS] > ring.toml
"""
import argparse

p = argparse.ArgumentParser()
p.add_argument("cells", type=int)
p.add_argument("--active", action="store_true")
p.add_argument("--duration", type=float, default=100.0)
p.add_argument("--dt", type=float, default=0.025)
a = p.parse_args()
n = a.cells
pairs = ", ".join("[%d, %d]" % (i, (i + 1) % n) for i in range(n))
print(f"""# Ring benchmark: {n} branched cells passing one spike around (perf/bench_ring).
[simulation]
dt = {a.dt}          # ms
duration = {a.duration}  # ms
celsius = 6.3       # degC

[cell.ring]
cm = 1.0            # uF/cm2
Ra = 100.0          # ohm cm
threshold = 0.0     # mV

[cell.ring.morphology]
builder = "branched_dendrite"
soma_diam = 20.0    # um
soma_length = 20.0  # um
depth = 4           # 31 dendritic sections
branches = 2
stem_length = 100.0 # um
stem_diam = 2.0     # um
length_ratio = 0.8
discretization = {{ max_length = 10.0 }}   # um

[[cell.ring.mechanism]]
kind = "hh"
region = {'"all"' if a.active else '"soma"'}
{"" if a.active else '''
[[cell.ring.mechanism]]
kind = "leak"
region = "dend"
g = 0.0001          # S/cm2
e = -65.0           # mV
'''}
[[cell.ring.receptor]]
name = "syn"
kind = "expsyn"
tau = 2.0           # ms
e = 0.0             # mV
location = {{ section = "dend_0_0", x = 0.5 }}

[[population]]
name = "ring"
size = {n}
cell = "ring"

[[projection]]
pre = "ring"
post = "ring"
receptor = "syn"
rule = "list"
pairs = [{pairs}]
weight = 0.05       # uS
delay = 1.0         # ms

[[stimulus]]
population = "ring"
cells = [0]
amp = 1.0           # nA
start = 1.0         # ms
stop = 3.0          # ms

[[record]]
population = "ring"
variable = "spikes"
""")
