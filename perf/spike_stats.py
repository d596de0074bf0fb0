#!/usr/bin/python3
"""Per-population activity from a Ranvier spikes.csv (time_ms,population,index),
for the benchmarks that report the dynamics they ran (perf/bench_brunel,
perf/bench_microcircuit): in [t0, t1) the mean rate over the recorded cells,
the mean coefficient of variation of the interspike intervals (cells with at
least 3 spikes) and the Fano factor of the population's spike count in 1 ms
bins (1 for independent Poisson cells; far above 1 when the population fires
together)."""
import csv

import numpy as np


def population_activity(path, recorded, t0, t1):
    """recorded: {population: number of recorded cells}; returns
    {population: {recorded, rate_hz, isi_cv, cells_with_isi_cv, fano_1ms}}."""
    by = {p: {} for p in recorded}
    with open(path) as f:
        r = csv.reader(f)
        next(r)
        for t, pop, i in r:
            if pop in by:
                by[pop].setdefault(int(i), []).append(float(t))
    out = {}
    for pop, n in recorded.items():
        window = [np.array([x for x in ts if t0 <= x < t1]) for ts in by[pop].values()]
        count = sum(len(w) for w in window)
        cvs = [np.std(np.diff(w)) / np.mean(np.diff(w)) for w in window if len(w) >= 3]
        all_t = np.concatenate(window) if window else np.array([])
        bins = np.histogram(all_t, bins=np.arange(t0, t1 + 1e-9, 1.0))[0]
        out[pop] = {
            "recorded": n,
            "rate_hz": count / n / ((t1 - t0) * 1e-3),
            "isi_cv": float(np.mean(cvs)) if cvs else None,
            "cells_with_isi_cv": len(cvs),
            "fano_1ms": float(np.var(bins) / np.mean(bins)) if bins.mean() > 0 else None,
        }
    return out
