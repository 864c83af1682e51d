"""The network scenario: a data set, an MLP, epochs, minibatches and optimizer runs, validated.

JSON form (the CLI's `train` input and the Python API's):

    {"dataset": {"name": "moons", "size": 500, "noise": 0.2, "seed": 0, "validation": 0.2},
     "model": {"hidden": [16, 16], "activation": "tanh", "seed": 0},
     "epochs": 200, "minibatch": {"batch_size": 32, "shuffle": true, "seed": 0},
     "runs": [{"optimizer": "adam", "flavour": "keras", "hparams": {"learning_rate": 0.01}}]}

Flat URL form (the Network page's links), values equal to their defaults left out:

    dataset=moons&size=500&noise=0.2&validation=0.2&hidden=16,16&epochs=200&batch=32
    &r0.optimizer=adam&r0.learning_rate=0.01

Runs are the 2D scenario's `Run`s (optimizer, flavour, hyperparameters, schedule, label),
validated by the same code, so their errors read the same; a run has no start point here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import network
from descent.errors import ScenarioError
from descent.scenario import (
    _RUN_KEY,
    Run,
    Scenario,
    _boolean,
    _choice,
    _expect_object,
    _integer,
    _number,
    _run_from_json,
    _show,
    _text,
)

MAX_NETWORK_RUNS = 8
MAX_EPOCHS = 2000
SIZE_RANGE = (20, 5000)
NOISE_RANGE = (0.0, 1.0)
VALIDATION_RANGE = (0.0, 0.5)
HIDDEN_LAYERS = (1, 3)
HIDDEN_UNITS = (2, 32)
MAX_SEED = 2**31 - 1
# One training's work is bounded, so that no scene holds a server's cores for long: the updates
# of a run (the 2D page's MAX_STEPS) and the examples passed through the model, training and
# evaluation (epochs × data set size). The heaviest scene within both (8 runs of a 32-32-32
# network, 5000 examples in batches of 8 for 200 epochs) trains in about 8 s on 2 cores;
# `python -m descent bench-network` prints it.
MAX_UPDATES = 100_000
MAX_EXAMPLE_EPOCHS = 1_000_000


def _float_in(value, where: str, low: float, high: float) -> float:
    allowed = f"a number in [{low:g}, {high:g}]"
    number = _number(value, where, allowed)
    if not low <= number <= high:
        raise ScenarioError(where, f"must be {allowed}, got {_show(value)}")
    return number


@dataclass(frozen=True)
class DataConfig:
    name: str = "moons"
    size: int = 500
    noise: float = 0.2
    seed: int = 0
    validation: float = 0.2

    def __post_init__(self):
        _choice(self.name, "name", [d.id for d in network.DATASETS], "data set")
        object.__setattr__(self, "size", _integer(self.size, "size", *SIZE_RANGE))
        object.__setattr__(self, "noise", _float_in(self.noise, "noise", *NOISE_RANGE))
        object.__setattr__(self, "seed", _integer(self.seed, "seed", 0, MAX_SEED))
        object.__setattr__(self, "validation", _float_in(self.validation, "validation", *VALIDATION_RANGE))

    def make(self) -> network.Dataset:
        return network.make_dataset(self.name, self.size, self.noise, self.seed, self.validation)


@dataclass(frozen=True)
class ModelConfig:
    hidden: tuple[int, ...] = (16, 16)
    activation: str = "tanh"
    seed: int = 0

    def __post_init__(self):
        hidden = self.hidden
        low, high = HIDDEN_LAYERS
        if isinstance(hidden, (str, bytes)) or not hasattr(hidden, "__len__") or not low <= len(hidden) <= high:
            raise ScenarioError("hidden", f"must be a list of {low} to {high} layer widths, got {_show(hidden)}")
        widths = tuple(_integer(w, f"hidden[{i}]", *HIDDEN_UNITS) for i, w in enumerate(hidden))
        object.__setattr__(self, "hidden", widths)
        _choice(self.activation, "activation", list(network.ACTIVATIONS), "activation")
        object.__setattr__(self, "seed", _integer(self.seed, "seed", 0, MAX_SEED))

    @property
    def mlp(self) -> network.MLP:
        return network.MLP(self.hidden, self.activation)


@dataclass(frozen=True)
class Minibatch:
    """Batches taken in order through a permutation drawn per epoch from `seed` (the data's
    order when `shuffle` is off), the same for every run; the last partial batch included."""

    batch_size: int = 32
    shuffle: bool = True
    seed: int = 0

    def __post_init__(self):
        object.__setattr__(self, "batch_size", _integer(self.batch_size, "batch_size", 1, SIZE_RANGE[1]))
        object.__setattr__(self, "shuffle", _boolean(self.shuffle, "shuffle"))
        object.__setattr__(self, "seed", _integer(self.seed, "seed", 0, MAX_SEED))


@dataclass(frozen=True)
class NetworkScenario:
    runs: tuple[Run, ...]
    dataset: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    epochs: int = 200
    minibatch: Minibatch = field(default_factory=Minibatch)

    def __post_init__(self):
        object.__setattr__(self, "epochs", _integer(self.epochs, "epochs", 1, MAX_EPOCHS))
        for name, kind in (("dataset", DataConfig), ("model", ModelConfig), ("minibatch", Minibatch)):
            if not isinstance(getattr(self, name), kind):
                raise ScenarioError(name, f"must be a {kind.__name__}")
        runs = tuple(self.runs)
        if not 1 <= len(runs) <= MAX_NETWORK_RUNS:
            raise ScenarioError("runs", f"must hold 1 to {MAX_NETWORK_RUNS} runs, got {len(runs)}")
        for i, run in enumerate(runs):
            if not isinstance(run, Run):
                raise ScenarioError("runs", "must be a list of Run")
            if run.start is not None:
                raise ScenarioError(f"runs[{i}].start", "a network run starts from the model's initial weights; no start point")
        object.__setattr__(self, "runs", runs)
        updates, per_epoch = self.epochs * self.steps_per_epoch, self.steps_per_epoch
        if updates > MAX_UPDATES:
            raise ScenarioError("epochs", f"{self.epochs} epochs of {per_epoch} updates (⌈{self.n_train} training examples "
                                          f"/ batch size {self.batch_size}⌉) make {updates:,} updates per run; at most "
                                          f"{MAX_UPDATES:,}: fewer epochs or a larger batch")  # fmt: skip
        passes = self.epochs * self.dataset.size
        if passes > MAX_EXAMPLE_EPOCHS:
            raise ScenarioError("epochs", f"{self.epochs} epochs over {self.dataset.size} examples make {passes:,} "
                                          f"example passes; at most {MAX_EXAMPLE_EPOCHS:,}: fewer epochs or fewer examples")  # fmt: skip

    @property
    def n_train(self) -> int:
        return self.dataset.size - int(round(self.dataset.size * self.dataset.validation))

    @property
    def batch_size(self) -> int:
        """The batch size in effect: at most the training set (then full-batch descent)."""
        return min(self.minibatch.batch_size, self.n_train)

    @property
    def steps_per_epoch(self) -> int:
        return -(-self.n_train // self.batch_size)

    def replace(self, **changes) -> "NetworkScenario":
        return replace(self, **changes)

    # -- JSON ---------------------------------------------------------------------------------

    def to_json(self) -> dict:
        d, m, b = self.dataset, self.model, self.minibatch
        return {
            "dataset": {"name": d.name, "size": d.size, "noise": d.noise, "seed": d.seed, "validation": d.validation},
            "model": {"hidden": list(m.hidden), "activation": m.activation, "seed": m.seed},
            "epochs": self.epochs,
            "minibatch": {"batch_size": b.batch_size, "shuffle": b.shuffle, "seed": b.seed},
            "runs": [run.to_json() for run in self.runs],  # a network run has no start
        }

    @classmethod
    def from_json(cls, data) -> "NetworkScenario":
        """From the JSON form; ScenarioError naming the bad field, e.g. `dataset.size: ...`."""
        if not isinstance(data, dict):
            raise ScenarioError("scenario", f"must be a JSON object with dataset, model and runs, got {_show(data)}")
        _expect_object(data, "", ("dataset", "model", "epochs", "minibatch", "runs"))
        if "runs" not in data:
            raise ScenarioError("runs", "required (a list of optimizer runs)")
        parts = {}
        for name, kind, keys in (
            ("dataset", DataConfig, ("name", "size", "noise", "seed", "validation")),
            ("model", ModelConfig, ("hidden", "activation", "seed")),
            ("minibatch", Minibatch, ("batch_size", "shuffle", "seed")),
        ):
            value = data.get(name) or {}
            if name == "dataset" and isinstance(value, str):
                value = {"name": value}
            _expect_object(value, name, keys)
            try:
                parts[name] = kind(**value)
            except ScenarioError as e:
                raise e.within(name) from None
        runs_data = data["runs"]
        if not isinstance(runs_data, list):
            raise ScenarioError("runs", "must be a list of runs")
        runs = []
        for i, run_data in enumerate(runs_data):
            try:
                runs.append(_run_from_json(run_data))
            except ScenarioError as e:
                raise e.within(f"runs[{i}]") from None
        return cls(runs=tuple(runs), epochs=data.get("epochs", 200), **parts)

    # -- URL query parameters -----------------------------------------------------------------

    def to_query(self) -> dict[str, str]:
        d, m, b = self.dataset, self.model, self.minibatch
        q: dict[str, str] = {"dataset": d.name}
        defaults = (DataConfig(), ModelConfig(), Minibatch())
        for key, value, default in (
            ("size", d.size, defaults[0].size),
            ("noise", d.noise, defaults[0].noise),
            ("data_seed", d.seed, defaults[0].seed),
            ("validation", d.validation, defaults[0].validation),
            ("activation", m.activation, defaults[1].activation),
            ("model_seed", m.seed, defaults[1].seed),
            ("epochs", self.epochs, 200),
            ("batch", b.batch_size, defaults[2].batch_size),
            ("shuffle", b.shuffle, defaults[2].shuffle),
            ("batch_seed", b.seed, defaults[2].seed),
        ):
            if value != default:
                q[key] = value if isinstance(value, str) else _text(value)
        if m.hidden != defaults[1].hidden:
            q["hidden"] = ",".join(str(w) for w in m.hidden)
        return {**q, **_runs_to_query(self.runs)}

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> "NetworkScenario":
        """From flat query parameters; ScenarioError naming the bad parameter. Keys outside
        the scenario's namespace are ignored."""

        def pick(fields: dict, kind, where_of: dict):
            given = {name: query[key] for key, name in fields.items() if key in query}
            try:
                return kind(**given)
            except ScenarioError as e:
                raise ScenarioError(where_of.get(e.field.split("[")[0], e.field), e.message) from None

        data_keys = {"dataset": "name", "size": "size", "noise": "noise", "data_seed": "seed", "validation": "validation"}
        dataset = pick(data_keys, DataConfig, {v: k for k, v in data_keys.items()})
        model_keys = {"activation": "activation", "model_seed": "seed"}
        given = {name: query[key] for key, name in model_keys.items() if key in query}
        if "hidden" in query:
            given["hidden"] = [w for w in str(query["hidden"]).split(",")]
        try:
            model = ModelConfig(**given)
        except ScenarioError as e:
            raise ScenarioError({"seed": "model_seed"}.get(e.field, "hidden" if e.field.startswith("hidden") else e.field), e.message) from None
        batch_keys = {"batch": "batch_size", "shuffle": "shuffle", "batch_seed": "seed"}
        minibatch = pick(batch_keys, Minibatch, {v: k for k, v in batch_keys.items()})
        runs = _runs_from_query(query)
        return cls(runs=runs, dataset=dataset, model=model, epochs=query.get("epochs", 200), minibatch=minibatch)


# A network's runs have the 2D scenario's query keys (r0.optimizer, r0.learning_rate,
# r0.schedule.decay_steps, ...): they are written and read by the 2D scenario's own code, through
# a scene of these runs on a plain landscape, so that the two pages' links and errors agree.
_RUNS_LANDSCAPE = "quadratic"


def _runs_to_query(runs: tuple[Run, ...]) -> dict[str, str]:
    return {k: v for k, v in Scenario(_RUNS_LANDSCAPE, runs).to_query().items() if _RUN_KEY.match(k)}


def _runs_from_query(query: Mapping[str, str]) -> tuple[Run, ...]:
    fields = {k: v for k, v in query.items() if _RUN_KEY.match(k)}
    if not fields:
        return ()  # NetworkScenario says how many runs it needs
    for key in fields:
        if _RUN_KEY.match(key).group(2) == "start":
            raise ScenarioError(key, "a network run starts from the model's initial weights; no start point")
    return Scenario.from_query({"landscape": _RUNS_LANDSCAPE, **fields}).runs


def as_network_scenario(scenario) -> NetworkScenario:
    if isinstance(scenario, NetworkScenario):
        return scenario
    if isinstance(scenario, Mapping):
        return NetworkScenario.from_json(dict(scenario))
    raise ScenarioError("", f"expected a NetworkScenario or its JSON dict, got {type(scenario).__name__}")
