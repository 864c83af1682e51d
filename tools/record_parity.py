#!/usr/bin/env python
"""Record ground-truth optimizer trajectories from the real frameworks.

Runs the real Keras 3 (JAX backend), PyTorch and optax optimizers on 2D test
functions and writes ``tests/data/parity_recorded.json``: parity fixtures for
Descent's own JAX re-implementation.  The format follows
``tests/data/parity_public.json`` (the public parity sample) plus two keys,
``schedule`` and ``landscape_params``.

Run from the repository root with a Python environment that has the reference
frameworks installed (Keras 3.15.1, PyTorch 2.13.0, optax 0.2.8)::

    path/to/reference-venv/bin/python tools/record_parity.py
    path/to/reference-venv/bin/python tools/record_parity.py --check-public

Everything is float32.  The gradient fed to every framework is the exact
gradient of the landscape in float32 (``jax.grad`` of the float32 formulas
below, written from docs/landscapes.md).  Parameters are one float32 2-vector.
Hyperparameters use the project's canonical names (docs/optimizers.md) and are
translated to each framework's spelling; omitted ones take the framework's
default.  Learning-rate schedules are set up the way a user of each framework
would, and the learning rate each framework actually applied is checked
against the canonical formula (float64) before anything is written.

The run is deterministic: running it twice produces the same file.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import sys
import time
from pathlib import Path

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import optax  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "parity_recorded.json"
PUBLIC = ROOT / "tests" / "data" / "parity_public.json"

F32 = np.float32
START_SHIFT = F32(1e-6)  # sensitivity: start + 1e-6 in both coordinates
MAX_SENSITIVITY = 1e-3
DIVERGED = 1e6
SCHEDULE_RTOL = 1e-5  # |lr_framework - lr_canonical| <= SCHEDULE_RTOL * eta0

# ---------------------------------------------------------------------------
# Landscapes (float32 JAX, formulas from docs/landscapes.md)
# ---------------------------------------------------------------------------


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _himmelblau(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _booth(x, y):
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def _quadratic(x, y, kappa=10.0, angle=0.0):
    th = math.radians(angle)
    c, s = float(F32(math.cos(th))), float(F32(math.sin(th)))
    u = x * c + y * s
    v = -x * s + y * c
    return 0.5 * (u**2 + kappa * v**2)


def _easom(x, y):
    return -jnp.cos(x) * jnp.cos(y) * jnp.exp(-((x - jnp.pi) ** 2 + (y - jnp.pi) ** 2))


def _saddle(x, y):
    return x**2 - y**2


def _six_hump_camel(x, y):
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def _styblinski_tang(x, y):
    return 0.5 * (x**4 - 16 * x**2 + 5 * x + y**4 - 16 * y**2 + 5 * y)


def _matyas(x, y):
    return 0.26 * (x**2 + y**2) - 0.48 * x * y


LANDSCAPES = {
    "rosenbrock": _rosenbrock,
    "beale": _beale,
    "himmelblau": _himmelblau,
    "booth": _booth,
    "quadratic": _quadratic,
    "easom": _easom,
    "saddle": _saddle,
    "six_hump_camel": _six_hump_camel,
    "styblinski_tang": _styblinski_tang,
    "matyas": _matyas,
}

_GRAD_CACHE: dict = {}


def landscape_fn(name, params):
    f = LANDSCAPES[name]
    return lambda p: f(p[0], p[1], **params)


def grad_fn(name, params):
    key = (name, tuple(sorted(params.items())))
    if key not in _GRAD_CACHE:
        _GRAD_CACHE[key] = jax.jit(jax.grad(landscape_fn(name, params)))
    return _GRAD_CACHE[key]


def check_landscapes():
    """Spot-check the formulas against docs/landscapes.md's table of minima."""
    checks = [
        ("rosenbrock", {}, (1.0, 1.0), 0.0),
        ("beale", {}, (3.0, 0.5), 0.0),
        ("beale", {}, (0.0, 1.7), 14.203125),
        ("booth", {}, (1.0, 3.0), 0.0),
        ("himmelblau", {}, (3.0, 2.0), 0.0),
        ("himmelblau", {}, (-0.270845, -0.923039), 181.617),
        ("quadratic", {"kappa": 50, "angle": 30}, (0.0, 0.0), 0.0),
        ("easom", {}, (math.pi, math.pi), -1.0),
        ("saddle", {}, (0.0, 0.0), 0.0),
        ("six_hump_camel", {}, (0.0898420, -0.7126564), -1.0316285),
        ("styblinski_tang", {}, (-2.9035340, -2.9035340), -78.3323314),
        ("matyas", {}, (0.0, 0.0), 0.0),
    ]
    for name, lp, pt, val in checks:
        f = landscape_fn(name, lp)
        got = float(f(jnp.asarray(pt, jnp.float32)))
        assert abs(got - val) <= 1e-4 * max(1.0, abs(val)), (name, pt, got, val)
    # quadratic: the rotated ravine has Hessian eigenvalues 1 and kappa
    h = np.asarray(jax.hessian(landscape_fn("quadratic", {"kappa": 50, "angle": 30}))(
        jnp.zeros(2, jnp.float32)), np.float64)
    ev = np.linalg.eigvalsh(h)
    assert np.allclose(ev, [1.0, 50.0], rtol=1e-5), ev
    print("landscape spot-checks: OK")


# ---------------------------------------------------------------------------
# Flavour defaults (verified against the installed frameworks' signatures)
# ---------------------------------------------------------------------------

KERAS_CLS = {
    "sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam",
    "adamw": "AdamW", "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "Nadam",
    "lion": "Lion",
}
TORCH_CLS = {
    "sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam",
    "adamw": "AdamW", "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "NAdam",
}
OPTAX_FN = {
    "sgd": "sgd", "adagrad": "adagrad", "rmsprop": "rmsprop", "adam": "adam",
    "adamw": "adamw", "adadelta": "adadelta", "adamax": "adamax", "nadam": "nadam",
    "lion": "lion",
}
FLAVOURS = ("keras", "pytorch", "optax")

# canonical name -> default, per flavour and optimizer (None = switched off)
DEFAULTS = {
    "keras": {
        "sgd": dict(learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None),
        "adagrad": dict(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, weight_decay=None),
        "rmsprop": dict(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, weight_decay=None),
        "adam": dict(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=None),
        "adamw": dict(learning_rate=0.001, weight_decay=0.004, beta1=0.9, beta2=0.999, epsilon=1e-7, amsgrad=False),
        "adadelta": dict(learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None),
        "adamax": dict(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-7, weight_decay=None),
        "nadam": dict(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-7, weight_decay=None),
        "lion": dict(learning_rate=0.001, beta1=0.9, beta2=0.99, weight_decay=None),
    },
    "pytorch": {
        "sgd": dict(learning_rate=1e-3, momentum=0, nesterov=False, weight_decay=0),
        "adagrad": dict(learning_rate=1e-2, initial_accumulator_value=0, epsilon=1e-10, weight_decay=0),
        "rmsprop": dict(learning_rate=1e-2, rho=0.99, epsilon=1e-8, momentum=0, centered=False, weight_decay=0),
        "adam": dict(learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8, amsgrad=False, weight_decay=0),
        "adamw": dict(learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8, amsgrad=False, weight_decay=1e-2),
        "adadelta": dict(learning_rate=1.0, rho=0.9, epsilon=1e-6, weight_decay=0),
        "adamax": dict(learning_rate=2e-3, beta1=0.9, beta2=0.999, epsilon=1e-8, weight_decay=0),
        "nadam": dict(learning_rate=2e-3, beta1=0.9, beta2=0.999, epsilon=1e-8, weight_decay=0),
    },
    "optax": {  # learning_rate has no default (adadelta's None climbs uphill): always given
        "sgd": dict(momentum=None, nesterov=False),
        "adagrad": dict(initial_accumulator_value=0.1, epsilon=1e-7),
        "rmsprop": dict(rho=0.9, epsilon=1e-8, centered=False, momentum=None),
        "adam": dict(beta1=0.9, beta2=0.999, epsilon=1e-8),
        "amsgrad": dict(beta1=0.9, beta2=0.999, epsilon=1e-8),
        "adamw": dict(beta1=0.9, beta2=0.999, epsilon=1e-8, weight_decay=1e-4),
        "adadelta": dict(rho=0.9, epsilon=1e-6, weight_decay=0.0),
        "adamax": dict(beta1=0.9, beta2=0.999, epsilon=1e-8),
        "nadam": dict(beta1=0.9, beta2=0.999, epsilon=1e-8),
        "lion": dict(beta1=0.9, beta2=0.99, weight_decay=1e-3),
    },
}


def keras_kwargs(opt, hp):
    ren = {"beta1": "beta_1", "beta2": "beta_2"}
    return {ren.get(k, k): v for k, v in hp.items()}


def torch_kwargs(opt, hp):
    kw = {}
    hp = dict(hp)
    if "beta1" in hp or "beta2" in hp:
        d = DEFAULTS["pytorch"][opt]
        kw["betas"] = (hp.pop("beta1", d["beta1"]), hp.pop("beta2", d["beta2"]))
    for k, v in hp.items():
        if k == "learning_rate":
            kw["lr"] = v
        elif k == "epsilon":
            kw["eps"] = v
        elif k == "rho":
            kw["alpha" if opt == "rmsprop" else "rho"] = v
        else:
            kw[k] = v
    return kw


def optax_name(opt, hp):
    if hp.get("amsgrad"):
        if opt != "adam":
            raise ValueError(f"optax has no amsgrad variant of {opt}")
        return "amsgrad"
    return OPTAX_FN[opt]


def optax_kwargs(opt, hp):
    kw = {}
    for k, v in hp.items():
        if k == "amsgrad":
            continue  # selects optax.amsgrad
        if k == "beta1":
            kw["b1"] = v
        elif k == "beta2":
            kw["b2"] = v
        elif k == "epsilon":
            kw["eps"] = v
        elif k == "rho":
            kw["decay" if opt == "rmsprop" else "rho"] = v
        else:
            kw[k] = v
    return kw


def check_defaults():
    """Confirm DEFAULTS against the installed libraries' signatures."""
    problems = []
    for opt, d in DEFAULTS["keras"].items():
        sig = inspect.signature(getattr(keras.optimizers, KERAS_CLS[opt]).__init__).parameters
        for k, v in keras_kwargs(opt, d).items():
            if sig[k].default != v:
                problems.append(("keras", opt, k, sig[k].default, v))
    for opt, d in DEFAULTS["pytorch"].items():
        sig = inspect.signature(getattr(torch.optim, TORCH_CLS[opt]).__init__).parameters
        for k, v in torch_kwargs(opt, d).items():
            if sig[k].default != v:
                problems.append(("pytorch", opt, k, sig[k].default, v))
    for opt, d in DEFAULTS["optax"].items():
        fn = getattr(optax, opt if opt == "amsgrad" else OPTAX_FN[opt])
        sig = inspect.signature(fn).parameters
        for k, v in optax_kwargs(opt, d).items():
            if sig[k].default != v:
                problems.append(("optax", opt, k, sig[k].default, v))
    if problems:
        raise SystemExit(f"default table out of date: {problems}")
    print("flavour default tables match the installed signatures: OK")


# ---------------------------------------------------------------------------
# Learning-rate schedules
# ---------------------------------------------------------------------------


def canonical_lr(s, eta0, t):
    """The project's canonical eta(t) in float64 (docs/optimizers.md's table)."""
    name = s["name"]
    if name == "constant":
        return eta0
    if name == "exponential":
        p = t / s["decay_steps"]
        if s["staircase"]:
            p = math.floor(p)
        return eta0 * s["decay_rate"] ** p
    if name == "step":
        return eta0 * s["gamma"] ** (t // s["step_size"])
    if name == "cosine":
        d, a = s["decay_steps"], s["alpha"]
        return eta0 * ((1 - a) * 0.5 * (1 + math.cos(math.pi * min(t, d) / d)) + a)
    if name == "cosine_restarts":
        T, tm, mm, a = s["first_decay_steps"], s["t_mul"], s["m_mul"], s["alpha"]
        i, start, length = 0, 0.0, float(T)
        while t >= start + length:
            start += length
            length *= tm
            i += 1
        frac = (t - start) / length
        return eta0 * ((1 - a) * mm**i * 0.5 * (1 + math.cos(math.pi * frac)) + a)
    if name == "warmup_cosine":
        w, d, a = s["warmup_steps"], s["decay_steps"], s["alpha"]
        if t < w:
            return eta0 * t / w
        return eta0 * ((1 - a) * 0.5 * (1 + math.cos(math.pi * min(t - w, d) / d)) + a)
    if name == "one_cycle":
        T, pct = s["total_steps"], s["pct_start"]
        div, fdiv = s["div_factor"], s["final_div_factor"]
        b = int(pct * T)
        lo, fin = eta0 / div, eta0 / (div * fdiv)
        if t < b:
            return eta0 + (lo - eta0) / 2 * (math.cos(math.pi * t / max(b, 1)) + 1)
        if t < T:
            return fin + (eta0 - fin) / 2 * (math.cos(math.pi * (t - b) / max(T - b, 1)) + 1)
        return fin
    if name == "polynomial":
        d, e, p = s["decay_steps"], s["end_learning_rate"], s["power"]
        return (eta0 - e) * (1 - min(t, d) / d) ** p + e
    if name == "inverse_time":
        return eta0 / (1 + s["decay_rate"] * t / s["decay_steps"])
    raise ValueError(name)


class KerasStepDecay(keras.optimizers.schedules.LearningRateSchedule):
    """eta0 * gamma ** floor(t / step_size)."""

    def __init__(self, initial_learning_rate, step_size, gamma):
        self.initial_learning_rate = initial_learning_rate
        self.step_size = int(step_size)
        self.gamma = gamma

    def __call__(self, step):
        k = ops_floor_div(step, self.step_size)
        return self.initial_learning_rate * keras.ops.power(
            keras.ops.cast(self.gamma, "float32"), keras.ops.cast(k, "float32"))

    def get_config(self):
        return dict(initial_learning_rate=self.initial_learning_rate,
                    step_size=self.step_size, gamma=self.gamma)


def ops_floor_div(step, n):
    return keras.ops.floor_divide(keras.ops.cast(step, "int32"), n)


class KerasOneCycle(keras.optimizers.schedules.LearningRateSchedule):
    """optax.cosine_onecycle_schedule's form: boundary at int(pct_start * total_steps)."""

    def __init__(self, max_learning_rate, total_steps, pct_start, div_factor, final_div_factor):
        self.max_learning_rate = max_learning_rate
        self.total_steps = int(total_steps)
        self.pct_start = pct_start
        self.div_factor = div_factor
        self.final_div_factor = final_div_factor

    def __call__(self, step):
        ops = keras.ops
        peak = self.max_learning_rate
        lo = peak / self.div_factor
        fin = peak / (self.div_factor * self.final_div_factor)
        b = int(self.pct_start * self.total_steps)  # python int, as optax does
        T = self.total_steps
        t = ops.cast(step, "float32")
        up = peak + (lo - peak) / 2 * (ops.cos(math.pi * t / max(b, 1)) + 1)
        down = fin + (peak - fin) / 2 * (ops.cos(math.pi * (t - b) / max(T - b, 1)) + 1)
        return ops.where(t < b, up, ops.where(t < T, down, fin))

    def get_config(self):
        return dict(max_learning_rate=self.max_learning_rate, total_steps=self.total_steps,
                    pct_start=self.pct_start, div_factor=self.div_factor,
                    final_div_factor=self.final_div_factor)


class KerasCompiled(keras.optimizers.schedules.LearningRateSchedule):
    """Runs a Keras schedule's own __call__ under jax.jit.

    Keras's CosineDecay (with warmup) and CosineDecayRestarts branch with
    ops.cond, which in eager mode on the JAX backend re-traces both branches on
    every call (~0.15 s per optimizer step).  In model.fit() the whole train
    step, schedule included, is jit-compiled, so compiling the native schedule
    is what a Keras user gets (values differ from eager by <= 2 float32 ulp);
    they are checked against the canonical formula by the probes.  The other
    Keras schedules run eagerly, as given.
    """

    def __init__(self, inner):
        self.inner = inner
        self._fn = jax.jit(inner.__call__)

    def __call__(self, step):
        return self._fn(keras.ops.convert_to_tensor(step))

    def get_config(self):
        return self.inner.get_config()


def keras_schedule(s, eta0):
    sched = keras_schedule_native(s, eta0)
    if s["name"] in ("cosine_restarts", "warmup_cosine"):  # the two that use ops.cond
        return KerasCompiled(sched)
    return sched


def keras_schedule_native(s, eta0):
    S = keras.optimizers.schedules
    name = s["name"]
    if name == "constant":
        return eta0
    if name == "exponential":
        return S.ExponentialDecay(eta0, s["decay_steps"], s["decay_rate"], staircase=s["staircase"])
    if name == "step":
        return KerasStepDecay(eta0, s["step_size"], s["gamma"])
    if name == "cosine":
        return S.CosineDecay(eta0, s["decay_steps"], alpha=s["alpha"])
    if name == "cosine_restarts":
        return S.CosineDecayRestarts(eta0, s["first_decay_steps"], t_mul=s["t_mul"],
                                     m_mul=s["m_mul"], alpha=s["alpha"])
    if name == "warmup_cosine":
        # Keras: decay_steps counts the steps AFTER the warmup (optax counts them in).
        return S.CosineDecay(initial_learning_rate=0.0, decay_steps=s["decay_steps"],
                             alpha=s["alpha"], warmup_target=eta0,
                             warmup_steps=s["warmup_steps"])
    if name == "one_cycle":
        return KerasOneCycle(eta0, s["total_steps"], s["pct_start"], s["div_factor"],
                             s["final_div_factor"])
    if name == "polynomial":
        return S.PolynomialDecay(eta0, s["decay_steps"], end_learning_rate=s["end_learning_rate"],
                                 power=s["power"])
    if name == "inverse_time":
        return S.InverseTimeDecay(eta0, s["decay_steps"], s["decay_rate"])
    raise ValueError(name)


def optax_schedule(s, eta0):
    name = s["name"]
    if name == "constant":
        return optax.constant_schedule(eta0)
    if name == "exponential":
        return optax.exponential_decay(eta0, s["decay_steps"], s["decay_rate"],
                                       staircase=s["staircase"])
    if name == "step":
        return optax.exponential_decay(eta0, s["step_size"], s["gamma"], staircase=True)
    if name == "cosine":
        return optax.cosine_decay_schedule(eta0, s["decay_steps"], alpha=s["alpha"])
    if name == "cosine_restarts":
        T, tm, mm, a = s["first_decay_steps"], s["t_mul"], s["m_mul"], s["alpha"]
        if tm == 1.0:
            def sched(count):
                i = count // T
                frac = (count - i * T) / T
                return eta0 * ((1 - a) * mm**i * 0.5 * (1 + jnp.cos(jnp.pi * frac)) + a)
            return sched
        starts, lengths, start, length = [], [], 0.0, float(T)
        while start < 1e7:
            starts.append(start)
            lengths.append(length)
            start += length
            length *= tm
        starts_a = jnp.asarray(starts, jnp.float32)
        lengths_a = jnp.asarray(lengths, jnp.float32)
        mfac_a = jnp.asarray([mm**i for i in range(len(starts))], jnp.float32)

        def sched(count):
            i = jnp.sum(count >= starts_a[1:])
            frac = (count - starts_a[i]) / lengths_a[i]
            return eta0 * ((1 - a) * mfac_a[i] * 0.5 * (1 + jnp.cos(jnp.pi * frac)) + a)
        return sched
    if name == "warmup_cosine":
        # optax's decay_steps includes the warmup
        return optax.warmup_cosine_decay_schedule(
            init_value=0.0, peak_value=eta0, warmup_steps=s["warmup_steps"],
            decay_steps=s["warmup_steps"] + s["decay_steps"], end_value=s["alpha"] * eta0)
    if name == "one_cycle":
        return optax.cosine_onecycle_schedule(s["total_steps"], eta0, pct_start=s["pct_start"],
                                              div_factor=s["div_factor"],
                                              final_div_factor=s["final_div_factor"])
    if name == "polynomial":
        return optax.polynomial_schedule(eta0, s["end_learning_rate"], s["power"], s["decay_steps"])
    if name == "inverse_time":
        T, r = s["decay_steps"], s["decay_rate"]
        return lambda count: eta0 / (1 + r * count / T)
    raise ValueError(name)


def torch_lambda(s, eta0):
    return lambda t: canonical_lr(s, eta0, t) / eta0


# ---------------------------------------------------------------------------
# Runners: run(case, starts) -> [(path float32 [steps+1, 2], lrs applied), ...]
# one entry per start (the recorded start and the shifted one)
# ---------------------------------------------------------------------------


def run_keras(case, starts):
    return [_run_keras(case, start) for start in starts]


def _run_keras(case, start):
    opt_name, hp, sched = case["optimizer"], dict(case["hparams"]), case["schedule"]
    g = grad_fn(case["landscape"], case["landscape_params"])
    if sched is not None:
        hp["learning_rate"] = keras_schedule(sched, base_lr(case))
    opt = getattr(keras.optimizers, KERAS_CLS[opt_name])(**keras_kwargs(opt_name, hp))
    var = keras.Variable(np.array(start, F32), dtype="float32", name="p")
    path, lrs = [np.array(var.value)], []
    for _ in range(case["steps"]):
        grad = g(var.value)
        lrs.append(float(opt.learning_rate))  # what update_step receives at this iteration
        opt.apply([grad], [var])
        path.append(np.array(var.value))
    return np.stack(path), lrs


def run_pytorch(case, starts):
    return [_run_pytorch(case, start) for start in starts]


def _run_pytorch(case, start):
    opt_name, hp, sched = case["optimizer"], dict(case["hparams"]), case["schedule"]
    g = grad_fn(case["landscape"], case["landscape_params"])
    p = torch.tensor(np.array(start, F32), dtype=torch.float32, requires_grad=True)
    opt = getattr(torch.optim, TORCH_CLS[opt_name])([p], **torch_kwargs(opt_name, hp))
    scheduler = None
    if sched is not None:
        eta0 = opt.param_groups[0]["lr"]
        scheduler = torch.optim.lr_scheduler.LambdaLR(opt, torch_lambda(sched, eta0))
    path, lrs = [p.detach().numpy().copy()], []
    for _ in range(case["steps"]):
        grad = np.asarray(g(jnp.asarray(p.detach().numpy())), F32)
        p.grad = torch.tensor(grad, dtype=torch.float32)
        lrs.append(float(opt.param_groups[0]["lr"]))
        opt.step()
        if scheduler is not None:
            scheduler.step()
        path.append(p.detach().numpy().copy())
    return np.stack(path), lrs


def _find_schedule_counts(state):
    out = []

    def visit(node):
        if isinstance(node, optax.ScaleByScheduleState):
            out.append(node.count)
        elif isinstance(node, (tuple, list)):
            for c in node:
                visit(c)
    visit(state)
    return out


def make_optax(case):
    opt_name, hp, sched = case["optimizer"], dict(case["hparams"]), case["schedule"]
    fn = getattr(optax, optax_name(opt_name, hp))
    lr_fn = None
    if sched is not None:
        lr_fn = optax_schedule(sched, hp["learning_rate"])
        hp["learning_rate"] = lr_fn
    return fn(**optax_kwargs(opt_name, hp)), lr_fn


def run_optax(case, starts):
    opt, lr_fn = make_optax(case)
    g = grad_fn(case["landscape"], case["landscape_params"])

    @jax.jit
    def step(params, state):
        updates, state = opt.update(g(params), state, params)
        return optax.apply_updates(params, updates), state

    out = []
    for start in starts:
        params = jnp.asarray(np.array(start, F32))
        state = opt.init(params)
        path, lrs = [np.asarray(params)], []
        for _ in range(case["steps"]):
            if lr_fn is not None:
                (count,) = _find_schedule_counts(state)
                lrs.append(float(lr_fn(count)))
            params, state = step(params, state)
            path.append(np.asarray(params))
        out.append((np.stack(path).astype(F32), lrs))
    return out


RUNNERS = {"keras": run_keras, "pytorch": run_pytorch, "optax": run_optax}

# ---------------------------------------------------------------------------
# Schedule probes: the learning rate each framework really applies.
# Plain SGD (no momentum), gradient 1, parameter reset to 0 before each step:
# the parameter after the step is exactly -eta(t) in float32.
# ---------------------------------------------------------------------------


def probe_keras(sched, eta0, steps):
    opt = keras.optimizers.SGD(learning_rate=keras_schedule(sched, eta0))
    var = keras.Variable(np.zeros(2, F32), dtype="float32", name="probe")
    one = jnp.ones(2, jnp.float32)
    out = []
    for _ in range(steps):
        var.assign(np.zeros(2, F32))
        opt.apply([one], [var])
        out.append(-float(np.asarray(var.value)[0]))
    return out


def probe_pytorch(sched, eta0, steps):
    p = torch.zeros(2, dtype=torch.float32, requires_grad=True)
    opt = torch.optim.SGD([p], lr=eta0)
    sch = torch.optim.lr_scheduler.LambdaLR(opt, torch_lambda(sched, eta0))
    out = []
    for _ in range(steps):
        with torch.no_grad():
            p.zero_()
        p.grad = torch.ones(2, dtype=torch.float32)
        opt.step()
        sch.step()
        out.append(-float(p.detach()[0]))
    return out


def probe_optax(sched, eta0, steps):
    opt = optax.sgd(optax_schedule(sched, eta0))
    params = jnp.zeros(2, jnp.float32)
    state = opt.init(params)
    update = jax.jit(opt.update)
    out = []
    for _ in range(steps):
        u, state = update(jnp.ones(2, jnp.float32), state, params)
        out.append(-float(u[0]))
    return out


PROBES = {"keras": probe_keras, "pytorch": probe_pytorch, "optax": probe_optax}


def base_lr(case):
    """The run's eta0: the given learning rate or the flavour's default."""
    if "learning_rate" in case["hparams"]:
        return case["hparams"]["learning_rate"]
    return DEFAULTS[case["flavour"]][case["optimizer"]]["learning_rate"]


def lr_error(lrs, sched, eta0):
    return max(abs(v - canonical_lr(sched, eta0, t)) for t, v in enumerate(lrs)) / eta0


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

L = {  # short name -> (landscape, params, start)
    "R": ("rosenbrock", {}, (-1.5, 2.0)),
    "R2": ("rosenbrock", {}, (-2.0, 2.0)),
    "H": ("himmelblau", {}, (0.0, 0.0)),
    "Q": ("quadratic", {"kappa": 50, "angle": 30}, (1.5, 1.0)),
    "B": ("beale", {}, (1.0, 1.5)),
    "E": ("easom", {}, (1.5, 1.5)),
    "E2": ("easom", {}, (2.0, 2.0)),
    "S": ("saddle", {}, (-1.5, 0.01)),
    "C": ("six_hump_camel", {}, (-1.5, 1.0)),
    "T": ("styblinski_tang", {}, (0.5, -0.5)),
    "M": ("matyas", {}, (6.0, -4.0)),
}

ALL = ("keras", "pytorch", "optax")
KP = ("keras", "pytorch")
KO = ("keras", "optax")
EXISTS = {opt: ALL for opt in KERAS_CLS}
EXISTS["lion"] = KO


def build_cases():
    cases = []

    def add(variant, opt, hp, land, steps, flavours=None, schedule=None, optax_lr=None):
        name, lp, start = L[land]
        for fl in flavours or EXISTS[opt]:
            h = dict(hp)
            if fl == "optax" and "learning_rate" not in h:
                assert optax_lr is not None, (variant, opt)
                h["learning_rate"] = optax_lr
            cases.append({
                "id": f"recorded/{fl}/{variant}/{name}",
                "flavour": fl, "optimizer": opt, "hparams": h,
                "schedule": None if schedule is None else dict(schedule),
                "landscape": name, "landscape_params": dict(lp),
                "start": [float(start[0]), float(start[1])], "steps": steps,
            })

    # --- framework defaults (hparams omitted; optax always gets a learning rate)
    add("sgd_defaults", "sgd", {}, "Q", 100, optax_lr=0.01)
    add("adagrad_defaults", "adagrad", {}, "H", 100, optax_lr=0.01)
    add("rmsprop_defaults", "rmsprop", {}, "H", 100, optax_lr=0.01)
    add("adam_defaults", "adam", {}, "R", 100, optax_lr=0.001)
    add("adamw_defaults", "adamw", {}, "H", 100, optax_lr=0.001)
    add("adadelta_defaults", "adadelta", {}, "Q", 100, optax_lr=1.0)
    add("adamax_defaults", "adamax", {}, "H", 100, optax_lr=0.002)
    add("nadam_defaults", "nadam", {}, "R", 100, optax_lr=0.002)
    add("lion_defaults", "lion", {}, "H", 100, optax_lr=0.001)

    # --- SGD, momentum, Nesterov
    add("sgd", "sgd", {"learning_rate": 0.0005}, "R", 150)
    add("sgd", "sgd", {"learning_rate": 0.05}, "S", 60)
    add("momentum", "sgd", {"learning_rate": 0.01, "momentum": 0.9}, "Q", 100)
    add("momentum", "sgd", {"learning_rate": 0.002, "momentum": 0.8}, "H", 100)
    add("momentum", "sgd", {"learning_rate": 0.2, "momentum": 0.9}, "M", 120)
    add("momentum", "sgd", {"learning_rate": 0.02, "momentum": 0.7}, "T", 80)
    add("nesterov", "sgd", {"learning_rate": 0.01, "momentum": 0.9, "nesterov": True}, "Q", 100)
    add("nesterov", "sgd", {"learning_rate": 0.0002, "momentum": 0.9, "nesterov": True}, "R", 150)
    add("nesterov", "sgd", {"learning_rate": 0.02, "momentum": 0.5, "nesterov": True}, "C", 80)
    add("momentum_only", "sgd", {"momentum": 0.9}, "Q", 100, optax_lr=0.01)
    add("sgd_wd", "sgd", {"learning_rate": 0.01, "momentum": 0.9, "weight_decay": 0.1}, "Q", 100, KP)

    # --- Adagrad
    add("adagrad", "adagrad", {"learning_rate": 0.5}, "H", 100)
    add("adagrad", "adagrad", {"learning_rate": 0.3}, "R", 150)
    add("adagrad_iav", "adagrad", {"learning_rate": 0.5, "initial_accumulator_value": 1.0}, "B", 100)
    add("adagrad_iav0", "adagrad", {"learning_rate": 0.3, "initial_accumulator_value": 0.0}, "Q", 100)
    add("adagrad_eps", "adagrad", {"learning_rate": 0.5, "epsilon": 1e-3,
                                   "initial_accumulator_value": 0.01}, "E", 100)
    add("adagrad_eps", "adagrad", {"learning_rate": 0.2, "epsilon": 1e-4}, "T", 100)
    add("adagrad_wd", "adagrad", {"learning_rate": 0.5, "weight_decay": 0.1}, "H", 100, KP)

    # --- RMSprop
    add("rmsprop", "rmsprop", {"learning_rate": 0.02, "rho": 0.95, "epsilon": 1e-6}, "H", 100)
    add("rmsprop_centered", "rmsprop", {"learning_rate": 0.01, "centered": True, "rho": 0.8}, "C", 100)
    add("rmsprop_momentum", "rmsprop", {"learning_rate": 0.005, "momentum": 0.5}, "Q", 100)
    add("rmsprop_momentum", "rmsprop", {"learning_rate": 0.002, "momentum": 0.9}, "R", 150)
    add("rmsprop_centered_momentum", "rmsprop",
        {"learning_rate": 0.01, "centered": True, "momentum": 0.5}, "B", 100)
    add("rmsprop_eps", "rmsprop", {"learning_rate": 0.05, "epsilon": 1e-4}, "E", 100)
    add("rmsprop_wd", "rmsprop", {"learning_rate": 0.02, "weight_decay": 0.2}, "H", 100, KP)

    # --- Adam, AMSGrad
    add("adam", "adam", {"learning_rate": 0.05, "beta1": 0.8, "beta2": 0.99}, "R", 150)
    add("adam", "adam", {"learning_rate": 0.05, "beta2": 0.9}, "Q", 100)
    add("adam", "adam", {"learning_rate": 0.02}, "S", 80)
    add("adam_eps", "adam", {"learning_rate": 0.1, "epsilon": 1e-3}, "E", 100)
    add("amsgrad", "adam", {"learning_rate": 0.05, "amsgrad": True}, "R", 150)
    add("amsgrad", "adam", {"learning_rate": 0.1, "amsgrad": True, "beta2": 0.99}, "H", 100)
    add("adam_wd", "adam", {"learning_rate": 0.05, "weight_decay": 0.1}, "H", 100, KP)

    # --- AdamW
    add("adamw", "adamw", {"learning_rate": 0.1, "weight_decay": 0.1}, "H", 100)
    add("adamw", "adamw", {"learning_rate": 0.05, "weight_decay": 0.2, "beta1": 0.8}, "Q", 100)
    add("adamw", "adamw", {"learning_rate": 0.05, "weight_decay": 0.05, "beta2": 0.99}, "R", 150)
    add("adamw_eps", "adamw", {"learning_rate": 0.1, "weight_decay": 0.1, "epsilon": 1e-3}, "E2", 100)
    add("adamw_amsgrad", "adamw", {"learning_rate": 0.1, "weight_decay": 0.1, "amsgrad": True}, "H", 100, KP)

    # --- Adadelta
    add("adadelta", "adadelta", {"learning_rate": 1.0, "rho": 0.85, "epsilon": 1e-4}, "H", 100)
    add("adadelta", "adadelta", {"learning_rate": 1.0, "epsilon": 1e-3}, "Q", 100)
    add("adadelta", "adadelta", {"learning_rate": 1.0, "rho": 0.85, "epsilon": 1e-4}, "B", 100)
    add("adadelta_eps", "adadelta", {"learning_rate": 5.0, "epsilon": 1e-3}, "E", 100)
    add("adadelta_wd", "adadelta", {"learning_rate": 1.0, "epsilon": 1e-3, "weight_decay": 0.5}, "H", 100)

    # --- Adamax
    add("adamax", "adamax", {"learning_rate": 0.1, "beta1": 0.8}, "H", 100)
    add("adamax", "adamax", {"learning_rate": 0.05, "beta2": 0.99}, "R", 150)
    add("adamax_eps", "adamax", {"learning_rate": 0.1, "epsilon": 1e-3}, "E", 100)
    add("adamax_wd", "adamax", {"learning_rate": 0.1, "weight_decay": 0.1}, "H", 100, KP)

    # --- Nadam
    add("nadam", "nadam", {"learning_rate": 0.01}, "R", 150)
    add("nadam", "nadam", {"learning_rate": 0.1, "beta1": 0.95, "beta2": 0.99}, "H", 100)
    add("nadam", "nadam", {"learning_rate": 0.05, "beta1": 0.8}, "Q", 100)
    add("nadam_eps", "nadam", {"learning_rate": 0.1, "epsilon": 1e-3}, "E", 100)
    add("nadam_wd", "nadam", {"learning_rate": 0.05, "weight_decay": 0.1}, "H", 100, KP)

    # --- Lion (Keras and optax only)
    add("lion", "lion", {"learning_rate": 0.01}, "R", 150)
    add("lion", "lion", {"learning_rate": 0.05, "beta1": 0.95, "beta2": 0.98}, "H", 100)
    add("lion_nowd", "lion", {"learning_rate": 0.02, "weight_decay": 0.0}, "Q", 100)
    add("lion_wd", "lion", {"learning_rate": 0.05, "weight_decay": 0.1, "beta1": 0.8}, "M", 120)
    add("lion", "lion", {"learning_rate": 0.02, "beta2": 0.9}, "B", 100)

    # --- Learning-rate schedules: every kind x {sgd+momentum, adam, rmsprop+momentum} x flavours
    SCHEDULES = [
        ("constant", {"name": "constant"}),
        ("exponential", {"name": "exponential", "decay_steps": 50, "decay_rate": 0.1, "staircase": False}),
        ("exponential_staircase", {"name": "exponential", "decay_steps": 20, "decay_rate": 0.5,
                                   "staircase": True}),
        ("step", {"name": "step", "step_size": 25, "gamma": 0.5}),
        ("cosine", {"name": "cosine", "decay_steps": 50, "alpha": 0.1}),
        ("cosine_restarts", {"name": "cosine_restarts", "first_decay_steps": 15, "t_mul": 2.0,
                             "m_mul": 0.5, "alpha": 0.0}),
        ("cosine_restarts_tmul1", {"name": "cosine_restarts", "first_decay_steps": 25, "t_mul": 1.0,
                                   "m_mul": 0.8, "alpha": 0.05}),
        ("warmup_cosine", {"name": "warmup_cosine", "warmup_steps": 10, "decay_steps": 50,
                           "alpha": 0.1}),
        ("one_cycle", {"name": "one_cycle", "total_steps": 80, "pct_start": 0.3,
                       "div_factor": 25.0, "final_div_factor": 1e4}),
        ("polynomial", {"name": "polynomial", "decay_steps": 50, "end_learning_rate": None,
                        "power": 2.0}),
        ("inverse_time", {"name": "inverse_time", "decay_steps": 10, "decay_rate": 0.5}),
    ]
    SCHED_RUNS = [  # (prefix, optimizer, hparams, landscape, steps, extra variants)
        ("momentum", "sgd", {"learning_rate": 0.02, "momentum": 0.9}, "Q", 100, True),
        ("adam", "adam", {"learning_rate": 0.1}, "H", 100, False),
        ("rmsprop_momentum", "rmsprop", {"learning_rate": 0.02, "momentum": 0.5}, "H", 100, False),
    ]
    EXTRA = ("exponential_staircase", "cosine_restarts_tmul1")
    for prefix, opt, hp, land, steps, extra in SCHED_RUNS:
        for sname, sched in SCHEDULES:
            if sname in EXTRA and not extra:
                continue
            sched = dict(sched)
            if sched["name"] == "polynomial":
                sched["end_learning_rate"] = hp["learning_rate"] / 10
            add(f"{prefix}_{sname}", opt, hp, land, steps, schedule=sched)
    # a one-cycle with non-default shape and schedules combined with decoupled weight decay
    add("adam_one_cycle_short", "adam", {"learning_rate": 0.1},
        "Q", 100, schedule={"name": "one_cycle", "total_steps": 70, "pct_start": 0.25,
                            "div_factor": 10.0, "final_div_factor": 100.0})
    add("adamw_cosine", "adamw", {"learning_rate": 0.1, "weight_decay": 0.2}, "H", 100,
        schedule={"name": "cosine", "decay_steps": 50, "alpha": 0.0})
    add("lion_warmup_cosine", "lion", {"learning_rate": 0.05, "weight_decay": 0.2}, "H", 100,
        schedule={"name": "warmup_cosine", "warmup_steps": 10, "decay_steps": 60, "alpha": 0.0})

    ids = [c["id"] for c in cases]
    dup = {i for i in ids if ids.count(i) > 1}
    assert not dup, dup
    return cases


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def bad_path(path):
    return (not np.all(np.isfinite(path))) or float(np.max(np.abs(path))) > DIVERGED


def schedule_checks(cases):
    """Check the lr each framework applies against the canonical formula."""
    seen, results, ok = set(), [], True
    for c in cases:
        s = c["schedule"]
        if s is None:
            continue
        fl = c["flavour"]
        eta0 = base_lr(c)
        key = (fl, json.dumps(s, sort_keys=True), eta0, c["steps"])
        if key in seen:
            continue
        seen.add(key)
        err = lr_error(PROBES[fl](s, eta0, c["steps"]), s, eta0)
        results.append((fl, s, eta0, c["steps"], err))
        ok &= err <= SCHEDULE_RTOL
    print(f"\nschedule probes (plain SGD, g = 1, parameter reset to 0 before each step, so the "
          f"step is exactly the lr applied;\n max over t and eta0 of |lr - canonical| / eta0, "
          f"tolerance {SCHEDULE_RTOL:g}):")
    table = {}
    for fl, s, eta0, steps, err in results:
        desc = s["name"] + "(" + ", ".join(f"{k}={v}" for k, v in s.items()
                                         if k not in ("name", "end_learning_rate")) + ")"
        row = table.setdefault(desc, {})
        row[fl] = max(row.get(fl, 0.0), err)
        row.setdefault("eta0", set()).add(eta0)
    for desc, row in table.items():
        errs = "  ".join(f"{fl} {row[fl]:.1e}" if fl in row else f"{fl}    -   " for fl in FLAVOURS)
        flag = "OK" if all(row.get(fl, 0.0) <= SCHEDULE_RTOL for fl in FLAVOURS) else "MISMATCH"
        print(f"  {desc:90s} {errs}  {flag}")
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check-public", type=Path, metavar="PUBLIC_JSON", nargs="?", const=PUBLIC,
                    help="only re-record the cases of a public fixture file and compare "
                         "(without a path: the repository's tests/data/parity_public.json)")
    args = ap.parse_args(argv)
    if args.check_public:
        return check_public(args.check_public)

    t0 = time.time()
    check_landscapes()
    check_defaults()
    cases = build_cases()
    print(f"{len(cases)} candidate cases")
    if not schedule_checks(cases):
        raise SystemExit("schedule mismatch: fix the set-up before recording")

    kept, skipped, inrun_err = [], [], {}
    for c in cases:
        start = np.array(c["start"], F32)
        (path, lrs), (path2, _) = RUNNERS[c["flavour"]](c, [start, (start + START_SHIFT).astype(F32)])
        if c["schedule"] is not None:
            eta0 = base_lr(c)
            e = lr_error(lrs, c["schedule"], eta0)
            k = (c["flavour"], c["schedule"]["name"])
            inrun_err[k] = max(inrun_err.get(k, 0.0), e)
        if bad_path(path) or bad_path(path2):
            skipped.append((c["id"], "diverged"))
            continue
        sens = float(np.max(np.abs(path.astype(np.float64) - path2.astype(np.float64))))
        if sens > MAX_SENSITIVITY:
            skipped.append((c["id"], f"sensitivity {sens:.3g}"))
            continue
        rec = dict(c)
        rec["path"] = [[float(F32(x)), float(F32(y))] for x, y in path]
        rec["sensitivity"] = float(f"{sens:.3g}")
        kept.append(rec)

    print("\nlearning rate read from the real runs (Keras optimizer.learning_rate, "
          "torch param_groups lr, optax schedule(count) from the state) vs canonical:")
    bad = False
    for (fl, name), e in sorted(inrun_err.items()):
        flag = "OK" if e <= SCHEDULE_RTOL else "MISMATCH"
        bad |= e > SCHEDULE_RTOL
        print(f"  {fl:8s} {name:16s} max rel err {e:.2e} {flag}")
    if bad:
        raise SystemExit("in-run schedule mismatch")

    print(f"\nskipped {len(skipped)}:")
    for i, why in skipped:
        print(f"  {i}: {why}")
    coverage_report(kept)

    doc = {
        "about": (
            "Trajectories recorded from the real frameworks (Keras "
            f"{keras.__version__} on the JAX backend, PyTorch {torch.__version__.split('+')[0]}, "
            f"optax {optax.__version__}; gradients from jax {jax.__version__}), float32, by "
            "tools/record_parity.py. Parameters are one float32 2-vector; the gradient at each "
            "step is jax.grad of the float32 landscape. 'path' has steps+1 points, the start "
            "first. 'hparams' uses the canonical names; hyperparameters not given take the "
            "flavour's defaults (optax always gets a learning rate). 'schedule' is null or a "
            "canonical learning-rate schedule (t = updates already applied), set up natively: "
            "Keras LearningRateSchedule, PyTorch LambdaLR stepped after each optimizer.step(), "
            "optax schedule callable. 'sensitivity' is how far the recorded path moved when the "
            "start moved by 1e-6 in both coordinates (float32); cases with sensitivity > 1e-3 or "
            "divergent paths were left out. Tolerance: max abs deviation over the path <= "
            "2e-4 + 100*sensitivity."
        ),
        "cases": kept,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w") as fh:
        fh.write('{"about": ' + json.dumps(doc["about"]) + ',\n "cases": [\n')
        fh.write(",\n".join("  " + json.dumps(c) for c in kept))
        fh.write("\n ]\n}\n")
    print(f"\nwrote {len(kept)} cases to {args.out} in {time.time() - t0:.0f} s")


def check_public(path):
    """Re-record a fixture file's cases with this recorder and report the deviation."""
    cases = json.loads(Path(path).read_text())["cases"]
    worst, fails = 0.0, 0
    for c in cases:
        c = dict(c)
        c.setdefault("schedule", None)
        c.setdefault("landscape_params", {})
        ((path_,), ) = [[p for p, _ in RUNNERS[c["flavour"]](c, [np.array(c["start"], F32)])]]
        ref = np.array(c["path"], np.float64)
        dev = float(np.max(np.abs(path_.astype(np.float64) - ref)))
        tol = 2e-4 + 100 * c["sensitivity"]
        worst = max(worst, dev)
        fails += dev > tol
        print(f"  {c['id']:50s} max dev {dev:.2e} (tol {tol:.1e}){'  FAIL' if dev > tol else ''}")
    print(f"{len(cases)} public cases, worst deviation {worst:.2e}, {fails} over tolerance")
    return 1 if fails else 0


def coverage_report(kept):
    from collections import Counter, defaultdict
    cnt = Counter((c["flavour"], c["optimizer"]) for c in kept)
    print("\ncases per flavour and optimizer:")
    opts = list(KERAS_CLS)
    print("  " + " " * 9 + "".join(f"{o:>9s}" for o in opts) + "    total")
    for fl in FLAVOURS:
        row = [cnt.get((fl, o), 0) for o in opts]
        print(f"  {fl:9s}" + "".join(f"{n:9d}" for n in row) + f"{sum(row):9d}")
    print(f"  total {len(kept)}; with a schedule: {sum(c['schedule'] is not None for c in kept)}")

    # requirements
    problems = []
    lands = defaultdict(set)
    tuned = defaultdict(set)
    nondefault = defaultdict(set)
    defaults_case = set()
    for c in kept:
        fl, o, hp = c["flavour"], c["optimizer"], c["hparams"]
        key = "amsgrad" if (fl == "optax" and hp.get("amsgrad")) else o
        d = DEFAULTS[fl][key]
        lands[(fl, o)].add(c["landscape"])
        nd = {k for k, v in hp.items() if k != "learning_rate" and k in d and d[k] != v}
        if fl != "optax":
            nd |= {k for k, v in hp.items() if k == "learning_rate" and d[k] != v}
        for k in nd:
            nondefault[(fl, o)].add(k)
        if hp.get("amsgrad"):
            nondefault[(fl, o)].add("amsgrad")
        if any(k != "learning_rate" for k in nd) and c["landscape"] != "booth":
            tuned[(fl, o)].add(c["landscape"])
        if (fl == "optax" and set(hp) == {"learning_rate"}) or (fl != "optax" and not hp):
            if c["schedule"] is None:
                defaults_case.add((fl, o))
    for fl in FLAVOURS:
        for o in KERAS_CLS:
            if (fl, o) not in {(c["flavour"], c["optimizer"]) for c in kept}:
                if not (fl == "pytorch" and o == "lion"):
                    problems.append(f"no case for {fl}/{o}")
                continue
            if len(tuned[(fl, o)]) < 3:
                problems.append(f"{fl}/{o}: non-default hparams on only {sorted(tuned[(fl, o)])}")
            if (fl, o) not in defaults_case:
                problems.append(f"{fl}/{o}: no all-defaults case")
            want = set(DEFAULTS[fl][o]) - {"learning_rate"}
            if o == "adam" and fl == "optax":
                want.add("amsgrad")
            miss = want - nondefault[(fl, o)]
            if miss:
                problems.append(f"{fl}/{o}: never a non-default {sorted(miss)}")
    sched_cov = defaultdict(set)
    for c in kept:
        if c["schedule"] is not None:
            sched_cov[(c["optimizer"], c["schedule"]["name"])].add(c["flavour"])
    for o in ("sgd", "adam", "rmsprop"):
        for s in ("constant", "exponential", "step", "cosine", "cosine_restarts", "warmup_cosine",
                  "one_cycle", "polynomial", "inverse_time"):
            if sched_cov[(o, s)] != set(FLAVOURS):
                problems.append(f"schedule {s} with {o}: only {sorted(sched_cov[(o, s)])}")
    print("\ncoverage: " + ("all requirements met" if not problems else ""))
    for p in problems:
        print("  MISSING " + p)


if __name__ == "__main__":
    sys.exit(main())
