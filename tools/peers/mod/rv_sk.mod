TITLE rv_sk: SK channel (Koehler et al. 1996, as Hay et al. 2011)

COMMENT
Written for Ranvier's cross-check (tools/peers/neuron_channels.py) from the
published equations of Hay et al. 2011 (SK_E2), the same as core/mechanisms/sk.hpp:
z relaxes with ztau toward zinf = 1/(1 + (0.00043/cai)^4.8), cai below 1e-7 mM
raised by 1e-7 mM.
ENDCOMMENT

NEURON {
    SUFFIX rv_sk
    USEION k READ ek WRITE ik
    USEION ca READ cai
    RANGE gbar, ztau
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
    (mM) = (milli/liter)
}

PARAMETER {
    gbar = 0.000001 (S/cm2)
    ztau = 1 (ms)
}

ASSIGNED {
    v (mV)
    ek (mV)
    cai (mM)
    ik (mA/cm2)
    zinf
}

STATE { z }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*z*(v - ek)
}

INITIAL {
    rates(cai)
    z = zinf
}

DERIVATIVE states {
    rates(cai)
    z' = (zinf - z)/ztau
}

UNITSOFF
PROCEDURE rates(c) {
    LOCAL ca
    ca = c
    if (ca < 1e-7) {
        ca = ca + 1e-7
    }
    zinf = 1/(1 + (0.00043/ca)^4.8)
}
UNITSON
