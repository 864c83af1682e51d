"""The Keras and PyTorch flavours on a parameter pytree: the very arithmetic of the flat vector.

An MLP's parameters are a dict of kernels and biases; every optimizer of the zoo is elementwise,
so updating each leaf must give what updating the concatenated vector gives, step after step,
states and the inspector's noted values included.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import optimizers
from optimizers.explain import collect

SHAPES = {"dense_0": {"kernel": (2, 3), "bias": (3,)}, "dense_1": {"kernel": (3, 1), "bias": (1,)}}
LEAVES = [("dense_0", "bias"), ("dense_0", "kernel"), ("dense_1", "bias"), ("dense_1", "kernel")]

CASES = [
    ("sgd", "keras", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("adam", "keras", {"learning_rate": 0.01, "amsgrad": True, "weight_decay": 0.01}),
    ("rmsprop", "keras", {"learning_rate": 0.01, "momentum": 0.5, "centered": True}),
    ("nadam", "keras", {"learning_rate": 0.01}),
    ("adagrad", "keras", {"learning_rate": 0.1}),
    ("adadelta", "keras", {"learning_rate": 1.0}),
    ("adamax", "keras", {"learning_rate": 0.01}),
    ("lion", "keras", {"learning_rate": 0.001, "weight_decay": 0.1}),
    ("sgd", "pytorch", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("adam", "pytorch", {"learning_rate": 0.01, "amsgrad": True, "weight_decay": 0.01}),
    ("adamw", "pytorch", {"learning_rate": 0.01}),
    ("rmsprop", "pytorch", {"learning_rate": 0.01, "momentum": 0.5, "centered": True}),
    ("nadam", "pytorch", {"learning_rate": 0.01, "weight_decay": 0.01}),
    ("adagrad", "pytorch", {"learning_rate": 0.1, "weight_decay": 0.01}),
    ("adadelta", "pytorch", {"learning_rate": 1.0}),
    ("adamax", "pytorch", {"learning_rate": 0.01}),
]


def _tree(flat: np.ndarray) -> dict:
    """Cut a flat vector into the pytree, leaves in LEAVES order."""
    out, i = {}, 0
    for layer, name in LEAVES:
        shape = SHAPES[layer][name]
        n = int(np.prod(shape))
        out.setdefault(layer, {})[name] = jnp.asarray(flat[i : i + n].reshape(shape))
        i += n
    return out


def _flat(tree) -> np.ndarray:
    return np.concatenate([np.ravel(tree[layer][name]) for layer, name in LEAVES])


def _gradient(flat: np.ndarray, k: int) -> np.ndarray:
    """A deterministic gradient that changes sign and scale from step to step."""
    i = np.arange(flat.size, dtype=np.float32)
    return (np.sin(0.7 * i + k) * (1.0 + 0.3 * k) + 0.1 * flat).astype(np.float32)


@pytest.mark.parametrize("optimizer, flavour, given", CASES, ids=lambda c: c if isinstance(c, str) else "")
def test_a_pytree_steps_as_its_flat_vector(optimizer, flavour, given):
    hp = optimizers.get(optimizer).resolve(flavour, given)
    tx = optimizers.build(optimizer, flavour, hp)
    flat = np.random.default_rng(0).normal(size=13).astype(np.float32)
    tree = _tree(flat)
    assert _flat(tree).size == flat.size
    flat_state, tree_state = tx.init(jnp.asarray(flat)), tx.init(tree)
    for k in range(12):
        g = _gradient(flat, k)
        (flat_update, flat_state), flat_noted = collect(tx.update, jnp.asarray(g), flat_state, jnp.asarray(flat))
        (tree_update, tree_state), tree_noted = collect(tx.update, _tree(g), tree_state, tree)
        assert jax.tree.structure(tree_update) == jax.tree.structure(tree)
        np.testing.assert_allclose(_flat(tree_update), flat_update, rtol=1e-6, atol=1e-9)
        flat = np.asarray(flat + flat_update)
        tree = jax.tree.map(lambda p, u: p + u, tree, tree_update)
        np.testing.assert_allclose(_flat(tree), flat, rtol=1e-6, atol=1e-9)
        # the inspector's values: shaped like the parameters, the flat vector's numbers
        assert flat_noted.keys() == tree_noted.keys() and "learning_rate" in flat_noted
        for name, value in flat_noted.items():
            if np.shape(value) == flat.shape:
                np.testing.assert_allclose(_flat(tree_noted[name]), value, rtol=1e-6, atol=1e-9, err_msg=name)
            else:
                np.testing.assert_allclose(tree_noted[name], value, rtol=1e-6)
    # every state buffer, leaf by leaf
    for flat_leaf, tree_leaf in zip(jax.tree.leaves(flat_state), _state_buffers(tree_state)):
        np.testing.assert_allclose(tree_leaf, flat_leaf, rtol=1e-6, atol=1e-9)


def _state_buffers(state):
    """Each field of a NamedTuple state as the flat vector when it is a parameter pytree."""
    out = []
    for field in state:
        if isinstance(field, dict):
            out.append(_flat(field))
        elif field is not None:
            out.append(np.asarray(field))
    return out


def test_the_buffers_take_the_parameters_structure():
    tree = _tree(np.ones(13, np.float32))
    state = optimizers.build("adagrad", "pytorch", optimizers.get("adagrad").resolve("pytorch", {"learning_rate": 0.1,
                             "initial_accumulator_value": 0.25})).init(tree)
    assert jax.tree.structure(state.sum_of_squares) == jax.tree.structure(tree)
    np.testing.assert_array_equal(_flat(state.sum_of_squares), np.full(13, 0.25, np.float32))
