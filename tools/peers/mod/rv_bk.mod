TITLE rv_bk: BK channel (Moczydlowski & Latorre 1983, the cagk form)

COMMENT
Written for Ranvier's cross-check (tools/peers/neuron_channels.py) from the
published equations, the same as core/mechanisms/bk.hpp: open fraction o with
alpha = abar*cai/(cai + k1*exp(-2*d1*F*v/(R*T))),
beta = bbar/(1 + cai/(k2*exp(-2*d2*F*v/(R*T)))), T = celsius + 273.15,
F and R NEURON's (CODATA 2018), where cagk hard-codes R = 8.313424.
ENDCOMMENT

NEURON {
    SUFFIX rv_bk
    USEION k READ ek WRITE ik
    USEION ca READ cai
    RANGE gbar
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
    (mM) = (milli/liter)
    FARADAY = (faraday) (coulomb)
    R = (k-mole) (joule/degC)
}

PARAMETER {
    gbar = 0.01 (S/cm2)
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ek (mV)
    cai (mM)
    ik (mA/cm2)
    oinf
    orate (/ms)
}

STATE { o }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*o*(v - ek)
}

INITIAL {
    rates(v, cai)
    o = oinf
}

DERIVATIVE states {
    rates(v, cai)
    o' = (oinf - o)*orate
}

UNITSOFF
PROCEDURE rates(u, c) {
    LOCAL ktf, a, b
    ktf = 1000*R*(celsius + 273.15)/FARADAY
    a = 0.48*c/(c + 0.18*exp(-2*0.84*u/ktf))
    b = 0.28/(1 + c/(0.011*exp(-2*1.0*u/ktf)))
    orate = a + b
    oinf = a/orate
}
UNITSON
