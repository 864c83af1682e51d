"""The query codec owns the map between a scenario's fields and its URL keys: the link is written
and read with it, and an error's field is turned into the key to blame with it (ui.links)."""

from __future__ import annotations

import pytest

from descent import Scenario, ScenarioError
from descent import scenario_query as sq

DATA_SCENE = {"landscape": {"dataset": {"name": "noisy_line", "size": 50, "seed": 3, "standardize": True},
                            "model": "linear_regression"},
              "minibatch": {"batch_size": 8, "shuffle": False, "seed": 2}, "steps": 40,
              "runs": [{"optimizer": "sgd", "hparams": {"learning_rate": 0.1}}]}  # fmt: skip
NOISY_SCENE = {"landscape": {"name": "quadratic", "params": {"kappa": 50.0}}, "start": [1.0, 2.0],
               "noise": {"sigma": 0.5, "batch_size": 4, "seed": 7},
               "runs": [{"optimizer": "adam", "flavour": "pytorch", "label": "mine", "start": [0.5, 0.5],
                         "hparams": {"learning_rate": 0.01, "amsgrad": True},
                         "schedule": {"name": "step", "step_size": 10, "gamma": 0.5}}]}  # fmt: skip


@pytest.mark.parametrize(
    "field, key",
    [
        ("landscape.name", "landscape"),
        ("landscape.params.kappa", "landscape.kappa"),
        ("landscape.dataset.size", "data.size"),
        ("noise.batch_size", "batch"),
        ("minibatch.shuffle", "mb.shuffle"),
        ("start[1]", "start"),
        ("runs[2].hparams.epsilon", "r2.epsilon"),
        ("runs[0].schedule.name", "r0.schedule"),
        ("runs[0].schedule.gamma", "r0.schedule.gamma"),
        ("runs[1].start[0]", "r1.start"),
        ("r3.learning_rate", "r3.learning_rate"),
        ("sigma", "sigma"),
    ],
)
def test_key_of_names_the_query_key_of_a_field(field, key):
    assert sq.key_of(field) == key


@pytest.mark.parametrize("scene", [DATA_SCENE, NOISY_SCENE], ids=["data", "noisy"])
def test_every_key_written_is_one_the_map_knows_and_reads_back(scene):
    scenario = Scenario.from_json(scene)
    query = scenario.to_query()
    known = set(sq.KEYS.values())
    for key in query:
        run = sq.RUN_KEY.match(key)
        assert key in known or key.startswith("landscape.") or run, key
    assert Scenario.from_query(query) == scenario


@pytest.mark.parametrize(
    "key, value",
    [("sigma", "-1"), ("batch", "0"), ("seed", "x"), ("steps", "0"), ("start", "1,nan"), ("landscape.kappa", "0"),
     ("r0.learning_rate", "-1"), ("r0.schedule.gamma", "2"), ("r0.start", "1")],
)  # fmt: skip
def test_the_key_an_error_blames_is_the_bad_key_of_the_link(key, value):
    query = {**Scenario.from_json(NOISY_SCENE).to_query(), key: value}
    with pytest.raises(ScenarioError) as e:
        Scenario.from_query(query)
    assert sq.key_of(e.value.field) == key


@pytest.mark.parametrize("key, value", [("mb.batch", "0"), ("mb.shuffle", "maybe"), ("data.size", "3"), ("model", "cnn")])
def test_the_data_keys_are_blamed_by_the_same_map(key, value):
    query = {**Scenario.from_json(DATA_SCENE).to_query(), key: value}
    with pytest.raises(ScenarioError) as e:
        Scenario.from_query(query)
    assert sq.key_of(e.value.field) == key
