"""Descent's engine: scenarios, jitted runs and sweeps, results.

    >>> import descent
    >>> result = descent.run({"landscape": "rosenbrock", "start": [-1.5, 2.0], "steps": 500,
    ...                       "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.01}}]})
    >>> result.runs[0].status
    'ok'
"""

from descent.engine import DEFAULT_TOLERANCE, DIVERGENCE_LIMIT, trace_count
from descent.errors import ScenarioError
from descent.explain import explain, explain_steps
from descent.maps import (
    Axis,
    BasinMap,
    HyperparameterMap,
    Tuning,
    basin_map,
    hyperparameter_map,
    tune_learning_rates,
)
from descent.minibatch import Minibatch
from descent.network_scenario import NetworkScenario
from descent.result import Result, RunResult, SweepResult
from descent.runner import data, formula_grid, landscape_grid, run, surface, sweep
from descent.scenario import (
    MAX_RUNS,
    MAX_STEPS,
    Noise,
    Params,
    Run,
    Scenario,
    Schedule,
    auto_label,
)
from descent.slices import LossSlice, boundary, pca_slice, random_slice
from descent.train_result import TrainResult, TrainRun
from descent.training import train


def show(result, **options):
    """The animated map of a Result (or of a scenario, run first) as a plotly Figure, for
    notebooks; see descent.notebook.show. plotly is imported only when this is called."""
    from descent import notebook

    return notebook.show(result, **options)


__all__ = [
    "DEFAULT_TOLERANCE",
    "DIVERGENCE_LIMIT",
    "MAX_RUNS",
    "MAX_STEPS",
    "NetworkScenario",
    "LossSlice",
    "Noise",
    "Params",
    "Result",
    "Run",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Schedule",
    "SweepResult",
    "TrainResult",
    "TrainRun",
    "auto_label",
    "Axis",
    "BasinMap",
    "HyperparameterMap",
    "Tuning",
    "basin_map",
    "hyperparameter_map",
    "tune_learning_rates",
    "formula_grid",
    "data",
    "Minibatch",
    "explain",
    "explain_steps",
    "boundary",
    "landscape_grid",
    "pca_slice",
    "random_slice",
    "run",
    "show",
    "surface",
    "sweep",
    "trace_count",
    "train",
]
