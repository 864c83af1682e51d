"""Real results from the engine, computed once per session (each descent.run compiles)."""

from __future__ import annotations

import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "test-artefacts" / "viz"

# Four runs on Rosenbrock: Adam, momentum under a cosine schedule, momentum that reaches the
# minimum (converged_at = 647), and plain SGD that diverges.
RACE_RUNS = [
    {"optimizer": "adam", "hparams": {"learning_rate": 0.05}},
    {"optimizer": "sgd", "hparams": {"learning_rate": 0.001, "momentum": 0.9},
     "schedule": {"name": "cosine", "decay_steps": 1000}},
    {"optimizer": "sgd", "hparams": {"learning_rate": 0.002, "momentum": 0.9}},
    {"optimizer": "sgd", "label": "SGD lr=0.01 (too big)", "hparams": {"learning_rate": 0.01}},
]
# Four runs that all finish, for the payload measurements (a diverged run's path is short).
STEADY_RUNS = [
    {"optimizer": "adam", "hparams": {"learning_rate": 0.05}},
    {"optimizer": "sgd", "hparams": {"learning_rate": 0.001, "momentum": 0.9}},
    {"optimizer": "rmsprop", "hparams": {"learning_rate": 0.01}},
    {"optimizer": "adagrad", "hparams": {"learning_rate": 0.5}},
]


class Landscape:
    """What a figure needs from a run on a landscape: the result, its surface and metadata."""

    def __init__(self, landscape: str, runs: list[dict], steps: int):
        import descent
        import landscapes

        self.scenario = {"landscape": landscape, "steps": steps, "runs": runs}
        self.result = descent.run(self.scenario)
        self.surface = descent.surface(self.scenario, resolution=120)
        self.spec = landscapes.get(landscape)

    def map(self, **options):
        import viz

        return viz.trajectory_map(self.result, self.surface, minima=self.spec.minima, log_scale=self.spec.log_scale,
                                  **options)


@pytest.fixture(scope="session")
def race() -> Landscape:
    return Landscape("rosenbrock", RACE_RUNS, 1000)


@pytest.fixture(scope="session")
def steady_1000() -> Landscape:
    return Landscape("rosenbrock", STEADY_RUNS, 1000)


@pytest.fixture(scope="session")
def steady_2000() -> Landscape:
    return Landscape("rosenbrock", STEADY_RUNS, 2000)


@pytest.fixture(scope="session")
def artefacts() -> pathlib.Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS
