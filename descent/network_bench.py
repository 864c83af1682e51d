"""`python -m descent bench-network`: the Network page's engine speed on this machine.

Prints the warm time of `descent.train` for 4 runs × 200 epochs × 500 examples (moons, a
16-16 tanh MLP, batch 32: 13 updates per epoch), and of a 100×100 loss slice, each the best
of a few calls after a first call that compiles. The persistent compilation cache is on as in
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
    warm = _best(lambda: descent.train(SCENARIO), repeats)
    descent.random_slice(result, 0)
    descent.pca_slice(result, 0)
    random_cut = _best(lambda: descent.random_slice(result, 0), repeats)
    pca_cut = _best(lambda: descent.pca_slice(result, 0), repeats)
    return {"train_4x200x500_cold_s": round(cold, 3), "train_4x200x500_warm_s": round(warm, 4),
            "random_slice_100x100_warm_s": round(random_cut, 4), "pca_slice_100x100_warm_s": round(pca_cut, 4),
            "updates_per_run": result.scenario.steps_per_epoch * result.scenario.epochs,
            "compile_cache": str(cache) if cache else "off"}


def main(repeats: int = 3) -> None:
    print(json.dumps(measure(repeats), indent=2))
