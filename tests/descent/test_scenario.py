"""The Scenario model: validation messages, and exact round trips through JSON and the URL."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings

from descent import Noise, Params, Run, Scenario, ScenarioError, Schedule
from tests.descent.strategies import scenario_strategy

EXAMPLE = {
    "landscape": {"name": "rosenbrock", "params": {}},
    "start": [-1.5, 2.0],
    "steps": 500,
    "noise": {"sigma": 0.0, "batch_size": 1, "seed": 0},
    "runs": [
        {
            "label": "Adam",
            "optimizer": "adam",
            "flavour": "keras",
            "hparams": {"learning_rate": 0.01, "beta1": 0.9},
            "schedule": {"name": "cosine", "decay_steps": 500, "alpha": 0.0},
        }
    ],
}


@settings(max_examples=300, deadline=None)
@given(scenario_strategy())
def test_json_round_trip_is_exact(scenario):
    text = json.dumps(scenario.to_json())
    assert Scenario.from_json(json.loads(text)) == scenario


@settings(max_examples=300, deadline=None)
@given(scenario_strategy())
def test_query_round_trip_is_exact(scenario):
    # Through a real URL query string, as a browser would carry it.
    url_query = urlencode(scenario.to_query())
    assert Scenario.from_query(dict(parse_qsl(url_query, keep_blank_values=True))) == scenario


def test_example_from_the_issue_parses_and_keeps_what_was_given():
    s = Scenario.from_json(EXAMPLE)
    assert s.landscape == "rosenbrock" and s.start == (-1.5, 2.0) and s.steps == 500
    run = s.runs[0]
    assert dict(run.hparams) == {"learning_rate": 0.01, "beta1": 0.9}
    assert run.schedule == Schedule("cosine", Params({"decay_steps": 500, "alpha": 0.0}))
    assert run.resolved_hparams()["epsilon"] == 1e-7  # Keras's default, filled in late
    assert s.to_json() == EXAMPLE


def test_optional_fields_take_defaults():
    s = Scenario.from_json({"landscape": "himmelblau", "runs": [{"optimizer": "sgd"}]})
    assert s.start == (-0.3, -0.9)  # the landscape's default start
    assert s.steps == 500 and s.noise == Noise()
    run = s.runs[0]
    assert run.flavour == "keras" and run.schedule.name == "constant" and run.label == ""
    assert run.display_label == "SGD lr=0.01"


def test_query_form_is_flat_and_short():
    q = Scenario.from_json(EXAMPLE).to_query()
    assert q == {
        "landscape": "rosenbrock",
        "start": "-1.5,2.0",
        "steps": "500",
        "r0.optimizer": "adam",
        "r0.label": "Adam",
        "r0.learning_rate": "0.01",
        "r0.beta1": "0.9",
        "r0.schedule": "cosine",
        "r0.schedule.decay_steps": "500",
        "r0.schedule.alpha": "0.0",
    }


def test_query_ignores_keys_outside_the_scenario():
    q = Scenario.from_json(EXAMPLE).to_query() | {"lecture": "1", "embed": "true", "view": "3d"}
    assert Scenario.from_query(q) == Scenario.from_json(EXAMPLE)


def _error(data) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        Scenario.from_json(data)
    return info.value


def with_run(**run):
    return {"landscape": "booth", "runs": [{"optimizer": "adam", **run}]}


@pytest.mark.parametrize(
    "data,field,words",
    [
        ({"landscape": "nope", "runs": [{"optimizer": "sgd"}]}, "landscape.name", "rosenbrock"),
        ({"runs": [{"optimizer": "sgd"}]}, "landscape", "required"),
        ({"landscape": "booth"}, "runs", "required"),
        ({"landscape": "booth", "runs": []}, "runs", "1 to 12"),
        ({"landscape": "booth", "runs": [{"optimizer": "adamz"}]}, "runs[0].optimizer", "one of sgd"),
        (with_run(flavour="jax"), "runs[0].flavour", "keras, pytorch, optax"),
        ({"landscape": "booth", "runs": [{"optimizer": "lion", "flavour": "pytorch"}]}, "runs[0].flavour", "keras, optax"),
        (with_run(hparams={"lr": 0.1}), "runs[0].hparams.lr", "learning_rate"),
        (with_run(hparams={"rho": 0.9}), "runs[0].hparams.rho", "no hyperparameter"),
        (with_run(hparams={"learning_rate": "abc"}), "runs[0].hparams.learning_rate", "(0, 100]"),
        (with_run(hparams={"learning_rate": 0}), "runs[0].hparams.learning_rate", "(0, 100]"),
        (with_run(hparams={"learning_rate": 1e3}), "runs[0].hparams.learning_rate", "(0, 100]"),
        (with_run(hparams={"beta1": 1.0}), "runs[0].hparams.beta1", "[0, 1)"),
        (with_run(hparams={"epsilon": -1e-8}), "runs[0].hparams.epsilon", "[0, 1]"),
        (with_run(hparams={"amsgrad": "yes"}), "runs[0].hparams.amsgrad", "true or false"),
        (with_run(hparams={"learning_rate": True}), "runs[0].hparams.learning_rate", "a number"),
        (with_run(hparams={"learning_rate": float("nan")}), "runs[0].hparams.learning_rate", "a number"),
        (with_run(flavour="optax"), "runs[0].hparams.learning_rate", "required for the optax flavour"),
        (with_run(flavour="optax", hparams={"learning_rate": 0.1, "weight_decay": 0.1}), "runs[0].hparams.weight_decay", "optax"),
        ({"landscape": "booth", "runs": [{"optimizer": "sgd", "flavour": "pytorch", "hparams": {"nesterov": True}}]},
         "runs[0].hparams.nesterov", "momentum > 0"),
        (with_run(schedule={"name": "cosines"}), "runs[0].schedule.name", "cosine_restarts"),
        (with_run(schedule={"name": "cosine", "decay_steps": 0}), "runs[0].schedule.decay_steps", "[1, 1e+06]"),
        (with_run(schedule={"name": "cosine", "decay_steps": 2.5}), "runs[0].schedule.decay_steps", "whole number"),
        (with_run(schedule={"name": "step", "decay_rate": 0.5}), "runs[0].schedule.decay_rate", "step_size, gamma"),
        (with_run(label="x" * 100), "runs[0].label", "60"),
        (with_run(extra=1), "runs[0].extra", "unknown field"),
        ({"landscape": "booth", "steps": 0, "runs": [{"optimizer": "sgd"}]}, "steps", "[1, 100000]"),
        ({"landscape": "booth", "steps": 100001, "runs": [{"optimizer": "sgd"}]}, "steps", "[1, 100000]"),
        ({"landscape": "booth", "steps": "many", "runs": [{"optimizer": "sgd"}]}, "steps", "whole number"),
        ({"landscape": "booth", "start": [1], "runs": [{"optimizer": "sgd"}]}, "start", "two numbers"),
        ({"landscape": "booth", "start": [1, "x"], "runs": [{"optimizer": "sgd"}]}, "start[1]", "a number"),
        ({"landscape": "booth", "start": [1, 1e5], "runs": [{"optimizer": "sgd"}]}, "start[1]", "10000"),
        ({"landscape": {"name": "quadratic", "params": {"kappa": 0.5}}, "runs": [{"optimizer": "sgd"}]},
         "landscape.params.kappa", "[1, 1000]"),
        ({"landscape": {"name": "booth", "params": {"kappa": 5}}, "runs": [{"optimizer": "sgd"}]},
         "landscape.params.kappa", "no parameter"),
        ({"landscape": "booth", "noise": {"sigma": -1}, "runs": [{"optimizer": "sgd"}]}, "noise.sigma", "[0, 1000]"),
        ({"landscape": "booth", "noise": {"batch_size": 0}, "runs": [{"optimizer": "sgd"}]}, "noise.batch_size", "[1, 1000000]"),
        ({"landscape": "booth", "noise": {"seed": 1.5}, "runs": [{"optimizer": "sgd"}]}, "noise.seed", "whole number"),
        ({"landscape": "booth", "noise": {"sd": 1}, "runs": [{"optimizer": "sgd"}]}, "noise.sd", "unknown field"),
        ([1, 2], "scenario", "JSON object"),
        ({"landscape": "booth", "runs": [{"optimizer": "sgd"}], "step": 5}, "step", "unknown field"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field_and_what_is_allowed(data, field, words):
    error = _error(data)
    assert error.field == field
    assert words in error.message
    assert "\n" not in str(error)


@pytest.mark.parametrize(
    "query,field",
    [
        ({"landscape": "nope", "r0.optimizer": "sgd"}, "landscape.name"),
        ({"landscape": "booth", "r0.optimizer": "sgd", "r0.learning_rate": "fast"}, "r0.learning_rate"),
        ({"landscape": "booth", "r0.optimizer": "sgd", "r0.schedule": "weird"}, "r0.schedule"),
        ({"landscape": "booth", "r0.optimizer": "sgd", "r0.schedule": "step", "r0.schedule.gamma": "2"}, "r0.schedule.gamma"),
        ({"landscape": "booth", "r0.optimizer": "sgd", "start": "1;2"}, "start"),
        ({"landscape": "booth", "r0.optimizer": "sgd", "sigma": "-3"}, "sigma"),
        ({"landscape": "booth", "r0.optimizer": "sgd", "batch": "0"}, "batch"),
        ({"landscape": "booth", "r1.optimizer": "sgd", "r1.flavour": "tf"}, "r1.flavour"),
        ({"landscape": "booth", "r0.learning_rate": "0.1"}, "r0.optimizer"),
    ],
)  # fmt: skip
def test_bad_query_params_name_the_param(query, field):
    with pytest.raises(ScenarioError) as info:
        Scenario.from_query(query)
    assert info.value.field == field


def test_model_is_immutable_and_hashable():
    s = Scenario.from_json(EXAMPLE)
    with pytest.raises(AttributeError):
        s.steps = 10  # type: ignore[misc]
    with pytest.raises(TypeError):
        s.runs[0].hparams["learning_rate"] = 1.0  # type: ignore[index]
    assert hash(s) == hash(Scenario.from_json(EXAMPLE))
    assert s.replace(steps=10).steps == 10 and s.steps == 500


def test_constructing_directly_validates_too():
    with pytest.raises(ScenarioError, match="hparams.epsilon"):
        Run("adam", hparams=Params({"epsilon": 5.0}))
    with pytest.raises(ScenarioError, match="steps"):
        Scenario("booth", (Run("sgd"),), steps=0)


def test_auto_labels_say_what_sets_a_run_apart():
    def label(**run):
        return Run(**run).display_label

    assert label(optimizer="adam", hparams={"learning_rate": 0.01}) == "Adam lr=0.01"
    assert label(optimizer="sgd", hparams={"momentum": 0.9}) == "Momentum lr=0.01 μ=0.9"
    assert label(optimizer="sgd", hparams={"momentum": 0.9, "nesterov": True}) == "Nesterov lr=0.01 μ=0.9"
    assert label(optimizer="adam", flavour="pytorch", hparams={"amsgrad": True}) == "Adam lr=0.001 amsgrad (PyTorch)"
    assert label(optimizer="rmsprop", schedule=Schedule("cosine")) == "RMSprop lr=0.001 cosine"
    assert label(optimizer="adam", label="mine") == "mine"
