"""Schedules against optax's own schedules and against the reference formulas in plain Python."""

from __future__ import annotations

import math

import jax
import numpy as np
import optax
import pytest

from optimizers import schedules

T = np.arange(0, 400)
LR0 = 0.1


def ours(name, **params):
    return np.asarray(schedules.evaluate(name, LR0, params, T), np.float64)


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-9)


def sampled(schedule):
    """An optax schedule at every t of T (they take one count at a time)."""
    return np.asarray(jax.vmap(schedule)(T), np.float64)


def test_exponential_is_optax_exponential_decay():
    close(ours("exponential", decay_steps=50, decay_rate=0.3), sampled(optax.exponential_decay(LR0, 50, 0.3)))
    close(
        ours("exponential", decay_steps=50, decay_rate=0.3, staircase=True),
        sampled(optax.exponential_decay(LR0, 50, 0.3, staircase=True)),
    )


def test_step_is_a_staircase_exponential():
    close(ours("step", step_size=30, gamma=0.5), [LR0 * 0.5 ** (t // 30) for t in T])
    close(ours("step", step_size=30, gamma=0.5), sampled(optax.exponential_decay(LR0, 30, 0.5, staircase=True)))


def test_cosine_is_optax_cosine_decay_and_stays_clamped():
    got = ours("cosine", decay_steps=120, alpha=0.1)
    close(got, sampled(optax.cosine_decay_schedule(LR0, 120, alpha=0.1)))
    assert np.all(got[120:] == pytest.approx(0.1 * LR0))  # not periodic past D, unlike PyTorch


def test_polynomial_is_optax_polynomial_schedule():
    close(
        ours("polynomial", decay_steps=200, end_learning_rate=0.01, power=2.0),
        sampled(optax.polynomial_schedule(LR0, 0.01, 2.0, 200)),
    )


def test_one_cycle_is_optax_cosine_onecycle():
    for total, pct in [(300, 0.3), (301, 0.25), (50, 0.5)]:
        close(
            ours("one_cycle", total_steps=total, pct_start=pct, div_factor=25.0, final_div_factor=1e4),
            sampled(optax.cosine_onecycle_schedule(total, LR0, pct, 25.0, 1e4)),
        )


def test_warmup_cosine_counts_decay_steps_after_the_warmup():
    """Keras's convention (the reference's): D cosine steps after W warmup steps, which is
    optax's warmup_cosine_decay_schedule with decay_steps = W + D."""
    got = ours("warmup_cosine", warmup_steps=40, decay_steps=200, alpha=0.05)
    close(got, sampled(optax.warmup_cosine_decay_schedule(0.0, LR0, 40, 240, end_value=0.05 * LR0)))
    assert got[0] == 0.0 and got[40] == pytest.approx(LR0)


def test_inverse_time_formula():
    close(ours("inverse_time", decay_steps=20, decay_rate=0.5), [LR0 / (1 + 0.5 * t / 20) for t in T])


def _sgdr(t, first, t_mul, m_mul, alpha):
    """SGDR from its definition: walk the cycles, cycle i lasting first·t_mul^i."""
    start, length, i = 0.0, float(first), 0
    while t >= start + length:
        start += length
        length *= t_mul
        i += 1
    fraction = (t - start) / length
    return LR0 * ((1 - alpha) * m_mul**i * 0.5 * (1 + math.cos(math.pi * fraction)) + alpha)


@pytest.mark.parametrize("t_mul,m_mul,alpha", [(1.0, 1.0, 0.0), (2.0, 0.5, 0.0), (1.5, 0.8, 0.1)])
def test_cosine_restarts_walks_its_cycles(t_mul, m_mul, alpha):
    got = ours("cosine_restarts", first_decay_steps=40, t_mul=t_mul, m_mul=m_mul, alpha=alpha)
    expected = [_sgdr(t, 40, t_mul, m_mul, alpha) for t in T]
    # float32 log() puts a restart boundary one step early or late now and then; Keras does the same.
    mismatched = np.flatnonzero(~np.isclose(got, expected, rtol=1e-4, atol=1e-7))
    assert len(mismatched) <= 3, mismatched


def test_constant():
    close(ours("constant"), np.full(len(T), LR0))


def test_every_schedule_traces_once_for_all_parameter_values():
    traces = []

    @jax.jit
    def evaluate_all(lr0, params):
        traces.append(1)
        return {s.name: s.fn(jax.numpy.float32(7.0), lr0, params[s.name]) for s in schedules.SCHEDULES}

    def params(scale):
        return {s.name: {p.name: np.float32(p.default * scale if p.kind != "bool" else 0.0) for p in s.params}
                for s in schedules.SCHEDULES}  # fmt: skip

    evaluate_all(np.float32(0.1), params(1.0))
    evaluate_all(np.float32(0.5), params(0.5))
    assert len(traces) == 1


def test_schedule_metadata():
    names = [s.name for s in schedules.SCHEDULES]
    assert names == [
        "constant", "exponential", "step", "cosine", "cosine_restarts", "warmup_cosine", "one_cycle", "polynomial", "inverse_time",
    ]  # fmt: skip
    for s in schedules.SCHEDULES:
        assert s.formula and s.title
        for p in s.params:
            assert p.kind == "bool" or p.accepts(float(p.default)), (s.name, p.name)
