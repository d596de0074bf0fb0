#!/usr/bin/python3
"""Activity of a Brunel (2000) run from its spikes.csv: per population the
mean rate, the mean coefficient of variation of the interspike intervals
(cells with at least 3 spikes) and the Fano factor of the population's
spike count in 1 ms bins (1 for independent Poisson cells; far above 1 when
the population fires together), all after a transient; and the stationary
rate Brunel's mean-field theory predicts (his eq. 21, the diffusion
approximation; it describes the asynchronous states, B and C).

    perf/brunel/analyse.py SPIKES.csv REGIME --exc NE --record N [--from MS] [--to MS]
prints one JSON object.
"""
import argparse
import json
import math
import sys

try:  # the mean-field rate needs SciPy (tools/setup installs it); without it, null
    from scipy import integrate, optimize, special
except ImportError:
    integrate = None

here = __file__.rsplit("/", 1)[0]
sys.path[:0] = [here, here + "/.."]
from make_brunel import PARAMS, REGIMES, nu_thr_hz  # noqa: E402
from spike_stats import population_activity  # noqa: E402


def mean_field_rate_hz(g, eta):
    """The self-consistent rate of Brunel's eq. (21): 1/nu = tau_rp + tau sqrt(pi)
    int_{(V_r - mu)/sigma}^{(theta - mu)/sigma} e^{u^2} (1 + erf u) du, with
    mu = C_E J tau (nu_ext + nu (1 - g gamma)) and
    sigma^2 = J^2 C_E tau (nu_ext + nu (1 + g^2 gamma)), gamma = C_I / C_E."""
    if integrate is None:
        return None
    P = PARAMS
    tau, J, ce = P["tau_ms"] * 1e-3, P["j_mV"], P["c_e"]
    gamma = P["c_i"] / P["c_e"]
    nu_ext = eta * nu_thr_hz()

    def rate(nu):
        mu = ce * J * tau * (nu_ext + nu * (1 - g * gamma))
        sigma = math.sqrt(J * J * ce * tau * (nu_ext + nu * (1 + g * g * gamma)))
        lo, hi = (P["v_r_mV"] - mu) / sigma, (P["theta_mV"] - mu) / sigma
        # e^{u^2}(1 + erf u) = erfcx(-u), finite for every u.
        val, _ = integrate.quad(lambda u: special.erfcx(-u), lo, hi, limit=200)
        return 1.0 / (P["t_ref_ms"] * 1e-3 + tau * math.sqrt(math.pi) * val)

    return optimize.brentq(lambda nu: rate(nu) - nu, 1e-6, 1.0 / (P["t_ref_ms"] * 1e-3) - 1e-6)


def analyse(path, regime, n_rec_e, n_rec_i, t0, t1):
    out = population_activity(path, {"exc": n_rec_e, "inh": n_rec_i}, t0, t1)
    g, eta, name = REGIMES[regime]
    out.update({"regime": regime, "name": name, "g": g, "eta": eta, "from_ms": t0, "to_ms": t1,
                "mean_field_rate_hz": mean_field_rate_hz(g, eta)})
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("spikes")
    ap.add_argument("regime", choices=sorted(REGIMES))
    ap.add_argument("--exc", type=int, default=10000)
    ap.add_argument("--record", type=int, default=1000)
    ap.add_argument("--from", dest="t0", type=float, default=200.0, help="[ms]: the transient left out")
    ap.add_argument("--to", dest="t1", type=float, default=1000.0, help="[ms]: the run's end")
    a = ap.parse_args()
    n_inh = a.exc // 4
    print(json.dumps(analyse(a.spikes, a.regime, min(a.record, a.exc), min(a.record // 4, n_inh), a.t0, a.t1)))
