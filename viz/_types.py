"""The shapes viz reads from the engine, as Protocols: viz takes `descent.Result`, `RunResult`
and `landscapes.Minimum` duck-typed, so it never imports the engine (and with it jax)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Protocol

import numpy as np


class RunLike(Protocol):
    """What viz reads of a `descent.RunResult`."""

    label: str
    optimizer: str
    flavour: str
    status: str  # "ok" or "diverged"
    diverged_at: int | None
    converged_at: int | None
    path: np.ndarray  # (n, 2)
    loss: np.ndarray  # (n,)
    grad_norm: np.ndarray  # (n,)
    learning_rate: np.ndarray  # (n - 1,)


class ResultLike(Protocol):
    """What viz reads of a `descent.Result`: its runs (and, for schedules, `scenario.runs`)."""

    runs: Sequence[RunLike]


class MinimumLike(Protocol):
    """A `landscapes.Minimum`: where, how deep, and whether it is the global one."""

    point: tuple[float, float]
    value: float
    glob: bool


class Minimum(NamedTuple):
    """A known minimum as plain numbers (what viz works with internally)."""

    x: float
    y: float
    value: float
    is_global: bool
    found: bool = False  # found numerically (a typed formula), not known in closed form


def plain_minima(minima: Sequence[MinimumLike | Mapping[str, Any]] | None) -> list[Minimum]:
    """Minima as `Minimum` tuples. Accepts `landscapes.Minimum`-like objects (point, value,
    glob) and the catalogue's dicts ({"point", "value", "global"}), so the UI can pass either."""
    plain = []
    for m in minima or ():
        if isinstance(m, Mapping):
            point, value = m["point"], m["value"]
            is_global = m.get("global", m.get("glob", True))
            found = m.get("found", False)
        else:
            point, value, is_global = m.point, m.value, getattr(m, "glob", True)
            found = getattr(m, "found", False)
        plain.append(Minimum(float(point[0]), float(point[1]), float(value), bool(is_global), bool(found)))
    return plain


def global_minimum_value(minima: Sequence[Minimum]) -> float | None:
    """f* — the lowest value among the global minima; None when no global minimum is known."""
    values = [m.value for m in minima if m.is_global]
    return min(values) if values else None


class Surface(NamedTuple):
    """`descent.surface(...)`'s (xs, ys, z): z[i, j] = f(xs[j], ys[i])."""

    xs: np.ndarray
    ys: np.ndarray
    z: np.ndarray


def as_surface(surface: Sequence[np.ndarray]) -> Surface:
    """The (xs, ys, z) triple as float arrays, shapes checked (z is len(ys) × len(xs))."""
    xs, ys, z = (np.asarray(a, dtype=np.float64) for a in surface)
    if xs.ndim != 1 or ys.ndim != 1 or z.shape != (len(ys), len(xs)):
        raise ValueError(f"surface must be (xs, ys, z) with z of shape (len(ys), len(xs)); got {xs.shape}, {ys.shape}, {z.shape}")
    return Surface(xs, ys, z)
