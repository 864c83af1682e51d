"""The quadratic view's figures on the engine's numbers: measured errors follow the theory."""

from __future__ import annotations

import numpy as np
import pytest

import descent
from descent import quadratic
from ui.eigen_view import theories
from viz.eigen import eigen_errors_spec, rate_map_spec

RAVINE = {
    "landscape": {"name": "quadratic", "params": {"kappa": 50.0, "angle": 20.0}},
    "start": [-1.8, 1.0],
    "steps": 150,
    "runs": [
        {"optimizer": "sgd", "hparams": {"learning_rate": 0.035}},
        {"optimizer": "sgd", "flavour": "pytorch", "hparams": {"learning_rate": 0.035, "momentum": 0.7}},
        {"optimizer": "adam", "hparams": {"learning_rate": 0.05}},
    ],
}


def test_measured_errors_follow_the_theoretical_rate():
    scene = descent.Scenario.from_json(RAVINE)
    result = descent.run(scene)
    lams, vectors = quadratic.eigen(scene)
    errors = [quadratic.eigen_errors(r.path, vectors) for r in result.runs]
    rates = theories(scene)
    assert rates[2] is None  # Adam has no closed form here
    spec = eigen_errors_spec(errors, labels=["GD", "HB", "Adam"], colours=["#000"] * 3, lams=lams.tolist(), theory=rates)
    by = {t["meta"]: t for t in spec["data"]}
    assert "theory:2:0" not in by
    for i in range(2):
        measured, theory = np.asarray(by[f"error:0:{i}"]["y"]), np.asarray(by[f"theory:0:{i}"]["y"])
        live = measured > 1e-5
        np.testing.assert_allclose(measured[live], theory[live], rtol=0.02)  # GD: exactly |1 − ηλ|^k
        assert np.array_equal(np.asarray(by[f"error:1:{i}"]["y"], np.float32), np.maximum(errors[1][:, i], 1e-30))
    # Heavy ball: below the theory line's envelope only by its oscillation; same slope.
    hb = np.asarray(by["error:1:1"]["y"])
    line = np.asarray(by["theory:1:1"]["y"])
    assert np.all(hb[20:120] <= line[20:120] * 10) and line[120] < line[20]
    assert rates[1].max() == pytest.approx(quadratic.rate(0.035, 0.7, lams))
    assert rates[0].tolist() == pytest.approx([1 - 0.035, abs(1 - 0.035 * 50)], rel=1e-6)


def test_rate_map_marks_the_runs_point_where_the_rate_is_the_runs():
    lams = np.float32([1.0, 50.0])
    etas, betas = np.linspace(0.001, 0.08, 80), np.linspace(0.0, 0.99, 100)
    grid = quadratic.rate_map(lams, etas, betas)
    spec = rate_map_spec(etas, betas, grid, points=[(0.035, 0.7, "HB", "#000")])
    heat = spec["data"][0]
    i, j = np.argmin(np.abs(betas - 0.7)), np.argmin(np.abs(etas - 0.035))
    assert heat["z"][i][j] == pytest.approx(quadratic.rate(etas[j], betas[i], lams), abs=5e-5)
    assert heat["z"][0][-1] is None  # β = 0, η = 0.08 > 2/κ: diverges, a gap over the grey background
    assert spec["data"][1]["x"] == [0.035] and spec["data"][1]["y"] == [0.7]
    assert len(heat["z"]) == 100 and len(heat["z"][0]) == 80
