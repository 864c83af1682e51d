"""True minibatches on a data landscape: which rows each step's gradient averages over.

    "minibatch": {"batch_size": 32, "shuffle": true, "seed": 0}

Step k (counting updates from 0) belongs to epoch e = k // m and is batch j = k mod m of it,
with m = ⌈n / B⌉ batches per epoch. Epoch e visits the rows in the order

    order_e = numpy.random.default_rng([seed, e]).permutation(n)   (shuffle on)
    order_e = 0, 1, …, n − 1                                        (shuffle off)

and batch j is order_e[j·B : (j + 1)·B]: the last batch of an epoch is partial when B does not
divide n, as in Keras's `model.fit` and PyTorch's `DataLoader(drop_last=False)`. The step's
gradient is that of the batch's mean loss. The order depends on (seed, epoch) only, so every run
of a scenario sees the same batches (a fair race); B ≥ n is full-batch gradient descent.

The engine receives each step's batch as a row of weights over the (padded) data: 1/|batch| on
the batch's rows and 0 elsewhere, so the batch size, the seed and shuffling are values (changing
them compiles nothing).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import jax
import numpy as np

import params
from descent.errors import ScenarioError

MAX_SEED = 2**31 - 1
MAX_BATCH = 1_000_000


def _checked(check, value, *args):
    """A field checked by the parameter records' rules (params), as a ScenarioError."""
    try:
        return check(value, *args)
    except params.ParamError as e:
        raise ScenarioError(e.field, e.message) from None


@dataclass(frozen=True)
class Minibatch:
    """The minibatch rule of a data landscape (see the module's docstring)."""

    batch_size: int = 32
    shuffle: bool = True
    seed: int = 0

    def __post_init__(self):
        object.__setattr__(self, "batch_size", _checked(params.whole, self.batch_size, "batch_size", 1, MAX_BATCH))
        object.__setattr__(self, "shuffle", _checked(params.boolean, self.shuffle, "shuffle"))
        object.__setattr__(self, "seed", _checked(params.whole, self.seed, "seed", 0, MAX_SEED))

    def to_json(self) -> dict:
        return {"batch_size": self.batch_size, "shuffle": self.shuffle, "seed": self.seed}


def batches_per_epoch(n: int, batch_size: int) -> int:
    return -(-n // min(batch_size, n))


def epochs(steps: int, n: int, batch_size: int) -> float:
    """Epochs (passes over the data) that `steps` updates make."""
    return steps / batches_per_epoch(n, batch_size)


def order(seed: int, epoch: int, n: int, shuffle: bool) -> np.ndarray:
    """The rows of the data in the order epoch `epoch` visits them."""
    if not shuffle:
        return np.arange(n)
    return np.random.default_rng([seed, epoch]).permutation(n)


def batch(rule: Minibatch, n: int, step: int) -> np.ndarray:
    """The rows whose mean loss step `step` (from 0) descends."""
    b = min(rule.batch_size, n)
    m = batches_per_epoch(n, b)
    epoch, j = divmod(step, m)
    return order(rule.seed, epoch, n, rule.shuffle)[j * b : (j + 1) * b]


@functools.lru_cache(maxsize=8)
def weights_chunk(rule: Minibatch, n: int, bucket: int, size: int, index: int) -> jax.Array:
    """(size, bucket) float32: row k − index·size holds step k's batch weights (1/|batch| on the
    batch's rows). Cached: every run of a scenario shares the same chunks."""
    b = min(rule.batch_size, n)
    m = batches_per_epoch(n, b)
    ks = index * size + np.arange(size)
    epoch, j = np.divmod(ks, m)
    first = int(epoch[0])
    # The batch each row belongs to in each epoch of the chunk: position in the order // b.
    batch_of = np.empty((int(epoch[-1]) - first + 1, n), np.int64)
    for e in range(first, int(epoch[-1]) + 1):
        batch_of[e - first, order(rule.seed, e, n, rule.shuffle)] = np.arange(n) // b
    counts = np.minimum(b, n - j * b).astype(np.float32)
    out = np.zeros((size, bucket), np.float32)
    out[:, :n] = (batch_of[epoch - first] == j[:, None]) / counts[:, None]
    return jax.device_put(out)


def full_batch_chunk(n: int, bucket: int, size: int) -> jax.Array:
    """Every step on the whole data: weights 1/n (no minibatch given)."""
    return weights_chunk(Minibatch(batch_size=n, shuffle=False), n, bucket, size, 0)
