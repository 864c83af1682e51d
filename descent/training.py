"""`train`: every run of a network scenario trained together by one compiled function.

Runs whose structure agrees (optimizer, flavour, boolean flags, schedule kind) form a group
and are vmapped: their numbers (hyperparameters, decay complements, schedule parameters)
travel as rows of one float32 array, so a new learning rate compiles nothing. The groups of a
scenario are traced together into one function; its static part (`Plan`) holds only shapes
and structure. That function trains `EPOCH_CHUNK` epochs (a scan over epochs of a scan over
batches) and the host calls it once per chunk, handing on the carry, so the number of epochs
is a value: a new epoch count compiles nothing, and a compilation covers one epoch's code
rather than the whole training. The gradients of all runs are one vmapped call whatever
their groups, and the metrics one forward pass over training and validation examples. The
chunks whose every epoch is trained are kept (`CHUNKS`, a bounded descent.memo.SharedCache):
another epoch count of the same scene takes them as they are and trains only from the last one on.

The optimizers update the MLP's parameter pytree (`network.MLP.tree`: a kernel and a bias per
layer), each leaf carrying a leading axis of runs, with the very transformations that move the
2D points; the flat vector (`network.MLP.flat_of`) is only what the result keeps.

Each epoch draws a permutation of the training set from (minibatch seed, epoch), the same for
every run, and takes its batches in order; the last, partial batch is padded to the batch
shape and masked, so its gradient is that of the mean over its real examples. Epoch 0 is
the model before training. After each epoch the full training and validation sets are
evaluated. The parameters are kept every `stride` epochs (at most `MAX_SNAPSHOTS` + 1
snapshots) for the decision-boundary animation and the PCA plane of the iterates.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

import network
import optimizers
from descent import engine, memo
from descent.network_scenario import NetworkScenario, as_network_scenario
from descent.scenario import Run, auto_label
from descent.train_result import TrainResult, TrainRun
from optimizers import schedules

MAX_SNAPSHOTS = 200
# Epochs per compiled call; the host loops over chunks (engine.CHUNK does this for steps).
EPOCH_CHUNK = 50
# A weight beyond this counts as diverged, as does a non-finite loss (the 2D runs' limit).
DIVERGENCE_LIMIT = engine.DIVERGENCE_LIMIT
# Columns of the per-epoch metrics.
TRAIN_LOSS, VAL_LOSS, TRAIN_ACCURACY, VAL_ACCURACY = range(4)


class NetKey(NamedTuple):
    """What changes the structure of a run's update, and nothing else."""

    optimizer: str
    flavour: str
    flags: tuple[tuple[str, bool], ...]
    schedule: str


class Plan(NamedTuple):
    """The static part of a training call: shapes and structure only (not the number of
    epochs, which is a traced bound, so a new epoch count compiles nothing)."""

    mlp: network.MLP
    groups: tuple[tuple[NetKey, int], ...]  # (key, number of runs) per group
    n_train: int
    n_val: int
    batch_size: int
    steps_per_epoch: int


def net_key(run: Run, hparams: dict | None = None) -> NetKey:
    spec = optimizers.get(run.optimizer)
    hp = hparams if hparams is not None else run.resolved_hparams()
    return NetKey(run.optimizer, run.flavour, tuple((n, bool(hp[n])) for n in spec.flags(run.flavour)), run.schedule.name)


@functools.lru_cache(maxsize=None)
def _layout(key: NetKey) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return optimizers.get(key.optimizer).numeric(key.flavour), tuple(p.name for p in schedules.get(key.schedule).params)


def pack(key: NetKey, hparams: dict, schedule_params: dict) -> np.ndarray:
    """A run's numbers as float32: hyperparameters (each decay rate followed by its complement,
    computed in double on the host), then schedule parameters."""
    names, sched = _layout(key)
    values = engine.pack_hparams(names, hparams) + [float(schedule_params[n]) for n in sched]
    return np.asarray(values, np.float32)


def transformation(key: NetKey, values):
    """The optax transformation of one run from its packed (possibly traced) values."""
    names, sched_names = _layout(key)
    hp, i = engine.unpack_hparams(names, values)
    hp.update(dict(key.flags))
    sched = {n: values[i + j] for j, n in enumerate(sched_names)}
    spec, lr0 = schedules.get(key.schedule), hp["learning_rate"]

    def schedule(count):
        return spec.fn(jnp.asarray(count, jnp.float32), lr0, sched)

    return optimizers.build(key.optimizer, key.flavour, hp, schedule)


def epoch_order(seed, epoch, n: int, shuffle):
    """The order of the training examples in `epoch` (1-based): a permutation drawn from
    (seed, epoch), or the data's order without shuffling."""
    perm = jax.random.permutation(jax.random.fold_in(jax.random.PRNGKey(seed), epoch), n)
    return jnp.where(shuffle, perm, jnp.arange(n))


def _masked_loss(mlp: network.MLP, tree, xb, yb, mask):
    z = mlp.apply(tree, xb)
    losses = jax.nn.softplus(z) - yb * z
    return jnp.sum(jnp.where(mask, losses, 0.0)) / jnp.sum(mask)


def _metrics(mlp: network.MLP, n_train: int, tree, x_all, y_all):
    """[train loss, val loss, train accuracy, val accuracy] from one forward pass over the
    training examples followed by the validation ones (NaN without a validation set)."""
    z = mlp.apply(tree, x_all)
    losses = jax.nn.softplus(z) - y_all * z
    correct = ((z > 0) == (y_all > 0.5)).astype(jnp.float32)
    nan = jnp.float32(jnp.nan)
    has_val = x_all.shape[0] > n_train
    return jnp.stack([
        jnp.mean(losses[:n_train]), jnp.mean(losses[n_train:]) if has_val else nan,
        jnp.mean(correct[:n_train]), jnp.mean(correct[n_train:]) if has_val else nan,
    ])


def _diverged(tree, train_loss):
    bounded = [jnp.all(jnp.abs(leaf) <= DIVERGENCE_LIMIT) for leaf in jax.tree.leaves(tree)]
    return ~(jnp.isfinite(train_loss) & jnp.all(jnp.stack(bounded)))


def _take(tree, rows: slice):
    """The runs `rows` of a pytree whose leaves lead with the runs axis."""
    return jax.tree.map(lambda leaf: leaf[rows], tree)


def _concatenate(trees):
    return jax.tree.map(lambda *leaves: jnp.concatenate(leaves), *trees)


def _group_slices(plan: Plan) -> list[slice]:
    out, start = [], 0
    for _, n in plan.groups:
        out.append(slice(start, start + n))
        start += n
    return out


@functools.partial(jax.jit, static_argnums=0)
def _start(plan: Plan, group_values, flat0):
    """Every run's initial weights as a pytree whose leaves lead with the runs axis (R, ...),
    the groups' runs in order, and optimizer states."""
    engine._traces[("train-start", plan)] += 1
    runs = sum(n for _, n in plan.groups)
    tree0 = plan.mlp.tree(flat0)
    states = [jax.vmap(lambda v, k=key: transformation(k, v).init(tree0))(v) for (key, _), v in zip(plan.groups, group_values)]
    return jax.tree.map(lambda leaf: jnp.broadcast_to(leaf, (runs, *leaf.shape)), tree0), states


@functools.partial(jax.jit, static_argnums=0)
def _epochs(plan: Plan, group_values, params, states, first, last, x_train, y_train, x_all, y_all, seed, shuffle):
    """`EPOCH_CHUNK` rows from row `first`: row k holds every run's metrics, divergence flag and
    weights after epoch k (k = 0: before training); epoch k + 1 is then trained if k < `last`.
    Rows past `last` are filler for the host to drop.

    The gradients of all runs are one vmapped call whatever their optimizers; each group's
    update is vmapped over its runs. Compiled once per structure and shape: the host calls it
    ⌈(epochs + 1) / EPOCH_CHUNK⌉ times, handing the carry on, as engine.trajectory does.
    """
    engine._traces[("train", plan)] += 1
    mlp, B, S = plan.mlp, plan.batch_size, plan.steps_per_epoch
    evaluate = jax.vmap(functools.partial(_metrics, mlp, plan.n_train), in_axes=(0, None, None))
    grads_of = jax.vmap(jax.grad(functools.partial(_masked_loss, mlp)), in_axes=(0, None, None, None))
    mask = (jnp.arange(S * B) < plan.n_train).reshape(S, B)
    slices = _group_slices(plan)
    runs = sum(n for _, n in plan.groups)

    def group_update(key):
        def one(values, p, state, g):
            update, state = transformation(key, values).update(g, state, p)
            return optax.apply_updates(p, update), state

        return jax.vmap(one)

    updates = [group_update(key) for key, _ in plan.groups]

    def train_epoch(params, states, e):
        order = jnp.pad(epoch_order(seed, e, plan.n_train, shuffle), (0, S * B - plan.n_train)).reshape(S, B)

        def batch(carry, inputs):
            params, states = carry
            idx, mb = inputs
            g = grads_of(params, x_train[idx], y_train[idx], mb)
            out = [u(v, _take(params, s), st, _take(g, s)) for u, v, s, st in zip(updates, group_values, slices, states)]
            return (_concatenate([o[0] for o in out]), [o[1] for o in out]), None

        (params, states), _ = jax.lax.scan(batch, (params, states), (order, mask))
        return params, states

    def row(carry, k):
        params, states = carry
        metrics = jax.lax.cond(k <= last, lambda p: evaluate(p, x_all, y_all),
                               lambda p: jnp.full((runs, 4), jnp.nan, jnp.float32), params)
        bad = _diverged_rows(params, metrics[:, TRAIN_LOSS])
        kept = jax.vmap(mlp.flat_of)(params)
        params, states = jax.lax.cond(k < last, train_epoch, lambda p, s, e: (p, s), params, states, k + 1)
        return (params, states), (metrics, bad, kept)

    return jax.lax.scan(row, (params, states), first + jnp.arange(EPOCH_CHUNK))


def _diverged_rows(params, train_loss):
    return jax.vmap(_diverged)(params, train_loss)


# Whole chunks of epochs (every row of the chunk trained), kept for the next training of the
# same scene with another epoch count: such a chunk's numbers do not depend on the count, so
# going from 200 to 210 epochs trains 10 epochs, not 210, and gives the very same numbers.
# A chunk of the default scene holds 0.2 MB; one of 8 runs of a 32-32-32 network, 3.7 MB.
CHUNKS: memo.SharedCache[tuple] = memo.SharedCache(
    "training chunks", 16 * 2**20, lambda chunk: sum(leaf.nbytes for leaf in jax.tree.leaves(chunk)))


def _readonly(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)  # shared by every result that reuses its chunk
    return array


def stride_for(epochs: int) -> int:
    return max(1, -(-epochs // MAX_SNAPSHOTS))


def train(scenario: NetworkScenario | dict, progress=None) -> TrainResult:
    """Train every run of `scenario` from the same initial weights; per-epoch metrics per run.

    `progress(done, total)`, when given, is called on the calling thread after each chunk of
    `EPOCH_CHUNK` epochs with the epochs trained so far and the scenario's epochs."""
    scenario = as_network_scenario(scenario)
    data = scenario.dataset.make()
    mlp = scenario.model.mlp
    initial = mlp.initial(scenario.model.seed)
    resolved = [run.resolved_hparams() for run in scenario.runs]
    keys = [net_key(run, hp) for run, hp in zip(scenario.runs, resolved)]
    group_of: dict[NetKey, list[int]] = {}
    for i, key in enumerate(keys):
        group_of.setdefault(key, []).append(i)
    groups = tuple((key, len(members)) for key, members in group_of.items())
    values = tuple(
        np.stack([pack(key, resolved[i], scenario.runs[i].schedule.resolved()) for i in members])
        for key, members in group_of.items()
    )
    plan = Plan(mlp, groups, len(data.y_train), len(data.y_val), scenario.batch_size, scenario.steps_per_epoch)
    stride = stride_for(scenario.epochs)
    snapshot_epochs = np.arange(0, scenario.epochs + 1, stride)
    x_all = np.concatenate([data.x_train, data.x_val])
    y_all = np.concatenate([data.y_train, data.y_val])
    seed, shuffle, last = np.int32(scenario.minibatch.seed), np.bool_(scenario.minibatch.shuffle), np.int32(scenario.epochs)
    params, states = _start(plan, values, initial)
    metrics, bad, snaps = [], [], []
    scene = (scenario.dataset, scenario.model, scenario.minibatch, scenario.runs)  # all but the epochs
    for first in range(0, scenario.epochs + 1, EPOCH_CHUNK):
        def chunk(params=params, states=states, first=first):
            (params, states), (m, b, kept) = _epochs(plan, values, params, states, np.int32(first), last,
                                                     data.x_train, data.y_train, x_all, y_all, seed, shuffle)
            return params, states, _readonly(np.asarray(m)), _readonly(np.asarray(b)), _readonly(np.asarray(kept))

        whole = first + EPOCH_CHUNK <= scenario.epochs  # every row trains: the chunk is the same for any longer training
        params, states, m, b, kept = CHUNKS.get((scene, first), chunk) if whole else chunk()
        rows = min(EPOCH_CHUNK, scenario.epochs + 1 - first)
        m, b = m[:rows], b[:rows]
        metrics.append(m)
        bad.append(b)
        snaps.append(kept[(snapshot_epochs[(snapshot_epochs >= first) & (snapshot_epochs < first + rows)] - first)])
        if scenario.epochs + 1 - first > EPOCH_CHUNK and b.any(axis=0).all():
            # every run has diverged: the remaining epochs are NaN, not worth training
            remaining = scenario.epochs + 1 - first - rows
            metrics.append(np.full((remaining, *m.shape[1:]), np.nan, np.float32))
            bad.append(np.ones((remaining, b.shape[1]), bool))
            later = snapshot_epochs[snapshot_epochs >= first + rows]
            snaps.append(np.full((len(later), *kept.shape[1:]), np.nan, np.float32))
            final = np.full(kept.shape[1:], np.nan, np.float32)
            if progress is not None:
                progress(scenario.epochs, scenario.epochs)
            break
        if first + rows == scenario.epochs + 1:
            final = kept[rows - 1]
        if progress is not None:
            progress(min(first + rows, scenario.epochs), scenario.epochs)
    metrics, bad, snaps = np.concatenate(metrics), np.concatenate(bad), np.concatenate(snaps)
    first_bad = np.where(bad.any(axis=0), bad.argmax(axis=0), -1)
    order = [i for members in group_of.values() for i in members]
    runs: list[TrainRun | None] = [None] * len(scenario.runs)
    for j, i in enumerate(order):
        run = scenario.runs[i]
        diverged_at = int(first_bad[j]) if first_bad[j] >= 0 else None
        table = metrics[:, j].copy()
        if diverged_at is not None:
            table[diverged_at:] = np.nan  # nothing after the first bad epoch is drawn
        runs[i] = TrainRun(
            label=run.label or auto_label(run, resolved[i]),
            optimizer=run.optimizer,
            flavour=run.flavour,
            status="ok" if diverged_at is None else "diverged",
            diverged_at=diverged_at,
            train_loss=table[:, TRAIN_LOSS],
            val_loss=table[:, VAL_LOSS],
            train_accuracy=table[:, TRAIN_ACCURACY],
            val_accuracy=table[:, VAL_ACCURACY],
            final_weights=final[j],
            snapshots=snaps[:, j],
        )
    return TrainResult(scenario=scenario, data=data, mlp=mlp, initial_weights=initial,
                       snapshot_epochs=snapshot_epochs, runs=tuple(runs))
