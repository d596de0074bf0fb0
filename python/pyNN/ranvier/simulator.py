"""The state of a pyNN.ranvier simulation: the populations, projections and
current sources the script made, turned into one Ranvier model at the first
run and run by one ranvier.Simulation from then on (repeated runs continue
it; reset() starts it again from the model)."""
import re

import numpy as np

import ranvier
from pyNN import common, errors

name = "Ranvier"


class ID(int, common.IDMixin):
    def __init__(self, n):
        int.__init__(n)
        common.IDMixin.__init__(self)


class State(common.control.BaseState):
    def __init__(self):
        common.control.BaseState.__init__(self)
        self.mpi_rank = 0
        self.num_processes = 1
        self.dt = 0.1
        self.min_delay = 0.1
        self.max_delay = 10.0
        self.engine = None
        self.threads = 0
        self.precision = None
        self.mode = None
        self.seed = 1
        self.clear()

    # -- network -----------------------------------------------------------------
    def clear(self):
        self.recorders = set()
        self.populations = []
        self.projections = []
        self.current_sources = []
        self.id_counter = 0
        self.segment_counter = -1
        self.sim = None
        self.reset()

    def reset(self):
        self.sim = None  # made again from the model at the next run
        self.running = False
        self.t_start = 0.0
        self.segment_counter += 1

    @property
    def t(self):
        return self.sim.time if self.sim is not None else 0.0

    def add_population(self, p):
        self._not_running("create a population")
        p._index = len(self.populations)
        self.populations.append(p)

    def add_projection(self, p):
        self._not_running("create a projection")
        p._index = len(self.projections)
        self.projections.append(p)

    def add_current_source(self, s):
        self._not_running("inject a current source")
        self.current_sources.append(s)

    def _not_running(self, what):
        if self.sim is not None:
            raise NotImplementedError(
                f"pyNN.ranvier cannot {what} once the simulation has run; valid: build the whole network "
                f"before the first run(), or call reset() first")

    # -- the Ranvier model --------------------------------------------------------
    def model(self):
        m = ranvier.Model(dt=self.dt, seed=int(self.seed))
        if self.precision:
            m.simulation(precision=self.precision)
        if self.mode:
            m.simulation(mode=self.mode)
        for p in self.populations:
            p._describe(m)
        for prj in self.projections:
            prj._describe(m)
        for s in self.current_sources:
            s._describe(m)
        for r in self.recorders:
            r._describe(m)
        return m

    def _labelled(self, message):
        """A checker's message with each population's and projection's internal name (p0, prj1; also its cell
        type's) followed by the PyNN label the script gave it."""
        labels = {p._name: f"Population {p.label!r}" for p in self.populations}
        labels.update({prj._name: f"Projection {prj.label!r}" for prj in self.projections})
        def one(m):
            name = m.group(0).strip("'")
            return f"{m.group(0)} ({labels[name]})" if name in labels else m.group(0)
        return re.sub(r"'(?:p|prj)\d+'|\b(?:p|prj)\d+\b", one, message)

    def _start(self):
        model = self.model()
        try:
            self.sim = ranvier.Simulation(model, engine=self.engine, threads=self.threads, progress=False)
        except ranvier.ModelError as e:
            raise ranvier.ModelError(self._labelled(str(e))) from None
        for p in self.populations:
            p._apply_initial_values(self.sim)
        for prj in self.projections:
            prj._apply_initial_weights(self.sim)

    def run(self, simtime):
        self.run_until(self.t + simtime)

    def run_until(self, tstop):
        if self.sim is None:
            self._start()
        # to the first step at or after tstop, as NEURON runs (ranvier's run() takes whole steps only; PyNN's
        # times need not be): a time ahead of now always advances, so PyNN's callback loop cannot stall
        steps = int(np.ceil(tstop / self.sim.dt - 1e-9)) - self.sim.step
        if steps >= 0:
            self.sim.run(steps * self.sim.dt)
        self.running = True


state = State()
