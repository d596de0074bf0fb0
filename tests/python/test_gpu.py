"""The CUDA engine from Python gives the CPU engine's bits (deterministic
mode), in pieces and with state set between them. ctest runs these under
the gpu label (gpu_main.py), which reports them skipped without a device."""
import numpy as np
import pytest

import ranvier
from conftest import example
from test_model import same_results

ok, why = ranvier.cuda_available()
pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not ok, reason=f"no CUDA device: {why}")]


@pytest.mark.parametrize("name, pieces, precision", [
    ("cobahh.toml", [20.0, 13.3, 16.7], "double"),
    ("cobahh.toml", [50.0], "single"),
    ("stdp_song.toml", [150.0, 150.0], "double"),
    ("ball_and_stick.toml", [10.0, 20.0], "double"),
    ("stp.toml", [100.0, 100.0], "single"),
])
def test_cuda_equals_cpu(name, pieces, precision):
    cpu = ranvier.Simulation(example(name), engine="cpu", precision=precision, progress=False)
    gpu = ranvier.Simulation(example(name), engine="cuda", precision=precision, progress=False)
    assert gpu.engine.startswith("cuda")
    for ms in pieces:
        cpu.run(ms)
        gpu.run(ms)
    same_results(cpu, gpu)


def test_cuda_state_set_between_pieces():
    cpu = ranvier.Simulation(example("cobahh.toml"), engine="cpu", progress=False).run(10.0)
    gpu = ranvier.Simulation(example("cobahh.toml"), engine="cuda", progress=False).run(10.0)
    v = np.linspace(-70.0, -55.0, 3200)
    for s in (cpu, gpu):
        s.set("exc", "v", v)
        s.run(20.0)
    same_results(cpu, gpu)
