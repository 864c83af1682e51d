"""What a run produces: NumPy arrays per trajectory, a status, and a JSON form."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from descent.scenario import Scenario


@dataclass(frozen=True)
class RunResult:
    """One trajectory. Per-point arrays have one row per point of `path` (start first);
    `learning_rate[k]` is the rate used for the update from point k to point k + 1.

    `first_moment` / `second_moment` are the optimizer's own buffers as its flavour stores
    them (row k: the state that produced point k; None when the optimizer has none): Keras's
    SGD velocity is learning-rate-scaled and points downhill, PyTorch's momentum buffer is an
    unscaled sum of gradients.
    """

    label: str
    optimizer: str
    flavour: str
    status: str  # "ok" or "diverged"
    diverged_at: int | None  # index of the first bad point; the path stops before it
    converged_at: int | None  # first point within tolerance of a known minimum
    path: np.ndarray  # (n, 2)
    loss: np.ndarray  # (n,)
    grad_norm: np.ndarray  # (n,) norm of the true gradient ∇f (without noise)
    learning_rate: np.ndarray  # (n - 1,)
    first_moment: np.ndarray | None  # (n, 2)
    second_moment: np.ndarray | None  # (n, 2)

    @property
    def final_point(self) -> np.ndarray:
        return self.path[-1]

    @property
    def final_loss(self) -> float:
        return float(self.loss[-1])

    @property
    def steps_taken(self) -> int:
        return len(self.path) - 1

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "optimizer": self.optimizer,
            "flavour": self.flavour,
            "status": self.status,
            "diverged_at": self.diverged_at,
            "path": _plain(self.path),
            "loss": _plain(self.loss),
            "grad_norm": _plain(self.grad_norm),
            "learning_rate": _plain(self.learning_rate),
        }


@dataclass(frozen=True)
class Result:
    scenario: Scenario
    runs: tuple[RunResult, ...]

    def to_json(self) -> dict:
        return {"runs": [r.to_json() for r in self.runs]}

    # In a notebook a Result shows its animated map (descent.notebook imports plotly only then).
    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        from descent import notebook

        return notebook.mimebundle(self)

    def _repr_html_(self) -> str:
        from descent import notebook

        return notebook.table_html(self)


@dataclass(frozen=True)
class SweepResult:
    """Arrays of shape `shape`: one axis for starts (when given), then one per grid entry."""

    axes: tuple[str, ...]
    coords: dict  # axis name -> the values along it (starts: an (n, 2) array)
    final_point: np.ndarray  # shape + (2,), NaN where diverged
    final_loss: np.ndarray  # NaN where diverged
    steps_to_converge: np.ndarray  # int, -1 where never within tolerance
    diverged: np.ndarray  # bool
    minimum: np.ndarray | None = None  # int: index into the landscape's minima reached, -1 none

    @property
    def shape(self) -> tuple[int, ...]:
        return self.diverged.shape


def _plain(array: np.ndarray) -> list:
    """Nested lists of Python floats, each the shortest decimal that reads back as the same
    float32 (1.49, not 1.4900000095367432); non-finite values become None (JSON has no NaN)."""
    values = np.asarray(array, dtype=np.float32).astype(str).astype(np.float64)
    if np.all(np.isfinite(values)):
        return values.tolist()
    return [_plain(row) if np.ndim(row) else (float(row) if math.isfinite(row) else None) for row in values]
