"""Recording: each recorded variable of a population is one Ranvier
[[record]] of the recorded cells (spikes, or a state sampled every
sampling_interval); PyNN's Recorder makes the Neo blocks from them."""
import numpy as np
from pyNN import recording

from . import simulator


class Recorder(recording.Recorder):
    _simulator = simulator

    def _record(self, variable, new_ids, sampling_interval=None):
        if sampling_interval is not None:
            self.sampling_interval = sampling_interval
        if simulator.state.sim is not None:
            raise NotImplementedError("pyNN.ranvier: record() once the simulation has run; valid: record before "
                                      "the first run(), or after reset()")

    def _indices(self, variable):
        pop = self.population
        return sorted(int(pop.id_to_index(i)) for i in self.recorded[variable])

    def _describe(self, model):
        pop = self.population
        for variable in sorted(self.recorded):
            cells = self._indices(variable)
            if not cells:
                continue
            if variable == "spikes":
                model.record(pop._name, "spikes", cells=cells)
                continue
            native = pop.celltype.ranvier_state(variable)
            if native is None:
                raise NotImplementedError(f"pyNN.ranvier: recording {variable!r} of {pop.celltype.__class__.__name__}")
            model.record(pop._name, native, cells=cells, interval=self.sampling_interval)

    def _get_spiketimes(self, ids, clear=False):
        sim = simulator.state.sim
        pop = self.population
        if sim is None or not self.recorded.get("spikes"):  # nothing records them: no [[record]] to ask
            return np.empty(0, dtype=int), np.empty(0)
        s = sim.spikes(pop._name)
        index = s["index"].astype(int)
        keep = np.isin(index, [int(pop.id_to_index(i)) for i in ids])
        id_array = np.asarray(pop.all_cells, dtype=int)[index[keep]]
        return id_array, s["time_ms"][keep].copy()

    def _get_all_signals(self, variable, ids, clear=False):
        sim = simulator.state.sim
        pop = self.population
        if sim is None:
            return np.empty((0, len(ids))), None
        native = pop.celltype.ranvier_state(variable)
        for t in sim.traces():
            if t["population"] == pop._name and t["variable"] == native:
                columns = [int(c) for c in t["columns"]]
                where = [columns.index(int(pop.id_to_index(i))) for i in ids]
                return t["values"][:, where], None
        return np.empty((0, len(ids))), None

    def _local_count(self, variable, filter_ids=None):
        sim = simulator.state.sim
        pop = self.population
        ids = self.filter_recorded(variable, filter_ids)
        counts = {int(i): 0 for i in ids}
        if sim is None or not self.recorded.get("spikes"):
            return counts
        s = sim.spikes(pop._name)
        for index in s["index"]:
            gid = int(pop.all_cells[index])
            if gid in counts:
                counts[gid] += 1
        return counts

    def _clear_simulator(self):
        if simulator.state.sim is not None:
            simulator.state.sim.clear_recordings()

    def _reset(self):
        pass
