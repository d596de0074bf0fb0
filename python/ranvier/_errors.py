"""The exceptions Ranvier raises (the engine's errors, by kind)."""


class Error(Exception):
    """Every error Ranvier raises."""


class ModelError(Error, ValueError):
    """The model or an argument is wrong; the message says what, where and what would be valid."""


class NumericalError(Error, ArithmeticError):
    """A run stopped at a numerical failure (a NaN, or v outside [simulation] v_bounds): when, which cell, what."""


class ResourceError(Error, MemoryError):
    """Memory ran out all the same, with the estimate and what was available."""


class OutputError(Error, OSError):
    """Writing an output failed."""


class CudaError(Error, RuntimeError):
    """The CUDA engine failed (the CUDA error and where)."""


class InternalError(Error, RuntimeError):
    """Ranvier is wrong; please report it with the model."""
