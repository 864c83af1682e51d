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
from descent import landscape_code, minibatch, reproduce
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
    # Still moving when it ends (the Ackley run above has settled in a minimum, where it ends
    # with or without its schedule): the restarts' code is what this scene's numbers depend on.
    "rosenbrock-adam-restarts": {"landscape": "rosenbrock", "steps": 250,
                                 "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.02},
                                           "schedule": {"name": "cosine_restarts", "first_decay_steps": 40, "t_mul": 2.0, "m_mul": 0.8, "alpha": 0.05}}]},
    # Typed formulas: code generated from the parsed program, every function of the grammar.
    "formula-momentum": {
        "landscape": {"formula": "log(1 + (x - 1)^2 + 2*(y + 0.5)^2) + 0.3*sin(pi*x)*cos(e*y) + 0.05*sqrt(x^2 + y^2 + 1) - 0.1*max(abs(x), tanh(y))",
                      "domain": [[-3, 3], [-3, 3]]},
        "start": [-2.5, 2.0], "steps": 250,
        "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.05, "momentum": 0.8}}]},
    "formula-adam": {
        "landscape": {"formula": "exp(-0.1*x^2)*cosh(0.2*y) + arctan(x*y)/4 + min(x^2, 4) + sinh(0.1*y)^2 - tan(0.1*x) + (y^2 + 1)^2^0.5/3 - -x^2/9",
                      "domain": [[-2, 2], [-2, 2]]},
        "start": [1.5, -1.2], "steps": 200,
        "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.03}}]},
    # Data landscapes with true minibatches: shuffled with a partial last batch (50 = 3·16 + 2),
    # and in order with the cross-entropy.
    "data-linear-minibatch": {
        "landscape": {"dataset": {"name": "noisy_line", "size": 50, "seed": 4}, "model": "linear_regression"},
        "minibatch": {"batch_size": 16, "shuffle": True, "seed": 7}, "steps": 300,
        "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.01, "momentum": 0.9}}]},
    "data-logistic-minibatch": {
        "landscape": {"dataset": {"name": "two_blobs", "size": 40, "seed": 1}, "model": "logistic_regression"},
        "minibatch": {"batch_size": 12, "shuffle": False, "seed": 0}, "steps": 200,
        "runs": [{"optimizer": "rmsprop", "hparams": {"learning_rate": 0.05}}]},
    "data-full-batch": {
        "landscape": {"dataset": {"name": "two_blobs", "size": 30, "seed": 2}, "model": "logistic_regression"},
        "steps": 150, "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.1}}]},
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


@pytest.mark.parametrize(("text", "expected"), [
    # Unary minus binds looser than ^: -(x²); ^ is right-associative: 2^(3^2).
    ("-x^2", "-jnp.power(x, jnp.float32(2.0))"),
    ("2^3^2", "jnp.power(jnp.float32(2.0), jnp.power(jnp.float32(3.0), jnp.float32(2.0)))"),
    # Float addition is not associative: the parentheses the program needs are kept, no others.
    ("x - (y - 1)", "x - (y - jnp.float32(1.0))"),
    ("(x - y) - 1", "x - y - jnp.float32(1.0)"),
    ("x / (y * 2)", "x / (y * jnp.float32(2.0))"),
    ("-(x + y) * -y", "-(x + y) * (-y)"),
    # Numbers as the float32 the engine computes with: 16777217 is not a float32, 0.1 reads back.
    ("16777217*x + 0.1", "jnp.float32(1.6777216e+07) * x + jnp.float32(0.1)"),
    ("max(x, pi) + min(abs(y), e)", "jnp.maximum(x, jnp.float32(math.pi)) + jnp.minimum(jnp.abs(y), jnp.float32(math.e))"),
])  # fmt: skip
def test_formula_code_is_generated_from_the_parsed_program(text, expected):
    from landscapes import formula as fm

    parsed = fm.parse(text)
    assert landscape_code.formula_expression(parsed.structure, parsed.numbers, "optax") == expected


def test_formula_code_per_framework_uses_its_functions():
    from landscapes import formula as fm

    parsed = fm.parse("abs(x)^2 + sin(y)")
    assert landscape_code.formula_expression(parsed.structure, parsed.numbers, "keras") == (
        "keras.ops.power(keras.ops.absolute(x), np.float32(2.0)) + keras.ops.sin(y)")
    assert landscape_code.formula_expression(parsed.structure, parsed.numbers, "pytorch") == (
        "torch.pow(torch.abs(x), torch.tensor(2.0)) + torch.sin(y)")


def test_formula_script_does_not_depend_on_how_the_formula_was_typed():
    def scene(text):
        return descent.Scenario.from_json({"landscape": {"formula": text}, "runs": [{"optimizer": "adam"}]})

    # The same program typed two ways: ** for ^, 1e-3 for 0.001, other spacing and parentheses.
    first = reproduce.script(scene("x**2 + 1e-3*y + (sin(x))"), 0, "optax")
    assert first == reproduce.script(scene("x^2+0.001*y+sin(x)"), 0, "optax")
    assert "1e-3" not in first and "**" not in first.split("def f(xy):")[1].split("\n\n")[0]


def test_data_script_rebuilds_the_engines_minibatches():
    scenario = descent.Scenario.from_json(SCENES["data-linear-minibatch"])
    source = landscape_code.source(scenario, "optax")
    namespace: dict = {}
    # Defining the script's landscape needs NumPy (the functions that use jnp are not called).
    exec(compile("import numpy as np\n" + source, "landscape", "exec"), namespace)  # noqa: S102 - our own generated code
    n, steps = scenario.data_size, scenario.steps
    weights = np.asarray(minibatch.weights_chunk(scenario.minibatch, n, scenario.landscape_spec.data_size, 512, 0))
    for k in range(steps + 1):
        assert np.array_equal(namespace["batch_weights"](k), weights[k, :n]), k
    assert sorted(np.count_nonzero(weights[k, :n]) for k in range(4)) == [2, 16, 16, 16]  # a partial batch per epoch
    assert np.array_equal(namespace["X"], scenario.landscape_spec.data[0, :n])
    assert np.array_equal(namespace["Y"], scenario.landscape_spec.data[1, :n])


@pytest.mark.parametrize("name", list(SCENES))
def test_every_pytorch_script_is_python_that_uses_torch_alone(name):
    # PyTorch is not installed here (tools/check_reproduce.py runs these where it is): the
    # scripts are at least compiled, and hold no JAX or Keras.
    source = reproduce.script(_in_flavour(SCENES[name], "pytorch"), 0, "pytorch")
    compile(source, f"{name}.py", "exec")
    body = source.split('"""', 2)[2]
    assert "jnp" not in body and "jax" not in body and "keras" not in body and "import torch" in body
