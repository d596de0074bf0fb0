#!/usr/bin/python3
"""The plastic balanced network of perf/bench_stdp as a Ranvier model file:
NE excitatory and NI inhibitory current-based LIF cells (exact integration,
exponential currents), connected with probability 0.1, driven by 1000
Poisson sources; additive all-to-all STDP on the excitatory-to-excitatory
connections (as Morrison, Aertsen & Diesmann 2007, Neural Comput 19:1437,
scaled to this machine, with additive instead of power-law updates).
tools/peers/brian2_stdp_net.py builds the same model in Brian2 from PARAMS.
With --release the weights are static and every excitatory connection has a
quantal presynaptic terminal instead (stochastic release from a pool of
sites with presynaptic Ca2+: short-term depression and facilitation), its
quantum sized so that a rested terminal delivers about the same mean weight.

    perf/stdp/make_stdp.py [--static | --release] [--exc NE] [--duration MS] > net.toml
"""
import argparse

PARAMS = {
    "cm_nF": 0.25, "tau_m_ms": 20.0, "e_l_mV": -70.0, "v_th_mV": -50.0, "v_reset_mV": -60.0, "t_ref_ms": 2.0,
    "tau_syn_ms": 2.0, "p": 0.1, "j_exc_nA": 0.1, "g": 5.0, "delay_ms": 1.5,
    "n_ext": 1000, "rate_ext_hz": 15.0, "dt_ms": 0.1,
    "a_plus_nA": 0.001, "a_minus_nA": 0.00105, "tau_stdp_ms": 20.0, "w_max_nA": 0.2,
    # --release: quantal terminals on the excitatory connections (P of a rested terminal 0.37, 4 sites).
    "sites": 4, "tau_rec_ms": 200.0, "ca_rest_mM": 5e-5, "ca_jump_mM": 1e-3, "tau_ca_ms": 20.0, "hill_n": 4.0,
    "k_d_mM": 1.2e-3,
}


def model(n_exc, duration, static, release=False):
    P = PARAMS
    n_inh = n_exc // 4
    j_inh = -P["g"] * P["j_exc_nA"]
    j_exc = P["j_exc_nA"]
    terminal = ""
    if release:
        static = True
        c = P["ca_rest_mM"] + P["ca_jump_mM"]
        p_rest = 1 / (1 + (P["k_d_mM"] / c) ** P["hill_n"])
        j_exc = P["j_exc_nA"] / (P["sites"] * p_rest)  # one quantum
        terminal = f"""
[projection.terminal]
model = "quantal"
sites = {P['sites']}
tau_rec = {P['tau_rec_ms']}
ca_rest = {P['ca_rest_mM']}
ca_jump = {P['ca_jump_mM']}
tau_ca = {P['tau_ca_ms']}
n = {P['hill_n']}
k_d = {P['k_d_mM']}
"""
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

    kind = "quantal release" if release else "static" if static else "plastic"
    return f"""# perf/bench_stdp's network ({kind}), made by perf/stdp/make_stdp.py
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
""" + proj("ee", "exc", "exc", j_exc, plastic + terminal) + proj("ei", "exc", "inh", j_exc, terminal) + \
        proj("ie", "inh", "exc", j_inh) + proj("ii", "inh", "inh", j_inh) + \
        proj("xe", "ext", "exc", j_exc, terminal) + proj("xi", "ext", "inh", j_exc, terminal)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--static", action="store_true", help="no plasticity")
    ap.add_argument("--release", action="store_true", help="static weights, quantal terminals on excitatory connections")
    ap.add_argument("--exc", type=int, default=4000)
    ap.add_argument("--duration", type=float, default=1000.0)
    a = ap.parse_args()
    print(model(a.exc, a.duration, a.static, a.release))
