"""The three flavours: optax's own code under traced hyperparameters, Decay, metadata facts."""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import landscapes
import optimizers
from optimizers import REQUIRED, Decay

ROSENBROCK = landscapes.get("rosenbrock")


def path_of(tx, start=(-1.5, 2.0), steps=80, landscape=ROSENBROCK):
    f = lambda p: landscape.fn(p, {})  # noqa: E731
    p = jnp.asarray(start, jnp.float32)
    state = tx.init(p)
    out = [p]
    for _ in range(steps):
        updates, state = tx.update(jax.grad(f)(p), state, p)
        p = optax.apply_updates(p, updates)
        out.append(p)
    return np.asarray(out)


# (canonical optimizer, canonical hparams, the optax call a user would write)
OPTAX_CASES = [
    ("sgd", {"learning_rate": 1e-3, "momentum": 0.9, "nesterov": True}, lambda: optax.sgd(1e-3, 0.9, nesterov=True)),
    ("adagrad", {"learning_rate": 0.3, "initial_accumulator_value": 0.5, "epsilon": 1e-5}, lambda: optax.adagrad(0.3, 0.5, 1e-5)),
    ("rmsprop", {"learning_rate": 0.01, "rho": 0.95, "momentum": 0.5, "epsilon": 1e-6, "centered": True},
     lambda: optax.rmsprop(0.01, decay=0.95, eps=1e-6, centered=True, momentum=0.5)),
    ("adam", {"learning_rate": 0.05, "beta1": 0.8, "beta2": 0.999, "epsilon": 1e-6}, lambda: optax.adam(0.05, 0.8, 0.999, 1e-6)),
    ("adam", {"learning_rate": 0.05, "beta2": 0.99, "amsgrad": True}, lambda: optax.amsgrad(0.05, b2=0.99)),
    ("adamw", {"learning_rate": 0.05, "weight_decay": 0.1}, lambda: optax.adamw(0.05, weight_decay=0.1)),
    ("adadelta", {"learning_rate": 2.0, "rho": 0.95, "weight_decay": 0.01}, lambda: optax.adadelta(2.0, 0.95, weight_decay=0.01)),
    ("adamax", {"learning_rate": 0.05, "beta2": 0.99}, lambda: optax.adamax(0.05, b2=0.99)),
    ("nadam", {"learning_rate": 0.05, "beta1": 0.95}, lambda: optax.nadam(0.05, b1=0.95)),
    ("lion", {"learning_rate": 0.01, "beta1": 0.95, "weight_decay": 0.0}, lambda: optax.lion(0.01, b1=0.95, weight_decay=0.0)),
]  # fmt: skip


@pytest.mark.parametrize("optimizer,hparams,reference", OPTAX_CASES, ids=[c[0] for c in OPTAX_CASES])
def test_optax_flavour_under_jit_equals_optax_called_with_floats(optimizer, hparams, reference):
    """Traced hyperparameters (what the engine passes) reproduce optax given Python floats."""
    spec = optimizers.get(optimizer)
    resolved = spec.resolve("optax", hparams)
    numeric = {k: v for k, v in resolved.items() if not isinstance(v, bool)}
    flags = {k: v for k, v in resolved.items() if isinstance(v, bool)}

    @jax.jit
    def traced_path(values, complements):
        hp = dict(flags)
        for name, v in values.items():
            hp[name] = Decay(v, complements[name]) if name in optimizers.DECAY_RATES else v
        tx = optimizers.build(optimizer, "optax", hp)
        f = lambda p: ROSENBROCK.fn(p, {})  # noqa: E731

        def step(carry, _):
            p, state = carry
            updates, state = tx.update(jax.grad(f)(p), state, p)
            return (p + updates, state), p + updates

        start = jnp.asarray([-1.5, 2.0], jnp.float32)
        return jax.lax.scan(step, (start, tx.init(start)), None, length=80)[1]

    values = {k: jnp.float32(v) for k, v in numeric.items()}
    complements = {k: jnp.float32(1.0 - v) for k, v in numeric.items()}
    ours = np.asarray(traced_path(values, complements))
    theirs = path_of(reference())[1:]
    assert np.abs(ours - theirs).max() <= 1e-5 * (1 + np.abs(theirs).max())


def test_decay_complement_is_exact_where_float32_is_not():
    beta = Decay.of(0.999)
    assert float(1 - beta) == np.float32(0.001)
    assert float(1 - jnp.float32(0.999)) != np.float32(0.001)  # why Decay exists
    assert float(beta * 2.0) == pytest.approx(1.998)
    # PyTorch's 1 - beta**t in double, reproduced in float32:
    for t in (1, 10, 1000):
        assert float(beta.bias_correction(jnp.float32(t))) == pytest.approx(1 - 0.999**t, rel=1e-6)


def test_lion_has_no_pytorch_flavour():
    assert optimizers.get("lion").flavours == ("keras", "optax")
    with pytest.raises(ValueError, match="no pytorch flavour"):
        optimizers.build("lion", "pytorch", {})


# Defaults from docs/optimizers.md, transcribed independently of the catalogue.
DEFAULTS = {
    ("sgd", "learning_rate"): (0.01, 1e-3, REQUIRED),
    ("sgd", "momentum"): (0.0, 0.0, 0.0),
    ("adagrad", "learning_rate"): (0.001, 1e-2, REQUIRED),
    ("adagrad", "initial_accumulator_value"): (0.1, 0.0, 0.1),
    ("adagrad", "epsilon"): (1e-7, 1e-10, 1e-7),
    ("rmsprop", "learning_rate"): (0.001, 1e-2, REQUIRED),
    ("rmsprop", "rho"): (0.9, 0.99, 0.9),
    ("rmsprop", "epsilon"): (1e-7, 1e-8, 1e-8),
    ("adam", "learning_rate"): (0.001, 1e-3, REQUIRED),
    ("adam", "beta1"): (0.9, 0.9, 0.9),
    ("adam", "beta2"): (0.999, 0.999, 0.999),
    ("adam", "epsilon"): (1e-7, 1e-8, 1e-8),
    ("adamw", "weight_decay"): (0.004, 1e-2, 1e-4),
    ("adamw", "epsilon"): (1e-7, 1e-8, 1e-8),
    ("adadelta", "learning_rate"): (0.001, 1.0, REQUIRED),
    ("adadelta", "rho"): (0.95, 0.9, 0.9),
    ("adadelta", "epsilon"): (1e-7, 1e-6, 1e-6),
    ("adamax", "learning_rate"): (0.001, 2e-3, REQUIRED),
    ("adamax", "epsilon"): (1e-7, 1e-8, 1e-8),
    ("nadam", "learning_rate"): (0.001, 2e-3, REQUIRED),
    ("nadam", "epsilon"): (1e-7, 1e-8, 1e-8),
}


@pytest.mark.parametrize("key,expected", DEFAULTS.items(), ids=lambda v: str(v))
def test_defaults_follow_each_framework(key, expected):
    hp = optimizers.get(key[0]).hparam(key[1])
    for flavour, value in zip(("keras", "pytorch", "optax"), expected):
        assert hp.default(flavour) is value if value is REQUIRED else hp.default(flavour) == value


def test_lion_defaults():
    spec = optimizers.get("lion")
    assert spec.hparam("beta2").default("keras") == 0.99
    assert spec.hparam("weight_decay").default("optax") == 1e-3
    assert not spec.hparam("weight_decay").available("pytorch")


CANONICAL = {
    "learning_rate", "momentum", "nesterov", "beta1", "beta2", "epsilon", "rho", "centered", "amsgrad",
    "initial_accumulator_value", "weight_decay",
}  # fmt: skip


@pytest.mark.parametrize("spec", optimizers.OPTIMIZERS, ids=lambda s: s.id)
def test_metadata_for_the_ui(spec):
    assert {hp.name for hp in spec.hparams} <= CANONICAL
    assert spec.summary and spec.reference
    for flavour in spec.flavours:
        assert spec.equations[flavour].strip()
    for hp in spec.hparams:
        assert hp.meaning
        if hp.kind == "float":
            assert hp.ui_low < hp.ui_high
            assert hp.scale == ("log" if hp.name in ("learning_rate", "epsilon") else "linear")
            for flavour, default in hp.defaults.items():
                assert default is REQUIRED or hp.accepts(default), (hp.name, flavour, default)


def test_catalogue_is_json_ready():
    data = json.loads(json.dumps(optimizers.catalogue()))
    adam = next(o for o in data if o["id"] == "adam")
    eps = next(h for h in adam["hparams"] if h["name"] == "epsilon")
    assert eps["defaults"] == {"keras": 1e-7, "pytorch": 1e-8, "optax": 1e-8}
    lr = next(h for h in adam["hparams"] if h["name"] == "learning_rate")
    assert lr["required"] == ["optax"] and lr["scale"] == "log"
    assert "keras.optimizers.Adam(learning_rate=0.001)" in adam["code"]["keras"]
    assert "torch.optim.Adam(params, lr=0.001)" in adam["code"]["pytorch"]
    assert "optax.adam(0.001)" in adam["code"]["optax"]
    assert set(o["id"] for o in data) == {"sgd", "adagrad", "rmsprop", "adam", "adamw", "adadelta", "adamax", "nadam", "lion"}


def test_flavours_agree_with_constant_rate_and_differ_under_a_schedule():
    """The reference's claim: SGD with momentum gives one path in all three frameworks at a
    constant rate; under a schedule Keras's lr-scaled velocity makes it differ."""
    hp = {"learning_rate": 1e-3, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0}
    paths = {f: path_of(optimizers.build("sgd", f, {k: v for k, v in hp.items() if f != "optax" or k != "weight_decay"}))
             for f in ("keras", "pytorch", "optax")}  # fmt: skip
    assert np.abs(paths["keras"] - paths["pytorch"]).max() < 1e-5
    assert np.abs(paths["optax"] - paths["pytorch"]).max() < 1e-5

    def decaying(count):
        return 1e-3 * 0.5 ** (count / 10.0)

    keras = path_of(optimizers.build("sgd", "keras", hp, decaying))
    torch = path_of(optimizers.build("sgd", "pytorch", hp, decaying))
    assert np.abs(keras - torch).max() > 1e-3
