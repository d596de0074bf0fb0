"""Populations: each PyNN population is one Ranvier cell type and one
population (p0, p1, ... in the model), or one spike-source population."""
import numpy as np
import ranvier
from pyNN import common
from pyNN.parameters import ParameterSpace, simplify
from pyNN.standardmodels import StandardCellType

from . import simulator
from .recording import Recorder


class Assembly(common.Assembly):
    _simulator = simulator


class PopulationView(common.PopulationView):
    _assembly_class = Assembly
    _simulator = simulator

    def _get_parameters(self, *names):
        return ParameterSpace({n: simplify(self.parent._parameters[n][self.mask]) for n in names},
                              shape=(self.size,))

    def _set_parameters(self, parameter_space):
        parameter_space.evaluate(simplify=False)
        for n, value in parameter_space.items():
            self.parent._parameters[n][self.mask] = value
        self.parent._changed()

    def _set_initial_value_array(self, variable, initial_values):
        values = initial_values.evaluate(simplify=False)
        full = self.parent._initial.get(variable)
        if full is None:
            full = np.full(self.parent.size, np.nan)
        full[self.mask] = values
        self.parent._initial[variable] = full
        self.parent._initial_changed(variable)

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)


class Population(common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def _create_cells(self):
        if self.size < 1:
            raise ranvier.ModelError(f"pyNN.ranvier: Population {self.label!r}: size {self.size}; valid: at least "
                                     f"1 cell")
        ids = np.arange(simulator.state.id_counter, simulator.state.id_counter + self.size)
        self.all_cells = np.array([simulator.ID(i) for i in ids], dtype=simulator.ID)
        self._mask_local = np.ones(self.size, dtype=bool)
        for i in self.all_cells:
            i.parent = self
        simulator.state.id_counter += self.size
        ps = self.celltype.native_parameters if isinstance(self.celltype, StandardCellType) \
            else self.celltype.parameter_space
        ps.shape = (self.size,)
        ps.evaluate(simplify=False)
        self._parameters = {n: np.asarray(v) for n, v in ps.items()}
        self._initial = {}
        simulator.state.add_population(self)

    @property
    def _name(self):
        return f"p{self._index}"

    def _describe(self, model):
        self.celltype.describe_ranvier(self, model)

    def _uniform(self, name):
        """The parameter's one value: Ranvier gives a population's cells one parameter set."""
        v = self._parameters[name]
        first = v[0]
        if v.dtype == object:
            if any(not np.array_equal(np.asarray(x.value if hasattr(x, "value") else x),
                                      np.asarray(first.value if hasattr(first, "value") else first)) for x in v):
                raise NotImplementedError(f"pyNN.ranvier: {self.label}: per-cell values of {name} are not supported "
                                          f"(Ranvier gives a population one parameter set); valid: one value for "
                                          f"the whole population")
            return first
        if not np.all(v == first):
            raise NotImplementedError(f"pyNN.ranvier: {self.label}: per-cell values of {name} are not supported "
                                      f"(Ranvier gives a population one parameter set); valid: one value for the "
                                      f"whole population")
        return float(first)

    def _changed(self):
        if simulator.state.sim is not None:
            simulator.state.sim.update(simulator.state.model())

    def _initial_changed(self, variable):
        if simulator.state.sim is not None:
            self._apply_initial_values(simulator.state.sim, [variable])

    def _apply_initial_values(self, sim, variables=None):
        for var in variables or list(self._initial):
            values = self._initial[var]
            keep = ~np.isnan(values)
            if not keep.any() or (variables is None and np.all(values == values[0])):
                continue  # none, or one value for all: the model's init has it
            native = self.celltype.ranvier_state(var)
            if native is None:
                continue
            if not keep.all():
                now = sim.get(self._name, native)
                values = np.where(keep, values, now)
            sim.set(self._name, native, values)

    def _set_initial_value_array(self, variable, initial_values):
        values = np.asarray(initial_values.evaluate(simplify=False), dtype=float)
        self._initial[variable] = np.broadcast_to(values, (self.size,)).copy()
        self._initial_changed(variable)

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)

    def _get_parameters(self, *names):
        return ParameterSpace({n: simplify(self._parameters[n]) for n in names}, shape=(self.local_size,))

    def _set_parameters(self, parameter_space):
        parameter_space.evaluate(simplify=False)
        for n, value in parameter_space.items():
            self._parameters[n] = np.array(value)
        self._changed()
