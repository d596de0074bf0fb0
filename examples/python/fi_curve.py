"""The f-I curve of a Hodgkin-Huxley cell (NEURON's hh, 6.3 °C, 1000 µm²): a
parameter sweep in a loop. One Simulation is made once; for each current the
stimulus is changed (set_stimulus) and the same run continues, the rate
counted after a transient, the spikes kept in memory. The same sweep with
the command line means a model file written, a process started, the model
read, checked and built, and a spike file written and read back, for every
current: the timing at the end shows both.

    tools/python examples/python/fi_curve.py [--out out]
"""
import argparse
import os
import time

import numpy as np

import ranvier

ap = argparse.ArgumentParser()
ap.add_argument("--out", default="out")
args = ap.parse_args()

settle, window = 200.0, 800.0  # ms: transient, then counted
amps = np.round(np.arange(0.0, 0.301, 0.01), 3)  # nA on 1000 µm² (0.1 nA = 10 µA/cm²)
model = (ranvier.Model(dt=0.025, celsius=6.3)  # ms, °C
         .cell("squid", area=1000.0, threshold=0.0, mechanism=[{"kind": "hh"}], init={"v": -65.0})
         .population("hh", cell="squid", size=1)
         .stimulus(population="hh", amp=0.0, start=0.0)  # nA, ms
         .record("hh", "spikes"))

t0 = time.perf_counter()
sim = ranvier.Simulation(model, engine="cpu", threads=1, progress=False)
rates = []
for amp in amps:
    sim.set_stimulus(0, amp=float(amp))
    sim.run(settle)
    before = sim.spikes()["time_ms"].size
    sim.run(window)
    rates.append((sim.spikes()["time_ms"].size - before) / (window * 1e-3))
one = time.perf_counter() - t0

# The same sweep with the CLI: one model file and one run per current.
TOML = """[simulation]
dt = 0.025
duration = {duration}
celsius = 6.3
[cell.squid]
area = 1000.0
threshold = 0.0
init = {{ v = -65.0 }}
[[cell.squid.mechanism]]
kind = "hh"
[[population]]
name = "hh"
cell = "squid"
size = 1
[[stimulus]]
population = "hh"
amp = {amp}
start = 0.0
[[record]]
population = "hh"
variable = "spikes"
"""
cli = os.path.join(os.path.dirname(ranvier.__file__), "..", "..", "host", "ranvier")
cli_s = None
if os.path.exists(cli):
    import subprocess
    import tempfile
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for amp in amps:
            path = os.path.join(tmp, "fi.toml")
            with open(path, "w") as f:
                f.write(TOML.format(duration=settle + window, amp=float(amp)))
            subprocess.run([cli, "run", path, "--engine", "cpu", "--threads", "1", "--quiet", "--out",
                            os.path.join(tmp, "o")], check=True, stdout=subprocess.DEVNULL)
            with open(os.path.join(tmp, "o", "spikes.csv")) as f:  # read, as a script would (no spike: a header only)
                np.array([float(line.split(",")[0]) for line in f.readlines()[1:]])
    cli_s = time.perf_counter() - t0

for a, r in zip(amps, rates):
    print(f"{a:5.2f} nA  {r:6.1f} Hz")
print(f"{len(amps)} currents, {settle + window:.0f} ms each: one simulation continued {one:.3f} s"
      + (f"; the CLI, one run per current {cli_s:.3f} s" if cli_s is not None else ""))

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("no matplotlib: no plot")
else:
    os.makedirs(args.out, exist_ok=True)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(amps * 100.0, rates, "o-")  # nA on 1000 µm² -> µA/cm²
    ax.set_xlabel("I (µA/cm²)")
    ax.set_ylabel("rate (Hz)")
    ax.set_title("f-I curve, HH (6.3 °C)")
    path = os.path.join(args.out, "fi_curve.png")
    fig.savefig(path, dpi=120, bbox_inches="tight")
    print(f"wrote {path}")
