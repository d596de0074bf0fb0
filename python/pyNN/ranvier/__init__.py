"""pyNN.ranvier: PyNN's API on Ranvier.

    import pyNN.ranvier as sim        # instead of pyNN.neuron, pyNN.nest, ...
    sim.setup(timestep=0.1, threads=2, engine="cpu")

The network a script builds becomes one Ranvier model at the first run();
runs continue it (parameters, initial values and weights may change between
them), reset() starts it again. Standard cells: IF_curr_exp, IF_curr_alpha,
IF_cond_exp, IF_cond_alpha, EIF_cond_exp_isfa_ista, HH_cond_exp,
SpikeSourcePoisson, SpikeSourceArray; synapses: StaticSynapse, STDPMechanism
(SpikePairRule with Additive or Multiplicative weight dependence); DCSource;
every connector (PyNN draws the connections). setup() takes Ranvier's
engine ("auto", "cpu", "cuda"), threads, precision, mode and seed.
"""
import logging

from pyNN import common, core, space  # noqa: F401
from pyNN.parameters import Sequence  # noqa: F401
from pyNN.random import GSLRNG, NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.space import Space  # noqa: F401
from pyNN.common.control import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP
from pyNN.connectors import *  # noqa: F401,F403 (PyNN's connectors, which draw the connections)
from pyNN.recording import *  # noqa: F401,F403
from neo.io import get_io

from . import simulator
from .populations import Assembly, Population, PopulationView
from .projections import Projection
from .standardmodels import (EIF_cond_exp_isfa_ista, HH_cond_exp, IF_cond_alpha, IF_cond_exp, IF_curr_alpha,  # noqa: F401
                             IF_curr_exp, AdditiveWeightDependence, DCSource, MultiplicativeWeightDependence,
                             SpikePairRule, SpikeSourceArray, SpikeSourcePoisson, StaticSynapse, STDPMechanism)
from pyNN.standardmodels import StandardCellType

logger = logging.getLogger("PyNN")


def list_standard_models():
    """The StandardCellType classes pyNN.ranvier has."""
    return [obj.__name__ for obj in globals().values()
            if isinstance(obj, type) and issubclass(obj, StandardCellType) and obj is not StandardCellType]


def setup(timestep=DEFAULT_TIMESTEP, min_delay=DEFAULT_MIN_DELAY, **extra_params):
    """As PyNN's; extra: engine ("auto", "cpu", "cuda"), threads, precision ("single", "double"),
    mode ("deterministic", "fast"), seed (Ranvier's own streams; PyNN's connectors use PyNN's RNGs)."""
    max_delay = extra_params.get("max_delay", DEFAULT_MAX_DELAY)
    common.setup(timestep, min_delay, **extra_params)
    s = simulator.state
    s.clear()
    s.dt = timestep
    s.min_delay = min_delay
    s.max_delay = max_delay
    s.engine = extra_params.get("engine")
    s.threads = extra_params.get("threads", 0)  # checked by ranvier.Simulation (an integer >= 0, never truncated)
    s.precision = extra_params.get("precision")
    s.mode = extra_params.get("mode")
    s.seed = int(extra_params.get("seed", extra_params.get("rng_seed", 1)))
    return rank()


def end(compatible_output=True):
    """Writes what record(..., to_file) asked for."""
    for (population, variables, filename) in simulator.state.write_on_end:
        io = get_io(filename)
        population.write_data(io, variables)
    simulator.state.write_on_end = []


run, run_until = common.build_run(simulator)
run_for = run
reset = common.build_reset(simulator)
initialize = common.initialize
get_current_time, get_time_step, get_min_delay, get_max_delay, num_processes, rank = \
    common.build_state_queries(simulator)
create = common.build_create(Population)
connect = common.build_connect(Projection, FixedProbabilityConnector, StaticSynapse)  # noqa: F405
record = common.build_record(simulator)


def record_v(source, filename):
    return record(["v"], source, filename)


def record_gsyn(source, filename):
    return record(["gsyn_exc", "gsyn_inh"], source, filename)
