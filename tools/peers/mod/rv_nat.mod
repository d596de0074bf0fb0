TITLE rv_nat: transient Na channel of Mainen & Sejnowski 1996

COMMENT
Written for Ranvier's cross-check (tools/peers/neuron_channels.py) from the
published equations, the same as core/mechanisms/nat.hpp: m^3 h, the rates
a*(v - th)/(1 - exp(-(v - th)/q)) taken at v + vshift, h_inf a Boltzmann;
rates and conductance scaled by tadj = 2.3^((celsius - 23)/10).
gbar in S/cm2 (the original's pS/um2 times 1e-4).
ENDCOMMENT

NEURON {
    SUFFIX rv_nat
    USEION na READ ena WRITE ina
    RANGE gbar, vshift
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.1 (S/cm2)
    vshift = -10 (mV)
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
    tadj
}

STATE { m h }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ina = tadj*gbar*m*m*m*h*(v - ena)
}

INITIAL {
    rates(v + vshift)
    m = minf
    h = hinf
}

DERIVATIVE states {
    rates(v + vshift)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
}

UNITSOFF
: x/(exp(x) - 1), continuous through x = 0
FUNCTION xtrap(x) {
    if (fabs(x) < 1e-6) {
        xtrap = 1 - x/2
    } else {
        xtrap = x/(exp(x) - 1)
    }
}

: a*(u - th)/(1 - exp(-(u - th)/q)) [1/ms]
FUNCTION rate(u, th, a, q) {
    rate = a*q*xtrap((th - u)/q)
}

PROCEDURE rates(u) {
    LOCAL a, b
    tadj = 2.3^((celsius - 23)/10)
    a = rate(u, -35, 0.182, 9)
    b = rate(-u, 35, 0.124, 9)
    minf = a/(a + b)
    mtau = 1/(tadj*(a + b))
    a = rate(u, -50, 0.024, 5)
    b = rate(-u, 75, 0.0091, 5)
    htau = 1/(tadj*(a + b))
    hinf = 1/(1 + exp((u + 65)/6.2))
}
UNITSON
