"""descent.maps: every map cell is the single run it stands for; tuning picks what a loop picks."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import descent
import landscapes
from descent import engine, maps

RAVINE = {
    "landscape": {"name": "quadratic", "params": {"kappa": 50.0}},
    "start": [1.0, 1.0],
    "steps": 300,
    "runs": [{"optimizer": "sgd", "flavour": "pytorch", "hparams": {"learning_rate": 0.02, "momentum": 0.5}}],
}
HIMMELBLAU = {"landscape": "himmelblau", "start": [0.0, 0.0], "steps": 300,
              "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.01}},
                       {"optimizer": "adam", "hparams": {"learning_rate": 0.1}}]}  # fmt: skip

NUDGE, CHAOS = 1e-6, 1e-4


def single(data: dict, start=None, **hparams) -> descent.RunResult:
    data = dict(data)
    if start is not None:
        data["start"] = [float(c) for c in start]
    data["runs"] = [dict(data["runs"][0], hparams=dict(data["runs"][0]["hparams"]) | hparams)]
    return descent.run(data).runs[0]


def chaotic(data: dict, start, **hparams) -> bool:
    """A run whose end moves by more than 1e-4 when its start moves by 1e-6 (both ways)."""
    base = single(data, start, **hparams)
    if base.status == "diverged":
        return False
    for dx, dy in ((NUDGE, 0.0), (0.0, NUDGE)):
        other = single(data, (start[0] + dx, start[1] + dy), **hparams)
        if other.status == "diverged" or np.abs(other.final_point - base.final_point).max() > CHAOS:
            return True
    return False


def reached(point, landscape: str) -> int:
    """The index of the known minimum within the tolerance of `point`, by plain arithmetic."""
    for i, m in enumerate(descent.Scenario.from_json({"landscape": landscape, "runs": [{"optimizer": "sgd"}]}).landscape_spec.minima):
        if np.hypot(point[0] - m.point[0], point[1] - m.point[1]) <= descent.DEFAULT_TOLERANCE:
            return i
    return -1


def test_sampled_hyperparameter_cells_equal_the_runs_they_stand_for():
    hmap = descent.hyperparameter_map(RAVINE, x=("learning_rate", 1e-3, 0.2, 40, True), y=("momentum", 0.0, 0.95, 30))
    assert hmap.final_loss.shape == (30, 40)
    status = hmap.status
    # The map spans all three outcomes on this ravine: the test compares each kind.
    assert {maps.CONVERGED, maps.NOT_CONVERGED, maps.DIVERGED} <= set(status.ravel().tolist())
    rng = np.random.default_rng(0)
    cells = [tuple(rng.integers(0, s) for s in status.shape) for _ in range(10)]
    cells += [tuple(np.argwhere(status == kind)[len(np.argwhere(status == kind)) // 2]) for kind in (0, 1, 2)]
    compared, skipped = 0, []
    for i, j in cells:
        values = hmap.values_at(i, j)
        if chaotic(RAVINE, RAVINE["start"], **values):
            skipped.append(values)
            continue
        r = single(RAVINE, **values)
        assert hmap.diverged[i, j] == (r.status == "diverged"), values
        if r.status != "diverged":
            assert np.allclose(hmap.final_loss[i, j], r.final_loss, rtol=1e-4, atol=1e-6), values
            assert hmap.steps_to_converge[i, j] == (r.converged_at if r.converged_at is not None else -1), values
        compared += 1
    print(f"chaotic cells reported, not compared: {skipped}")
    assert compared >= len(cells) - 3


def test_the_current_values_and_the_floor_are_reported():
    hmap = descent.hyperparameter_map(RAVINE, x=("learning_rate", 1e-3, 0.2, 8, True), y=("momentum", 0.0, 0.95, 8))
    assert hmap.current == (0.02, 0.5)
    assert np.allclose(hmap.xs, np.geomspace(1e-3, 0.2, 8)) and np.allclose(hmap.ys, np.linspace(0, 0.95, 8))
    camel = descent.hyperparameter_map({"landscape": "six_hump_camel", "runs": [{"optimizer": "adam"}]}, x=("learning_rate", 1e-3, 0.1, 4, True))
    assert camel.floor == pytest.approx(-1.0316285) and camel.final_loss.shape == (1, 4)
    assert np.nanmin(camel.gap) > -1e-4  # a gap to the lowest minimum, not a negative loss


def test_basin_colours_match_where_the_single_run_ends():
    for run in (0, 1):
        bmap = descent.basin_map(HIMMELBLAU, run=run, resolution=24)
        assert bmap.basin.shape == (24, 24) and not bmap.found
        # Four minima, each the basin of many starts.
        counts = np.bincount(bmap.basin[bmap.basin >= 0].ravel(), minlength=4)
        assert (counts > 24).all(), counts
        rng = np.random.default_rng(run)
        compared = 0
        one = {**HIMMELBLAU, "runs": [HIMMELBLAU["runs"][run]]}
        for _ in range(12):
            i, j = rng.integers(0, 24, size=2)
            start = (bmap.xs[j], bmap.ys[i])
            if chaotic(one, start):
                continue
            r = single(one, start)
            expected = -1 if r.status == "diverged" else reached(r.final_point, "himmelblau")
            assert bmap.basin[i, j] == expected, (run, start)
            compared += 1
        assert compared >= 9


def test_sgd_and_adam_basins_differ_on_himmelblau():
    sgd = descent.basin_map(HIMMELBLAU, run=0, resolution=48)
    adam = descent.basin_map(HIMMELBLAU, run=1, resolution=48)
    both = (sgd.basin >= 0) & (adam.basin >= 0)
    differ = np.mean(sgd.basin[both] != adam.basin[both])
    assert differ > 0.02


def brute_force_pick(data: dict, rates: np.ndarray, run: int) -> float:
    """The stated criterion over descent.run, written out independently: lowest final loss,
    near-equal losses tie, a tie goes to fewer steps to converge, then the lower rate."""
    outcomes = []
    for rate in rates:
        one = {**data, "runs": [dict(data["runs"][run], hparams=dict(data["runs"][run]["hparams"]) | {"learning_rate": float(rate)})]}
        r = descent.run(one).runs[0]
        if r.status != "diverged":
            outcomes.append((r.final_loss, r.converged_at if r.converged_at is not None else 10**9, float(rate)))
    lowest = min(loss for loss, _, _ in outcomes)
    tied = [o for o in outcomes if o[0] <= lowest + 1e-9 + 1e-4 * abs(lowest)]
    return min(tied, key=lambda o: (o[1], o[0], o[2]))[2]


@pytest.mark.parametrize("data", [RAVINE | {"runs": RAVINE["runs"] + [{"optimizer": "adam", "hparams": {"learning_rate": 0.01}}]}, HIMMELBLAU | {"steps": 60}])
def test_tuning_picks_what_a_brute_force_loop_picks(data):
    tuning = descent.tune_learning_rates(data, 1e-4, 1.0, n=16)
    assert tuning.final_loss.shape == (2, 16)
    for run in range(2):
        assert tuning.best_rates[run] == pytest.approx(brute_force_pick(data, tuning.rates, run), rel=1e-12)
    applied = tuning.applied()
    assert [r.hparams["learning_rate"] for r in applied.runs] == list(tuning.best_rates)


def test_changing_values_compiles_nothing():
    descent.hyperparameter_map(RAVINE, x=("learning_rate", 1e-3, 0.2, 20, True), y=("momentum", 0.0, 0.9, 20))
    descent.basin_map(HIMMELBLAU, resolution=32)
    descent.tune_learning_rates(HIMMELBLAU, 1e-3, 0.5, n=48)
    before = descent.trace_count()
    descent.hyperparameter_map(RAVINE | {"start": [2.0, -1.0]}, x=("learning_rate", 1e-2, 0.5, 20, True), y=("momentum", 0.1, 0.99, 20))
    descent.basin_map(HIMMELBLAU, resolution=32, bounds=(-2, 2, -2, 2))
    descent.tune_learning_rates(HIMMELBLAU | {"noise": {"sigma": 1.0}}, 1e-4, 1.0, n=48)
    assert descent.trace_count() == before


def test_big_grids_run_in_batches_with_progress():
    starts_side = 100  # 10,000 starts: two batches
    count, size = engine.sweep_batches(starts_side**2)
    assert count == 2 and size <= engine.SWEEP_BATCH
    calls = []
    bmap = descent.basin_map(HIMMELBLAU | {"steps": 600}, resolution=starts_side, progress=lambda done, total: calls.append((done, total)))
    chunks = -(-600 // engine.SWEEP_CHUNK)
    assert calls == [(k, count * chunks) for k in range(1, count * chunks + 1)]
    # Cells in either batch are the same as in a small sweep of their own.
    for i, j in ((0, 0), (50, 7), (99, 99)):
        small = descent.sweep(HIMMELBLAU | {"steps": 600, "runs": HIMMELBLAU["runs"][:1]}, starts=[[bmap.xs[j], bmap.ys[i]]])
        assert np.allclose(bmap.final_point[i, j], small.final_point[0], atol=1e-5, equal_nan=True)
        assert bmap.basin[i, j] == small.minimum[0]


def test_a_million_starts_stay_within_500_mb():
    code = (
        "import numpy as np, descent\n"
        "r = descent.basin_map({'landscape': 'himmelblau', 'steps': 256, 'runs': [{'optimizer': 'adam', 'hparams': {'learning_rate': 0.05}}]}, resolution=512)\n"
        "s = descent.sweep({'landscape': 'himmelblau', 'steps': 256, 'runs': [{'optimizer': 'adam'}]}, starts=np.random.default_rng(0).uniform(-5, 5, (1_000_000, 2)))\n"
        # VmHWM, not ru_maxrss: a forked child's ru_maxrss starts at its parent's RSS (pytest's, here).
        "hwm = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print(hwm // 1024, int((r.basin >= 0).sum()), s.shape[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300).stdout.split()
    peak_mb, converged, n = (int(v) for v in out)
    assert n == 1_000_000 and converged > 512 * 512 // 2
    assert peak_mb <= 500, f"peak RSS {peak_mb} MB"


def test_found_minima_where_none_are_known():
    rng = np.random.default_rng(1)
    ends = np.concatenate([rng.normal((1, 1), 1e-4, (50, 2)), rng.normal((-2, 3), 1e-4, (30, 2)), np.full((5, 2), np.nan)])
    escaped = np.array([[0.0, 40.0], [0.0, -60.0]])  # off a saddle, out of the domain
    centres = maps.cluster_end_points(np.concatenate([ends, escaped]), ((-5, 5), (-5, 5)))
    assert np.allclose(centres, [(1, 1), (-2, 3)], atol=1e-3)
    # On a landscape with no known minima (x² − y²) every run escapes: no minimum is found.
    bmap = descent.basin_map({"landscape": "saddle", "steps": 300, "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.05}}]}, resolution=16)
    assert bmap.found and len(bmap.minima) == 0 and (bmap.basin == -1).all()


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda: descent.hyperparameter_map(RAVINE, x=("rho", 0.1, 0.9, 8)), "x.name"),
        (lambda: descent.hyperparameter_map(RAVINE, x=("learning_rate", -1.0, 0.9, 8)), "x.low"),
        (lambda: descent.hyperparameter_map(RAVINE, x=("learning_rate", 0.1, 0.01, 8)), "x.high"),
        (lambda: descent.hyperparameter_map(RAVINE, x=("learning_rate", 0.01, 0.1, 201)), "x.n"),
        (lambda: descent.hyperparameter_map(RAVINE, x=("momentum", 0.0, 0.9, 8, True)), "x.low"),
        (lambda: descent.hyperparameter_map(RAVINE, x="momentum", y="momentum"), "y.name"),
        (lambda: descent.hyperparameter_map(RAVINE, run=1), "run"),
        (lambda: descent.basin_map(RAVINE, resolution=513), "resolution"),
        (lambda: descent.basin_map(RAVINE, bounds=(1, 0, 0, 1)), "bounds"),
        (lambda: descent.tune_learning_rates(RAVINE, 0.1, 0.01), "high"),
        (lambda: descent.tune_learning_rates(RAVINE, 0.0, 0.01), "low"),
        (lambda: descent.tune_learning_rates(RAVINE, 1e-3, 0.1, n=1), "n"),
    ],
)
def test_bad_input_names_the_field(call, field):
    with pytest.raises(descent.ScenarioError) as error:
        call()
    assert error.value.field == field


# -- typed formulas and data landscapes: their minima travel into the sweep as values -------------

WELLS = {"landscape": {"formula": "(x^2 - 1)^2 + (y - 0.5)^2", "domain": [[-2, 2], [-2, 2]]}, "start": [0.3, 1.0],
         "steps": 300, "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.05}}]}  # fmt: skip
LINE = {"landscape": {"dataset": {"name": "noisy_line", "size": 60, "seed": 3, "standardize": True}, "model": "linear_regression"},
        "start": [0.0, 0.0], "steps": 300, "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.05, "momentum": 0.5}}]}  # fmt: skip


def _known(data: dict) -> np.ndarray:
    return np.asarray([m.point for m in descent.Scenario.from_json(data).landscape_spec.minima], np.float64)


@pytest.mark.parametrize("data, y", [(WELLS, ("beta1", 0.0, 0.99, 8)), (LINE, ("momentum", 0.0, 0.95, 8))], ids=["formula", "data"])
def test_formula_and_data_cells_have_the_steps_of_their_single_runs(data, y):
    hmap = descent.hyperparameter_map(data, x=("learning_rate", 1e-3, 0.5, 10, True), y=y)
    converged = np.argwhere(hmap.steps_to_converge >= 0)
    # Before the minima travelled into the sweep every cell here was "never converged".
    assert len(converged) >= 10, hmap.steps_to_converge
    rng = np.random.default_rng(2)
    cells = [tuple(c) for c in converged[rng.choice(len(converged), 6, replace=False)]]
    cells += [tuple(rng.integers(0, s) for s in hmap.status.shape) for _ in range(6)]
    compared = 0
    for i, j in cells:
        values = hmap.values_at(i, j)
        if chaotic(data, data["start"], **values):
            continue
        r = single(data, **values)
        assert hmap.diverged[i, j] == (r.status == "diverged"), values
        assert hmap.steps_to_converge[i, j] == (r.converged_at if r.converged_at is not None else -1), values
        if r.status != "diverged":
            near = np.flatnonzero(np.hypot(*(_known(data) - r.final_point).T) <= descent.DEFAULT_TOLERANCE)
            assert hmap.minimum[i, j] == (near[0] if len(near) else -1), values
        compared += 1
    assert compared >= len(cells) - 3


@pytest.mark.parametrize("data", [WELLS, LINE], ids=["formula", "data"])
def test_formula_and_data_basins_are_their_minima(data):
    bmap = descent.basin_map(data, resolution=12)
    known = _known(data)
    # The formula's numerically found minima (its two wells), the data set's computed one: not clusters.
    assert np.allclose(bmap.minima, known) and len(known) == (2 if data is WELLS else 1)
    assert bmap.found == (data is WELLS)
    assert (bmap.steps_to_converge[bmap.basin >= 0] >= 0).all() and (bmap.basin >= 0).mean() > 0.5
    rng = np.random.default_rng(5)
    for _ in range(6):
        i, j = rng.integers(0, 12, size=2)
        r = single(data, (bmap.xs[j], bmap.ys[i]))
        near = np.flatnonzero(np.hypot(*(known - r.final_point).T) <= descent.DEFAULT_TOLERANCE)
        assert bmap.basin[i, j] == (near[0] if len(near) and r.status != "diverged" else -1)
        assert bmap.steps_to_converge[i, j] == (r.converged_at if r.converged_at is not None else -1)


def test_a_new_formula_or_data_set_with_other_minima_compiles_nothing():
    descent.hyperparameter_map(WELLS, x=("learning_rate", 1e-3, 0.5, 6, True), y=("beta1", 0.0, 0.99, 6))
    descent.basin_map(WELLS, resolution=12)
    descent.hyperparameter_map(LINE, x=("learning_rate", 1e-3, 0.5, 6, True), y=("momentum", 0.0, 0.95, 6))
    before, searched = descent.trace_count(), landscapes.typed.trace_count()
    # The same structure with other numbers: wells at x = ±√2, y = 1.2.
    other = WELLS | {"landscape": {"formula": "(x^2 - 2)^2 + (y - 1.2)^2", "domain": [[-2, 2], [-2, 2]]}}
    hmap = descent.hyperparameter_map(other, x=("learning_rate", 1e-3, 0.5, 6, True), y=("beta1", 0.0, 0.99, 6))
    bmap = descent.basin_map(other, resolution=12)
    line = LINE | {"landscape": {"dataset": dict(LINE["landscape"]["dataset"], seed=9, standardize=False), "model": "linear_regression"}}
    lmap = descent.hyperparameter_map(line, x=("learning_rate", 1e-3, 0.5, 6, True), y=("momentum", 0.0, 0.95, 6))
    assert descent.trace_count() == before and landscapes.typed.trace_count() == searched
    assert np.allclose(sorted(bmap.minima.tolist()), [(-np.sqrt(2), 1.2), (np.sqrt(2), 1.2)], atol=1e-3)
    # Converged against the new minima, not the old ones.
    assert (hmap.steps_to_converge >= 0).any() and (bmap.basin >= 0).mean() > 0.5 and (lmap.steps_to_converge >= 0).any()
    r = single(other, start=(bmap.xs[11], bmap.ys[11]))
    right = int(np.argmax(bmap.minima[:, 0]))  # the start (2, 2) rolls into the right-hand well
    assert bmap.basin[11, 11] == right and np.hypot(*(r.final_point - bmap.minima[right])) <= descent.DEFAULT_TOLERANCE


def test_the_row_gradient_equals_the_per_point_one_and_other_functions_keep_vmap():
    import jax
    import jax.numpy as jnp

    points = np.random.default_rng(1).uniform(-5, 5, (2, 1000)).astype(np.float32)
    himmelblau = landscapes.get("himmelblau")
    f = lambda xy: himmelblau.fn(xy, {})  # noqa: E731
    by_point = jax.vmap(jax.value_and_grad(f), in_axes=1, out_axes=(0, 1))
    rows = engine._rows_value_and_grad(f, 1000)
    assert rows is not by_point
    # Compiled alone, the two differ in the last bit here and there (as either does from a
    # single point's jitted gradient): bit equality is what the compiled sweep's cells have with
    # `descent.run`, which the tests above check.
    for got, want in zip(jax.jit(rows)(points), jax.jit(by_point)(points)):
        assert np.allclose(np.asarray(got), np.asarray(want), rtol=1e-6, atol=1e-5)
    # A function that reduces over its point (not elementwise on a pair of rows) keeps vmap.
    norm = lambda xy: jnp.sum(xy**2)  # noqa: E731
    loss, grad = engine._rows_value_and_grad(norm, 1000)(points)
    assert loss.shape == (1000,) and np.allclose(np.asarray(grad), 2 * points)


def test_a_progress_callback_that_raises_stops_a_sweep_on_threads():
    count, _ = engine.sweep_batches(100 * 100)
    assert count >= 2 and engine.SWEEP_WORKERS >= 1
    calls = []

    def stop(done, total):
        calls.append(done)
        raise KeyboardInterrupt  # as a Streamlit rerun stops a script

    with pytest.raises(KeyboardInterrupt):
        descent.basin_map(HIMMELBLAU | {"steps": 600}, resolution=100, progress=stop)
    assert calls == [1]
