"""The quadratic's eigen view: measured rates of the engine's runs against the theory."""

from __future__ import annotations

import numpy as np
import pytest

import descent
from descent import quadratic


def scene(kappa, angle, runs, steps=200, start=(-1.8, 1.0)):
    return {"landscape": {"name": "quadratic", "params": {"kappa": kappa, "angle": angle}},
            "start": list(start), "steps": steps, "runs": runs}  # fmt: skip


def test_gradient_descent_shrinks_each_eigen_error_by_1_minus_eta_lambda():
    data = scene(20.0, 30.0, [{"optimizer": "sgd", "hparams": {"learning_rate": 0.06}}], steps=100)
    lams, vectors = quadratic.eigen(data)
    errors = quadratic.eigen_errors(descent.run(data).runs[0].path, vectors)
    theory = quadratic.rates(0.06, 0.0, lams)
    np.testing.assert_allclose(theory, [abs(1 - 0.06), abs(1 - 0.06 * 20)], rtol=1e-6)
    # Every single step, along each eigenvector (until float32 noise at ~1e-7 of the start).
    for i in range(2):
        live = errors[:, i] > 1e-5
        ratios = errors[1:, i][live[1:]] / errors[:-1, i][live[1:]]
        np.testing.assert_allclose(ratios, theory[i], rtol=2e-3)


@pytest.mark.parametrize("eta,beta", [(0.02, 0.5), (0.03, 0.9), (0.045, 0.7), (0.01, 0.2)])
def test_heavy_ball_converges_at_the_spectral_radius_in_every_flavour(eta, beta):
    runs = [{"optimizer": "sgd", "flavour": fl, "hparams": {"learning_rate": eta, "momentum": beta}} for fl in ("keras", "pytorch", "optax")]
    data = scene(50.0, 0.0, runs, steps=400)
    lams, vectors = quadratic.eigen(data)
    theory = quadratic.rate(eta, beta, lams)
    for r in descent.run(data).runs:
        errors = quadratic.eigen_errors(r.path, vectors)
        distance = np.linalg.norm(r.path.astype(np.float64), axis=1)
        # The error's envelope (its largest value over a window longer than an oscillation)
        # shrinks like ρ^k, ρ the 2×2 iteration's spectral radius.
        window = 25
        envelope = np.asarray([distance[k : k + window].max() for k in range(len(distance) - window)])
        last = int(np.argmax(envelope < 1e-4)) or len(envelope) - 1
        first = last // 4
        measured = (envelope[last] / envelope[first]) ** (1.0 / (last - first))
        assert measured == pytest.approx(theory, rel=0.03), (r.flavour, measured, theory)
        assert quadratic.measured_rate(errors, 0, 1).shape == (2,)


def test_critical_damping_gives_sqrt_beta_and_the_map_marks_the_best():
    kappa = 100.0
    lams = np.float32([1.0, kappa])
    # Distill's optimum: η = (2/(√λ1 + √λn))², β = ((√κ − 1)/(√κ + 1))², rate √β.
    eta = (2 / (1 + np.sqrt(kappa))) ** 2
    beta = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    assert quadratic.rate(eta, beta, lams) == pytest.approx(np.sqrt(beta), rel=1e-3)
    assert quadratic.rate(eta, beta, lams) < quadratic.rate(2 / (1 + kappa), 0.0, lams)  # momentum beats GD
    assert quadratic.rate(2 / (1 + kappa), 0.0, lams) == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-5)
    etas, betas = np.linspace(0.001, 0.05, 60), np.linspace(0.0, 0.99, 60)
    grid = quadratic.rate_map(lams, etas, betas)
    assert grid.shape == (60, 60)
    assert grid.min() >= np.sqrt(beta) * 0.99  # nothing beats the optimum
    assert grid[0, -1] > 1  # β = 0, η = 0.05 > 2/κ: diverges
    before = descent.trace_count()
    quadratic.rate_map(np.float32([1.0, 20.0]), etas, betas)
    assert descent.trace_count() == before  # another κ compiles nothing


def test_the_eigen_view_needs_the_quadratic():
    with pytest.raises(descent.ScenarioError, match="landscape"):
        quadratic.eigen({"landscape": "rosenbrock", "runs": [{"optimizer": "sgd"}]})
