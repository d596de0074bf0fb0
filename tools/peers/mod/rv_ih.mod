TITLE rv_ih: HCN channel (Kole et al. 2006, as Hay et al. 2011)

COMMENT
Written for Ranvier's cross-check (tools/peers/neuron_channels.py) from the
published equations of Hay et al. 2011 (Ih), the same as core/mechanisms/ih.hpp:
one gate m, a non-specific current with reversal ehcn; no temperature dependence.
ENDCOMMENT

NEURON {
    SUFFIX rv_ih
    NONSPECIFIC_CURRENT i
    RANGE gbar, ehcn
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.00001 (S/cm2)
    ehcn = -45 (mV)
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
    minf
    mrate (/ms)
}

STATE { m }

BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*m*(v - ehcn)
}

INITIAL {
    rates(v)
    m = minf
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)*mrate
}

UNITSOFF
FUNCTION xtrap(x) {
    if (fabs(x) < 1e-6) {
        xtrap = 1 - x/2
    } else {
        xtrap = x/(exp(x) - 1)
    }
}

PROCEDURE rates(u) {
    LOCAL a, b
    : 0.001*6.43*(u + 154.9)/(exp((u + 154.9)/11.9) - 1)
    a = 0.001*6.43*11.9*xtrap((u + 154.9)/11.9)
    b = 0.001*193*exp(u/33.1)
    mrate = a + b
    minf = a/mrate
}
UNITSON
