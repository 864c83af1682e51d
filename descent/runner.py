"""`run` and `sweep`: from a Scenario to NumPy results, through the jitted engine."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np

import optimizers
from descent import engine, minibatch
from descent.errors import ScenarioError
from descent.result import Result, RunResult, SweepResult
from descent.scenario import MAX_START, Run, Scenario, auto_label

MAX_SWEEP_TRAJECTORIES = 1_000_000


def as_scenario(scenario: Scenario | Mapping) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Mapping):
        return Scenario.from_json(dict(scenario))
    raise ScenarioError("", f"expected a Scenario or its JSON dict, got {type(scenario).__name__}")


def run_key(scenario: Scenario, run: Run, hparams: Mapping | None = None) -> engine.RunKey:
    spec = optimizers.get(run.optimizer)
    hp = hparams if hparams is not None else run.resolved_hparams()
    return engine.RunKey(
        landscape=scenario.landscape_spec.structural,
        optimizer=run.optimizer,
        flavour=run.flavour,
        flags=tuple((name, bool(hp[name])) for name in spec.flags(run.flavour)),
        schedule=run.schedule.name,
    )


def packed_values(scenario: Scenario, run: Run, key: engine.RunKey, hparams: Mapping | None = None) -> np.ndarray:
    return engine.pack(
        key,
        hparams if hparams is not None else run.resolved_hparams(),
        run.schedule.resolved(),
        scenario.resolved_landscape_params(),
        scenario.noise.scale,
    )


def run_one(scenario: Scenario, run: Run, tol: float = engine.DEFAULT_TOLERANCE) -> RunResult:
    hparams = run.resolved_hparams()
    key = run_key(scenario, run, hparams)
    noise = scenario.noise
    values = packed_values(scenario, run, key, hparams)
    table, bad, near = engine.trajectory(key, values, scenario.start_of(run), noise.seed, scenario.steps, tol, step_inputs(scenario))
    # The explained columns stay behind (descent.explain recomputes them): results are cached.
    table = np.ascontiguousarray(table[:, : engine.COLUMNS])
    table.setflags(write=False)  # results are shared (caches, sessions): nobody may change them
    n = len(table) if bad is None else bad
    if scenario.formula is not None or scenario.dataset is not None:
        # A formula's (or a data set's) minima depend on its numbers, which the compiled code does not see as
        # constants: the first point near a found minimum is looked up here instead.
        near = _first_near(table[:n, engine.X : engine.Y + 1], scenario.landscape_spec.minima, tol)
    has_first = not np.isnan(table[0, engine.M1X])
    has_second = not np.isnan(table[0, engine.M2X])
    return RunResult(
        label=run.label or auto_label(run, hparams),
        optimizer=run.optimizer,
        flavour=run.flavour,
        status="ok" if bad is None else "diverged",
        diverged_at=bad,
        converged_at=near,
        path=table[:n, engine.X : engine.Y + 1],
        loss=table[:n, engine.LOSS],
        grad_norm=table[:n, engine.GRAD_NORM],
        learning_rate=table[: max(n - 1, 0), engine.LR],
        first_moment=table[:n, engine.M1X : engine.M1Y + 1] if has_first else None,
        second_moment=table[:n, engine.M2X : engine.M2Y + 1] if has_second else None,
    )


def step_inputs(scenario: Scenario):
    """A data landscape's per-step inputs for the engine: each step's minibatch weights over the
    data (the whole data when the scenario has no minibatch); zeros in place of the Gaussian
    noise when σ = 0; None (the Gaussian noise ξ) otherwise."""
    if scenario.dataset is None:
        # σ·ξ is exactly 0 whatever ξ is: drawing ξ would cost a new server its first page a
        # compilation (about 0.15 s) for nothing. The zeros have ξ's shape and type, so turning
        # the noise on still compiles nothing.
        return engine.no_noise if scenario.noise.sigma == 0 else None
    n, bucket = scenario.data_size, scenario.landscape_spec.data_size
    if scenario.minibatch is None:
        return lambda size, index: minibatch.full_batch_chunk(n, bucket, size)
    return lambda size, index: minibatch.weights_chunk(scenario.minibatch, n, bucket, size, index)


def data(scenario: Scenario | Mapping) -> dict:
    """A data landscape's data as {"x": [...], "y": [...]} (ScenarioError for other landscapes)."""
    scenario = as_scenario(scenario)
    if scenario.dataset is None:
        raise ScenarioError("landscape", "not a data landscape (give {\"dataset\": ..., \"model\": ...})")
    block = scenario.landscape_spec.data
    n = scenario.data_size
    return {"x": [float(v) for v in block[0, :n]], "y": [float(v) for v in block[1, :n]]}


def known_minima(scenario: Scenario) -> np.ndarray:
    """The scenario's known minima as (k, 2) float32: the landscape's, a typed formula's found
    minima or a data landscape's computed one (the same that `run_one` checks against)."""
    return np.asarray([m.point for m in scenario.landscape_spec.minima], np.float32).reshape(-1, 2)


def _first_near(path: np.ndarray, minima, tol: float) -> int | None:
    if not minima or len(path) == 0:
        return None
    points = np.asarray([m.point for m in minima], np.float32)
    d2 = ((path[:, None, :] - points[None, :, :]) ** 2).sum(-1).min(axis=1)
    hits = np.flatnonzero(d2 <= tol * tol)
    return int(hits[0]) if len(hits) else None


def _check_starts(starts) -> np.ndarray:
    """An (n, 2) float array of start points, each coordinate finite and within ±MAX_START."""
    try:
        array = np.asarray(starts, dtype=np.float64)
    except (TypeError, ValueError):
        raise ScenarioError("starts", "must be a list of [x, y] points (numbers)") from None
    if array.ndim != 2 or array.shape[1] != 2 or array.shape[0] == 0:
        raise ScenarioError("starts", f"must be a non-empty list of [x, y] points, got shape {array.shape}")
    bad = ~(np.abs(array) <= MAX_START)  # also catches NaN
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ScenarioError(f"starts[{i}][{j}]", f"must be a number in [-{MAX_START:g}, {MAX_START:g}], got {array[i, j]}")
    return array


def run(scenario: Scenario | Mapping, tol: float = engine.DEFAULT_TOLERANCE) -> Result:
    """Every run of the scenario, each one jitted `lax.scan` in float32."""
    scenario = as_scenario(scenario)
    return Result(scenario, tuple(run_one(scenario, r, tol) for r in scenario.runs))


def sweep(
    scenario: Scenario | Mapping,
    grid: Mapping[str, Sequence[float]] | None = None,
    starts: Sequence[Sequence[float]] | None = None,
    tol: float = engine.DEFAULT_TOLERANCE,
    progress=None,
) -> SweepResult:
    """Many trajectories of a one-run scenario in one compiled, vmapped call.

    `starts` ([[x, y], ...]) and `grid` ({hyperparameter: [values]}) span the batch; results
    have shape (len(starts), len(values1), len(values2), ...), without the starts axis when
    `starts` is None. Every trajectory sees the same noise sequence. `minimum` holds the index
    of the landscape's known minimum (`landscape.minima`) each run ended within `tol` of, -1 for
    none. `progress(done, total)` is called as the batches of trajectories advance.
    """
    scenario = as_scenario(scenario)
    if len(scenario.runs) != 1:
        raise ScenarioError("runs", f"a sweep takes a scenario with exactly one run, got {len(scenario.runs)}")
    run_ = scenario.runs[0]
    spec = optimizers.get(run_.optimizer)
    grid = dict(grid or {})
    axes_values: list[list[float]] = []
    for name, values in grid.items():
        where = f"grid.{name}"
        if name not in spec.numeric(run_.flavour):
            allowed = ", ".join(spec.numeric(run_.flavour))
            raise ScenarioError(where, f"not a numeric hyperparameter of {spec.title} ({run_.flavour}); one of {allowed}")
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or len(values) == 0:
            raise ScenarioError(where, "must be a non-empty list of numbers")
        checked = []
        for i, v in enumerate(values):
            # Validate through the Run model so the messages match a scenario's.
            try:
                Run(run_.optimizer, run_.flavour, {**dict(run_.hparams), name: v}, run_.schedule)
            except ScenarioError as e:
                raise ScenarioError(f"{where}[{i}]", e.message) from None
            checked.append(float(v))
        axes_values.append(checked)

    if starts is None:
        start_list = np.asarray([scenario.start_of(run_)], np.float64)
    else:
        start_list = _check_starts(starts)
    total = len(start_list) * int(np.prod([len(v) for v in axes_values], dtype=np.int64))
    if total > MAX_SWEEP_TRAJECTORIES:
        raise ScenarioError("grid", f"at most {MAX_SWEEP_TRAJECTORIES:,} trajectories per sweep, got {total:,}")

    key = run_key(scenario, run_)
    minima = known_minima(scenario)
    names = tuple(grid)
    products = list(itertools.product(*axes_values))
    combos = np.asarray(products, np.float64).reshape(len(products), len(names))
    columns = []
    for j, name in enumerate(names):
        columns.append(combos[:, j])
        if name in optimizers.DECAY_RATES:
            columns.append(1.0 - combos[:, j])  # the complement, in float64 (see optimizers.decay)
    per_combo = np.stack(columns, axis=1) if columns else np.zeros((len(combos), 0))
    p, loss, hit, diverged = engine.sweep(
        key,
        packed_values(scenario, run_, key),
        names,
        np.tile(per_combo, (len(start_list), 1)),
        np.repeat(np.asarray(start_list, np.float32), len(combos), axis=0),
        scenario.noise.seed,
        scenario.steps,
        tol,
        progress,
        step_inputs(scenario),
        minima,
    )

    shape = ((len(start_list),) if starts is not None else ()) + tuple(len(v) for v in axes_values)
    axes = (("start",) if starts is not None else ()) + tuple(names)
    coords = {name: np.asarray(v) for name, v in zip(names, axes_values)}
    if starts is not None:
        coords["start"] = np.asarray(start_list)
    return SweepResult(
        axes=axes,
        coords=coords,
        final_point=p.reshape(shape + (2,)),
        final_loss=loss.reshape(shape),
        steps_to_converge=hit.reshape(shape),
        diverged=diverged.reshape(shape),
        minimum=engine.reached_minimum(p, minima, tol).reshape(shape),
    )


__all__ = ["run", "sweep", "surface", "landscape_grid", "formula_grid", "as_scenario", "data", "MAX_START"]


def surface(scenario: Scenario | Mapping, resolution: int = 120, bounds=None):
    """The scenario's landscape on a grid, for contour and surface plots.

    Returns (xs, ys, z) as NumPy arrays, z[i, j] = f(xs[j], ys[i]); `bounds` (x0, x1, y0, y1)
    defaults to the landscape's plotting domain. Compiled once per landscape and resolution.
    """
    scenario = as_scenario(scenario)
    if scenario.dataset is not None:
        ls = scenario.landscape_spec
        (x0, x1), (y0, y1) = ls.domain
        bounds = (x0, x1, y0, y1) if bounds is None else tuple(float(b) for b in bounds)
        return engine.data_surface(ls.structural, ls.data, bounds, resolution)
    if scenario.formula is not None:
        return formula_grid(scenario.formula, scenario.domain, resolution, bounds)
    return landscape_grid(scenario.landscape, scenario.landscape_params, resolution, bounds)


def formula_grid(text: str, domain=None, resolution: int = 120, bounds=None):
    """`surface` for a typed formula over its domain (ScenarioError for a bad formula).
    Compiled once per formula structure and resolution: the numbers and the domain are values."""
    scenario = Scenario("formula", (Run("sgd"),), formula=text, domain=domain)
    if isinstance(resolution, bool) or not isinstance(resolution, int) or not 2 <= resolution <= 1000:
        raise ScenarioError("resolution", f"must be a whole number in [2, 1000], got {resolution}")
    (x0, x1), (y0, y1) = scenario.domain
    bounds = (x0, x1, y0, y1) if bounds is None else tuple(float(b) for b in bounds)
    return engine.surface(scenario.landscape_spec.structural, scenario.resolved_landscape_params(), bounds, resolution)


def landscape_grid(landscape_id: str, params: Mapping | None = None, resolution: int = 120, bounds=None):
    """`surface` for a landscape id and its parameters (validated like a scenario's)."""
    scenario = Scenario(landscape_id, (Run("sgd"),), landscape_params=dict(params or {}))
    if isinstance(resolution, bool) or not isinstance(resolution, int) or not 2 <= resolution <= 1000:
        raise ScenarioError("resolution", f"must be a whole number in [2, 1000], got {resolution}")
    (x0, x1), (y0, y1) = scenario.landscape_spec.domain
    bounds = (x0, x1, y0, y1) if bounds is None else tuple(float(b) for b in bounds)
    return engine.surface(scenario.landscape_spec.structural, scenario.resolved_landscape_params(), bounds, resolution)
