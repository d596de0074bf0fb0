"""One standard cell of PyNN driven by a DC current and by input spikes
through its excitatory and inhibitory synapses; prints its spike times (and
optionally its v) as JSON. Run with a backend's name (ranvier, neuron) so
that test_pynn.py can compare the backends on the same script."""
import importlib
import json
import sys

import numpy as np

backend, celltype = sys.argv[1], sys.argv[2]
dt = float(sys.argv[3]) if len(sys.argv) > 3 else 0.025
sim = importlib.import_module(f"pyNN.{backend}")
sim.setup(timestep=dt, min_delay=dt)

# Drive (nA) and input weights (µS or nA) that make each model fire a few
# times over 400 ms, and inhibition that delays some of its spikes.
cases = {
    "IF_curr_exp": (dict(i_offset=0.9, tau_refrac=2.0), 1.5, -1.0),
    "IF_curr_alpha": (dict(i_offset=0.9, tau_refrac=2.0, tau_syn_E=2.0, tau_syn_I=4.0), 1.0, -0.8),
    "IF_cond_exp": (dict(i_offset=0.9, tau_refrac=2.0), 0.02, 0.03),
    "IF_cond_alpha": (dict(i_offset=0.9, tau_refrac=2.0, tau_syn_E=2.0, tau_syn_I=4.0), 0.015, 0.02),
    "EIF_cond_exp_isfa_ista": (dict(i_offset=0.8), 0.02, 0.03),
    "HH_cond_exp": (dict(i_offset=0.3), 0.05, 0.1),
}
params, w_exc, w_inh = cases[celltype]
cell = sim.Population(1, getattr(sim, celltype)(**params))
cell.initialize(v=-65.0)
exc_times = [30.0, 31.0, 32.0, 150.0, 151.5, 153.0, 300.0]
inh_times = [80.0, 81.0, 82.0, 83.0, 220.0, 221.0, 222.0]
exc = sim.Population(1, sim.SpikeSourceArray(spike_times=exc_times))
inh = sim.Population(1, sim.SpikeSourceArray(spike_times=inh_times))
sim.Projection(exc, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=w_exc, delay=1.0), receptor_type="excitatory")
sim.Projection(inh, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=w_inh, delay=1.0), receptor_type="inhibitory")
cell.record(["spikes", "v"])
sim.run(400.0)
seg = cell.get_data().segments[0]
v = seg.filter(name="v")[0]
print(json.dumps({"spikes": [float(t) for t in seg.spiketrains[0].magnitude],
                  "v": [float(x) for x in np.asarray(v.magnitude)[::int(round(1.0 / dt)), 0]]}))
sim.end()
