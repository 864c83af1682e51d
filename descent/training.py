"""`train`: every run of a network scenario trained in one jitted call.

Runs whose structure agrees (optimizer, flavour, boolean flags, schedule kind) form a group
and are vmapped: their numbers (hyperparameters, decay complements, schedule parameters)
travel as rows of one float32 array, so a new learning rate compiles nothing. The groups of a
scenario are traced together into one function; its static part (`Plan`) holds only shapes
and structure.

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

import network
import optimizers
from descent import engine
from descent.network_scenario import NetworkScenario, as_network_scenario
from descent.scenario import Run, auto_label
from descent.train_result import TrainResult, TrainRun
from optimizers import DECAY_RATES, Decay, schedules

MAX_SNAPSHOTS = 200
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
    """The static part of a training call: shapes and structure only."""

    mlp: network.MLP
    groups: tuple[tuple[NetKey, int], ...]  # (key, number of runs) per group
    n_train: int
    n_val: int
    batch_size: int
    steps_per_epoch: int
    epochs: int
    stride: int


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
    values: list[float] = []
    for name in names:
        values.append(float(hparams[name]))
        if name in DECAY_RATES:
            values.append(1.0 - float(hparams[name]))
    values += [float(schedule_params[n]) for n in sched]
    return np.asarray(values, np.float32)


def transformation(key: NetKey, values):
    """The optax transformation of one run from its packed (possibly traced) values."""
    names, sched_names = _layout(key)
    hp, i = dict(key.flags), 0
    for name in names:
        if name in DECAY_RATES:
            hp[name] = Decay(values[i], values[i + 1])
            i += 2
        else:
            hp[name] = values[i]
            i += 1
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


def _masked_loss(mlp: network.MLP, flat, xb, yb, mask):
    losses = mlp.losses(flat, xb, yb)
    return jnp.sum(jnp.where(mask, losses, 0.0)) / jnp.sum(mask)


def _metrics(mlp: network.MLP, flat, x_train, y_train, x_val, y_val):
    nan = jnp.float32(jnp.nan)
    val = (mlp.loss(flat, x_val, y_val), mlp.accuracy(flat, x_val, y_val)) if x_val.shape[0] else (nan, nan)
    return jnp.stack([mlp.loss(flat, x_train, y_train), val[0], mlp.accuracy(flat, x_train, y_train), val[1]])


def _diverged(flat, train_loss):
    return ~(jnp.isfinite(train_loss) & jnp.all(jnp.abs(flat) <= DIVERGENCE_LIMIT))


@functools.partial(jax.jit, static_argnums=0)
def _train(plan: Plan, group_values, flat0, x_train, y_train, x_val, y_val, seed, shuffle):
    engine._traces[("train", plan)] += 1
    mlp, B, S = plan.mlp, plan.batch_size, plan.steps_per_epoch
    evaluate = jax.vmap(lambda p: _metrics(mlp, p, x_train, y_train, x_val, y_val))
    grad = jax.grad(functools.partial(_masked_loss, mlp))
    mask = (jnp.arange(S * B) < plan.n_train).reshape(S, B)

    def group_step(key):
        def one(values, p, state, xb, yb, mb):
            update, state = transformation(key, values).update(grad(p, xb, yb, mb), state, p)
            return p + update, state

        return jax.vmap(one, in_axes=(0, 0, 0, None, None, None))

    steps = [group_step(key) for key, _ in plan.groups]
    params = [jnp.broadcast_to(flat0, (n, mlp.size)) for _, n in plan.groups]
    states = [jax.vmap(lambda v, k=key: transformation(k, v).init(flat0))(v) for (key, _), v in zip(plan.groups, group_values)]
    metrics0 = [evaluate(p) for p in params]
    bad0 = [jnp.where(_diverged(p, m[:, TRAIN_LOSS]), 0, -1) for p, m in zip(params, metrics0)]
    n_snap = plan.epochs // plan.stride + 1
    snaps0 = [jnp.zeros((n_snap, n, mlp.size), jnp.float32).at[0].set(p) for p, (_, n) in zip(params, plan.groups)]

    def epoch(carry, e):
        params, states, bad, snaps = carry
        order = jnp.pad(epoch_order(seed, e, plan.n_train, shuffle), (0, S * B - plan.n_train)).reshape(S, B)

        def batch(carry, inputs):
            params, states = carry
            idx, mb = inputs
            xb, yb = x_train[idx], y_train[idx]
            out = [step(v, p, s, xb, yb, mb) for step, v, p, s in zip(steps, group_values, params, states)]
            return ([o[0] for o in out], [o[1] for o in out]), None

        (params, states), _ = jax.lax.scan(batch, (params, states), (order, mask))
        metrics = [evaluate(p) for p in params]
        bad = [jnp.where((b < 0) & _diverged(p, m[:, TRAIN_LOSS]), e, b) for b, p, m in zip(bad, params, metrics)]
        slot = e // plan.stride
        keep = e % plan.stride == 0
        snaps = [s.at[slot].set(jnp.where(keep, p, s[slot])) for s, p in zip(snaps, params)]
        return (params, states, bad, snaps), metrics

    carry = (params, states, bad0, snaps0)
    (params, _, bad, snaps), metrics = jax.lax.scan(epoch, carry, jnp.arange(1, plan.epochs + 1))
    metrics = [jnp.concatenate([m0[None], m]) for m0, m in zip(metrics0, metrics)]
    return metrics, params, bad, snaps


def stride_for(epochs: int) -> int:
    return max(1, -(-epochs // MAX_SNAPSHOTS))


def train(scenario: NetworkScenario | dict) -> TrainResult:
    """Train every run of `scenario` from the same initial weights; per-epoch metrics per run."""
    scenario = as_network_scenario(scenario)
    data = scenario.dataset.make()
    mlp = scenario.model.mlp
    initial = mlp.flatten(mlp.init(scenario.model.seed))
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
    plan = Plan(mlp, groups, len(data.y_train), len(data.y_val), scenario.batch_size, scenario.steps_per_epoch,
                scenario.epochs, stride_for(scenario.epochs))
    metrics, finals, bads, snaps = _train(
        plan, values, initial, data.x_train, data.y_train, data.x_val, data.y_val,
        np.int32(scenario.minibatch.seed), np.bool_(scenario.minibatch.shuffle),
    )
    snapshot_epochs = np.arange(0, scenario.epochs + 1, plan.stride)
    runs: list[TrainRun | None] = [None] * len(scenario.runs)
    for members, m, final, bad, snap in zip(group_of.values(), metrics, finals, bads, snaps):
        m, final, bad, snap = np.asarray(m), np.asarray(final), np.asarray(bad), np.asarray(snap)
        for j, i in enumerate(members):
            run = scenario.runs[i]
            diverged_at = int(bad[j]) if bad[j] >= 0 else None
            table = m[:, j].copy()
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
                snapshots=snap[:, j],
            )
    return TrainResult(scenario=scenario, data=data, mlp=mlp, initial_weights=initial,
                       snapshot_epochs=snapshot_epochs, runs=tuple(runs))
