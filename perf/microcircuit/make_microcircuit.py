#!/usr/bin/python3
"""The cortical microcircuit of Potjans & Diesmann (2014), Cereb Cortex
24:785, as a Ranvier model file: 77,169 current-based LIF cells (NEST's
iaf_psc_exp: C_m 250 pF, tau_m 10 ms, E_L = V_reset = -65 mV, V_th -50 mV,
t_ref 2 ms, exponential currents tau_syn 0.5 ms) in 8 populations (layers
2/3, 4, 5, 6; excitatory and inhibitory), connected by the paper's Table 5
probabilities as a fixed total number of connections per pair of
populations, K = ln(1 - C_a) / ln(1 - 1/(N_pre N_post)), drawn with
replacement (rule "fixed_total_number"). Weights: a PSP of 0.15 mV (87.8 pA),
doubled from L4e to L2/3e, inhibitory ones g = -4 times that, each normal
with a 10 % standard deviation, redrawn where it would change sign; delays
normal, 1.5 +- 0.75 ms excitatory and 0.75 +- 0.375 ms inhibitory, redrawn
below dt (and beyond 10 sd, for a finite ring); dt = 0.1 ms. Initial v normal, -58 +- 10 mV (the paper's).

Background: each cell's K_ext inputs at 8 Hz. --drive dc (default) gives it
as its mean current, K_ext * 8 Hz * w * tau_syn (the paper's DC variant);
--drive poisson as spikes from a pool of Poisson sources at 8 Hz, of which
each cell draws its K_ext (Ranvier's sources fire at most once a step, so a
cell's own 13-23 kHz train cannot be one source; a pool of POOL sources
shares each source among K_ext/POOL of the cells).

--scale s multiplies every population's size by s and keeps every cell's
in-degree (the total numbers by s too), as NEST's microcircuit example with
N_scaling = s and K_scaling = 1, so that rates stay those of the full model.

    perf/microcircuit/make_microcircuit.py [--scale S] [--drive dc|poisson] [--pool POOL] [--duration MS] > mc.toml
"""
import argparse
import math

POPS = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"]
N_FULL = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]
# Connection probabilities, row: target, column: source (Potjans & Diesmann 2014, Table 5).
CONN = [
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.1350, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.0600, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.0010, 0.0034, 0.0005, 0.0277, 0.0080, 0.0658, 0.1443],
]
K_EXT = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]
BG_RATE_HZ = 8.0
CELL = {"cm_nF": 0.25, "tau_m_ms": 10.0, "e_l_mV": -65.0, "v_th_mV": -50.0, "v_reset_mV": -65.0, "t_ref_ms": 2.0,
        "tau_syn_ms": 0.5}
PSP_MV, G, W_SD, DT_MS = 0.15, -4.0, 0.1, 0.1
DELAY = {"E": (1.5, 0.75), "I": (0.75, 0.375)}  # [ms] mean, sd
V0 = (-58.0, 10.0)  # [mV]


def psc_per_psp_nA_per_mV():
    """The current amplitude [nA] of an exponential PSC whose PSP peaks at 1 mV."""
    tm, ts, cm = CELL["tau_m_ms"], CELL["tau_syn_ms"], CELL["cm_nF"]
    t_peak = tm * ts * math.log(tm / ts) / (tm - ts)
    psp_per_nA = tm * ts / (tm - ts) * (math.exp(-t_peak / tm) - math.exp(-t_peak / ts)) / cm  # [mV/nA]
    return 1.0 / psp_per_nA


def model(scale, drive, pool, duration, record, seed=55):
    w = PSP_MV * psc_per_psp_nA_per_mV()  # [nA]: 0.0878
    n = [max(1, round(x * scale)) for x in N_FULL]
    out = [f"""# Potjans & Diesmann (2014) microcircuit, scale {scale}, {drive} drive: perf/microcircuit/make_microcircuit.py
[simulation]
dt = {DT_MS}          # [ms]
duration = {duration}   # [ms]
seed = {seed}

[cell.lif]
model = "lif"
cm = {CELL['cm_nF']}         # [nF]
tau_m = {CELL['tau_m_ms']}      # [ms]
e_l = {CELL['e_l_mV']}       # [mV]
v_th = {CELL['v_th_mV']}      # [mV]
v_reset = {CELL['v_reset_mV']}   # [mV]
t_ref = {CELL['t_ref_ms']}       # [ms]

[[cell.lif.receptor]]
name = "syn"
kind = "exp_current"
tau = {CELL['tau_syn_ms']}         # [ms]

[cell.lif.init]
v = {{ dist = "normal", mean = {V0[0]}, sd = {V0[1]} }}  # [mV]
"""]
    for name, size in zip(POPS, n):
        out.append(f'\n[[population]]\nname = "{name}"\ncell = "lif"\nsize = {size}\n')
    if drive == "poisson":
        out.append(f'\n[[population]]\nname = "bg"\nkind = "poisson"\nsize = {pool}\nrate = {BG_RATE_HZ}     # [Hz]\n')
    for t, tgt in enumerate(POPS):
        for s, src in enumerate(POPS):
            c = CONN[t][s]
            if c == 0.0:
                continue
            k_full = math.log(1.0 - c) / math.log(1.0 - 1.0 / (N_FULL[s] * N_FULL[t]))
            total = round(k_full * scale)
            if total == 0:
                continue
            kind = src[-1]
            mean = w * (2.0 if (src, tgt) == ("L4E", "L23E") else 1.0) * (G if kind == "I" else 1.0)
            # NEST redraws a weight of the wrong sign and a delay below dt; the
            # other ends (10 sd, never drawn in practice) bound what can reach
            # a cell in a step, as Ranvier's ring requires.
            lo, hi = (0.0, 2.0 * mean) if kind == "E" else (2.0 * mean, 0.0)
            d_mean, d_sd = DELAY[kind]
            out.append(f"""
[[projection]]
name = "{src}->{tgt}"
pre = "{src}"
post = "{tgt}"
receptor = "syn"
rule = "fixed_total_number"
total = {total}
weight = {{ dist = "normal", mean = {mean:.10g}, sd = {abs(mean) * W_SD:.10g}, low = {lo:.10g}, high = {hi:.10g} }}  # [nA]
delay = {{ dist = "normal", mean = {d_mean}, sd = {d_sd}, low = {DT_MS}, high = {d_mean + 10 * d_sd} }}  # [ms]
""")
    for t, (tgt, size) in enumerate(zip(POPS, n)):
        if drive == "dc":
            amp = K_EXT[t] * BG_RATE_HZ * 1e-3 * w * CELL["tau_syn_ms"]  # [nA]: rate [1/ms] x charge [nA ms]
            out.append(f'\n[[stimulus]]\npopulation = "{tgt}"\namp = {amp:.10g}   # [nA]\n')
        else:
            out.append(f"""
[[projection]]
name = "bg->{tgt}"
pre = "bg"
post = "{tgt}"
receptor = "syn"
rule = "fixed_indegree"
indegree = {min(K_EXT[t], pool)}
weight = {w:.10g}   # [nA]
delay = {DT_MS}     # [ms]
""")
    for tgt, size in zip(POPS, n):
        out.append(f'\n[[record]]\npopulation = "{tgt}"\nvariable = "spikes"\ncells = {list(range(min(size, record)))}\n')
    return "".join(out)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="population sizes x this; in-degrees kept")
    ap.add_argument("--drive", choices=["dc", "poisson"], default="dc")
    ap.add_argument("--pool", type=int, default=20000, help="--drive poisson: the number of background sources")
    ap.add_argument("--duration", type=float, default=1000.0, help="[ms]")
    ap.add_argument("--record", type=int, default=1000, help="cells of each population whose spikes are written")
    ap.add_argument("--seed", type=int, default=55)
    a = ap.parse_args()
    print(model(a.scale, a.drive, a.pool, a.duration, a.record, a.seed))
