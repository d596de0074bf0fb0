"""COBAHH (Brette et al. 2007, benchmark 3) built in Python: the tables of
examples/cobahh.toml written with ranvier.Model, run for one second, and a
raster plot of the first 400 excitatory cells (out/cobahh_raster.png).

    tools/python examples/python/cobahh.py [--engine cpu|cuda] [--threads N]
"""
import argparse
import os

import numpy as np

import ranvier

ap = argparse.ArgumentParser()
ap.add_argument("--engine", default="auto")
ap.add_argument("--threads", type=int, default=0)
ap.add_argument("--duration", type=float, default=1000.0, help="ms")
ap.add_argument("--out", default="out")
args = ap.parse_args()

model = (
    ranvier.Model(dt=0.1, duration=args.duration, seed=1)  # ms
    .cell("tm",
          area=20000.0, cm=1.0, threshold=-20.0, refractory=3.0,  # µm², µF/cm², mV, ms
          mechanism=[dict(kind="traub_miles", gnabar=0.1, gkbar=0.03, ena=50.0, ek=-90.0, vt=-63.0),  # S/cm², mV
                     dict(kind="leak", g=5e-5, e=-60.0)],  # S/cm², mV
          receptor=[dict(name="exc", tau=5.0, e=0.0),  # ms, mV
                    dict(name="inh", tau=10.0, e=-80.0)],
          init={"v": dict(dist="normal", mean=-65.0, sd=5.0),  # mV
                "traub_miles": dict(m=0.0, h=0.0, n=0.0),
                "exc.g": dict(dist="normal", mean=0.04, sd=0.015, low=0.0),  # µS
                "inh.g": dict(dist="normal", mean=0.2, sd=0.12, low=0.0)})
    .population("exc", cell="tm", size=3200)
    .population("inh", cell="tm", size=800)
)
for pre, receptor, weight in (("exc", "exc", 0.006), ("inh", "inh", 0.067)):  # µS
    for post in ("exc", "inh"):
        model.project(pre, post, receptor=receptor, rule="fixed_probability", probability=0.02,
                      weight=weight, delay=0.1)  # ms
model.record("exc", "spikes").record("inh", "spikes")

sim = ranvier.Simulation(model, engine=args.engine, threads=args.threads)
sim.run()
s = sim.summary()
print(f"{sim.engine}: {s['cells']} cells, {s['connections']} connections, {sim.time:.0f} ms in {s['run_s']:.3f} s")
for p in s["populations"]:
    print(f"  {p['name']:4} {p['rate_hz']:7.2f} Hz")

exc = sim.spikes("exc")
keep = exc["index"] < 400
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("no matplotlib: no raster plot")
else:
    os.makedirs(args.out, exist_ok=True)
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(exc["time_ms"][keep], exc["index"][keep], ",k")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("excitatory cell")
    ax.set_title(f"COBAHH, 4000 cells: {np.count_nonzero(keep)} spikes of cells 0-399")
    path = os.path.join(args.out, "cobahh_raster.png")
    fig.savefig(path, dpi=120, bbox_inches="tight")
    print(f"wrote {path}")
