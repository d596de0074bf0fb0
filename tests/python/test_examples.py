"""The Python examples run and say what they should (examples/python/)."""
import os
import re
import subprocess
import sys

import pytest

from conftest import EXAMPLES

SANITIZED = bool(os.environ.get("RANVIER_SANITIZED"))


def run(name, *args):
    out = subprocess.run([sys.executable, str(EXAMPLES / "python" / name), *args], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_cobahh_builds_runs_and_draws(tmp_path):
    out = run("cobahh.py", "--engine", "cpu", "--threads", "1", "--duration", "100", "--out", str(tmp_path))
    assert re.search(r"4000 cells, \d{6} connections, 100 ms", out), out
    rates = [float(x) for x in re.findall(r"(\d+\.\d+) Hz", out)]
    assert len(rates) == 2 and all(r > 5.0 for r in rates), out  # self-sustained activity
    assert (tmp_path / "cobahh_raster.png").stat().st_size > 10000


@pytest.mark.skipif(SANITIZED, reason="31 s of simulated time per sweep: too slow under AddressSanitizer")
def test_fi_curve_rises(tmp_path):
    out = run("fi_curve.py", "--out", str(tmp_path))
    rates = [float(r) for r in re.findall(r"nA\s+(\d+\.\d+) Hz", out)]
    assert len(rates) == 31 and rates[0] == 0.0 and rates[-1] > 50.0
    assert all(b >= a for a, b in zip(rates, rates[1:])), rates  # the f–I curve of HH: no lower rate for more current
    assert "one simulation continued" in out and (tmp_path / "fi_curve.png").exists()
