"""ctest's python_gpu: the gpu-marked Python tests, or "SKIPPED" with the
reason and exit code 77 (ctest: skipped) where no CUDA device is present,
so that a skipped run never counts as passed."""
import pathlib
import sys

import pytest

import ranvier

ok, why = ranvier.cuda_available()
if not ok:
    print(f"SKIPPED: Python gpu tests: no CUDA device ({why})")
    sys.exit(77)
here = pathlib.Path(__file__).parent
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-m", "gpu", "--strict-markers", str(here)]))
