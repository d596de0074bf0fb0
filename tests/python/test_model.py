"""One description, two front-ends: a model from dicts and the same model
from its TOML file give the same bits; the friendly builder writes the same
tables."""
import numpy as np
import pytest

import ranvier
from conftest import example, tables


def same_results(a, b):
    sa, sb = a.spikes(), b.spikes()
    for k in sa:
        np.testing.assert_array_equal(sa[k], sb[k])
    ta, tb = a.traces(), b.traces()
    assert len(ta) == len(tb)
    for x, y in zip(ta, tb):
        assert x["columns"] == y["columns"]
        np.testing.assert_array_equal(x["time_ms"], y["time_ms"])
        np.testing.assert_array_equal(x["values"], y["values"])
    xa, xb = a.state(), b.state()
    assert xa.keys() == xb.keys()
    for k in xa:
        np.testing.assert_array_equal(xa[k], xb[k], err_msg=k)


@pytest.mark.parametrize("name, ms", [("cobahh.toml", 60.0), ("stdp_song.toml", 300.0),
                                      ("ball_and_stick.toml", 30.0), ("swc_neuron.toml", 10.0),
                                      ("stp.toml", 200.0), ("brunel.toml", 50.0)])
def test_dict_and_file_give_the_same_bits(name, ms):
    # The file as the CLI reads it (its lines in messages) ...
    from_file = ranvier.Simulation(ranvier.Model.load(example(name)), engine="cpu", threads=2, progress=False)
    # ... and the same tables as dicts (SWC files relative to the example).
    from_dict = ranvier.Simulation(ranvier.Model(tables(name), source=str(example(name))), engine="cpu",
                                   threads=2, progress=False)
    from_file.run(ms)
    from_dict.run(ms)
    recorded = from_file.spikes()["time_ms"].size + sum(t["values"].size for t in from_file.traces())
    assert recorded > 0
    same_results(from_file, from_dict)


def test_builder_writes_the_file_tables():
    t = tables("hh_single.toml")
    m = ranvier.Model(**t["simulation"])
    for name, cell in t["cell"].items():
        m.cell(name, **cell)
    for p in t["population"]:
        m.population(**p)
    for s in t.get("stimulus", []):
        m.stimulus(**s)
    for r in t["record"]:
        r = dict(r)
        m.record(r.pop("population", None), r.pop("variable"), **r)
    assert m.tables == {k: v for k, v in t.items()}
    a = ranvier.Simulation(m, engine="cpu", progress=False).run()
    b = ranvier.Simulation(example("hh_single.toml"), engine="cpu", progress=False).run()
    same_results(a, b)
    assert a.time == pytest.approx(120.0)


def test_duration_may_be_left_out_from_python():
    m = ranvier.Model(dt=0.025).cell("c", area=1000.0, mechanism=[{"kind": "hh"}]).population("p", cell="c", size=1)
    sim = ranvier.Simulation(m, progress=False)
    with pytest.raises(ranvier.ModelError, match="no \\[simulation\\] duration"):
        sim.run()
    sim.run(5.0)
    assert sim.step == 200
