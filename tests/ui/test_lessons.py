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
