#!/usr/bin/python3
"""Brunel (2000), J Comput Neurosci 8:183, model A, as a Ranvier model file,
in one of the paper's regimes (its Fig. 8): NE excitatory and NE/4
inhibitory leaky integrate-and-fire cells, each receiving C_E = 1000
excitatory and C_I = 250 inhibitory inputs (fixed in-degree, as the paper's
"C randomly chosen" connections; without self-connections or repeats),
J = 0.1 mV, inhibition g·J, one delay D = 1.5 ms, theta = 20 mV,
V_r = 10 mV, tau = 20 ms, tau_rp = 2 ms, dt = 0.1 ms.

Brunel's synapses are voltage jumps of J. Here each is an exponential
current of tau_s = 0.1 ms (one step, integrated exactly) carrying the same
charge, w = J·C_m/tau_s: the jump is complete to 1 % within 0.5 ms.

External drive: each cell receives C_E inputs from a pool of NE Poisson
sources at nu_ext = eta·nu_thr, nu_thr = theta/(J·C_E·tau) = 10 Hz (the
paper's independent Poisson processes; a source is shared by about C_E/NE of
the cells, as the recurrent inputs are).

The four regimes of Fig. 8 as (g, eta):
    A = (3, 2)   synchronous regular (SR)
    B = (6, 4)   asynchronous irregular, fast oscillations (AI fast)
    C = (5, 2)   asynchronous irregular (AI)
    D = (4.5, 0.9)  synchronous irregular, slow oscillations (SI slow)

    perf/brunel/make_brunel.py REGIME [--exc NE] [--duration MS] [--record N] > net.toml
"""
import argparse

PARAMS = {
    "c_e": 1000, "c_i": 250, "j_mV": 0.1, "delay_ms": 1.5, "theta_mV": 20.0, "v_r_mV": 10.0,
    "tau_ms": 20.0, "t_ref_ms": 2.0, "cm_nF": 0.25, "tau_syn_ms": 0.1, "dt_ms": 0.1,
}
REGIMES = {"A": (3.0, 2.0, "SR"), "B": (6.0, 4.0, "AI fast"), "C": (5.0, 2.0, "AI"), "D": (4.5, 0.9, "SI slow")}


def nu_thr_hz():
    P = PARAMS
    return P["theta_mV"] / (P["j_mV"] * P["c_e"] * P["tau_ms"] * 1e-3)


def model(regime, n_exc, duration, record, seed=1):
    P = PARAMS
    g, eta, _ = REGIMES[regime]
    n_inh = n_exc // 4
    if n_exc < P["c_e"] or n_inh < P["c_i"]:
        raise SystemExit(f"--exc {n_exc}: at least {P['c_e']} excitatory cells (C_E) are needed")
    w = P["j_mV"] * P["cm_nF"] / P["tau_syn_ms"]  # [nA]: the charge of a jump of J
    rate_ext = eta * nu_thr_hz()
    rec_e, rec_i = min(record, n_exc), min(record // 4, n_inh)

    def proj(name, pre, post, indegree, weight):
        return f"""
[[projection]]
name = "{name}"
pre = "{pre}"
post = "{post}"
receptor = "syn"
rule = "fixed_indegree"
indegree = {indegree}
autapses = false
weight = {weight}      # [nA]
delay = {P['delay_ms']}       # [ms]
"""

    return f"""# Brunel (2000) model A, regime {regime} (g = {g}, nu_ext/nu_thr = {eta}): perf/brunel/make_brunel.py
[simulation]
dt = {P['dt_ms']}          # [ms]
duration = {duration}   # [ms]
seed = {seed}

[cell.lif]
model = "lif"
cm = {P['cm_nF']}         # [nF]
tau_m = {P['tau_ms']}      # [ms]
e_l = 0.0         # [mV]: relative to rest
v_th = {P['theta_mV']}      # [mV]
v_reset = {P['v_r_mV']}    # [mV]
t_ref = {P['t_ref_ms']}       # [ms]

[[cell.lif.receptor]]
name = "syn"
kind = "exp_current"
tau = {P['tau_syn_ms']}         # [ms]

[cell.lif.init]
v = {{ dist = "uniform", low = 0.0, high = {P['theta_mV']} }}  # [mV]

[[population]]
name = "exc"
cell = "lif"
size = {n_exc}

[[population]]
name = "inh"
cell = "lif"
size = {n_inh}

[[population]]
name = "ext"
kind = "poisson"
size = {n_exc}
rate = {rate_ext}     # [Hz]
""" + proj("ee", "exc", "exc", P["c_e"], w) + proj("ei", "exc", "inh", P["c_e"], w) \
        + proj("ie", "inh", "exc", P["c_i"], -g * w) + proj("ii", "inh", "inh", P["c_i"], -g * w) \
        + proj("xe", "ext", "exc", P["c_e"], w).replace("autapses = false\n", "") \
        + proj("xi", "ext", "inh", P["c_e"], w).replace("autapses = false\n", "") + f"""
[[record]]
population = "exc"
variable = "spikes"
cells = {list(range(rec_e))}

[[record]]
population = "inh"
variable = "spikes"
cells = {list(range(rec_i))}
"""


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("regime", choices=sorted(REGIMES))
    ap.add_argument("--exc", type=int, default=10000, help="excitatory cells (Brunel: 10000)")
    ap.add_argument("--duration", type=float, default=1000.0, help="[ms]")
    ap.add_argument("--record", type=int, default=1000, help="excitatory cells whose spikes are written (and 1/4 as many inhibitory)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    print(model(a.regime, a.exc, a.duration, a.record, a.seed))
