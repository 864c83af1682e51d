"""The loss landscape of a trained network, cut by a plane, and its decision boundary.

Two planes through a run's final weights θ (Li et al., "Visualizing the Loss Landscape of
Neural Nets", NeurIPS 2018):

* `random_slice`: L(θ + α·δ + β·η) along two random Gaussian directions, each
  *filter-normalized*: for every kernel, each unit's column of incoming weights is scaled to
  the norm of the same column of θ (‖δ_j‖ = ‖θ_j‖), and bias directions are zero, so that the
  slice is comparable across layers and networks whatever their weights' scale.
* `pca_slice`: the plane of the first two principal directions of the iterates' offsets
  M = [θ_0 − θ, …, θ_T − θ] (its singular vectors, found from the S × S Gram matrix M·Mᵀ; as Li
  et al., not mean-centered, so the plane passes through θ). The trajectory is drawn as its coordinates M·[d₁ d₂]; the share of Σ‖θ_i − θ‖²
  the two directions capture is s₁² / Σs² and s₂² / Σs².

The loss is the mean BCE over the training set. The grid holds the origin (α = β = 0) at
index resolution // 2, and all its points are evaluated by one compiled call: a `lax.map` over
rows of a `vmap` over columns (vmapping all 10,000 points at once would hold 10,000 copies of
the hidden activations).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

import network
from descent import engine
from descent.train_result import TrainResult

DEFAULT_RESOLUTION = 100


@dataclass(frozen=True, eq=False)
class LossSlice:
    kind: str  # "random" or "pca"
    alphas: np.ndarray  # (res,) coordinates along the first direction
    betas: np.ndarray  # (res,) along the second
    loss: np.ndarray  # (res, res), loss[i, j] at (alphas[j], betas[i])
    origin_loss: float  # the loss at the run's final weights, (0, 0) on the grid
    directions: np.ndarray  # (2, P)
    path: np.ndarray | None = None  # (S, 2) the iterates projected (pca only)
    path_epochs: np.ndarray | None = None
    explained: np.ndarray | None = None  # (2,) share of the iterates' variance (pca only)


@functools.partial(jax.jit, static_argnums=(0, 1))
def _grid(mlp: network.MLP, resolution: int, weights, d1, d2, span, x, y):
    engine._traces[("slice", mlp, resolution, x.shape[0])] += 1
    ticks = (jnp.arange(resolution) - resolution // 2) / (resolution // 2)
    alphas, betas = ticks * span[0], ticks * span[1]

    def row(beta):
        return jax.vmap(lambda a: mlp.loss(weights + a * d1 + beta * d2, x, y))(alphas)

    return alphas, betas, jax.lax.map(row, betas)


@functools.partial(jax.jit, static_argnums=0)
def _loss(mlp: network.MLP, weights, x, y):
    return mlp.loss(weights, x, y)


def loss_at(result: TrainResult, weights) -> float:
    """The mean training loss of the model at flat `weights`."""
    return float(_loss(result.mlp, np.asarray(weights, np.float32), result.data.x_train, result.data.y_train))


def filter_normalized_direction(mlp: network.MLP, weights: np.ndarray, key) -> np.ndarray:
    """A Gaussian direction whose every unit's incoming-weight column has the norm of the
    same column of `weights`; zero on biases (Li et al. 2018, §4)."""
    out, i = [], 0
    keys = jax.random.split(key, len(mlp.shapes))
    for k, ((fan_in, fan_out), _) in zip(keys, mlp.shapes):
        theta = weights[i : i + fan_in * fan_out].reshape(fan_in, fan_out)
        d = np.asarray(jax.random.normal(k, (fan_in, fan_out), jnp.float32))
        d = d * (np.linalg.norm(theta, axis=0) / (np.linalg.norm(d, axis=0) + 1e-10))
        out += [d.ravel(), np.zeros(fan_out, np.float32)]
        i += fan_in * fan_out + fan_out
    return np.concatenate(out).astype(np.float32)


def _evaluate(result: TrainResult, weights, d1, d2, span, resolution: int):
    alphas, betas, loss = _grid(
        result.mlp, resolution, np.asarray(weights, np.float32), np.asarray(d1, np.float32),
        np.asarray(d2, np.float32), np.asarray(span, np.float32), result.data.x_train, result.data.y_train,
    )
    return np.asarray(alphas), np.asarray(betas), np.asarray(loss)


def random_slice(result: TrainResult, run_index: int, resolution: int = DEFAULT_RESOLUTION,
                 span: float = 1.0, seed: int = 0) -> LossSlice:
    """L(θ + αδ + βη) for α, β in [−span, span] along two filter-normalized random directions."""
    weights = result.runs[run_index].final_weights
    k1, k2 = jax.random.split(jax.random.PRNGKey(seed))
    d1 = filter_normalized_direction(result.mlp, weights, k1)
    d2 = filter_normalized_direction(result.mlp, weights, k2)
    alphas, betas, loss = _evaluate(result, weights, d1, d2, (span, span), resolution)
    return LossSlice("random", alphas, betas, loss, loss_at(result, weights), np.stack([d1, d2]))


def iterates(result: TrainResult, run_index: int) -> tuple[np.ndarray, np.ndarray]:
    """The kept weights of a run (S, P) and their epochs, the final weights last, stopping
    before divergence."""
    run = result.runs[run_index]
    epochs, weights = result.snapshot_epochs, run.snapshots
    if epochs[-1] != result.scenario.epochs:
        epochs = np.append(epochs, result.scenario.epochs)
        weights = np.concatenate([weights, run.final_weights[None]])
    if run.diverged_at is not None:
        keep = epochs < run.diverged_at
        epochs, weights = epochs[keep], weights[keep]
    return weights, epochs


def pca_plane(weights: np.ndarray, origin: np.ndarray):
    """(directions (2, P), coordinates (S, 2), explained (2,)) of the offsets M = weights − origin.

    From the small S × S Gram matrix G = M·Mᵀ = U·diag(s²)·Uᵀ rather than an SVD of M (S ≤ 201
    snapshots, P up to a few thousand weights): the directions are vₖ = Mᵀuₖ / sₖ and the
    coordinates M·vₖ = sₖ·uₖ, the same as the SVD's up to sign. Each direction's sign is chosen
    so that the first iterate (the initial weights) has a non-positive coordinate: training runs
    towards +α, +β.
    """
    offsets = np.asarray(weights, np.float64) - np.asarray(origin, np.float64)
    eigenvalues, u = np.linalg.eigh(offsets @ offsets.T)
    top = np.argsort(eigenvalues)[::-1][:2]
    total = float(np.sum(np.clip(eigenvalues, 0.0, None)))
    directions = np.zeros((2, offsets.shape[1]))
    explained = np.zeros(2)
    for k, i in enumerate(top):
        s = np.sqrt(max(eigenvalues[i], 0.0))
        if total <= 0 or s <= 1e-12 * np.sqrt(total):
            break  # fewer than two independent offsets: the rest of the plane stays zero
        d = offsets.T @ u[:, i] / s
        d /= np.linalg.norm(d)
        if offsets[0] @ d > 0:
            d = -d
        directions[k] = d
        explained[k] = eigenvalues[i] / total
    return directions, offsets @ directions.T, explained


def pca_slice(result: TrainResult, run_index: int, resolution: int = DEFAULT_RESOLUTION,
              margin: float = 0.25) -> LossSlice:
    """The loss on the PCA plane of a run's iterates, around its last good weights, with the
    trajectory projected onto it."""
    weights, epochs = iterates(result, run_index)
    origin = weights[-1]
    directions, path, explained = pca_plane(weights, origin)
    span = np.maximum(np.abs(path).max(axis=0) * (1.0 + margin), 1e-3)
    alphas, betas, loss = _evaluate(result, origin, directions[0], directions[1], span, resolution)
    return LossSlice("pca", alphas, betas, loss, loss_at(result, origin), directions.astype(np.float32),
                     path=path, path_epochs=epochs, explained=explained)


@functools.partial(jax.jit, static_argnums=(0, 1))
def _boundary(mlp: network.MLP, resolution: int, weights, bounds):
    engine._traces[("boundary", mlp, resolution)] += 1
    xs = jnp.linspace(bounds[0], bounds[1], resolution)
    ys = jnp.linspace(bounds[2], bounds[3], resolution)
    grid = jnp.stack(jnp.meshgrid(xs, ys), -1).reshape(-1, 2)
    prob = jax.vmap(lambda w: jax.nn.sigmoid(mlp.logits(w, grid)).reshape(resolution, resolution))(weights)
    return xs, ys, prob


def boundary(result: TrainResult, run_index: int, epochs, resolution: int = 50):
    """P(class 1) over the data's box at each of `epochs` (the kept weights at or below each):
    xs, ys, prob (K, res, res) with prob[k, i, j] at (xs[j], ys[i])."""
    weights = np.stack([result.weights_at(run_index, int(e)) for e in epochs]).astype(np.float32)
    (x0, x1), (y0, y1) = result.data.domain
    xs, ys, prob = _boundary(result.mlp, resolution, weights, np.asarray([x0, x1, y0, y1], np.float32))
    return np.asarray(xs), np.asarray(ys), np.asarray(prob)
