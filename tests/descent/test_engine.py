"""descent.run: results, divergence, noise, and compilation cached by structure only."""

from __future__ import annotations

import numpy as np
import pytest

import descent
import landscapes
from descent import engine


def scenario(landscape="rosenbrock", start=(-1.5, 2.0), steps=300, noise=None, **run):
    run = {"optimizer": "adam", "hparams": {"learning_rate": 0.01}} | run
    data = {"landscape": landscape, "start": list(start), "steps": steps, "runs": [run]}
    if noise:
        data["noise"] = noise
    return data


def one(data) -> descent.RunResult:
    return descent.run(data).runs[0]


def test_result_arrays_and_their_meaning():
    r = one(scenario(steps=300))
    assert r.status == "ok" and r.diverged_at is None
    assert r.path.shape == (301, 2) and r.path.dtype == np.float32
    assert np.array_equal(r.path[0], np.float32([-1.5, 2.0]))
    assert r.loss.shape == (301,) and r.grad_norm.shape == (301,) and r.learning_rate.shape == (300,)
    f = landscapes.get("rosenbrock")
    for k in (0, 17, 300):
        assert r.loss[k] == pytest.approx(float(f(r.path[k])), rel=1e-6)
    # Gradient of (1-x)^2 + 100(y-x^2)^2 at the start, by hand.
    x, y = -1.5, 2.0
    g = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    assert r.grad_norm[0] == pytest.approx(np.linalg.norm(g), rel=1e-6)
    assert np.all(r.learning_rate == np.float32(0.01))
    assert r.first_moment.shape == (301, 2) and r.second_moment.shape == (301, 2)
    assert np.all(r.first_moment[0] == 0)  # row k: the state that produced point k
    # Adam's first step moves every coordinate by about lr (sign of the gradient).
    assert np.allclose(r.path[1] - r.path[0], -0.01 * np.sign(g), atol=1e-4)


def test_moments_are_the_optimizers_own_buffers():
    sgd = one(scenario(optimizer="sgd", hparams={"learning_rate": 1e-3, "momentum": 0.9}, steps=5))
    # Keras: v <- mu v - lr g; p <- p + v, so the velocity is exactly the step taken.
    assert np.allclose(sgd.first_moment[1:], np.diff(sgd.path, axis=0), atol=1e-6)
    assert sgd.second_moment is None
    torch = one(scenario(optimizer="sgd", flavour="pytorch", hparams={"learning_rate": 1e-3, "momentum": 0.9}, steps=5))
    assert np.allclose(torch.first_moment[1:], -np.diff(torch.path, axis=0) / 1e-3, rtol=1e-3)
    adagrad = one(scenario(optimizer="adagrad", hparams={"learning_rate": 0.1}, steps=3))
    assert adagrad.first_moment is None
    assert np.allclose(adagrad.second_moment[0], 0.1)  # Keras's initial accumulator


def test_learning_rate_follows_the_schedule():
    r = one(scenario(schedule={"name": "step", "step_size": 100, "gamma": 0.5}, steps=300))
    assert np.allclose(r.learning_rate[[0, 99, 100, 199, 200, 299]], [0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025])


def test_divergence_is_caught_and_the_path_stops_before_it():
    # Plain gradient descent on the ravine is stable only for lr < 2/kappa = 0.04.
    data = {
        "landscape": {"name": "quadratic", "params": {"kappa": 50.0}},
        "start": [1.0, 1.0],
        "steps": 500,
        "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.05}}, {"optimizer": "sgd", "hparams": {"learning_rate": 0.03}}],
    }
    bad, good = descent.run(data).runs
    assert good.status == "ok" and good.converged_at is not None
    assert bad.status == "diverged"
    # |y_k| = |1 - 0.05*50|^k = 1.5^k first exceeds 1e6 at k = 35.
    assert bad.diverged_at == 35
    assert len(bad.path) == 35 and len(bad.loss) == 35 and len(bad.learning_rate) == 34
    assert np.all(np.isfinite(bad.path)) and np.abs(bad.path).max() <= 1e6
    out = bad.to_json()
    assert out["status"] == "diverged" and out["diverged_at"] == 35 and len(out["path"]) == 35


def test_non_finite_values_count_as_divergence():
    r = one(scenario(landscape="rosenbrock", optimizer="sgd", hparams={"learning_rate": 0.5}, steps=100))
    assert r.status == "diverged"
    assert np.all(np.isfinite(r.path)) and np.all(np.isfinite(r.loss))


def test_converged_at_is_the_first_point_within_tolerance():
    r = one(scenario(landscape="booth", start=(-4.0, 4.0), hparams={"learning_rate": 0.1}, steps=600))
    distance = np.linalg.norm(r.path - np.array([1.0, 3.0]), axis=1)
    assert r.converged_at == int(np.argmax(distance <= descent.DEFAULT_TOLERANCE))
    assert distance[r.converged_at - 1] > descent.DEFAULT_TOLERANCE
    assert one(scenario(landscape="saddle", start=(1.0, 0.1), steps=20)).converged_at is None  # no minima


def test_noise_matches_the_stationary_variance_of_sgd():
    """On a quadratic with curvature h, SGD settles to variance eta*sigma^2/(B*h*(2 - eta*h))."""
    eta, sigma, batch, kappa = 0.1, 2.0, 4, 10.0
    data = {
        "landscape": {"name": "quadratic", "params": {"kappa": kappa, "angle": 0.0}},
        "start": [0.0, 0.0],
        "steps": 100_000,
        "noise": {"sigma": sigma, "batch_size": batch, "seed": 3},
        "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": eta}}],
    }
    path = one(data).path[1000:].astype(np.float64)
    for axis, h in ((0, 1.0), (1, kappa)):
        expected = eta * sigma**2 / (batch * h * (2 - eta * h))
        assert np.var(path[:, axis]) == pytest.approx(expected, rel=0.05)
        assert abs(np.mean(path[:, axis])) < 0.05 * np.sqrt(expected) * 5


def test_every_run_of_a_scenario_sees_the_same_noise():
    base = {"landscape": "booth", "start": [0.0, 0.0], "steps": 200, "noise": {"sigma": 3.0, "seed": 11}}
    sgd = {"optimizer": "sgd", "hparams": {"learning_rate": 0.01}}
    # Keras and PyTorch SGD do the same arithmetic: with the same noise the paths coincide.
    a, b = descent.run(base | {"runs": [sgd, sgd | {"flavour": "pytorch"}]}).runs
    assert np.allclose(a.path, b.path, atol=1e-5)
    clean = one(base | {"noise": {"sigma": 0.0}, "runs": [sgd]})
    assert np.abs(a.path - clean.path).max() > 0.01
    other_seed = one(base | {"noise": {"sigma": 3.0, "seed": 12}, "runs": [sgd]})
    assert np.abs(a.path - other_seed.path).max() > 0.01
    # The sequence depends on (seed, step) only: a longer run starts with the same steps.
    longer = one(base | {"steps": 1500, "runs": [sgd]})
    assert np.array_equal(longer.path[:201], a.path)


def test_a_run_is_deterministic():
    data = scenario(noise={"sigma": 1.0, "seed": 5})
    assert np.array_equal(one(data).path, one(data).path)


def test_numeric_changes_do_not_recompile():
    base = scenario(
        landscape="quadratic",
        start=(1.0, 1.0),
        steps=500,
        optimizer="rmsprop",
        hparams={"learning_rate": 0.01, "rho": 0.9, "momentum": 0.5},
        schedule={"name": "cosine", "decay_steps": 500, "alpha": 0.0},
        noise={"sigma": 0.0, "batch_size": 1, "seed": 0},
    )
    descent.run(base)
    before = descent.trace_count()
    variants = [
        {"runs": [base["runs"][0] | {"hparams": {"learning_rate": 0.2, "rho": 0.5, "momentum": 0.0, "epsilon": 1e-3}}]},
        {"runs": [base["runs"][0] | {"schedule": {"name": "cosine", "decay_steps": 77, "alpha": 0.3}}]},
        {"runs": [base["runs"][0] | {"label": "renamed"}]},
        {"start": [-0.3, 1.7]},
        {"noise": {"sigma": 0.5, "batch_size": 1, "seed": 0}},
        {"noise": {"sigma": 0.5, "batch_size": 32, "seed": 9}},
        {"landscape": {"name": "quadratic", "params": {"kappa": 300.0, "angle": 45.0}}},
        {"steps": 480},
        {"steps": 2000},
    ]
    results = [descent.run(base | change).runs[0] for change in variants]
    assert descent.trace_count() == before  # only the noise draw for a new seed may be new
    # ... and every change did change the result.
    reference = descent.run(base).runs[0]
    for change, r in zip(variants, results):
        if "label" not in str(change):
            assert r.path.shape != reference.path.shape or not np.array_equal(r.path, reference.path), change


def test_structural_changes_do_compile_once_each():
    base = scenario(steps=100)
    descent.run(base)
    before = descent.trace_count()
    descent.run(scenario(steps=100, hparams={"learning_rate": 0.01, "amsgrad": True}))
    descent.run(scenario(steps=100, hparams={"learning_rate": 0.01, "amsgrad": True}))
    assert descent.trace_count() == before + 1


def test_no_number_of_steps_compiles_anything_new():
    # Runs go through one compiled chunk of steps, so any length reuses it: short, exactly a
    # chunk, one more than a chunk, many chunks.
    descent.run(scenario(steps=500))
    before = descent.trace_count()
    lengths = (1, 63, engine.CHUNK - 1, engine.CHUNK, engine.CHUNK + 1, 3 * engine.CHUNK + 7, 5000)
    results = {steps: one(scenario(steps=steps)) for steps in lengths}
    assert descent.trace_count() == before
    for steps, r in results.items():
        assert r.path.shape == (steps + 1, 2) and r.learning_rate.shape == (steps,)
    # A longer run is the shorter one continued: the chunks hand over the optimizer's state.
    longest = results[5000]
    for steps, r in results.items():
        assert np.array_equal(r.path, longest.path[: steps + 1]), steps
        assert np.array_equal(r.first_moment, longest.first_moment[: steps + 1]), steps


def test_run_accepts_a_scenario_object_and_a_dict():
    data = scenario(steps=10)
    a = descent.run(data).runs[0]
    b = descent.run(descent.Scenario.from_json(data)).runs[0]
    assert np.array_equal(a.path, b.path)
    with pytest.raises(descent.ScenarioError):
        descent.run({"landscape": "booth", "runs": [{"optimizer": "nope"}]})


def _all_runs_finite(landscape_id, runs):
    results = [
        r
        for i in range(0, len(runs), descent.MAX_RUNS)
        for r in descent.run({"landscape": landscape_id, "steps": 30, "runs": runs[i : i + descent.MAX_RUNS]}).runs
    ]
    assert len(results) == len(runs)
    for r in results:
        assert np.all(np.isfinite(r.path)) and np.all(np.isfinite(r.loss)), (landscape_id, r.label)
        assert (r.status == "ok") == (r.diverged_at is None)


def test_every_optimizer_and_flavour_runs_without_nan_garbage():
    import optimizers

    runs = [
        {"optimizer": spec.id, "flavour": flavour, "hparams": {"learning_rate": 0.5}}
        for spec in optimizers.OPTIMIZERS
        for flavour in spec.flavours
    ]
    assert len(runs) == 26
    _all_runs_finite("beale", runs)


def test_every_landscape_runs_without_nan_garbage():
    for ls in landscapes.LANDSCAPES:
        _all_runs_finite(ls.id, [{"optimizer": "adam", "hparams": {"learning_rate": 0.5}}])


def test_surface_is_the_landscape_on_a_grid():
    data = {"landscape": {"name": "quadratic", "params": {"kappa": 50.0, "angle": 30.0}}, "runs": [{"optimizer": "sgd"}]}
    xs, ys, z = descent.surface(data, resolution=7)
    assert xs.shape == (7,) and ys.shape == (7,) and z.shape == (7, 7)
    assert xs[0] == -2.0 and xs[-1] == 2.0  # the landscape's domain
    f = landscapes.get("quadratic")
    for i, j in [(0, 0), (2, 5), (6, 3)]:
        assert z[i, j] == pytest.approx(float(f([xs[j], ys[i]], kappa=50.0, angle=30.0)), rel=1e-5)
    before = descent.trace_count()
    descent.surface({**data, "landscape": {"name": "quadratic", "params": {"kappa": 3.0}}}, resolution=7)
    assert descent.trace_count() == before  # new parameters, same compiled grid


def test_a_run_may_have_its_own_start():
    data = {"landscape": "himmelblau", "start": [0.0, 0.0], "steps": 300,
            "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.05}},
                     {"optimizer": "adam", "hparams": {"learning_rate": 0.05}, "start": [-4.0, -4.0]}]}  # fmt: skip
    shared, own = descent.run(data).runs
    assert np.array_equal(shared.path[0], [0.0, 0.0]) and np.array_equal(own.path[0], [-4.0, -4.0])
    assert np.allclose(own.final_point, [-3.779310, -3.283186], atol=1e-3)
    assert descent.Scenario.from_json(data).to_json()["runs"][1]["start"] == [-4.0, -4.0]


def test_a_run_without_noise_draws_no_noise_and_moves_exactly_as_with_it():
    """σ = 0 feeds the steps zeros instead of drawing ξ (a new server's first page skipped a
    compilation); σ·ξ is 0 either way, so the path is the same to the bit."""
    from descent import engine, runner

    scenario = descent.Scenario.from_json({"landscape": "rosenbrock", "start": [-1.5, 2.0], "steps": 1500,
                                           "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.05}}]})  # fmt: skip
    engine.noise_chunk.cache_clear()
    result = descent.run(scenario)
    assert engine.noise_chunk.cache_info().misses == 0
    run = scenario.runs[0]
    hparams = run.resolved_hparams()
    key = runner.run_key(scenario, run, hparams)
    values = runner.packed_values(scenario, run, key, hparams)
    drawn, _, _ = engine.trajectory(key, values, scenario.start, 0, scenario.steps, engine.DEFAULT_TOLERANCE)  # ξ drawn
    assert engine.noise_chunk.cache_info().misses == 2  # 1501 points: two chunks of ξ
    assert np.array_equal(drawn[:, engine.X : engine.Y + 1], result.runs[0].path)
