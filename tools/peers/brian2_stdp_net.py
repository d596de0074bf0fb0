#!/usr/bin/python3
# Peer timing for perf/bench_stdp: the plastic balanced network of
# perf/stdp/make_stdp.py (its PARAMS, the same model) in Brian2's C++
# standalone mode with OpenMP threads, plastic or static. Current-based LIF
# cells integrated exactly (method "exact"), exponential synaptic currents,
# connections with probability 0.1, 1.5 ms delays, 1000 Poisson sources;
# excitatory-to-excitatory connections with additive all-to-all STDP whose
# traces are event-driven, as Brian2's documented STDP example. Prints one
# JSON line: the simulation loop's wall time (device._last_run_time; with
# --repeat R the median of R runs of the one compiled binary, each in
# sim_loop_wall_s_all), spike counts and synapse counts. With --keep DIR the
# project stays in DIR, whose ./main perf/bench_stdp runs again between
# Ranvier's runs (it reads the loop time from DIR/results/last_run_info.txt).
#   tools/peers/brian2_stdp_net.py [--static] [--exc 4000] [--threads 2] [--duration 1000] [--seed 1] [--repeat 1]
#                                  [--keep DIR]

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "perf", "stdp"))
from make_stdp import PARAMS  # noqa: E402

import brian2  # noqa: E402
from brian2 import (NeuronGroup, PoissonGroup, Synapses, SpikeMonitor, Network, defaultclock, device, prefs,  # noqa: E402
                    seed as brian_seed, set_device, ms, mV, nA, nF, Hz)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--static", action="store_true")
    ap.add_argument("--exc", type=int, default=4000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--duration", type=float, default=1000.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="runs of the compiled binary (the median is reported)")
    ap.add_argument("--keep", help="build the project in this directory and keep it")
    a = ap.parse_args()
    P = PARAMS
    workdir = os.path.abspath(a.keep) if a.keep else tempfile.mkdtemp(prefix="brian2_stdp_net_")
    try:
        set_device("cpp_standalone", directory=workdir, build_on_run=False)
        prefs.devices.cpp_standalone.openmp_threads = a.threads
        defaultclock.dt = P["dt_ms"] * ms
        brian_seed(a.seed)
        n_exc, n_inh = a.exc, a.exc // 4
        taum, taus = P["tau_m_ms"] * ms, P["tau_syn_ms"] * ms
        R = taum / (P["cm_nF"] * nF)
        El, vt, vr = P["e_l_mV"] * mV, P["v_th_mV"] * mV, P["v_reset_mV"] * mV
        eqs = """dv/dt = (El - v + R*I)/taum : volt (unless refractory)
                 dI/dt = -I/taus : amp"""
        cells = NeuronGroup(n_exc + n_inh, eqs, threshold="v > vt", reset="v = vr",
                            refractory=P["t_ref_ms"] * ms, method="exact")
        cells.v = "vr + rand()*(vt - vr)"
        exc, inh = cells[:n_exc], cells[n_exc:]
        ext = PoissonGroup(P["n_ext"], rates=P["rate_ext_hz"] * Hz)
        je, ji = P["j_exc_nA"] * nA, -P["g"] * P["j_exc_nA"] * nA
        delay = P["delay_ms"] * ms
        objs = [cells, ext]
        if a.static:
            ee = Synapses(exc, exc, "w : amp", on_pre="I_post += w", delay=delay)
        else:
            taupre = taupost = P["tau_stdp_ms"] * ms
            aplus, aminus, wmax = P["a_plus_nA"] * nA, P["a_minus_nA"] * nA, P["w_max_nA"] * nA
            ee = Synapses(exc, exc,
                          """w : amp
                             dApre/dt = -Apre / taupre : amp (event-driven)
                             dApost/dt = -Apost / taupost : amp (event-driven)""",
                          on_pre="""I_post += w
                                    Apre += aplus
                                    w = clip(w - Apost, 0*nA, wmax)""",
                          on_post="""Apost += aminus
                                     w = clip(w + Apre, 0*nA, wmax)""", delay=delay)
        ee.connect(p=P["p"])
        ee.w = je
        objs.append(ee)
        for pre, post, w in ((exc, inh, je), (inh, exc, ji), (inh, inh, ji), (ext, exc, je), (ext, inh, je)):
            s = Synapses(pre, post, "w : amp (constant)", on_pre="I_post += w", delay=delay)
            s.connect(p=P["p"])
            s.w = w
            objs.append(s)
        mon = SpikeMonitor(cells)
        objs.append(mon)
        net = Network(*objs)
        net.run(a.duration * ms)
        t0 = time.perf_counter()
        device.build(directory=workdir, compile=True, run=True, debug=False)
        total = time.perf_counter() - t0
        loops = [float(device._last_run_time)]
        for _ in range(a.repeat - 1):  # the same binary again: same spikes, another timing
            device.run(directory=workdir, with_output=False, run_args=[])
            loops.append(float(device._last_run_time))
        counts = mon.count[:]
        print(json.dumps({
            "simulator": f"brian2 {brian2.__version__} cpp_standalone",
            "threads": a.threads, "plastic": not a.static, "seed": a.seed,
            "sim_loop_wall_s": sorted(loops)[len(loops) // 2], "sim_loop_wall_s_all": loops,
            "build_and_run_wall_s": total,
            "spikes_exc": int(counts[:n_exc].sum()), "spikes_inh": int(counts[n_exc:].sum()),
            "synapses_ee": int(len(ee)), "synapses_total": int(sum(len(o) for o in objs if isinstance(o, Synapses))),
        }))
    finally:
        if not a.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
