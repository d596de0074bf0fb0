TITLE rv_cat: low-voltage-activated (T-type) Ca channel (Avery & Johnston 1996, as Hay et al. 2011)

COMMENT
Written for Ranvier's cross-check (tools/peers/neuron_channels.py) from the
published equations of Hay et al. 2011 (Ca_LVAst), the same as
core/mechanisms/cat.hpp: m^2 h at v + 10 mV; time constants divided by
qt = 2.3^((celsius - 21)/10) (Hay et al. fix celsius = 34 there).
The current is ohmic through eca (gbar, S/cm2) plus a GHK part
(pbar, cm/s): ica = gbar*m^2*h*(v - eca) + pbar*m^2*h*ghk(v, cai, cao),
ghk = 2*F*1e-3*(cai*x(-u) - cao*x(u)) mA/cm2 per cm/s, x(u) = u/(exp(u) - 1),
u = 2*v*F/(1000*R*(celsius + 273.15)).
ENDCOMMENT

NEURON {
    SUFFIX rv_cat
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
    mtau (ms)
    htau (ms)
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
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
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
    LOCAL qt, w
    qt = 2.3^((celsius - 21)/10)
    w = u + 10
    minf = 1/(1 + exp((w + 30)/(-6)))
    mtau = (5 + 20/(1 + exp((w + 25)/5)))/qt
    hinf = 1/(1 + exp((w + 80)/6.4))
    htau = (20 + 50/(1 + exp((w + 40)/7)))/qt
}
UNITSON
