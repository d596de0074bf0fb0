"""pyNN, with Ranvier's backend pyNN.ranvier beside the installed PyNN.

This directory is first on the path (tools/python puts it there), so Python
finds it as the package pyNN; it adds the installed PyNN's directory to its
path and runs the installed package's own __init__, so that pyNN.neuron,
pyNN.connectors and the rest are the installed ones and pyNN.ranvier is
this directory's.
"""
import os as _os
import sys as _sys

_here = _os.path.dirname(_os.path.abspath(__file__))
_installed = [
    _os.path.join(p, "pyNN") for p in _sys.path
    if p and _os.path.isfile(_os.path.join(p, "pyNN", "__init__.py"))
    and _os.path.abspath(_os.path.join(p, "pyNN")) != _here
]
if not _installed:
    raise ImportError("pyNN.ranvier needs PyNN (Debian: python3-pynn; tools/setup installs it)")
__path__ = _installed + [_here]  # the installed first: PyNN finds its files through __path__[0]
_init = _os.path.join(_installed[0], "__init__.py")
with open(_init) as _f:
    exec(compile(_f.read(), _init, "exec"))
