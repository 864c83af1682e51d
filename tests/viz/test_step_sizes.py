"""Each coordinate's step chart, on the engine's numbers (descent.explain_steps)."""

from __future__ import annotations

import numpy as np
import pytest

import descent
import viz
from viz.step_sizes import BIAS_STEPS, MAX_POINTS

SCENE = {
    "landscape": "rosenbrock",
    "start": [-1.5, 2.0],
    "steps": 300,
    "runs": [
        {"optimizer": "sgd", "hparams": {"learning_rate": 1e-4}},
        {"optimizer": "adagrad", "hparams": {"learning_rate": 0.5}},
        {"optimizer": "rmsprop", "hparams": {"learning_rate": 0.01}},
        {"optimizer": "adam", "hparams": {"learning_rate": 0.02}},
    ],
}
LABELS = ["SGD", "Adagrad", "RMSprop", "Adam"]


@pytest.fixture(scope="module")
def steps():
    return [descent.explain_steps(SCENE, run=i) for i in range(4)]


def lines(spec) -> dict:
    return {trace["meta"]: trace for trace in spec["data"]}


def test_each_coordinates_effective_step_is_the_engines(steps):
    spec = viz.step_sizes_spec(steps, labels=LABELS, colours=["#000"] * 4, current_step=10)
    by = lines(spec)
    for axis, coordinate in enumerate("xy"):
        sgd = np.asarray(by[f"SGD:{coordinate}"]["y"])
        assert np.all(sgd == np.float32(1e-4))  # SGD: η along both axes, constant
        adagrad = np.asarray(by[f"Adagrad:{coordinate}"]["y"], np.float32)
        assert np.array_equal(adagrad, steps[1]["effective_lr"][:, axis])
        assert np.all(np.diff(adagrad) <= 0) and adagrad[-1] < adagrad[0]  # Adagrad only shrinks
        rms = np.asarray(by[f"RMSprop:{coordinate}"]["y"], np.float32)
        assert np.any(np.diff(rms) > 0) and np.any(np.diff(rms) < 0)  # RMSprop adapts both ways
    # On Rosenbrock's wall y's gradient is far smaller than x's: Adam's steps along y are larger.
    assert np.median(np.asarray(by["Adam:y"]["y"]) / np.asarray(by["Adam:x"]["y"])) > 1
    assert spec["layout"]["shapes"][0]["x0"] == 10


def test_adams_bias_corrections_over_the_first_steps(steps):
    spec = viz.step_sizes_spec(steps, labels=LABELS, colours=["#000"] * 4)
    by = lines(spec)
    t = np.arange(1, BIAS_STEPS + 1)
    np.testing.assert_allclose(by["Adam:bias_correction1"]["y"], 1 - 0.9**t, rtol=1e-5)
    np.testing.assert_allclose(by["Adam:bias_correction2"]["y"], 1 - 0.999**t, rtol=1e-4)
    assert "SGD:bias_correction1" not in by
    assert not spec["layout"]["annotations"]
    without = viz.step_sizes_spec(steps[:2], labels=LABELS[:2], colours=["#000"] * 2)
    assert "No run has bias corrections" in without["layout"]["annotations"][0]["text"]


def test_long_runs_are_thinned_and_hidden_runs_left_out():
    long = {**SCENE, "steps": 5000, "runs": SCENE["runs"][1:2]}
    steps = [descent.explain_steps(long, run=0)]
    spec = viz.step_sizes_spec(steps, labels=["Adagrad"], colours=["#000"])
    x = lines(spec)["Adagrad:x"]
    assert len(x["x"]) <= MAX_POINTS + 1 and x["x"][-1] == 4999 and len(x["y"]) == len(x["x"])
    short = lines(viz.step_sizes_spec([descent.explain_steps(SCENE, run=1)], labels=["Adagrad"], colours=["#000"]))
    assert "x" not in short["Adagrad:x"] and (short["Adagrad:x"]["x0"], short["Adagrad:x"]["dx"]) == (0, 1)  # step = index
    assert viz.step_sizes_spec(steps, labels=["Adagrad"], colours=["#000"], visible=[False])["data"] == []
