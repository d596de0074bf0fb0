TITLE rv_ka: A-type K channel, proximal (Migliore et al. 1999)

COMMENT
Written for Ranvier's cross-check (tools/peers/neuron_channels.py) from the
published equations (the proximal "kaprox" form), the same as
core/mechanisms/ka.hpp: n*l, with the model's own constants
F = 9.648e4, R = 8.315, 0 degC = 273.16 K in the exponents; tau_n divided by
qt = 5^((celsius - 24)/10) and floored at 0.1 ms, tau_l = 0.26*(v + 50)
floored at 2 ms.
ENDCOMMENT

NEURON {
    SUFFIX rv_ka
    USEION k READ ek WRITE ik
    RANGE gbar
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.008 (S/cm2)
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ek (mV)
    ik (mA/cm2)
    ninf
    linf
    ntau (ms)
    ltau (ms)
}

STATE { n l }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*n*l*(v - ek)
}

INITIAL {
    rates(v)
    n = ninf
    l = linf
}

DERIVATIVE states {
    rates(v)
    n' = (ninf - n)/ntau
    l' = (linf - l)/ltau
}

UNITSOFF
PROCEDURE rates(u) {
    LOCAL frt, zeta, qt, alpn, betn, alpl
    frt = 1e-3*9.648e4/(8.315*(273.16 + celsius))
    qt = 5^((celsius - 24)/10)
    zeta = -1.5 + (-1)/(1 + exp((u - (-40))/5))
    alpn = exp(zeta*(u - 11)*frt)
    betn = exp(zeta*0.55*(u - 11)*frt)
    alpl = exp(3*(u - (-56))*frt)
    ninf = 1/(1 + alpn)
    ntau = betn/(qt*0.05*(1 + alpn))
    if (ntau < 0.1) {
        ntau = 0.1
    }
    linf = 1/(1 + alpl)
    ltau = 0.26*(u + 50)
    if (ltau < 2) {
        ltau = 2
    }
}
UNITSON
