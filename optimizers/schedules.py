"""Learning-rate schedules in the project's canonical forms, with traced parameters.

η(t) with t = number of updates already applied (0 on the first update), η0 the run's
learning rate: how Keras (`optimizer.iterations`) and optax (`count`) index schedules, and
what a PyTorch `LambdaLR` stepped once per update gives. Formulas: docs/optimizers.md;
cosine_restarts and warmup_cosine follow Keras (`CosineDecayRestarts`,
`CosineDecay(warmup_target=...)`), one_cycle follows `optax.cosine_onecycle_schedule`.

Why not call optax's schedule constructors: they take Python numbers and branch on them
(`int(pct_start * transition_steps)`, `if transition_steps <= 0`), so every new value would
compile anew. Here every parameter is an array argument, one compiled function serves all
values, and tests check these against optax and Keras at concrete values.
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from optimizers.spec import ScheduleParam, ScheduleSpec


def _constant(t, lr0, p):
    return lr0 * jnp.ones_like(t)


def _exponential(t, lr0, p):
    ratio = t / p["decay_steps"]
    ratio = jnp.where(p["staircase"] > 0.5, jnp.floor(ratio), ratio)
    return lr0 * p["decay_rate"] ** ratio


def _step(t, lr0, p):
    return lr0 * p["gamma"] ** jnp.floor(t / p["step_size"])


def _cosine_factor(fraction, alpha):
    return (1.0 - alpha) * (0.5 * (1.0 + jnp.cos(math.pi * fraction))) + alpha


def _cosine(t, lr0, p):
    d = p["decay_steps"]
    return lr0 * _cosine_factor(jnp.minimum(t, d) / d, p["alpha"])


def _cosine_restarts(t, lr0, p):
    t_mul, m_mul = p["t_mul"], p["m_mul"]
    fraction = t / p["first_decay_steps"]
    # Cycle i lasts T·t_mul^i: with t_mul = 1 the cycle index is floor(fraction), otherwise
    # the geometric sum is inverted (Keras CosineDecayRestarts).
    geometric = t_mul != 1.0
    safe_mul = jnp.where(geometric, t_mul, 2.0)
    i_geo = jnp.floor(jnp.log(1.0 - fraction * (1.0 - safe_mul)) / jnp.log(safe_mul))
    done_geo = (1.0 - safe_mul**i_geo) / (1.0 - safe_mul)
    frac_geo = (fraction - done_geo) / safe_mul**i_geo
    i_lin = jnp.floor(fraction)
    i_restart = jnp.where(geometric, i_geo, i_lin)
    within = jnp.where(geometric, frac_geo, fraction - i_lin)
    cosine = 0.5 * m_mul**i_restart * (1.0 + jnp.cos(math.pi * within))
    return lr0 * ((1.0 - p["alpha"]) * cosine + p["alpha"])


def _warmup_cosine(t, lr0, p):
    w, d = p["warmup_steps"], p["decay_steps"]
    t = jnp.minimum(t, w + d)
    warm = lr0 * t / jnp.maximum(w, 1e-30)
    decay = lr0 * _cosine_factor((t - w) / d, p["alpha"])
    return jnp.where(t < w, warm, decay)


def _one_cycle(t, lr0, p):
    total = p["total_steps"]
    peak_at = jnp.floor(p["pct_start"] * total)
    start = lr0 / p["div_factor"]
    end = start / p["final_div_factor"]

    def ramp(a, b, fraction):  # cosine interpolation from a to b
        return b + (a - b) / 2.0 * (jnp.cos(math.pi * fraction) + 1.0)

    up = ramp(start, lr0, t / jnp.maximum(peak_at, 1.0))
    down = ramp(lr0, end, (t - peak_at) / jnp.maximum(total - peak_at, 1.0))
    return jnp.where(t < peak_at, up, jnp.where(t < total, down, end))


def _polynomial(t, lr0, p):
    d, end = p["decay_steps"], p["end_learning_rate"]
    return (lr0 - end) * (1.0 - jnp.minimum(t, d) / d) ** p["power"] + end


def _inverse_time(t, lr0, p):
    return lr0 / (1.0 + p["decay_rate"] * t / p["decay_steps"])


_STEPS = dict(kind="int", low=1.0, high=1e6)

SCHEDULES: tuple[ScheduleSpec, ...] = (
    ScheduleSpec("constant", "Constant", r"\eta_t = \eta_0", (), _constant),
    ScheduleSpec(
        "exponential",
        "Exponential decay",
        r"\eta_t = \eta_0\, r^{t/T}\ \ (\lfloor t/T \rfloor \text{ if staircase})",
        (
            ScheduleParam("decay_steps", "T: steps for one factor r", 100.0, **_STEPS),
            ScheduleParam("decay_rate", "r: factor per T steps", 0.5, 0.0, 1.0, low_open=True),
            ScheduleParam("staircase", "decay in whole steps of T", False, kind="bool"),
        ),
        _exponential,
    ),
    ScheduleSpec(
        "step",
        "Step decay",
        r"\eta_t = \eta_0\, \gamma^{\lfloor t/s \rfloor}",
        (
            ScheduleParam("step_size", "s: steps between drops", 100.0, **_STEPS),
            ScheduleParam("gamma", "γ: factor at each drop", 0.5, 0.0, 1.0, low_open=True),
        ),
        _step,
    ),
    ScheduleSpec(
        "cosine",
        "Cosine decay",
        r"\eta_t = \eta_0\left((1-a)\tfrac{1}{2}\left(1 + \cos\tfrac{\pi \min(t, D)}{D}\right) + a\right)",
        (
            ScheduleParam("decay_steps", "D: steps to the floor", 1000.0, **_STEPS),
            ScheduleParam("alpha", "a: floor as a fraction of η0", 0.0, 0.0, 1.0),
        ),
        _cosine,
    ),
    ScheduleSpec(
        "cosine_restarts",
        "Cosine with warm restarts (SGDR)",
        r"\text{cycle } i \text{ lasts } T\,t_{mul}^i \text{ with peak } \eta_0\, m_{mul}^i,"
        r"\ \text{cosine within a cycle}",
        (
            ScheduleParam("first_decay_steps", "T: length of the first cycle", 100.0, **_STEPS),
            ScheduleParam("t_mul", "each cycle is t_mul times longer", 2.0, 1.0, 10.0),
            ScheduleParam("m_mul", "each peak is m_mul times the last", 1.0, 0.0, 1.0),
            ScheduleParam("alpha", "a: floor as a fraction of the peak", 0.0, 0.0, 1.0),
        ),
        _cosine_restarts,
    ),
    ScheduleSpec(
        "warmup_cosine",
        "Linear warmup, then cosine",
        r"\eta_t = \eta_0 \tfrac{t}{W}\ (t < W),\ "
        r"\eta_0\left((1-a)\tfrac{1}{2}\left(1 + \cos\tfrac{\pi \min(t-W, D)}{D}\right) + a\right)",
        (
            ScheduleParam("warmup_steps", "W: steps of linear warmup from 0", 50.0, 0.0, 1e6, kind="int"),
            ScheduleParam("decay_steps", "D: cosine steps after the warmup", 1000.0, **_STEPS),
            ScheduleParam("alpha", "a: floor as a fraction of η0", 0.0, 0.0, 1.0),
        ),
        _warmup_cosine,
    ),
    ScheduleSpec(
        "one_cycle",
        "One cycle",
        r"\text{cosine from } \tfrac{\eta_0}{div} \text{ up to } \eta_0 \text{ until } "
        r"\lfloor pct \cdot T \rfloor, \text{ then down to } \tfrac{\eta_0}{div \cdot final\_div}",
        (
            ScheduleParam("total_steps", "T: length of the cycle", 1000.0, **_STEPS),
            ScheduleParam("pct_start", "fraction of T spent rising", 0.3, 0.0, 1.0),
            ScheduleParam("div_factor", "η0 / starting rate", 25.0, 1.0, 1e6),
            ScheduleParam("final_div_factor", "starting rate / final rate", 1e4, 1.0, 1e9),
        ),
        _one_cycle,
    ),
    ScheduleSpec(
        "polynomial",
        "Polynomial decay",
        r"\eta_t = (\eta_0 - e)\left(1 - \tfrac{\min(t, D)}{D}\right)^p + e",
        (
            ScheduleParam("decay_steps", "D: steps to reach e", 1000.0, **_STEPS),
            ScheduleParam("end_learning_rate", "e: final learning rate", 1e-4, 0.0, 100.0),
            ScheduleParam("power", "p: 1 is linear", 1.0, 0.0, 10.0, low_open=True),
        ),
        _polynomial,
    ),
    ScheduleSpec(
        "inverse_time",
        "Inverse time decay",
        r"\eta_t = \frac{\eta_0}{1 + r\, t / T}",
        (
            ScheduleParam("decay_steps", "T: steps per unit of decay", 100.0, **_STEPS),
            ScheduleParam("decay_rate", "r: decay per T steps", 0.5, 0.0, 1e3),
        ),
        _inverse_time,
    ),
)

BY_NAME: dict[str, ScheduleSpec] = {s.name: s for s in SCHEDULES}


def get(name: str) -> ScheduleSpec:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown schedule {name!r}; known: {', '.join(BY_NAME)}") from None


def evaluate(name: str, lr0, params, t):
    """η(t) for concrete or traced inputs; `params` maps every parameter name to a value."""
    values = {k: jnp.asarray(v, jnp.float32) for k, v in get(name).resolve(params).items()}
    return get(name).fn(jnp.asarray(t, jnp.float32), jnp.asarray(lr0, jnp.float32), values)
