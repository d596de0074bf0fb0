#!/usr/bin/python3
# Peer reference for Ranvier: runs Brian2's documented COBAHH example
# (Brette et al. 2007, J Comput Neurosci 23:349, benchmark 3 -- 4000
# Traub-Miles HH cells with conductance-based exponential synapses) and
# writes (a) reference firing statistics (exc/inh rates, ISI CV, spike and
# synapse counts) and (b) wall-clock timings of the simulation, by default in
# Brian2's C++ standalone mode, to a JSON file.  Ranvier's validation and
# performance comparisons read that JSON (tests/validation/data/brian2_cobahh.json).
#
# Must be run with the Debian interpreter (/usr/bin/python3), the only one
# that can import brian2 here.  All generated code / build output goes under a
# temporary directory in /tmp (see --workdir), never into the repository.
#
# Example:
#   tools/peers/brian2_cobahh.py --seed 1 2 3 4 5 \
#       --json tests/validation/data/brian2_cobahh.json

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore", category=FutureWarning)  # noisy pythran/numpy

import numpy as np
import brian2
from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, Equations,
                    defaultclock, device, prefs, seed as brian_seed,
                    set_device, ms, mV, nS, umetre, cm, ufarad, siemens,
                    msiemens)

N_TOTAL = 4000
N_EXC = 3200
N_INH = N_TOTAL - N_EXC
SETTLE_MS = 200.0   # "steady state" statistics use t >= SETTLE_MS
TAIL_MS = 200.0     # window at the end of the run used to check persistence


def build_network():
    """Brian2's COBAHH example (docs: examples/COBAHH.py), verbatim model."""
    # Parameters
    area = 20000 * umetre ** 2
    Cm = (1 * ufarad * cm ** -2) * area
    gl = (5e-5 * siemens * cm ** -2) * area
    El = -60 * mV
    EK = -90 * mV
    ENa = 50 * mV
    g_na = (100 * msiemens * cm ** -2) * area
    g_kd = (30 * msiemens * cm ** -2) * area
    VT = -63 * mV
    # Time constants
    taue = 5 * ms
    taui = 10 * ms
    # Reversal potentials
    Ee = 0 * mV
    Ei = -80 * mV
    we = 6 * nS   # excitatory synaptic weight
    wi = 67 * nS  # inhibitory synaptic weight

    eqs = Equations('''
    dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-
             g_na*(m*m*m)*h*(v-ENa)-
             g_kd*(n*n*n*n)*(v-EK))/Cm : volt
    dm/dt = alpha_m*(1-m)-beta_m*m : 1
    dn/dt = alpha_n*(1-n)-beta_n*n : 1
    dh/dt = alpha_h*(1-h)-beta_h*h : 1
    dge/dt = -ge*(1./taue) : siemens
    dgi/dt = -gi*(1./taui) : siemens
    alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
    beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
    beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
    ''')
    ns = dict(Cm=Cm, gl=gl, El=El, EK=EK, ENa=ENa, g_na=g_na, g_kd=g_kd,
              VT=VT, taue=taue, taui=taui, Ee=Ee, Ei=Ei, we=we, wi=wi)

    P = NeuronGroup(N_TOTAL, model=eqs, threshold='v>-20*mV',
                    refractory=3 * ms, method='exponential_euler',
                    namespace=ns, name='P')
    Pe = P[:N_EXC]
    Pi = P[N_EXC:]
    Ce = Synapses(Pe, P, on_pre='ge+=we', namespace=ns, name='Ce')
    Ci = Synapses(Pi, P, on_pre='gi+=wi', namespace=ns, name='Ci')
    Ce.connect(p=0.02)
    Ci.connect(p=0.02)

    # Initialization (m, n, h stay at 0, as in the example)
    P.v = 'El + (randn() * 5 - 5)*mV'
    P.ge = '(randn() * 1.5 + 4) * 10.*nS'
    P.gi = '(randn() * 12 + 20) * 10.*nS'

    mon = SpikeMonitor(P, name='spikemon')
    net = Network(P, Ce, Ci, mon)
    return net, P, Ce, Ci, mon


def isi_cv(t_ms, idx, lo, hi):
    """Mean CV of ISIs over cells lo <= idx < hi with >= 3 spikes."""
    sel = (idx >= lo) & (idx < hi)
    t = t_ms[sel]
    i = idx[sel]
    order = np.lexsort((t, i))
    t = t[order]
    i = i[order]
    cvs = []
    if t.size:
        bounds = np.flatnonzero(np.diff(i)) + 1
        for ts in np.split(t, bounds):
            if ts.size >= 3:
                isi = np.diff(ts)
                m = isi.mean()
                if m > 0:
                    cvs.append(isi.std() / m)
    return (float(np.mean(cvs)) if cvs else None), len(cvs)


def analyse(t_ms, idx, duration_ms):
    exc = idx < N_EXC
    inh = ~exc
    res = {}

    def rate(mask, n, t0, t1):
        if t1 <= t0:
            return None
        c = np.count_nonzero(mask & (t_ms >= t0) & (t_ms < t1 + 1e-9))
        return float(c / (n * (t1 - t0) * 1e-3))

    tail0 = max(0.0, duration_ms - TAIL_MS)
    for name, mask, n, lo, hi in (("exc", exc, N_EXC, 0, N_EXC),
                                  ("inh", inh, N_INH, N_EXC, N_TOTAL)):
        cv, ncv = isi_cv(t_ms, idx, lo, hi)
        res[name] = {
            "n_cells": n,
            "n_spikes": int(np.count_nonzero(mask)),
            "rate_hz": rate(mask, n, 0.0, duration_ms),
            "rate_hz_t_ge_%dms" % SETTLE_MS: rate(mask, n, SETTLE_MS, duration_ms),
            "rate_hz_last_%dms" % TAIL_MS: rate(mask, n, tail0, duration_ms),
            "frac_cells_active": float(np.unique(idx[mask]).size / n),
            "mean_isi_cv": cv,
            "n_cells_in_cv": ncv,
        }
    cv_all, ncv_all = isi_cv(t_ms, idx, 0, N_TOTAL)
    res["all"] = {"n_spikes": int(idx.size), "mean_isi_cv": cv_all,
                  "n_cells_in_cv": ncv_all,
                  "rate_hz": float(idx.size / (N_TOTAL * duration_ms * 1e-3))}

    # Persistence / asynchrony diagnostics on the whole population.
    nb100 = int(math.floor(duration_ms / 100.0 + 1e-9))
    if nb100 > 0:
        h, _ = np.histogram(t_ms, bins=nb100, range=(0, nb100 * 100.0))
        r100 = h / (N_TOTAL * 0.1)
        res["pop_rate_hz_per_100ms"] = [float(x) for x in r100]
        res["min_pop_rate_hz_100ms_bins"] = float(r100.min())
    if duration_ms > SETTLE_MS:
        nb = int(math.floor(duration_ms - SETTLE_MS))
        if nb > 0:
            h, _ = np.histogram(t_ms, bins=nb, range=(SETTLE_MS, SETTLE_MS + nb))
            # population spike counts in 1 ms bins: CV ~ O(1/sqrt(mean)) for
            # asynchronous activity, >> that for synchronous oscillation.
            mu = h.mean()
            res["pop_count_1ms_bins_t_ge_%dms" % SETTLE_MS] = {
                "mean": float(mu), "cv": float(h.std() / mu) if mu > 0 else None,
                "poisson_cv": float(1 / math.sqrt(mu)) if mu > 0 else None,
                "fano": float(h.var() / mu) if mu > 0 else None,
                "n_empty_bins": int(np.count_nonzero(h == 0)),
            }
    return res


def write_spikes(path, t_ms, idx):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    order = np.lexsort((idx, t_ms))
    with open(path, "w") as f:
        f.write("time_ms,population,index\n")
        for k in order:
            i = int(idx[k])
            if i < N_EXC:
                f.write("%.4f,exc,%d\n" % (t_ms[k], i))
            else:
                f.write("%.4f,inh,%d\n" % (t_ms[k], i - N_EXC))


def spikes_path_for(template, s, nseeds):
    if template is None:
        return None
    if "{seed}" in template:
        return template.format(seed=s)
    if nseeds == 1:
        return template
    root, ext = os.path.splitext(template)
    return "%s_seed%d%s" % (root, s, ext or ".csv")


def run_one(args, s, workdir):
    t_total0 = time.perf_counter()
    timings = {}
    sdir = None
    if args.mode == "standalone":
        device.reinit()
        device.activate()
        sdir = os.path.join(workdir, "standalone_seed%d" % s)
        if os.path.exists(sdir):
            shutil.rmtree(sdir)
        set_device('cpp_standalone', directory=sdir, build_on_run=False)
        prefs.devices.cpp_standalone.openmp_threads = args.threads
    else:
        set_device('runtime')
        prefs.codegen.target = args.runtime_target
    defaultclock.dt = args.dt * ms
    brian_seed(s)

    t0 = time.perf_counter()
    net, P, Ce, Ci, mon = build_network()
    timings["setup_s"] = time.perf_counter() - t0  # runtime: includes connect()

    t0 = time.perf_counter()
    net.run(args.duration * ms)
    t_run_call = time.perf_counter() - t0
    if args.mode == "standalone":
        t0 = time.perf_counter()
        device.build(directory=sdir, compile=True, run=True, with_output=False)
        t_build = time.perf_counter() - t0
        make_s = device.timers['compile']['make']
        bin_s = device.timers['run_binary']
        timings.update({
            "sim_loop_wall_s": float(device._last_run_time),
            "sim_loop_wall_source": "Brian2 device._last_run_time = "
                                    "results/last_run_info.txt (omp_get_wtime "
                                    "around the Network::run loop in the "
                                    "compiled binary)",
            "binary_wall_s": bin_s,
            "binary_wall_source": "Brian2 device.timers['run_binary'] "
                                  "(subprocess wall time of ./main: includes "
                                  "synapse creation, initialisation, run loop, "
                                  "writing results)",
            "compile_s": make_s,
            "compile_source": "Brian2 device.timers['compile']['make'] "
                              "(wall time of `make -j`, fresh directory)",
            "codegen_s": t_build - make_s - bin_s + t_run_call,
            "build_call_wall_s": t_build,
        })
    else:
        loop = float(device._last_run_time)
        timings.update({
            "sim_loop_wall_s": loop,
            "sim_loop_wall_source": "Brian2 runtime device._last_run_time "
                                    "(time.time() around Network.run main loop)",
            "before_run_s": t_run_call - loop,
            "before_run_note": "code generation + Cython compile (cold unless the --workdir cache is reused) / load",
            "runtime_target": args.runtime_target,
        })

    t0 = time.perf_counter()
    t_ms = np.asarray(mon.t / ms, dtype=float)
    idx = np.asarray(mon.i[:], dtype=np.int64)
    n_syn_e = int(len(Ce))
    n_syn_i = int(len(Ci))
    timings["results_readback_s"] = time.perf_counter() - t0

    stats = analyse(t_ms, idx, args.duration)
    sp = spikes_path_for(args.spikes, s, len(args.seed))
    if sp:
        write_spikes(sp, t_ms, idx)
    timings["total_wall_s"] = time.perf_counter() - t_total0
    out = {
        "seed": s,
        "n_synapses": {"exc": n_syn_e, "inh": n_syn_i, "total": n_syn_e + n_syn_i},
        "timings": timings,
        "spikes_csv": sp,
    }
    out.update(stats)
    if sdir is not None:
        out["standalone_dir"] = sdir
        try:
            with open(os.path.join(sdir, "makefile")) as f:
                for line in f:
                    if line.startswith(("OPTIMISATIONS =", "CXXFLAGS =", "LFLAGS =")):
                        k, v = line.split("=", 1)
                        out.setdefault("makefile", {})[k.strip()] = v.strip()
        except OSError:
            pass
    return out


def cpu_info():
    model, flags = None, []
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model is None:
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = line.split(":", 1)[1].split()
    except OSError:
        pass
    simd = [x for x in ("sse4_2", "avx", "avx2", "fma", "avx512f") if x in flags]
    return {"model": model, "logical_cpus": os.cpu_count(), "simd": simd}


def compiler_version():
    try:
        return subprocess.run(["g++", "--version"], capture_output=True,
                              text=True).stdout.splitlines()[0]
    except Exception:
        return None


def mean_sd(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    a = np.asarray(xs, dtype=float)
    return {"mean": float(a.mean()),
            "sd": float(a.std(ddof=1)) if a.size > 1 else 0.0,
            "n": int(a.size)}


def main():
    ap = argparse.ArgumentParser(description=__doc__ or "Brian2 COBAHH peer run")
    ap.add_argument("--mode", choices=("standalone", "runtime"),
                    default="standalone")
    ap.add_argument("--seed", type=int, nargs="+", action="extend",
                    help="seed(s); repeatable or a list (default: 1)")
    ap.add_argument("--duration", type=float, default=1000.0, help="ms")
    ap.add_argument("--dt", type=float, default=0.1, help="ms")
    ap.add_argument("--threads", type=int, default=2,
                    help="prefs.devices.cpp_standalone.openmp_threads")
    ap.add_argument("--runtime-target", default="cython",
                    choices=("cython", "numpy"), help="runtime mode only")
    ap.add_argument("--json", help="output JSON path")
    ap.add_argument("--spikes", help="optional spike CSV path "
                    "(time_ms,population,index); '{seed}' is substituted, "
                    "else _seedN is appended when several seeds are run")
    ap.add_argument("--workdir", help="scratch dir (default: new /tmp dir)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the scratch dir (standalone projects)")
    args = ap.parse_args()
    if not args.seed:
        args.seed = [1]

    workdir = args.workdir or tempfile.mkdtemp(prefix="brian2_cobahh_")
    os.makedirs(workdir, exist_ok=True)
    if args.mode == "runtime":
        # keep the Cython cache out of $HOME
        prefs.codegen.runtime.cython.cache_dir = os.path.join(workdir, "cython_cache")

    try:
        loadavg_start = [float(x) for x in open("/proc/loadavg").read().split()[:3]]
    except OSError:
        loadavg_start = None
    t_start = time.perf_counter()
    per_seed = []
    for s in args.seed:
        r = run_one(args, s, workdir)
        per_seed.append(r)
        tm = r["timings"]
        print("seed %d: exc %.3f Hz, inh %.3f Hz (t>=%dms: %.3f / %.3f; last "
              "%dms: %.3f / %.3f), %d spikes, %d synapses, sim loop %.3f s, "
              "total %.1f s" % (
                  s, r["exc"]["rate_hz"], r["inh"]["rate_hz"], SETTLE_MS,
                  r["exc"]["rate_hz_t_ge_%dms" % SETTLE_MS],
                  r["inh"]["rate_hz_t_ge_%dms" % SETTLE_MS], TAIL_MS,
                  r["exc"]["rate_hz_last_%dms" % TAIL_MS],
                  r["inh"]["rate_hz_last_%dms" % TAIL_MS],
                  r["all"]["n_spikes"], r["n_synapses"]["total"],
                  tm["sim_loop_wall_s"], tm["total_wall_s"]), flush=True)

    summary = {}
    for pop in ("exc", "inh"):
        for key in ("rate_hz", "rate_hz_t_ge_%dms" % SETTLE_MS,
                    "rate_hz_last_%dms" % TAIL_MS, "mean_isi_cv"):
            summary["%s_%s" % (pop, key)] = mean_sd([r[pop][key] for r in per_seed])
    summary["n_spikes"] = mean_sd([r["all"]["n_spikes"] for r in per_seed])
    summary["n_synapses"] = mean_sd([r["n_synapses"]["total"] for r in per_seed])
    for key in ("sim_loop_wall_s", "binary_wall_s", "compile_s", "total_wall_s"):
        v = mean_sd([r["timings"].get(key) for r in per_seed])
        if v is not None:
            summary[key] = v
    summary["self_sustained_all_seeds"] = bool(all(
        r.get("min_pop_rate_hz_100ms_bins", 0) > 0 and
        r["exc"]["rate_hz_last_%dms" % TAIL_MS] > 0 and
        r["inh"]["rate_hz_last_%dms" % TAIL_MS] > 0 for r in per_seed))

    doc = {
        "description": "Brian2 COBAHH example (Brette et al. 2007 benchmark 3) "
                       "reference run; produced by tools/peers/brian2_cobahh.py",
        "brian2_version": brian2.__version__,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "mode": args.mode,
        "threads": args.threads if args.mode == "standalone" else 1,
        "dt_ms": args.dt,
        "duration_ms": args.duration,
        "seeds": args.seed,
        "n_exc": N_EXC, "n_inh": N_INH,
        "settle_ms": SETTLE_MS, "tail_ms": TAIL_MS,
        "compiler": compiler_version(),
        "compiler_flags": {
            "extra_compile_args_gcc": list(prefs.codegen.cpp.extra_compile_args_gcc),
            "extra_compile_args": prefs.codegen.cpp.extra_compile_args,
            "extra_link_args": list(prefs.codegen.cpp.extra_link_args),
            "make": "%s %s" % (prefs.devices.cpp_standalone.make_cmd_unix,
                               " ".join(prefs.devices.cpp_standalone.extra_make_args_unix)),
            "openmp": args.mode == "standalone" and args.threads > 0,
            "makefile": per_seed[0].get("makefile"),
        },
        "host": {"cpu": cpu_info(), "platform": platform.platform(),
                 "hostname": platform.node(),
                 "loadavg_at_start": loadavg_start},
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "script_wall_s": None,
        "summary": summary,
        "per_seed": per_seed,
    }
    if args.mode == "standalone":
        for r in per_seed[1:]:
            r.pop("makefile", None)
    if not args.keep and not args.workdir:
        for r in per_seed:
            r.pop("standalone_dir", None)
            r.pop("makefile", None)
        shutil.rmtree(workdir, ignore_errors=True)
    doc["script_wall_s"] = time.perf_counter() - t_start

    for pop in ("exc", "inh"):
        m = summary["%s_rate_hz" % pop]
        print("%s rate across %d seeds: %.3f +- %.3f Hz" % (pop, m["n"], m["mean"], m["sd"]))
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print("wrote", args.json)
    else:
        json.dump(doc, sys.stdout, indent=1)
        print()


if __name__ == "__main__":
    main()
