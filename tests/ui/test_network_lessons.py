"""Each Network lesson makes its point: checked on the engine's numbers, not by eye."""

from __future__ import annotations

import functools

import numpy as np

import descent
from ui.network_lessons import BY_ID, LESSONS


@functools.cache
def trained(lesson_id: str, variant: bool = False) -> descent.TrainResult:
    lesson = BY_ID[lesson_id]
    return descent.train(lesson.build_variant() if variant else lesson.build())


def test_every_lesson_builds_and_explains_itself():
    assert len(LESSONS) >= 3
    for lesson in LESSONS:
        scene = lesson.build()
        assert lesson.title and scene.runs and lesson.view in ("Curves", "Boundary", "Landscape")
        assert 2 <= lesson.text.count(". ") + 1 <= 7, lesson.id


def test_adam_is_not_simply_better_than_sgd_with_momentum():
    adam, momentum = trained("adam_vs_momentum").runs
    assert adam.status == momentum.status == "ok"
    # lower training loss for SGD with momentum: about 0.07 against 0.10
    assert momentum.train_loss[-1] < adam.train_loss[-1] - 0.015
    assert abs(momentum.train_loss[-1] - 0.07) < 0.015 and abs(adam.train_loss[-1] - 0.10) < 0.015
    for run in (adam, momentum):
        best = int(np.argmin(run.val_loss))
        assert best <= 40 and 0.21 <= run.val_loss[best] <= 0.25  # best early, near 0.22-0.24
        assert run.val_loss[-1] > run.val_loss[best] + 0.05  # and then worse
    # the closer fit ends with the higher validation loss, about 0.46 against 0.33
    assert momentum.val_loss[-1] > adam.val_loss[-1] + 0.08
    assert abs(momentum.val_loss[-1] - 0.46) < 0.03 and abs(adam.val_loss[-1] - 0.33) < 0.03
    # the same share of validation points right: 91%
    assert adam.val_accuracy[-1] == momentum.val_accuracy[-1] and round(100 * adam.val_accuracy[-1]) == 91


def _share_of_epochs_going_up(loss: np.ndarray) -> float:
    return float(np.mean(np.diff(loss) > 0))


def test_small_batches_take_more_noisy_steps_and_full_batch_is_smooth_but_slow():
    small, full = trained("batch_noise"), trained("batch_noise", variant=True)
    assert small.scenario.steps_per_epoch == 27 and full.scenario.steps_per_epoch == 1
    assert len(small.data.y_train) == 210
    s, f = small.runs[0].train_loss, full.runs[0].train_loss
    assert abs(s[-1] - 0.13) < 0.02 and abs(f[-1] - 0.35) < 0.02
    assert 0.3 <= _share_of_epochs_going_up(s) <= 0.5  # "roughly four epochs out of ten"
    assert _share_of_epochs_going_up(f) == 0.0  # "never goes up"


def test_a_learning_rate_too_high_climbs_and_stays_high_without_diverging():
    fine, high, higher = trained("too_high").runs
    assert [r.status for r in (fine, high, higher)] == ["ok", "ok", "ok"]  # none reported diverged
    assert fine.train_loss[-1] < 0.15  # "near 0.1"
    # 1.0: bounces between about 0.2 and 4 and ends above 1, worse than always answering 50%
    assert high.train_loss.min() < 0.25 and high.train_loss.max() > 3.0
    assert high.train_loss[-1] > 1.0 > np.log(2)
    # 3.0: into the tens, at chance
    assert higher.train_loss.max() > 10.0
    assert abs(higher.train_accuracy[-1] - 0.51) < 0.03 and np.median(higher.train_accuracy[50:]) < 0.55
    for run in (high, higher):
        assert np.isfinite(run.final_weights).all() and np.abs(run.final_weights).max() < descent.training.DIVERGENCE_LIMIT
