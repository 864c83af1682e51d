"""The scenario's JSON form, the CLI's input and the app's export (round-trips exactly):

    {"landscape": {"name": "rosenbrock", "params": {}}, "start": [-1.5, 2.0], "steps": 500,
     "noise": {"sigma": 0.0, "batch_size": 1, "seed": 0},
     "runs": [{"label": "Adam", "optimizer": "adam", "flavour": "keras",
               "hparams": {"learning_rate": 0.01}, "schedule": {"name": "cosine", "decay_steps": 500}}]}

A typed formula's landscape is {"formula": text, "domain": [[x0, x1], [y0, y1]]}, a data
landscape's {"dataset": {...}, "model": ...}, with "minibatch" at the top level. Errors name the
field by its path in this form (`runs[0].hparams.learning_rate`).
"""

from __future__ import annotations

from collections.abc import Mapping

import optimizers
from descent.errors import ScenarioError
from descent.mapping import Params
from descent.minibatch import Minibatch
from descent.scenario import (
    DATA,
    DEFAULT_STEPS,
    FORMULA,
    Noise,
    Run,
    Scenario,
    Schedule,
)
from descent.validators import expect_object, shown

SCENARIO_KEYS = ("landscape", "start", "steps", "noise", "runs", "minibatch")
RUN_KEYS = ("label", "optimizer", "flavour", "hparams", "schedule", "start")


# -- writing -----------------------------------------------------------------------------------


def encode(scenario: Scenario) -> dict:
    return {
        "landscape": landscape(scenario),
        "start": list(scenario.start),
        "steps": scenario.steps,
        "noise": {"sigma": scenario.noise.sigma, "batch_size": scenario.noise.batch_size, "seed": scenario.noise.seed},
        **({"minibatch": scenario.minibatch.to_json()} if scenario.minibatch is not None else {}),
        "runs": [run_json(run) for run in scenario.runs],
    }


def landscape(scenario: Scenario):
    """The landscape as the JSON form writes it."""
    if scenario.dataset is not None:
        return {"dataset": dict(scenario.dataset), "model": scenario.model}
    if scenario.formula is not None:
        return {"formula": scenario.formula, "domain": [list(scenario.domain[0]), list(scenario.domain[1])]}
    return {"name": scenario.landscape, "params": dict(scenario.landscape_params)}


def run_json(run: Run) -> dict:
    """A run's JSON form (the "runs" entries of a scenario)."""
    return {
        "label": run.label,
        "optimizer": run.optimizer,
        "flavour": run.flavour,
        "hparams": dict(run.hparams),
        "schedule": {"name": run.schedule.name, **dict(run.schedule.params)},
        **({"start": list(run.start)} if run.start is not None else {}),
    }


# -- reading -----------------------------------------------------------------------------------


def decode(data) -> Scenario:
    """A Scenario from its JSON form (a dict); ScenarioError naming the bad field."""
    if not isinstance(data, dict):
        raise ScenarioError("scenario", f"must be a JSON object with landscape and runs, got {shown(data)}")
    data = expect_object(data, "", SCENARIO_KEYS)
    if "landscape" not in data:
        raise ScenarioError("landscape", "required (a landscape id such as 'rosenbrock')")
    if "runs" not in data:
        raise ScenarioError("runs", "required (a list of optimizer runs)")
    landscape = data["landscape"]
    params: dict = {}
    formula = domain = dataset = model = minibatch = None
    if isinstance(landscape, dict) and ("dataset" in landscape or "model" in landscape):
        expect_object(landscape, "landscape", ("dataset", "model"))
        dataset, model = landscape.get("dataset"), landscape.get("model")
        landscape = DATA
    elif isinstance(landscape, dict) and "formula" in landscape:
        expect_object(landscape, "landscape", ("formula", "domain"))
        formula, domain = landscape["formula"], landscape.get("domain")
        landscape = FORMULA
    elif isinstance(landscape, dict):
        expect_object(landscape, "landscape", ("name", "params"))
        params = landscape.get("params") or {}
        if not isinstance(params, dict):
            raise ScenarioError("landscape.params", "must be an object of parameter values")
        landscape = landscape.get("name")
    elif not isinstance(landscape, str):
        raise ScenarioError("landscape", "must be a landscape id, {\"name\": ..., \"params\": {...}} or {\"formula\": ..., \"domain\": ...}")
    noise_data = data.get("noise") or {}
    expect_object(noise_data, "noise", ("sigma", "batch_size", "seed"))
    try:
        noise = Noise(**noise_data)
    except ScenarioError as e:
        raise e.within("noise") from None
    runs_data = data["runs"]
    if not isinstance(runs_data, list):
        raise ScenarioError("runs", "must be a list of runs")
    if "minibatch" in data:
        mb = data["minibatch"]
        expect_object(mb, "minibatch", ("batch_size", "shuffle", "seed"))
        minibatch = _minibatch(mb)
    runs = []
    for i, run_data in enumerate(runs_data):
        try:
            runs.append(run_from_json(run_data))
        except ScenarioError as e:
            raise e.within(f"runs[{i}]") from None
    return Scenario(
        landscape=landscape,
        landscape_params=Params(params),
        start=data.get("start"),
        steps=data.get("steps", DEFAULT_STEPS),
        noise=noise,
        runs=tuple(runs),
        formula=formula,
        domain=domain,
        dataset=dataset,
        model=model,
        minibatch=minibatch,
    )


def _minibatch(fields: Mapping) -> Minibatch:
    try:
        return Minibatch(**fields)
    except ScenarioError as e:
        raise e.within("minibatch") from None


def run_from_json(data) -> Run:
    if not isinstance(data, dict):
        raise ScenarioError("", f"must be an object, got {shown(data)}")
    for key in data:
        if key not in RUN_KEYS:
            raise ScenarioError(str(key), f"unknown field; allowed: {', '.join(RUN_KEYS)}")
    if "optimizer" not in data:
        raise ScenarioError("optimizer", f"required; one of {', '.join(optimizers.ids())}")
    hparams = data.get("hparams") or {}
    if not isinstance(hparams, dict):
        raise ScenarioError("hparams", "must be an object of hyperparameter values")
    schedule_data = data.get("schedule") or {"name": "constant"}
    if isinstance(schedule_data, str):
        schedule_data = {"name": schedule_data}
    if not isinstance(schedule_data, dict):
        raise ScenarioError("schedule", "must be an object like {\"name\": \"cosine\", \"decay_steps\": 500}")
    schedule_params = {k: v for k, v in schedule_data.items() if k != "name"}
    try:
        schedule = Schedule(schedule_data.get("name", "constant"), Params(schedule_params))
    except ScenarioError as e:
        raise e.within("schedule") from None
    label = data.get("label", "")
    return Run(
        optimizer=data["optimizer"],
        flavour=data.get("flavour", "keras"),
        hparams=Params(hparams),
        schedule=schedule,
        label="" if label is None else label,
        start=data.get("start"),
    )
