"""descent.sweep: one vmapped call that agrees with individual runs."""

from __future__ import annotations

import numpy as np
import pytest

import descent

HIMMELBLAU = {"landscape": "himmelblau", "steps": 400, "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.05}}]}


def run_from(start, **hparams):
    data = HIMMELBLAU | {"start": list(start)}
    data["runs"] = [{"optimizer": "adam", "hparams": {"learning_rate": 0.05} | hparams}]
    return descent.run(data).runs[0]


def test_starts_sweep_matches_individual_runs():
    starts = [[0.0, 0.0], [-4.0, 4.0], [-4.0, -4.0], [4.0, -4.0], [1.0, -1.0]]
    result = descent.sweep(HIMMELBLAU, starts=starts)
    assert result.axes == ("start",) and result.shape == (5,)
    for i, start in enumerate(starts):
        r = run_from(start)
        assert np.allclose(result.final_point[i], r.final_point, atol=1e-4)
        assert result.final_loss[i] == pytest.approx(r.final_loss, abs=1e-4)
        assert result.steps_to_converge[i] == (r.converged_at if r.converged_at is not None else -1)
        assert not result.diverged[i]
    # Four starts in four corners: four different basins.
    basins = {tuple(np.round(p, 2)) for p in result.final_point[:4]}
    assert len(basins) == 4


def test_grid_sweep_has_one_axis_per_hyperparameter():
    grid = {"learning_rate": [0.01, 0.05, 0.2], "beta1": [0.5, 0.9]}
    starts = [[0.0, 0.0], [-1.0, 2.0]]
    result = descent.sweep(HIMMELBLAU, grid=grid, starts=starts)
    assert result.axes == ("start", "learning_rate", "beta1")
    assert result.shape == (2, 3, 2) and result.final_point.shape == (2, 3, 2, 2)
    for i, start in enumerate(starts):
        for j, lr in enumerate(grid["learning_rate"]):
            for k, b1 in enumerate(grid["beta1"]):
                r = run_from(start, learning_rate=lr, beta1=b1)
                assert np.allclose(result.final_point[i, j, k], r.final_point, atol=1e-4), (start, lr, b1)
    no_starts = descent.sweep(HIMMELBLAU, grid=grid)
    assert no_starts.shape == (3, 2)
    assert np.allclose(no_starts.final_point, descent.sweep(HIMMELBLAU | {"start": [-0.3, -0.9]}, grid=grid).final_point)


def test_diverged_mask_and_nan_results():
    ravine = {
        "landscape": {"name": "quadratic", "params": {"kappa": 50.0}},
        "start": [1.0, 1.0],
        "steps": 300,
        "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.01}}],
    }
    result = descent.sweep(ravine, grid={"learning_rate": [0.01, 0.039, 0.041, 0.2]})
    assert result.diverged.tolist() == [False, False, True, True]
    assert np.all(np.isnan(result.final_point[2:])) and np.all(np.isnan(result.final_loss[2:]))
    assert result.steps_to_converge[2] == -1


def test_momentum_sweep_on_the_ravine_finds_the_heavy_ball_optimum():
    """Steps to converge over momentum: fastest near the theory's ((√κ−1)/(√κ+1))² for κ = 50."""
    kappa = 50.0
    ravine = {
        "landscape": {"name": "quadratic", "params": {"kappa": kappa}},
        "start": [1.0, 1.0],
        "steps": 2000,
        "runs": [{"optimizer": "sgd", "flavour": "pytorch", "hparams": {"learning_rate": 0.0, "momentum": 0.0}}],
    }
    lr = (2 / (1 + np.sqrt(kappa))) ** 2  # the heavy-ball optimum for eigenvalues 1 and kappa
    ravine["runs"][0]["hparams"]["learning_rate"] = float(lr)
    momenta = np.linspace(0.0, 0.95, 20)
    result = descent.sweep(ravine, grid={"momentum": momenta.tolist()})
    steps = np.where(result.steps_to_converge < 0, 10**9, result.steps_to_converge)
    best = momenta[int(np.argmin(steps))]
    theory = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    assert abs(best - theory) <= 0.1


def test_sweep_rejects_bad_input_with_the_field_named():
    with pytest.raises(descent.ScenarioError, match="grid.rho"):
        descent.sweep(HIMMELBLAU, grid={"rho": [0.9]})
    with pytest.raises(descent.ScenarioError, match=r"grid.learning_rate\[1\]"):
        descent.sweep(HIMMELBLAU, grid={"learning_rate": [0.1, -1.0]})
    with pytest.raises(descent.ScenarioError, match="grid.amsgrad"):
        descent.sweep(HIMMELBLAU, grid={"amsgrad": [True, False]})
    with pytest.raises(descent.ScenarioError, match=r"starts\[1\]\[0\]"):
        descent.sweep(HIMMELBLAU, starts=[[0, 0], [float("nan"), 1]])
    with pytest.raises(descent.ScenarioError, match="starts"):
        descent.sweep(HIMMELBLAU, starts=[[0, 0, 0]])
    two_runs = HIMMELBLAU | {"runs": HIMMELBLAU["runs"] * 2}
    with pytest.raises(descent.ScenarioError, match="exactly one run"):
        descent.sweep(two_runs)


def test_a_new_grid_of_the_same_size_does_not_recompile():
    descent.sweep(HIMMELBLAU, grid={"learning_rate": [0.01, 0.02, 0.03]}, starts=[[0, 0], [1, 1]])
    before = descent.trace_count()
    descent.sweep(HIMMELBLAU, grid={"learning_rate": [0.5, 0.6, 0.7]}, starts=[[2, 0], [1, 3]])
    descent.sweep(HIMMELBLAU, grid={"learning_rate": [0.5, 0.6]}, starts=[[2, 0], [1, 3], [0, 0]])  # 6 again, padded
    assert descent.trace_count() == before
