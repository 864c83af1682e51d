"""Gradient oracles: every landscape resolves to one, and the step feeds the optimizer exactly
what it gives (checked against independent NumPy formulas)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import descent
import landscapes
from descent import engine, oracles

P = np.asarray([0.7, -0.3], np.float32)


def test_the_gaussian_model_adds_scaled_noise_to_the_gradient():
    grad, xi = np.asarray([1.5, -2.0], np.float32), np.asarray([0.25, 1.0], np.float32)
    fed = oracles.gaussian(np.float32(0.5))(P, grad, xi)
    np.testing.assert_array_equal(np.asarray(fed), grad + np.float32(0.5) * xi)
    batched = oracles.gaussian(np.float32(0.5), batched=True)(np.stack([P, P], 1), np.stack([grad, 2 * grad], 1), xi)
    np.testing.assert_array_equal(np.asarray(batched), np.stack([grad, 2 * grad], 1) + np.float32(0.5) * xi[:, None])


@pytest.mark.parametrize("model", ["linear_regression", "logistic_regression"])
def test_the_minibatch_oracle_is_the_batch_mean_loss_gradient(model):
    rng = np.random.default_rng(0)
    x = rng.normal(size=16).astype(np.float32)
    y = (rng.random(16) < 0.5).astype(np.float32) if model == "logistic_regression" else rng.normal(size=16).astype(np.float32)
    data = np.stack([x, y, np.full(16, 1 / 16, np.float32)])
    rows = np.asarray([1, 4, 5, 11])
    weights = np.zeros(16, np.float32)
    weights[rows] = 1 / len(rows)
    ls = landscapes.data.structural(f"data:{model}:16")
    fed = np.asarray(oracles.of(ls, {"data": jnp.asarray(data)}, np.float32(3.0))(P, None, weights))
    z = P[0] * x[rows] + P[1]
    # d loss / d z: 2(z − y) for the squared error, σ(z) − y for the cross-entropy
    dz = 2 * (z - y[rows]) if model == "linear_regression" else 1 / (1 + np.exp(-z)) - y[rows]
    expected = np.asarray([np.mean(dz * x[rows]), np.mean(dz)])
    np.testing.assert_allclose(fed, expected, rtol=1e-5, atol=1e-6)


def test_a_classic_landscape_without_noise_feeds_the_exact_gradient():
    ls = landscapes.get("rosenbrock")
    fed = oracles.of(ls, {}, np.float32(0.0))(P, jnp.asarray([1.0, 2.0]), jnp.asarray([5.0, 5.0]))
    np.testing.assert_array_equal(np.asarray(fed), [1.0, 2.0])


@pytest.mark.parametrize(
    "scene",
    [
        {"landscape": "himmelblau", "noise": {"sigma": 1.5, "batch_size": 4, "seed": 2}},
        {"landscape": {"dataset": {"name": "noisy_line", "size": 60, "seed": 1}, "model": "linear_regression"},
         "minibatch": {"batch_size": 8, "seed": 4}},
    ],
    ids=["gaussian", "minibatch"],
)  # fmt: skip
def test_the_step_feeds_the_optimizer_what_the_oracle_gives(scene):
    """The engine's explained step 3: the gradient fed is ∇f (+ σ/√B·ξ_3, or the batch's own)."""
    scenario = descent.Scenario.from_json({**scene, "steps": 10, "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.01}}]})
    result = descent.run(scenario)
    step = descent.explain(scenario, run=0, step=3)
    p = result.runs[0].path[3]
    ls = scenario.landscape_spec
    true_grad = np.asarray(jax.grad(lambda q: ls.fn(q, {k: jnp.asarray(v) for k, v in scenario.resolved_landscape_params().items()}))(jnp.asarray(p)))
    np.testing.assert_allclose(step["true_gradient"], true_grad, rtol=1e-5, atol=1e-6)
    if scenario.minibatch is None:
        xi = engine.noise_sequence(scenario.noise.seed, 4)[3]
        np.testing.assert_allclose(step["gradient"], true_grad + scenario.noise.scale * xi, rtol=1e-5, atol=1e-6)
    else:
        rows = descent.minibatch.batch(scenario.minibatch, scenario.data_size, 3)
        x, y = np.asarray(ls.data)[0, rows], np.asarray(ls.data)[1, rows]
        dz = 2 * (p[0] * x + p[1] - y)
        np.testing.assert_allclose(step["gradient"], [np.mean(dz * x), np.mean(dz)], rtol=1e-4, atol=1e-5)
