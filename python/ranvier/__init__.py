"""Ranvier from Python: the model file's description as dicts and lists (or
the file itself), run on the CPU or CUDA engine in as many pieces as you
like, with the state read and set in between and results as NumPy arrays.

    import ranvier
    sim = ranvier.Simulation("examples/cobahh.toml", threads=2)
    sim.run(1000.0)                      # ms
    spikes = sim.spikes()                # {"time_ms", "population", "index"}
    v = sim.get("exc", "v")              # mV, one value per cell

A model is a dict shaped as the model file's tables (docs/model-file.md):
{"simulation": {...}, "cell": {"NAME": {...}}, "population": [{...}], ...};
the same reader and checker as the file's read it, so a wrong key or value
raises ModelError with the file's message, located by its key path.
Units are NEURON's: ms, mV, µS, nA, µm, Hz.
"""

from __future__ import annotations

import copy
import json
import math
import operator
import os
import pickle
import tomllib
from typing import Any, Iterable, Mapping

# Threads waiting at a step's end spin briefly, then sleep (as the CLI has
# them: host/main.cpp), unless the user chose. GNU OpenMP reads this when it
# is loaded, so before NumPy (which may load it) and the engine.
if "GOMP_SPINCOUNT" not in os.environ and "OMP_WAIT_POLICY" not in os.environ:
    os.environ["GOMP_SPINCOUNT"] = "10000"

import numpy as np  # noqa: E402

from . import _ranvier  # noqa: E402
from ._errors import (CudaError, Error, InternalError, ModelError, NumericalError, OutputError,  # noqa: E402
                      ResourceError)

__all__ = ["Model", "Simulation", "load", "cuda_available", "Error", "ModelError", "NumericalError",
           "ResourceError", "OutputError", "CudaError", "InternalError"]


def cuda_available() -> tuple[bool, str]:
    """Whether the CUDA engine can run here, and if not, why."""
    return _ranvier.cuda_available()


class Model:
    """A model description: the model file's tables as dicts and lists.

    Build one from a dict, load one from a file, or start empty and add to it;
    each method adds one table and returns the model, so calls chain:

        m = (ranvier.Model(dt=0.1, duration=1000.0)
             .cell("hh", area=20000.0, mechanism=[{"kind": "hh"}],
                   receptor=[{"name": "ampa", "tau": 5.0, "e": 0.0}])
             .population("exc", cell="hh", size=100)
             .project("exc", "exc", receptor="ampa", weight=0.006, delay=1.0,
                      rule="fixed_probability", probability=0.02)
             .record("exc", "spikes"))

    The methods only write tables; what a table may hold is the model file's
    (docs/model-file.md), checked when a Simulation is made.
    """

    def __init__(self, tables: Mapping[str, Any] | None = None, *, source: str = "<python>", **simulation: Any):
        self.tables: dict[str, Any] = copy.deepcopy(dict(tables)) if tables is not None else {}
        self.source = source
        self._text: str | None = None  # a file's text, read with its line numbers ...
        self._text_tables: dict[str, Any] | None = None  # ... while self.tables still equal what it holds
        if simulation:
            self.tables.setdefault("simulation", {}).update(simulation)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Model":
        """A model file (TOML). Errors in it name its lines."""
        path = os.fspath(path)
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except OSError as e:
            raise ModelError(f"cannot read model file {path}: {e.strerror}; valid: a readable TOML file") from None
        text = raw.decode("utf-8", errors="replace")
        try:
            tables = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            _ranvier.parse(text, path)  # raises ModelError with the line and column
            raise
        m = cls(tables, source=path)
        m._text = text
        m._text_tables = copy.deepcopy(m.tables)
        return m

    def copy(self) -> "Model":
        return Model(self.tables, source=self.source)

    # -- tables -------------------------------------------------------------
    def simulation(self, **keys: Any) -> "Model":
        """[simulation]: dt [ms], duration [ms], seed, precision, engine, mode, celsius [°C], ..."""
        self._edited()
        self.tables.setdefault("simulation", {}).update(keys)
        return self

    def cell(self, name: str, **keys: Any) -> "Model":
        """[cell.NAME]: a point neuron (area [µm²], mechanism, receptor, init), a cable cell
        (morphology, section, ...) or a neuron model (model = "lif", "izhikevich", "adex", "fhn")."""
        self._edited()
        self.tables.setdefault("cell", {})[name] = dict(keys)
        return self

    def population(self, name: str, **keys: Any) -> "Model":
        """[[population]]: cell = TYPE and size, or a spike source (kind = "poisson" with rate [Hz],
        kind = "spike_times" with spikes, ...)."""
        return self._append("population", dict(name=name, **keys))

    def project(self, pre: str, post: str, **keys: Any) -> "Model":
        """[[projection]] from population pre to post: receptor, rule ("all_to_all", "one_to_one",
        "fixed_probability" with probability, "fixed_indegree" with indegree, "fixed_total_number" with
        total, ...), weight [µS or nA], delay [ms], plasticity, ..."""
        return self._append("projection", dict(pre=pre, post=post, **keys))

    def gap_junction(self, **keys: Any) -> "Model":
        return self._append("gap_junction", keys)

    def stimulus(self, **keys: Any) -> "Model":
        """[[stimulus]]: population, cells, location, amp [nA], start [ms], stop [ms]."""
        return self._append("stimulus", keys)

    def record(self, population: str | None = None, variable: str = "spikes", **keys: Any) -> "Model":
        """[[record]]: "spikes", or a state ("v", "hh.m", "ampa.g", ...) sampled every `interval` ms;
        or a plastic projection's "weight" (projection = NAME)."""
        t = dict(keys)
        if population is not None:
            t["population"] = population
        t["variable"] = variable
        return self._append("record", t)

    def measure(self, **keys: Any) -> "Model":
        return self._append("measure", keys)

    def _append(self, table: str, keys: dict) -> "Model":
        self._edited()
        self.tables.setdefault(table, []).append(keys)
        return self

    def _edited(self) -> None:
        self._text = None  # no longer the file's text
        self._text_tables = None

    def _freeze(self) -> Any:
        """A copy of the tables (and the file's text while they are the file's) that _thaw puts back. Pickled:
        a list rule's pairs (PyNN's connections) pickle about ten times faster than deepcopy copies them."""
        text = self._text if self._text is not None and _same(self.tables, self._text_tables) else None
        try:
            return pickle.dumps((self.tables, self.source, text), pickle.HIGHEST_PROTOCOL)
        except Exception:  # a value pickle does not take (the checker took it): copied as it is
            return copy.deepcopy((self.tables, self.source, text))

    def _thaw(self, frozen: Any) -> None:
        """Puts a _freeze copy back, in place (so that references to this model see it)."""
        tables, self.source, self._text = pickle.loads(frozen) if isinstance(frozen, bytes) else copy.deepcopy(frozen)
        if isinstance(self.tables, dict):
            _restore(self.tables, tables)  # the same dicts and lists: a table the user holds is restored too
        else:
            self.tables = tables
        self._text_tables = copy.deepcopy(tables) if self._text is not None else None

    # -- reading --------------------------------------------------------------
    def network(self) -> "_ranvier.Network":
        """The description read and its form checked (ModelError otherwise)."""
        # The file's text gives messages its line numbers, but only while the tables are what it holds:
        # model.tables[...] = ... edits them directly.
        if self._text is not None and _same(self.tables, self._text_tables):
            return _ranvier.parse(self._text, self.source)
        return _ranvier.from_tables(_with_duration(self.tables), self.source)

    def __repr__(self) -> str:
        pops = [p.get("name", "?") for p in self.tables.get("population", []) if isinstance(p, Mapping)]
        return f"ranvier.Model({self.source}, populations {pops})"


def _with_duration(tables: Mapping[str, Any]) -> dict:
    """From Python, [simulation] duration may be left out: run() then says how long."""
    t = dict(tables)
    sim = t.get("simulation")
    if isinstance(sim, Mapping) and "duration" not in sim:
        sim = dict(sim)
        sim["duration"] = sim.get("dt", 0.025)
        t["simulation"] = sim
    return t


def _same(a: Any, b: Any) -> bool:
    """Whether two tables are equal; a comparison that cannot say (NumPy arrays) counts as a difference."""
    try:
        return bool(a == b)
    except Exception:
        return False


def _restore(cur: Any, old: Any) -> None:
    """Makes the dict or list `cur` equal to `old` in place: nested dicts and lists of the same kind are restored
    in place too, so that references into `cur` see the old values."""
    if isinstance(cur, dict):
        for k in [k for k in cur if k not in old]:
            del cur[k]
        for k, v in old.items():
            if k in cur and isinstance(cur[k], (dict, list)) and type(cur[k]) is type(v):
                _restore(cur[k], v)
            else:
                cur[k] = v
    elif len(cur) == len(old):
        for i, v in enumerate(old):
            if isinstance(cur[i], (dict, list)) and type(cur[i]) is type(v):
                _restore(cur[i], v)
            else:
                cur[i] = v
    else:
        cur[:] = old


def _duration_of(model: Model) -> float | None:
    sim = model.tables.get("simulation")
    if isinstance(sim, Mapping) and "duration" in sim:
        return float(sim["duration"])
    return None


def _integer(name: str, value: Any, lo: int, hi: int, valid: str, none: bool = False) -> int | None:
    """An integer argument in [lo, hi] (NumPy's integers too; not bool, not a float), else ModelError."""
    if value is None and none:
        return None
    try:
        if isinstance(value, bool):
            raise TypeError
        n = operator.index(value)
    except TypeError:
        raise ModelError(f"{name} {value!r} of type {type(value).__name__}; valid: {valid}") from None
    if not lo <= n <= hi:
        raise ModelError(f"{name} {n}; valid: {valid}")
    return n


def load(path: str | os.PathLike) -> Model:
    """Model.load(path)."""
    return Model.load(path)


def _as_model(model: Model | Mapping[str, Any] | str | os.PathLike) -> Model:
    if isinstance(model, Model):
        return model
    if isinstance(model, Mapping):
        return Model(model)
    if isinstance(model, (str, os.PathLike)):
        return Model.load(model)
    raise ModelError(f"model: a {type(model).__name__}; valid: a ranvier.Model, a dict of the model file's tables, "
                     f"or a model file's path")


class Simulation:
    """A model running on an engine, run in pieces.

    engine: "auto" (CUDA when a GPU is present), "cpu", "cuda", or None for
    the model's own; precision "single"/"double", mode "deterministic"/"fast"
    and seed override [simulation]; threads: the CPU engine's (0: all);
    progress: the CLI's progress line on stderr for pieces longer than a few
    seconds.
    """

    def __init__(self, model: Model | Mapping[str, Any] | str | os.PathLike, *, engine: str | None = None,
                 threads: int = 0, precision: str | None = None, mode: str | None = None, seed: int | None = None,
                 progress: bool = True):
        for name, value, valid in (("engine", engine, '"auto", "cpu", "cuda"'), ("precision", precision,
                                   '"single", "double"'), ("mode", mode, '"deterministic", "fast"')):
            if value is not None and not isinstance(value, str):
                raise ModelError(f"{name} {value!r} of type {type(value).__name__}; valid: {valid}, or None (the "
                                 f"model's)")
        seed = _integer("seed", seed, 0, 2**64 - 1, "an integer from 0 to 2^64 - 1, or None (the model's)",
                        none=True)
        threads = _integer("threads", threads, 0, 2**31 - 1, "an integer, 0 (all the machine's) or more")
        self.model = _as_model(model)
        net = self.model.network()
        self._s = _ranvier.Session(net, engine or "", precision or "", mode or "", seed, threads, bool(progress))
        self._accepted = self.model._freeze()  # the model the engine runs (update() restores it on failure)
        self._duration = _duration_of(self.model)
        self._populations = [name for name, _ in self._s.populations()]
        # [[record]] tables cannot change (update refuses it): the populations whose spikes are kept.
        self._spike_records = sorted({r["population"] for r in self.model.tables.get("record", [])
                                      if isinstance(r, Mapping) and r.get("variable") == "spikes"
                                      and isinstance(r.get("population"), str)})

    # -- running ------------------------------------------------------------
    def run(self, ms: float | None = None) -> "Simulation":
        """Runs ms further [ms] (None: to the model's duration, from where the run is). Ctrl-C stops it
        between chunks of steps, consistent, and raises KeyboardInterrupt; a numerical failure raises
        NumericalError saying when, where and what."""
        if ms is None:
            if self._duration is None:
                raise ModelError("run(): the model has no [simulation] duration; valid: run(ms), or a duration")
            # the model's duration in whole steps, rounded as the CLI rounds it
            ms = max(0, math.floor(self._duration / self.dt + 0.5 + 1e-9) - self.step) * self.dt
        else:
            ms = self._whole_steps(ms)
        self._s.run(ms)
        return self

    def _whole_steps(self, ms: Any) -> float:
        """ms as a float, refused (ModelError) unless it is a whole number of steps."""
        dt = self.dt
        try:
            if isinstance(ms, (str, bytes, bool)):
                raise TypeError
            ms = float(ms)
        except (TypeError, ValueError):
            raise ModelError(f"run: {ms!r} of type {type(ms).__name__}; valid: a time in ms, a multiple of dt = "
                             f"{dt:g} ms, or None (to the model's duration)") from None
        if math.isfinite(ms) and ms > 0.0:  # negative, inf and nan: the engine's message
            n = ms / dt
            k = round(n)
            # 0.3 / 0.1 is not exactly 3: within a billionth of a step (relative, for long runs) is whole.
            if abs(n - k) > max(1e-9, 1e-12 * k):
                lo, hi = math.floor(n) * dt, math.ceil(n) * dt
                raise ModelError(f"run: {ms!r} ms is not a whole number of steps; valid: a multiple of dt = {dt:g} "
                                 f"ms (e.g. {lo:.12g} or {hi:.12g} ms)")
        return ms

    @property
    def time(self) -> float:
        """Simulated time so far [ms]."""
        return self._s.time

    @property
    def step(self) -> int:
        return self._s.step

    @property
    def dt(self) -> float:
        return self._s.dt

    @property
    def engine(self) -> str:
        """The engine running, e.g. "cpu (2 threads, double, deterministic)"."""
        return self._s.engine

    @property
    def populations(self) -> list[str]:
        return list(self._populations)

    # -- state ---------------------------------------------------------------
    def get(self, population: str, variable: str = "v") -> np.ndarray:
        """A state of a population's cells (v [mV], "hh.m", "cai" [mM], "ampa.g" [µS], a neuron model's
        "w", ...): one value per cell, or cells × places on cable cells."""
        return self._s.get(population, variable)

    def set(self, population: str, variable: str, values: Any) -> None:
        """Sets a state: one value per cell (cells × places on cable cells, or one per cell for all its
        places), or one value for every cell. The rest of the state is kept bit for bit."""
        self._s.set(population, variable, np.asarray(values, dtype=float).ravel())

    def variables(self, population: str) -> list[str]:
        """The state names get() and set() take for a population."""
        return self._s.variables(population)

    def weights(self, projection: str) -> np.ndarray:
        """A plastic projection's weights now, by connection (connections() gives their cells)."""
        return self._s.weights(projection)

    def connections(self, projection: str) -> tuple[np.ndarray, np.ndarray]:
        """A plastic projection's (pre, post) cell indices, by connection."""
        return self._s.connections(projection)

    def set_weights(self, projection: str, weights: Any) -> None:
        self._s.set_weights(projection, np.asarray(weights, dtype=float).ravel())

    def state(self) -> dict[str, np.ndarray]:
        """Every state array of the engine ("TYPE.v", "PROJECTION.weight", "ring", ...), as the checkpoint
        and the engines' comparison see them."""
        return self._s.state()

    # -- parameters ------------------------------------------------------------
    def update(self, model: Model | Mapping[str, Any] | None = None) -> None:
        """Continues with a changed model (same cells and connections; new parameters: stimuli, rates,
        densities, static weights). Without an argument, self.model after you edited its tables; if the
        engine refuses it (ModelError), self.model is put back to the model the engine runs, edits and all
        undone. With a model that the engine refuses, nothing changes."""
        if model is None:
            try:
                self._apply(self.model)
            except BaseException:
                self.model._thaw(self._accepted)
                raise
            return
        new = _as_model(model)
        self._apply(new)
        self.model = new

    def _apply(self, model: Model) -> None:
        """The engine continues with model; only once it has taken it is it the accepted one."""
        self._s.update(model.network())
        self._accepted = model._freeze()
        self._duration = _duration_of(model)

    def _edit(self, entry: dict, keys: Mapping[str, Any]) -> None:
        """Changes keys of one table of self.model and continues; if the engine refuses the change, the table
        is put back as it was: self.model and the engine are as they were."""
        old = dict(entry)
        entry.update(keys)
        try:
            self._apply(self.model)
        except BaseException:
            entry.clear()
            entry.update(old)
            raise

    def set_stimulus(self, which: int, **keys: Any) -> None:
        """Changes the [[stimulus]] of index `which` (0 is the model's first), e.g. set_stimulus(0, amp=0.5),
        and continues. A change the engine refuses changes nothing."""
        stims = self.model.tables.get("stimulus", [])
        if not isinstance(stims, list):
            stims = []
        try:
            index = None if isinstance(which, bool) else operator.index(which)  # NumPy's integers too
        except TypeError:
            index = None
        if index is None or not 0 <= index < len(stims):
            valid = f"an index from 0 to {len(stims) - 1}" if stims else "none: the model has no [[stimulus]]"
            raise ModelError(f"set_stimulus: no stimulus {which!r}; valid: {valid}")
        if not isinstance(stims[index], dict):
            raise ModelError(f"set_stimulus: stimulus[{index}] of sim.model is of type {type(stims[index]).__name__}; "
                             f"valid: a table (dict)")
        self._edit(stims[index], keys)

    def set_rate(self, population: str, rate_hz: float) -> None:
        """Changes a Poisson population's rate [Hz] and continues. A rate the engine refuses changes nothing."""
        pops = [p for p in (self.model.tables.get("population", []) if isinstance(self.model.tables.get(
            "population", []), list) else []) if isinstance(p, dict)]
        poisson = [p.get("name") for p in pops if p.get("kind") == "poisson"]
        for p in pops:
            if p.get("name") == population:
                if p.get("kind") != "poisson":
                    raise ModelError(f"set_rate: population {population!r} is of kind {p.get('kind', 'cell')!r}, not "
                                     f"\"poisson\"; valid: {', '.join(poisson) or 'none: the model has no Poisson population'}")
                self._edit(p, {"rate": rate_hz})
                return
        raise ModelError(f"set_rate: no population {population!r}; valid: {', '.join(poisson) or 'none: the model has no Poisson population'}")

    # -- results ---------------------------------------------------------------
    def spikes(self, population: str | None = None) -> dict[str, np.ndarray]:
        """Recorded spikes ([[record]] variable = "spikes"), in time order: {"time_ms", "population"
        (names), "index"}; for one population {"time_ms", "index"}."""
        d = self._s.spikes()
        names = np.array(self._populations, dtype=object)
        if population is None:
            return {"time_ms": d["time_ms"], "population": names[d["population"]] if len(names) else
                    np.empty(0, dtype=object), "index": d["index"]}
        if population not in self._populations:
            raise ModelError(f"spikes: no population {population!r}; valid: {', '.join(self._populations)}")
        if population not in self._spike_records:
            raise ModelError(f"spikes: nothing records the spikes of {population!r}; valid: "
                             f"{', '.join(self._spike_records) or 'none'} (add a [[record]] of variable "
                             f"\"spikes\")")
        keep = d["population"] == self._populations.index(population)
        return {"time_ms": d["time_ms"][keep], "index": d["index"][keep]}

    def traces(self) -> list[dict[str, Any]]:
        """Every sampled [[record]]: {"population", "projection", "variable", "columns", "time_ms",
        "values" (samples × columns)}."""
        return self._s.traces()

    def trace(self, population: str, variable: str = "v") -> tuple[np.ndarray, np.ndarray]:
        """(time_ms, values: samples × columns) of the first record of this population and variable."""
        for t in self.traces():
            if t["population"] == population and t["variable"] == variable or t["projection"] == population and \
                    t["variable"] == variable:
                return t["time_ms"], t["values"]
        have = [f"{t['population'] or t['projection']}.{t['variable']}" for t in self.traces()]
        raise ModelError(f"trace: nothing records {population}.{variable}; valid: {', '.join(have) or 'none'} "
                         f"(add a [[record]])")

    def clear_recordings(self) -> None:
        """Drops the spikes and samples kept so far (a long run in pieces keeps memory flat)."""
        self._s.clear_recordings()

    def summary(self) -> dict[str, Any]:
        """The run so far, as the CLI's summary.json."""
        return json.loads(self._s.summary_json())

    def to_pandas(self):
        """Spikes as a pandas DataFrame (time_ms, population, index), and every trace as one
        (time_ms as the index, a column per recorded place): (spikes, {"POP.VAR": frame})."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_pandas needs pandas (Debian: python3-pandas)") from None
        spikes = pd.DataFrame(self.spikes())
        frames = {}
        for t in self.traces():
            key = f"{t['population'] or t['projection']}.{t['variable']}"
            while key in frames:
                key += "'"
            frames[key] = pd.DataFrame(t["values"], index=pd.Index(t["time_ms"], name="time_ms"),
                                       columns=t["columns"])
        return spikes, frames

    def __repr__(self) -> str:
        return f"ranvier.Simulation({self.model.source}, t = {self.time} ms, {self.engine})"
