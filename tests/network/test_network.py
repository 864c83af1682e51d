"""Data sets and the MLP: determinism, shapes, and Keras's Dense initialisation."""

import math

import numpy as np
import pytest

import network


@pytest.mark.parametrize("name", [d.id for d in network.DATASETS])
def test_dataset_is_deterministic_per_seed_and_shaped(name):
    a = network.make_dataset(name, 301, 0.1, 7, 0.2)
    b = network.make_dataset(name, 301, 0.1, 7, 0.2)
    c = network.make_dataset(name, 301, 0.1, 8, 0.2)
    assert a.x_train.shape == (241, 2) and a.x_val.shape == (60, 2)
    assert a.y_train.shape == (241,) and a.y_val.shape == (60,)
    assert a.x_train.dtype == np.float32 and a.y_train.dtype == np.float32
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_val, b.y_val)
    assert not np.array_equal(a.x_train, c.x_train)
    labels = np.concatenate([a.y_train, a.y_val])
    assert set(np.unique(labels)) == {0.0, 1.0}
    assert abs(labels.mean() - 0.5) < 0.01  # both classes, half each
    (x0, x1), (y0, y1) = a.domain
    inside = (a.x_train[:, 0] > x0) & (a.x_train[:, 0] < x1) & (a.x_train[:, 1] > y0) & (a.x_train[:, 1] < y1)
    assert inside.mean() > 0.98  # the plotting box holds the data


def test_noise_moves_points_and_no_validation_leaves_an_empty_set():
    clean = network.make_dataset("circles", 100, 0.0, 0, 0.0)
    radii = np.linalg.norm(clean.x_train, axis=1)
    np.testing.assert_allclose(np.sort(np.unique(np.round(radii, 5))), [0.5, 1.0])
    assert clean.x_val.shape == (0, 2)
    noisy = network.make_dataset("circles", 100, 0.3, 0, 0.0)
    assert np.abs(np.linalg.norm(noisy.x_train, axis=1) - radii).max() > 0.1


def test_xor_labels_follow_the_quadrants_without_noise():
    d = network.make_dataset("xor", 200, 0.0, 3, 0.0)
    np.testing.assert_array_equal(d.y_train, (d.x_train[:, 0] * d.x_train[:, 1] > 0).astype(np.float32))


def test_glorot_uniform_kernels_and_zero_biases_as_keras_dense():
    mlp = network.MLP((32, 32, 32), "relu")
    params = mlp.init(0)
    assert [w.shape for w, _ in params] == [(2, 32), (32, 32), (32, 32), (32, 1)]
    for w, b in params:
        limit = math.sqrt(6.0 / (w.shape[0] + w.shape[1]))
        assert np.abs(w).max() <= limit
        np.testing.assert_array_equal(b, 0.0)
    w = params[1][0]  # 1024 draws of U(−l, l): spread over the whole interval, variance l²/3
    limit = math.sqrt(6.0 / 64)
    assert np.abs(w).max() > 0.95 * limit
    assert abs(w.var() / (limit**2 / 3) - 1) < 0.15
    assert abs(w.mean()) < 0.05 * limit
    again, other = mlp.init(0), mlp.init(1)
    np.testing.assert_array_equal(again[1][0], w)
    assert not np.array_equal(other[1][0], w)
    # the flat initial weights a training starts from: drawn once per model and seed, read-only
    initial = mlp.initial(0)
    np.testing.assert_array_equal(initial, mlp.flatten(params))
    assert network.MLP((32, 32, 32), "relu").initial(0) is initial and not initial.flags.writeable
    assert not np.array_equal(mlp.initial(1), initial) and network.MLP((32, 32, 32), "tanh").initial(0) is not initial


def test_flat_vector_round_trips_and_matches_a_numpy_forward_pass():
    mlp = network.MLP((5, 3), "tanh")
    params = mlp.init(4)
    flat = mlp.flatten(params)
    assert flat.shape == (mlp.size,) == (2 * 5 + 5 + 5 * 3 + 3 + 3 + 1,)
    for (w, b), (w2, b2) in zip(params, mlp.unflatten(flat)):
        np.testing.assert_array_equal(w, w2)
        np.testing.assert_array_equal(b, b2)
    x = np.array([[0.3, -1.2], [2.0, 0.5]], np.float32)
    y = np.array([1.0, 0.0], np.float32)
    h = x.astype(np.float64)
    for w, b in params[:-1]:
        h = np.tanh(h @ w + b)
    z = (h @ params[-1][0] + params[-1][1])[:, 0]
    p = 1 / (1 + np.exp(-z))
    bce = np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(np.asarray(mlp.logits(flat, x)), z, rtol=1e-5)
    np.testing.assert_allclose(float(mlp.loss(flat, x, y)), bce, rtol=1e-5)
    assert float(mlp.accuracy(flat, x, y)) == np.mean((z > 0) == (y > 0.5))


def test_the_parameter_pytree_names_each_layers_kernel_and_bias_and_round_trips():
    mlp = network.MLP((5, 3), "tanh")
    params = mlp.init(4)
    flat = mlp.flatten(params)
    tree = mlp.tree(flat)
    assert list(tree) == ["dense_0", "dense_1", "dense_2"]
    for (w, b), layer in zip(params, tree.values()):
        np.testing.assert_array_equal(layer["kernel"], w)
        np.testing.assert_array_equal(layer["bias"], b)
    np.testing.assert_array_equal(np.asarray(mlp.flat_of(tree)), flat)
    x = np.array([[0.3, -1.2], [2.0, 0.5]], np.float32)
    np.testing.assert_array_equal(np.asarray(mlp.apply(tree, x)), np.asarray(mlp.logits(flat, x)))
