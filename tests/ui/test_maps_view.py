"""The Maps view through AppTest: its choices in the URL, clicks that set the run or the start,
the tuning applied, results shared across sessions."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import descent
from tests.conftest import ROOT
from tests.ui.apptest import query
from ui import links, maps_view, state
from ui.live_chart import sent_figures
from ui.map_choices import MapChoices

TIMEOUT = 180


def app(query: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]




def figure(at: AppTest) -> dict:
    figures = sent_figures(at.get("bidi_component"))
    assert len(figures) == 1
    return figures[0]


RAVINE = {"landscape": "quadratic", "landscape.kappa": "50", "start": "1,1", "steps": "300",
          "r0.optimizer": "sgd", "r0.flavour": "pytorch", "r0.learning_rate": "0.02", "r0.momentum": "0.5",
          "view": "Maps", "map.n": "16"}  # fmt: skip


def test_the_hyperparameter_map_is_drawn_from_the_link_and_its_choices_stay_in_the_url():
    at = app(RAVINE | {"map.x": "learning_rate", "map.xr": "0.001,0.2", "map.y": "momentum", "map.colour": "steps"})
    clean(at)
    spec = figure(at)
    names = [t.get("name", "") for t in spec["data"]]
    assert names[0] == "steps to converge" and any(n.startswith("diverged (") for n in names)
    assert spec["layout"]["xaxis"]["type"] == "log"
    options = at.session_state[state.OPTIONS]
    assert options.maps == MapChoices(x="learning_rate", y="momentum", x_range=(0.001, 0.2), side=16, colour="steps")
    assert query(at)["map.xr"] == "0.001,0.2" and query(at)["map.colour"] == "steps"
    # The map the page drew is the library's.
    scene = at.session_state[state.SCENE]
    direct = descent.hyperparameter_map(scene, 0, x=("learning_rate", 0.001, 0.2, 16, True), y=("momentum", 0.0, 0.999, 16))
    key = maps_view.map_key(scene, 0, options.maps)
    assert np.array_equal(maps_view.MAPS.get(key, lambda: None).steps_to_converge, direct.steps_to_converge)


def test_a_bad_map_value_in_the_link_is_reported_and_defaulted():
    at = app(RAVINE | {"map.n": "5000", "map.kind": "nonsense"})
    clean(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "map.n" in warnings and "map.kind" in warnings
    assert at.session_state[state.OPTIONS].maps == MapChoices()


def test_a_hyperparameter_the_run_lacks_gives_a_sentence_not_a_traceback():
    at = app(RAVINE | {"map.x": "beta2"})
    clean(at)
    assert any("x.name" in w.value and "not a numeric hyperparameter" in w.value for w in at.warning)


def test_a_click_on_a_cell_gives_the_run_that_cells_values():
    at = app(RAVINE)
    clean(at)
    scene, options = at.session_state[state.SCENE], at.session_state[state.OPTIONS]
    record = maps_view.MAPS.get(maps_view.map_key(scene, 0, options.maps), lambda: None)
    assert record is not None and record.final_loss.shape == (16, 16)
    # The chart reports a click on a log axis in log10 units.
    values = maps_view.cell_values(record, {"x": float(np.log10(0.05)), "y": 0.3, "dx": 0.01, "dy": 0.01})
    j = int(np.argmin(np.abs(np.log10(record.xs) - np.log10(0.05))))
    i = int(np.argmin(np.abs(record.ys - 0.3)))
    assert values == {"learning_rate": pytest.approx(record.xs[j], rel=1e-3), "momentum": pytest.approx(record.ys[i], rel=1e-3)}
    new = maps_view.with_values(scene, 0, values)
    assert new.runs[0].hparams["learning_rate"] == values["learning_rate"]
    # Which the single run reproduces: the map cell stands for it.
    r = descent.run(new).runs[0]
    assert (r.status == "diverged") == bool(record.diverged[i, j])
    assert maps_view.cell_values(record, {"y": 1.0}) is None and maps_view.cell_values(record, None) is None
    with pytest.raises(descent.ScenarioError, match="momentum"):
        maps_view.with_values(scene, 0, {"momentum": 1.5})


def test_a_click_on_the_basin_map_sets_the_start_and_tuning_applies_the_best_rates():
    at = app(RAVINE | {"map.kind": "basin", "map.res": "32"})
    clean(at)
    spec = figure(at)
    assert spec["background"]["source"].startswith("data:image/png;base64,")
    assert any(t.get("type") == "contour" for t in spec["data"])
    at.segmented_control(key="g0:maps:kind").set_value("tune").run()
    clean(at)
    spec = figure(at)
    assert any("best lr" in t.get("name", "") for t in spec["data"])
    at.button(key="maps:apply").click().run()
    clean(at)
    scene = at.session_state[state.SCENE]
    tuned = descent.tune_learning_rates(links.parse(RAVINE).scenario, 1e-4, 1.0, n=48)
    assert scene.runs[0].hparams["learning_rate"] == tuned.best_rates[0]
    assert float(query(at)["r0.learning_rate"]) == pytest.approx(tuned.best_rates[0])


def test_a_map_is_computed_once_for_every_session():
    first = app(RAVINE | {"map.kind": "basin", "map.res": "64"})
    clean(first)
    misses = maps_view.MAPS.misses
    second = app(RAVINE | {"map.kind": "basin", "map.res": "64"})
    clean(second)
    assert maps_view.MAPS.misses == misses and figure(second) == figure(first)


def test_map_choices_round_trip_through_the_url():
    from ui.defaults import DEFAULT_SCENARIO

    choices = MapChoices(kind="tune", x="momentum", y="learning_rate", x_range=(0.1, 0.9), y_range=(1e-4, 0.5), side=100,
                         colour="steps", resolution=256, rates=(1e-3, 0.3), n_rates=64)  # fmt: skip
    options = links.Options(view="Maps", maps=choices)
    parsed = links.parse(links.encode(DEFAULT_SCENARIO, options))
    assert parsed.options == options and not parsed.warnings
    assert not any(k.startswith("map.") for k in links.encode(DEFAULT_SCENARIO, links.Options()))  # defaults stay out


def test_a_maps_lesson_opens_its_map():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.session_state["lessons_open"] = True
    at.run()
    at.button(key="lesson:himmelblau_basins").click().run()
    clean(at)
    assert at.session_state[state.OPTIONS].maps.kind == "basin"
    assert query(at)["view"] == "Maps" and query(at)["map.kind"] == "basin"
    names = [t.get("name", "") for t in figure(at)["data"]]
    assert sum(n.startswith("minimum (") for n in names) == 4


def test_a_basin_map_does_not_depend_on_the_start():
    from ui.map_choices import MapChoices
    from ui.maps_view import map_key

    scene = descent.Scenario.from_json({"landscape": "himmelblau", "start": [0, 0], "runs": [{"optimizer": "adam"}]})
    basin = MapChoices(kind="basin")
    moved = scene.replace(start=(2.0, -3.0))
    assert map_key(scene, 0, basin) == map_key(moved, 0, basin)  # a click that moves the start recomputes nothing
    assert map_key(scene, 0, basin) != map_key(scene.replace(steps=scene.steps + 1), 0, basin)
