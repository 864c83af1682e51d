"""The results table: one row per run, plain Python values, for `st.dataframe`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from viz._types import plain_minima
from viz.style import status_text

if TYPE_CHECKING:
    from viz._types import MinimumLike, ResultLike

# Column names, in order (also the keys of each row).
COLUMNS: tuple[str, ...] = (
    "run", "optimizer", "flavour", "status", "final x", "final y", "final loss",
    "distance to nearest minimum", "steps to converge",
)


def results_table(result: ResultLike, minima: Sequence[MinimumLike | Mapping[str, Any]] | None = ()) -> list[dict]:
    """One dict per run (keys: COLUMNS). status is "ok" or "diverged at step k"; final x, y and
    loss are the last finite point's; the distance is to the nearest known minimum, global or
    local (None when none is known); steps to converge is `converged_at` (None: never)."""
    known = plain_minima(minima)
    rows = []
    for run in result.runs:
        has_point = len(run.path) > 0
        x, y = (float(run.path[-1][0]), float(run.path[-1][1])) if has_point else (None, None)
        distance = None
        if known and x is not None:
            distance = min(math.hypot(x - m.x, y - m.y) for m in known)
        rows.append({
            "run": run.label,
            "optimizer": run.optimizer,
            "flavour": run.flavour,
            "status": status_text(run),
            "final x": x,
            "final y": y,
            "final loss": float(run.loss[-1]) if has_point else None,
            "distance to nearest minimum": distance,
            "steps to converge": None if run.converged_at is None else int(run.converged_at),
        })
    return rows
