"""Optimizer states for the Keras and PyTorch flavours.

Every buffer is shaped like the parameters: one array for a 2D point, a pytree of arrays (an
MLP's kernels and biases) for a network, as in optax.

Field names follow optax's (`trace`, `mu`, `nu`, `nu_max`, `sum_of_squares`, `e_g`, `e_x`) so
that one function, `moments`, finds the first- and second-moment buffers in the state of any
flavour, optax's own included.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

Array = jax.Array


class TraceState(NamedTuple):
    count: Array
    trace: Array


class AccumulatorState(NamedTuple):
    count: Array
    sum_of_squares: Array


class RmsState(NamedTuple):
    count: Array
    nu: Array
    mu: Array  # running mean gradient (centered variant)
    trace: Array  # momentum buffer


class AdamState(NamedTuple):
    count: Array
    mu: Array
    nu: Array
    nu_max: Array


class AdamaxState(NamedTuple):
    count: Array
    mu: Array
    nu: Array  # the exponentially weighted infinity norm u


class NadamState(NamedTuple):
    count: Array
    mu: Array
    nu: Array
    mu_product: Array


class AdadeltaState(NamedTuple):
    count: Array
    e_g: Array
    e_x: Array


class LionState(NamedTuple):
    count: Array
    mu: Array


# Where several candidates exist, the first found in this order wins: a momentum trace is
# the "velocity" even when a centered RMSprop also keeps a mean gradient `mu`.
FIRST_MOMENT_FIELDS = ("trace", "mu")
SECOND_MOMENT_FIELDS = ("nu_max", "nu", "sum_of_squares", "e_g")


def zeros(params):
    """A zero buffer shaped like the parameters, whatever their pytree (optax's tree_zeros_like)."""
    return jax.tree.map(jnp.zeros_like, params)


def full_like(params, fill):
    """A buffer shaped like the parameters, every entry `fill` (Adagrad's initial accumulator)."""
    return jax.tree.map(lambda p: jnp.zeros_like(p) + fill, params)


def count0() -> Array:
    return jnp.zeros([], jnp.int32)


def moments(state) -> tuple[Array | None, Array | None]:
    """(first moment, second moment) buffers found in any optimizer state, None if absent."""
    found: dict[str, Array] = {}
    for path, leaf in jax.tree_util.tree_flatten_with_path(state)[0]:
        key = path[-1]
        name = getattr(key, "name", None)
        if name is not None and name not in found:
            found[name] = leaf
    first = next((found[n] for n in FIRST_MOMENT_FIELDS if n in found), None)
    second = next((found[n] for n in SECOND_MOMENT_FIELDS if n in found), None)
    return first, second
