"""A framework's rules between hyperparameters live on the optimizer's spec (OptimizerSpec.rules)
and every edge reports them from there: the scenario (JSON, URL, CLI) and the app's editor."""

from __future__ import annotations

from dataclasses import replace

import pytest

import optimizers
from descent import Scenario, ScenarioError
from optimizers.spec import Rule
from params import ParamError

SGD = optimizers.get("sgd")


@pytest.mark.parametrize(
    "flavour, hparams, breaks",
    [
        ("pytorch", {"nesterov": True}, True),  # momentum defaults to 0
        ("pytorch", {"nesterov": True, "momentum": 0.0}, True),
        ("pytorch", {"nesterov": True, "momentum": 0.9}, False),
        ("pytorch", {"momentum": 0.0}, False),
        ("keras", {"nesterov": True}, False),  # Keras accepts Nesterov without momentum
        ("optax", {"nesterov": True, "learning_rate": 0.1}, False),
    ],
)
def test_pytorch_sgd_needs_momentum_for_nesterov(flavour, hparams, breaks):
    if breaks:
        with pytest.raises(ParamError) as e:
            SGD.check(flavour, hparams)
        assert (e.value.field, e.value.message) == ("nesterov", "PyTorch's SGD needs momentum > 0 for Nesterov")
    else:
        SGD.check(flavour, hparams)


@pytest.fixture
def patched_rule(monkeypatch):
    """SGD with its PyTorch rule worded differently: whoever reports it must read the spec."""
    rule = Rule("pytorch", "nesterov", lambda hp: not hp["nesterov"] or hp["momentum"] > 0, "patched: needs momentum")
    monkeypatch.setitem(optimizers.BY_ID, "sgd", replace(SGD, rules=(rule,)))
    return rule


def test_the_scenario_reports_the_specs_rule(patched_rule):
    data = {"landscape": "booth", "runs": [{"optimizer": "sgd", "flavour": "pytorch", "hparams": {"nesterov": True}}]}
    with pytest.raises(ScenarioError) as e:
        Scenario.from_json(data)
    assert (e.value.field, e.value.message) == ("runs[0].hparams.nesterov", patched_rule.message)
    with pytest.raises(ScenarioError) as e:
        Scenario.from_query({"landscape": "booth", "r0.optimizer": "sgd", "r0.flavour": "pytorch", "r0.nesterov": "true"})
    assert (e.value.field, e.value.message) == ("r0.nesterov", patched_rule.message)


def test_a_spec_without_the_rule_lets_the_scenario_through(monkeypatch):
    monkeypatch.setitem(optimizers.BY_ID, "sgd", replace(SGD, rules=()))
    run = Scenario.from_json({"landscape": "booth", "runs": [{"optimizer": "sgd", "flavour": "pytorch", "hparams": {"nesterov": True}}]}).runs[0]
    assert run.resolved_hparams()["nesterov"] is True
