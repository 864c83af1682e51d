"""One record for a numeric or boolean parameter: of a landscape, an optimizer, a schedule, a scene.

    >>> kappa = Param("kappa", "condition number", 10.0, 1.0, 1000.0, scale="log", symbol=r"\\kappa")
    >>> kappa.parse("50", "landscape.params.kappa")
    50.0
    >>> kappa.parse(0.5, "landscape.params.kappa")
    Traceback (most recent call last):
    ...
    params.ParamError: landscape.params.kappa: must be a number in [1, 1000], got 0.5

The record says what a value may be (its kind and range, open or closed at each end), how it is
shown (a LaTeX symbol, a linear or log slider over [ui_low, ui_high]) and what it means. `parse`
is the one check of user input against it (a JSON value or the text of a URL query parameter):
every message names the field and the allowed values. It sits below landscapes/ and optimizers/
and imports nothing of the project, so every layer may use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Value = float | int | bool

KINDS = ("float", "int", "bool")
SCALES = ("linear", "log")


class ParamError(ValueError):
    """A value a Param does not accept: `field: must be a number in [0, 1], got 'abc'`."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


@dataclass(frozen=True)
class Param:
    """A parameter: name, meaning, default, the accepted range and how a slider shows it.

    `low`/`high` bound the values accepted at all (`low_open`/`high_open`: the bound itself is
    not); `ui_low`/`ui_high` (default: the accepted range) and `scale` are a sensible slider.
    `kind` is "float", "int" (a whole number, e.g. a step count) or "bool". `default` is None
    where the default depends on something else (an optimizer's flavour: optimizers.HyperParam).
    """

    name: str
    meaning: str = ""
    default: Value | None = None
    low: float = 0.0
    high: float = 1.0
    low_open: bool = False
    high_open: bool = False
    kind: str = "float"
    scale: str = "linear"
    symbol: str = ""  # LaTeX
    ui_low: float | None = None
    ui_high: float | None = None

    def __post_init__(self):
        if self.kind not in KINDS or self.scale not in SCALES:
            raise ValueError(f"{self.name}: kind must be one of {KINDS} and scale one of {SCALES}")
        if self.ui_low is None:
            object.__setattr__(self, "ui_low", self.low)
        if self.ui_high is None:
            object.__setattr__(self, "ui_high", self.high)

    def allowed(self) -> str:
        """The accepted values, in words, for messages: "a number in (0, 100]"."""
        if self.kind == "bool":
            return "true or false"
        lo = "(" if self.low_open else "["
        hi = ")" if self.high_open else "]"
        what = "a whole number" if self.kind == "int" else "a number"
        return f"{what} in {lo}{_fmt(self.low)}, {_fmt(self.high)}{hi}"

    def accepts(self, value: float) -> bool:
        """Whether a number is in range (and whole, for an "int")."""
        if not math.isfinite(value):
            return False
        if self.kind == "int" and value != int(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below

    def parse(self, value, where: str | None = None) -> Value:
        """The value checked and converted (float, int or bool) from a JSON value or query text;
        ParamError naming `where` (default: the name) and the allowed values otherwise."""
        where = self.name if where is None else where
        if self.kind == "bool":
            return boolean(value, where)
        number = finite(value, where, self.allowed())
        if not self.accepts(number):
            raise ParamError(where, f"must be {self.allowed()}, got {shown(value)}")
        return int(number) if self.kind == "int" else number


def finite(value, where: str, allowed: str) -> float:
    """A finite float from a JSON number or a text; ParamError saying `allowed` otherwise."""
    if isinstance(value, bool):
        raise ParamError(where, f"must be {allowed}, got {shown(value)}")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise ParamError(where, f"must be {allowed}, got {shown(value)}") from None
    else:
        raise ParamError(where, f"must be {allowed}, got {shown(value)}")
    if not math.isfinite(number):
        raise ParamError(where, f"must be {allowed}, got {shown(value)}")
    return number


def whole(value, where: str, low: int, high: int) -> int:
    """A whole number in [low, high] (a step count, a seed, a size)."""
    return Param(where, default=low, low=low, high=high, kind="int").parse(value, where)


def boolean(value, where: str) -> bool:
    """true/false from a JSON boolean or the text "true"/"false" (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ParamError(where, f"must be true or false, got {shown(value)}")


def shown(value) -> str:
    """A value as a message quotes it, at most 40 characters."""
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _fmt(x: float) -> str:
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)  # 2147483647, not 2.14748e+09
    if x == math.inf:
        return "inf"
    return f"{x:g}"


__all__ = ["Param", "ParamError", "Value", "boolean", "finite", "shown", "whole"]
