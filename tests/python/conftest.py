"""Shared helpers of the Python tests: the examples, shortened."""
import os
import pathlib
import tomllib

import pytest

ROOT = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
EXAMPLES = ROOT / "examples"


def pytest_configure(config):
    config.addinivalue_line("markers", "gpu: needs a CUDA device (ctest label gpu)")
    config.addinivalue_line("markers", "pynn: compares pyNN.ranvier with pyNN.neuron")


def example(name):
    return EXAMPLES / name


def tables(name, **simulation):
    """An example's tables as tomllib reads them, [simulation] keys replaced."""
    with open(example(name), "rb") as f:
        t = tomllib.load(f)
    t["simulation"].update(simulation)
    return t


@pytest.fixture
def examples():
    return EXAMPLES
