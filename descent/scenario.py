"""The Scenario: everything that defines a scene, immutable and validated on construction.

A scenario is made of runs (Run: an optimizer, its flavour, the hyperparameters given, a
schedule), a landscape (an id with parameters, a typed formula or a data set and a model), a
start, a number of steps and the gradient noise (Noise, or true minibatches on a data landscape).
Hyperparameters and schedule parameters keep only what was given; the engine fills in each
flavour's defaults, so switching a run's flavour switches its defaults too.

Its two external forms, which both round-trip exactly, are in their own modules: JSON
(descent.scenario_json: `to_json` / `from_json`) and URL query parameters
(descent.scenario_query: `to_query` / `from_query` / `from_url`). The checks of user input are in
descent.validators, the immutable mapping of values in descent.mapping. The names this module
had before the split (Params, the checks, the codecs' helpers) still import from here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import datasets
import landscapes
import optimizers
import params
from descent.errors import ScenarioError
from descent.mapping import Params
from descent.minibatch import Minibatch
from descent.validators import (  # noqa: F401 (MAX_START: re-exported)
    MAX_START,
    checked,
    choice,
    expect_object,
    integer,
    point,
    shown,
)
from optimizers import REQUIRED, schedules
from optimizers.spec import FLAVOUR_TITLES, FLAVOURS

MAX_STEPS = 100_000
MAX_RUNS = 12
MAX_LABEL = 60
DEFAULT_STEPS = 500

SIGMA = params.Param("sigma", "standard deviation of the gradient noise per sample", 0.0, 0.0, 1000.0, symbol=r"\sigma")


@dataclass(frozen=True)
class Noise:
    """Stochastic gradients g = ∇f + (σ/√B)·ξ, ξ ~ N(0, I), from a seeded sequence."""

    sigma: float = 0.0
    batch_size: int = 1
    seed: int = 0

    def __post_init__(self):
        object.__setattr__(self, "sigma", checked(SIGMA, self.sigma, "sigma"))
        object.__setattr__(self, "batch_size", integer(self.batch_size, "batch_size", 1, 1_000_000))
        object.__setattr__(self, "seed", integer(self.seed, "seed", 0, 2**31 - 1))

    @property
    def scale(self) -> float:
        return self.sigma / math.sqrt(self.batch_size)


@dataclass(frozen=True)
class Schedule:
    name: str = "constant"
    params: Params = field(default_factory=Params)

    def __post_init__(self):
        spec = schedules.get(choice(self.name, "name", list(schedules.BY_NAME), "schedule"))
        values = {}
        for key, value in dict(self.params).items():
            try:
                param = spec.param(key)
            except KeyError:
                known = ", ".join(p.name for p in spec.params) or "none"
                raise ScenarioError(key, f"not a parameter of the {spec.name} schedule; its parameters: {known}") from None
            values[key] = checked(param, value, key)
        object.__setattr__(self, "params", Params(values))

    def resolved(self) -> dict:
        return schedules.get(self.name).resolve(self.params)


@dataclass(frozen=True)
class Run:
    """One optimizer run: optimizer, flavour, the hyperparameters given, a schedule, a label,
    and optionally its own start point (otherwise the scenario's)."""

    optimizer: str
    flavour: str = "keras"
    hparams: Params = field(default_factory=Params)
    schedule: Schedule = field(default_factory=Schedule)
    label: str = ""
    start: tuple[float, float] | None = None

    def __post_init__(self):
        if self.start is not None:
            object.__setattr__(self, "start", point(self.start, "start"))
        spec = optimizers.get(choice(self.optimizer, "optimizer", optimizers.ids(), "optimizer"))
        choice(self.flavour, "flavour", FLAVOURS, "flavour")
        if self.flavour not in spec.flavours:
            note = spec.flavour_notes.get(self.flavour, "")
            raise ScenarioError(
                "flavour",
                f"{spec.title} has no {FLAVOUR_TITLES[self.flavour]} flavour"
                + (f" ({note.rstrip('.')})" if note else "")
                + f"; one of {', '.join(spec.flavours)}",
            )
        if not isinstance(self.label, str) or len(self.label) > MAX_LABEL or any(
            ord(c) < 32 for c in self.label
        ):
            raise ScenarioError("label", f"must be text of at most {MAX_LABEL} printable characters")
        if not isinstance(self.hparams, Mapping):
            raise ScenarioError("hparams", "must be an object of hyperparameter values")
        values = {}
        for name, value in dict(self.hparams).items():
            where = f"hparams.{name}"
            try:
                hp = spec.hparam(name)
            except KeyError:
                known = ", ".join(h.name for h in spec.hparams_for(self.flavour))
                raise ScenarioError(where, f"{spec.title} has no hyperparameter {name!r}; its hyperparameters: {known}") from None
            if not hp.available(self.flavour):
                raise ScenarioError(
                    where, f"{spec.title} has no {name} in the {FLAVOUR_TITLES[self.flavour]} flavour"
                )
            values[name] = checked(hp, value, where)
        for hp in spec.hparams_for(self.flavour):
            if hp.default(self.flavour) is REQUIRED and hp.name not in values:
                raise ScenarioError(
                    f"hparams.{hp.name}",
                    f"required for the {FLAVOUR_TITLES[self.flavour]} flavour ({self.flavour} has no default)",
                )
        try:
            spec.check(self.flavour, values)  # the framework's own rules (PyTorch's Nesterov)
        except params.ParamError as e:
            raise ScenarioError(f"hparams.{e.field}", e.message) from None
        object.__setattr__(self, "hparams", Params(values))
        if not isinstance(self.schedule, Schedule):
            raise ScenarioError("schedule", "must be a Schedule")

    def resolved_hparams(self) -> dict:
        """Every hyperparameter of this flavour: given values, else the flavour's defaults."""
        return optimizers.get(self.optimizer).resolve(self.flavour, self.hparams)

    def to_json(self) -> dict:
        """The run's JSON form (the "runs" entries of a scenario)."""
        return _json().run_json(self)

    @property
    def display_label(self) -> str:
        return self.label or auto_label(self)


def method_title(run: Run, hparams: Mapping | None = None) -> str:
    """"Adam", or for SGD with momentum "Momentum" (or "Nesterov"): the method a run uses."""
    hp = hparams if hparams is not None else run.resolved_hparams()
    if run.optimizer == "sgd" and hp.get("momentum", 0) > 0:
        return "Nesterov" if hp.get("nesterov") else "Momentum"
    return optimizers.get(run.optimizer).title


def auto_label(run: Run, hparams: Mapping | None = None) -> str:
    """"Adam lr=0.01", plus what sets the run apart: flavour, flags, schedule."""
    hp = hparams if hparams is not None else run.resolved_hparams()
    parts = [method_title(run, hp), f"lr={hp['learning_rate']:g}"]
    if run.optimizer == "sgd" and hp.get("momentum", 0) > 0:
        parts.append(f"μ={hp['momentum']:g}")
    parts += [name for name in ("amsgrad", "centered") if hp.get(name)]
    if run.schedule.name != "constant":
        parts.append(run.schedule.name)
    if run.flavour != "keras":
        parts.append(f"({FLAVOUR_TITLES[run.flavour]})")
    return " ".join(parts)


@dataclass(frozen=True)
class Scenario:
    landscape: str
    runs: tuple[Run, ...]
    landscape_params: Params = field(default_factory=Params)
    start: tuple[float, float] | None = None
    steps: int = DEFAULT_STEPS
    noise: Noise = field(default_factory=Noise)
    # A typed formula (landscape "formula"): its text and ((x0, x1), (y0, y1)); `landscape`
    # then becomes the formula's structural id (the engine's compile key).
    formula: str | None = None
    domain: tuple[tuple[float, float], tuple[float, float]] | None = None
    # A data landscape: {"name", "size", "seed", "standardize"} and a model; `landscape` then
    # becomes the structural id `data:<model>:<bucket>`. `minibatch` (data landscapes only)
    # replaces the Gaussian noise model by true minibatches (descent.minibatch).
    dataset: Params | None = None
    model: str | None = None
    minibatch: Minibatch | None = None
    # The landscape resolved once, at construction (a typed formula parsed and its minima found,
    # a data set loaded): the value everything downstream uses, the engine included (through
    # its `structural` landscape, descent.runner.run_key); nothing looks it up by id again.
    landscape_spec: landscapes.Landscape = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.dataset is not None or self.model is not None:
            ls, checked_data = _data_landscape(self.dataset, self.model)
            if self.landscape_params or self.domain is not None or self.formula is not None:
                raise ScenarioError("landscape", "a data landscape has no parameters, domain or formula; its loss is set by the data and the model")
            if self.noise.sigma != 0:
                raise ScenarioError("noise.sigma", "must be 0 on a data landscape: its noise comes from minibatches (use \"minibatch\")")
            object.__setattr__(self, "dataset", checked_data)
            object.__setattr__(self, "landscape", ls.id)
        elif self.formula is not None:
            ls = _formula_landscape(self.formula, self.domain)
            if self.landscape_params:
                raise ScenarioError("landscape.params", "a formula has no parameters; its numbers are in its text")
            object.__setattr__(self, "landscape", ls.id)
            object.__setattr__(self, "domain", ls.domain)
        else:
            if self.domain is not None:
                raise ScenarioError("landscape.domain", "only a formula takes a domain")
            ls = landscapes.get(choice(self.landscape, "landscape.name", landscapes.ids(), "landscape"))
        values = {}
        for key, value in dict(self.landscape_params).items():
            param = next((p for p in ls.params if p.name == key), None)
            where = f"landscape.params.{key}"
            if param is None:
                known = ", ".join(p.name for p in ls.params) or "none"
                raise ScenarioError(where, f"{ls.title} has no parameter {key!r}; its parameters: {known}")
            values[key] = checked(param, value, where)
        object.__setattr__(self, "landscape_params", Params(values))
        object.__setattr__(self, "landscape_spec", ls)
        object.__setattr__(self, "start", point(ls.start if self.start is None else self.start, "start"))
        object.__setattr__(self, "steps", integer(self.steps, "steps", 1, MAX_STEPS))
        if not isinstance(self.noise, Noise):
            raise ScenarioError("noise", "must be a Noise")
        runs = tuple(self.runs)
        if not 1 <= len(runs) <= MAX_RUNS:
            raise ScenarioError("runs", f"must hold 1 to {MAX_RUNS} runs, got {len(runs)}")
        if not all(isinstance(r, Run) for r in runs):
            raise ScenarioError("runs", "must be a list of Run")
        object.__setattr__(self, "runs", runs)
        if self.minibatch is not None:
            if self.dataset is None:
                raise ScenarioError("minibatch", "only a data landscape takes minibatches; other landscapes use \"noise\" (σ/√B)")
            if not isinstance(self.minibatch, Minibatch):
                raise ScenarioError("minibatch", "must be a Minibatch")

    @property
    def data_size(self) -> int:
        """The number of rows of a data landscape's data (0 for other landscapes)."""
        return 0 if self.dataset is None else int(self.dataset["size"])

    def start_of(self, run: Run) -> tuple[float, float]:
        return run.start if run.start is not None else self.start

    def landscape_json(self):
        """The landscape as the JSON form writes it."""
        return _json().landscape(self)

    def resolved_landscape_params(self) -> dict[str, float]:
        if self.dataset is not None:
            return {"data": self.landscape_spec.data}  # the data block travels as values
        return self.landscape_spec.default_params() | dict(self.landscape_params)

    def replace(self, **changes) -> Scenario:
        return replace(self, **changes)

    # -- the external forms (descent.scenario_json, descent.scenario_query) ------------------

    def to_json(self) -> dict:
        return _json().encode(self)

    @classmethod
    def from_json(cls, data) -> Scenario:
        """A Scenario from its JSON form (a dict); ScenarioError naming the bad field."""
        return _json().decode(data)

    def to_query(self) -> dict[str, str]:
        """Flat string parameters; values equal to their defaults are left out."""
        return _query().encode(self)

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Scenario:
        """A Scenario from flat query parameters; ScenarioError naming the bad parameter.

        Keys outside the scenario's namespace (the app's own, like `lecture`) are ignored.
        """
        return _query().decode(query)

    @classmethod
    def from_url(cls, link: str) -> Scenario:
        """The Scenario of a link copied from the app ("Share & export" or the address bar):
        `https://host/?landscape=rosenbrock&r0.optimizer=adam&...`, or just its query part.
        Unlike the app, which falls back to defaults, a bad parameter raises ScenarioError."""
        return _query().from_url(link)


FORMULA = "formula"  # the landscape name of a typed formula in links and pickers
DATA = "data"  # the landscape name of a data landscape in links and pickers


def _data_landscape(dataset, model) -> tuple[landscapes.Landscape, Params]:
    """A data landscape resolved (data loaded, minimum computed) and its checked data set, or
    the ScenarioError naming `landscape.dataset.<field>` / `landscape.model`."""
    if not isinstance(model, str) or model not in landscapes.data.MODELS:
        raise ScenarioError("landscape.model", f"must be one of {', '.join(landscapes.data.MODELS)}, got {shown(model)}")
    if not isinstance(dataset, Mapping):
        raise ScenarioError("landscape.dataset", f"must be an object {{\"name\", \"size\", \"seed\", \"standardize\"}}, got {shown(dataset)}")
    expect_object(dict(dataset), "landscape.dataset", ("name", "size", "seed", "standardize"))
    try:
        name, size, seed, standardize = datasets.check(dataset.get("name"), dataset.get("size"), dataset.get("seed", 0), dataset.get("standardize", False))
        ls = landscapes.data.resolve(model, name, size, seed, standardize)
    except datasets.DataError as e:
        raise ScenarioError(f"landscape.dataset.{e.field}", e.message) from None
    return ls, Params({"name": name, "size": size, "seed": seed, "standardize": standardize})


def _formula_landscape(text, domain) -> landscapes.Landscape:
    """A typed formula resolved (parsed, compiled per structure, minima found), or the
    ScenarioError naming `landscape.formula` / `landscape.domain`."""
    if not isinstance(text, str):
        raise ScenarioError("landscape.formula", f"must be text, got {shown(text)}")
    if domain is not None and not isinstance(domain, (list, tuple)):
        raise ScenarioError("landscape.domain", f"must be [[x0, x1], [y0, y1]], got {shown(domain)}")
    try:
        checked = landscapes.typed.check_domain(domain) if domain is not None else landscapes.DEFAULT_FORMULA_DOMAIN
    except landscapes.typed.DomainError as e:
        raise ScenarioError("landscape.domain", str(e)) from None
    try:
        return landscapes.typed.resolve(text, checked)
    except landscapes.formula.FormulaError as e:
        raise ScenarioError("landscape.formula", str(e)) from None



# The codecs build Scenarios, so they import this module; the model reaches them only when a
# method is called (by then both are loaded).
def _json():
    from descent import scenario_json

    return scenario_json


def _query():
    from descent import scenario_query

    return scenario_query


# The names this module had before the split, for the modules that import them from here
# (descent.network_scenario). Loaded on first use, after this module (PEP 562).
_MOVED = {
    "_number": ("descent.validators", "number"),
    "_integer": ("descent.validators", "integer"),
    "_boolean": ("descent.validators", "boolean"),
    "_show": ("descent.validators", "shown"),
    "_checked": ("descent.validators", "checked"),
    "_choice": ("descent.validators", "choice"),
    "_point": ("descent.validators", "point"),
    "_expect_object": ("descent.validators", "expect_object"),
    "_from_json": ("descent.scenario_json", "decode"),
    "_run_from_json": ("descent.scenario_json", "run_from_json"),
    "_SCENARIO_KEYS": ("descent.scenario_json", "SCENARIO_KEYS"),
    "_RUN_KEYS": ("descent.scenario_json", "RUN_KEYS"),
    "_from_query": ("descent.scenario_query", "decode"),
    "_run_from_query": ("descent.scenario_query", "run_from_query"),
    "_query_name": ("descent.scenario_query", "run_key"),
    "_RUN_KEY": ("descent.scenario_query", "RUN_KEY"),
    "_text": ("descent.scenario_query", "text"),
    "_point_text": ("descent.scenario_query", "point_text"),
    "_point_from_text": ("descent.scenario_query", "point_from_text"),
    "MAX_LINK_LENGTH": ("descent.scenario_query", "MAX_LINK_LENGTH"),
}


def __getattr__(name: str):
    if name in _MOVED:
        import importlib

        module, attr = _MOVED[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
