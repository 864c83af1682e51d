"""`python -m descent`: JSON in and out, and one clear line with status 2 for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

EXAMPLE = {
    "landscape": {"name": "rosenbrock", "params": {}},
    "start": [-1.5, 2.0],
    "steps": 50,
    "noise": {"sigma": 0.0, "batch_size": 1, "seed": 0},
    "runs": [
        {"label": "Adam", "optimizer": "adam", "flavour": "keras", "hparams": {"learning_rate": 0.01, "beta1": 0.9},
         "schedule": {"name": "cosine", "decay_steps": 500, "alpha": 0.0}},
        {"optimizer": "sgd", "hparams": {"learning_rate": 0.5}},
    ],
}  # fmt: skip


def cli(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = os.environ | {"PYTHONPATH": str(ROOT), "JAX_PLATFORMS": "cpu"}
    return subprocess.run(
        [sys.executable, "-m", "descent", *args], input=stdin, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def test_run_from_a_file_prints_the_result(tmp_path):
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(EXAMPLE))
    out = cli("run", str(path))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    adam, sgd = result["runs"]
    assert set(adam) == {"label", "optimizer", "flavour", "status", "diverged_at", "path", "loss", "grad_norm", "learning_rate"}
    assert adam["label"] == "Adam" and adam["status"] == "ok" and adam["diverged_at"] is None
    assert len(adam["path"]) == 51 and adam["path"][0] == [-1.5, 2.0]
    assert len(adam["loss"]) == 51 and len(adam["grad_norm"]) == 51 and len(adam["learning_rate"]) == 50
    assert adam["learning_rate"][0] == 0.01 and adam["learning_rate"][1] < 0.01  # the cosine schedule
    assert sgd["label"] == "SGD lr=0.5" and sgd["status"] == "diverged"
    assert len(sgd["path"]) == sgd["diverged_at"]


def test_run_from_stdin_equals_run_from_a_file(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(EXAMPLE))
    assert cli("run", "-", stdin=json.dumps(EXAMPLE)).stdout == cli("run", str(path)).stdout


def test_catalogues():
    landscapes = json.loads(cli("landscapes").stdout)
    assert "rosenbrock" in {ls["id"] for ls in landscapes}
    catalogue = json.loads(cli("optimizers").stdout)
    assert {o["id"] for o in catalogue["optimizers"]} >= {"sgd", "adam", "lion"}
    assert "one_cycle" in {s["name"] for s in catalogue["schedules"]}


BAD = [
    ("{not json", "malformed JSON"),
    ('{"landscape": "nowhere", "runs": [{"optimizer": "sgd"}]}', "landscape.name: unknown landscape 'nowhere'"),
    ('{"landscape": "booth", "runs": [{"optimizer": "adamax2"}]}', "runs[0].optimizer: unknown optimizer"),
    ('{"landscape": "booth", "runs": [{"optimizer": "adam", "flavour": "tensorflow"}]}', "runs[0].flavour"),
    ('{"landscape": "booth", "runs": [{"optimizer": "adam", "hparams": {"momentum": 0.9}}]}', "runs[0].hparams.momentum"),
    ('{"landscape": "booth", "runs": [{"optimizer": "adam", "hparams": {"learning_rate": -1}}]}', "(0, 100]"),
    ('{"landscape": "booth", "runs": [{"optimizer": "adam", "hparams": {"learning_rate": "fast"}}]}', "got 'fast'"),
    ('{"landscape": "booth", "steps": 1e9, "runs": [{"optimizer": "adam"}]}', "steps: must be a whole number in [1, 100000]"),
    ('{"landscape": "booth", "runs": [{"optimizer": "lion", "flavour": "pytorch"}]}', "Lion has no PyTorch flavour"),
    ("[]", "scenario: must be a JSON object"),
    ("", "malformed JSON"),
    ('{"landscape": "booth", "runs": [{"optimizer": "adam"}]}' + "]" * 3, "malformed JSON"),
    ("[" * 100000, "malformed JSON"),
]


@pytest.mark.parametrize("text,message", BAD, ids=[m for _, m in BAD])
def test_bad_input_exits_2_with_one_line(text, message):
    out = cli("run", "-", stdin=text)
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr
    assert message in lines[0]


def test_missing_file_and_bad_command_exit_2():
    for args in (("run", "/no/such/file.json"), ("walk",), ()):
        out = cli(*args)
        assert out.returncode == 2 and "Traceback" not in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1


def test_a_bad_formula_exits_2_with_one_line():
    scenario = {"landscape": {"formula": "x^2 + 3*", "domain": [[-3, 3], [-3, 3]]}, "runs": [{"optimizer": "sgd"}]}
    out = cli("run", "-", stdin=json.dumps(scenario))
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == "error: landscape.formula: position 9: expected a number, a name or '(' after '*'\n"


def test_a_formula_runs_from_the_cli():
    scenario = {"landscape": {"formula": "(x - 1)^2 + (y + 2)^2", "domain": [[-3, 3], [-3, 3]]}, "steps": 300,
                "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.1}}]}  # fmt: skip
    out = cli("run", "-", stdin=json.dumps(scenario))
    assert out.returncode == 0, out.stderr
    (run,) = json.loads(out.stdout)["runs"]
    assert run["path"][-1] == pytest.approx([1.0, -2.0], abs=1e-2)
