TITLE rv_cal: high-voltage-activated (L-type) Ca channel (Reuveni et al. 1993, as Hay et al. 2011)

COMMENT
Written for Ranvier's cross-check (tools/peers/neuron_channels.py) from the
published equations of Hay et al. 2011 (Ca_HVA), the same as
core/mechanisms/cal.hpp: m^2 h, no temperature dependence.
The current is ohmic through eca (gbar, S/cm2) plus a GHK part
(pbar, cm/s): ica = gbar*m^2*h*(v - eca) + pbar*m^2*h*ghk(v, cai, cao),
ghk = 2*F*1e-3*(cai*x(-u) - cao*x(u)) mA/cm2 per cm/s, x(u) = u/(exp(u) - 1),
u = 2*v*F/(1000*R*(celsius + 273.15)).
ENDCOMMENT

NEURON {
    SUFFIX rv_cal
    USEION ca READ eca, cai, cao WRITE ica
    RANGE gbar, pbar
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
    FARADAY = (faraday) (coulomb)
    R = (k-mole) (joule/degC)
}

PARAMETER {
    gbar = 0.00001 (S/cm2)
    pbar = 0 (cm/s)
}

ASSIGNED {
    v (mV)
    celsius (degC)
    eca (mV)
    cai (mM)
    cao (mM)
    ica (mA/cm2)
    minf
    hinf
    mrate (/ms)
    hrate (/ms)
}

STATE { m h }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ica = gbar*m*m*h*(v - eca) + pbar*m*m*h*ghk(v, cai, cao)
}

INITIAL {
    rates(v)
    m = minf
    h = hinf
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)*mrate
    h' = (hinf - h)*hrate
}

UNITSOFF
FUNCTION xtrap(x) {
    if (fabs(x) < 1e-6) {
        xtrap = 1 - x/2
    } else {
        xtrap = x/(exp(x) - 1)
    }
}

FUNCTION ghk(u, ci, co) {
    LOCAL z
    z = 2*u/(1000*R*(celsius + 273.15)/FARADAY)
    ghk = 2*FARADAY*1e-3*(ci*xtrap(-z) - co*xtrap(z))
}

PROCEDURE rates(u) {
    LOCAL am, bm, ah, bh
    : 0.055*(-27 - u)/(exp((-27 - u)/3.8) - 1)
    am = 0.055*3.8*xtrap((-27 - u)/3.8)
    bm = 0.94*exp((-75 - u)/17)
    ah = 0.000457*exp((-13 - u)/50)
    bh = 0.0065/(exp((-15 - u)/28) + 1)
    mrate = am + bm
    minf = am/mrate
    hrate = ah + bh
    hinf = ah/hrate
}
UNITSON
