TITLE rv_km: M-type K channel of Mainen & Sejnowski 1996

COMMENT
Written for Ranvier's cross-check (tools/peers/neuron_channels.py) from the
published equations ("km"), the same as core/mechanisms/km.hpp: one gate n,
alpha = a*(v - th)/(1 - exp(-(v - th)/q)), beta = -b*(v - th)/(1 - exp((v - th)/q))
with th = -30 mV, q = 9 mV, a = 0.001 /ms, b = 0.001 /ms; rates and conductance
scaled by tadj = 2.3^((celsius - 23)/10). gbar in S/cm2.
ENDCOMMENT

NEURON {
    SUFFIX rv_km
    USEION k READ ek WRITE ik
    RANGE gbar
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.001 (S/cm2)
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ek (mV)
    ik (mA/cm2)
    ninf
    ntau (ms)
    tadj
}

STATE { n }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = tadj*gbar*n*(v - ek)
}

INITIAL {
    rates(v)
    n = ninf
}

DERIVATIVE states {
    rates(v)
    n' = (ninf - n)/ntau
}

UNITSOFF
FUNCTION xtrap(x) {
    if (fabs(x) < 1e-6) {
        xtrap = 1 - x/2
    } else {
        xtrap = x/(exp(x) - 1)
    }
}

FUNCTION rate(u, th, a, q) {
    rate = a*q*xtrap((th - u)/q)
}

PROCEDURE rates(u) {
    LOCAL a, b
    tadj = 2.3^((celsius - 23)/10)
    a = rate(u, -30, 0.001, 9)
    b = rate(-u, 30, 0.001, 9)
    ninf = a/(a + b)
    ntau = 1/(tadj*(a + b))
}
UNITSON
