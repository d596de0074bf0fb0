"""PyNN's STDP on one cell: 20 inputs with fixed spike trains onto an
IF_curr_exp cell through an additive (or multiplicative) STDPMechanism;
prints the final weights by input as JSON, for test_pynn.py to compare the
backends."""
import importlib
import json
import sys

import numpy as np

backend, dependence = sys.argv[1], sys.argv[2]
# nA: 2 lets the inputs drive the cell (its spikes then depend on the weights); 0.002 leaves its spikes to its
# own current, so that both backends see the same pairs and must give the same weights.
W_MAX = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
sim = importlib.import_module(f"pyNN.{backend}")
dt = 0.025
sim.setup(timestep=dt, min_delay=dt)
n = 20
rng = np.random.default_rng(7)
# Each input fires about 15 times at fixed, irregular times (ms), on the grid.
trains = [np.round(np.sort(rng.uniform(5.0, 995.0, 15)) / dt) * dt for _ in range(n)]
inputs = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in trains]))
post = sim.Population(1, sim.IF_curr_exp(i_offset=0.5 if W_MAX >= 1.0 else 0.9, tau_refrac=2.0))  # nA
w_dep = {"additive": sim.AdditiveWeightDependence, "multiplicative": sim.MultiplicativeWeightDependence}[dependence]
stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.02, A_minus=0.021),
                         weight_dependence=w_dep(w_min=0.0, w_max=W_MAX), weight=W_MAX / 2, delay=1.0,
                         dendritic_delay_fraction=1.0)
prj = sim.Projection(inputs, post, sim.AllToAllConnector(), stdp, receptor_type="excitatory")
post.record("spikes")
sim.run(1000.0)
w = np.asarray(prj.get("weight", format="list", with_address=True))
order = np.argsort(w[:, 0])
print(json.dumps({"weights": [float(x) for x in w[order, 2]],
                  "spikes": [float(t) for t in post.get_data("spikes").segments[0].spiketrains[0].magnitude]}))
sim.end()
