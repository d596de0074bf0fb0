"""A simulation run in pieces: the same bits as one long run, state read and
set between pieces, parameters changed, Ctrl-C, memory."""
import os
import signal
import threading

import numpy as np
import pytest

import ranvier
from conftest import example, tables
from test_model import same_results

# tools/sanitize runs these under AddressSanitizer, about ten times slower.
SANITIZED = bool(os.environ.get("RANVIER_SANITIZED"))


def sim_of(name, **kw):
    kw.setdefault("engine", "cpu")
    kw.setdefault("progress", False)
    return ranvier.Simulation(example(name), **kw)


@pytest.mark.parametrize("name, pieces", [
    ("cobahh.toml", [10.0, 0.1, 7.3, 0.0, 32.6]),           # 50 ms
    ("stdp_song.toml", [100.0, 33.3, 166.7]),                # plastic: STDP weights and traces
    ("ball_and_stick.toml", [5.0, 5.0, 10.025]),             # cable cells
    ("stp.toml", [120.0, 80.0]),                             # short-term plasticity, kinetic receptors
])
def test_pieces_equal_one_run(name, pieces):
    one = sim_of(name, threads=2).run(sum(pieces))
    many = sim_of(name, threads=1)
    for ms in pieces:
        many.run(ms)
    assert many.step == one.step
    same_results(one, many)
    assert many.summary()["spikes"] == one.summary()["spikes"]


def test_get_set_round_trip_keeps_the_bits():
    a = sim_of("cobahh.toml").run(20.0)
    b = sim_of("cobahh.toml").run(20.0)
    for var in b.variables("exc"):
        b.set("exc", var, b.get("exc", var))  # the same values back: nothing changes
    b.set("inh", "v", b.get("inh", "v"))
    a.run(30.0)
    b.run(30.0)
    same_results(a, b)


def test_set_takes_effect_and_is_read_back():
    sim = sim_of("cobahh.toml").run(5.0)
    v = np.linspace(-80.0, -50.0, 3200)
    sim.set("exc", "v", v)
    np.testing.assert_array_equal(sim.get("exc", "v"), v)
    sim.set("inh", "traub_miles.m", 0.25)
    assert np.all(sim.get("inh", "traub_miles.m") == 0.25)
    # single precision: the value rounded to float
    s = sim_of("cobahh.toml", precision="single")
    s.set("exc", "v", v)
    np.testing.assert_array_equal(s.get("exc", "v"), v.astype(np.float32).astype(float))


def test_a_set_state_changes_what_follows():
    m = ranvier.Model(tables("hh_single.toml", duration=50.0))
    quiet = ranvier.Simulation(m, engine="cpu", progress=False)
    quiet.set_stimulus(0, amp=0.0)
    quiet.run(50.0)
    assert quiet.spikes()["time_ms"].size == 0
    kicked = ranvier.Simulation(m.copy(), engine="cpu", progress=False)
    kicked.set_stimulus(0, amp=0.0)
    kicked.run(20.0)
    kicked.set("hh", "v", -40.0)  # mV: depolarised past the HH threshold, below the detector's 0 mV: one spike
    kicked.run(30.0)
    t = kicked.spikes()["time_ms"]
    assert t.size == 1 and 20.0 < t[0] < 22.0


def test_cable_cells_state_is_cells_by_places():
    sim = sim_of("ball_and_stick.toml").run(1.0)
    v = sim.get(sim.populations[0], "v")
    assert v.ndim == 2 and v.shape[1] > 1
    sim.set(sim.populations[0], "v", v[:, 0])  # one value per cell, at every place
    w = sim.get(sim.populations[0], "v")
    np.testing.assert_array_equal(w, np.repeat(v[:, :1], v.shape[1], axis=1))


def test_weights_round_trip_and_effect():
    a = sim_of("stdp_song.toml").run(200.0)
    b = sim_of("stdp_song.toml").run(200.0)
    proj = "stdp"
    w = b.weights(proj)
    pre, post = b.connections(proj)
    assert w.shape == pre.shape == post.shape
    b.set_weights(proj, w)
    a.run(100.0)
    b.run(100.0)
    same_results(a, b)
    b.set_weights(proj, np.zeros_like(w))
    np.testing.assert_array_equal(b.weights(proj), 0.0)
    before = b.spikes("neuron")["time_ms"].size
    assert before > 0
    b.run(100.0)  # no input left: the cell falls silent
    assert b.spikes("neuron")["time_ms"][before:].size == 0


def test_parameters_change_between_runs():
    m = ranvier.Model(tables("hh_single.toml", duration=400.0))
    sim = ranvier.Simulation(m, engine="cpu", progress=False)
    counts = []
    for amp in (0.0, 0.05, 0.2):  # nA on 1000 µm²: below threshold, near it, well above
        sim.set_stimulus(0, amp=amp, start=sim.time, stop=sim.time + 100.0)
        before = sim.spikes()["time_ms"].size
        sim.run(100.0)
        counts.append(sim.spikes()["time_ms"].size - before)
    assert counts[0] == 0 and counts[2] > counts[1] >= 1


def test_update_with_the_same_model_keeps_the_bits():
    a = sim_of("cobahh.toml").run(40.0)
    b = sim_of("cobahh.toml").run(15.0)
    b.update(ranvier.Model(tables("cobahh.toml"), source=str(example("cobahh.toml"))))
    b.run(25.0)
    same_results(a, b)


def test_update_refuses_other_cells_or_settings():
    sim = sim_of("cobahh.toml").run(1.0)
    t = tables("cobahh.toml")
    t["population"][0]["size"] += 1
    with pytest.raises(ranvier.ModelError, match="other cells or connections"):
        sim.update(ranvier.Model(t))
    t = tables("cobahh.toml", dt=0.05)
    with pytest.raises(ranvier.ModelError, match="dt, seed, precision or mode"):
        sim.update(ranvier.Model(t))
    sim.run(1.0)  # still running, unchanged
    assert sim.step == 20


def test_poisson_rate_changes():
    t = tables("brunel.toml", duration=100.0)
    src = [p["name"] for p in t["population"] if p.get("kind") == "poisson"]
    sim = ranvier.Simulation(ranvier.Model(t), engine="cpu", progress=False)
    sim.run(50.0)
    n0 = sim.summary()["spikes"]
    sim.set_rate(src[0], 0.0)
    sim.run(50.0)
    assert sim.summary()["spikes"] - n0 < n0


def test_ctrl_c_stops_between_chunks_and_the_run_goes_on():
    total = 300.0 if SANITIZED else 2000.0  # ms: over a second on any build, well past the 0.2 s timer
    one = sim_of("cobahh.toml").run(total)
    sim = sim_of("cobahh.toml")
    timer = threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        sim.run(total)
    timer.join()
    assert 0 < sim.time < total
    sim.run(total - sim.time)  # consistent: continuing gives the run in one piece
    same_results(one, sim)


def test_progress_line_on_stderr(capfd):
    import time
    sim = sim_of("cobahh.toml", progress=True)
    t0 = time.perf_counter()
    sim.run(200.0)  # short: no line yet; it times this machine and build
    rate = 200.0 / (time.perf_counter() - t0)  # simulated ms per wall second
    capfd.readouterr()
    ms = round(4.5 * rate / sim.dt) * sim.dt  # a run of about 4.5 s (whole steps): the line shows after 3 s
    sim.run(ms)
    err = capfd.readouterr().err
    assert "ms simulated" in err and "real-time factor" in err
    quiet = sim_of("cobahh.toml", progress=False)
    quiet.run(ms)
    assert capfd.readouterr().err == ""


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


@pytest.mark.skipif(SANITIZED, reason="AddressSanitizer's quarantine holds freed memory, so RSS shows nothing here; "
                                       "tools/test runs this")
def test_no_memory_growth_over_many_simulations():
    t = tables("cobahh.toml")
    t["population"][0]["size"] = 400
    t["population"][1]["size"] = 100

    def cycle():
        sim = ranvier.Simulation(ranvier.Model(t), engine="cpu", threads=1, progress=False)
        sim.run(20.0)
        sim.get("exc", "v")
        sim.set("exc", "v", -65.0)
        sim.run(5.0)
        sim.spikes(), sim.traces(), sim.state(), sim.summary()
        del sim

    for _ in range(20):
        cycle()
    base = rss_kib()
    for _ in range(150):
        cycle()
    grown = rss_kib() - base
    assert grown < 8 * 1024, f"RSS grew by {grown} KiB over 150 simulations"


def test_to_pandas():
    sim = sim_of("hh_single.toml").run(60.0)
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="to_pandas needs pandas"):
            sim.to_pandas()
        return
    spikes, traces = sim.to_pandas()
    assert list(spikes.columns) == ["time_ms", "population", "index"] and len(spikes) == sim.spikes()["time_ms"].size
    frame = traces["hh.v"]
    assert frame.index.name == "time_ms" and frame.shape == sim.trace("hh", "v")[1].shape


def test_another_thread_cannot_touch_a_running_simulation():
    sim = sim_of("cobahh.toml")
    seen = []

    def poke():
        import time
        time.sleep(0.1)
        try:
            sim.get("exc", "v")
        except ranvier.ModelError as e:
            seen.append(str(e))

    t = threading.Thread(target=poke)
    t.start()
    sim.run(300.0 if SANITIZED else 1500.0)  # ms: over a second, well past the 0.1 s the other thread waits
    t.join()
    assert seen and "the simulation is running (run() in another thread)" in seen[0]
    sim.get("exc", "v")  # and once run() has returned, it can
