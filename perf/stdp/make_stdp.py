#!/usr/bin/python3
"""The plastic balanced network of perf/bench_stdp as a Ranvier model file:
NE excitatory and NI inhibitory current-based LIF cells (exact integration,
exponential currents), connected with probability 0.1, driven by 1000
Poisson sources; additive all-to-all STDP on the excitatory-to-excitatory
connections (as Morrison, Aertsen & Diesmann 2007, Neural Comput 19:1437,
scaled to this machine, with additive instead of power-law updates).
tools/peers/brian2_stdp_net.py builds the same model in Brian2 from PARAMS.

    perf/stdp/make_stdp.py [--static] [--exc NE] [--duration MS] > net.toml
"""
import argparse

PARAMS = {
    "cm_nF": 0.25, "tau_m_ms": 20.0, "e_l_mV": -70.0, "v_th_mV": -50.0, "v_reset_mV": -60.0, "t_ref_ms": 2.0,
    "tau_syn_ms": 2.0, "p": 0.1, "j_exc_nA": 0.1, "g": 5.0, "delay_ms": 1.5,
    "n_ext": 1000, "rate_ext_hz": 15.0, "dt_ms": 0.1,
    "a_plus_nA": 0.001, "a_minus_nA": 0.00105, "tau_stdp_ms": 20.0, "w_max_nA": 0.2,
}


def model(n_exc, duration, static):
    P = PARAMS
    n_inh = n_exc // 4
    j_inh = -P["g"] * P["j_exc_nA"]
    plastic = "" if static else f"""
[projection.plasticity]
rule = "stdp"
a_plus = {P['a_plus_nA']}
a_minus = {P['a_minus_nA']}
tau_plus = {P['tau_stdp_ms']}
tau_minus = {P['tau_stdp_ms']}
w_min = 0.0
w_max = {P['w_max_nA']}
"""

    def proj(name, pre, post, w, extra=""):
        return f"""
[[projection]]
name = "{name}"
pre = "{pre}"
post = "{post}"
receptor = "syn"
rule = "fixed_probability"
probability = {P['p']}
weight = {w}
delay = {P['delay_ms']}
{extra}"""

    return f"""# perf/bench_stdp's network ({'static' if static else 'plastic'}), made by perf/stdp/make_stdp.py
[simulation]
dt = {P['dt_ms']}
duration = {duration}
seed = 1

[cell.lif]
model = "lif"
cm = {P['cm_nF']}
tau_m = {P['tau_m_ms']}
e_l = {P['e_l_mV']}
v_th = {P['v_th_mV']}
v_reset = {P['v_reset_mV']}
t_ref = {P['t_ref_ms']}
[[cell.lif.receptor]]
name = "syn"
kind = "exp_current"
tau = {P['tau_syn_ms']}
[cell.lif.init]
v = {{ dist = "uniform", low = {P['v_reset_mV']}, high = {P['v_th_mV']} }}

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
size = {P['n_ext']}
rate = {P['rate_ext_hz']}
""" + proj("ee", "exc", "exc", P["j_exc_nA"], plastic) + proj("ei", "exc", "inh", P["j_exc_nA"]) + \
        proj("ie", "inh", "exc", j_inh) + proj("ii", "inh", "inh", j_inh) + \
        proj("xe", "ext", "exc", P["j_exc_nA"]) + proj("xi", "ext", "inh", P["j_exc_nA"])


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--static", action="store_true", help="no plasticity")
    ap.add_argument("--exc", type=int, default=4000)
    ap.add_argument("--duration", type=float, default=1000.0)
    a = ap.parse_args()
    print(model(a.exc, a.duration, a.static))
