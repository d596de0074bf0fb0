"""Projections: PyNN's connector draws the connections (with PyNN's random
numbers, so a script connects the same cells on every backend given the same
RNG seed); they reach Ranvier as one projection of rule "list" whose pairs
carry each connection's weight and delay."""
import numpy as np
import ranvier
from pyNN import common
from pyNN.space import Space

from . import simulator


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator

    def __init__(self, presynaptic_population, postsynaptic_population, connector, synapse_type=None, source=None,
                 receptor_type=None, space=Space(), label=None):
        common.Projection.__init__(self, presynaptic_population, postsynaptic_population, connector, synapse_type,
                                   source, receptor_type, space, label)
        for side, p in (("pre", self.pre), ("post", self.post)):
            if isinstance(p, common.Assembly):
                raise NotImplementedError(f"pyNN.ranvier: a projection from or to an Assembly ({side}); valid: a "
                                          f"Population or PopulationView (one projection per population)")
        self._pre_pop = self.pre.grandparent if hasattr(self.pre, "grandparent") else self.pre
        self._post_pop = self.post.grandparent if hasattr(self.post, "grandparent") else self.post
        self._pre, self._post, self._w, self._d = [], [], [], []
        connector.connect(self)
        self._pre = np.concatenate(self._pre).astype(np.int64) if self._pre else np.empty(0, np.int64)
        self._post = np.concatenate(self._post).astype(np.int64) if self._post else np.empty(0, np.int64)
        self._w = np.concatenate(self._w) if self._w else np.empty(0)
        self._d = np.concatenate(self._d) if self._d else np.empty(0)
        self._check_delays(self._d)
        simulator.state.add_projection(self)

    def __len__(self):
        return self._pre.size

    @property
    def _name(self):
        return f"prj{self._index}"

    def _check_delays(self, delays):
        """Ranvier delivers a spike one step after it at the earliest: a delay below dt (or not finite) is an
        error, not raised to dt. (A delay of None is PyNN's min_delay, which setup() keeps >= dt.)"""
        dt = simulator.state.dt
        bad = np.flatnonzero(~np.isfinite(delays) | (delays < dt * (1.0 - 1e-9)))
        if bad.size:
            i = int(bad[0])
            label = self.label or f"{self.pre.label}→{self.post.label}"
            raise ranvier.ModelError(
                f"pyNN.ranvier: Projection {label!r}: delay {float(delays[i]):g} ms (connection {int(self._pre[i])}"
                f"→{int(self._post[i])}, {bad.size} of {delays.size} below dt or not finite); valid: a delay >= "
                f"dt = {dt:g} ms (the time step), or None (min_delay)")

    def _parent_index(self, view, indices):
        """Indices of a view's cells in its population."""
        indices = np.asarray(indices, dtype=np.int64)
        while hasattr(view, "parent"):
            indices = np.arange(view.parent.size)[view.mask][indices]
            view = view.parent
        return indices

    def _convergent_connect(self, presynaptic_indices, postsynaptic_index, **connection_parameters):
        pre = self._parent_index(self.pre, presynaptic_indices)
        post = self._parent_index(self.post, [postsynaptic_index])[0]
        n = pre.size
        if n == 0:
            return
        w = np.broadcast_to(np.asarray(connection_parameters.get("weight"), dtype=float), (n,))
        d = np.broadcast_to(np.asarray(connection_parameters.get("delay"), dtype=float), (n,))
        self._pre.append(pre)
        self._post.append(np.full(n, post, dtype=np.int64))
        self._w.append(np.array(w))
        self._d.append(np.array(d))

    # -- the Ranvier model --------------------------------------------------------
    def _plasticity(self):
        dt = simulator.state.dt
        return self.synapse_type.plasticity(np.maximum(np.floor(self._d / dt + 0.5 + 1e-9), 1.0) * dt)

    def _describe(self, model):
        dt = simulator.state.dt
        delays = np.maximum(self._d, dt)  # PyNN's min_delay may be below one step only by rounding
        pairs = np.column_stack([self._pre, self._post, self._w, delays]).tolist()
        for row in pairs:
            row[0], row[1] = int(row[0]), int(row[1])
        keys = dict(name=self._name, receptor=self.receptor_type, rule="list", pairs=pairs)
        plasticity = self._plasticity()
        if plasticity:
            keys["plasticity"] = plasticity
        model.project(self._pre_pop._name, self._post_pop._name, **keys)

    def _apply_initial_weights(self, sim):
        """A plastic projection's connections in Ranvier's order, matched to the pairs' order by (pre, post)."""
        self._order = None
        if not self._plastic():
            return
        pre, post = sim.connections(self._name)
        n = self._post_pop.size
        mine = np.argsort(self._pre * n + self._post, kind="stable")
        theirs = np.argsort(pre.astype(np.int64) * n + post.astype(np.int64), kind="stable")
        self._order = (mine, theirs)

    def _from_ranvier(self, w):
        mine, theirs = self._order
        out = np.empty_like(w)
        out[mine] = w[theirs]
        return out

    def _to_ranvier(self, w):
        mine, theirs = self._order
        out = np.empty_like(w)
        out[theirs] = w[mine]
        return out

    def _plastic(self):
        return self._plasticity() is not None

    # -- attributes -----------------------------------------------------------------
    def _values(self, name):
        if name in ("presynaptic_index", "postsynaptic_index"):
            return (self._pre if name == "presynaptic_index" else self._post).astype(float)
        if name == "weight":
            sim = simulator.state.sim
            if sim is not None and self._plastic():
                return self._from_ranvier(sim.weights(self._name))
            return self._w
        if name == "delay":  # as Ranvier rounds them: whole steps, halves up, at least one
            dt = simulator.state.dt
            return np.maximum(np.floor(self._d / dt + 0.5 + 1e-9), 1.0) * dt
        raise NotImplementedError(f"pyNN.ranvier: the attribute {name!r} of a projection; valid: weight, delay")

    def _get_attributes_as_list(self, names):
        cols = [self._values(n) for n in names]
        return list(zip(*cols))

    def _get_attributes_as_arrays(self, names, multiple_synapses="sum"):
        op = common.Projection.MULTI_SYNAPSE_OPERATIONS[multiple_synapses]
        out = []
        pre_size = self._pre_pop.size
        post_size = self._post_pop.size
        for name in names:
            if name.endswith("s") and name[:-1] in ("weight", "delay"):
                name = name[:-1]
            values = np.full((pre_size, post_size), np.nan)
            for i, j, x in zip(self._pre, self._post, self._values(name)):
                values[i, j] = x if np.isnan(values[i, j]) else op(values[i, j], x)
            out.append(values)
        return out

    def _set_attributes(self, parameter_space):
        parameter_space.evaluate(simplify=False, mask=(slice(None), slice(None)))
        for name, value in parameter_space.items():
            if name not in ("weight", "delay"):
                raise NotImplementedError(f"pyNN.ranvier: setting {name!r} of a projection; valid: weight, delay")
        sim = simulator.state.sim
        if sim is not None and "delay" in parameter_space.keys():  # refused before anything changes
            raise NotImplementedError("pyNN.ranvier: changing delays once the simulation has run; valid: set them "
                                      "before the first run() or after reset()")
        new = {}
        for name, value in parameter_space.items():
            value = np.asarray(value, dtype=float)
            per = value[self._pre, self._post] if value.ndim == 2 else np.broadcast_to(value, self._pre.shape)
            new[name] = np.array(per, dtype=float)
        if "delay" in new:
            self._check_delays(new["delay"])
        old_w = self._w
        if "weight" in new:
            self._w = new["weight"]
        if "delay" in new:
            self._d = new["delay"]
        if sim is None:
            return
        try:
            if self._plastic():
                sim.set_weights(self._name, self._to_ranvier(self._w))
            else:
                sim.update(simulator.state.model())
        except BaseException:
            self._w = old_w  # refused: the weights stay those the simulation runs
            raise
