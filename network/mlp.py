"""A multilayer perceptron for 2D binary classification: Dense layers, a sigmoid output, BCE.

    z = W_L·a(… a(W_1·x + b_1) …) + b_L,   p = σ(z),
    BCE = mean(−y log p − (1 − y) log(1 − p)) = mean(softplus(z) − y·z)

The loss is computed from the logit z (Keras's `from_logits=True`, PyTorch's
`BCEWithLogitsLoss`): the same value as the probability form, without its overflow.

Parameters are a list of (W, b) per layer, W of shape (fan_in, fan_out) as Keras's Dense
kernel. Initial weights are Glorot uniform, W ~ U(−l, l) with l = √(6 / (fan_in + fan_out))
(Glorot & Bengio, 2010; Keras's default `kernel_initializer`), and zero biases (Keras's
`bias_initializer="zeros"`), drawn from the model seed only, so every run of a scenario starts
from the same weights.

The optimizers update the parameter pytree, `{"dense_0": {"kernel": W, "bias": b}, ...}` as
Keras names a Dense layer's weights (`tree` / `flat_of`), exactly as optax transformations update
a model's parameters. Results, slices and the PCA plane keep the weights as one flat float32
vector (`flatten` / `unflatten`, W then b per layer); `logits`, `loss` and `accuracy` take the
flat vector, `apply` the pytree.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

ACTIVATIONS = {"tanh": jnp.tanh, "relu": jax.nn.relu}


def glorot_limit(fan_in: int, fan_out: int) -> float:
    return math.sqrt(6.0 / (fan_in + fan_out))


@dataclass(frozen=True)
class MLP:
    hidden: tuple[int, ...]
    activation: str = "tanh"

    @property
    def widths(self) -> tuple[int, ...]:
        return (2, *self.hidden, 1)

    @property
    def shapes(self) -> tuple[tuple[tuple[int, int], tuple[int]], ...]:
        w = self.widths
        return tuple(((w[i], w[i + 1]), (w[i + 1],)) for i in range(len(w) - 1))

    @property
    def size(self) -> int:
        return sum(a * b + b for (a, b), _ in self.shapes)

    def init(self, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Glorot-uniform kernels and zero biases from `seed` (one PRNG key split per layer)."""
        keys = jax.random.split(jax.random.PRNGKey(seed), len(self.shapes))
        params = []
        for k, ((fan_in, fan_out), b_shape) in zip(keys, self.shapes):
            limit = glorot_limit(fan_in, fan_out)
            w = jax.random.uniform(k, (fan_in, fan_out), jnp.float32, -limit, limit)
            params.append((np.asarray(w), np.zeros(b_shape, np.float32)))
        return params

    def initial(self, seed: int) -> np.ndarray:
        """`init(seed)` as the flat vector, read-only and kept for the next training of the same
        model and seed (drawing it eagerly costs a few milliseconds of every edit)."""
        return _initial(self, seed)

    def flatten(self, params) -> np.ndarray:
        return np.concatenate([np.concatenate([np.ravel(w), np.ravel(b)]) for w, b in params]).astype(np.float32)

    def unflatten(self, flat):
        """The (W, b) list of a flat vector; works on NumPy and traced JAX arrays alike."""
        params, i = [], 0
        for (fan_in, fan_out), _ in self.shapes:
            w = flat[i : i + fan_in * fan_out].reshape(fan_in, fan_out)
            i += fan_in * fan_out
            params.append((w, flat[i : i + fan_out]))
            i += fan_out
        return params

    @property
    def layer_names(self) -> tuple[str, ...]:
        return tuple(f"dense_{i}" for i in range(len(self.shapes)))

    def tree(self, flat) -> dict:
        """The parameter pytree of a flat vector: {"dense_i": {"kernel": W, "bias": b}}."""
        return {name: {"kernel": w, "bias": b} for name, (w, b) in zip(self.layer_names, self.unflatten(flat))}

    def flat_of(self, tree):
        """The flat vector of a parameter pytree, W then b per layer (as `flatten`), traceable."""
        parts = []
        for name in self.layer_names:
            parts += [jnp.ravel(tree[name]["kernel"]), jnp.ravel(tree[name]["bias"])]
        return jnp.concatenate(parts)

    def apply(self, tree, x):
        """z for inputs x (n, 2) → (n,), from the parameter pytree."""
        act = ACTIVATIONS[self.activation]
        layers = [(tree[name]["kernel"], tree[name]["bias"]) for name in self.layer_names]
        h = x
        for w, b in layers[:-1]:
            h = act(h @ w + b)
        w, b = layers[-1]
        return (h @ w + b)[:, 0]

    def logits(self, flat, x):
        """z for inputs x (n, 2) → (n,), from the flat vector."""
        return self.apply(self.tree(flat), x)

    def losses(self, flat, x, y):
        """Per-example binary cross-entropy softplus(z) − y·z."""
        z = self.logits(flat, x)
        return jax.nn.softplus(z) - y * z

    def loss(self, flat, x, y):
        return jnp.mean(self.losses(flat, x, y))

    def accuracy(self, flat, x, y):
        return jnp.mean(((self.logits(flat, x) > 0) == (y > 0.5)).astype(jnp.float32))


@functools.lru_cache(maxsize=64)
def _initial(mlp: MLP, seed: int) -> np.ndarray:
    flat = mlp.flatten(mlp.init(seed))
    flat.setflags(write=False)
    return flat
