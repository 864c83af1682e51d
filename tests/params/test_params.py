"""The one parameter record (params.Param): landscapes, optimizers, schedules and the scene's own
fields all check user input through it, so every message has the same form."""

from __future__ import annotations

import pathlib

import pytest

import landscapes
import optimizers
from descent import Scenario, ScenarioError
from descent.minibatch import Minibatch
from optimizers import schedules
from params import Param, ParamError

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_every_landscape_hyperparameter_and_schedule_parameter_is_the_same_record():
    records = [p for ls in landscapes.LANDSCAPES for p in ls.params]
    records += [hp.param for spec in optimizers.OPTIMIZERS for hp in spec.hparams]
    records += [p for s in schedules.SCHEDULES for p in s.params]
    assert len(records) > 30 and all(type(r) is Param for r in records)


@pytest.mark.parametrize(
    "record, value, parsed",
    [
        (Param("lr", low=0.0, high=100.0, low_open=True), "0.5", 0.5),
        (Param("lr", low=0.0, high=100.0, low_open=True), 100, 100.0),
        (Param("steps", kind="int", low=1, high=10), "7", 7),
        (Param("steps", kind="int", low=1, high=10), 7.0, 7),
        (Param("flag", kind="bool"), "TRUE", True),
        (Param("flag", kind="bool"), False, False),
    ],
)
def test_parse_converts_json_values_and_query_text(record, value, parsed):
    out = record.parse(value)
    assert out == parsed and type(out) is type(parsed)


@pytest.mark.parametrize(
    "record, value, message",
    [
        (Param("lr", low=0.0, high=100.0, low_open=True), 0.0, "lr: must be a number in (0, 100], got 0"),
        (Param("b", high=1.0, high_open=True), "1", "b: must be a number in [0, 1), got '1'"),
        (Param("b"), float("nan"), "b: must be a number in [0, 1], got nan"),
        (Param("b"), True, "b: must be a number in [0, 1], got true"),
        (Param("b"), [0.5], "b: must be a number in [0, 1], got [0.5]"),
        (Param("n", kind="int", low=1.0, high=1e6), 2.5, "n: must be a whole number in [1, 1e+06], got 2.5"),
        (Param("seed", kind="int", low=0, high=2**31 - 1), -1, "seed: must be a whole number in [0, 2147483647], got -1"),
        (Param("f", kind="bool"), "yes", "f: must be true or false, got 'yes'"),
        (Param("x"), "y" * 100, "x: must be a number in [0, 1], got '" + "y" * 36 + "..."),
    ],
)
def test_a_rejected_value_names_the_field_and_the_allowed_values(record, value, message):
    with pytest.raises(ParamError) as e:
        record.parse(value)
    assert str(e.value) == message


def test_the_error_names_the_field_path_it_is_given():
    with pytest.raises(ParamError) as e:
        Param("kappa", low=1.0, high=1000.0).parse(0, "landscape.params.kappa")
    assert e.value.field == "landscape.params.kappa" and e.value.message == "must be a number in [1, 1000], got 0"


def test_the_slider_range_defaults_to_the_accepted_range():
    assert (Param("a", low=-2.0, high=3.0).ui_low, Param("a", low=-2.0, high=3.0).ui_high) == (-2.0, 3.0)
    assert Param("a", low=0.0, high=10.0, ui_high=0.5).ui_high == 0.5


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"landscape": {"name": "quadratic", "params": {"kappa": 0.5}}},
         "landscape.params.kappa", "must be a number in [1, 1000], got 0.5"),
        ({"landscape": "booth", "noise": {"sigma": -1}}, "noise.sigma", "must be a number in [0, 1000], got -1"),
        ({"landscape": "booth", "runs": [{"optimizer": "adam", "hparams": {"beta1": 1.0}}]},
         "runs[0].hparams.beta1", "must be a number in [0, 1), got 1"),
        ({"landscape": "booth", "runs": [{"optimizer": "sgd", "schedule": {"name": "step", "step_size": 0}}]},
         "runs[0].schedule.step_size", "must be a whole number in [1, 1e+06], got 0"),
    ],
)
def test_the_scenario_reports_the_record_messages(data, field, message):
    data = {"runs": [{"optimizer": "sgd"}], **data}
    with pytest.raises(ScenarioError) as e:
        Scenario.from_json(data)
    assert (e.value.field, e.value.message) == (field, message)


def test_the_minibatch_fields_use_the_same_rules():
    with pytest.raises(ScenarioError) as e:
        Minibatch(batch_size=0)
    assert str(e.value) == "batch_size: must be a whole number in [1, 1000000], got 0"
    assert Minibatch(shuffle="false").shuffle is False


def test_params_is_a_leaf_that_imports_nothing_of_the_project():
    text = (ROOT / "params" / "__init__.py").read_text()
    for package in ("jax", "numpy", "descent", "landscapes", "optimizers", "viz", "ui", "streamlit"):
        assert f"import {package}" not in text and f"from {package}" not in text, package
