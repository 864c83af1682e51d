"""Loss-landscape slices: the origin is the model's loss, filter normalization, the PCA plane."""

import numpy as np
import pytest

import descent
from descent import slices

SCENARIO = {
    "dataset": {"name": "circles", "size": 120, "noise": 0.1, "seed": 1, "validation": 0.25},
    "model": {"hidden": [6, 5], "activation": "tanh", "seed": 2},
    "epochs": 30,
    "minibatch": {"batch_size": 16, "seed": 4},
    "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.03}},
             {"optimizer": "sgd", "hparams": {"learning_rate": 0.3, "momentum": 0.9}}],
}


@pytest.fixture(scope="module")
def result():
    return descent.train(SCENARIO)


def _numpy_loss(mlp, weights, data):
    z = np.asarray(mlp.logits(np.asarray(weights, np.float32), data.x_train), np.float64)
    y = data.y_train
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


@pytest.mark.parametrize("make", [descent.random_slice, descent.pca_slice])
def test_the_slice_at_its_origin_is_the_loss_at_the_final_weights(result, make):
    cut = make(result, 1, resolution=100)
    assert cut.loss.shape == (100, 100)
    assert cut.alphas[50] == 0.0 and cut.betas[50] == 0.0
    expected = _numpy_loss(result.mlp, result.runs[1].final_weights, result.data)
    assert cut.loss[50, 50] == pytest.approx(expected, rel=1e-5)
    assert cut.origin_loss == pytest.approx(expected, rel=1e-5)
    assert result.runs[1].train_loss[-1] == pytest.approx(expected, rel=1e-5)  # the epoch's own number
    # a point off the origin: the loss at those weights
    i, j = 20, 83
    w = result.runs[1].final_weights + cut.alphas[j] * cut.directions[0] + cut.betas[i] * cut.directions[1]
    assert cut.loss[i, j] == pytest.approx(_numpy_loss(result.mlp, w, result.data), rel=1e-4)


def test_random_directions_are_filter_normalized_with_zero_biases(result):
    cut = descent.random_slice(result, 0, resolution=10, seed=3)
    weights = result.runs[0].final_weights
    for d in cut.directions:
        for (w, b), (dw, db) in zip(result.mlp.unflatten(weights), result.mlp.unflatten(d)):
            np.testing.assert_allclose(np.linalg.norm(dw, axis=0), np.linalg.norm(w, axis=0), rtol=1e-5)
            np.testing.assert_array_equal(db, 0.0)
    assert not np.allclose(cut.directions[0], cut.directions[1])
    other = descent.random_slice(result, 0, resolution=10, seed=4)
    assert not np.allclose(other.directions, cut.directions)


def test_pca_plane_explains_the_iterates_as_stated(result):
    cut = descent.pca_slice(result, 0, resolution=20)
    weights, epochs = slices.iterates(result, 0)
    assert len(weights) == 31 and epochs[0] == 0 and epochs[-1] == 30
    assert np.all((cut.explained >= 0) & (cut.explained <= 1)) and cut.explained.sum() <= 1 + 1e-9
    assert cut.explained[0] >= cut.explained[1] > 0
    d = cut.directions.astype(np.float64)
    np.testing.assert_allclose(d @ d.T, np.eye(2), atol=1e-5)  # orthonormal
    offsets = weights.astype(np.float64) - weights[-1]
    reconstructed = cut.path @ d
    residual = np.sum((offsets - reconstructed) ** 2) / np.sum(offsets**2)
    assert residual == pytest.approx(1 - cut.explained.sum(), abs=1e-5)
    np.testing.assert_allclose(cut.path[-1], 0.0, atol=1e-12)  # the final weights sit at the origin
    assert np.all(np.abs(cut.path) <= np.abs([cut.alphas[0], cut.betas[0]]))  # the grid holds the path


def test_pca_of_a_straight_path_is_one_direction_that_explains_everything():
    direction = np.array([3.0, 4.0, 0.0]) / 5
    weights = np.outer(np.linspace(2.0, 0.0, 7), direction) + np.array([1.0, 1.0, 1.0])
    directions, path, explained = slices.pca_plane(weights, weights[-1])
    assert explained[0] == pytest.approx(1.0) and explained[1] == pytest.approx(0.0, abs=1e-12)
    assert abs(directions[0] @ direction) == pytest.approx(1.0)
    np.testing.assert_allclose(np.abs(path[:, 0]), np.linspace(2.0, 0.0, 7), atol=1e-12)


def test_pca_from_the_gram_matrix_agrees_with_the_svd_of_the_offsets():
    # the plane is computed from the S x S Gram matrix; an SVD of the S x P offsets is the reference
    rng = np.random.default_rng(0)
    weights = np.cumsum(rng.normal(size=(40, 500)) * np.linspace(3.0, 0.1, 500), axis=0)
    directions, path, explained = slices.pca_plane(weights, weights[-1])
    _, s, vt = np.linalg.svd(weights - weights[-1], full_matrices=False)
    for k in range(2):
        assert abs(directions[k] @ vt[k]) == pytest.approx(1.0, abs=1e-9)
        assert explained[k] == pytest.approx(s[k] ** 2 / np.sum(s**2), rel=1e-9)
        np.testing.assert_allclose(np.abs(path[:, k]), np.abs((weights - weights[-1]) @ vt[k]), rtol=1e-7, atol=1e-9)
        assert path[0, k] <= 0  # the start lies towards -alpha, -beta: training runs to +


def test_a_new_run_or_seed_compiles_no_new_slice(result):
    descent.random_slice(result, 0, resolution=30)
    before = descent.trace_count()
    descent.random_slice(result, 1, resolution=30, seed=9, span=0.5)
    descent.pca_slice(result, 1, resolution=30)
    assert descent.trace_count() == before


def test_decision_boundary_is_the_model_probability_on_the_data_box(result):
    xs, ys, prob = descent.boundary(result, 0, [0, 30], resolution=25)
    assert prob.shape == (2, 25, 25)
    (x0, x1), (y0, y1) = result.data.domain
    assert xs[0] == x0 and xs[-1] == pytest.approx(x1) and ys[-1] == pytest.approx(y1)
    point = np.array([[xs[7], ys[3]]], np.float32)
    expected = 1 / (1 + np.exp(-np.asarray(result.mlp.logits(result.runs[0].final_weights, point))[0]))
    assert prob[1, 3, 7] == pytest.approx(expected, rel=1e-5)
    # the trained network separates the circles: inside ≈ class 1, outside ≈ class 0
    centre, corner = prob[1, 12, 12], prob[1, 0, 0]
    assert centre > 0.8 and corner < 0.2
    assert not np.allclose(prob[0], prob[1])
