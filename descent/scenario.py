"""The Scenario: everything that defines a scene, immutable and validated on construction.

A scenario has two external forms that both round-trip exactly:

* JSON (`to_json` / `from_json`), the CLI's input and the app's export:

      {"landscape": {"name": "rosenbrock", "params": {}}, "start": [-1.5, 2.0], "steps": 500,
       "noise": {"sigma": 0.0, "batch_size": 1, "seed": 0},
       "runs": [{"label": "Adam", "optimizer": "adam", "flavour": "keras",
                 "hparams": {"learning_rate": 0.01}, "schedule": {"name": "cosine", "decay_steps": 500}}]}

* flat URL query parameters (`to_query` / `from_query`), the app's shareable links:

      landscape=rosenbrock&start=-1.5,2.0&steps=500&r0.optimizer=adam&r0.learning_rate=0.01
      &r0.schedule=cosine&r0.schedule.decay_steps=500

Hyperparameters and schedule parameters keep only what was given; the engine fills in each
flavour's defaults, so switching a run's flavour switches its defaults too.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

import datasets
import landscapes
import optimizers
import params
from descent.errors import ScenarioError
from descent.minibatch import Minibatch
from optimizers import REQUIRED, schedules
from optimizers.spec import FLAVOUR_TITLES, FLAVOURS

MAX_STEPS = 100_000
MAX_RUNS = 12
MAX_START = 1e4
MAX_LABEL = 60
DEFAULT_STEPS = 500


class Params(Mapping):
    """An immutable, hashable name → value mapping (hyperparameters, schedule parameters)."""

    __slots__ = ("_data",)

    def __init__(self, items: Mapping | None = None):
        object.__setattr__(self, "_data", dict(items or {}))

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __eq__(self, other) -> bool:
        return isinstance(other, Mapping) and dict(self) == dict(other)

    def __setattr__(self, name, value):
        raise AttributeError("Params is immutable")

    def __repr__(self) -> str:
        return f"Params({self._data!r})"


# ---------------------------------------------------------------------------------------------
# Value checks shared by the JSON and query forms


def _number(value, field_name: str, allowed: str) -> float:
    """A finite float from a JSON number or a query string; ScenarioError otherwise."""
    with _from_record():
        return params.finite(value, field_name, allowed)


def _integer(value, field_name: str, low: int, high: int) -> int:
    with _from_record():
        return params.whole(value, field_name, low, high)


def _boolean(value, field_name: str) -> bool:
    with _from_record():
        return params.boolean(value, field_name)


_show = params.shown


def _checked(param: params.Param, value, where: str):
    """A landscape's, hyperparameter's or schedule's parameter value, checked by its record."""
    with _from_record():
        return param.parse(value, where)


@contextlib.contextmanager
def _from_record():
    """The parameter record's error, as the scenario's (the same field and message)."""
    try:
        yield
    except params.ParamError as e:
        raise ScenarioError(e.field, e.message) from None


def _choice(value, field_name: str, choices, what: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ScenarioError(field_name, f"unknown {what} {_show(value)}; one of {', '.join(choices)}")
    return value


def _point(value, field_name: str) -> tuple[float, float]:
    """A start point: two finite numbers within ±MAX_START."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise ScenarioError(field_name, f"must be two numbers [x, y], got {_show(value)}")
    allowed = f"a number in [-{MAX_START:g}, {MAX_START:g}]"
    coords = tuple(_number(c, f"{field_name}[{i}]", allowed) for i, c in enumerate(value))
    for i, c in enumerate(coords):
        if abs(c) > MAX_START:
            raise ScenarioError(f"{field_name}[{i}]", f"must be {allowed}, got {_show(c)}")
    return coords


def _point_text(point) -> str:
    return f"{_text(point[0])},{_text(point[1])}"


def _point_from_text(text, field_name: str):
    parts = str(text).split(",")
    if len(parts) != 2:
        raise ScenarioError(field_name, f"must be two numbers 'x,y', got {_show(text)}")
    return parts


# ---------------------------------------------------------------------------------------------
# The model


SIGMA = params.Param("sigma", "standard deviation of the gradient noise per sample", 0.0, 0.0, 1000.0, symbol=r"\sigma")


@dataclass(frozen=True)
class Noise:
    """Stochastic gradients g = ∇f + (σ/√B)·ξ, ξ ~ N(0, I), from a seeded sequence."""

    sigma: float = 0.0
    batch_size: int = 1
    seed: int = 0

    def __post_init__(self):
        object.__setattr__(self, "sigma", _checked(SIGMA, self.sigma, "sigma"))
        object.__setattr__(self, "batch_size", _integer(self.batch_size, "batch_size", 1, 1_000_000))
        object.__setattr__(self, "seed", _integer(self.seed, "seed", 0, 2**31 - 1))

    @property
    def scale(self) -> float:
        return self.sigma / math.sqrt(self.batch_size)


@dataclass(frozen=True)
class Schedule:
    name: str = "constant"
    params: Params = field(default_factory=Params)

    def __post_init__(self):
        spec = schedules.get(_choice(self.name, "name", list(schedules.BY_NAME), "schedule"))
        checked = {}
        for key, value in dict(self.params).items():
            try:
                param = spec.param(key)
            except KeyError:
                known = ", ".join(p.name for p in spec.params) or "none"
                raise ScenarioError(key, f"not a parameter of the {spec.name} schedule; its parameters: {known}") from None
            checked[key] = _checked(param, value, key)
        object.__setattr__(self, "params", Params(checked))

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
            object.__setattr__(self, "start", _point(self.start, "start"))
        spec = optimizers.get(_choice(self.optimizer, "optimizer", optimizers.ids(), "optimizer"))
        _choice(self.flavour, "flavour", FLAVOURS, "flavour")
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
        checked = {}
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
            checked[name] = _checked(hp, value, where)
        for hp in spec.hparams_for(self.flavour):
            if hp.default(self.flavour) is REQUIRED and hp.name not in checked:
                raise ScenarioError(
                    f"hparams.{hp.name}",
                    f"required for the {FLAVOUR_TITLES[self.flavour]} flavour ({self.flavour} has no default)",
                )
        try:
            spec.check(self.flavour, checked)  # the framework's own rules (PyTorch's Nesterov)
        except params.ParamError as e:
            raise ScenarioError(f"hparams.{e.field}", e.message) from None
        object.__setattr__(self, "hparams", Params(checked))
        if not isinstance(self.schedule, Schedule):
            raise ScenarioError("schedule", "must be a Schedule")

    def resolved_hparams(self) -> dict:
        """Every hyperparameter of this flavour: given values, else the flavour's defaults."""
        return optimizers.get(self.optimizer).resolve(self.flavour, self.hparams)

    def to_json(self) -> dict:
        """The run's JSON form (the "runs" entries of a scenario)."""
        return {
            "label": self.label,
            "optimizer": self.optimizer,
            "flavour": self.flavour,
            "hparams": dict(self.hparams),
            "schedule": {"name": self.schedule.name, **dict(self.schedule.params)},
            **({"start": list(self.start)} if self.start is not None else {}),
        }

    @property
    def display_label(self) -> str:
        return self.label or auto_label(self)


def auto_label(run: Run, hparams: Mapping | None = None) -> str:
    """"Adam lr=0.01", plus what sets the run apart: flavour, flags, schedule."""
    spec = optimizers.get(run.optimizer)
    hp = hparams if hparams is not None else run.resolved_hparams()
    title = spec.title
    if run.optimizer == "sgd" and hp.get("momentum", 0) > 0:
        title = "Nesterov" if hp.get("nesterov") else "Momentum"
    parts = [title, f"lr={hp['learning_rate']:g}"]
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
            ls = landscapes.get(_choice(self.landscape, "landscape.name", landscapes.ids(), "landscape"))
        checked = {}
        for key, value in dict(self.landscape_params).items():
            param = next((p for p in ls.params if p.name == key), None)
            where = f"landscape.params.{key}"
            if param is None:
                known = ", ".join(p.name for p in ls.params) or "none"
                raise ScenarioError(where, f"{ls.title} has no parameter {key!r}; its parameters: {known}")
            checked[key] = _checked(param, value, where)
        object.__setattr__(self, "landscape_params", Params(checked))
        object.__setattr__(self, "start", _point(ls.start if self.start is None else self.start, "start"))
        object.__setattr__(self, "steps", _integer(self.steps, "steps", 1, MAX_STEPS))
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

    @property
    def landscape_spec(self) -> landscapes.Landscape:
        if self.dataset is not None:
            return _data_landscape(self.dataset, self.model)[0]
        if self.formula is not None:
            return _formula_landscape(self.formula, self.domain)
        return landscapes.get(self.landscape)

    def landscape_json(self):
        """The landscape as the JSON form writes it."""
        if self.dataset is not None:
            return {"dataset": dict(self.dataset), "model": self.model}
        if self.formula is not None:
            return {"formula": self.formula, "domain": [list(self.domain[0]), list(self.domain[1])]}
        return {"name": self.landscape, "params": dict(self.landscape_params)}

    def resolved_landscape_params(self) -> dict[str, float]:
        if self.dataset is not None:
            return {"data": self.landscape_spec.data}  # the data block travels as values
        return self.landscape_spec.default_params() | dict(self.landscape_params)

    def replace(self, **changes) -> "Scenario":
        return replace(self, **changes)

    # -- JSON ---------------------------------------------------------------------------------

    def to_json(self) -> dict:
        return {
            "landscape": self.landscape_json(),
            "start": list(self.start),
            "steps": self.steps,
            "noise": {"sigma": self.noise.sigma, "batch_size": self.noise.batch_size, "seed": self.noise.seed},
            **({"minibatch": self.minibatch.to_json()} if self.minibatch is not None else {}),
            "runs": [run.to_json() for run in self.runs],
        }

    @classmethod
    def from_json(cls, data) -> "Scenario":
        """A Scenario from its JSON form (a dict); ScenarioError naming the bad field."""
        return _from_json(data)

    # -- URL query parameters -----------------------------------------------------------------

    def to_query(self) -> dict[str, str]:
        """Flat string parameters; values equal to their defaults are left out."""
        q: dict[str, str] = {"landscape": self.landscape}
        if self.formula is not None:
            (x0, x1), (y0, y1) = self.domain
            q = {"landscape": FORMULA, "formula": self.formula, "domain": ",".join(_text(v) for v in (x0, x1, y0, y1))}
        if self.dataset is not None:
            q = {"landscape": DATA, "model": self.model, "data": self.dataset["name"],
                 "data.size": str(self.dataset["size"]), "data.seed": str(self.dataset["seed"])}  # fmt: skip
            if self.dataset["standardize"]:
                q["data.standardize"] = "true"
        if self.minibatch is not None:
            q["mb.batch"] = str(self.minibatch.batch_size)
            q["mb.shuffle"] = _text(self.minibatch.shuffle)
            q["mb.seed"] = str(self.minibatch.seed)
        for key, value in self.landscape_params.items():
            q[f"landscape.{key}"] = _text(value)
        q["start"] = _point_text(self.start)
        q["steps"] = str(self.steps)
        defaults = Noise()
        if self.noise.sigma != defaults.sigma:
            q["sigma"] = _text(self.noise.sigma)
        if self.noise.batch_size != defaults.batch_size:
            q["batch"] = str(self.noise.batch_size)
        if self.noise.seed != defaults.seed:
            q["seed"] = str(self.noise.seed)
        for i, run in enumerate(self.runs):
            p = f"r{i}."
            q[p + "optimizer"] = run.optimizer
            if run.flavour != "keras":
                q[p + "flavour"] = run.flavour
            if run.label:
                q[p + "label"] = run.label
            for key, value in run.hparams.items():
                q[p + key] = _text(value)
            if run.schedule.name != "constant":
                q[p + "schedule"] = run.schedule.name
            for key, value in run.schedule.params.items():
                q[f"{p}schedule.{key}"] = _text(value)
            if run.start is not None:
                q[p + "start"] = _point_text(run.start)
        return q

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> "Scenario":
        """A Scenario from flat query parameters; ScenarioError naming the bad parameter.

        Keys outside the scenario's namespace (the app's own, like `lecture`) are ignored.
        """
        return _from_query(query)

    @classmethod
    def from_url(cls, link: str) -> "Scenario":
        """The Scenario of a link copied from the app ("Share & export" or the address bar):
        `https://host/?landscape=rosenbrock&r0.optimizer=adam&...`, or just its query part.
        Unlike the app, which falls back to defaults, a bad parameter raises ScenarioError."""
        from urllib.parse import parse_qsl, urlsplit

        if not isinstance(link, str) or len(link) > MAX_LINK_LENGTH:
            raise ScenarioError("link", f"must be a link of at most {MAX_LINK_LENGTH} characters")
        query = urlsplit(link).query if "?" in link or "://" in link else link
        pairs = parse_qsl(query, keep_blank_values=True)
        if not any(key == "landscape" for key, _ in pairs):
            raise ScenarioError("link", "names no landscape: copy the link from the app's address bar or \"Share & export\"")
        return _from_query(dict(pairs))


FORMULA = "formula"  # the landscape name of a typed formula in links and pickers
DATA = "data"  # the landscape name of a data landscape in links and pickers


def _data_landscape(dataset, model) -> tuple[landscapes.Landscape, Params]:
    """A data landscape resolved (data loaded, minimum computed) and its checked data set, or
    the ScenarioError naming `landscape.dataset.<field>` / `landscape.model`."""
    if not isinstance(model, str) or model not in landscapes.data.MODELS:
        raise ScenarioError("landscape.model", f"must be one of {', '.join(landscapes.data.MODELS)}, got {_show(model)}")
    if not isinstance(dataset, Mapping):
        raise ScenarioError("landscape.dataset", f"must be an object {{\"name\", \"size\", \"seed\", \"standardize\"}}, got {_show(dataset)}")
    _expect_object(dict(dataset), "landscape.dataset", ("name", "size", "seed", "standardize"))
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
        raise ScenarioError("landscape.formula", f"must be text, got {_show(text)}")
    if domain is not None and not isinstance(domain, (list, tuple)):
        raise ScenarioError("landscape.domain", f"must be [[x0, x1], [y0, y1]], got {_show(domain)}")
    try:
        checked = landscapes.typed.check_domain(domain) if domain is not None else landscapes.DEFAULT_FORMULA_DOMAIN
    except landscapes.typed.DomainError as e:
        raise ScenarioError("landscape.domain", str(e)) from None
    try:
        return landscapes.typed.resolve(text, checked)
    except landscapes.formula.FormulaError as e:
        raise ScenarioError("landscape.formula", str(e)) from None


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return repr(float(value))  # the shortest text that parses back to the same float


# ---------------------------------------------------------------------------------------------
# Parsing


_SCENARIO_KEYS = ("landscape", "start", "steps", "noise", "runs", "minibatch")
# A link is a few kilobytes even with ten runs; far longer text is not a link from the app.
MAX_LINK_LENGTH = 100_000
_RUN_KEYS = ("label", "optimizer", "flavour", "hparams", "schedule", "start")


def _expect_object(value, where: str, keys: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError(where, f"must be an object, got {_show(value)}")
    for key in value:
        if key not in keys:
            raise ScenarioError(f"{where}.{key}" if where else str(key), f"unknown field; allowed: {', '.join(keys)}")
    return value


def _from_json(data) -> Scenario:
    if not isinstance(data, dict):
        raise ScenarioError("scenario", f"must be a JSON object with landscape and runs, got {_show(data)}")
    data = _expect_object(data, "", _SCENARIO_KEYS)
    if "landscape" not in data:
        raise ScenarioError("landscape", "required (a landscape id such as 'rosenbrock')")
    if "runs" not in data:
        raise ScenarioError("runs", "required (a list of optimizer runs)")
    landscape = data["landscape"]
    params: dict = {}
    formula = domain = dataset = model = minibatch = None
    if isinstance(landscape, dict) and ("dataset" in landscape or "model" in landscape):
        _expect_object(landscape, "landscape", ("dataset", "model"))
        dataset, model = landscape.get("dataset"), landscape.get("model")
        landscape = DATA
    elif isinstance(landscape, dict) and "formula" in landscape:
        _expect_object(landscape, "landscape", ("formula", "domain"))
        formula, domain = landscape["formula"], landscape.get("domain")
        landscape = FORMULA
    elif isinstance(landscape, dict):
        _expect_object(landscape, "landscape", ("name", "params"))
        params = landscape.get("params") or {}
        if not isinstance(params, dict):
            raise ScenarioError("landscape.params", "must be an object of parameter values")
        landscape = landscape.get("name")
    elif not isinstance(landscape, str):
        raise ScenarioError("landscape", "must be a landscape id, {\"name\": ..., \"params\": {...}} or {\"formula\": ..., \"domain\": ...}")
    noise_data = data.get("noise") or {}
    _expect_object(noise_data, "noise", ("sigma", "batch_size", "seed"))
    try:
        noise = Noise(**noise_data)
    except ScenarioError as e:
        raise e.within("noise") from None
    runs_data = data["runs"]
    if not isinstance(runs_data, list):
        raise ScenarioError("runs", "must be a list of runs")
    if "minibatch" in data:
        mb = data["minibatch"]
        _expect_object(mb, "minibatch", ("batch_size", "shuffle", "seed"))
        minibatch = _minibatch(mb)
    runs = []
    for i, run_data in enumerate(runs_data):
        try:
            runs.append(_run_from_json(run_data))
        except ScenarioError as e:
            raise e.within(f"runs[{i}]") from None
    return Scenario(
        landscape=landscape,
        landscape_params=Params(params),
        start=data.get("start"),
        steps=data.get("steps", DEFAULT_STEPS),
        noise=noise,
        runs=tuple(runs),
        formula=formula,
        domain=domain,
        dataset=dataset,
        model=model,
        minibatch=minibatch,
    )


def _minibatch(fields: Mapping) -> Minibatch:
    try:
        return Minibatch(**fields)
    except ScenarioError as e:
        raise e.within("minibatch") from None


def _run_from_json(data) -> Run:
    if not isinstance(data, dict):
        raise ScenarioError("", f"must be an object, got {_show(data)}")
    for key in data:
        if key not in _RUN_KEYS:
            raise ScenarioError(str(key), f"unknown field; allowed: {', '.join(_RUN_KEYS)}")
    if "optimizer" not in data:
        raise ScenarioError("optimizer", f"required; one of {', '.join(optimizers.ids())}")
    hparams = data.get("hparams") or {}
    if not isinstance(hparams, dict):
        raise ScenarioError("hparams", "must be an object of hyperparameter values")
    schedule_data = data.get("schedule") or {"name": "constant"}
    if isinstance(schedule_data, str):
        schedule_data = {"name": schedule_data}
    if not isinstance(schedule_data, dict):
        raise ScenarioError("schedule", "must be an object like {\"name\": \"cosine\", \"decay_steps\": 500}")
    schedule_params = {k: v for k, v in schedule_data.items() if k != "name"}
    try:
        schedule = Schedule(schedule_data.get("name", "constant"), Params(schedule_params))
    except ScenarioError as e:
        raise e.within("schedule") from None
    label = data.get("label", "")
    return Run(
        optimizer=data["optimizer"],
        flavour=data.get("flavour", "keras"),
        hparams=Params(hparams),
        schedule=schedule,
        label="" if label is None else label,
        start=data.get("start"),
    )


_RUN_KEY = re.compile(r"^r(\d{1,2})\.(.+)$")


def _from_query(query: Mapping[str, str]) -> Scenario:
    if "landscape" not in query:
        raise ScenarioError("landscape", "missing")
    landscape_params = {k.split(".", 1)[1]: v for k, v in query.items() if k.startswith("landscape.")}
    start = _point_from_text(query["start"], "start") if "start" in query else None
    noise_fields = {"sigma": "sigma", "batch": "batch_size", "seed": "seed"}
    try:
        noise = Noise(**{name: query[key] for key, name in noise_fields.items() if key in query})
    except ScenarioError as e:
        raise ScenarioError(next(k for k, v in noise_fields.items() if v == e.field), e.message) from None
    by_index: dict[int, dict[str, str]] = {}
    for key, value in query.items():
        m = _RUN_KEY.match(key)
        if m:
            by_index.setdefault(int(m.group(1)), {})[m.group(2)] = value
    runs = []
    for i in sorted(by_index):
        fields = by_index[i]
        try:
            runs.append(_run_from_query(fields))
        except ScenarioError as e:
            raise ScenarioError(f"r{i}.{_query_name(e.field)}", e.message) from None
    formula = domain = None
    if query["landscape"] == FORMULA:
        if "formula" not in query:
            raise ScenarioError("landscape.formula", "missing (the landscape is a typed formula)")
        formula = query["formula"]
        if "domain" in query:
            parts = str(query["domain"]).split(",")
            if len(parts) != 4:
                raise ScenarioError("landscape.domain", f"must be four numbers 'x0,x1,y0,y1', got {_show(query['domain'])}")
            numbers = [_number(v, "landscape.domain", "four numbers 'x0,x1,y0,y1'") for v in parts]
            domain = ((numbers[0], numbers[1]), (numbers[2], numbers[3]))
    dataset = model = minibatch = None
    if query["landscape"] == DATA:
        model = query.get("model", "linear_regression")
        keys = {"data": "name", "data.size": "size", "data.seed": "seed", "data.standardize": "standardize"}
        dataset = {name: query[key] for key, name in keys.items() if key in query}
        dataset.setdefault("name", "two_blobs" if model == "logistic_regression" else "noisy_line")
        landscape_params = {}
    mb_fields = {"mb.batch": "batch_size", "mb.shuffle": "shuffle", "mb.seed": "seed"}
    if any(key in query for key in mb_fields):
        try:
            minibatch = Minibatch(**{name: query[key] for key, name in mb_fields.items() if key in query})
        except ScenarioError as e:
            raise ScenarioError(next(k for k, v in mb_fields.items() if v == e.field), e.message) from None
    return Scenario(
        landscape=query["landscape"],
        landscape_params=Params(landscape_params),
        start=start,
        steps=query.get("steps", DEFAULT_STEPS),
        noise=noise,
        runs=tuple(runs),
        formula=formula,
        domain=domain,
        dataset=dataset,
        model=model,
        minibatch=minibatch,
    )


def _query_name(field_name: str) -> str:
    """A run's field path (hparams.epsilon, schedule.name) as its query key (epsilon, schedule)."""
    if field_name.startswith("hparams."):
        return field_name[len("hparams."):]
    if field_name == "schedule.name":
        return "schedule"
    return field_name


def _run_from_query(fields: Mapping[str, str]) -> Run:
    if "optimizer" not in fields:
        raise ScenarioError("optimizer", "missing")
    reserved = {"optimizer", "flavour", "label", "schedule", "start"}
    hparams = {k: v for k, v in fields.items() if k not in reserved and not k.startswith("schedule.")}
    schedule_params = {k.split(".", 1)[1]: v for k, v in fields.items() if k.startswith("schedule.")}
    try:
        schedule = Schedule(fields.get("schedule", "constant"), Params(schedule_params))
    except ScenarioError as e:
        raise e.within("schedule") from None
    return Run(
        optimizer=fields["optimizer"],
        flavour=fields.get("flavour", "keras"),
        hparams=Params(hparams),
        schedule=schedule,
        label=fields.get("label", ""),
        start=_point_from_text(fields["start"], "start") if "start" in fields else None,
    )
