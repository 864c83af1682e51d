"""Trajectories recorded from the real Keras, PyTorch and optax, reproduced through the engine.

`tests/data/parity_public.json` is the public parity sample (38 cases, see docs/README.md);
`tests/data/parity_recorded.json` was recorded here from Keras 3.15.1, PyTorch 2.13.0 and optax
0.2.8 by `tools/record_parity.py` (other landscapes, non-default hyperparameters, every schedule
in every flavour). Tolerance, as both files state it: max abs deviation over the path
<= 2e-4 + 100 * sensitivity. Both files are part of the repository: a missing or empty one is a
collection error, never a silent zero cases.
"""

from __future__ import annotations

import numpy as np
import pytest

import descent
import optimizers
from tests.conftest import DATA, load_parity

PUBLIC = DATA / "parity_public.json"
RECORDED = DATA / "parity_recorded.json"


def _cases(path):
    return load_parity(path)  # raises if the file is missing or holds no cases


def scenario_of(case: dict) -> dict:
    run = {"optimizer": case["optimizer"], "flavour": case["flavour"], "hparams": case["hparams"]}
    if case.get("schedule"):
        run["schedule"] = case["schedule"]
    return {
        "landscape": {"name": case["landscape"], "params": case.get("landscape_params") or {}},
        "start": case["start"],
        "steps": case["steps"],
        "runs": [run],
    }


def check(case: dict):
    result = descent.run(scenario_of(case)).runs[0]
    expected = np.asarray(case["path"], np.float64)
    assert result.status == "ok"
    assert result.path.shape == expected.shape
    deviation = np.abs(result.path - expected).max()
    tolerance = 2e-4 + 100 * case["sensitivity"]
    assert deviation <= tolerance, f"{case['id']}: max deviation {deviation:.3g} > {tolerance:.3g}"


@pytest.mark.parametrize("case", _cases(PUBLIC), ids=lambda c: c["id"])
def test_public_parity(case):
    check(case)


@pytest.mark.parametrize("case", _cases(RECORDED), ids=lambda c: c["id"])
def test_recorded_parity(case):
    check(case)


def test_the_fixtures_are_there_and_cover_every_flavour():
    public = _cases(PUBLIC)
    recorded = _cases(RECORDED)
    assert len(public) == 38
    assert len(recorded) >= 100
    pairs = {(c["optimizer"], c["flavour"]) for c in recorded}
    for opt in optimizers.OPTIMIZERS:
        for flavour in opt.flavours:
            assert (opt.id, flavour) in pairs
    assert {c["schedule"]["name"] for c in recorded if c.get("schedule")} >= {
        "exponential", "step", "cosine", "cosine_restarts", "warmup_cosine", "one_cycle", "polynomial", "inverse_time",
    }  # fmt: skip
