"""`python -m descent bench`: the engine's speed on this machine, with a plain NumPy loop beside it.

Prints figures, asserts nothing: these machines are shared and noisy, so each timing is the
best of several repetitions. The NumPy loop is an independent float32 implementation of
Keras's Adam on Rosenbrock; its largest deviation from the engine's path is printed too.
"""

from __future__ import annotations

import time

import numpy as np

import descent
import optimizers

STEPS = 1000
START = (-1.5, 2.0)
LR = 0.01

TARGETS = {"run_ms": 0.2, "sweep_msteps": 150.0, "compile_s": 0.5}


def _adam_scenario(steps=STEPS, landscape="rosenbrock", **run) -> dict:
    run = {"optimizer": "adam", "flavour": "keras", "hparams": {"learning_rate": LR}} | run
    return {"landscape": landscape, "start": list(START), "steps": steps, "runs": [run]}


def numpy_adam_rosenbrock(starts: np.ndarray, steps: int, lr=LR, b1=0.9, b2=0.999, eps=1e-7) -> np.ndarray:
    """Keras's Adam on Rosenbrock in float32 NumPy, vectorized over starts (n, 2): final points."""
    p = starts.astype(np.float32).copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    lr, b1, b2, eps = (np.float32(a) for a in (lr, b1, b2, eps))
    one_minus_b1, one_minus_b2 = np.float32(1 - 0.9), np.float32(1 - 0.999)
    for t in range(1, steps + 1):
        x, y = p[:, 0], p[:, 1]
        inner = y - x * x
        g = np.stack([np.float32(-2) * (np.float32(1) - x) - np.float32(400) * x * inner, np.float32(200) * inner], axis=1)
        tt = np.float32(t)
        alpha = lr * np.sqrt(np.float32(1) - b2**tt) / (np.float32(1) - b1**tt)
        m += (g - m) * one_minus_b1
        v += (g * g - v) * one_minus_b2
        p -= (m * alpha) / (np.sqrt(v) + eps)
    return p


def _best(fn, repeat: int, number: int) -> float:
    """Best mean time of `number` calls over `repeat` rounds, in seconds."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def _grid_starts(n: int) -> np.ndarray:
    side = int(round(np.sqrt(n)))
    xs = np.linspace(-2.0, 2.0, side)
    ys = np.linspace(-1.0, 3.0, side)
    return np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2)


def _mark(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def main(quick: bool = False) -> dict:
    import jax

    repeat = 3 if quick else 7
    n_sweep = 2_500 if quick else 10_000
    print(f"Descent engine benchmark: jax {jax.__version__} on {jax.devices()[0].platform}, "
          f"{STEPS} steps, Adam (Keras flavour) on Rosenbrock from {START}")  # fmt: skip

    # 1. One trajectory, warm.
    scenario = descent.Scenario.from_json(_adam_scenario())
    run_s = _best(lambda: descent.run(scenario), repeat, 50 if quick else 200)
    numpy_s = _best(lambda: numpy_adam_rosenbrock(np.asarray([START]), STEPS), 2, 1 if quick else 3)
    engine_path = descent.run(scenario).runs[0].path
    numpy_final = numpy_adam_rosenbrock(np.asarray([START]), STEPS)[0]
    print("\nsingle run (descent.run, warm, best of repeats)")
    print(f"  {run_s * 1e3:8.3f} ms per {STEPS}-step run = {STEPS / run_s / 1e6:8.2f} M steps/s   "
          f"[target <= {TARGETS['run_ms']} ms: {_mark(run_s * 1e3 <= TARGETS['run_ms'])}]")  # fmt: skip
    print(f"  NumPy loop: {numpy_s * 1e3:8.3f} ms = {STEPS / numpy_s / 1e3:8.1f} k steps/s; "
          f"engine is {numpy_s / run_s:6.1f}x faster; final points differ by {np.abs(engine_path[-1] - numpy_final).max():.1e}")  # fmt: skip

    # 2. A sweep over many starts.
    starts = _grid_starts(n_sweep)
    sweep_scenario = descent.Scenario.from_json(_adam_scenario())
    sweep_s = _best(lambda: descent.sweep(sweep_scenario, starts=starts), repeat, 1)
    sweep_rate = len(starts) * STEPS / sweep_s / 1e6
    numpy_sweep_s = _best(lambda: numpy_adam_rosenbrock(starts, STEPS), 1, 1)
    swept = descent.sweep(sweep_scenario, starts=starts).final_point
    numpy_swept = numpy_adam_rosenbrock(starts, STEPS)
    deviation = np.abs(swept - numpy_swept).max(axis=1)
    print(f"\nsweep (descent.sweep over {len(starts):,} starts x {STEPS} steps, warm)")
    print(f"  {sweep_s * 1e3:8.1f} ms = {sweep_rate:8.1f} M steps/s   "
          f"[target >= {TARGETS['sweep_msteps']:.0f} M steps/s: {_mark(sweep_rate >= TARGETS['sweep_msteps'])}]")  # fmt: skip
    print(f"  NumPy, vectorized over starts: {numpy_sweep_s * 1e3:8.1f} ms = "
          f"{len(starts) * STEPS / numpy_sweep_s / 1e6:6.1f} M steps/s; engine is {numpy_sweep_s / sweep_s:5.1f}x faster; "
          f"final points differ by {np.nanmedian(deviation):.1e} (median), {np.nanmax(deviation):.1e} (max)")  # fmt: skip
    grid = {"learning_rate": np.geomspace(1e-3, 0.1, 100).tolist(), "beta1": np.linspace(0.0, 0.99, 100).tolist()}
    grid_s = _best(lambda: descent.sweep(sweep_scenario, grid=grid), 1 if quick else 3, 1)
    print(f"  hyperparameter grid 100 x 100 (learning_rate x beta1): {grid_s * 1e3:8.1f} ms = {1e4 * STEPS / grid_s / 1e6:6.1f} M steps/s")

    # 3. First-call compile time per optimizer (a structure not seen before in this process).
    print("\nfirst call of a new structure (trace + compile + one run), per optimizer, Keras flavour")
    compile_times = {}
    for spec in optimizers.OPTIMIZERS:
        # Booth: a landscape nothing above ran, so each optimizer's runner is new.
        data = _adam_scenario(landscape="booth", optimizer=spec.id, hparams={"learning_rate": LR})
        t0 = time.perf_counter()
        descent.run(data)
        first = time.perf_counter() - t0
        warm = _best(lambda: descent.run(data), 1, 10)
        compile_times[spec.id] = first - warm
        print(f"  {spec.title:10s} {compile_times[spec.id]:6.3f} s   "
              f"[target <= {TARGETS['compile_s']} s: {_mark(compile_times[spec.id] <= TARGETS['compile_s'])}]")  # fmt: skip
    return {"run_s": run_s, "sweep_msteps": sweep_rate, "compile_s": compile_times, "numpy_run_s": numpy_s}


if __name__ == "__main__":
    main()


MAP_TARGET_S = 1.0  # the engine's part of a map, on 2 cores (issue 10)


def maps_main(quick: bool = False) -> dict:
    """`python -m descent bench --maps`: the engine time of the three maps the app draws, warm
    (compiled), best of a few: a 200 × 200 × 1000-step hyperparameter map, a 512 × 512 ×
    1000-step basin map and the tuning of 4 runs × 64 learning rates × 1000 steps."""
    from descent import maps

    side, resolution = (100, 256) if quick else (200, 512)
    rosenbrock = _adam_scenario()
    himmelblau = _adam_scenario(landscape="himmelblau", hparams={"learning_rate": 0.05})
    race = {"landscape": "rosenbrock", "start": list(START), "steps": STEPS, "runs": [
        {"optimizer": "sgd", "hparams": {"learning_rate": 1e-3}},
        {"optimizer": "sgd", "hparams": {"learning_rate": 1e-3, "momentum": 0.9}},
        {"optimizer": "rmsprop", "hparams": {"learning_rate": 0.01}},
        {"optimizer": "adam", "hparams": {"learning_rate": 0.05}}]}  # fmt: skip
    cases = {
        f"hyperparameter map {side}x{side} (Adam lr x beta1, Rosenbrock)": lambda: maps.hyperparameter_map(
            rosenbrock, x=("learning_rate", 1e-4, 1.0, side, True), y=("beta1", 0.0, 0.99, side)),
        f"basin map {resolution}x{resolution} (Adam, Himmelblau)": lambda: maps.basin_map(himmelblau, resolution=resolution),
        "tuning 4 runs x 64 rates (Rosenbrock)": lambda: maps.tune_learning_rates(race, 1e-4, 1.0, n=64),
    }
    print(f"Descent maps benchmark: {STEPS} steps per run, engine time (warm, best of {1 if quick else 3})")
    times = {}
    for name, fn in cases.items():
        times[name] = _best(fn, 1 if quick else 3, 1)
        print(f"  {name:55s} {times[name]:6.3f} s   [target <= {MAP_TARGET_S} s: {_mark(times[name] <= MAP_TARGET_S)}]")
    return times
