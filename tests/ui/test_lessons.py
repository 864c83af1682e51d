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
