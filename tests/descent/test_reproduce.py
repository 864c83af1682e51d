"""Generated reproduction scripts, RUN in the real frameworks (optax; Keras 3 with the JAX
backend) and compared with the engine; PyTorch's are run by tools/check_reproduce.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import descent
from descent import reproduce
from tests.descent.test_cli import cli

# A sample of scenes: no noise, noise with a schedule, a diverging run, a landscape with
# parameters, a restarting schedule, and Ackley's guarded square root.
SCENES = {
    "rosenbrock-adam": {"landscape": "rosenbrock", "steps": 300, "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.02}}]},
    "noisy-ravine-momentum-cosine": {
        "landscape": {"name": "quadratic", "params": {"kappa": 20, "angle": 30}}, "steps": 250,
        "noise": {"sigma": 0.5, "batch_size": 4, "seed": 3},
        "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.02, "momentum": 0.9},
                  "schedule": {"name": "cosine", "decay_steps": 200}}]},
    "diverging-sgd": {"landscape": "rosenbrock", "steps": 100, "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.01}}]},
    "himmelblau-rmsprop-step": {"landscape": "himmelblau", "start": [0.5, -2.5], "steps": 200,
                                "runs": [{"optimizer": "rmsprop", "hparams": {"learning_rate": 0.02, "momentum": 0.5},
                                          "schedule": {"name": "step", "step_size": 50, "gamma": 0.5}}]},
    "ackley-nadam-restarts": {"landscape": "ackley", "steps": 200,
                              "runs": [{"optimizer": "nadam", "hparams": {"learning_rate": 0.05},
                                        "schedule": {"name": "cosine_restarts", "first_decay_steps": 40, "t_mul": 2.0}}]},
}  # fmt: skip


def _in_flavour(data: dict, framework: str) -> descent.Scenario:
    data = json.loads(json.dumps(data))
    for run in data["runs"]:
        run["flavour"] = framework
    return descent.Scenario.from_json(data)


# Runs script files one after the other in one fresh interpreter, each as __main__ (as
# `python FILE` would), and prints each one's last line: importing Keras and JAX once instead
# of once per script takes minutes off the test.
_DRIVER = """
import contextlib, io, runpy, sys
for path in sys.argv[1:]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(path, run_name="__main__")
    print(out.getvalue().strip().splitlines()[-1])
"""


def _run_scripts(sources: list[str], folder) -> list[dict]:
    paths = []
    for i, source in enumerate(sources):
        path = folder / f"reproduce_{i}.py"
        path.write_text(source)
        paths.append(str(path))
    env = os.environ | {"KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    env.pop("PYTHONPATH", None)  # the scripts stand alone: they import no part of Descent
    out = subprocess.run([sys.executable, "-c", _DRIVER, *paths], capture_output=True, text=True, env=env, cwd=folder, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return [json.loads(line) for line in out.stdout.strip().splitlines()]


def _run_script(source: str, folder) -> dict:
    return _run_scripts([source], folder)[0]


@pytest.fixture(scope="module", params=["optax", "keras"])
def printed(request, tmp_path_factory):
    """framework, {scene: (what its script printed, the engine's run)}: every sample scene's
    script for one framework, the runs in that framework's flavour."""
    framework = request.param
    scenarios = {name: _in_flavour(data, framework) for name, data in SCENES.items()}
    sources = [reproduce.script(s, 0, framework) for s in scenarios.values()]
    outputs = _run_scripts(sources, tmp_path_factory.mktemp(f"scripts-{framework}"))
    return framework, {name: (out, descent.run(s).runs[0]) for (name, s), out in zip(scenarios.items(), outputs)}


def _assert_matches(printed: dict, run) -> None:
    assert np.allclose(printed["final_point"], run.final_point, rtol=1e-4, atol=1e-5), (printed, run.final_point)
    assert np.isclose(printed["final_loss"], run.final_loss, rtol=1e-3, atol=1e-6), (printed, run.final_loss)
    assert printed.get("diverged_at") == run.diverged_at


@pytest.mark.parametrize("name", list(SCENES))
def test_the_script_prints_the_engines_final_point_and_loss(printed, name):
    framework, outputs = printed
    out, run = outputs[name]
    _assert_matches(out, run)
    if name == "diverging-sgd":
        assert run.status == "diverged" and out["diverged_at"] == run.diverged_at


def test_pytorch_script_embeds_the_engines_noise(tmp_path):
    scenario = _in_flavour(SCENES["noisy-ravine-momentum-cosine"], "pytorch")
    source = reproduce.script(scenario, 0, "pytorch")
    assert "import torch" in source and "torch.cos" in source and "jnp" not in source.split('"""', 2)[2]
    namespace: dict = {}
    # Only the noise block, which needs numpy and base64 alone: it decodes to the engine's ξ.
    block = source[source.index("NOISE_SCALE = ") : source.index("params = [")]
    exec(compile("import base64\nimport numpy as np\nSTEPS = 250\n" + block, "noise", "exec"), namespace)  # noqa: S102 - our own generated code
    assert np.array_equal(namespace["NOISE"], descent.engine.noise_sequence(3, 251))
    assert namespace["NOISE_SCALE"] == np.float32(0.25)


def test_cli_code_prints_the_script_with_the_table_values(tmp_path):
    path = tmp_path / "scene.json"
    path.write_text(json.dumps(SCENES["rosenbrock-adam"] | {"runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 1e-3}},
                                                                     {"optimizer": "adam", "flavour": "optax", "hparams": {"learning_rate": 0.02}}]}))  # fmt: skip
    out = cli("code", str(path), "--framework", "optax", "--run", "1")
    assert out.returncode == 0, out.stderr
    run = descent.run(json.loads(path.read_text())).runs[1]
    assert f"final loss {str(np.float32(run.final_loss))}." in out.stdout
    _assert_matches(_run_script(out.stdout, tmp_path), run)


@pytest.mark.parametrize(("args", "message"), [
    (["--framework", "optax", "--run", "5"], "error: run: must be a run index in [0, 0], got 5"),
    (["--framework", "tensorflow"], "invalid choice: 'tensorflow'"),
])  # fmt: skip
def test_cli_code_refuses_a_bad_run_or_framework(tmp_path, args, message):
    path = tmp_path / "scene.json"
    path.write_text(json.dumps(SCENES["rosenbrock-adam"]))
    out = cli("code", str(path), *args)
    assert out.returncode == 2 and message in out.stderr


def test_lion_has_no_pytorch_script():
    scenario = descent.Scenario.from_json({"landscape": "rosenbrock", "runs": [{"optimizer": "lion", "hparams": {"learning_rate": 1e-3}}]})
    with pytest.raises(descent.ScenarioError, match="Lion has no pytorch implementation"):
        reproduce.script(scenario, 0, "pytorch")
