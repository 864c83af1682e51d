"""'Copy as code': the generated optax code, executed, reproduces the engine's path; the Keras
and PyTorch code names the framework's own arguments and compiles."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import descent
import landscapes
import optimizers
from optimizers import code, schedules

ROSENBROCK = landscapes.get("rosenbrock")


def optax_path(source: str, steps: int) -> np.ndarray:
    namespace: dict = {}
    exec(compile(source, "<snippet>", "exec"), namespace)  # our own generated code, in a test
    tx = namespace["optimizer"]
    f = lambda p: ROSENBROCK.fn(p, {})  # noqa: E731
    p = jnp.asarray([-1.5, 2.0], jnp.float32)
    state = tx.init(p)
    out = [p]
    for _ in range(steps):
        updates, state = tx.update(jax.grad(f)(p), state, p)
        p = p + updates
        out.append(p)
    return np.asarray(out)


RUNS = [
    {"optimizer": "adam", "flavour": "optax", "hparams": {"learning_rate": 0.05, "beta1": 0.8}},
    {"optimizer": "adam", "flavour": "optax", "hparams": {"learning_rate": 0.05, "amsgrad": True}},
    {"optimizer": "rmsprop", "flavour": "optax", "hparams": {"learning_rate": 0.01, "rho": 0.95, "momentum": 0.5, "centered": True}},
    {"optimizer": "sgd", "flavour": "optax", "hparams": {"learning_rate": 1e-3, "momentum": 0.9},
     "schedule": {"name": "cosine", "decay_steps": 40, "alpha": 0.1}},
    {"optimizer": "adam", "flavour": "optax", "hparams": {"learning_rate": 0.05}, "schedule": {"name": "warmup_cosine", "warmup_steps": 10, "decay_steps": 30}},
    {"optimizer": "adam", "flavour": "optax", "hparams": {"learning_rate": 0.05}, "schedule": {"name": "one_cycle", "total_steps": 50}},
    {"optimizer": "adam", "flavour": "optax", "hparams": {"learning_rate": 0.05}, "schedule": {"name": "exponential", "decay_steps": 10, "decay_rate": 0.5, "staircase": True}},
    {"optimizer": "adam", "flavour": "optax", "hparams": {"learning_rate": 0.05}, "schedule": {"name": "step", "step_size": 15, "gamma": 0.3}},
    {"optimizer": "adam", "flavour": "optax", "hparams": {"learning_rate": 0.05}, "schedule": {"name": "polynomial", "decay_steps": 40, "power": 2.0}},
    {"optimizer": "adam", "flavour": "optax", "hparams": {"learning_rate": 0.05}, "schedule": {"name": "inverse_time", "decay_steps": 10}},
    {"optimizer": "adam", "flavour": "optax", "hparams": {"learning_rate": 0.05}, "schedule": {"name": "cosine_restarts", "first_decay_steps": 10, "t_mul": 2.0, "m_mul": 0.5}},
    {"optimizer": "lion", "flavour": "optax", "hparams": {"learning_rate": 0.01}},
    {"optimizer": "adadelta", "flavour": "optax", "hparams": {"learning_rate": 3.0, "rho": 0.8}},
]  # fmt: skip


@pytest.mark.parametrize("run", RUNS, ids=lambda r: f"{r['optimizer']}-{r.get('schedule', {}).get('name', 'constant')}")
def test_generated_optax_code_reproduces_the_engine(run):
    steps = 50
    scenario = descent.Scenario.from_json({"landscape": "rosenbrock", "start": [-1.5, 2.0], "steps": steps, "runs": [run]})
    r = scenario.runs[0]
    source = code.snippet(r.optimizer, r.resolved_hparams(), (r.schedule.name, r.schedule.params), "optax")
    expected = descent.run(scenario).runs[0].path
    assert np.abs(optax_path(source, steps) - expected).max() < 1e-4, source


def keras_adam_defaults():
    return optimizers.get("adam").resolve("keras", {})


def test_keras_code_uses_keras_names_and_leaves_defaults_out():
    text = code.snippet("adam", keras_adam_defaults() | {"learning_rate": 0.01, "beta1": 0.8}, None, "keras")
    assert "keras.optimizers.Adam(learning_rate=0.01, beta_1=0.8)" in text


def test_pytorch_code_carries_another_flavours_defaults_explicitly():
    text = code.snippet("adam", keras_adam_defaults(), None, "pytorch")
    # Keras's epsilon is not PyTorch's default, so it is written out.
    assert "torch.optim.Adam(params, lr=0.001, eps=1e-07)" in text
    rms = code.snippet("rmsprop", optimizers.get("rmsprop").resolve("keras", {}), None, "pytorch")
    assert "alpha=0.9" in rms and "eps=1e-07" in rms


def test_optax_code_names():
    hp = optimizers.get("rmsprop").resolve("optax", {"learning_rate": 0.01, "rho": 0.95})
    assert "optax.rmsprop(0.01, decay=0.95)" in code.snippet("rmsprop", hp, None, "optax")
    ams = optimizers.get("adam").resolve("optax", {"learning_rate": 0.01, "amsgrad": True})
    assert "optax.amsgrad(0.01)" in code.snippet("adam", ams, None, "optax")


def test_lion_in_pytorch_says_why_there_is_no_code():
    text = code.snippet("lion", optimizers.get("lion").resolve("keras", {}), None, "pytorch")
    assert text.startswith("#") and "torch.optim has no Lion" in text


@pytest.mark.parametrize("schedule", [s.name for s in schedules.SCHEDULES])
@pytest.mark.parametrize("framework", ["keras", "pytorch", "optax"])
def test_every_schedule_in_every_framework_is_valid_python(schedule, framework):
    hp = optimizers.get("sgd").resolve("keras", {"momentum": 0.9})
    text = code.snippet("sgd", hp, (schedule, {}), framework)
    compile(text, "<snippet>", "exec")
    if schedule != "constant":
        assert {"keras": "schedule", "pytorch": "scheduler", "optax": "schedule"}[framework] in text
