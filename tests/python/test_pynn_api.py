"""pyNN.ranvier's side of PyNN's API, on its own: recording into Neo,
views, parameters and initial values changed between runs, reset(),
projections' attributes, and the errors for what it does not support."""
import numpy as np
import pytest

import pyNN.ranvier as sim
import ranvier
from pyNN.random import NumpyRNG, RandomDistribution


@pytest.fixture(autouse=True)
def fresh():
    sim.setup(timestep=0.1, min_delay=0.1, engine="cpu", threads=1)
    yield
    sim.end()


def test_neo_output_of_spikes_v_and_gsyn():
    cells = sim.Population(5, sim.IF_cond_exp(i_offset=0.0, tau_refrac=2.0), label="cells")
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 20.0, 30.0]))
    prj = sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.05, delay=1.0),
                         receptor_type="excitatory")
    cells[1:3].record(["v", "gsyn_exc"])
    cells.record("spikes")
    sim.run(50.0)
    block = cells.get_data()
    seg = block.segments[0]
    v = seg.filter(name="v")[0]
    g = seg.filter(name="gsyn_exc")[0]
    assert v.shape == (501, 2) and g.shape == (501, 2)  # t = 0, 0.1, ..., 50 ms
    assert float(v.sampling_period) == pytest.approx(0.1)
    # The conductance jumps by the weight 1 ms after each input spike (µS).
    t = np.asarray(g.times)
    k = int(np.argmin(np.abs(t - 11.0)))
    assert float(g[k + 1, 0]) > 0.04
    assert float(g[k - 2, 0]) == 0.0
    assert len(seg.spiketrains) == 5
    # the projection's attributes
    w = prj.get("weight", format="array")
    assert w.shape == (1, 5) and np.all(w == 0.05)
    assert prj.get("delay", format="list", with_address=False) == [1.0] * 5
    assert len(prj) == 5


def test_parameters_and_initial_values_between_runs_and_reset():
    cells = sim.Population(3, sim.IF_curr_exp(i_offset=0.0))
    cells.record("spikes")
    cells.initialize(v=np.array([-65.0, -60.0, -55.0]))
    sim.run(100.0)
    assert sum(len(s) for s in cells.get_data().segments[0].spiketrains) == 0
    cells[0:1].set(i_offset=2.0)  # a view: this cell fires from now on, the others stay silent
    sim.run(100.0)
    trains = cells.get_data().segments[0].spiketrains
    assert len(trains[0]) > 3 and len(trains[1]) == 0 and min(trains[0].magnitude) > 100.0
    sim.reset()
    sim.run(50.0)  # from the model again: a new segment, cell 0 fires from the start
    segs = cells.get_data().segments
    assert len(segs) == 2 and len(segs[1].spiketrains[0]) > 0 and min(segs[1].spiketrains[0].magnitude) < 50.0


def test_random_initial_values_and_connectors_on_views():
    rng = NumpyRNG(seed=3)
    a = sim.Population(20, sim.IF_cond_exp())
    b = sim.Population(10, sim.IF_cond_exp())
    a.initialize(v=RandomDistribution("uniform", low=-70.0, high=-60.0, rng=rng))
    prj = sim.Projection(a[5:15], b[::2], sim.FixedNumberPreConnector(3, rng=rng),
                         sim.StaticSynapse(weight=0.01, delay=RandomDistribution("uniform", low=0.5, high=2.0, rng=rng)))
    sim.run(1.0)
    pre, post, d = np.array(prj.get("delay", format="list")).T
    assert len(pre) == 15 and set(post.astype(int)) <= {0, 2, 4, 6, 8} and np.all((pre >= 5) & (pre < 15))
    assert np.all(np.abs(d / 0.1 - np.round(d / 0.1)) < 1e-9)  # whole steps, as Ranvier delivers them
    v0 = sim.simulator.state.sim.get("p0", "v")
    assert v0.shape == (20,) and np.all((v0 > -71) & (v0 < -59)) and np.unique(v0).size > 10


def test_what_is_not_supported_says_so():
    cells = sim.Population(2, sim.IF_cond_exp(tau_m=np.array([10.0, 20.0])))
    with pytest.raises(NotImplementedError, match="per-cell values of tau_m"):
        sim.run(1.0)
    sim.setup(timestep=0.1)
    a = sim.Population(2, sim.IF_curr_exp())
    sim.run(1.0)
    with pytest.raises(NotImplementedError, match="once the simulation has run"):
        sim.Population(2, sim.IF_curr_exp())
    with pytest.raises(NotImplementedError, match="record\\(\\) once the simulation has run"):
        a.record("v")


def test_delays_below_the_time_step_are_errors():
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]), label="src")
    cell = sim.Population(1, sim.IF_cond_exp(), label="cell")
    for d, shown in ((-1.0, "-1"), (0.0, "0"), (0.05, "0.05")):
        with pytest.raises(ranvier.ModelError, match=rf"pyNN.ranvier: Projection 'src→cell': delay {shown} ms "
                                                     rf"\(connection 0→0, 1 of 1 below dt or not finite\); valid: a "
                                                     rf"delay >= dt = 0.1 ms"):
            sim.Projection(src, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.05, delay=d),
                           receptor_type="excitatory")
    assert sim.simulator.state.projections == []  # a refused projection is not made
    prj = sim.Projection(src, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.05),  # None: min_delay
                         receptor_type="excitatory", label="input")
    assert prj.get("delay", format="list", with_address=False) == [pytest.approx(0.1)]
    with pytest.raises(ranvier.ModelError, match=r"Projection 'input': delay 0 ms"):
        prj.set(delay=0.0)
    assert prj.get("delay", format="list", with_address=False) == [pytest.approx(0.1)]  # unchanged
    cell.record("v")  # not its spikes
    sim.run(0.25)  # PyNN's times need not be whole steps: to the first step at or after
    assert sim.get_current_time() == pytest.approx(0.3)
    assert len(cell.get_data().segments[0].spiketrains) == 0


def test_an_empty_population_is_an_error():
    with pytest.raises(ranvier.ModelError, match=r"pyNN.ranvier: Population 'none': size 0; valid: at least 1 cell"):
        sim.Population(0, sim.IF_cond_exp(), label="none")
    assert sim.simulator.state.populations == []


def test_run_with_callbacks_at_times_between_steps_advances():
    # A callback every 0.04 ms at dt = 0.1 ms: each run_until asks for a time
    # less than half a step ahead; rounding to the nearest step stood still.
    cells = sim.Population(1, sim.IF_curr_exp(i_offset=0.0))
    calls = []

    def every(t):
        calls.append(t)
        return t + 0.04

    sim.run_until(1.0, callbacks=[every])
    assert sim.get_current_time() == pytest.approx(1.0)
    assert 10 <= len(calls) <= 30
    assert len(cells) == 1


def test_setup_threads_of_the_wrong_type_are_refused():
    sim.setup(timestep=0.1, engine="cpu", threads=2.5)
    sim.Population(1, sim.IF_curr_exp())
    with pytest.raises(ranvier.ModelError, match=r"threads 2.5 of type float; valid: an integer"):
        sim.run(1.0)


def test_model_errors_name_the_scripts_labels():
    sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, -1.0]), label="stimulus")
    sim.Population(1, sim.IF_curr_exp(tau_m=-3.0), label="cells")
    with pytest.raises(ranvier.ModelError) as e:
        sim.run(5.0)
    assert "cell.p1 (Population 'cells').tau_m: -3.0 ms is not positive" in str(e.value)
    assert "population[0] 'p0' (Population 'stimulus').spikes" in str(e.value)
