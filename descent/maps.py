"""Maps from thousands of runs at once: hyperparameter maps, basins of attraction, a fair race.

Each map is one `descent.sweep` of one run of a scenario (one compiled, vmapped call per batch
of trajectories, see `engine.sweep`), returned as a small typed record of NumPy arrays:

- `hyperparameter_map`: two numeric hyperparameters of a run on a grid (log-spaced where asked);
  per cell the final loss, the steps to converge, divergence and the minimum reached.
- `basin_map`: a grid of starts over the landscape's domain; per start the known minimum the run
  reaches (or, where no minima are known, the cluster of end points it joins), steps, divergence.
- `tune_learning_rates`: each run's learning rate over a log grid on the very same scene (the
  same noise), and the best by a stated criterion (`CRITERION`).

Every cell stands for exactly the single run `descent.run` computes with those values: the sweep
steps through the same function (`engine.advance`); tests recompute sampled cells.
Only values travel into the compiled code, so new ranges, starts or rates compile nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

import optimizers
from descent import engine
from descent.errors import ScenarioError
from descent.result import _plain
from descent.runner import as_scenario, known_minima, sweep
from descent.scenario import Run, Scenario

MAX_MAP_SIDE = 200  # cells per hyperparameter axis
MAX_BASIN_SIDE = 512  # starts per side of a basin map
MAX_TUNING_RATES = 256
MIN_TUNING_RATES = 2
DEFAULT_TUNING_RATES = 48

# The tuning's choice, stated: final losses (as gaps to the landscape's lowest known minimum)
# that agree within these bounds are ties, and a tie goes to the run that converged in fewer
# steps (never converged counts as last), then to the lower loss, then to the lower rate.
TIE_ABSOLUTE = 1e-9
TIE_RELATIVE = 1e-4
CRITERION = ("lowest final loss (as the gap to the lowest known minimum); losses within 1e-4 "
             "(relative) or 1e-9 (absolute) of each other tie, and a tie goes to fewer steps to converge")  # fmt: skip

# Cells of a map: what happened to the run each one stands for.
CONVERGED, NOT_CONVERGED, DIVERGED = 0, 1, 2


@dataclass(frozen=True)
class Axis:
    """One axis of a hyperparameter map: `n` values of `name` from `low` to `high`, evenly
    spaced, or geometrically when `log`."""

    name: str
    low: float
    high: float
    n: int
    log: bool = False

    @property
    def values(self) -> np.ndarray:
        if self.log:
            return np.geomspace(self.low, self.high, self.n)
        return np.linspace(self.low, self.high, self.n)


def default_axis(scenario: Scenario | Mapping, name: str, n: int = 64, run: int = 0, where: str = "x") -> Axis:
    """An axis over a hyperparameter's slider range (log-spaced where its slider is); errors
    name the field as `where` (x or y)."""
    scenario = as_scenario(scenario)
    one = _one_run(scenario, run)
    axis = _axis(one, name, where)
    return _axis(one, Axis(axis.name, axis.low, axis.high, n, axis.log), where)


@dataclass(frozen=True)
class HyperparameterMap:
    """A run over a grid of two of its hyperparameters. Arrays are (len(ys), len(xs)), row i
    for ys[i] (a single row when the map has one axis, `y` None)."""

    scenario: Scenario  # the one-run scenario every cell varies
    x: Axis
    y: Axis | None
    xs: np.ndarray
    ys: np.ndarray
    final_loss: np.ndarray  # NaN where diverged
    steps_to_converge: np.ndarray  # -1: never within tolerance of a known minimum
    diverged: np.ndarray
    minimum: np.ndarray  # index into the landscape's minima, -1 none
    current: tuple[float, float | None]  # the run's own values of x and y
    floor: float  # the lowest known minimum's value (0 when none is known): loss gaps are over it

    @property
    def status(self) -> np.ndarray:
        """CONVERGED, NOT_CONVERGED or DIVERGED per cell."""
        return np.where(self.diverged, DIVERGED, np.where(self.steps_to_converge >= 0, CONVERGED, NOT_CONVERGED))

    @property
    def gap(self) -> np.ndarray:
        """Final loss minus the lowest known minimum (≥ 0 up to rounding)."""
        return self.final_loss - self.floor

    def to_json(self) -> dict:
        """Plain JSON (NaN as null): axes, per-cell arrays (rows are y), the current values."""
        axes = {"x": {"name": self.x.name, "log": self.x.log, "values": _plain(self.xs)}}
        if self.y is not None:
            axes["y"] = {"name": self.y.name, "log": self.y.log, "values": _plain(self.ys)}
        return {"kind": "hyper", **axes, "current": list(self.current), "floor": self.floor,
                "final_loss": _plain(self.final_loss), "steps_to_converge": self.steps_to_converge.tolist(),
                "diverged": self.diverged.tolist(), "minimum": self.minimum.tolist()}  # fmt: skip

    def values_at(self, i: int, j: int) -> dict[str, float]:
        """The hyperparameters of cell (row i, column j)."""
        values = {self.x.name: float(self.xs[j])}
        if self.y is not None:
            values[self.y.name] = float(self.ys[i])
        return values


@dataclass(frozen=True)
class BasinMap:
    """Where a run ends from each start of a grid over the domain. Arrays are (len(ys), len(xs))."""

    scenario: Scenario
    xs: np.ndarray
    ys: np.ndarray
    basin: np.ndarray  # index into `minima`, -1 for none (diverged or not converged)
    steps_to_converge: np.ndarray
    diverged: np.ndarray
    final_point: np.ndarray  # (..., 2), NaN where diverged
    minima: np.ndarray  # (k, 2): the landscape's known minima, or the end points' clusters
    found: bool  # True when `minima` were found (a typed formula's numerically, or clusters of end points)

    @property
    def status(self) -> np.ndarray:
        return np.where(self.diverged, DIVERGED, np.where(self.basin >= 0, CONVERGED, NOT_CONVERGED))

    def to_json(self) -> dict:
        return {"kind": "basin", "xs": _plain(self.xs), "ys": _plain(self.ys), "minima": _plain(self.minima),
                "found": self.found, "basin": self.basin.tolist(), "steps_to_converge": self.steps_to_converge.tolist(),
                "diverged": self.diverged.tolist()}  # fmt: skip


@dataclass(frozen=True)
class Tuning:
    """Each run's learning rate over one log grid; arrays are (runs, len(rates))."""

    scenario: Scenario
    rates: np.ndarray
    labels: tuple[str, ...]
    final_loss: np.ndarray  # NaN where diverged
    steps_to_converge: np.ndarray
    diverged: np.ndarray
    best: np.ndarray  # per run, the index into `rates` chosen by CRITERION; -1 when all diverged
    floor: float

    @property
    def best_rates(self) -> tuple[float | None, ...]:
        return tuple(float(self.rates[b]) if b >= 0 else None for b in self.best)

    def to_json(self) -> dict:
        runs = [{"label": label, "best_rate": rate, "final_loss": _plain(self.final_loss[i]),
                 "steps_to_converge": self.steps_to_converge[i].tolist(), "diverged": self.diverged[i].tolist()}
                for i, (label, rate) in enumerate(zip(self.labels, self.best_rates))]  # fmt: skip
        return {"kind": "tune", "criterion": CRITERION, "rates": _plain(self.rates), "floor": self.floor, "runs": runs}

    def applied(self) -> Scenario:
        """The scenario with each run's chosen learning rate (runs whose every rate diverged
        keep their own)."""
        runs = []
        for run, rate in zip(self.scenario.runs, self.best_rates):
            if rate is not None:
                run = replace(run, hparams={**dict(run.hparams), "learning_rate": rate})
            runs.append(run)
        return replace(self.scenario, runs=tuple(runs))


# -- the maps -------------------------------------------------------------------------------------


def hyperparameter_map(
    scenario: Scenario | Mapping,
    run: int = 0,
    x: Axis | Sequence | str = "learning_rate",
    y: Axis | Sequence | str | None = None,
    steps: int | None = None,
    progress=None,
    tol: float = engine.DEFAULT_TOLERANCE,
) -> HyperparameterMap:
    """Run `run` of the scenario over an x × y grid of its numeric hyperparameters.

    `x` and `y` are `Axis`es, tuples (name, low, high, n, log) or just a name (its slider range,
    64 values). Up to MAX_MAP_SIDE values per axis; `steps` overrides the scenario's.
    """
    scenario = _with_steps(as_scenario(scenario), steps)
    one = _one_run(scenario, run)
    run_ = one.runs[0]
    x_axis = _axis(one, x, "x")
    y_axis = None if y is None else _axis(one, y, "y")
    if y_axis is not None and y_axis.name == x_axis.name:
        raise ScenarioError("y.name", f"must differ from x ({x_axis.name})")
    grid = {x_axis.name: x_axis.values.tolist()}
    if y_axis is not None:
        grid = {y_axis.name: y_axis.values.tolist()} | grid  # rows are y, columns x
    result = sweep(one, grid=grid, tol=tol, progress=progress)
    shape = (1, x_axis.n) if y_axis is None else (y_axis.n, x_axis.n)
    hp = run_.resolved_hparams()
    return HyperparameterMap(
        scenario=one,
        x=x_axis,
        y=y_axis,
        xs=x_axis.values,
        ys=y_axis.values if y_axis is not None else np.zeros(1),
        final_loss=result.final_loss.reshape(shape),
        steps_to_converge=result.steps_to_converge.reshape(shape),
        diverged=result.diverged.reshape(shape),
        minimum=result.minimum.reshape(shape),
        current=(float(hp[x_axis.name]), None if y_axis is None else float(hp[y_axis.name])),
        floor=_floor(one),
    )


def basin_map(
    scenario: Scenario | Mapping,
    run: int = 0,
    resolution: int = 128,
    bounds: Sequence[float] | None = None,
    steps: int | None = None,
    progress=None,
    tol: float = engine.DEFAULT_TOLERANCE,
) -> BasinMap:
    """Run `run` of the scenario from each start of a resolution × resolution grid over the
    landscape's domain (or `bounds` (x0, x1, y0, y1)); which minimum each start ends at.

    Where the landscape knows no minima, the end points are clustered into found minima
    (`cluster_end_points`) and a start's basin is the cluster its end point joins.
    """
    scenario = _with_steps(as_scenario(scenario), steps)
    one = _one_run(scenario, run)
    resolution = _whole(resolution, "resolution", 2, MAX_BASIN_SIDE)
    (x0, x1), (y0, y1) = one.landscape_spec.domain
    if bounds is not None:
        try:
            x0, x1, y0, y1 = (float(b) for b in bounds)
        except (TypeError, ValueError):
            raise ScenarioError("bounds", "must be four numbers x0, x1, y0, y1") from None
        if not (np.isfinite([x0, x1, y0, y1]).all() and x0 < x1 and y0 < y1):
            raise ScenarioError("bounds", "must be finite with x0 < x1 and y0 < y1")
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    starts = np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2)
    result = sweep(one, starts=starts, tol=tol, progress=progress)
    shape = (resolution, resolution)
    known = known_minima(one)
    basin = result.minimum
    clustered = len(known) == 0
    if clustered:
        known = cluster_end_points(result.final_point, one.landscape_spec.domain)
        basin = _nearest(result.final_point, known, _cluster_radius(one.landscape_spec.domain))
    return BasinMap(
        scenario=one,
        xs=xs,
        ys=ys,
        basin=basin.reshape(shape),
        steps_to_converge=result.steps_to_converge.reshape(shape),
        diverged=result.diverged.reshape(shape),
        final_point=result.final_point.reshape(shape + (2,)),
        minima=np.asarray(known, np.float64).reshape(-1, 2),
        # A typed formula's minima were found numerically; clusters were found from the runs.
        found=clustered or any(m.found for m in one.landscape_spec.minima),
    )


def tune_learning_rates(
    scenario: Scenario | Mapping,
    low: float = 1e-4,
    high: float = 1.0,
    n: int = DEFAULT_TUNING_RATES,
    steps: int | None = None,
    progress=None,
    tol: float = engine.DEFAULT_TOLERANCE,
) -> Tuning:
    """Every run's learning rate over n log-spaced values in [low, high] on this very scene (its
    start, steps and noise sequence), and each run's best by CRITERION."""
    scenario = _with_steps(as_scenario(scenario), steps)
    n = _whole(n, "n", MIN_TUNING_RATES, MAX_TUNING_RATES)
    for field, value in (("low", low), ("high", high)):
        for i, run_ in enumerate(scenario.runs):
            _check_value(run_, "learning_rate", value, field)
    if not float(low) < float(high):
        raise ScenarioError("high", f"must be above low ({float(low):g}), got {float(high):g}")
    rates = np.geomspace(float(low), float(high), n)
    shape = (len(scenario.runs), n)
    final_loss, steps_, diverged = np.full(shape, np.nan), np.full(shape, -1), np.zeros(shape, bool)
    runs = len(scenario.runs)
    for i in range(runs):
        def report(done, total, i=i):
            if progress is not None:
                progress(i * total + done, runs * total)

        one = _one_run(scenario, i)
        result = sweep(one, grid={"learning_rate": rates.tolist()}, tol=tol, progress=report)
        final_loss[i], steps_[i], diverged[i] = result.final_loss, result.steps_to_converge, result.diverged
    floor = _floor(scenario)
    best = np.asarray([choose_best(final_loss[i] - floor, steps_[i]) for i in range(runs)], np.int32)
    return Tuning(scenario, rates, tuple(r.display_label for r in scenario.runs), final_loss, steps_, diverged, best, floor)


def choose_best(gap: np.ndarray, steps: np.ndarray) -> int:
    """The index CRITERION picks from final-loss gaps (NaN: diverged) and steps to converge
    (-1: never); -1 when every value diverged."""
    gap = np.asarray(gap, np.float64)
    finite = np.isfinite(gap)
    if not finite.any():
        return -1
    lowest = np.min(gap[finite])
    tied = finite & (gap <= lowest + TIE_ABSOLUTE + TIE_RELATIVE * abs(lowest))
    order = np.lexsort((np.arange(len(gap)), np.where(tied, gap, np.inf), np.where(steps >= 0, steps, np.iinfo(np.int64).max), ~tied))
    return int(order[0])


# -- found minima, where none are known -----------------------------------------------------------

MAX_FOUND_MINIMA = 16


def _cluster_radius(domain) -> float:
    (x0, x1), (y0, y1) = domain
    return 0.01 * float(np.hypot(x1 - x0, y1 - y0))


def cluster_end_points(points: np.ndarray, domain) -> np.ndarray:
    """Up to MAX_FOUND_MINIMA centres of the end points (NaN: diverged) that are at least 1% of
    the domain's diagonal apart, the most popular first: the minima a landscape's runs found.
    Only end points inside the domain count: a run that left it (off a saddle) found nothing."""
    points = np.asarray(points, np.float64).reshape(-1, 2)
    (x0, x1), (y0, y1) = domain
    inside = (points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0) & (points[:, 1] <= y1)
    points = points[np.isfinite(points).all(axis=1) & inside]
    radius = _cluster_radius(domain)
    centres: list[np.ndarray] = []
    remaining = points
    while len(remaining) and len(centres) < MAX_FOUND_MINIMA:
        # The densest cell of a radius-sized grid seeds the next cluster.
        cells, counts = np.unique(np.floor(remaining / radius), axis=0, return_counts=True)
        cell = cells[np.argmax(counts)]
        members = remaining[(np.floor(remaining / radius) == cell).all(axis=1)]
        centre = np.median(members, axis=0)
        centres.append(centre)
        remaining = remaining[np.hypot(*(remaining - centre).T) > radius]
    return np.asarray(centres).reshape(-1, 2)


def _nearest(points: np.ndarray, centres: np.ndarray, radius: float) -> np.ndarray:
    points = np.asarray(points, np.float64).reshape(-1, 2)
    index = np.full(len(points), -1, np.int32)
    best = np.full(len(points), np.inf)
    for i, c in enumerate(centres):
        d = np.hypot(*(points - c).T)
        take = (d <= radius) & (d < best)
        index[take], best[take] = i, d[take]
    return index


# -- validation -----------------------------------------------------------------------------------


def _with_steps(scenario: Scenario, steps) -> Scenario:
    return scenario if steps is None else scenario.replace(steps=steps)


def _run(scenario: Scenario, run) -> Run:
    if isinstance(run, bool) or not isinstance(run, (int, np.integer)) or not 0 <= run < len(scenario.runs):
        raise ScenarioError("run", f"must be a run index in [0, {len(scenario.runs) - 1}], got {run!r}")
    return scenario.runs[int(run)]


def _one_run(scenario: Scenario, run) -> Scenario:
    """The scenario with only run `run`, starting where that run starts."""
    run_ = _run(scenario, run)
    return scenario.replace(runs=(replace(run_, start=None),), start=scenario.start_of(run_))


def _whole(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ScenarioError(name, f"must be a whole number in [{low}, {high}], got {value!r}")
    return int(value)


def _numeric_hparam(run_: Run, name, where: str):
    spec = optimizers.get(run_.optimizer)
    numeric = spec.numeric(run_.flavour)
    if name not in numeric:
        raise ScenarioError(where, f"not a numeric hyperparameter of {spec.title} ({run_.flavour}); one of {', '.join(numeric)}")
    return spec.hparam(name)


def _check_value(run_: Run, name: str, value, where: str) -> float:
    """A hyperparameter value, validated like a scenario's (the message names `where`)."""
    try:
        Run(run_.optimizer, run_.flavour, {**dict(run_.hparams), name: value}, run_.schedule)
    except ScenarioError as e:
        raise ScenarioError(where, e.message) from None
    return float(value)


def _axis(one: Scenario, axis, where: str) -> Axis:
    run_ = one.runs[0]
    if isinstance(axis, str):
        hp = _numeric_hparam(run_, axis, f"{where}.name")
        axis = Axis(axis, float(hp.ui_low), float(hp.ui_high), 64, hp.scale == "log" and hp.ui_low > 0)
    elif not isinstance(axis, Axis):
        if isinstance(axis, (str, bytes)) or not isinstance(axis, Sequence) or len(axis) not in (4, 5):
            raise ScenarioError(where, "must be (name, low, high, n) or (name, low, high, n, log)")
        name, low, high, n, *log = axis
        if log and not isinstance(log[0], bool):
            raise ScenarioError(f"{where}.log", f"must be true or false, got {log[0]!r}")
        axis = Axis(name, low, high, n, bool(log and log[0]))
    _numeric_hparam(run_, axis.name, f"{where}.name")
    low = _check_value(run_, axis.name, axis.low, f"{where}.low")
    high = _check_value(run_, axis.name, axis.high, f"{where}.high")
    if not low < high:
        raise ScenarioError(f"{where}.high", f"must be above {where}.low ({low:g}), got {high:g}")
    if axis.log and low <= 0:
        raise ScenarioError(f"{where}.low", f"must be above 0 on a log axis, got {low:g}")
    n = _whole(axis.n, f"{where}.n", 2, MAX_MAP_SIDE)
    return Axis(axis.name, low, high, n, axis.log)


def _floor(scenario: Scenario) -> float:
    minima = scenario.landscape_spec.minima
    return float(min(m.value for m in minima)) if minima else 0.0
