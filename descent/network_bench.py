"""`python -m descent bench-network`: the Network page's engine speed on this machine.

Prints the warm time of `descent.train` for 4 runs × 200 epochs × 500 examples (moons, a
16-16 tanh MLP, batch 32: 13 updates per epoch), and of a 100×100 loss slice, each the best
of a few calls after a first call that compiles. Then three figures about the page:

- the training every edit of the page's default scene waits for (2 runs × 200 epochs × 13
  updates);
- a floor under it: the same updates as a bare jitted loop (plain SGD, the runs vmapped, no
  shuffling, metrics, divergence checks or optimizer state), the least XLA does for them here;
- the heaviest training a scenario may ask for (`HEAVIEST`, at both of network_scenario's
  bounds on work). The persistent compilation cache is on as in
the app (`DESCENT_CACHE_DIR`, see descent/compile_cache.py), so a second run of the command
shows what a restarted server pays for its first training; `DESCENT_CACHE_DIR=off` measures a
true first compile.
"""

from __future__ import annotations

import json
import time

SCENARIO = {
    "dataset": {"name": "moons", "size": 500, "noise": 0.2, "seed": 0, "validation": 0.2},
    "model": {"hidden": [16, 16], "activation": "tanh", "seed": 0},
    "epochs": 200, "minibatch": {"batch_size": 32, "shuffle": True, "seed": 0},
    "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.01}},
             {"optimizer": "adam", "hparams": {"learning_rate": 0.001}},
             {"optimizer": "sgd", "hparams": {"learning_rate": 0.1, "momentum": 0.9}},
             {"optimizer": "rmsprop", "hparams": {"learning_rate": 0.001}}],
}  # fmt: skip


# The Network page's default scene (ui/network_page.py DEFAULT_QUERY; a test keeps them equal).
PAGE_DEFAULT = {
    "dataset": {"name": "moons", "size": 500, "noise": 0.2, "seed": 0, "validation": 0.2},
    "model": {"hidden": [16, 16], "activation": "tanh", "seed": 0},
    "epochs": 200, "minibatch": {"batch_size": 32, "shuffle": True, "seed": 0},
    "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.01}},
             {"optimizer": "sgd", "hparams": {"learning_rate": 0.1, "momentum": 0.9}}],
}  # fmt: skip

# At both bounds on a training's work (network_scenario.MAX_UPDATES: 200 epochs × 500 batches
# of 8; MAX_EXAMPLE_EPOCHS: 200 × 5000), with the most runs, the widest model and four groups.
HEAVIEST = {
    "dataset": {"name": "spiral", "size": 5000, "noise": 0.2, "seed": 0, "validation": 0.2},
    "model": {"hidden": [32, 32, 32], "activation": "tanh", "seed": 0},
    "epochs": 200, "minibatch": {"batch_size": 8, "shuffle": True, "seed": 0},
    "runs": SCENARIO["runs"] * 2,
}  # fmt: skip


def bare_loop(scenario):
    """A call that makes the scenario's updates as a bare jitted loop: plain SGD on the same MLP
    and batch shapes, the runs vmapped, nothing else. A floor under `descent.train`'s time."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    from descent.network_scenario import as_network_scenario

    scene = as_network_scenario(scenario)
    data, mlp = scene.dataset.make(), scene.model.mlp
    updates, size = scene.epochs * scene.steps_per_epoch, scene.batch_size
    batches = (np.arange(updates * size) % scene.n_train).reshape(updates, size)
    tree = mlp.tree(jnp.asarray(mlp.initial(scene.model.seed)))
    trees = jax.tree.map(lambda leaf: jnp.broadcast_to(leaf, (len(scene.runs), *leaf.shape)), tree)

    def loss(tree, xb, yb):
        z = mlp.apply(tree, xb)
        return jnp.mean(jax.nn.softplus(z) - yb * z)

    @jax.jit
    def loop(trees, x, y, batches):
        def update(trees, batch):
            grads = jax.vmap(jax.grad(loss), in_axes=(0, None, None))(trees, x[batch], y[batch])
            return jax.tree.map(lambda p, g: p - 0.01 * g, trees, grads), None

        return jax.lax.scan(update, trees, batches)[0]

    return lambda: jax.block_until_ready(loop(trees, data.x_train, data.y_train, batches))


def _fresh(scenario):
    """A whole training: without the chunks of epochs a previous call kept (descent.training.CHUNKS)."""
    import descent
    from descent import training

    training.CHUNKS.clear()
    return descent.train(scenario)


def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def measure(repeats: int = 3) -> dict:
    import descent
    from descent import compile_cache

    cache = compile_cache.enable()
    t = time.perf_counter()
    result = descent.train(SCENARIO)
    cold = time.perf_counter() - t
    warm = _best(lambda: _fresh(SCENARIO), repeats)
    descent.random_slice(result, 0)
    descent.pca_slice(result, 0)
    random_cut = _best(lambda: descent.random_slice(result, 0), repeats)
    pca_cut = _best(lambda: descent.pca_slice(result, 0), repeats)
    return {"train_4x200x500_cold_s": round(cold, 3), "train_4x200x500_warm_s": round(warm, 4),
            "random_slice_100x100_warm_s": round(random_cut, 4), "pca_slice_100x100_warm_s": round(pca_cut, 4),
            "updates_per_run": result.scenario.steps_per_epoch * result.scenario.epochs,
            **page_default(repeats), **heaviest(),
            "compile_cache": str(cache) if cache else "off"}


def page_default(repeats: int = 5) -> dict:
    """The Network page's default scene: its training, and the bare loop of the same updates."""
    import descent

    descent.train(PAGE_DEFAULT)
    floor = bare_loop(PAGE_DEFAULT)
    floor()
    return {"page_default_train_warm_s": round(_best(lambda: _fresh(PAGE_DEFAULT), repeats), 4),
            "page_default_bare_loop_warm_s": round(_best(floor, repeats), 4)}


def heaviest() -> dict:
    """The heaviest training the bounds allow, warm (after a first call that compiles)."""
    import descent

    descent.train(HEAVIEST)
    return {"heaviest_allowed_8x200x5000_batch8_warm_s": round(_best(lambda: _fresh(HEAVIEST), 1), 2)}


def main(repeats: int = 3) -> None:
    print(json.dumps(measure(repeats), indent=2))
