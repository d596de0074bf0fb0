"""The Vogels-Abbott benchmark (Vogels & Abbott 2005, J Neurosci 25:10786; as
benchmark 1, COBA, of Brette et al. 2007, J Comput Neurosci 23:349): 4000
integrate-and-fire cells with exponential conductance synapses, 80 %
excitatory, connected with probability 0.02, kicked by a short Poisson
input (20 sources at 100 Hz for 50 ms). With these values (PyNN's
VAbenchmarks: 4 nS and 51 nS, scaled with the cell count) the activity does
not sustain itself here: the last spikes come about 18 ms after the kick,
on Ranvier and on NEURON alike (and with Brette et al.'s 6 and 67 nS, or
0.2 ms delays, too), so the rates below are of that burst, averaged over the
whole run. What the script shows is the same network giving the same rates
on two simulators. Written against PyNN's API: it runs on
Ranvier or on NEURON by changing one import (the line below), or with
--simulator neuron.

    tools/python examples/python/vogels_abbott.py [--n 4000] [--simulator neuron]
"""
import argparse
import importlib
import json
import time

import numpy as np

import pyNN.ranvier as sim  # the one line to change: pyNN.neuron, pyNN.nest, ...
from pyNN.random import NumpyRNG, RandomDistribution

ap = argparse.ArgumentParser()
ap.add_argument("--simulator", default=None, help="another PyNN backend instead: neuron, nest, ...")
ap.add_argument("--n", type=int, default=4000, help="cells")
ap.add_argument("--duration", type=float, default=1000.0, help="ms")
ap.add_argument("--dt", type=float, default=0.1, help="ms")
ap.add_argument("--seed", type=int, default=764756387)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--json", action="store_true", help="print the results as one JSON line")
args = ap.parse_args()
if args.simulator:
    sim = importlib.import_module(f"pyNN.{args.simulator}")

t0 = time.perf_counter()
sim.setup(timestep=args.dt, min_delay=args.dt, max_delay=1.0, threads=args.threads)
n_exc = int(0.8 * args.n)
n_inh = args.n - n_exc
# Brette et al. 2007, benchmark 1: area 20000 µm², 1 µF/cm², g_leak 10 nS.
cell_params = dict(tau_m=20.0, tau_syn_E=5.0, tau_syn_I=10.0, e_rev_E=0.0, e_rev_I=-80.0,  # ms, mV
                   tau_refrac=5.0, v_rest=-60.0, v_thresh=-50.0, v_reset=-60.0, cm=0.2, i_offset=0.0)  # nF, nA
w_exc, w_inh = 0.004 * 4000 / args.n, 0.051 * 4000 / args.n  # µS (4 nS, 51 nS at 4000 cells), scaled with n
delay = args.dt  # ms: the shortest
pconn = 0.02

rng = NumpyRNG(seed=args.seed)
exc = sim.Population(n_exc, sim.IF_cond_exp(**cell_params), label="excitatory")
inh = sim.Population(n_inh, sim.IF_cond_exp(**cell_params), label="inhibitory")
v_init = RandomDistribution("uniform", low=-60.0, high=-50.0, rng=rng)  # mV
exc.initialize(v=v_init)
inh.initialize(v=v_init)
ext = sim.Population(20, sim.SpikeSourcePoisson(rate=100.0, duration=50.0), label="input")  # Hz, ms

connector = sim.FixedProbabilityConnector(pconn, rng=rng)
e_syn = sim.StaticSynapse(weight=w_exc, delay=delay)
i_syn = sim.StaticSynapse(weight=w_inh, delay=delay)
for pre, syn, rec in ((exc, e_syn, "excitatory"), (inh, i_syn, "inhibitory")):
    for post in (exc, inh):
        sim.Projection(pre, post, connector, syn, receptor_type=rec)
for post in (exc, inh):
    sim.Projection(ext, post, sim.FixedProbabilityConnector(0.1, rng=rng), sim.StaticSynapse(weight=0.1, delay=delay),
                   receptor_type="excitatory")
exc.record("spikes")
inh.record("spikes")
exc[0:2].record("v")
t_build = time.perf_counter() - t0

t0 = time.perf_counter()
sim.run(args.duration)
t_run = time.perf_counter() - t0


def stats(pop):
    trains = pop.get_data("spikes").segments[0].spiketrains
    counts = np.array([len(s) for s in trains])
    isis = [np.diff(np.asarray(s.magnitude)) for s in trains if len(s) > 2]
    cvs = [np.std(i) / np.mean(i) for i in isis if np.mean(i) > 0]
    return float(counts.mean() / (args.duration * 1e-3)), float(np.mean(cvs)) if cvs else float("nan")


rate_e, cv_e = stats(exc)
rate_i, cv_i = stats(inh)
name = sim.__name__.split(".")[-1]
result = dict(simulator=name, cells=args.n, duration_ms=args.duration, build_s=t_build, run_s=t_run,
              rate_exc_hz=rate_e, rate_inh_hz=rate_i, cv_exc=cv_e, cv_inh=cv_i)
if args.json:
    print(json.dumps(result))
else:
    print(f"{name}: {args.n} cells, {args.duration:.0f} ms: build {t_build:.2f} s, run {t_run:.2f} s")
    print(f"  excitatory {rate_e:6.2f} Hz (CV {cv_e:.2f}), inhibitory {rate_i:6.2f} Hz (CV {cv_i:.2f})")
sim.end()
