"""`explain`: one optimizer step of a run, with every number that went into it.

    >>> e = descent.explain(scenario, run=0, step=10)
    >>> e["state_before"]["m"], e["effective_lr"], e["update"], e["next_point"]

The values come from the optimizer's own update function through the seam in
`optimizers.explain` (the update notes its intermediate values; optax's are read from its
state), not from a second implementation of each rule. The trajectory runner records them in
the same compiled step that moves the point (`engine.explained_step`), so `next_point` is the
run's `path[k + 1]` bit for bit, and changing only numbers compiles nothing. `explain_steps`
returns the same values for every step of a run at once (for the per-coordinate step chart).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from descent import engine
from descent.errors import ScenarioError
from descent.runner import as_scenario, packed_values, run_key, step_inputs
from descent.scenario import Scenario


def _checked(scenario, run) -> tuple[Scenario, int]:
    scenario = as_scenario(scenario)
    if isinstance(run, bool) or not isinstance(run, (int, np.integer)) or not 0 <= run < len(scenario.runs):
        raise ScenarioError("run", f"must be a whole number in [0, {len(scenario.runs) - 1}], got {run!r}")
    return scenario, int(run)


def _steps(scenario: Scenario, run: int) -> dict:
    """Every explained step of the run: named values with one row per step (before divergence)."""
    r = scenario.runs[run]
    key = run_key(scenario, r)
    values = packed_values(scenario, r, key)
    table, bad, _ = engine.trajectory(key, values, scenario.start_of(r), scenario.noise.seed, scenario.steps,
                                      engine.DEFAULT_TOLERANCE, step_inputs(scenario))
    n = len(table) if bad is None else bad  # points drawn; steps between them: n − 1
    out = engine.explained_layout(key).unflatten(table[: max(n - 1, 0), engine.COLUMNS :])
    out["point"] = table[: max(n - 1, 0), engine.X : engine.Y + 1]
    out["next_point"] = table[1:n, engine.X : engine.Y + 1]
    out["loss"] = table[: max(n - 1, 0), engine.LOSS]
    out["optimizer"], out["flavour"] = r.optimizer, r.flavour
    return out


def explain(scenario: Scenario | Mapping, run: int = 0, step: int = 0) -> dict:
    """Step `step` of run `run` (from point k to point k + 1), as float32 NumPy values:

    `point`, `gradient` (what the optimizer received: `true_gradient` + `noise`),
    `learning_rate` (the schedule's), `t` (the update count after the step), `state_before` and
    `state_after` (the optimizer's buffers, named as in its equations: `m`, `v` for the Adam
    family, `velocity` for SGD, `accumulator` for Adagrad, ...), bias corrections and the
    per-coordinate `effective_lr` where the optimizer has them, `update` and `next_point`
    (= the run's `path[step + 1]` exactly).

    A step after a run diverged has nothing to explain: ScenarioError names the allowed range.
    """
    scenario, run = _checked(scenario, run)
    steps = _steps(scenario, run)
    n = len(steps["next_point"])
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 0 <= step < n:
        raise ScenarioError("step", f"must be a whole number in [0, {n - 1}], got {step!r}" if n else "the run has no step to explain")
    out = _pick(steps, int(step))
    out["step"] = int(step)
    out["t"] = int(out["t"])
    return out


def _pick(tree, i: int):
    if isinstance(tree, Mapping):
        return {k: _pick(v, i) for k, v in tree.items()}
    if isinstance(tree, str):
        return tree
    return tree[i]


def explain_steps(scenario: Scenario | Mapping, run: int = 0) -> dict:
    """`explain`'s values for every step of a run, each an array with one row per step."""
    scenario, run = _checked(scenario, run)
    return _steps(scenario, run)


def to_json(explained: Mapping) -> dict:
    """Plain JSON: arrays become lists of floats, non-finite values None."""

    def convert(x):
        if isinstance(x, Mapping):
            return {k: convert(v) for k, v in x.items()}
        if isinstance(x, (str, int)) and not isinstance(x, bool):
            return x
        a = np.asarray(x)
        if a.dtype.kind in "iu":
            return a.tolist()
        return _finite(a.astype(float).tolist())

    return convert(explained)


def _finite(x):
    if isinstance(x, list):
        return [_finite(v) for v in x]
    return x if np.isfinite(x) else None


__all__ = ["explain", "explain_steps", "to_json"]
