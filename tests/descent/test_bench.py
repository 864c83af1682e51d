"""The benchmark's NumPy loop is an independent Adam: it must agree with the engine."""

from __future__ import annotations

import re

import numpy as np

import descent
from descent import bench


def test_numpy_reference_reproduces_the_engine():
    starts = np.array([[-1.5, 2.0], [0.5, -0.5], [1.8, 2.9]])
    final = bench.numpy_adam_rosenbrock(starts, 300)
    for start, point in zip(starts, final):
        data = {"landscape": "rosenbrock", "start": start.tolist(), "steps": 300,
                "runs": [{"optimizer": "adam", "hparams": {"learning_rate": bench.LR}}]}  # fmt: skip
        assert np.abs(descent.run(data).runs[0].final_point - point).max() < 1e-5


def test_bench_prints_every_figure(capsys):
    figures = bench.main(quick=True)
    out = capsys.readouterr().out
    assert re.search(r"[\d.]+ ms per 1000-step run = +[\d.]+ M steps/s", out)
    assert re.search(r"[\d.]+ ms = +[\d.]+ M steps/s +\[target >= 150", out)
    assert re.search(r"NumPy loop: +[\d.]+ ms", out)
    assert set(figures["compile_s"]) == {"sgd", "adagrad", "rmsprop", "adam", "adamw", "adadelta", "adamax", "nadam", "lion"}
    assert figures["run_s"] > 0 and figures["sweep_msteps"] > 0
