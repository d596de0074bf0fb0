TITLE rv_cad: Ca pool of a submembrane shell (Destexhe et al. 1994, as Hay et al. 2011)

COMMENT
Written for Ranvier's cross-check (tools/peers/neuron_channels.py) from the
published equations of Hay et al. 2011 (CaDynamics_E2), the same as
core/mechanisms/cad.hpp:
cai' = -1e4*gamma*ica/(2*F*depth) - (cai - mincai)/decay.
No INITIAL block: cai starts at the ca ion's cai0.
ENDCOMMENT

NEURON {
    SUFFIX rv_cad
    USEION ca READ ica WRITE cai
    RANGE gamma, decay, depth, mincai
}

UNITS {
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
}

PARAMETER {
    gamma = 0.05
    decay = 80 (ms)
    depth = 0.1 (um)
    mincai = 1e-4 (mM)
}

ASSIGNED {
    ica (mA/cm2)
}

STATE { cai (mM) }

BREAKPOINT {
    SOLVE states METHOD cnexp
}

UNITSOFF
DERIVATIVE states {
    cai' = -1e4*gamma*ica/(2*FARADAY*depth) - (cai - mincai)/decay
}
UNITSON
