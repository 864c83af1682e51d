"""Each lesson makes its point: checked on the engine's results, not by eye."""

from __future__ import annotations

import numpy as np
import pytest

import descent
from ui.lessons import BY_ID, LESSONS


def results(lesson_id: str):
    return descent.run(BY_ID[lesson_id].build()).runs


def test_every_lesson_builds_and_explains_itself():
    assert len(LESSONS) >= 10
    for lesson in LESSONS:
        scenario = lesson.build()
        assert 2 <= lesson.text.count(". ") + 1 <= 5, lesson.id  # two or three sentences (or so)
        assert lesson.title and scenario.runs


def first_below(loss: np.ndarray, level: float) -> int:
    hits = np.flatnonzero(loss < level)
    return int(hits[0]) if hits.size else 10**9


def test_ravine_momentum_arrives_and_sgd_is_still_short():
    sgd, momentum = results("ravine")
    assert momentum.converged_at is not None and momentum.converged_at < 50
    assert sgd.converged_at is None and np.linalg.norm(sgd.final_point) > 0.1
    swings = lambda r: np.abs(r.path[5:20, 1]).max()  # noqa: E731
    assert swings(momentum) > swings(sgd)  # momentum swings wider at first, as the text says


def test_rosenbrock_adam_reaches_the_minimum_and_sgd_does_not():
    sgd, adam = results("rosenbrock")
    assert np.linalg.norm(adam.final_point - 1.0) < 0.1
    assert np.linalg.norm(sgd.final_point - 1.0) > 0.5


def test_too_high_diverges_and_adam_does_not_blow_up():
    sgd_ok, sgd_high, adam, adam_high = results("too_high")
    assert sgd_ok.status == "ok" and sgd_high.status == "diverged" and sgd_high.diverged_at > 0
    assert adam_high.status == "ok" and np.abs(adam_high.path).max() < 10


def test_saddle_adaptive_methods_escape_sgd_lingers():
    sgd, rmsprop, adam = results("saddle")
    escaped = lambda r: first_below(-np.abs(r.path[:, 1]), -0.5)  # noqa: E731
    assert escaped(adam) < 150 and escaped(rmsprop) < 150
    assert escaped(sgd) > 250


def test_noisy_bowl_floor_scales_with_batch_size():
    lesson = BY_ID["noisy_bowl"].build()
    floor = lambda s: [r.loss[200:].mean() for r in descent.run(s).runs]  # noqa: E731
    b1 = floor(lesson)
    b16 = floor(lesson.replace(noise=descent.Noise(2.0, 16, 0)))
    assert b1[1] < b1[0]  # the smaller learning rate sits lower
    for one, sixteen in zip(b1, b16):
        assert 8 < one / sixteen < 32


def test_rmsprop_moves_both_coordinates_alike():
    sgd, rmsprop = results("rmsprop")
    k = 10
    sgd_step = np.abs(sgd.path[k] - sgd.path[0])
    rms_step = np.abs(rmsprop.path[k] - rmsprop.path[0])
    assert rms_step.max() / rms_step.min() < 2  # both coordinates alike
    assert sgd_step[1] / max(sgd_step[0], 1e-9) > 3 * (1.0 / 1.8)  # SGD goes for the steep y first


def test_adagrad_stalls_where_rmsprop_keeps_going():
    adagrad, rmsprop = results("adagrad")
    assert rmsprop.final_loss < adagrad.final_loss / 10
    late = np.linalg.norm(np.diff(adagrad.path[-100:], axis=0), axis=1).mean()
    early = np.linalg.norm(np.diff(adagrad.path[:10], axis=0), axis=1).mean()
    assert late < early / 10


def test_schedules_lower_the_noise_floor():
    constant, cosine, step = results("schedules")
    assert cosine.loss[-100:].mean() < constant.loss[-100:].mean() / 4
    assert step.loss[-100:].mean() < constant.loss[-100:].mean() / 4
    assert cosine.learning_rate[-1] < 1e-3 and step.learning_rate[-1] == pytest.approx(0.1 * 0.2**2)


def test_flavours_differ_on_the_plateau():
    keras, torch, optax = results("flavours")
    assert np.linalg.norm(torch.final_point - np.pi) < 1e-2
    assert np.linalg.norm(optax.final_point - np.pi) < 1e-2
    assert np.linalg.norm(keras.final_point - keras.path[0]) < 0.1


def test_himmelblau_four_starts_four_basins():
    finals = {tuple(np.round(r.final_point, 2)) for r in results("himmelblau")}
    assert len(finals) == 4


def test_momentum_map_best_momentum_matches_theory_and_rises_with_kappa():
    lesson = BY_ID["momentum_map"]
    best = {}
    for kappa in (50.0, 200.0):
        scenario = lesson.scenario | {"landscape": {"name": "quadratic", "params": {"kappa": kappa, "angle": 0.0}}}
        hmap = descent.hyperparameter_map(scenario, x=("learning_rate", 1e-3, 0.2, 64, True), y=("momentum", 0.0, 0.99, 64))
        steps = np.where(hmap.steps_to_converge < 0, 10**9, hmap.steps_to_converge)
        i, j = np.unravel_index(np.argmin(steps), steps.shape)
        theory = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
        assert abs(hmap.ys[i] - theory) <= 0.12, (kappa, hmap.ys[i], theory)
        best[kappa] = (hmap.ys[i], hmap.xs[j], steps[i, j], steps[0].min())
    mu, lr, fastest, plain = best[50.0]
    assert 0.55 <= mu <= 0.7 and 0.03 <= lr <= 0.07 and fastest <= 30  # "near μ ≈ 0.6, lr about 0.05, about 25"
    assert 150 <= plain <= 250  # "plain SGD needs about 200 steps at best"
    assert 0.75 <= best[200.0][0] <= 0.8 and best[200.0][0] > mu  # "rises to about 0.75 to 0.8"
    # The lesson's own run is the fastest cell of the κ = 50 map.
    assert descent.run(lesson.build()).runs[0].converged_at <= 30


def test_himmelblau_basins_differ_between_sgd_and_adam():
    scenario = BY_ID["himmelblau_basins"].build()
    sgd, adam = (descent.basin_map(scenario, run, resolution=128) for run in (0, 1))
    for bmap in (sgd, adam):
        shares = [np.mean(bmap.basin == i) for i in range(4)]
        assert all(0.18 <= s <= 0.32 for s in shares), shares  # "about a quarter each"
    both = (sgd.basin >= 0) & (adam.basin >= 0)
    differ = np.mean(sgd.basin[both] != adam.basin[both])
    assert 0.05 <= differ <= 0.09  # "about 7%"
    # A start where they differ, checked with single runs.
    i, j = np.argwhere(both & (sgd.basin != adam.basin))[0]
    start = [float(sgd.xs[j]), float(sgd.ys[i])]
    ends = [descent.run(scenario.replace(start=tuple(start))).runs[k].final_point for k in (0, 1)]
    assert np.linalg.norm(ends[0] - ends[1]) > 1.0


# -- lessons on data landscapes ---------------------------------------------------------------


def _with_minibatch(scenario, batch_size):
    return scenario.replace(minibatch=descent.Minibatch(batch_size, True, 0))


def _noise_ball(result) -> float:
    """Mean distance to the computed minimum over the second half of the run."""
    (minimum,) = result.scenario.landscape_spec.minima
    path = result.runs[0].path
    return float(np.linalg.norm(path[len(path) // 2 :] - np.asarray(minimum.point), axis=1).mean())


def test_batch_size_noise_ball_shrinks_and_epochs_differ_from_steps():
    lesson = BY_ID["batch_size"].build()
    assert lesson.minibatch.batch_size == 1 and lesson.data_size == 200
    balls = {b: _noise_ball(descent.run(_with_minibatch(lesson, b))) for b in (1, 32, 200)}
    assert 0.2 < balls[1] < 0.4  # "about 0.3"
    assert 0.02 < balls[32] < 0.06  # "about 0.04"
    assert balls[200] < 1e-4  # full batch: on the minimum
    full = descent.run(_with_minibatch(lesson, 200)).runs[0]
    plain = descent.run(lesson.replace(minibatch=None)).runs[0]
    np.testing.assert_array_equal(full.path, plain.path)  # B = n is full-batch gradient descent
    assert full.converged_at is not None
    (minimum,) = lesson.landscape_spec.minima
    one_epoch_b1 = descent.run(lesson).runs[0].path[200]  # 200 steps of one point
    one_epoch_full = full.path[1]  # one step on all 200
    def distance(p):
        return np.linalg.norm(p - np.asarray(minimum.point))

    assert distance(one_epoch_b1) < 0.1 * distance(one_epoch_full)


def test_feature_scaling_ravine_against_bowl():
    import jax

    lesson = BY_ID["feature_scaling"].build()
    ls = lesson.landscape_spec
    hessian = np.asarray(jax.hessian(lambda p: ls.fn(p, {"data": ls.data}))(np.asarray(ls.minima[0].point, np.float32)), np.float64)
    eig = np.linalg.eigvalsh(hessian)
    assert 20_000 < eig[1] / eig[0] < 32_000  # "about 26,000"
    assert 0.0013 < 2 / eig[1] < 0.0015  # SGD's stability limit 2/λ_max: "0.0014"
    sgd_small, sgd_large, _ = descent.run(lesson).runs
    assert sgd_small.status == "ok" and sgd_small.converged_at is None
    assert np.linalg.norm(sgd_small.final_point - np.asarray(ls.minima[0].point)) > 50  # still far
    assert sgd_large.status == "diverged"
    scaled = descent.Scenario.from_json({**BY_ID["feature_scaling"].scenario,
                                         "landscape": {"dataset": {"name": "diabetes", "standardize": True}, "model": "linear_regression"}})  # fmt: skip
    s = scaled.landscape_spec
    eig = np.linalg.eigvalsh(np.asarray(jax.hessian(lambda p: s.fn(p, {"data": s.data}))(np.asarray(s.minima[0].point, np.float32)), np.float64))
    assert eig[1] / eig[0] < 1.001  # a round bowl
    _, sgd_scaled, _ = descent.run(scaled).runs
    assert sgd_scaled.converged_at is not None and sgd_scaled.converged_at < 20


# -- lessons inside the optimizer (descent.explain, the overlays, the quadratic view) -----------


def test_bias_correction_makes_adams_first_step_eta_and_rmsprops_is_3_16_eta():
    scene = BY_ID["bias_correction"].build()
    adam = descent.explain(scene, run=0, step=0)
    rms = descent.explain(scene, run=1, step=0)
    eta = 0.05
    assert adam["bias_correction1"] == pytest.approx(0.1, rel=1e-5)
    assert adam["bias_correction2"] == pytest.approx(0.001, rel=1e-3)
    np.testing.assert_allclose(adam["state_after"]["m"], 0.1 * adam["gradient"], rtol=1e-5)
    np.testing.assert_allclose(np.abs(adam["update"]), eta, rtol=1e-3)  # exactly η per coordinate
    uncorrected = eta * adam["state_after"]["m"] / np.sqrt(adam["state_after"]["v"])
    np.testing.assert_allclose(np.abs(uncorrected), eta * 0.1 / np.sqrt(0.001), rtol=1e-3)
    np.testing.assert_allclose(np.abs(rms["update"]), eta / np.sqrt(0.1), rtol=1e-3)  # 3.16η: no correction
    later = descent.explain(scene, run=0, step=49)
    assert later["bias_correction1"] > 0.99 and later["bias_correction2"] < 0.05  # 1 − β2^t grows slowly


def test_adagrads_accumulator_only_grows_and_rmsprops_forgets():
    scene = BY_ID["accumulator"].build()
    adagrad, rms = (descent.explain_steps(scene, run=i) for i in range(2))
    acc = adagrad["state_after"]["accumulator"]
    assert np.all(np.diff(acc, axis=0) >= 0) and np.all(np.diff(adagrad["effective_lr"], axis=0) <= 0)
    v = rms["state_after"]["v"]
    assert np.all(v[-1] < 0.05 * v.max(axis=0))  # RMSprop's average forgot the steep start
    assert np.all(rms["effective_lr"][-1] > 5 * rms["effective_lr"].min(axis=0))  # its steps grew back
    assert np.all(adagrad["effective_lr"][-1] < adagrad["effective_lr"][0])


def test_momentum_climbs_over_the_ridge_into_another_basin():
    scene = BY_ID["over_the_ridge"].build()
    sgd, momentum = descent.run(scene).runs
    assert np.linalg.norm(sgd.final_point - [3.0, 2.0]) < 1e-3
    assert np.linalg.norm(momentum.final_point - [3.584428, -1.848127]) < 1e-3
    steps = descent.explain_steps(scene, run=1)
    climbing = (steps["loss"][1:] > steps["loss"][:-1])  # the loss rises from step k to k + 1 ...
    uphill = np.einsum("ij,ij->i", steps["state_after"]["velocity"], -steps["gradient"]) < 0  # ... along the velocity, against −g
    assert np.any(climbing & uphill[:-1])
    # Keras's velocity is the step itself (p ← p + v).
    np.testing.assert_array_equal(steps["state_after"]["velocity"], steps["update"])


def test_heavy_ball_at_critical_damping_beats_gradient_descent_at_the_predicted_rates():
    from descent import quadratic

    scene = BY_ID["critical_damping"].build()
    gd, hb = descent.run(scene).runs
    lams, vectors = quadratic.eigen(scene)
    assert quadratic.rate(2 / 101, 0.0, lams) == pytest.approx(0.980, abs=5e-4)
    assert quadratic.rate((2 / 11) ** 2, (9 / 11) ** 2, lams) == pytest.approx(0.818, abs=5e-4)
    # The measured error along the slow eigenvector after 100 steps: 0.980^100 vs about 0.818^100.
    err_gd = quadratic.eigen_errors(gd.path, vectors)
    assert err_gd[100, 0] / err_gd[0, 0] == pytest.approx(0.980**100, rel=0.05)
    assert np.linalg.norm(hb.path[100]) < 1e-5 < np.linalg.norm(gd.path[100])
