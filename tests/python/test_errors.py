"""Every error path raises a ranvier exception with the checker's message:
what, where (a key path for dicts, a line for files) and what would be
valid; none crashes the interpreter or loses the simulation."""
import copy
import math

import numpy as np
import pytest

import ranvier
from conftest import example, tables


def model(**change):
    t = tables("hh_single.toml")
    for path, value in change.items():
        node = t
        keys = path.split("__")
        for k in keys[:-1]:
            node = node[int(k)] if k.isdigit() else node[k]
        node[keys[-1]] = value
    return t


@pytest.mark.parametrize("change, message", [
    ({"simulation__dtt": 0.1}, r"<python>: simulation.dtt: unknown key 'dtt'.*valid: .*dt"),
    ({"simulation__dt": "fast"}, r"simulation.dt: expected a number, got a string \(\"fast\"\)"),
    ({"simulation__dt": -1.0}, r"simulation.dt: -1.0 ms is not positive; valid: a time step > 0"),
    ({"simulation__dt": math.nan}, r"simulation.dt: nan is not a finite number"),
    ({"simulation__seed": 1.5}, r"simulation.seed: expected an integer"),
    ({"simulation__seed": 2**70}, r"simulation.seed: the integer 1180591620717411303424 does not fit in 64 bits"),
    ({"simulation__engine": "gpu"}, r"simulation.engine.*\"gpu\".*valid: .*\"cpu\""),
    ({"population__0__size": None}, r"population\[0\].size: None; valid"),
    ({"population__0__size": -3}, r"population\[0\] 'hh'.size"),
    ({"population__0__cell": "nope"}, r"population\[0\] 'hh'.cell.*'nope'"),
    ({"stimulus__0__amp": object()}, r"stimulus\[0\].amp: a Python object"),
    ({"record__1__variable": "q"}, r"record\[1\].variable"),
])
def test_model_errors_name_the_key_path(change, message):
    with pytest.raises(ranvier.ModelError, match=message):
        ranvier.Simulation(model(**change), progress=False)


def test_every_problem_is_listed_at_once():
    with pytest.raises(ranvier.ModelError) as e:
        ranvier.Simulation(model(simulation__dtt=1, population__0__sizee=2), progress=False)
    assert "simulation.dtt" in str(e.value) and "population[0] 'hh'.sizee: unknown key 'sizee'" in str(e.value)


def test_file_errors_name_the_line(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text(example("hh_single.toml").read_text().replace("dt = 0.025", "dt = -0.025"))
    with pytest.raises(ranvier.ModelError, match=r"bad.toml:6:\d+: simulation.dt"):
        ranvier.Simulation(f, progress=False)
    f.write_text("[simulation\n")
    with pytest.raises(ranvier.ModelError, match=r"bad.toml:1:\d+: TOML syntax error"):
        ranvier.Simulation(f, progress=False)
    with pytest.raises(ranvier.ModelError, match=r"cannot read model file .*nowhere.toml"):
        ranvier.Simulation(tmp_path / "nowhere.toml", progress=False)


def test_python_values_that_are_not_toml():
    with pytest.raises(ranvier.ModelError, match=r"a key of type int"):
        ranvier.Simulation({**tables("hh_single.toml"), 3: {}}, progress=False)
    with pytest.raises(ranvier.ModelError, match=r"valid: a ranvier.Model, a dict"):
        ranvier.Simulation(42, progress=False)
    # NumPy values are numbers and arrays
    t = tables("hh_single.toml")
    t["stimulus"][0]["amp"] = np.float32(0.1)
    t["simulation"]["dt"] = np.float64(0.025)
    t["population"][0]["size"] = np.int64(1)
    t["simulation"]["v_bounds"] = np.array([-200.0, 200.0])
    ranvier.Simulation(t, progress=False).run(1.0)


@pytest.mark.parametrize("kw, message", [
    ({"engine": "gpu"}, r"engine \"gpu\"; valid: \"auto\", \"cpu\", \"cuda\""),
    ({"precision": "half"}, r"precision \"half\"; valid: \"single\", \"double\""),
    ({"mode": "quick"}, r"mode \"quick\"; valid: \"deterministic\", \"fast\""),
    ({"threads": -2}, r"threads -2; valid"),
    ({"threads": 2.5}, r"threads 2.5 of type float; valid: an integer, 0 \(all the machine's\) or more"),
    ({"threads": "2"}, r"threads '2' of type str; valid: an integer"),
    ({"threads": True}, r"threads True of type bool; valid: an integer"),
    ({"threads": 2**40}, r"threads 1099511627776; valid: an integer"),
    ({"seed": -1}, r"seed -1; valid: an integer from 0 to 2\^64 - 1, or None"),
    ({"seed": 1.5}, r"seed 1.5 of type float; valid: an integer from 0 to 2\^64 - 1"),
    ({"seed": "7"}, r"seed '7' of type str; valid: an integer"),
    ({"seed": 2**70}, r"seed 1180591620717411303424; valid: an integer from 0 to 2\^64 - 1"),
    ({"engine": 5}, r"engine 5 of type int; valid: \"auto\", \"cpu\", \"cuda\", or None"),
])
def test_simulation_arguments(kw, message):
    with pytest.raises(ranvier.ModelError, match=message):
        ranvier.Simulation(example("hh_single.toml"), progress=False, **kw)


def test_integer_arguments_in_range_are_taken():
    sim = ranvier.Simulation(example("hh_single.toml"), engine="cpu", threads=np.int64(1), seed=np.uint64(2**64 - 1),
                             progress=False)
    with pytest.raises(ranvier.ModelError, match=r"seed 18446744073709551615\)"):  # the running seed, in the message
        sim.update(tables("hh_single.toml", dt=0.05))
    ranvier.Simulation(example("hh_single.toml"), engine="cpu", seed=0, progress=False).run(1.0)


@pytest.mark.parametrize("bad, message", [
    ({"simulation": 5}, r"<python>: simulation: expected a table, got an integer \(5\)"),
    ({"simulation": {"dt": 0.1}, "population": 5}, r"population: expected an array of tables"),
])
def test_tables_of_the_wrong_type_get_the_checker_message(bad, message):
    with pytest.raises(ranvier.ModelError, match=message):
        ranvier.Simulation(bad, progress=False)


def test_cuda_requested_without_a_device():
    ok, why = ranvier.cuda_available()
    if ok:
        pytest.skip("a CUDA device is present; tests/python/test_gpu.py covers it")
    with pytest.raises(ranvier.Error, match="cuda|CUDA"):
        ranvier.Simulation(example("hh_single.toml"), engine="cuda", progress=False)


def test_session_errors_leave_the_simulation_usable():
    sim = ranvier.Simulation(example("cobahh.toml"), engine="cpu", progress=False)
    sim.run(1.0)
    bad = [
        (lambda: sim.run(-1.0), r"run: -1 ms; valid: a finite time of at least 0 ms"),
        (lambda: sim.run(math.inf), r"run: inf ms"),
        (lambda: sim.get("nope", "v"), r"no population 'nope'; valid: exc, inh"),
        (lambda: sim.get("exc", "hh.m"), r"population 'exc' \(cell type tm\) has no state 'hh.m'; valid: v, "
                                         r"traub_miles.m"),
        (lambda: sim.set("exc", "v", np.zeros(7)), r"set exc.v: 7 values; valid: 3200 \(one per cell\), or one"),
        (lambda: sim.set("exc", "v", [np.nan]), r"set exc.v: value 0 is nan; valid: finite numbers"),
        (lambda: sim.weights("ee"), r"no plastic projection 'ee'; valid: none"),
        (lambda: sim.set_stimulus(3, amp=1.0), r"set_stimulus: no stimulus 3; valid: none: the model has no "
                                               r"\[\[stimulus\]\]"),
        (lambda: sim.set_stimulus("step", amp=1.0), r"set_stimulus: no stimulus 'step'"),
        (lambda: sim.set_rate("nope", 3.0), r"set_rate: no population 'nope'"),
        (lambda: sim.spikes("nope"), r"spikes: no population 'nope'"),
        (lambda: sim.trace("exc", "m"), r"trace: nothing records exc.m; valid: exc.v"),
        (lambda: sim.run(0.05), r"run: 0.05 ms is not a whole number of steps; valid: a multiple of dt = 0.1 ms"),
        (lambda: sim.run("abc"), r"run: 'abc' of type str; valid: a time in ms"),
        (lambda: sim.update({**tables("cobahh.toml"), "simulation": {"dt": 0.05}}), r"dt, seed, precision"),
    ]
    for call, message in bad:
        with pytest.raises(ranvier.ModelError, match=message):
            call()
    sim.run(1.0)
    assert sim.step == 20


def test_plastic_weight_errors():
    sim = ranvier.Simulation(example("stdp_song.toml"), engine="cpu", progress=False)
    with pytest.raises(ranvier.ModelError, match=r"set_weights stdp: 3 values; valid: 1000 \(one per connection\)"):
        sim.set_weights("stdp", [0.0, 0.0, 0.0])
    with pytest.raises(ranvier.ModelError, match=r"weight 0 is inf"):
        sim.set_weights("stdp", np.full(1000, np.inf))


def test_numerical_failure_raises_and_stops_until_the_state_is_set():
    t = tables("hh_single.toml")
    t["stimulus"][0]["amp"] = 1e6  # nA
    sim = ranvier.Simulation(t, engine="cpu", progress=False)
    with pytest.raises(ranvier.NumericalError, match=r"numerical failure .* population hh, cell 0.*Hint"):
        sim.run(50.0)
    with pytest.raises(ranvier.ModelError, match=r"stopped at a numerical failure"):
        sim.run(1.0)
    assert sim.summary()["status"] == "numerical failure"
    with pytest.raises(ranvier.ModelError, match=r"set_stimulus: no stimulus 1; valid: an index from 0 to 0"):
        sim.set_stimulus(1, amp=0.0)
    sim.set_stimulus(np.int64(0), amp=0.0)  # NumPy's integers index too
    for var in sim.variables("hh"):
        sim.set("hh", var, -65.0 if var == "v" else 0.1)
    sim.run(5.0)
    assert np.all(np.isfinite(sim.get("hh", "v")))


def test_run_takes_whole_steps_only():
    sim = ranvier.Simulation(example("cobahh.toml"), engine="cpu", progress=False)  # dt = 0.1 ms
    for _ in range(10):
        with pytest.raises(ranvier.ModelError, match=r"run: 0.04 ms is not a whole number of steps; valid: a "
                                                     r"multiple of dt = 0.1 ms \(e.g. 0 or 0.1 ms\)"):
            sim.run(0.04)
    assert sim.step == 0
    with pytest.raises(ranvier.ModelError, match=r"run: 0.25 ms .*\(e.g. 0.2 or 0.3 ms\)"):
        sim.run(0.25)
    with pytest.raises(ranvier.ModelError, match=r"run: True of type bool"):
        sim.run(True)
    sim.run(0.3)  # 0.3 / 0.1 is 2.9999999999999996: a whole number of steps all the same
    sim.run(0.0)
    sim.run(np.float32(0.5))  # 0.5 in single precision is exact
    sim.run(7.3)
    assert sim.step == 3 + 5 + 73


def stimulated():
    """hh_single with a Poisson population (not connected) whose rate set_rate changes."""
    t = tables("hh_single.toml", duration=60.0)
    t["population"].append({"name": "ext", "kind": "poisson", "size": 10, "rate": 20.0})
    return t


def test_a_refused_change_changes_nothing():
    from test_model import same_results
    sim = ranvier.Simulation(stimulated(), engine="cpu", progress=False)
    ref = ranvier.Simulation(stimulated(), engine="cpu", progress=False)
    before = copy.deepcopy(sim.model.tables)
    with pytest.raises(ranvier.ModelError, match=r"stimulus\[0\].ampp: unknown key 'ampp'"):
        sim.set_stimulus(0, ampp=1.0)
    with pytest.raises(ranvier.ModelError, match=r"population\[1\] 'ext'.rate"):
        sim.set_rate("ext", -5.0)
    with pytest.raises(ranvier.ModelError, match=r"set_rate: population 'hh' is of kind 'cell', not \"poisson\"; "
                                                 r"valid: ext"):
        sim.set_rate("hh", 5.0)
    with pytest.raises(ranvier.ModelError, match=r"dt, seed, precision or mode"):
        sim.update(stimulated() | {"simulation": {**stimulated()["simulation"], "dt": 0.05}})
    assert sim.model.tables == before and sim.model.tables["simulation"]["dt"] == sim.dt
    sim.run(30.0)
    ref.run(30.0)
    same_results(sim, ref)  # the engine ran the model as it was
    # and later changes are taken, not refused with the first error
    sim.set_stimulus(0, amp=0.0)
    sim.set_rate("ext", 5.0)
    assert sim.model.tables["stimulus"][0] == {**before["stimulus"][0], "amp": 0.0}
    assert sim.model.tables["population"][1]["rate"] == 5.0
    sim.run(30.0)
    ref.run(30.0)
    assert sim.spikes()["time_ms"].size < ref.spikes()["time_ms"].size


def test_a_refused_update_puts_the_model_back(tmp_path):
    sim = ranvier.Simulation(example("hh_single.toml"), engine="cpu", progress=False)
    m = sim.model
    before = copy.deepcopy(m.tables)
    stim = m.tables["stimulus"][0]  # a table the user holds
    stim["amp"] = "high"
    m.tables["simulation"]["celsius"] = 20.0
    with pytest.raises(ranvier.ModelError, match=r"hh_single.toml: stimulus\[0\].amp: expected a number"):
        sim.update()
    assert sim.model is m and m.tables == before  # what the engine runs, the edits undone
    assert m.tables["stimulus"][0] is stim and stim["amp"] == 0.1  # in place: the held table restored too
    # A model read from a file: edits of its tables are what update() takes (not the file's text),
    # through the table held, and with a NumPy array in them.
    stim["amp"] = 0.0
    m.tables["simulation"]["v_bounds"] = np.array([-900.0, 900.0])
    sim.update()
    sim.run()
    assert sim.spikes()["time_ms"].size == 0
    # A model file, unchanged: messages name its lines.
    f = tmp_path / "bad.toml"
    f.write_text(example("hh_single.toml").read_text().replace("amp = 0.1", 'amp = "high"'))
    with pytest.raises(ranvier.ModelError, match=r"bad.toml:\d+:\d+: stimulus\[0\].amp: expected a number"):
        sim.update(ranvier.Model.load(f))
    assert sim.model is m and m.tables["stimulus"][0]["amp"] == 0.0


def test_an_engine_that_cannot_be_made_leaves_the_simulation_running():
    # update() frees the old engine before it makes the new one (the GPU's
    # memory); where the new one cannot be made (here: engine = "cuda" on a
    # machine with no usable device) the simulation goes on from where it
    # was, its pending change kept. It used to be left without an engine: the
    # next call crashed the interpreter.
    ok, why = ranvier.cuda_available()
    if ok:
        pytest.skip("a CUDA device is usable here: engine = \"cuda\" would be made")
    from test_model import same_results
    t = stimulated()
    t["simulation"]["engine"] = "cpu"
    sim = ranvier.Simulation(copy.deepcopy(t), progress=False).run(20.0)
    ref = ranvier.Simulation(copy.deepcopy(t), progress=False).run(20.0)
    for s in (sim, ref):
        s.set_stimulus(0, amp=0.0)  # pending until the next run
    sim.model.simulation(engine="cuda")
    with pytest.raises(ranvier.ModelError, match=r"engine = cuda, but"):
        sim.update()
    assert sim.model.tables["simulation"]["engine"] == "cpu"
    assert sim.time == 20.0 and sim.engine.startswith("cpu")
    sim.run(40.0)
    ref.run(40.0)
    same_results(sim, ref)
    assert sim.model.tables["stimulus"][0]["amp"] == 0.0


def test_spikes_of_a_population_nothing_records():
    t = stimulated()
    t["record"] = [{"population": "hh", "variable": "v"}]
    sim = ranvier.Simulation(t, engine="cpu", progress=False).run(20.0)
    with pytest.raises(ranvier.ModelError, match=r"spikes: nothing records the spikes of 'hh'; valid: none \(add a "
                                                 r"\[\[record\]\] of variable \"spikes\"\)"):
        sim.spikes("hh")
    assert sim.spikes()["time_ms"].size == 0  # every population's: what is recorded, nothing here
    t["record"].append({"population": "ext", "variable": "spikes", "cells": [0, 3]})  # some cells: recorded
    sim = ranvier.Simulation(t, engine="cpu", progress=False).run(200.0)
    with pytest.raises(ranvier.ModelError, match=r"nothing records the spikes of 'hh'; valid: ext \("):
        sim.spikes("hh")
    assert set(sim.spikes("ext")["index"]) <= {0, 3} and sim.spikes("ext")["time_ms"].size > 0
