"""Jitted runners: one `lax.scan` per trajectory; a sweep scans a whole batch at once.

Compiled functions are cached by structure only: a `RunKey` (landscape, optimizer, flavour,
boolean flags, schedule kind, steps bucket) is the static argument of `jax.jit`, and every
number (hyperparameters, schedule parameters, landscape parameters, start, noise scale,
seed) travels in arrays. So changing a learning rate, a start or σ reuses the compiled code;
`trace_count()` counts how often anything was traced, which tests use to prove it.

Numbers cross the host boundary packed: one float32 vector in (its layout a pure function of
the key) and one float32 matrix out (with two indices), because each extra argument or result
costs a few microseconds of dispatch and a warm 1000-step run takes about 0.1 ms.
"""

from __future__ import annotations

import collections
import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

import landscapes
import optimizers
from optimizers import DECAY_RATES, Decay, schedules

# A coordinate beyond this counts as diverged, as does any non-finite value.
DIVERGENCE_LIMIT = 1e6
# Distance to a known minimum that counts as having converged.
DEFAULT_TOLERANCE = 1e-3

# Output columns of a trajectory.
X, Y, LOSS, GRAD_NORM, LR, M1X, M1Y, M2X, M2Y = range(9)

_traces: collections.Counter = collections.Counter()


def trace_count() -> int:
    """How many times a runner was traced (= compiled) in this process."""
    return sum(_traces.values())


class RunKey(NamedTuple):
    """Everything that changes the structure of the compiled computation, and nothing else."""

    landscape: str
    optimizer: str
    flavour: str
    flags: tuple[tuple[str, bool], ...]
    schedule: str
    steps: int  # a bucket, >= the scenario's steps


def steps_bucket(steps: int) -> int:
    """The scan length compiled for `steps`: the next of 64, 96, 128, 192, 256, ... (≤ 1.5x)."""
    size = 64
    while True:
        if steps <= size:
            return size
        if steps <= size * 3 // 2:
            return size * 3 // 2
        size *= 2


class Layout(NamedTuple):
    """Where each number sits in the packed input vector of a RunKey."""

    hparams: tuple[str, ...]  # numeric hyperparameters; a decay rate takes two slots
    schedule: tuple[str, ...]
    landscape: tuple[str, ...]


@functools.lru_cache(maxsize=None)
def layout(key: RunKey) -> Layout:
    spec = optimizers.get(key.optimizer)
    return Layout(
        hparams=spec.numeric(key.flavour),
        schedule=tuple(p.name for p in schedules.get(key.schedule).params),
        landscape=tuple(p.name for p in landscapes.get(key.landscape).params),
    )


def pack(key: RunKey, hparams: dict, schedule_params: dict, landscape_params: dict, noise_scale: float) -> np.ndarray:
    """The float32 input vector for `key` (host side; decay complements in float64 first)."""
    lay = layout(key)
    values: list[float] = []
    for name in lay.hparams:
        v = float(hparams[name])
        values.append(v)
        if name in DECAY_RATES:
            values.append(1.0 - v)
    values += [float(schedule_params[n]) for n in lay.schedule]
    values += [float(landscape_params[n]) for n in lay.landscape]
    values.append(float(noise_scale))
    return np.asarray(values, np.float32)


def _unpack(key: RunKey, values):
    lay = layout(key)
    i = 0
    hp: dict = {}
    for name in lay.hparams:
        if name in DECAY_RATES:
            hp[name] = Decay(values[i], values[i + 1])
            i += 2
        else:
            hp[name] = values[i]
            i += 1
    hp.update(dict(key.flags))
    sched = {n: values[i + j] for j, n in enumerate(lay.schedule)}
    i += len(lay.schedule)
    land = {n: values[i + j] for j, n in enumerate(lay.landscape)}
    i += len(lay.landscape)
    return hp, sched, land, values[i]


def _problem(key: RunKey, values, overrides: dict | None = None):
    """(f, optimizer transformation, schedule, noise scale) for traced `values`.

    `overrides` replaces some hyperparameters: a sweep passes its per-trajectory values there
    as (1, N) rows, so that only those vary across the batch and everything derived from the
    shared ones (β^t, the schedule) is computed once per step, not once per trajectory.
    """
    hp, sched_params, land_params, noise_scale = _unpack(key, values)
    hp.update(overrides or {})
    ls = landscapes.get(key.landscape)
    sched_spec = schedules.get(key.schedule)
    lr0 = hp["learning_rate"]

    def f(xy):
        return ls.fn(xy, land_params)

    def schedule(count):
        return sched_spec.fn(jnp.asarray(count, jnp.float32), lr0, sched_params)

    tx = optimizers.build(key.optimizer, key.flavour, hp, schedule)
    return f, tx, schedule, noise_scale


@functools.partial(jax.jit, static_argnums=1)
def _noise(seed, n: int):
    _traces[("noise", n)] += 1
    base = jax.random.PRNGKey(seed)
    return jax.vmap(lambda k: jax.random.normal(jax.random.fold_in(base, k), (2,)))(jnp.arange(n))


@functools.lru_cache(maxsize=16)
def noise_sequence(seed: int, n: int) -> jax.Array:
    """ξ_k ~ N(0, I), k < n, as a device array.

    ξ_k depends on (seed, k) only, so a longer run shares a shorter one's prefix. Drawing it
    costs ~0.2 ms, as much as a whole warm run, so it is drawn once per (seed, n) and reused
    by every run and rerun; σ/√B multiplies it inside the compiled runner, so σ = 0 is just
    another value (turning noise on compiles nothing).
    """
    return _noise(np.int32(seed), n)


def _moments(state, like):
    first, second = optimizers.moments(state)
    nan = jnp.full_like(like, jnp.nan)
    return (nan if first is None else first), (nan if second is None else second)


# Both checks below are written per coordinate and per minimum, not as reductions over a
# length-2 axis: XLA on the CPU runs such small reductions as slow loops, which made a sweep
# 20 times slower.


def _diverged(x, y, loss):
    # NaN fails every comparison, so `abs <= limit` also rejects non-finite coordinates.
    within = (jnp.abs(x) <= DIVERGENCE_LIMIT) & (jnp.abs(y) <= DIVERGENCE_LIMIT)
    return ~(within & jnp.isfinite(loss))


def _near_minimum(x, y, minima: np.ndarray, tol):
    near = jnp.zeros(x.shape, bool)
    for mx, my in minima:  # a concrete NumPy array: a few minima at most
        near = near | ((x - mx) ** 2 + (y - my) ** 2 <= tol * tol)
    return near


@functools.partial(jax.jit, static_argnums=0)
def _trajectory(key: RunKey, values, start, xi, steps, tol):
    _traces[("trajectory", key)] += 1
    f, tx, schedule, noise_scale = _problem(key, values)
    value_and_grad = jax.value_and_grad(f)
    minima = minima_array(key.landscape)

    def step(carry, inputs):
        p, state, bad_at, near_at = carry
        k, noise = inputs
        loss, g = value_and_grad(p)
        m1, m2 = _moments(state, p)  # the state that produced p
        updates, state = tx.update(g + noise_scale * noise, state, p)
        row = jnp.concatenate([p, jnp.stack([loss, jnp.linalg.norm(g), schedule(k)]), m1, m2])
        # The first diverged point and the first point near a minimum (before divergence),
        # tracked as scalars here: finding them afterwards in the stacked rows cost a third
        # of the whole run.
        in_run = k <= steps
        bad_at = jnp.where((bad_at < 0) & in_run & _diverged(p[0], p[1], loss), k, bad_at)
        near = (bad_at < 0) & in_run & _near_minimum(p[0], p[1], minima, tol)
        near_at = jnp.where((near_at < 0) & near, k, near_at)
        return (p + updates, state, bad_at, near_at), row

    # One step more than the bucket: its row is the last point; its update is never used.
    none = jnp.int32(-1)
    carry = (start, tx.init(start), none, none)
    (_, _, bad_at, near_at), rows = jax.lax.scan(step, carry, (jnp.arange(key.steps + 1), xi))
    return rows, jnp.stack([bad_at, near_at])


def trajectory(key: RunKey, values: np.ndarray, start, seed: int, steps: int, tol: float):
    """The first `steps` + 1 rows and two indices.

    Rows: float32 (x, y, loss, |∇f|, lr, first and second moments) per point. Indices: the
    first diverged point and the first point within `tol` of a known minimum, None if none.
    """
    xi = noise_sequence(seed, key.steps + 1)
    rows, marks = _trajectory(key, values, np.asarray(start, np.float32), xi, np.int32(steps), np.float32(tol))
    bad, near = (int(i) if i >= 0 else None for i in np.asarray(marks))
    return np.asarray(rows)[: steps + 1], bad, near


@functools.lru_cache(maxsize=None)
def minima_array(landscape_id: str) -> np.ndarray:
    minima = landscapes.get(landscape_id).minima
    return np.asarray([m.point for m in minima], np.float32).reshape(-1, 2)


@functools.partial(jax.jit, static_argnums=(0, 1))
def _sweep(key: RunKey, grid_names: tuple[str, ...], shared, grid, starts, xi, steps, tol):
    _traces[("sweep", key, grid_names, starts.shape[1])] += 1
    # The whole batch is one (2, N) parameter array: every optimizer here is elementwise, so
    # this is N independent trajectories with one shared update count (β^t and the schedule
    # are computed once per step, not per trajectory), and x and y are contiguous rows that
    # XLA fuses into one vectorized loop. Swept hyperparameters are (1, N) rows.
    overrides, j = {}, 0
    for name in grid_names:
        if name in DECAY_RATES:
            overrides[name] = Decay(grid[j : j + 1], grid[j + 1 : j + 2])
            j += 2
        else:
            overrides[name] = grid[j : j + 1]
            j += 1
    f, tx, _, noise_scale = _problem(key, shared, overrides)
    value_and_grad = jax.vmap(jax.value_and_grad(f), in_axes=1, out_axes=(0, 1))
    minima = minima_array(key.landscape)

    def near(p):
        return _near_minimum(p[0], p[1], minima, tol)

    def step(carry, inputs):
        p, state, hit, diverged = carry
        k, noise = inputs
        loss, g = value_and_grad(p)
        active = k < steps
        diverged = diverged | (active & _diverged(p[0], p[1], loss))
        hit = jnp.where((hit < 0) & active & ~diverged & near(p), k, hit)
        updates, state = tx.update(g + noise_scale * noise[:, None], state, p)
        return (jnp.where(active, p + updates, p), state, hit, diverged), None

    n = starts.shape[1]
    carry = (starts, tx.init(starts), jnp.full((n,), -1, jnp.int32), jnp.zeros((n,), bool))
    (p, _, hit, diverged), _ = jax.lax.scan(step, carry, (jnp.arange(key.steps), xi))
    loss = jax.vmap(f, in_axes=1)(p)
    diverged = diverged | _diverged(p[0], p[1], loss)
    hit = jnp.where((hit < 0) & ~diverged & near(p), steps, hit)
    p = jnp.where(diverged, jnp.nan, p)
    loss = jnp.where(diverged, jnp.nan, loss)
    hit = jnp.where(diverged, -1, hit)
    return p.T, loss, hit, diverged


def batch_bucket(n: int) -> int:
    """Sweep batches are padded too, so a slightly different grid reuses the compiled code:
    to a power of two up to 64, then to a multiple of an eighth of the power of two below
    (10,000 → 10,240), wasting at most 12.5%."""
    n = max(n, 1)
    if n <= 64:
        return max(8, 1 << (n - 1).bit_length())
    grain = 1 << (n.bit_length() - 4)
    return -(-n // grain) * grain


def sweep(
    key: RunKey,
    shared: np.ndarray,
    grid_names: tuple[str, ...],
    grid: np.ndarray,
    starts: np.ndarray,
    seed: int,
    steps: int,
    tol: float,
):
    """Final point, final loss, steps to within `tol` of a known minimum (-1: never), diverged.

    `shared` is the packed vector common to all trajectories; `grid` holds, per trajectory,
    the values of `grid_names` (a decay rate followed by its complement).
    """
    n = starts.shape[0]
    pad = batch_bucket(n) - n
    grid = np.concatenate([grid, np.repeat(grid[:1], pad, axis=0)]).astype(np.float32).T
    starts = np.concatenate([starts, np.repeat(starts[:1], pad, axis=0)]).astype(np.float32).T
    xi = noise_sequence(seed, key.steps)
    out = _sweep(key, grid_names, shared, grid, starts, xi, np.int32(steps), np.float32(tol))
    p, loss, hit, diverged = (np.asarray(a)[:n] for a in out)
    return p, loss, hit, diverged


@functools.partial(jax.jit, static_argnums=(0, 1))
def _surface(landscape_id: str, resolution: int, param_values, bounds):
    _traces[("surface", landscape_id, resolution)] += 1
    ls = landscapes.get(landscape_id)
    params = {p.name: param_values[i] for i, p in enumerate(ls.params)}
    xs = jnp.linspace(bounds[0], bounds[1], resolution)
    ys = jnp.linspace(bounds[2], bounds[3], resolution)
    f = jax.vmap(jax.vmap(lambda x, y: ls.fn(jnp.stack([x, y]), params), in_axes=(0, None)), in_axes=(None, 0))
    return xs, ys, f(xs, ys)


def surface(landscape_id: str, params: dict, bounds, resolution: int):
    """f on a resolution x resolution grid over bounds (x0, x1, y0, y1): xs, ys, z[y, x]."""
    ls = landscapes.get(landscape_id)
    values = np.asarray([float(params[p.name]) for p in ls.params] or [0.0], np.float32)
    out = _surface(landscape_id, resolution, values, np.asarray(bounds, np.float32))
    return tuple(np.asarray(a) for a in out)
