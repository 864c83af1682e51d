"""Jitted runners: trajectories and sweeps in fixed-size chunks of steps.

Compiled functions are cached by structure only: a `RunKey` (landscape, optimizer, flavour,
boolean flags, schedule kind) is the static argument of `jax.jit`, and every number
(hyperparameters, schedule parameters, landscape parameters, start, noise scale, seed, the
number of steps) travels in arrays. So changing a learning rate, a start, σ or the number of
steps reuses the compiled code; `trace_count()` counts how often anything was traced, which
tests use to prove it.

Why chunks: a `lax.scan` has a static length, so a scan over the whole run compiled anew for
every new number of steps (1.5–2 s in the app for four runs). A run is instead a sequence of
calls to one compiled scan of `CHUNK` steps, the carry (point, optimizer state, marks) handed
from one call to the next; the last chunk runs past the end and its extra rows are dropped.
A run that diverged stops early: nothing after its first bad point is computed.

Numbers cross the host boundary packed: one float32 vector in (its layout a pure function of
the key) and one float32 matrix out (with two indices), because each extra argument or result
costs a few microseconds of dispatch and a warm 1000-step run takes about 0.1 ms.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import functools
import os
import queue
import threading
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

import landscapes
import optimizers
from descent import oracles
from optimizers import DECAY_RATES, Decay, schedules
from optimizers import explain as seam

# A coordinate beyond this counts as diverged, as does any non-finite value.
DIVERGENCE_LIMIT = 1e6
# Distance to a known minimum that counts as having converged.
DEFAULT_TOLERANCE = 1e-3
# Steps per compiled call of a trajectory (rows per chunk) and of a sweep. Each further chunk of
# a run costs about 0.4 ms more than the steps themselves (measured on 2 cores: the default
# scene's 4 runs take 4.2 ms at 500 steps and 4.0 ms at 944 in chunks of 1024; 3.0 and 5.5 ms in
# chunks of 512), and the edits keep runs around the default 500 steps and below 1024.
CHUNK = 1024
SWEEP_CHUNK = 256

# Output columns of a trajectory; the explained values of each step follow (`explained_layout`).
X, Y, LOSS, GRAD_NORM, LR, M1X, M1Y, M2X, M2Y = range(9)
COLUMNS = 9

_traces: collections.Counter = collections.Counter()


def trace_count() -> int:
    """How many times a runner was traced (= compiled) in this process."""
    return sum(_traces.values())


class RunKey(NamedTuple):
    """Everything that changes the structure of the compiled computation, and nothing else.

    `landscape` is a structural landscape (`Landscape.structural`: a catalogue landscape, a
    typed formula's structure, a data landscape's model and bucket), resolved once outside jit
    and used as it is inside: the compiled code never looks a landscape up by id.
    """

    landscape: landscapes.Landscape
    optimizer: str
    flavour: str
    flags: tuple[tuple[str, bool], ...]
    schedule: str


class Layout(NamedTuple):
    """Where each number sits in the packed input vector of a RunKey."""

    hparams: tuple[str, ...]  # numeric hyperparameters; a decay rate takes two slots
    schedule: tuple[str, ...]
    landscape: tuple[str, ...]
    data: int = 0  # a data landscape's bucket: its (3, data) block follows the landscape's numbers

    @property
    def size(self) -> int:
        """Length of the packed vector: each decay rate also carries its complement, and the
        last slot is the noise scale."""
        return len(self.hparams) + len(DECAY_RATES & set(self.hparams)) + len(self.schedule) + len(self.landscape) + 3 * self.data + 1


@functools.lru_cache(maxsize=None)
def layout(key: RunKey) -> Layout:
    spec = optimizers.get(key.optimizer)
    return Layout(
        hparams=spec.numeric(key.flavour),
        schedule=tuple(p.name for p in schedules.get(key.schedule).params),
        landscape=tuple(p.name for p in key.landscape.params),
        data=key.landscape.data_size,
    )


def pack_hparams(names, hparams) -> list[float]:
    """The numeric hyperparameters `names` in order, each decay rate followed by its complement
    computed in double on the host (see optimizers.decay)."""
    values: list[float] = []
    for name in names:
        v = float(hparams[name])
        values.append(v)
        if name in DECAY_RATES:
            values.append(1.0 - v)
    return values


def unpack_hparams(names, values) -> tuple[dict, int]:
    """`pack_hparams`'s inverse on (possibly traced) values: the hyperparameters, decay rates as
    `Decay`s, and how many values they took."""
    hp: dict = {}
    i = 0
    for name in names:
        if name in DECAY_RATES:
            hp[name] = Decay(values[i], values[i + 1])
            i += 2
        else:
            hp[name] = values[i]
            i += 1
    return hp, i


def pack(key: RunKey, hparams: dict, schedule_params: dict, landscape_params: dict, noise_scale: float) -> np.ndarray:
    """The float32 input vector for `key` (host side; decay complements in float64 first)."""
    lay = layout(key)
    values = pack_hparams(lay.hparams, hparams)
    values += [float(schedule_params[n]) for n in lay.schedule]
    values += [float(landscape_params[n]) for n in lay.landscape]
    if lay.data:  # a data landscape's data, as values: a new data set compiles nothing
        return np.concatenate([np.asarray(values, np.float32), np.asarray(landscape_params["data"], np.float32).ravel(),
                               np.asarray([noise_scale], np.float32)])  # fmt: skip
    values.append(float(noise_scale))
    return np.asarray(values, np.float32)


def _unpack(key: RunKey, values):
    lay = layout(key)
    hp, i = unpack_hparams(lay.hparams, values)
    hp.update(dict(key.flags))
    sched = {n: values[i + j] for j, n in enumerate(lay.schedule)}
    i += len(lay.schedule)
    land = {n: values[i + j] for j, n in enumerate(lay.landscape)}
    i += len(lay.landscape)
    if lay.data:
        land["data"] = values[i : i + 3 * lay.data].reshape(3, lay.data)
        i += 3 * lay.data
    return hp, sched, land, values[i]


def _problem(key: RunKey, values, overrides: dict | None = None, batched: bool = False):
    """(f, optimizer transformation, schedule, gradient oracle) for traced `values`.

    The oracle is the landscape's (descent.oracles): ∇f + (σ/√B)·ξ, or a data landscape's
    minibatch gradient; `batched` for a sweep's (2, N) points.

    `overrides` replaces some hyperparameters: a sweep passes its per-trajectory values there
    as (1, N) rows, so that only those vary across the batch and everything derived from the
    shared ones (β^t, the schedule) is computed once per step, not once per trajectory.
    """
    hp, sched_params, land_params, noise_scale = _unpack(key, values)
    hp.update(overrides or {})
    ls = key.landscape
    sched_spec = schedules.get(key.schedule)
    lr0 = hp["learning_rate"]

    def f(xy):
        return ls.fn(xy, land_params)

    def schedule(count):
        return sched_spec.fn(jnp.asarray(count, jnp.float32), lr0, sched_params)

    tx = optimizers.build(key.optimizer, key.flavour, hp, schedule)
    return f, tx, schedule, oracles.of(ls, land_params, noise_scale, batched)


# -- the noise sequence --------------------------------------------------------------------------


@functools.partial(jax.jit, static_argnums=1)
def _noise_chunk(seed, size: int, index):
    _traces[("noise", size)] += 1
    base = jax.random.PRNGKey(seed)
    ks = index * size + jnp.arange(size)
    return jax.vmap(lambda k: jax.random.normal(jax.random.fold_in(base, k), (2,)))(ks)


@functools.lru_cache(maxsize=256)
def noise_chunk(seed: int, size: int, index: int) -> jax.Array:
    """ξ_k ~ N(0, I) for k in [index·size, (index+1)·size), as a (size, 2) device array.

    ξ_k depends on (seed, k) only, so a longer run shares a shorter one's prefix and every run
    of a scenario sees the same noise (a fair race). Drawing a chunk costs about as much as a
    whole warm run, so chunks are drawn once and reused by every run and rerun; σ/√B multiplies
    them inside the compiled runner, so σ = 0 is just another value (turning noise on compiles
    nothing).
    """
    return _noise_chunk(np.int32(seed), size, np.int32(index))


@functools.lru_cache(maxsize=4)
def _zeros(size: int) -> np.ndarray:
    zeros = np.zeros((size, 2), np.float32)
    zeros.setflags(write=False)
    return zeros


def no_noise(size: int, index: int) -> np.ndarray:
    """Zeros in place of `noise_chunk(seed, size, index)`, for a noise scale of 0."""
    return _zeros(size)


def noise_sequence(seed: int, n: int) -> np.ndarray:
    """ξ_0 … ξ_{n−1} (n, 2), the sequence every run of a scenario with this seed sees."""
    chunks = [np.asarray(noise_chunk(seed, CHUNK, i)) for i in range(-(-n // CHUNK))]
    return np.concatenate(chunks)[:n] if chunks else np.zeros((0, 2), np.float32)


# -- one step, shared by trajectories and sweeps ------------------------------------------------


class Step(NamedTuple):
    """What one optimizer step computed at point p."""

    loss: jax.Array
    grad: jax.Array  # the true gradient ∇f(p), without noise
    update: jax.Array  # what the optimizer adds to p
    state: object  # the optimizer state after the update


def advance(value_and_grad, tx, oracle: oracles.Oracle, p, state, inputs) -> Step:
    """One step at p: f and ∇f, the gradient the landscape's oracle feeds the optimizer for this
    step's inputs (∇f + (σ/√B)·ξ, or a minibatch's gradient: descent.oracles), and the update.

    The trajectory runner and the sweep both step through this function, so a map cell and the
    single run it stands for compute the same numbers.
    """
    loss, g = value_and_grad(p)
    update, state = tx.update(oracle(p, g, inputs), state, p)
    return Step(loss, g, update, state)


def explained_step(key: RunKey, hp, schedule, value_and_grad, tx, oracle, p, state, k, inputs):
    """`advance` under the seam's collector: (Step, the step's named values).

    The named values are what the optimizer noted while updating (optax's: read from its state),
    the state buffers before and after under their equation names, the gradient fed to the
    optimizer, the noise in it (how far that is from ∇f: the Gaussian noise, or a minibatch's
    deviation), and the update (see `descent.explain`).
    """
    s, noted = seam.collect(advance, value_and_grad, tx, oracle, p, state, inputs)
    fed = oracle(p, s.grad, inputs)
    named = seam.describe(key.optimizer, key.flavour, hp, fed, p, state, s.state, noted, schedule(k))
    named.update(true_gradient=s.grad, noise=fed - s.grad, gradient=fed, update=s.update)
    return s, named


class ExplainedLayout(NamedTuple):
    treedef: object
    shapes: tuple[tuple[int, ...], ...]
    dtypes: tuple[np.dtype, ...]

    def unflatten(self, columns: np.ndarray):
        """The named values from a trajectory's explained columns (any leading shape)."""
        leaves, i = [], 0
        for shape, dtype in zip(self.shapes, self.dtypes):
            size = int(np.prod(shape, dtype=np.int64))
            block = columns[..., i : i + size].reshape(columns.shape[:-1] + shape)
            leaves.append(block.astype(dtype))
            i += size
        return jax.tree_util.tree_unflatten(self.treedef, leaves)


def _flatten_explained(named) -> jax.Array:
    leaves = jax.tree_util.tree_leaves(named)
    return jnp.concatenate([jnp.ravel(leaf).astype(jnp.float32) for leaf in leaves])


@functools.lru_cache(maxsize=None)
def explained_layout(key: RunKey) -> ExplainedLayout:
    """Where each named value of a step sits in a trajectory's row, after the first COLUMNS."""

    def one(values, p):
        f, tx, schedule, oracle = _problem(key, values)
        hp = _unpack(key, values)[0]
        state = tx.init(p)
        inputs = jnp.zeros(layout(key).data or 2)  # one step's noise ξ, or batch weights
        return explained_step(key, hp, schedule, jax.value_and_grad(f), tx, oracle, p, state, 0, inputs)[1]

    f32 = jnp.float32
    shapes = jax.eval_shape(one, jax.ShapeDtypeStruct((layout(key).size,), f32), jax.ShapeDtypeStruct((2,), f32))
    leaves, treedef = jax.tree_util.tree_flatten(shapes)
    return ExplainedLayout(treedef, tuple(tuple(a.shape) for a in leaves), tuple(np.dtype(a.dtype) for a in leaves))


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


def _near_minimum(x, y, minima, tol, count=None):
    """Within `tol` of one of `minima` ((k, 2): a concrete NumPy array, or traced slots of which
    the first `count` hold minima)."""
    near = jnp.zeros(x.shape, bool)
    for i, (mx, my) in enumerate(minima):  # a few slots at most
        close = (x - mx) ** 2 + (y - my) ** 2 <= tol * tol
        near = near | (close if count is None else close & (i < count))
    return near


@functools.lru_cache(maxsize=None)
def minima_array(landscape: landscapes.Landscape) -> np.ndarray:
    return np.asarray([m.point for m in landscape.minima], np.float32).reshape(-1, 2)


def minimum_slots(landscape: landscapes.Landscape) -> int:
    """How many minima a compiled sweep of this landscape holds, as values: a typed formula's
    (found numerically on the host) and a data landscape's (computed from its data) depend on
    numbers the compiled code does not see as constants, so every formula of a structure, and
    every data set of a model and bucket, shares one padded array of slots."""
    if landscape.id.startswith(landscapes.formula.PREFIX):
        return landscapes.typed.MAX_MINIMA
    if landscape.data_size:
        return 1
    return len(landscape.minima)


def minima_slots(landscape: landscapes.Landscape, minima=None) -> tuple[np.ndarray, np.int32]:
    """(slots, count): `minima` ((k, 2), the landscape's known ones when None) padded with zeros
    to `minimum_slots(landscape)` rows, and k."""
    points = minima_array(landscape) if minima is None else np.asarray(minima, np.float32).reshape(-1, 2)
    slots = np.zeros((minimum_slots(landscape), 2), np.float32)
    if len(points) > len(slots):
        raise ValueError(f"{len(points)} minima for {len(slots)} slots of {landscape.id[:40]!r}")
    slots[: len(points)] = points
    return slots, np.int32(len(points))


@functools.lru_cache(maxsize=256)
def _state_template(key: RunKey, shape: tuple[int, ...]):
    """Zeros shaped like the optimizer state for parameters of `shape`: the carry handed to
    a first chunk, which replaces it with the real initial state (computed from traced values,
    e.g. Adagrad's initial accumulator)."""

    def init(values, p):
        return _problem(key, values)[1].init(p)

    f32 = jnp.float32
    shapes = jax.eval_shape(init, jax.ShapeDtypeStruct((layout(key).size,), f32), jax.ShapeDtypeStruct(shape, f32))
    return jax.device_put(jax.tree_util.tree_map(lambda s: np.zeros(s.shape, s.dtype), shapes))


def _fresh_if_first(k0, tx, p, state):
    """The carried optimizer state, or tx.init(p) in a run's first chunk."""
    fresh = tx.init(p)
    return jax.tree_util.tree_map(lambda a, b: jnp.where(k0 == 0, a, b), fresh, state)


# -- trajectories --------------------------------------------------------------------------------


@functools.partial(jax.jit, static_argnums=0)
def _trajectory_chunk(key: RunKey, values, carry, k0, xi, steps, tol):
    _traces[("trajectory", key)] += 1
    f, tx, schedule, oracle = _problem(key, values)
    hp = _unpack(key, values)[0]
    value_and_grad = jax.value_and_grad(f)
    minima = minima_array(key.landscape)

    def step(carry, inputs):
        p, state, bad_at, near_at = carry
        k, noise = inputs
        # The explained values come out of the very step that moves the point, so that
        # `descent.explain`'s next point is the path's next point, bit for bit.
        s, named = explained_step(key, hp, schedule, value_and_grad, tx, oracle, p, state, k, noise)
        m1, m2 = _moments(state, p)  # the state that produced p
        row = jnp.concatenate([p, jnp.stack([s.loss, jnp.linalg.norm(s.grad), schedule(k)]), m1, m2, _flatten_explained(named)])
        # The first diverged point and the first point near a minimum (before divergence),
        # tracked as scalars here: finding them afterwards in the stacked rows cost a third
        # of the whole run.
        in_run = k <= steps
        bad_at = jnp.where((bad_at < 0) & in_run & _diverged(p[0], p[1], s.loss), k, bad_at)
        near = (bad_at < 0) & in_run & _near_minimum(p[0], p[1], minima, tol)
        near_at = jnp.where((near_at < 0) & near, k, near_at)
        return (p + s.update, s.state, bad_at, near_at), row

    p, state, bad_at, near_at = carry
    carry = (p, _fresh_if_first(k0, tx, p, state), bad_at, near_at)
    return jax.lax.scan(step, carry, (k0 + jnp.arange(CHUNK), xi))


def trajectory(key: RunKey, values: np.ndarray, start, seed: int, steps: int, tol: float, inputs=None):
    """The first `steps` + 1 rows and two indices.

    `inputs(size, index)` gives the per-step inputs of chunk `index` instead of the Gaussian
    noise: a data landscape's minibatch weights (descent.minibatch).

    Rows: float32 (x, y, loss, |∇f|, lr, first and second moments) per point, then the named
    values of the step from that point (`explained_layout(key)`). Indices: the
    first diverged point and the first point within `tol` of a known minimum, None if none.
    A run that diverged comes back with only the rows up to its first bad point's chunk.
    """
    none = np.int32(-1)
    carry = (np.asarray(start, np.float32), _state_template(key, (2,)), none, none)
    steps_, tol_ = np.int32(steps), np.float32(tol)
    chunks = []
    for index in range(-(-(steps + 1) // CHUNK)):
        xi = noise_chunk(seed, CHUNK, index) if inputs is None else inputs(CHUNK, index)
        carry, rows = _trajectory_chunk(key, values, carry, np.int32(index * CHUNK), xi, steps_, tol_)
        chunks.append(rows)
        if index + 1 < -(-(steps + 1) // CHUNK) and int(carry[2]) >= 0:
            break  # diverged: the rest of the run is not drawn
    # Read on the host as ints: comparing the device scalars would dispatch two more computations.
    bad, near = (i if i >= 0 else None for i in (int(carry[2]), int(carry[3])))
    table = np.concatenate([np.asarray(rows) for rows in chunks]) if len(chunks) > 1 else np.asarray(chunks[0])
    return table[: steps + 1], bad, near


# -- sweeps --------------------------------------------------------------------------------------


# A sweep trajectory's status, one int32 per trajectory: the first step within tolerance of a
# minimum (≥ 0), not there yet, or diverged (sticky). One array read and written per step
# instead of two (the step within tolerance and a diverged flag): the checks cost a third of
# a sweep's step.
RUNNING, DIVERGED = -1, -2


def _rows_value_and_grad(f, n: int):
    """(loss (N,), ∇f (2, N)) of f at N points held as one (2, N) array.

    A landscape formula reads its point as `xy[0], xy[1]`, so it takes the two rows as a pair
    and computes elementwise on them: the gradient then comes out as two contiguous rows. The
    generic `vmap` of f's gradient builds it as an (N, 2) array of padded halves that every
    consumer reads transposed (a sixth of the step). The operations per point are the same (the
    cotangent 1 on each loss): a 512 × 512 Adam basin map on Himmelblau comes out bit for bit as
    with the `vmap`, and in a 200 × 200 Adam map on Rosenbrock 150 of 150 sampled cells have
    `descent.run`'s final loss bit for bit (90 with the `vmap`; XLA compiles the two shapes
    differently). A function that does not take the pair (one reducing over its point, or a
    data landscape's) gets the `vmap`.
    """
    by_point = jax.vmap(jax.value_and_grad(f), in_axes=1, out_axes=(0, 1))
    row = jax.ShapeDtypeStruct((n,), jnp.float32)
    try:
        takes_rows = jax.eval_shape(lambda x, y: f((x, y)), row, row).shape == (n,)
    except Exception:  # noqa: BLE001 - any failure to trace on a pair means: not elementwise
        takes_rows = False
    if not takes_rows:
        return by_point

    def value_and_grad(p):
        loss, pull = jax.vjp(lambda x, y: f((x, y)), p[0], p[1])
        return loss, jnp.stack(pull(jnp.ones_like(loss)))

    return value_and_grad


@functools.partial(jax.jit, static_argnums=(0, 1))
def _sweep_chunk(key: RunKey, grid_names: tuple[str, ...], shared, grid, carry, k0, xi, steps, tol, minima, count):
    _traces[("sweep", key, grid_names, grid.shape[1])] += 1
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
    f, tx, _, oracle = _problem(key, shared, overrides, batched=True)
    landscape = key.landscape
    value_and_grad = _rows_value_and_grad(f, grid.shape[1]) if not landscape.data_size else \
        jax.vmap(jax.value_and_grad(f), in_axes=1, out_axes=(0, 1))

    def near(p):  # the minima are values (`minima_slots`): a new formula's compile nothing
        return _near_minimum(p[0], p[1], minima, tol, count)

    def step(carry, inputs):
        p, state, status = carry
        k, noise = inputs
        s = advance(value_and_grad, tx, oracle, p, state, noise)
        active = k < steps
        # Diverged at p wins over within tolerance at p, as a diverged run has no step to converge.
        reached = jnp.where((status == RUNNING) & active & near(p), k, status)
        status = jnp.where(active & _diverged(p[0], p[1], s.loss), DIVERGED, reached)
        return (jnp.where(active, p + s.update, p), s.state, status), None

    p, state, status = carry
    carry = (p, _fresh_if_first(k0, tx, p, state), status)
    carry, _ = jax.lax.scan(step, carry, (k0 + jnp.arange(SWEEP_CHUNK), xi))
    # The outcome as of this chunk (the caller keeps the last chunk's): the end point, its
    # loss, the first step within tolerance of a minimum, and divergence.
    p, _, status = carry
    loss = jax.vmap(f, in_axes=1)(p)
    diverged = (status == DIVERGED) | _diverged(p[0], p[1], loss)
    hit = jnp.where((status == RUNNING) & ~diverged & near(p), steps, status)
    outcome = (jnp.where(diverged, jnp.nan, p).T, jnp.where(diverged, jnp.nan, loss), jnp.where(diverged, -1, hit), diverged)
    return carry, outcome


def batch_bucket(n: int) -> int:
    """Sweep batches are padded too, so a slightly different grid reuses the compiled code:
    to a power of two up to 64, then to a multiple of an eighth of the power of two below
    (10,000 → 10,240), wasting at most 12.5%."""
    n = max(n, 1)
    if n <= 64:
        return max(8, 1 << (n - 1).bit_length())
    grain = 1 << (n.bit_length() - 4)
    return -(-n // grain) * grain


# Trajectories per compiled sweep call at most: a bigger grid is computed in equal batches of
# at most this many, so memory stays bounded whatever the grid (the results of a million
# trajectories ~17 MB on the host). 8,192 keeps a batch's carry and per-step temporaries (64 kB
# per (2, N) array) in a core's L2 cache: with 65,536 a 512 × 512 basin map took 1.4–1.7 s of
# CPU time, with 8,192 0.8–0.95 s (measured on the 2-core machine, two workers).
SWEEP_BATCH = 1 << 13
# Batches computed at once, each by its own thread: one compiled call kept about one core busy
# (its wall time was its CPU time), so two batches side by side use both cores of the machine
# the maps are specified for.
SWEEP_WORKERS = max(1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def sweep_batches(n: int, workers: int | None = None) -> tuple[int, int]:
    """(number of batches, padded batch size) for `n` trajectories: equal batches of at most
    SWEEP_BATCH, each padded to a bucket, so that 512 × 512 starts run as 32 × 8,192. Several
    batches come in a multiple of the workers, so that none waits idle for the last one
    (200 × 200 runs as 6 × 6,912, not 5 × 8,192)."""
    workers = SWEEP_WORKERS if workers is None else workers
    count = max(1, -(-n // SWEEP_BATCH))
    if count > 1:
        count = -(-count // workers) * workers
    return count, min(batch_bucket(-(-n // count)), SWEEP_BATCH)


def sweep(
    key: RunKey,
    shared: np.ndarray,
    grid_names: tuple[str, ...],
    grid: np.ndarray,
    starts: np.ndarray,
    seed: int,
    steps: int,
    tol: float,
    progress=None,
    inputs=None,
    minima=None,
):
    """Final point, final loss, steps to within `tol` of a known minimum (-1: never), diverged.
    `inputs` as in `trajectory`; `minima` (k, 2) the scenario's known minima (by default the
    landscape's: a typed formula or a data landscape passes its own, see `minima_slots`).

    `shared` is the packed vector common to all trajectories; `grid` holds, per trajectory,
    the values of `grid_names` (a decay rate followed by its complement). The trajectories run
    in batches (`sweep_batches`), SWEEP_WORKERS at a time, each in chunks of SWEEP_CHUNK steps;
    `progress(done, total)`, when given, is called on the calling thread after each chunk of
    each batch (and then waits for it to finish, which a sweep without progress does not).
    """
    n = starts.shape[0]
    count, size = sweep_batches(n)
    pad = count * size - n
    grid = np.concatenate([grid, np.repeat(grid[:1], pad, axis=0)]).astype(np.float32)
    starts = np.concatenate([starts, np.repeat(starts[:1], pad, axis=0)]).astype(np.float32)
    steps_, tol_ = np.int32(steps), np.float32(tol)
    chunks = max(1, -(-steps // SWEEP_CHUNK))
    template = _state_template(key, (2, size))
    slots, known = minima_slots(key.landscape, minima)
    step_inputs = [noise_chunk(seed, SWEEP_CHUNK, index) if inputs is None else inputs(SWEEP_CHUNK, index) for index in range(chunks)]

    def batch(b: int, chunk_done=None):
        rows = slice(b * size, (b + 1) * size)
        batch_grid = np.ascontiguousarray(grid[rows].T)
        carry = (np.ascontiguousarray(starts[rows].T), template, np.full((size,), RUNNING, np.int32))
        outcome = None
        for index in range(chunks):
            # The first call of a batch may trace and compile: one thread at a time, so that
            # two batches do not compile the same code side by side (dispatching is quick).
            with _first_call if index == 0 else contextlib.nullcontext():
                carry, outcome = _sweep_chunk(key, grid_names, shared, batch_grid, carry, np.int32(index * SWEEP_CHUNK),
                                              step_inputs[index], steps_, tol_, slots, known)
            if chunk_done is not None:
                jax.block_until_ready(outcome)
                chunk_done()
        return [np.asarray(a) for a in outcome]

    workers = min(SWEEP_WORKERS, count)
    if workers == 1:
        done = iter(range(1, count * chunks + 1))
        report = None if progress is None else (lambda: progress(next(done), count * chunks))
        outcomes = [batch(b, report) for b in range(count)]
    else:
        outcomes = _in_threads(batch, count, workers, chunks, progress)
    p, loss, hit, diverged = (np.concatenate(parts)[:n] for parts in zip(*outcomes))
    return p, loss, hit, diverged


_first_call = threading.Lock()


def _in_threads(batch, count: int, workers: int, chunks: int, progress) -> list:
    """`batch(b, chunk_done)` for b < count on `workers` threads (jitted calls release the GIL),
    their results in order; `progress(done, total)` called here, on the calling thread (a
    Streamlit progress bar must be updated from its script's thread), as chunks finish."""
    finished: queue.SimpleQueue = queue.SimpleQueue()
    chunk_done = None if progress is None else (lambda: finished.put(True))

    def run(b):
        try:
            return batch(b, chunk_done)
        finally:
            finished.put(None)  # this batch is over (also when it raised): wake the caller

    with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="descent-sweep") as pool:
        futures = [pool.submit(run, b) for b in range(count)]
        try:
            done = over = 0
            while over < count:
                if finished.get() is None:
                    over += 1
                else:
                    done += 1
                    progress(done, count * chunks)
        except BaseException:  # e.g. a rerun stopping the script: start no further batch
            for future in futures:
                future.cancel()
            raise
        return [future.result() for future in futures]


def reached_minimum(points: np.ndarray, minima: np.ndarray, tol: float) -> np.ndarray:
    """Index into `minima` of the known minimum within `tol` of each point, -1 for none (or for
    a NaN point). Minima are further apart than 2·tol, so at most one is that near."""
    points = np.asarray(points, np.float64).reshape(-1, 2)
    index = np.full(len(points), -1, np.int32)
    for i, m in enumerate(np.asarray(minima, np.float64).reshape(-1, 2)):
        near = np.sum((points - m) ** 2, axis=1) <= tol * tol
        index[near & (index < 0)] = i
    return index


# -- the landscape on a grid --------------------------------------------------------------------


@functools.partial(jax.jit, static_argnums=(0, 1))
def _surface(ls: landscapes.Landscape, resolution: int, param_values, bounds):
    _traces[("surface", ls.id, resolution)] += 1
    params = {p.name: param_values[i] for i, p in enumerate(ls.params)}
    xs = jnp.linspace(bounds[0], bounds[1], resolution)
    ys = jnp.linspace(bounds[2], bounds[3], resolution)
    f = jax.vmap(jax.vmap(lambda x, y: ls.fn(jnp.stack([x, y]), params), in_axes=(0, None)), in_axes=(None, 0))
    return xs, ys, f(xs, ys)


def surface(ls: landscapes.Landscape, params: dict, bounds, resolution: int):
    """f on a resolution x resolution grid over bounds (x0, x1, y0, y1): xs, ys, z[y, x].
    `ls` is a structural landscape (`Landscape.structural`), compiled once per resolution."""
    values = np.asarray([float(params[p.name]) for p in ls.params] or [0.0], np.float32)
    out = _surface(ls, resolution, values, np.asarray(bounds, np.float32))
    return tuple(np.asarray(a) for a in out)


# Rows of a data landscape's grid evaluated at once (see _data_surface).
SURFACE_ROWS = 16


@functools.partial(jax.jit, static_argnums=(0, 1))
def _data_surface(ls: landscapes.Landscape, resolution: int, data, bounds):
    _traces[("surface", ls.id, resolution)] += 1
    ws = jnp.linspace(bounds[0], bounds[1], resolution)
    bs = jnp.linspace(bounds[2], bounds[3], resolution)
    row = jax.vmap(lambda w, b: ls.fn(jnp.stack([w, b]), {"data": data}), in_axes=(0, None))
    # Row by row, a few rows at a time: the whole grid at once held every (w, b) × example
    # residual, 150 MB for a 300 × 300 map of 200 examples (the app's peak memory).
    return ws, bs, jax.lax.map(lambda b: row(ws, b), bs, batch_size=SURFACE_ROWS)


def data_surface(ls: landscapes.Landscape, data: np.ndarray, bounds, resolution: int):
    """A data landscape's exact full-data loss on a grid of (w, b): ws, bs, z[b, w]. Compiled
    once per model, data bucket and resolution: the data is a value."""
    out = _data_surface(ls, resolution, np.asarray(data, np.float32), np.asarray(bounds, np.float32))
    return tuple(np.asarray(a) for a in out)
