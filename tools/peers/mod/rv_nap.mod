TITLE rv_nap: persistent Na channel (Magistretti & Alonso 1999, as Hay et al. 2011)

COMMENT
Written for Ranvier's cross-check (tools/peers/neuron_channels.py) from the
published equations of Hay et al. 2011 (Nap_Et2), the same as
core/mechanisms/nap.hpp: m^3 h; time constants divided by
qt = 2.3^((celsius - 21)/10) (Hay et al. fix celsius = 34 there).
ENDCOMMENT

NEURON {
    SUFFIX rv_nap
    USEION na READ ena WRITE ina
    RANGE gbar
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.00001 (S/cm2)
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ena (mV)
    ina (mA/cm2)
    minf
    hinf
    mtau (ms)
    htau (ms)
}

STATE { m h }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ina = gbar*m*m*m*h*(v - ena)
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

PROCEDURE rates(u) {
    LOCAL qt, a, b
    qt = 2.3^((celsius - 21)/10)
    minf = 1/(1 + exp(-(u + 52.6)/4.6))
    : 0.182*(u + 38)/(1 - exp(-(u + 38)/6)) and 0.124*(-u - 38)/(1 - exp((u + 38)/6))
    a = 0.182*6*xtrap(-(u + 38)/6)
    b = 0.124*6*xtrap((u + 38)/6)
    mtau = 6/(a + b)/qt
    hinf = 1/(1 + exp((u + 48.8)/10))
    : -2.88e-6*(u + 17)/(1 - exp((u + 17)/4.63)) and 6.94e-6*(u + 64.4)/(1 - exp(-(u + 64.4)/2.63))
    a = 2.88e-6*4.63*xtrap((u + 17)/4.63)
    b = 6.94e-6*2.63*xtrap(-(u + 64.4)/2.63)
    htau = 1/(a + b)/qt
}
UNITSON
