"""True minibatches against an independent NumPy loop (float32), and the epoch rules.

The reference below re-implements the rule stated in the issue and descent/minibatch.py's
docstring without calling it: step k is batch j = k mod m of epoch e = k // m (m = ⌈n/B⌉),
epoch e visits the rows in numpy.random.default_rng([seed, e]).permutation(n) (or in order
without shuffling), the last batch is partial."""

from __future__ import annotations

import math

import numpy as np
import pytest

import datasets
import descent


def scene(name="noisy_line", model="linear_regression", size=50, seed=3, minibatch=None, runs=None, steps=40, standardize=False):
    sc = {"landscape": {"dataset": {"name": name, "size": size, "seed": seed, "standardize": standardize}, "model": model},
          "start": [0.0, 0.0], "steps": steps,
          "runs": runs or [{"optimizer": "sgd", "hparams": {"learning_rate": 0.05}}]}  # fmt: skip
    if minibatch is not None:
        sc["minibatch"] = minibatch
    return sc


def reference_batches(n, batch_size, shuffle, seed, steps):
    b = min(batch_size, n)
    per_epoch = math.ceil(n / b)
    out = []
    for k in range(steps):
        epoch, j = divmod(k, per_epoch)
        order = np.random.default_rng([seed, epoch]).permutation(n) if shuffle else np.arange(n)
        out.append(order[j * b : (j + 1) * b])
    return out


def reference_sgd(model, x, y, batches, lr, start=(0.0, 0.0), momentum=0.0):
    """Keras's SGD (v = μ·v − lr·g; p += v) on each batch's mean-loss gradient, in float32."""
    f32 = np.float32
    p, v = np.asarray(start, f32), np.zeros(2, f32)
    path = [p.copy()]
    for rows in batches:
        xb, yb = x[rows], y[rows]
        z = p[0] * xb + p[1]
        r = (f32(2) * (z - yb)) if model == "linear_regression" else (f32(1) / (f32(1) + np.exp(-z)) - yb)
        g = np.asarray([np.mean(r * xb, dtype=f32), np.mean(r, dtype=f32)], f32)
        v = f32(momentum) * v - f32(lr) * g
        p = p + v
        path.append(p.copy())
    return np.asarray(path)


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("batch_size", [1, 16, 32])
def test_sgd_matches_the_numpy_loop(shuffle, batch_size):
    n, steps = 50, 40  # 50 = 3·16 + 2: a partial last batch of 2 for B = 16 and of 18 for B = 32
    result = descent.run(scene(size=n, steps=steps, minibatch={"batch_size": batch_size, "shuffle": shuffle, "seed": 7}))
    d = datasets.load("noisy_line", n, 3)
    want = reference_sgd("linear_regression", d.x, d.y, reference_batches(n, batch_size, shuffle, 7, steps), 0.05)
    np.testing.assert_allclose(result.runs[0].path, want, rtol=2e-5, atol=2e-6)


def test_momentum_on_logistic_regression_matches_the_numpy_loop():
    n, steps = 37, 60
    runs = [{"optimizer": "sgd", "hparams": {"learning_rate": 0.3, "momentum": 0.9}}]
    result = descent.run(scene("two_blobs", "logistic_regression", size=n, steps=steps, runs=runs, standardize=True,
                               minibatch={"batch_size": 8, "shuffle": True, "seed": 1}))  # fmt: skip
    d = datasets.load("two_blobs", n, 3, standardize=True)
    want = reference_sgd("logistic_regression", d.x, d.y, reference_batches(n, 8, True, 1, steps), 0.3, momentum=0.9)
    np.testing.assert_allclose(result.runs[0].path, want, rtol=1e-4, atol=1e-5)


def test_recorded_loss_is_the_full_data_loss():
    result = descent.run(scene(minibatch={"batch_size": 4}))
    d = datasets.load("noisy_line", 50, 3)
    x, y = d.x.astype(np.float64), d.y.astype(np.float64)
    for k in (0, 7, 40):
        w, b = result.runs[0].path[k].astype(np.float64)
        assert result.runs[0].loss[k] == pytest.approx(np.mean((w * x + b - y) ** 2), rel=1e-5)


def test_full_batch_is_plain_gradient_descent():
    plain = descent.run(scene(steps=300)).runs[0].path
    full = descent.run(scene(steps=300, minibatch={"batch_size": 50, "shuffle": True, "seed": 3})).runs[0].path
    larger = descent.run(scene(steps=300, minibatch={"batch_size": 500})).runs[0].path
    np.testing.assert_array_equal(full, plain)
    np.testing.assert_array_equal(larger, plain)
    d = datasets.load("noisy_line", 50, 3)
    np.testing.assert_allclose(plain, reference_sgd("linear_regression", d.x, d.y, [np.arange(50)] * 300, 0.05), rtol=1e-5, atol=1e-6)


def test_every_epoch_visits_each_row_once_in_a_new_order():
    rule = descent.Minibatch(batch_size=16, shuffle=True, seed=2)
    from descent import minibatch

    epoch0 = [minibatch.batch(rule, 50, k) for k in range(4)]
    epoch1 = [minibatch.batch(rule, 50, k) for k in range(4, 8)]
    assert [len(b) for b in epoch0] == [16, 16, 16, 2]  # the last batch partial, kept
    for epoch in (epoch0, epoch1):
        assert sorted(np.concatenate(epoch).tolist()) == list(range(50))
    assert not np.array_equal(np.concatenate(epoch0), np.concatenate(epoch1))
    ordered = descent.Minibatch(batch_size=16, shuffle=False)
    assert minibatch.batch(ordered, 50, 5).tolist() == list(range(16, 32))  # epoch 1, batch 1: in order


def test_every_run_of_a_scenario_sees_the_same_batches():
    runs = [{"optimizer": "sgd", "hparams": {"learning_rate": 0.05}, "label": "a"},
            {"optimizer": "adam", "hparams": {"learning_rate": 0.05}},
            {"optimizer": "sgd", "hparams": {"learning_rate": 0.05}, "label": "b"}]  # fmt: skip
    result = descent.run(scene(runs=runs, steps=2500, minibatch={"batch_size": 8, "seed": 5}))  # 3 chunks of steps
    np.testing.assert_array_equal(result.runs[0].path, result.runs[2].path)
    again = descent.run(scene(runs=runs[:1], steps=2500, minibatch={"batch_size": 8, "seed": 5}))
    np.testing.assert_array_equal(again.runs[0].path, result.runs[0].path)
    other_seed = descent.run(scene(runs=runs[:1], steps=2500, minibatch={"batch_size": 8, "seed": 6}))
    assert not np.array_equal(other_seed.runs[0].path, result.runs[0].path)


def test_long_runs_cross_chunks_like_the_reference():
    n, steps = 30, 2100  # beyond two compiled chunks of steps
    result = descent.run(scene(size=n, steps=steps, minibatch={"batch_size": 7, "seed": 9}, runs=[{"optimizer": "sgd", "hparams": {"learning_rate": 0.01}}]))
    d = datasets.load("noisy_line", n, 3)
    want = reference_sgd("linear_regression", d.x, d.y, reference_batches(n, 7, True, 9, steps), 0.01)
    np.testing.assert_allclose(result.runs[0].path, want, rtol=1e-4, atol=1e-5)


def test_epochs_count_passes_over_the_data():
    from descent import minibatch

    assert minibatch.epochs(steps=8, n=50, batch_size=16) == 2.0
    assert minibatch.epochs(steps=100, n=200, batch_size=200) == 100.0
    assert minibatch.epochs(steps=400, n=200, batch_size=1) == 2.0


def test_sweep_uses_the_same_minibatches():
    sc = scene(minibatch={"batch_size": 8, "seed": 1}, steps=60)
    single = descent.run(sc).runs[0]
    maps = descent.sweep(sc, grid={"learning_rate": [0.01, 0.05]}, starts=[[0.0, 0.0], [1.0, -1.0]])
    np.testing.assert_allclose(maps.final_point[0, 1], single.path[-1], rtol=1e-5, atol=1e-6)
    moved = descent.run({**sc, "start": [1.0, -1.0], "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.01}}]}).runs[0]
    np.testing.assert_allclose(maps.final_point[1, 0], moved.path[-1], rtol=1e-5, atol=1e-6)
