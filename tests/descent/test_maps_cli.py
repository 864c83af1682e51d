"""`python -m descent map`: the maps as JSON, the same numbers as the library; bad input in one line."""

from __future__ import annotations

import json

import numpy as np
import pytest

import descent
from descent import cli

HIMMELBLAU = {"landscape": "himmelblau", "start": [0.0, 0.0], "steps": 200,
              "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.05}},
                       {"optimizer": "sgd", "hparams": {"learning_rate": 0.01}}]}  # fmt: skip


def run_cli(tmp_path, capsys, *args) -> tuple[int, str, str]:
    path = tmp_path / "scene.json"
    path.write_text(json.dumps(HIMMELBLAU))
    status = cli.main(["map", str(path), *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_hyper_map_json_matches_the_library(tmp_path, capsys):
    status, out, _ = run_cli(tmp_path, capsys, "--kind", "hyper", "--y", "beta1", "--x-range", "0.001", "0.5",
                             "--y-range", "0.5", "0.99", "--n", "6")  # fmt: skip
    assert status == 0
    data = json.loads(out)
    direct = descent.hyperparameter_map(HIMMELBLAU, x=("learning_rate", 0.001, 0.5, 6, True), y=("beta1", 0.5, 0.99, 6))
    assert data["x"]["log"] and not data["y"]["log"]
    assert np.allclose(data["x"]["values"], direct.xs) and np.allclose(data["y"]["values"], direct.ys)
    assert data["steps_to_converge"] == direct.steps_to_converge.tolist()
    assert np.allclose(np.array(data["final_loss"], float), direct.final_loss, rtol=1e-6, equal_nan=True)
    assert data["current"] == [0.05, 0.9]


def test_basin_and_tune_json(tmp_path, capsys):
    status, out, _ = run_cli(tmp_path, capsys, "--kind", "basin", "--run", "1", "--resolution", "8")
    assert status == 0
    data = json.loads(out)
    direct = descent.basin_map(HIMMELBLAU, run=1, resolution=8)
    assert data["basin"] == direct.basin.tolist() and len(data["minima"]) == 4
    status, out, _ = run_cli(tmp_path, capsys, "--kind", "tune", "--low", "0.001", "--high", "0.5", "--n", "8")
    assert status == 0
    data = json.loads(out)
    tuned = descent.tune_learning_rates(HIMMELBLAU, 0.001, 0.5, n=8)
    assert [r["best_rate"] for r in data["runs"]] == list(tuned.best_rates)
    assert "fewer steps" in data["criterion"]


@pytest.mark.parametrize("args, field", [
    (("--kind", "hyper", "--x", "rho"), "x.name"),
    (("--kind", "hyper", "--y", "rho"), "y.name"),
    (("--kind", "hyper", "--n", "500"), "x.n"),
    (("--kind", "basin", "--resolution", "9999"), "resolution"),
    (("--kind", "tune", "--low", "0.5", "--high", "0.1"), "high"),
    (("--kind", "basin", "--run", "7"), "run"),
])  # fmt: skip
def test_bad_input_is_one_line_naming_the_field(tmp_path, capsys, args, field):
    status, out, err = run_cli(tmp_path, capsys, *args)
    assert status == 2 and out == ""
    assert err.startswith(f"error: {field}:") and err.count("\n") == 1
