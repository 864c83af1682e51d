"""What one optimizer step computed, by name: the seam between the update rules and their display.

The Keras and PyTorch update functions call `note(name=value, ...)` on the intermediate values
they compute anyway (the learning rate, bias corrections, the per-coordinate effective learning
rate); `note` does nothing unless a collector is active. `collect(fn, ...)` runs `fn` under a
collector and returns its outputs with the noted values. Under `jax.jit` the notes are made at
trace time, so a jitted function that calls `collect` simply has more outputs: it stays pure.

    >>> (updates, state), noted = collect(tx.update, grads, state, params)
    >>> noted["learning_rate"]

optax's own optimizers cannot call `note`: for the optax flavour `describe` reads the same
names from optax's state before and after the step (its fields are named `mu`, `nu`, `trace`,
`count`, ...; optimizers.states uses the same names), with optax's own formulas for the bias
corrections.

`describe` also renames the state buffers to the names of the equations: `m` and `v` for the Adam
family, `velocity` for SGD's momentum, `accumulator` for Adagrad, and so on (`STATE_NAMES`);
`symbol(name, optimizer, flavour)` is each name's LaTeX symbol as the catalogue's equations
(optimizers/catalogue.py) write it, which the step inspector shows with the numbers.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping

import jax
import jax.numpy as jnp

# Per thread: the app traces runs of different sessions in their own threads at once, and a
# value noted by one trace must never land in another's collector (a leaked tracer).
_local = threading.local()


def _collectors() -> list[dict]:
    if not hasattr(_local, "collectors"):
        _local.collectors = []
    return _local.collectors


def note(**values) -> None:
    """Record named intermediate values of the step being computed (no-op outside `collect`)."""
    collectors = _collectors()
    if collectors:
        collectors[-1].update(values)


@contextlib.contextmanager
def collecting():
    """A collector as a context: `with collecting() as noted: ...`."""
    noted: dict = {}
    collectors = _collectors()
    collectors.append(noted)
    try:
        yield noted
    finally:
        collectors.pop()


def collect(fn: Callable, *args, **kwargs):
    """(fn(*args, **kwargs), the values noted while it ran)."""
    with collecting() as noted:
        out = fn(*args, **kwargs)
    return out, dict(noted)


# Each optimizer's state buffers, by the field that holds them (the same in every flavour,
# optax's included), renamed as the equations name them. Fields absent from a state (Keras's
# RMSprop has no `nu_max`) are skipped.
STATE_NAMES: Mapping[str, Mapping[str, str]] = {
    "sgd": {"trace": "velocity"},
    "adagrad": {"sum_of_squares": "accumulator"},
    "rmsprop": {"nu": "v", "mu": "mean_gradient", "trace": "momentum"},
    "adam": {"mu": "m", "nu": "v", "nu_max": "v_max"},
    "adamw": {"mu": "m", "nu": "v", "nu_max": "v_max"},
    "adamax": {"mu": "m", "nu": "u"},
    "nadam": {"mu": "m", "nu": "v", "mu_product": "mu_product"},
    "adadelta": {"e_g": "E_g", "e_x": "E_delta"},
    "lion": {"mu": "m"},
}

# Methods that scale each coordinate's step by its own history: they have an `effective_lr`.
ADAPTIVE = frozenset({"adagrad", "rmsprop", "adam", "adamw", "adamax", "nadam", "adadelta"})

# The LaTeX symbol of each named value (for the inspector's "where" lines).
SYMBOLS: Mapping[str, str] = {
    "point": "p",
    "gradient": "g",
    "true_gradient": r"\nabla f(p)",
    "noise": r"\sigma\xi/\sqrt{B}",
    "learning_rate": r"\eta_t",
    "t": "t",
    "velocity": "v",
    "accumulator": "a",
    "v": "v",
    "m": "m",
    "u": "u",
    "v_max": r"\hat v_{\max}",
    "mean_gradient": r"\bar g",
    "momentum": "m",
    "mu_product": r"\textstyle\prod_i \mu_i",
    "E_g": "E_g",
    "E_delta": r"E_\Delta",
    "bias_correction1": r"1-\beta_1^t",
    "bias_correction2": r"1-\beta_2^t",
    "alpha": r"\alpha_t",
    "m_hat": r"\hat m",
    "v_hat": r"\hat v",
    "mu_t": r"\mu_t",
    "mu_next": r"\mu_{t+1}",
    "delta": r"\Delta",
    "effective_lr": r"\eta_{\mathrm{eff}}",
    "update": r"\Delta p",
    "next_point": r"p'",
}
# Where a flavour writes a buffer with another letter than the canonical one.
FLAVOUR_SYMBOLS: Mapping[tuple[str, str], Mapping[str, str]] = {
    ("sgd", "pytorch"): {"velocity": "b"},
    ("sgd", "optax"): {"velocity": "b"},
    ("rmsprop", "pytorch"): {"momentum": "b"},
}


def symbol(name: str, optimizer: str = "", flavour: str = "") -> str:
    return FLAVOUR_SYMBOLS.get((optimizer, flavour), {}).get(name, SYMBOLS.get(name, name))


def _fields(state) -> dict[str, jax.Array]:
    """Every named leaf of a (possibly chained) optimizer state, the first of each name."""
    found: dict[str, jax.Array] = {}
    for path, leaf in jax.tree_util.tree_flatten_with_path(state)[0]:
        name = getattr(path[-1], "name", None)
        if name is not None and name not in found:
            found[name] = leaf
    return found


def named_state(optimizer: str, state, flags: Mapping[str, bool]) -> dict[str, jax.Array]:
    """The state's buffers under their equation names (2-vectors; Nadam's μ product is a scalar)."""
    fields = _fields(state)
    out = {}
    for field, name in STATE_NAMES[optimizer].items():
        if field not in fields:
            continue
        if field == "mu" and optimizer == "rmsprop" and not flags.get("centered"):
            continue  # kept but unused unless centered
        if field == "nu_max" and not flags.get("amsgrad"):
            continue
        out[name] = fields[field]
    return out


def _optax_notes(optimizer: str, hp: Mapping, grads, params, before: dict, after: dict, lr) -> dict:
    """The noted values of a Keras/PyTorch step, derived for optax's own from its states.

    Bias corrections are optax's `1 - decay ** count` with the count after the step; the
    effective learning rate multiplies g (Adagrad, RMSprop, Adadelta) or m̂ (the Adam family).
    """
    t = after["count"]
    tf = t.astype(jnp.float32)
    notes: dict = {"learning_rate": lr, "t": t}
    eps = hp.get("epsilon")
    if optimizer == "adagrad":
        acc = after["sum_of_squares"]
        notes["effective_lr"] = jnp.where(acc > 0, lr * jax.lax.rsqrt(acc + eps), 0.0)
    elif optimizer == "rmsprop":
        denominator = after["nu"] - jnp.square(after["mu"]) if "mu" in after else after["nu"]
        notes["effective_lr"] = lr / jnp.sqrt(denominator + eps)
    elif optimizer == "adadelta":
        g = grads + hp["weight_decay"] * params  # optax.adadelta adds λp before scaling
        ratio = jnp.sqrt(before["e_x"] + eps) / jnp.sqrt(after["e_g"] + eps)
        notes.update(g=g, delta=ratio * g, effective_lr=lr * ratio)
    elif optimizer in ("adam", "adamw", "nadam"):
        b1, b2 = hp["beta1"], hp["beta2"]
        bc1, bc2 = 1 - b1**tf, 1 - b2**tf
        v_hat = (after["nu_max"] if "nu_max" in after else after["nu"] / bc2)
        notes.update(bias_correction1=bc1, bias_correction2=bc2, v_hat=v_hat, effective_lr=lr / (jnp.sqrt(v_hat) + eps))
        if optimizer == "nadam":
            # optax's Nesterov m̂: β1·m/(1 − β1^(t+1)) + (1 − β1)·g/(1 − β1^t)
            notes["m_hat"] = b1 * after["mu"] / (1 - b1 ** (tf + 1.0)) + (1 - b1) * grads / bc1
        else:
            notes["m_hat"] = after["mu"] / bc1
    elif optimizer == "adamax":
        bc1 = 1 - hp["beta1"] ** tf
        notes.update(bias_correction1=bc1, m_hat=after["mu"] / bc1, effective_lr=lr / after["nu"])
    return notes


def describe(
    optimizer: str,
    flavour: str,
    hp: Mapping,
    grads,
    params,
    state_before,
    state_after,
    noted: Mapping,
    lr,
) -> dict:
    """The named values of one step: the noted ones (or optax's, derived from its states) and
    the state buffers before and after, under their equation names.

    `lr` is the schedule's value at this step, used where the update noted none (optax).
    """
    flags = {k: v for k, v in hp.items() if isinstance(v, bool)}
    out: dict = {
        "state_before": named_state(optimizer, state_before, flags),
        "state_after": named_state(optimizer, state_after, flags),
    }
    if flavour == "optax":
        notes = _optax_notes(optimizer, hp, grads, params, _fields(state_before), _fields(state_after), lr)
    else:
        notes = dict(noted)
    out.update(notes)
    return out


__all__ = ["ADAPTIVE", "STATE_NAMES", "SYMBOLS", "collect", "collecting", "describe", "named_state", "note", "symbol"]
