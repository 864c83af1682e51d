"""Checks of user input shared by the scenario's model and its JSON and query forms.

Each returns the checked value or raises ScenarioError naming the field and what is allowed.
Numbers, whole numbers and booleans follow the parameter record's rules (params), so that
every message has one form: `steps: must be a whole number in [1, 100000], got 'many'`.
"""

from __future__ import annotations

import contextlib

import params
from descent.errors import ScenarioError

MAX_START = 1e4

shown = params.shown  # a value as a message quotes it


@contextlib.contextmanager
def from_record():
    """The parameter record's error, as the scenario's (the same field and message)."""
    try:
        yield
    except params.ParamError as e:
        raise ScenarioError(e.field, e.message) from None


def number(value, field_name: str, allowed: str) -> float:
    """A finite float from a JSON number or a query string; ScenarioError otherwise."""
    with from_record():
        return params.finite(value, field_name, allowed)


def integer(value, field_name: str, low: int, high: int) -> int:
    with from_record():
        return params.whole(value, field_name, low, high)


def boolean(value, field_name: str) -> bool:
    with from_record():
        return params.boolean(value, field_name)


def checked(param: params.Param, value, where: str):
    """A landscape's, hyperparameter's or schedule's parameter value, checked by its record."""
    with from_record():
        return param.parse(value, where)


def choice(value, field_name: str, choices, what: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ScenarioError(field_name, f"unknown {what} {shown(value)}; one of {', '.join(choices)}")
    return value


def point(value, field_name: str) -> tuple[float, float]:
    """A start point: two finite numbers within ±MAX_START."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise ScenarioError(field_name, f"must be two numbers [x, y], got {shown(value)}")
    allowed = f"a number in [-{MAX_START:g}, {MAX_START:g}]"
    coords = tuple(number(c, f"{field_name}[{i}]", allowed) for i, c in enumerate(value))
    for i, c in enumerate(coords):
        if abs(c) > MAX_START:
            raise ScenarioError(f"{field_name}[{i}]", f"must be {allowed}, got {shown(c)}")
    return coords


def expect_object(value, where: str, keys: tuple[str, ...]) -> dict:
    """A JSON object whose keys are all among `keys`."""
    if not isinstance(value, dict):
        raise ScenarioError(where, f"must be an object, got {shown(value)}")
    for key in value:
        if key not in keys:
            raise ScenarioError(f"{where}.{key}" if where else str(key), f"unknown field; allowed: {', '.join(keys)}")
    return value
