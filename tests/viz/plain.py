"""Engine-free stand-ins for descent's Result / RunResult and landscapes' Minimum: plain objects
with numpy arrays, so viz can be exercised (and proved jax-free) without the engine."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np


def plain_run(label: str, path, *, status: str = "ok", diverged_at: int | None = None,
              converged_at: int | None = None, optimizer: str = "sgd", flavour: str = "keras",
              loss=None, grad_norm=None, learning_rate=None) -> SimpleNamespace:
    path = np.asarray(path, dtype=np.float32).reshape(-1, 2)
    n = len(path)
    if loss is None:
        loss = (path[:, 0] ** 2 + path[:, 1] ** 2).astype(np.float32)
    if grad_norm is None:
        grad_norm = (2 * np.hypot(path[:, 0], path[:, 1])).astype(np.float32)
    if learning_rate is None:
        learning_rate = np.full(max(n - 1, 0), 0.1, dtype=np.float32)
    return SimpleNamespace(
        label=label, optimizer=optimizer, flavour=flavour, status=status, diverged_at=diverged_at,
        converged_at=converged_at, path=path, loss=np.asarray(loss, np.float32),
        grad_norm=np.asarray(grad_norm, np.float32), learning_rate=np.asarray(learning_rate, np.float32),
        first_moment=None, second_moment=None,
    )


def plain_result(runs, schedules=None) -> SimpleNamespace:
    """A Result-like object; `schedules` (one name per run) fills `scenario.runs[i].schedule.name`."""
    schedules = schedules or ["constant"] * len(runs)
    scenario = SimpleNamespace(runs=[SimpleNamespace(schedule=SimpleNamespace(name=s)) for s in schedules])
    return SimpleNamespace(runs=list(runs), scenario=scenario)


def spiral(n: int, start=(1.8, 0.0), turns: float = 2.0) -> np.ndarray:
    """n points spiralling in from `start` towards the origin (a run that converges)."""
    t = np.linspace(0.0, 1.0, n)
    radius = np.hypot(*start) * (1 - t) ** 2
    angle = np.arctan2(start[1], start[0]) + 2 * np.pi * turns * t
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1).astype(np.float32)


def bowl_surface(resolution: int = 60, half_width: float = 2.0):
    """(xs, ys, z) of f = x² + y² on [-w, w]², shaped like descent.surface's output."""
    xs = np.linspace(-half_width, half_width, resolution, dtype=np.float32)
    ys = np.linspace(-half_width, half_width, resolution, dtype=np.float32)
    z = xs[None, :] ** 2 + ys[:, None] ** 2
    return xs, ys, z.astype(np.float32)


BOWL_MINIMA = [SimpleNamespace(point=(0.0, 0.0), value=0.0, glob=True),
               SimpleNamespace(point=(1.0, 1.0), value=2.0, glob=False)]


def plain_race(n: int = 300) -> SimpleNamespace:
    """Three runs on the bowl: two converge, one diverges at step 7 (its path stops at step 6)."""
    blowup = np.array([[1.5, 1.5], [-1.9, 1.0], [2.5, -3.0], [-6.0, 8.0], [20.0, -30.0], [-90.0, 100.0], [400.0, -500.0]])
    return plain_result(
        [
            plain_run("Spiral", spiral(n), converged_at=n - 20),
            plain_run("Slow spiral", spiral(n, start=(-1.5, 1.5), turns=0.5), optimizer="adam"),
            plain_run("Blows up", blowup, status="diverged", diverged_at=7),
        ],
        schedules=["constant", "cosine", "constant"],
    )


def frame_step(frame: dict) -> int:
    """The step an animation frame shows, read from its step counter ("step 40"): frames are
    named by their place in the animation."""
    (counter,) = [item for item in frame["data"] if set(item) == {"text"}]
    return int(counter["text"][0].removeprefix("step "))
