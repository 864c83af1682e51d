"""Metadata records for optimizers and their hyperparameters (what the UI and validation read)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

FLAVOURS: tuple[str, ...] = ("keras", "pytorch", "optax")
FLAVOUR_TITLES = {"keras": "Keras", "pytorch": "PyTorch", "optax": "optax"}

Value = float | bool


class Required:
    """Marks a hyperparameter that a flavour has no default for (optax's learning_rate)."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = Required()


@dataclass(frozen=True)
class HyperParam:
    """One canonical hyperparameter of one optimizer.

    `defaults` maps each flavour that has the hyperparameter to its default there
    (REQUIRED when the framework has none); a flavour missing from it does not have it.
    `low`/`high` are the values accepted at all (validation); `ui_low`/`ui_high` and `scale`
    are a sensible slider range.
    """

    name: str
    meaning: str
    defaults: Mapping[str, Value | Required]
    kind: str = "float"  # "float" or "bool"
    low: float = 0.0
    high: float = 1.0
    low_open: bool = False
    high_open: bool = False
    ui_low: float = 0.0
    ui_high: float = 1.0
    scale: str = "linear"  # "linear" or "log"
    symbol: str = ""  # LaTeX

    def available(self, flavour: str) -> bool:
        return flavour in self.defaults

    def default(self, flavour: str) -> Value | Required:
        return self.defaults[flavour]

    def allowed(self) -> str:
        """The accepted values, in words, for error messages."""
        if self.kind == "bool":
            return "true or false"
        lo = "(" if self.low_open else "["
        hi = ")" if self.high_open else "]"
        return f"a number in {lo}{_fmt(self.low)}, {_fmt(self.high)}{hi}"

    def accepts(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below


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


@dataclass(frozen=True)
class ScheduleParam:
    name: str
    meaning: str
    default: float | bool
    low: float = 0.0
    high: float = 1e6
    low_open: bool = False
    kind: str = "float"  # "float", "int" (a step count) or "bool"

    def allowed(self) -> str:
        if self.kind == "bool":
            return "true or false"
        lo = "(" if self.low_open else "["
        what = "a whole number" if self.kind == "int" else "a number"
        return f"{what} in {lo}{_fmt(self.low)}, {_fmt(self.high)}]"

    def accepts(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        if self.kind == "int" and value != int(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        return above and value <= self.high


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


def _fmt(x: float) -> str:
    if x == math.inf:
        return "inf"
    return f"{x:g}"
