"""PyNN's standard cell types, synapses and current sources as Ranvier
tables. Parameters keep PyNN's names and units (which are NEURON's: mV, ms,
nF, nA, µS); each cell type writes its population's cell type, population
and drive into the Ranvier model (describe_ranvier) and names its states
(ranvier_state)."""
import numpy as np
from pyNN.standardmodels import build_translations, cells, electrodes, synapses

from . import simulator

# PyNN's receptor types onto Ranvier's receptors of a cell type.
RECEPTORS = ("excitatory", "inhibitory")


def _same(defaults):
    return build_translations(*[(n, n) for n in defaults])


class _Cell:
    """A neuron model cell type: Ranvier's model, its parameters, its
    receptors ("excitatory", "inhibitory") and PyNN's states."""
    states = {"v": "v"}                     # PyNN state -> Ranvier state
    offset_parameter = "i_e"                # the model's constant current [nA]; None: a stimulus
    receptor_kind = "expsyn"                # Ranvier receptor kind of both receptor types
    gsyn = {"gsyn_exc": "excitatory.g", "gsyn_inh": "inhibitory.g"}

    @classmethod
    def ranvier_state(cls, variable):
        return cls.states.get(variable) or cls.gsyn.get(variable)

    def receptors(self, u):
        out = []
        for r, suffix in zip(RECEPTORS, ("E", "I")):
            rec = {"name": r, "kind": self.receptor_kind, "tau": u(f"tau_syn_{suffix}")}
            if self.receptor_kind in ("expsyn", "alphasyn"):
                rec["e"] = u(f"e_rev_{suffix}")
            out.append(rec)
        return out

    @staticmethod
    def offset_current(pop, model, own_parameter):
        """i_offset [nA]: one value for all as the model's own constant current (own_parameter: its name, or
        None for a point neuron of channels), else a [[stimulus]] with each cell's amplitude."""
        i = np.asarray(pop._parameters["i_offset"], dtype=float)
        if np.all(i == i[0]):
            if own_parameter:
                return {own_parameter: float(i[0])}
            if i[0] != 0.0:
                model.stimulus(population=pop._name, amp=float(i[0]))
            return {}
        model.stimulus(population=pop._name, cells=list(range(pop.size)), amp=[float(x) for x in i])
        return {own_parameter: 0.0} if own_parameter else {}

    def describe_ranvier(self, pop, model):
        u = pop._uniform
        keys = dict(self.ranvier_cell(u), receptor=self.receptors(u))
        keys.update(self.offset_current(pop, model, self.offset_parameter))
        # One initial value for every cell goes into the model (HH gates then start at their steady state for
        # it, as NEURON's finitialize sets them); per-cell values are set before the first step.
        init = {self.ranvier_state(var): float(vals[0]) for var, vals in pop._initial.items()
                if self.ranvier_state(var) and np.all(vals == vals[0]) and np.isfinite(vals[0])}
        if init:
            keys["init"] = init
        model.cell(pop._name, **keys)
        model.population(pop._name, cell=pop._name, size=pop.size)


class _LIF(_Cell):
    def ranvier_cell(self, u):
        return dict(model="lif", cm=u("cm"), tau_m=u("tau_m"), e_l=u("v_rest"), v_th=u("v_thresh"),
                    v_reset=u("v_reset"), t_ref=u("tau_refrac"))


class IF_curr_exp(_LIF, cells.IF_curr_exp):
    __doc__ = cells.IF_curr_exp.__doc__
    translations = _same(cells.IF_curr_exp.default_parameters)
    receptor_kind = "exp_current"
    gsyn = {"isyn_exc": "excitatory.I", "isyn_inh": "inhibitory.I"}


class IF_curr_alpha(_LIF, cells.IF_curr_alpha):
    __doc__ = cells.IF_curr_alpha.__doc__
    translations = _same(cells.IF_curr_alpha.default_parameters)
    receptor_kind = "alpha_current"
    gsyn = {"isyn_exc": "excitatory.I", "isyn_inh": "inhibitory.I"}


class IF_cond_exp(_LIF, cells.IF_cond_exp):
    __doc__ = cells.IF_cond_exp.__doc__
    translations = _same(cells.IF_cond_exp.default_parameters)


class IF_cond_alpha(_LIF, cells.IF_cond_alpha):
    __doc__ = cells.IF_cond_alpha.__doc__
    translations = _same(cells.IF_cond_alpha.default_parameters)
    receptor_kind = "alphasyn"


class EIF_cond_exp_isfa_ista(_Cell, cells.EIF_cond_exp_isfa_ista):
    __doc__ = cells.EIF_cond_exp_isfa_ista.__doc__
    translations = _same(cells.EIF_cond_exp_isfa_ista.default_parameters)
    states = {"v": "v", "w": "w"}

    def ranvier_cell(self, u):
        return dict(model="adex", cm=u("cm"), g_l=u("cm") / u("tau_m"), e_l=u("v_rest"), v_t=u("v_thresh"),
                    delta_t=u("delta_T"), v_peak=u("v_spike"), v_reset=u("v_reset"), a=u("a") * 1e-3,  # nS -> µS
                    b=u("b"), tau_w=u("tau_w"), t_ref=u("tau_refrac"))


class HH_cond_exp(_Cell, cells.HH_cond_exp):
    """PyNN's HH_cond_exp (Traub & Miles's channels, as NEURON's hh_traub): a
    point neuron of Ranvier's traub_miles and leak on an area of 20000 µm²,
    the conductances [µS] and capacitance [nF] as densities on it."""
    translations = _same(cells.HH_cond_exp.default_parameters)
    states = {"v": "v", "m": "traub_miles.m", "h": "traub_miles.h", "n": "traub_miles.n"}
    offset_parameter = None
    AREA = 20000.0  # µm² = 2e-4 cm²

    def ranvier_cell(self, u):
        cm2 = self.AREA * 1e-8
        return dict(area=self.AREA, cm=u("cm") * 1e-3 / cm2, threshold=10.0,  # nF -> µF/cm²; mV, NEURON's PyNN's
                    mechanism=[dict(kind="traub_miles", gnabar=u("gbar_Na") * 1e-6 / cm2,  # µS -> S/cm²
                                    gkbar=u("gbar_K") * 1e-6 / cm2, ena=u("e_rev_Na"), ek=u("e_rev_K"),
                                    vt=u("v_offset")),
                               dict(kind="leak", g=u("g_leak") * 1e-6 / cm2, e=u("e_rev_leak"))])

    def describe_ranvier(self, pop, model):
        # PyNN's default initial gates (m = 0, h = 1, n = 0) are not what its NEURON and NEST backends start from:
        # NEURON's hh_traub.mod sets m = h = n = 0 "for compatibility with NEST". Ranvier starts there too unless
        # the script initialises the gates to other values.
        defaults = self.default_initial_values
        for g in ("m", "h", "n"):
            vals = pop._initial.get(g)
            if vals is not None and np.all(vals == defaults[g]):
                pop._initial[g] = np.zeros_like(vals)
        super().describe_ranvier(pop, model)


class _Source:
    """A spike source: no state to set or record but its spikes."""

    @staticmethod
    def ranvier_state(variable):
        return None


class SpikeSourcePoisson(_Source, cells.SpikeSourcePoisson):
    __doc__ = cells.SpikeSourcePoisson.__doc__
    translations = _same(cells.SpikeSourcePoisson.default_parameters)

    def describe_ranvier(self, pop, model):
        u = pop._uniform
        start, duration = u("start"), u("duration")
        keys = dict(kind="poisson", size=pop.size, rate=u("rate"), start=start)
        if np.isfinite(duration):
            keys["stop"] = start + duration
        model.population(pop._name, **keys)


class SpikeSourceArray(_Source, cells.SpikeSourceArray):
    __doc__ = cells.SpikeSourceArray.__doc__
    translations = _same(cells.SpikeSourceArray.default_parameters)

    def describe_ranvier(self, pop, model):
        spikes = []
        for i, seq in enumerate(pop._parameters["spike_times"]):
            times = np.asarray(seq.value if hasattr(seq, "value") else seq, dtype=float)
            spikes.extend([float(t), i] for t in times)
        model.population(pop._name, kind="spike_times", size=pop.size, spikes=spikes)


class StaticSynapse(synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = _same(["weight", "delay"])

    def _get_minimum_delay(self):
        return simulator.state.min_delay if simulator.state.min_delay != "auto" else simulator.state.dt

    def plasticity(self, delays=None):
        return None


class STDPMechanism(synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__
    base_translations = _same(["weight", "delay", "dendritic_delay_fraction"])

    def _get_minimum_delay(self):
        return simulator.state.min_delay if simulator.state.min_delay != "auto" else simulator.state.dt

    def plasticity(self, delays):
        """The Ranvier [projection.plasticity] table (PyNN's A_plus and A_minus scale with the bounds, as in
        NEURON's StdwaSA and StdwaSoft). PyNN's dendritic_delay_fraction f puts f of each delay after the
        synapse: a pair is then timed as t_post − t_pre + (2f − 1)·delay; Ranvier times it at the synapse as
        t_post + post_delay − (t_pre + delay), the same with post_delay = 2f·delay."""
        t, w = self.timing_dependence, self.weight_dependence
        if not isinstance(t, SpikePairRule):
            raise NotImplementedError(f"pyNN.ranvier: the timing dependence {type(t).__name__}; valid: SpikePairRule")
        def values(model):  # one value each (a LazyArray's base value)
            return {k: float(np.ravel(getattr(v, "base_value", v))[0]) for k, v in model.parameter_space.items()}

        tp, wp = values(t), values(w)
        w_min, w_max = wp["w_min"], wp["w_max"]
        a_plus, a_minus = tp["A_plus"], tp["A_minus"]
        if isinstance(w, AdditiveWeightDependence):
            update, scale = "additive", w_max
        elif isinstance(w, MultiplicativeWeightDependence):
            update, scale = "multiplicative", w_max - w_min
        else:
            raise NotImplementedError(f"pyNN.ranvier: the weight dependence {type(w).__name__}; valid: "
                                      f"AdditiveWeightDependence, MultiplicativeWeightDependence")
        f = float(self.dendritic_delay_fraction)
        post_delay = 0.0
        if f > 0 and len(delays):
            if np.ptp(delays) > 0:
                raise NotImplementedError(
                    f"pyNN.ranvier: STDP with dendritic_delay_fraction = {f} and delays that differ between "
                    f"connections (Ranvier times pairs with one dendritic delay per projection); valid: one delay "
                    f"for the projection, or dendritic_delay_fraction = 0")
            post_delay = 2.0 * f * float(delays[0])
        return dict(rule="stdp", tau_plus=tp["tau_plus"], tau_minus=tp["tau_minus"],
                    a_plus=a_plus * scale, a_minus=a_minus * scale, w_min=w_min, w_max=w_max, update=update,
                    pairing="all_to_all", post_delay=post_delay)


class SpikePairRule(synapses.SpikePairRule):
    __doc__ = synapses.SpikePairRule.__doc__
    translations = _same(synapses.SpikePairRule.default_parameters)


class AdditiveWeightDependence(synapses.AdditiveWeightDependence):
    __doc__ = synapses.AdditiveWeightDependence.__doc__
    translations = _same(synapses.AdditiveWeightDependence.default_parameters)


class MultiplicativeWeightDependence(synapses.MultiplicativeWeightDependence):
    __doc__ = synapses.MultiplicativeWeightDependence.__doc__
    translations = _same(synapses.MultiplicativeWeightDependence.default_parameters)


class DCSource(electrodes.DCSource):
    """A constant current [nA] from start to stop [ms] into the cells it is injected into."""
    __doc__ = electrodes.DCSource.__doc__
    translations = _same(["amplitude", "start", "stop"])
    _simulator = simulator

    def inject_into(self, cells):
        object.__setattr__(self, "_cells", list(cells))
        simulator.state.add_current_source(self)

    def _describe(self, model):
        p = self.parameter_space
        p.evaluate(simplify=True)
        by_pop = {}
        for c in self._cells:
            by_pop.setdefault(c.parent, []).append(c.parent.id_to_index(c))
        for pop, idx in by_pop.items():
            keys = dict(population=pop._name, cells=[int(i) for i in idx], amp=float(p["amplitude"]),
                        start=float(p["start"]))
            if np.isfinite(float(p["stop"])) and float(p["stop"]) > 0:
                keys["stop"] = float(p["stop"])
            model.stimulus(**keys)

    def set_native_parameters(self, parameters):
        parameters.evaluate(simplify=True)
        self.parameter_space.update(**{k: v for k, v in parameters.items()})
        if simulator.state.sim is not None:  # running: continue with the new current
            simulator.state.sim.update(simulator.state.model())

    def get_native_parameters(self):
        return self.parameter_space
