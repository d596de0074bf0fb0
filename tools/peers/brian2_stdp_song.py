#!/usr/bin/python3
# Peer reference for Ranvier: the Song, Miller & Abbott (2000) experiment as
# Brian2 documents it in examples/synapses/STDP.py -- 1000 Poisson inputs at
# 15 Hz onto one conductance-based integrate-and-fire neuron through additive
# STDP (A-/A+ = 1.05, tau 20 ms) for 100 s of activity -- run in Brian2's C++
# standalone mode, for several seeds. Writes the final weights' histogram,
# the fractions near each bound, the output rate and the wall-clock time to
# JSON (tests/validation/data/brian2_stdp_song.json); tests/test_plasticity.cpp
# and examples/stdp_song.toml are the same model in Ranvier.
#
# The model (units: the conductance ge and the weights are in units of the
# leak conductance, as in the example):
#   taum dv/dt = ge (Ee - v) + El - v,  dge/dt = -ge/taue
#   taum 10 ms, Ee 0 mV, vt -54 mV, vr -60 mV, El -74 mV, taue 5 ms
#   gmax 0.01; dApre = 0.01 gmax; dApost = -dApre taupre/taupost 1.05
#   on_pre: ge += w; Apre += dApre; w = clip(w + Apost, 0, gmax)
#   on_post: Apost += dApost; w = clip(w + Apre, 0, gmax)
#   initial w uniform in [0, gmax]; dt 0.1 ms
#
# Must be run with the Debian interpreter (/usr/bin/python3). Generated code
# goes to a temporary directory, never into the repository.
#   tools/peers/brian2_stdp_song.py --seeds 1 2 3 --json tests/validation/data/brian2_stdp_song.json

import argparse
import datetime
import json
import platform
import shutil
import tempfile
import time
import warnings

warnings.filterwarnings("ignore", category=FutureWarning)

import numpy as np
import brian2
from brian2 import (NeuronGroup, PoissonGroup, Synapses, SpikeMonitor, Network, defaultclock, device, prefs,
                    seed as brian_seed, set_device, ms, mV, second, Hz)

N = 1000
BINS = 20


def run(seed, duration_s, workdir, threads):
    set_device("cpp_standalone", directory=workdir, build_on_run=False)
    device.reinit()
    device.activate(directory=workdir, build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = threads
    defaultclock.dt = 0.1 * ms
    brian_seed(seed)
    taum, Ee, vt, vr, El, taue = 10 * ms, 0 * mV, -54 * mV, -60 * mV, -74 * mV, 5 * ms
    F = 15 * Hz
    gmax = 0.01
    taupre = taupost = 20 * ms
    dApre = 0.01
    dApost = -dApre * taupre / taupost * 1.05
    dApost *= gmax
    dApre *= gmax
    eqs = """dv/dt = (ge * (Ee-v) + El - v) / taum : volt
             dge/dt = -ge / taue : 1"""
    inp = PoissonGroup(N, rates=F)
    neuron = NeuronGroup(1, eqs, threshold="v>vt", reset="v = vr", method="euler")
    neuron.v = vr
    S = Synapses(inp, neuron,
                 """w : 1
                    dApre/dt = -Apre / taupre : 1 (event-driven)
                    dApost/dt = -Apost / taupost : 1 (event-driven)""",
                 on_pre="""ge += w
                           Apre += dApre
                           w = clip(w + Apost, 0, gmax)""",
                 on_post="""Apost += dApost
                            w = clip(w + Apre, 0, gmax)""")
    S.connect()
    S.w = "rand() * gmax"
    out = SpikeMonitor(neuron)
    net = Network(inp, neuron, S, out)
    net.run(duration_s * second)
    t0 = time.perf_counter()
    device.build(directory=workdir, compile=True, run=True, debug=False)
    wall = time.perf_counter() - t0
    w = np.array(S.w[:]) / gmax
    t = np.array(out.t / second)
    hist, _ = np.histogram(w, bins=BINS, range=(0.0, 1.0))
    return {
        "seed": seed,
        "weights_histogram": hist.tolist(),
        "fraction_below_0.1": float(np.mean(w < 0.1)),
        "fraction_above_0.9": float(np.mean(w > 0.9)),
        "mean_weight": float(np.mean(w)),
        "rate_last_10s_hz": float(np.sum(t >= duration_s - 10.0) / 10.0),
        "rate_first_10s_hz": float(np.sum(t < 10.0) / 10.0),
        "build_and_run_wall_s": wall,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--duration", type=float, default=100.0, help="simulated time [s]")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", required=True)
    args = ap.parse_args()
    runs = []
    for s in args.seeds:
        workdir = tempfile.mkdtemp(prefix="brian2_stdp_song_")
        try:
            runs.append(run(s, args.duration, workdir, args.threads))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        r = runs[-1]
        print(f"seed {s}: below 0.1 {r['fraction_below_0.1']:.3f}, above 0.9 {r['fraction_above_0.9']:.3f}, "
              f"rate {r['rate_last_10s_hz']:.2f} Hz, {r['build_and_run_wall_s']:.1f} s", flush=True)
    doc = {
        "what": "Song, Miller & Abbott 2000 as Brian2's examples/synapses/STDP.py, C++ standalone",
        "generated_by": "tools/peers/brian2_stdp_song.py",
        "date": datetime.date.today().isoformat(),
        "brian2": brian2.__version__,
        "machine": platform.platform(),
        "duration_s": args.duration,
        "inputs": N,
        "bins": BINS,
        "weights_in_units_of_gmax": True,
        "runs": runs,
    }
    with open(args.json, "w") as f:
        json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
