"""Metadata records for optimizers and their hyperparameters (what the UI and validation read)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from params import Param, ParamError

FLAVOURS: tuple[str, ...] = ("keras", "pytorch", "optax")
FLAVOUR_TITLES = {"keras": "Keras", "pytorch": "PyTorch", "optax": "optax"}

Value = float | bool


class Required:
    """Marks a hyperparameter that a flavour has no default for (optax's learning_rate)."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = Required()


@dataclass(frozen=True, init=False)
class HyperParam:
    """One canonical hyperparameter of one optimizer: the parameter record (params.Param: name,
    meaning, accepted range, slider, symbol, `parse`) and its default in each flavour.

    `defaults` maps each flavour that has the hyperparameter to its default there
    (REQUIRED when the framework has none); a flavour missing from it does not have it.
    The record's fields and checks read through: `hp.low`, `hp.allowed()`, `hp.parse(v, where)`.
    """

    param: Param
    defaults: Mapping[str, Value | Required]

    def __init__(self, name: str, meaning: str, defaults: Mapping[str, Value | Required], **record):
        object.__setattr__(self, "param", Param(name, meaning, None, **record))
        object.__setattr__(self, "defaults", dict(defaults))

    def __getattr__(self, attr: str):
        if attr in ("param", "defaults") or attr.startswith("__"):  # not yet set (copy, pickle)
            raise AttributeError(attr)
        return getattr(self.param, attr)

    def available(self, flavour: str) -> bool:
        return flavour in self.defaults

    def default(self, flavour: str) -> Value | Required:
        return self.defaults[flavour]


@dataclass(frozen=True)
class Rule:
    """A condition between hyperparameters that one flavour's framework enforces (its
    constructor raises otherwise), e.g. PyTorch's SGD: Nesterov needs momentum > 0.

    `holds` reads every hyperparameter of the flavour (given values, else defaults); `field`
    is the hyperparameter the message is about."""

    flavour: str
    field: str
    holds: Callable[[Mapping[str, Value]], bool]
    message: str


@dataclass(frozen=True)
class OptimizerSpec:
    """An optimizer of the zoo: hyperparameters, equations and constructor calls per flavour.

    `flags` are the boolean hyperparameters; they change the structure of the update, so they
    are part of the compile-cache key, while every numeric hyperparameter is a traced argument.
    """

    id: str
    title: str
    summary: str
    hparams: tuple[HyperParam, ...]
    equations: Mapping[str, str]  # flavour -> LaTeX
    reference: str
    flavour_notes: Mapping[str, str] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()

    @property
    def flavours(self) -> tuple[str, ...]:
        return tuple(f for f in FLAVOURS if f in self.equations)

    def hparam(self, name: str) -> HyperParam:
        for hp in self.hparams:
            if hp.name == name:
                return hp
        raise KeyError(name)

    def hparams_for(self, flavour: str) -> tuple[HyperParam, ...]:
        return tuple(hp for hp in self.hparams if hp.available(flavour))

    def numeric(self, flavour: str) -> tuple[str, ...]:
        return tuple(hp.name for hp in self.hparams_for(flavour) if hp.kind == "float")

    def flags(self, flavour: str) -> tuple[str, ...]:
        return tuple(hp.name for hp in self.hparams_for(flavour) if hp.kind == "bool")

    def resolve(self, flavour: str, given: Mapping[str, Value]) -> dict[str, Value]:
        """Every hyperparameter of this flavour: the given value, else the flavour's default.

        Assumes `given` was validated (names available, REQUIRED ones present).
        """
        return {hp.name: given.get(hp.name, hp.default(flavour)) for hp in self.hparams_for(flavour)}

    def check(self, flavour: str, given: Mapping[str, Value]) -> None:
        """ParamError naming the hyperparameter if the values break a rule of this flavour's
        framework (the values themselves were checked against their records already)."""
        resolved = self.resolve(flavour, given)
        for rule in self.rules:
            if rule.flavour == flavour and not rule.holds(resolved):
                raise ParamError(rule.field, rule.message)


# A schedule's parameter is the plain record (one default for every flavour).
ScheduleParam = Param


@dataclass(frozen=True)
class ScheduleSpec:
    """A learning-rate schedule η(t), t = updates already applied, η0 = the run's learning rate."""

    name: str
    title: str
    formula: str  # LaTeX
    params: tuple[ScheduleParam, ...]
    fn: Callable  # (t, lr0, params: Mapping[str, Array]) -> lr, traceable

    def param(self, name: str) -> ScheduleParam:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def resolve(self, given: Mapping[str, float | bool]) -> dict[str, float | bool]:
        return {p.name: given.get(p.name, p.default) for p in self.params}

