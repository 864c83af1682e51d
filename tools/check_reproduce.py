"""Run the generated PyTorch reproduction scripts in real PyTorch and compare with the engine.

PyTorch is not a dependency of the project, so the tests cannot run these scripts; this tool
does, where torch is installed (checked with torch==2.13.0, CPU):

    python tools/check_reproduce.py                     # every scene below
    python tools/check_reproduce.py rosenbrock-adam     # only the scenes named

The scenes: the tests' sample scenes (tests/descent/test_reproduce.py) and this tool's own,
which together cover every optimizer PyTorch has (with its PyTorch-only switches: nesterov,
centered, amsgrad, weight decay), every schedule, noisy gradients, typed formulas, linear- and
logistic-regression data landscapes with minibatches (shuffled and in order), and every
catalogue landscape (whose source is translated from jnp to torch).

Each scene's run is checked three times, as the run of each flavour: its PyTorch script
(`reproduce.script(scenario, i, "pytorch")`) runs in PyTorch and is compared with the engine's
run of the PyTorch flavour with the same settings. For a run of the pytorch flavour that is the
run itself (the Table's values); for a Keras or optax run it is the pytorch flavour given that
run's resolved hyperparameters (Keras's epsilon 1e-7, say), which is what its PyTorch script
runs; the last column shows how far that lands from the run's own flavour (informative: the
frameworks' updates differ, e.g. where epsilon is added).

Prints one table row per script: scene, script, max |Δ final point|, |Δ final loss|, the
1-ulp spread, verdict, Δ point from the run's own flavour. The verdict:

- match: within the tests' tolerance (point rtol 1e-4 atol 1e-5, loss rtol 1e-3 atol 1e-6,
  the same divergence step);
- chaotic: not within it, but moving the run's start or one hyperparameter by one float32 ulp
  moves the engine's own final point at least half as far (the 1-ulp spread, see
  nudged_spread): the scene amplifies rounding differences (e.g. RMSprop's sign-like steps
  around a minimum, an unstable minimum), and cannot tell the script from the engine;
- MISMATCH: further than that; the tool exits 1 (and on a script that fails).

The scenes were chosen so that each piece of a script changes the final point beyond the
tolerance: a script without its scheduler.step(), nesterov, centered, amsgrad, weight decay,
initial accumulator, betas, rho, noise or shuffle is a MISMATCH in its scenes.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np

import descent
import landscapes
import optimizers
from descent import reproduce
from descent.scenario import MAX_RUNS
from tests.descent.test_reproduce import SCENES


def _run(optimizer: str, hparams: dict, schedule: dict | None = None) -> list[dict]:
    run = {"optimizer": optimizer, "hparams": hparams}
    return [run | {"schedule": schedule}] if schedule else [run]


# Every optimizer PyTorch has, with the switches only some frameworks have.
OPTIMIZER_SCENES = {
    "sgd-nesterov-l2": {"landscape": "rosenbrock", "start": [-1.2, 1.0], "steps": 300,
                        "runs": _run("sgd", {"learning_rate": 5e-4, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01})},
    "adagrad-accumulator": {"landscape": "matyas", "steps": 100,
                            "runs": _run("adagrad", {"learning_rate": 0.3, "initial_accumulator_value": 1.0})},
    "rmsprop-centered": {"landscape": "booth", "steps": 120,
                         "runs": _run("rmsprop", {"learning_rate": 0.01, "rho": 0.9, "momentum": 0.5, "centered": True})},
    "adam-amsgrad": {"landscape": "beale", "start": [1.0, 1.5], "steps": 300,
                     "runs": _run("adam", {"learning_rate": 0.02, "amsgrad": True})},
    "adam-l2": {"landscape": "three_hump_camel", "steps": 200,
                "runs": _run("adam", {"learning_rate": 0.05, "weight_decay": 0.01})},
    "adamw": {"landscape": "matyas", "steps": 200,
              "runs": _run("adamw", {"learning_rate": 0.05, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.1})},
    # Near the minimum Adadelta's rate tends to lr·√ε/√ε = 1: stable where the curvature is below 2.
    "adadelta": {"landscape": {"name": "quadratic", "params": {"kappa": 1.5, "angle": 10}}, "steps": 120,
                 "runs": _run("adadelta", {"learning_rate": 1.0, "rho": 0.95, "epsilon": 1e-4})},
    "adamax": {"landscape": "six_hump_camel", "steps": 200, "runs": _run("adamax", {"learning_rate": 0.05})},
    "nadam": {"landscape": "styblinski_tang", "steps": 200, "runs": _run("nadam", {"learning_rate": 0.05, "beta1": 0.95})},
}  # fmt: skip

# The schedules the sample scenes leave out (they have constant, step, cosine, cosine_restarts),
# some with noise, and a noisy typed formula.
SCHEDULE_SCENES = {
    "exponential-noisy": {"landscape": {"name": "quadratic", "params": {"kappa": 8, "angle": 45}}, "steps": 200,
                          "noise": {"sigma": 0.3, "batch_size": 2, "seed": 5},
                          "runs": _run("sgd", {"learning_rate": 0.05, "momentum": 0.5},
                                       {"name": "exponential", "decay_steps": 50, "decay_rate": 0.5})},
    "exponential-staircase": {"landscape": "himmelblau", "steps": 200,
                              "runs": _run("adam", {"learning_rate": 0.02},
                                           {"name": "exponential", "decay_steps": 40, "decay_rate": 0.7, "staircase": True})},
    # The sample scene's pytorch-flavour step run has settled in the minimum before it ends (it
    # ends in the same place without its schedule): this one is still moving.
    "step-decay": {"landscape": "rosenbrock", "steps": 200,
                   "runs": _run("rmsprop", {"learning_rate": 0.01}, {"name": "step", "step_size": 50, "gamma": 0.5})},
    "warmup-cosine": {"landscape": "rosenbrock", "steps": 300,
                      "runs": _run("adam", {"learning_rate": 0.02},
                                   {"name": "warmup_cosine", "warmup_steps": 30, "decay_steps": 200, "alpha": 0.1})},
    "one-cycle": {"landscape": "booth", "steps": 250,
                  "runs": _run("sgd", {"learning_rate": 0.02, "momentum": 0.9},
                               {"name": "one_cycle", "total_steps": 200, "pct_start": 0.3, "div_factor": 25, "final_div_factor": 1e4})},
    "polynomial": {"landscape": "mccormick", "steps": 200,
                   "runs": _run("rmsprop", {"learning_rate": 0.02},
                                {"name": "polynomial", "decay_steps": 150, "end_learning_rate": 1e-3, "power": 2})},
    "inverse-time-noisy": {"landscape": "matyas", "steps": 200, "noise": {"sigma": 1.0, "batch_size": 1, "seed": 11},
                           "runs": _run("adagrad", {"learning_rate": 0.5},
                                        {"name": "inverse_time", "decay_steps": 20, "decay_rate": 1.0})},
    "formula-noisy-adamax": {"landscape": {"formula": "x^2/4 + sin(x*y) + y^2", "domain": [[-3, 3], [-3, 3]]},
                             "start": [2.0, -2.5], "steps": 200, "noise": {"sigma": 0.5, "batch_size": 4, "seed": 2},
                             "runs": _run("adamax", {"learning_rate": 0.05})},
}  # fmt: skip

# Data landscapes: the sample scenes have linear shuffled and logistic in order; here the others.
DATA_SCENES = {
    "data-linear-in-order": {
        "landscape": {"dataset": {"name": "noisy_line", "size": 37, "seed": 2}, "model": "linear_regression"},
        "minibatch": {"batch_size": 8, "shuffle": False, "seed": 0}, "steps": 200,
        "runs": _run("adam", {"learning_rate": 0.05})},
    "data-logistic-shuffled": {
        "landscape": {"dataset": {"name": "two_blobs", "size": 45, "seed": 3}, "model": "logistic_regression"},
        "minibatch": {"batch_size": 10, "shuffle": True, "seed": 9}, "steps": 200,
        "runs": _run("sgd", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}, {"name": "cosine", "decay_steps": 150})},
}  # fmt: skip

# Scenes that amplify rounding, kept to show the verdict "chaotic": with curvature 5 the same
# Adadelta's minimum is unstable (rate 1 × curvature 5 > 2), so the point, at 1e-11 after 250
# steps, is pushed out again into a period-2 orbit whose phase is set by 1-ulp differences.
CHAOTIC_SCENES = {
    "adadelta-unstable-minimum": {"landscape": {"name": "quadratic", "params": {"kappa": 5, "angle": 10}}, "steps": 300,
                                  "runs": _run("adadelta", {"learning_rate": 1.0, "rho": 0.95, "epsilon": 1e-4})},
}  # fmt: skip

# Every catalogue landscape, translated from jnp to torch (the pytorch flavour's run alone).
LANDSCAPE_SCENES = {
    f"landscape-{name}": {"landscape": name, "steps": 100, "runs": _run("adam", {"learning_rate": 0.01})}
    for name in landscapes.ids()
}

ALL_FLAVOURS = {**SCENES, **OPTIMIZER_SCENES, **SCHEDULE_SCENES, **DATA_SCENES}
PYTORCH_ONLY = LANDSCAPE_SCENES | CHAOTIC_SCENES
CHECKS = {name: ("pytorch", "keras", "optax") for name in ALL_FLAVOURS} | {name: ("pytorch",) for name in PYTORCH_ONLY}
SCENE_DATA = ALL_FLAVOURS | PYTORCH_ONLY

POINT_TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}  # the tests' (tests/descent/test_reproduce.py)
LOSS_TOLERANCE = {"rtol": 1e-3, "atol": 1e-6}


def scenario_for(data: dict, flavours: tuple[str, ...]) -> descent.Scenario:
    """The scene with runs: the scene's run in each flavour, then, for each flavour other than
    pytorch, the pytorch flavour given that flavour's resolved hyperparameters (what its
    PyTorch script runs). Run i's script is compared with run reference_index(flavours, i)."""
    (run,) = data["runs"]
    spec = optimizers.get(run["optimizer"])
    # A switch a flavour does not have (optax's SGD has no weight decay) is left out of its run.
    runs = [run | {"flavour": f, "hparams": {k: v for k, v in run["hparams"].items() if spec.hparam(k).available(f)}} for f in flavours]
    probe = descent.Scenario.from_json(data | {"runs": runs})
    for f, resolved in zip(flavours, probe.runs):
        if f != "pytorch":
            hparams = {k: v for k, v in resolved.resolved_hparams().items() if spec.hparam(k).available("pytorch")}
            runs.append(run | {"flavour": "pytorch", "hparams": hparams})
    return descent.Scenario.from_json(data | {"runs": runs})


def reference_index(flavours: tuple[str, ...], i: int) -> int:
    """The run of scenario_for's scene that run i's PyTorch script should reproduce."""
    return i if flavours[i] == "pytorch" else len(flavours) + i - 1


def nudged_spread(scenario: descent.Scenario, index: int, run) -> float:
    """How far the engine's own final point moves when one number of run `index` moves by one
    float32 ulp, up or down: its start's x or y, or a nonzero hyperparameter (the learning rate,
    epsilon, a β...: a relative 6e-8 change, the size of the rounding differences between two
    frameworks' arithmetic). The scale at which the scene amplifies a rounding difference: a
    script that differs by about this much cannot be told from the engine by this scene."""
    original = scenario.runs[index]
    start = np.asarray(scenario.start_of(original), np.float32)
    resolved = original.resolved_hparams()
    nudged = []
    for direction in (np.float32(np.inf), np.float32(-np.inf)):
        for axis in (0, 1):
            moved = start.copy()
            moved[axis] = np.nextafter(moved[axis], direction)
            nudged.append(dataclasses.replace(original, start=tuple(map(float, moved))))
        for name, value in resolved.items():
            if isinstance(value, float) and value != 0.0:
                hparams = dict(original.hparams) | {name: float(np.nextafter(np.float32(value), direction))}
                nudged.append(dataclasses.replace(original, hparams=type(original.hparams)(hparams)))
    spread = 0.0
    for first in range(0, len(nudged), MAX_RUNS):  # a scenario holds at most MAX_RUNS runs
        result = descent.run(dataclasses.replace(scenario, runs=tuple(nudged[first : first + MAX_RUNS])))
        spread = max([spread] + [float(np.max(np.abs(r.final_point - run.final_point))) for r in result.runs])
    return spread


# Runs the scripts one after the other in one interpreter (importing torch once), each as
# __main__, and prints torch's version, then each one's last line, or its error as {"error": ...}.
_DRIVER = """
import contextlib, io, json, runpy, sys, traceback
import torch
print(torch.__version__)
for path in sys.argv[1:]:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(path, run_name="__main__")
        print(out.getvalue().strip().splitlines()[-1])
    except BaseException:
        print(json.dumps({"error": traceback.format_exc()[-1500:]}))
"""


def run_scripts(sources: list[str], folder: str) -> tuple[str, list[dict]]:
    """torch's version, and what each script printed last."""
    paths = []
    for i, source in enumerate(sources):
        paths.append(os.path.join(folder, f"reproduce_{i}.py"))
        with open(paths[-1], "w", encoding="utf-8") as f:
            f.write(source)
    # cwd is the scripts' folder: they stand alone and import no part of Descent.
    out = subprocess.run([sys.executable, "-c", _DRIVER, *paths], check=False, capture_output=True, text=True, cwd=folder, timeout=1800)
    if out.returncode != 0:
        raise SystemExit(f"the scripts' interpreter failed:\n{out.stderr[-3000:]}")
    version, *lines = out.stdout.strip().splitlines()
    return version, [json.loads(line) for line in lines]


def compare(printed: dict, run) -> tuple[float, float, bool]:
    """(max |Δ final point|, |Δ final loss|, whether they agree within the tests' tolerance)."""
    point = np.asarray(printed["final_point"], np.float64)
    d_point = float(np.max(np.abs(point - run.final_point)))
    d_loss = abs(printed["final_loss"] - run.final_loss)
    ok = (np.allclose(point, run.final_point, **POINT_TOLERANCE) and np.isclose(printed["final_loss"], run.final_loss, **LOSS_TOLERANCE)
          and printed.get("diverged_at") == run.diverged_at)  # fmt: skip
    return d_point, d_loss, bool(ok)


CHAOS_FACTOR = 2.0  # a script within twice the 1-ulp spread differs as a rounding difference would


def verdict(printed: dict, run, spread: float | None) -> str:
    """"match" within the tests' tolerance; "chaotic" when it is not but the scene's 1-ulp
    spread is as large (the same divergence step, Δ point <= CHAOS_FACTOR × spread): the scene
    amplifies rounding and cannot test the script; else "MISMATCH"."""
    d_point, _, ok = compare(printed, run)
    if ok:
        return "match"
    if spread is not None and printed.get("diverged_at") == run.diverged_at and d_point <= CHAOS_FACTOR * spread:
        return "chaotic"
    return "MISMATCH"


def main(argv: list[str]) -> int:
    names = argv or list(SCENE_DATA)
    unknown = [n for n in names if n not in SCENE_DATA]
    if unknown:
        print(f"unknown scene(s): {', '.join(unknown)}; known: {', '.join(SCENE_DATA)}", file=sys.stderr)
        return 2
    jobs = []  # (scene, script label, source, scenario, reference run's index, reference run, the run's own flavour's run)
    for name in names:
        flavours = CHECKS[name]
        scenario = scenario_for(SCENE_DATA[name], flavours)
        result = descent.run(scenario)
        for i, flavour in enumerate(flavours):
            reference = reference_index(flavours, i)
            own = None if flavour == "pytorch" else result.runs[i]
            source = reproduce.script(scenario, i, "pytorch")
            jobs.append((name, f"pytorch ({flavour} run)", source, scenario, reference, result.runs[reference], own))
    with tempfile.TemporaryDirectory(prefix="descent-reproduce-") as folder:
        version, outputs = run_scripts([job[2] for job in jobs], folder)

    print(f"PyTorch reproduction scripts vs the engine (torch {version}). Δ = |script − engine's pytorch flavour, same settings|;")
    print("1-ulp spread = how far the engine's own final point moves when the start or a hyperparameter moves by one float32 ulp")
    print("(computed where the script does not match); vs own flavour = Δ point from the engine's run in the run's own flavour.")
    header = (f"{'scene':<30} {'script':<22} {'max|Δ point|':>12} {'|Δ loss|':>9} {'1-ulp spread':>12}  "
              f"{'verdict':<22} {'vs own flavour':>14}")  # fmt: skip
    print(header)
    print("-" * len(header))
    counts = {"match": 0, "chaotic": 0, "MISMATCH": 0, "ERROR": 0}
    for (name, label, _, scenario, reference, run, own), printed in zip(jobs, outputs):
        if "error" in printed:
            counts["ERROR"] += 1
            print(f"{name:<30} {label:<22} {'—':>12} {'—':>9} {'—':>12}  {'ERROR':<22}\n{printed['error']}")
            continue
        d_point, d_loss, ok = compare(printed, run)
        spread = None if ok else nudged_spread(scenario, reference, run)
        word = verdict(printed, run, spread)
        counts[word] += 1
        if run.diverged_at is not None:
            word += f", diverged at {run.diverged_at}"
        vs_own = "—" if own is None else f"{compare(printed, own)[0]:.1e}"
        spread_text = "—" if spread is None else f"{spread:.1e}"
        print(f"{name:<30} {label:<22} {d_point:>12.1e} {d_loss:>9.1e} {spread_text:>12}  {word:<22} {vs_own:>14}")
    print(f"{len(jobs)} scripts: {counts['match']} match, {counts['chaotic']} chaotic (within {CHAOS_FACTOR:g}× the 1-ulp spread), "
          f"{counts['MISMATCH']} mismatch, {counts['ERROR']} failed")  # fmt: skip
    return 1 if counts["MISMATCH"] or counts["ERROR"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
