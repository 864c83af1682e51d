"""Data landscapes: the training loss of a two-parameter model (w, b) on a data set of one input.

The point (x, y) of the map is (w, b), and the landscape is the exact full-data loss:

* `linear_regression`: mean squared error, L(w, b) = mean((w·x_i + b − y_i)²), Keras's "mse";
* `logistic_regression`: mean binary cross-entropy of σ(w·x_i + b), computed from the logit z
  stably as softplus(z) − y·z = −[y·log σ(z) + (1 − y)·log σ(−z)] (Keras's and PyTorch's
  `BCEWithLogitsLoss` form).

The data travels into the jitted engine as a value: a (3, bucket) float32 block of rows x, y and
weights (1/n for the n real rows, 0 for padding up to a power-of-two bucket). The structural
landscape (`structural(id)`, id `data:<model>:<bucket>`) is what the engine compiles, so a new
seed, size within the bucket or data set compiles nothing. A minibatch's gradient is that of
`batch_loss(p, data, weights)` with the batch's weights (1/|batch| on its rows, 0 elsewhere).

The minimum is computed, not searched: closed form (least squares) for the MSE, Newton's method
to convergence for the cross-entropy (both in float64).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

import datasets
from landscapes.spec import Landscape, Minimum

PREFIX = "data:"
AXES = ("w", "b")  # the map's coordinates are the model's parameters: weight and bias
MODELS = {"linear_regression": "Linear regression (MSE)", "logistic_regression": "Logistic regression (cross-entropy)"}
MIN_BUCKET = 16


def bucket(n: int) -> int:
    """The padded data size: a power of two from 16 up to datasets.MAX_SIZE."""
    return max(MIN_BUCKET, 1 << (max(n, 1) - 1).bit_length())


def per_example_loss(model: str):
    if model == "linear_regression":
        return lambda z, y: (z - y) ** 2
    return lambda z, y: jax.nn.softplus(z) - y * z  # = −y·log σ(z) − (1 − y)·log σ(−z)


def batch_loss_fn(model: str):
    """(p, data, weights) -> Σ_i weights_i · loss(p[0]·x_i + p[1], y_i): the mean loss over a
    batch when the weights are 1/|batch| on its rows."""
    loss = per_example_loss(model)

    def batch_loss(p, data, weights):
        z = p[0] * data[0] + p[1]
        return jnp.sum(weights * loss(z, data[1]))

    return batch_loss


@functools.lru_cache(maxsize=None)
def structural(key: str) -> Landscape:
    """The landscape the engine compiles for a model and a data bucket."""
    try:
        model, size = key[len(PREFIX):].split(":")
        size = int(size)
    except ValueError:
        raise KeyError(f"not a data landscape id: {key[:40]!r}") from None
    if not key.startswith(PREFIX) or model not in MODELS or size != bucket(size) or size > datasets.MAX_SIZE:
        raise KeyError(f"not a data landscape id: {key[:40]!r}")
    batch_loss = batch_loss_fn(model)
    return Landscape(
        id=key,
        title=MODELS[model],
        formula="",
        fn=lambda p, params: batch_loss(p, params["data"], params["data"][2]),
        domain=((-1.0, 1.0), (-1.0, 1.0)),
        start=(0.0, 0.0),
        teaches="The training loss of a model with two parameters.",
        data_size=size,
        batch_loss=batch_loss,
        axes=AXES,
    )


def block(data: datasets.Data) -> np.ndarray:
    """The (3, bucket) float32 rows x, y, weight (1/n on real rows, 0 on padding)."""
    n = len(data.x)
    out = np.zeros((3, bucket(n)), np.float32)
    out[0, :n], out[1, :n], out[2, :n] = data.x, data.y, np.float32(1.0 / n)
    return out


def full_loss64(model: str, x, y, w: float, b: float) -> float:
    z = w * np.asarray(x, np.float64) + b
    y = np.asarray(y, np.float64)
    if model == "linear_regression":
        return float(np.mean((z - y) ** 2))
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def minimum(model: str, x, y) -> tuple[float, float] | None:
    """argmin (w, b) of the full-data loss, in float64; None where it does not exist (a constant
    x, or classes that a threshold separates, where the cross-entropy has no minimum)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    var = x.var()
    if var <= 0:
        return None
    if model == "linear_regression":
        w = float(np.mean((x - x.mean()) * (y - y.mean())) / var)
        return w, float(y.mean() - w * x.mean())
    p = np.zeros(2)
    features = np.stack([x, np.ones_like(x)], axis=1)
    for _ in range(100):
        z = features @ p
        s = 1.0 / (1.0 + np.exp(-z))
        g = features.T @ (s - y) / len(x)
        h = (features * (s * (1 - s))[:, None]).T @ features / len(x)
        try:
            step = np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            return None
        # Damped: halve the step until the loss does not rise (Newton from 0 may overshoot).
        f0, t = full_loss64(model, x, y, *p), 1.0
        while t > 1e-8 and full_loss64(model, x, y, *(p - t * step)) > f0:
            t /= 2
        p = p - t * step
        if np.abs(g).max() < 1e-12 or np.abs(t * step).max() < 1e-13 * (1 + np.abs(p).max()):
            break
    g = features.T @ (1.0 / (1.0 + np.exp(-(features @ p))) - y) / len(x)
    if not np.all(np.isfinite(p)) or np.abs(g).max() > 1e-6 or np.abs(p).max() > 1e6:
        return None
    return float(p[0]), float(p[1])


def _domain(model: str, x: np.ndarray, y: np.ndarray, best) -> tuple[tuple[float, float], tuple[float, float]]:
    """A box around the minimum, wide enough to hold (0, 0) (where training starts)."""
    sx = float(x.std()) or 1.0
    w0, b0 = best if best is not None else (0.0, 0.0)
    if model == "linear_regression":
        sy = float(y.std()) or 1.0
        hw, hb = max(3 * abs(w0), 2 * sy / sx), max(3 * abs(b0), 2 * sy, 1.0)
    else:
        hw, hb = max(3 * abs(w0), 4 / sx), max(3 * abs(b0), 4.0)
    def r(v):  # the bounds rounded to three digits
        return float(f"{v:.3g}")

    return (r(w0 - hw), r(w0 + hw)), (r(b0 - hb), r(b0 + hb))


@functools.lru_cache(maxsize=32)
def resolve(model: str, name: str, size: int, seed: int, standardize: bool) -> Landscape:
    """The landscape of `model` on a data set; KeyError for an unknown model, DataError for a bad set."""
    if model not in MODELS:
        raise KeyError(model)
    data = datasets.load(name, size, seed, standardize)
    if model == "logistic_regression" and not np.all((data.y == 0) | (data.y == 1)):
        raise datasets.DataError("name", f"{name} has real-valued targets; logistic regression needs labels 0/1 (two_blobs, breast_cancer)")
    spec = datasets.SPECS[name]
    best = minimum(model, data.x, data.y)
    minima = () if best is None else (Minimum((best[0], best[1]), full_loss64(model, data.x, data.y, *best)),)
    x_name = f"standardized {spec.x_label}" if standardize else spec.x_label
    base = structural(f"{PREFIX}{model}:{bucket(len(data.x))}")
    loss_tex = (r"\tfrac{1}{n}\sum_i (w x_i + b - y_i)^2" if model == "linear_regression"
                else r"\tfrac{1}{n}\sum_i -y_i\log\sigma(w x_i + b) - (1-y_i)\log(1-\sigma(w x_i + b))")  # fmt: skip
    return Landscape(
        id=base.id,
        title=f"{MODELS[model]} on {spec.title} (n = {len(data.x)})",
        formula=r"L(w, b) = " + loss_tex,
        fn=base.fn,
        domain=_domain(model, data.x, data.y, best),
        start=(0.0, 0.0),
        teaches=f"The training loss over (w, b): x is {x_name}, y is {spec.y_label}.",
        minima=minima,
        log_scale=model == "linear_regression",
        axes=AXES,
        reference=spec.reference,
        data_size=base.data_size,
        batch_loss=base.batch_loss,
        data=block(data),
        base=base,
    )
